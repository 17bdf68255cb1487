"""The second tab: open a stored run or experiment directory (its seven answers) or a report."""

from __future__ import annotations

import html
from pathlib import Path

import solara

from thermidor.errors import InputError
from thermidor.explore.text import Text


def summary(path: Path) -> str:
    """Markdown: the experiment's name, runs and its seven answers, one line each."""
    from thermidor.analysis.load import load
    from thermidor.analysis.seven import QUESTIONS, one_line, seven_answers

    ens = load(path)
    answers = seven_answers(ens.timeseries, ens.outcomes, ens.horizon)
    lines = [f"### {ens.name}: {len(ens.outcomes)} run(s), {ens.horizon} weeks"]
    lines += [f"- **{q}** {one_line(answers, q)}" for q in QUESTIONS]
    return "\n".join(lines)


@solara.component
def Stored() -> None:
    """A path box; a directory shows its seven answers, an .html report is shown in place."""
    path = solara.use_reactive("")
    shown = solara.use_reactive("")
    error = solara.use_reactive("")

    def open_path() -> None:
        p = Path(path.value).expanduser()
        error.set("")
        try:
            if p.is_file() and p.suffix == ".html":
                doc = html.escape(p.read_text(encoding="utf-8"), quote=True)
                shown.set(f'<iframe srcdoc="{doc}" style="width:100%;height:80vh;border:0">'
                          "</iframe>")  # fmt: skip
            elif p.is_dir():
                shown.set(summary(p))
            else:
                raise InputError(str(p), "is neither a run or experiment directory nor a report")
        except InputError as e:
            shown.set("")
            error.set(str(e))

    solara.InputText("A run or experiment directory, or a report (.html)", value=path)
    solara.Button("Open", on_click=open_path)
    if error.value:
        solara.Error(error.value)
    elif shown.value.startswith("<iframe"):
        solara.HTML(tag="div", unsafe_innerHTML=shown.value)
    elif shown.value:
        Text(shown.value)
