"""Text in the explorer's pages: a small subset of Markdown (### headings, - items, **bold**)
made into HTML here. Solara's own Markdown would load KaTeX from a CDN; the explorer works
offline."""

from __future__ import annotations

import html
import re

import solara


def to_html(text: str) -> str:
    """Headings (## and ###), list items (- ) and paragraphs, with **bold**; the rest escaped."""
    out: list[str] = []
    items: list[str] = []

    def inline(s: str) -> str:
        return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(s))

    def flush() -> None:
        if items:
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        if line.startswith("- "):
            items.append(inline(line[2:]))
            continue
        flush()
        if line.startswith("### "):
            out.append(f"<h3>{inline(line[4:])}</h3>")
        elif line.startswith("## "):
            out.append(f"<h2>{inline(line[3:])}</h2>")
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    flush()
    return "".join(out)


@solara.component
def Text(text: str) -> None:
    """`text` (the Markdown subset of `to_html`) as HTML."""
    solara.HTML(tag="div", unsafe_innerHTML=to_html(text))
