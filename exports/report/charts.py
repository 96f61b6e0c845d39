"""Charts of the справка as PNG images (Word and LibreOffice show them as they are).
matplotlib's object API without pyplot: no global state, safe in the export thread. It is
imported when a chart is drawn, so the bot and the other commands do not pay for it."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_INCHES = 6.3  # an A4 page's text width
LABEL_CHARS = 45
DPI = 120


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def horizontal_bars(rows: Sequence[tuple[str, float]], percent: bool) -> bytes:
    """One bar per row, first row on top; values are shares (0..1) when `percent`."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    figure = Figure(figsize=(WIDTH_INCHES, max(1.5, 0.3 * len(rows) + 0.8)))
    axes = figure.add_subplot()
    labels = [_short(label) for label, _value in rows][::-1]
    values = [value for _label, value in rows][::-1]
    axes.barh(labels, values, color="#4472c4")
    if percent:
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.tick_params(labelsize=8)
    axes.grid(axis="x", alpha=0.3)
    return _png(figure)


def before_after(rows: Sequence[tuple[str, float, float]], before: str, after: str) -> bytes:
    """Pairs of bars (start, completion) per item, on the 1–10 scale."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, max(1.8, 0.5 * len(rows) + 1.0)))
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    height = 0.38
    axes.barh(
        [p + height / 2 for p in positions],
        [row[1] for row in rows],
        height,
        label=before,
        color="#a5a5a5",
    )
    axes.barh(
        [p - height / 2 for p in positions],
        [row[2] for row in rows],
        height,
        label=after,
        color="#4472c4",
    )
    axes.set_yticks(positions, [_short(row[0]) for row in rows])
    axes.set_xlim(0, 10)
    axes.tick_params(labelsize=8)
    axes.grid(axis="x", alpha=0.3)
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    return _png(figure)
