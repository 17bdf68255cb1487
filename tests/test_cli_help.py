"""The command line a person meets first: --version, --help (an example per command, nothing cut
off, fast), --scale on ensemble and sweep, sensitivity's design and estimate before it starts, and
`thermidor.ensemble` from a script without a `__main__` guard (one line, nothing run).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import thermidor
from thermidor.analysis.sensitivity import DEFAULT_PARAMETERS
from thermidor.cli import app, main
from thermidor.cli_help import COMMANDS

SRC = Path(__file__).resolve().parents[1] / "src"
HEAVY = ("numba", "pandas", "pyarrow", "duckdb", "dask", "distributed", "matplotlib", "mesa",
         "solara", "scipy", "SALib", "thermidor.engine", "thermidor.model")  # fmt: skip


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, COLUMNS="80", **extra)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    return env


def thermidor_cmd(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "thermidor", *args], env=_env(**env),
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["thermidor", *map(str, args)])
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def names() -> list[str]:
    return [
        (c.name or c.callback.__name__).removesuffix("_cmd").replace("_", "-")
        for c in app.registered_commands
    ]


def test_version():
    r = thermidor_cmd("--version")
    assert r.returncode == 0 and r.stdout == f"thermidor {thermidor.__version__}\n"


def test_help_lists_every_command_uncut():
    r = thermidor_cmd("--help")
    assert r.returncode == 0 and r.stderr == ""
    assert "Usage: thermidor " in r.stdout
    body = r.stdout.split("\n", 1)[1]  # after the usage line, whose "[ARGS]..." is meant
    assert "..." not in body  # click cuts a long first sentence with "..."
    assert "thermidor run tiny" in body and "thermidor explore" in body  # first steps
    for name in names():
        assert f"  {name} " in r.stdout, name


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - {"show", "diff"}))
def test_each_command_has_an_example(name, capsys, monkeypatch):
    assert name in names()
    code, out, err = cli([name, "--help"], capsys, monkeypatch)
    assert code == 0, err
    assert "Examples:" in out and f"  thermidor {name}" in out
    assert not re.search(r"\w\.\.\.$", out, re.M)  # no text cut off at a line's end


def test_every_registered_command_has_a_summary_and_examples():
    assert set(names()) <= set(COMMANDS)


def test_help_imports_no_heavy_library():
    """What makes `--help` fast, checked exactly: none of the heavy libraries is imported."""
    code = ("import sys, runpy; sys.argv = ['thermidor', '--help']\n"
            "try:\n    runpy.run_module('thermidor', run_name='__main__')\nexcept SystemExit:\n"
            "    pass\nprint(sorted({m.split('.')[0] if not m.startswith('thermidor') else m "
            "for m in sys.modules}), file=sys.stderr)")  # fmt: skip
    r = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True, text=True)
    loaded = set(eval(r.stderr.strip().splitlines()[-1]))  # noqa: S307 (our own output)
    assert not [h for h in HEAVY if h in loaded or any(m.startswith(h + ".") for m in loaded)]


def test_help_answers_in_half_a_second():
    """`python -m thermidor --help`, best of 5 wall-clock runs, under 0.5 s (the issue's bound).
    The best of 5 discounts a busy moment; a machine loaded beyond its cores (the load average,
    stated in the skip reason) cannot measure it, and the import test above still holds."""
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if load > cores:
        pytest.skip(f"load average {load:.1f} on {cores} cores: wall-clock time is not the CLI's")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        r = thermidor_cmd("--help")
        times.append(time.perf_counter() - t0)
        assert r.returncode == 0
    assert min(times) < 0.5, times


def test_ensemble_and_sweep_take_scale(tmp_path, capsys, monkeypatch):
    ens, sw = tmp_path / "ens", tmp_path / "sw"
    code, _, err = cli(["ensemble", "tiny", "--runs", 1, "--weeks", 1, "--scale", 0.0002,
                        "--workers", 1, "--quiet", "--out", ens], capsys, monkeypatch)  # fmt: skip
    assert code == 0, err
    code, _, err = cli(["sweep", "tiny", "--vary", "influence.mu=0.1:0.2:2", "--weeks", 1,
                        "--scale", 0.0002, "--workers", 1, "--quiet", "--out", sw],
                       capsys, monkeypatch)  # fmt: skip
    assert code == 0, err
    for d in (ens, sw):
        assert thermidor.open_experiment(d).scenario.scale == 0.0002
        persons = thermidor.open_experiment(d).outcomes()["persons"]
        assert (persons < 1200).all()  # tiny at its own 1:2000 has about 2,400
    code, _, err = cli(["ensemble", "tiny", "--runs", 1, "--scale", 2, "--out", tmp_path / "x"],
                       capsys, monkeypatch)  # fmt: skip
    assert code == 2 and "scale" in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_sensitivity_dry_run_prints_design_and_time(tmp_path, capsys, monkeypatch):
    out = tmp_path / "sens"
    code, text, err = cli(["sensitivity", "tiny", "--dry-run", "--samples", 2,
                           "--runs-per-point", 1, "--weeks", 4, "--out", out],
                          capsys, monkeypatch)  # fmt: skip
    assert code == 0, err
    k = len(DEFAULT_PARAMETERS)
    points = 2 * (k + 1)  # Morris: trajectories x (parameters + 1)
    assert f"morris on {k} parameters ({', '.join(DEFAULT_PARAMETERS)})" in text
    assert f"{points} points x 1 runs x 3 variants" in text and f"= {3 * points} runs" in text
    assert "estimated time: at most" in text
    assert not out.exists()  # nothing run, nothing written


def test_ensemble_from_a_script_without_main_guard_stops_in_one_line(tmp_path):
    script = tmp_path / "unguarded.py"
    out = tmp_path / "ens"
    script.write_text(textwrap.dedent(f"""
        import thermidor
        exp = thermidor.ensemble("tiny", runs=2, weeks=1, out={str(out)!r}, workers=1)
        print(exp.outcomes())
    """))  # fmt: skip
    r = subprocess.run([sys.executable, str(script)], env=_env(), capture_output=True, text=True,
                       timeout=120)  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1, r.stderr
    assert f"{script}:3:" in r.stderr and 'if __name__ == "__main__":' in r.stderr
    assert not out.exists()


def test_ensemble_from_a_script_with_the_guard_works(tmp_path):
    script = tmp_path / "guarded.py"
    out = tmp_path / "ens"
    script.write_text(textwrap.dedent(f"""
        import json
        import thermidor

        if __name__ == "__main__":
            exp = thermidor.ensemble("tiny", runs=2, weeks=1, out={str(out)!r}, workers=1,
                                     progress=False)
            print(json.dumps(exp.outcomes()["outcome"].tolist()))
    """))  # fmt: skip
    r = subprocess.run([sys.executable, str(script)], env=_env(), capture_output=True, text=True,
                       timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) == 2
