"""Figures for the trainer page (scripts/trainer_pages.py): the report of core/report.py for a
training code and date range, plus how well each argument works.

The sessions are read and summarised by the report's own functions, so the page, its CSV and
JSON downloads and `make report` always agree. What the report lacks is added here: per excuse
and argument how often it was shown, how often the user was convinced afterwards and how often
a first step was chosen, each with a Wilson 95 % interval (small groups give wide intervals,
and the page must show that rather than a bare percentage).
"""
from __future__ import annotations

import argparse
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, List, Optional, Tuple

from pathlib import Path

from sqlalchemy import distinct, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from core import report, report_formats
from core.log_schema import SessionRow
from core.session_store import SessionStore

Z_95 = 1.959964  # two-sided 95 % quantile of the normal distribution


@dataclass(frozen=True)
class Selection:
    """What the trainer chose: one training code (None = all sessions) and UTC days, both included."""
    code: Optional[str] = None
    date_from: Optional[date] = None
    date_to: Optional[date] = None

    def as_report_args(self) -> argparse.Namespace:
        return argparse.Namespace(code=self.code, date_from=self.date_from, date_to=self.date_to)


@dataclass
class TrainerReport:
    summary: Dict[str, Any]
    sessions: List[Dict[str, Any]]
    effectiveness: List[Dict[str, Any]]

    def json(self) -> str:
        return report_formats.render_json(self.summary, self.sessions)

    def csv(self) -> str:
        return report_formats.render_csv(self.sessions)


def load(url: str, selection: Selection) -> TrainerReport:
    """Raises report.ReportError when there is no log yet (the message is for the trainer)."""
    sessions = report.load_sessions(url, selection.date_from, selection.date_to, selection.code)
    summary = report.summarize(sessions, selection.as_report_args())
    return TrainerReport(summary, sessions, argument_effectiveness(sessions))


def training_codes(url: str) -> List[str]:
    """The training codes in the log, for the page's choice; none while there is no log."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not Path(parsed.database).exists():  # connecting would create an empty file
        return []
    store = SessionStore(url)
    try:
        if not store.has_schema():
            return []
        with Session(store.engine) as s:
            codes = s.scalars(select(distinct(SessionRow.training_code))
                              .where(SessionRow.training_code.isnot(None)))
            return sorted(codes)
    finally:
        store.dispose()


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) without trials (nothing is known)."""
    if trials <= 0:
        return 0.0, 1.0
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def argument_effectiveness(sessions: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Per excuse (most discussed first) and argument: shown, then convinced, then a first step
    chosen in the same session, with rates and Wilson intervals. An argument counts once per
    session in which it was shown, as in the report."""
    counts: Dict[str, Dict[int, Dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"shown": 0, "convinced": 0, "first_step": 0}))
    discussed: Dict[str, int] = defaultdict(int)
    for session in sessions:
        stepped = {c["excuse_id"] for c in session["commitments"]}
        for detail in session["excuse_details"]:
            excuse_id = detail["excuse_id"]
            discussed[excuse_id] += 1
            for index in set(detail["arguments_shown"]):
                figures = counts[excuse_id][index]
                figures["shown"] += 1
                figures["convinced"] += detail["outcome"] == "convinced"
                figures["first_step"] += excuse_id in stepped
    labels = argument_labels()
    result = []
    for excuse_id in sorted(counts, key=lambda e: (-discussed[e], e)):
        arguments = []
        for index, figures in sorted(counts[excuse_id].items()):
            row = {"index": index, "label": labels.get((excuse_id, index), f"Argument {index + 1}"), **figures}
            for outcome in ("convinced", "first_step"):
                low, high = wilson_interval(figures[outcome], figures["shown"])
                row[f"{outcome}_rate"] = round(figures[outcome] / figures["shown"], 3) if figures["shown"] else 0.0
                row[f"{outcome}_interval"] = [round(low, 3), round(high, 3)]
            arguments.append(row)
        result.append({"excuse_id": excuse_id, "discussed": discussed[excuse_id], "arguments": arguments})
    return result


def argument_labels() -> Dict[Tuple[str, int], str]:
    """A short name per argument: its first key point (the argument texts are paragraphs)."""
    try:
        from coach.knowledge_base import load as load_knowledge_base

        return {(excuse_id, index): argument.key_points[0].label if argument.key_points else f"Argument {index + 1}"
                for excuse_id, excuse in load_knowledge_base().excuses.items()
                for index, argument in enumerate(excuse.arguments)}
    except Exception:  # noqa: BLE001 - as in the report: a broken knowledge base must not hide the figures
        return {}
