"""Charts of the trainer page, drawn on the server with matplotlib as SVG.

The page embeds each chart as a data: URI, so the browser loads nothing from elsewhere and runs
no script. Every chart has a table next to it with the same figures (screen readers, copying).
"""
from __future__ import annotations

import base64
import io
from typing import Dict, List, Sequence, Tuple

import matplotlib

matplotlib.use("Agg")  # no display on the server
import matplotlib.pyplot as plt  # noqa: E402

from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

# Text as paths (the default): the chart looks the same whatever fonts the phone has.
matplotlib.rcParams.update({"font.size": 12, "axes.spines.top": False, "axes.spines.right": False,
                            "svg.hashsalt": "trainer"})
BLUE, GREEN, GREY, ORANGE = "#0a66c2", "#2e7d32", "#9e9e9e", "#ef6c00"
WIDTH = 5.0  # inches; the page scales the SVG to the screen width (readable on a phone)
ROW_HEIGHT = 0.42
LABEL_LENGTH = 28
GERMAN_DECIMALS = FuncFormatter(lambda value, _: f"{value:g}".replace(".", ","))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1] + "…"


def _svg(figure) -> str:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(rows: int, integer: bool = False):
    figure, axes = plt.subplots(figsize=(WIDTH, 1.2 + ROW_HEIGHT * max(rows, 1)))
    axes.xaxis.set_major_formatter(GERMAN_DECIMALS)
    if integer:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return figure, axes


def _legend_above(axes) -> None:
    # Right-aligned above the bars: it may reach into the label column, never off the figure.
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, fontsize=10, frameon=False,
                borderaxespad=0.2, handletextpad=0.3, columnspacing=1.0)


def progress_chart(people: List[Dict]) -> str:
    """Each participant's first and best average points per round, as a dumbbell."""
    figure, axes = _figure(len(people))
    names = [p["participant"] for p in people]
    positions = range(len(people))
    for y, p in zip(positions, people):
        axes.plot([p["first_average"], p["best_average"]], [y, y], color=GREY, linewidth=2, zorder=1)
    axes.scatter([p["first_average"] for p in people], positions, color=ORANGE, label="erster Durchgang", zorder=2)
    axes.scatter([p["best_average"] for p in people], positions, color=BLUE, label="bester Durchgang", zorder=3)
    axes.set_yticks(list(positions), names)
    axes.set_xlim(-0.1, 3.1)  # room for the dots at 0 and 3
    axes.set_ylim(len(people) - 0.5, -0.5)
    axes.set_xlabel("Punkte je Runde (0–3)")
    _legend_above(axes)
    return _svg(figure)


def bar_chart(labels: Sequence[str], values: Sequence[float], axis_label: str, limit: float = 0,
              colour: str = BLUE) -> str:
    """Horizontal bars, first label on top; whole numbers for counts."""
    figure, axes = _figure(len(labels), integer=all(isinstance(v, int) for v in values))
    bars = axes.barh([_short(label) for label in labels], values, color=colour)
    axes.bar_label(bars, labels=[f"{v:.1f}".replace(".", ",") if isinstance(v, float) else str(v)
                                 for v in values], padding=3, fontsize=10)
    axes.invert_yaxis()
    axes.set_xlim(0, limit or (max(values, default=0) * 1.15 or 1))
    axes.set_xlabel(axis_label)
    return _svg(figure)


def outcome_chart(labels: Sequence[str], outcomes: List[Tuple[int, int, int]]) -> str:
    """Excuses by frequency, each bar split into convinced / not convinced / open."""
    figure, axes = _figure(len(labels), integer=True)
    short = [_short(label) for label in labels]
    left = [0] * len(labels)
    for part, (name, colour) in enumerate((("überzeugt", GREEN), ("nicht überzeugt", ORANGE), ("offen", GREY))):
        values = [o[part] for o in outcomes]
        axes.barh(short, values, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, values)]
    axes.invert_yaxis()
    axes.set_xlabel("Gespräche")
    _legend_above(axes)
    return _svg(figure)


def effectiveness_chart(rows: List[Dict]) -> str:
    """Share of sessions convinced after an argument, with its 95 % interval."""
    figure, axes = _figure(len(rows))
    positions = list(range(len(rows)))
    rates = [r["convinced_rate"] * 100 for r in rows]
    low = [max(0.0, (r["convinced_rate"] - r["convinced_interval"][0]) * 100) for r in rows]
    high = [max(0.0, (r["convinced_interval"][1] - r["convinced_rate"]) * 100) for r in rows]
    axes.errorbar(rates, positions, xerr=[low, high], fmt="o", color=GREEN, ecolor=GREY, capsize=3)
    axes.set_yticks(positions, [_short(r["name"]) for r in rows])
    axes.set_ylim(len(rows) - 0.5, -0.5)  # first on top, rows as close as in the bar charts
    axes.set_xlim(-2, 102)
    axes.set_xlabel("danach überzeugt (%)")
    return _svg(figure)
