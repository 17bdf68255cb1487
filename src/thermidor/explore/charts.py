"""Light line charts as inline SVG for the live tab: drawn in a millisecond each frame, where a
matplotlib figure takes a second (the API's `Result.plot()` draws the same panels with
matplotlib). Time runs along calendar years from the start to the horizon."""

from __future__ import annotations

import datetime as dt
import html

import numpy as np

W, H = 460, 200  # the chart's size
L, R, T, B = 52, 10, 24, 22  # margins: left (y labels), right, top (title), bottom (years)


def _x(days: np.ndarray, span: float) -> np.ndarray:
    return L + (W - L - R) * days / span


def _y(v: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return T + (H - T - B) * (1 - (np.asarray(v, float) - lo) / (hi - lo))


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:g}"


def chart(
    ident: str,
    title: str,
    dates: list[dt.date],
    end: dt.date,
    series: dict[str, tuple[np.ndarray, str]],
    ylim: tuple[float, float] | None = None,
    spans: list[tuple[int, int, str]] = (),
) -> str:
    """An SVG chart: `series` label -> (values, colour) against `dates`, up to `end`; `spans`
    (first row, last row, colour) shade periods (the campaigns)."""
    start = dates[0]
    span = max((end - start).days, 1)
    days = np.array([(d - start).days for d in dates], float)
    values = [np.asarray(v, float) for v, _ in series.values()]
    if ylim is None:
        hi = max(max((float(v.max()) for v in values if v.size), default=1.0), 1.0)
        ylim = (0.0, hi * 1.1)
    lo, hi = ylim
    parts = [
        f'<svg id="{ident}" class="chart" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="10">',
        f'<text x="{W / 2}" y="13" text-anchor="middle" font-size="12">{html.escape(title)}</text>',
    ]
    for a, b, colour in spans:
        x0, x1 = _x(np.array([days[a], days[b]]), span)
        parts.append(
            f'<rect x="{x0:.1f}" y="{T}" width="{max(x1 - x0, 1):.1f}" '
            f'height="{H - T - B}" fill="{colour}" opacity="0.5"/>'
        )
    for v in np.linspace(lo, hi, 5):
        y = _y(np.array([v]), lo, hi)[0]
        parts.append(
            f'<line x1="{L}" x2="{W - R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{L - 4}" y="{y + 3:.1f}" text-anchor="end">{_number(v)}</text>'
        )
    for year in range(start.year + 1, end.year + 1):
        x = _x(np.array([(dt.date(year, 1, 1) - start).days], float), span)[0]
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{T}" y2="{H - B}" stroke="#ddd"/>'
            f'<text x="{x:.1f}" y="{H - 8}" text-anchor="middle">{year}</text>'
        )
    xs = _x(days, span)
    for k, ((label, (_, colour)), v) in enumerate(zip(series.items(), values, strict=True)):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, _y(v, lo, hi), strict=True))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" '
            f'points="{points}"><title>{html.escape(label)}</title></polyline>'
        )
        ly = T + 10 + 12 * k
        parts.append(
            f'<line x1="{L + 6}" x2="{L + 20}" y1="{ly - 3}" y2="{ly - 3}" '
            f'stroke="{colour}" stroke-width="2"/><text x="{L + 24}" y="{ly}">'
            f"{html.escape(label)}</text>"
        )
    parts.append(
        f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" '
        'stroke="#999"/></svg>'
    )
    return "".join(parts)
