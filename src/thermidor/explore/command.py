"""`thermidor explore [SCENARIO]`: check the scenario, host and port, then start Solara's server.

Bound to 127.0.0.1 unless `--host` says otherwise (with a warning: whoever reaches the port can
run the model on this machine). A non-local address that comes from the environment ($HOST or
$SOLARA_HOST, which Solara would otherwise obey) without `--host` is refused.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Annotated

import typer

from thermidor.errors import InputError

LOCAL = ("127.0.0.1", "localhost", "::1")


def _local(host: str) -> bool:
    if host in LOCAL:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    if not 0 < port < 65536:
        raise InputError("--port", f"{port} is not a port number (1-65535)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as e:
            raise InputError("--port", f"cannot listen on {host}:{port} ({e.strerror}); "
                             "choose another with --port") from None  # fmt: skip


def explore(
    scenario: Annotated[str, typer.Argument(help="built-in name or TOML path")] = "1928",
    host: Annotated[
        str | None,
        typer.Option(help="address to listen on (default 127.0.0.1: this machine only)"),
    ] = None,
    port: Annotated[int, typer.Option(help="port to listen on")] = 8765,
) -> None:
    """The model in the browser: live controls, date, plots, nuclei map and the seven answers
    (at 1:1000, which runs live), and a tab for stored experiments and reports."""
    if host is None:
        env = os.environ.get("SOLARA_HOST") or os.environ.get("HOST")
        if env and not _local(env):
            raise InputError(
                "--host",
                f"the environment asks to listen on {env}, reachable from other machines; "
                f"give --host {env} to mean it",
            )
        host = "127.0.0.1"
    elif not _local(host):
        print(
            f"thermidor: warning: listening on {host}: anyone who can reach port {port} can run "
            "the model on this machine",
            file=sys.stderr,
        )
    from thermidor.scenario.load import load_scenario

    load_scenario(scenario)  # a bad scenario: one line now, not a broken page later
    _check_port(host, port)
    os.environ["THERMIDOR_EXPLORE_SCENARIO"] = scenario
    os.environ.pop("HOST", None)
    os.environ.pop("SOLARA_HOST", None)
    print(f"thermidor explore: http://{host}:{port}/  (Ctrl-C stops it)", flush=True)
    args = [sys.executable, "-m", "solara", "run", "thermidor.explore.app", "--host", host,
            "--port", str(port), "--production", "--no-open", "--log-level", "warning"]  # fmt: skip
    os.execv(sys.executable, args)
