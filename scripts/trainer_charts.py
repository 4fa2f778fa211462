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

matplotlib.rcParams.update({"svg.fonttype": "none", "font.size": 10, "axes.spines.top": False,
                            "axes.spines.right": False, "svg.hashsalt": "trainer"})
BLUE, GREEN, GREY, ORANGE = "#0a66c2", "#2e7d32", "#9e9e9e", "#ef6c00"
WIDTH = 7.0  # inches; the page scales the SVG to the screen width
ROW_HEIGHT = 0.38
LABEL_LENGTH = 38


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1] + "…"


def _svg(figure) -> str:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(rows: int):
    return plt.subplots(figsize=(WIDTH, 1.0 + ROW_HEIGHT * max(rows, 1)))


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
    axes.invert_yaxis()
    axes.set_xlim(0, 3)
    axes.set_xlabel("Punkte je Runde (0–3)")
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    return _svg(figure)


def bar_chart(labels: Sequence[str], values: Sequence[float], axis_label: str, limit: float = 0,
              colour: str = BLUE) -> str:
    """Horizontal bars, first label on top."""
    figure, axes = _figure(len(labels))
    bars = axes.barh([_short(label) for label in labels], values, color=colour)
    axes.bar_label(bars, labels=[f"{v:.1f}".replace(".", ",") if isinstance(v, float) else str(v)
                                 for v in values], padding=3, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, limit or (max(values, default=0) * 1.15 or 1))
    axes.set_xlabel(axis_label)
    return _svg(figure)


def outcome_chart(labels: Sequence[str], outcomes: List[Tuple[int, int, int]]) -> str:
    """Excuses by frequency, each bar split into convinced / not convinced / open."""
    figure, axes = _figure(len(labels))
    short = [_short(label) for label in labels]
    left = [0] * len(labels)
    for part, (name, colour) in enumerate((("überzeugt", GREEN), ("nicht überzeugt", ORANGE), ("offen", GREY))):
        values = [o[part] for o in outcomes]
        axes.barh(short, values, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, values)]
    axes.invert_yaxis()
    axes.set_xlabel("Gespräche")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="lower right", fontsize=8, frameon=False)
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
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("überzeugt nach dem Argument (%, mit 95-%-Intervall)")
    return _svg(figure)
