"""`make bench`: NLU quality and turn latency of the coach, against a bare Rasa assistant.

bench/run.py     orchestrates the run and writes results/bench.{md,json,png}
bench/report.py  the figures against their targets, and bench.md
bench/training.py training time of the coach's model
bench/nlu.py     5-fold cross-validation (folds trained in parallel worker processes) + held-out set
bench/nlu_metrics.py, nlu_predict.py  its figures and predictions
bench/latency.py REST load generator (bounded, 127.0.0.1 only) and process memory
bench/reference.py the bare `rasa init` assistant, trained once and cached outside the repo
bench/chart.py   the PNG
bench/cluster.py throughput of the scale-out (scripts/cluster.py), one Rasa server against two
"""
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent


def loadavg() -> List[float]:
    """The machine's load average (1, 5, 15 min); the bench records it next to its figures."""
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []
