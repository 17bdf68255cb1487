"""The README reads in the order a newcomer needs: the two commands, what it is, a first run,
one's own scenario, the Python API, the explorer, then ensembles and the cluster; and every page
it links to exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ORDER = [
    "What it is",
    "A first run",
    "Your own scenario",
    "From Python",
    "The explorer",
    "Ensembles, sweeps and the seven answers",
    "Running on a cluster",
    "Layout",
]


def test_the_two_commands_come_first() -> None:
    title, rest = README.split("\n", 1)
    assert title == "# thermidor"
    first_block = re.search(r"```sh\n(.*?)```", rest, re.S)
    assert first_block and rest.index(first_block.group(0)) < rest.index("\n## ")
    commands = [ln.split("#")[0].strip() for ln in first_block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make demo", "make test"]


def test_the_sections_come_in_a_newcomers_order() -> None:
    assert re.findall(r"^## (.+)$", README, re.M) == ORDER


def test_every_linked_page_exists() -> None:
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    local = [link for link in links if not re.match(r"\w+://", link)]
    assert local
    for link in local:
        assert (ROOT / link).exists(), link
