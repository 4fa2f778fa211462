"""results/bench.png: latency per phase, the long conversation, and cross-validated F1 per excuse."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"coach": "#1f77b4", "bare": "#aaaaaa"}


def draw(result: Dict[str, Any], path: Path) -> None:
    lat = result["latency"]
    cv = (result.get("nlu") or {}).get("cv")
    panels = 3 if cv else 2
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4.8))

    # 1: p50/p95 per phase, both bots
    ax = axes[0]
    phases = list(next(iter(lat.values()))["phases"])
    width = 0.8 / max(len(lat), 1)
    for i, (name, bot) in enumerate(lat.items()):
        xs = [j + i * width for j in range(len(phases))]
        p95 = [bot["phases"][p]["p95_ms"] or 0 for p in phases]
        p50 = [bot["phases"][p]["p50_ms"] or 0 for p in phases]
        ax.bar(xs, p95, width, color=COLORS.get(name), alpha=0.45, label=f"{name} p95")
        ax.bar(xs, p50, width, color=COLORS.get(name), label=f"{name} p50")
    ax.set_xticks([j + width * (len(lat) - 1) / 2 for j in range(len(phases))])
    ax.set_xticklabels([p.replace("concurrent_", "") + (" conv." if p.startswith("concurrent") else "") for p in phases])
    ax.set_ylabel("turn latency (ms)")
    ax.set_title("Turn latency over REST")
    ax.legend(fontsize=8)

    # 2: latency per turn of one long conversation
    ax = axes[1]
    for name, bot in lat.items():
        per_turn = bot["long"]["per_turn_ms"]
        ax.plot(range(1, len(per_turn) + 1), [x if x is not None else float("nan") for x in per_turn],
                color=COLORS.get(name), linewidth=0.9, label=name)
    practice = (lat.get("coach") or {}).get("practice")
    if practice:
        per_turn = practice["per_turn_ms"]
        ax.plot(range(1, len(per_turn) + 1), [x if x is not None else float("nan") for x in per_turn],
                color=COLORS.get("coach"), linewidth=0.9, linestyle=":", label="coach, practice")
    ax.set_xlabel("turn of one conversation")
    ax.set_ylabel("latency (ms)")
    ax.set_title("Long conversation")
    ax.legend(fontsize=8)

    # 3: CV F1 per excuse intent
    if cv:
        ax = axes[2]
        excuses = sorted((k, v["f1"]) for k, v in cv["per_intent"].items() if k.startswith("excuse_"))
        names = [k.replace("excuse_", "") for k, _ in excuses]
        values = [v for _, v in excuses]
        ax.barh(names, values, color=["#d62728" if v < 0.85 else COLORS["coach"] for v in values])
        ax.axvline(0.85, color="#d62728", linestyle="--", linewidth=0.8)
        ax.set_xlim(min(0.6, min(values) - 0.05), 1.0)
        ax.set_title(f"5-fold CV F1 (macro {cv['excuse_macro_f1']:.3f})")
        ax.tick_params(axis="y", labelsize=7)

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
