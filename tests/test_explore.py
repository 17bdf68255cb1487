"""`thermidor explore`: the explorer in a real browser (Debian's chromium driven by Playwright).

The server is started as a user starts it (`python -m thermidor explore tiny --port P`) on a free
port; the test moves a slider, changes a strategy, presses play, sees the date advance and the
plot change, hovers a cell of the nuclei map, opens a stored run in the second tab, and sees no
error in the browser's console. The refusals (a non-local bind without --host, a busy port, a
bad scenario) are one line and exit status 2.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SRC = Path(__file__).resolve().parents[1] / "src"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOST", "SOLARA_HOST", "PORT")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])
    return {**env, **extra}


def _explore(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "thermidor", "explore", *args],
        env=_env(**env), capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_non_local_bind_without_host_is_refused():
    r = _explore("tiny", HOST="0.0.0.0")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and "--host 0.0.0.0" in r.stderr, r.stderr


def test_a_non_local_host_given_is_warned_about():
    with socket.socket() as s:  # a busy port, so that no server stays behind
        s.bind(("0.0.0.0", 0))
        s.listen()
        r = _explore("tiny", "--host", "0.0.0.0", "--port", str(s.getsockname()[1]))
    warning, error = r.stderr.splitlines()
    assert warning.startswith("thermidor: warning: listening on 0.0.0.0: anyone")
    assert error.startswith("thermidor: error: --port") and r.returncode == 2


def test_a_busy_port_and_a_bad_scenario_are_one_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        r = _explore("tiny", "--port", str(s.getsockname()[1]))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--port" in r.stderr, r.stderr
    r = _explore("no-such-scenario")
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "thermidor", "explore", "tiny", "--port", str(port)],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the explorer did not start: {proc.stdout.read()}")
            time.sleep(0.5)
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory) -> Path:
    from thermidor.engine import simulate
    from thermidor.runstore import write_run

    return write_run(simulate("tiny", seed=2, weeks=8), tmp_path_factory.mktemp("run") / "r")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_explorer_in_chromium(server, stored_run):
    sync_api = pytest.importorskip("playwright.sync_api")
    console, errors = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server)
            date = page.locator("#live-date")
            date.wait_for(timeout=40_000)
            assert date.inner_text() == "October 1928"
            pi_line = page.locator("#chart-power polyline").first
            first_plot = pi_line.get_attribute("points")
            assert first_plot.count(",") == 1  # week 0: one point

            # a slider: focus its thumb, one step right; the label shows the new value
            mu = page.locator(".v-input", has_text="influence.mu =")
            before = mu.locator("label").inner_text()
            mu.locator(".v-slider__thumb-container").focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "b => !Array.from(document.querySelectorAll('label')).some(l => l.innerText == b)",
                arg=before, timeout=20_000,
            )  # fmt: skip
            # a strategy: the Left Opposition's select, from reform to corpse
            select = page.locator(".v-select", has_text="Left Opposition: strategy")
            select.click()
            page.locator(".v-menu__content .v-list-item", has_text="corpse").first.click()
            select.locator(".v-select__selection", has_text="corpse").wait_for(timeout=20_000)

            # play: the date advances and the plot changes; then pause
            page.get_by_role("button", name="Play").click()
            page.wait_for_function(
                "() => document.querySelector('#live-date').innerText != 'October 1928'",
                timeout=30_000,
            )
            toggle = page.get_by_role("button", name=re.compile("^(Pause|Play)$"))
            if toggle.inner_text().lower() == "pause":  # else the run already reached its end
                toggle.click()
            page.get_by_role("button", name="Play").wait_for(timeout=20_000)
            assert re.fullmatch(r"[A-Z][a-z]+ 19\d\d", date.inner_text())
            later = pi_line.get_attribute("points")
            assert later.count(",") > 1 and later.startswith(first_plot.split()[0])

            # the nuclei map: a cell's hover text is its hidden-versus-public gap
            cell = page.locator("#nuclei-map rect.cell").first
            assert "hidden-versus-public gap" in cell.locator("title").text_content()
            cell.hover()

            # the second tab: a stored run's seven answers
            page.get_by_role("tab", name="Stored experiment or report").click()
            page.get_by_label("A run or experiment directory, or a report (.html)").fill(
                str(stored_run)
            )
            page.keyboard.press("Enter")
            page.get_by_role("button", name="Open").click()
            page.get_by_text(re.compile(r"^tiny: 1 run\(s\)")).wait_for(timeout=30_000)
            stored = page.locator(".v-window-item--active").inner_text()
            assert all(f"Q{i}" in stored for i in range(1, 8))
        finally:
            browser.close()
    assert errors == []
    assert [m for m in console if m[0] == "error"] == []


def test_key_parameters_exist_and_take_their_range_from_the_schema():
    from thermidor.explore.settings import KEY_PARAMETERS, slider, sliders
    from thermidor.scenario import load_scenario

    sc = load_scenario("1928")
    assert [s.key for s in sliders(sc)] == KEY_PARAMETERS  # a renamed key would drop out
    mu = slider(sc, "influence.mu")  # ODD: default 0.1, range [0, 0.5]
    assert (mu.low, mu.high, mu.value, mu.integer) == (0.0, 0.5, sc.influence.mu, False)


def test_the_nuclei_map_gap_is_each_cells_members_mean():
    import numpy as np

    from thermidor.explore.session import build, nuclei
    from thermidor.explore.settings import Settings
    from thermidor.model.state import CAPITULATED, MEMBER

    model = build(Settings("tiny", 0.0005, seed=3))
    model.run_for(6)
    cells = nuclei(model)
    p, start = model.state.persons, model.state.cells.start
    for j in (0, len(cells) // 2, len(cells) - 1):
        seg = slice(start[j], start[j + 1])
        member = np.isin(p.status[seg], [MEMBER, CAPITULATED])
        expected = np.abs(p.x[seg] - p.y[seg])[member].mean() if member.any() else 0.0
        assert cells.loc[j, "gap"] == pytest.approx(expected, rel=1e-12)


def test_text_is_escaped():
    from thermidor.explore.text import to_html

    assert to_html("### a <b>\n- **x** & y\nz") == (
        "<h3>a &lt;b&gt;</h3><ul><li><b>x</b> &amp; y</li></ul><p>z</p>"
    )
