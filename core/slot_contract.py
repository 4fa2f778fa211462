"""The one definition of what the actions write into slots and the session log reads from them.

The action server builds these records (actions/coaching_state.py, actions/listening.py,
actions/practice.py); the Rasa server's event broker (addons/session_log.py) turns the slot
values into rows of the session store. Both sides go through this module, so a renamed key
breaks a test here instead of silently emptying the log.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, Iterable, List, Optional

# Slots whose value is a list of excuse records (who was discussed, which arguments, outcome).
EXCUSE_SLOTS = frozenset({"discussed_excuses", "shown_arguments", "outcomes"})
# Slots copied one to one onto the session row: slot name -> session column.
SESSION_SLOTS = {"rating": "rating", "mode": "mode", "training_code": "training_code"}
COMMITMENTS, COMMITMENT_REPORTS, PRACTICE_ROUNDS, READING = (
    "commitments", "commitment_reports", "practice_rounds", "reading")
PRACTICE_ROUND_KEYS = ("attempt", "round", "excuse_id", "score", "covered", "answer_excerpt", "hints")
# Set by "Meine Daten löschen" (actions/privacy.py): the Rasa server's tracker store deletes the
# conversation and its session log instead of saving the turn (addons/tracker_store.py).
FORGET_ME = "forget_me"
OUTCOME_OPEN = "open"
CORRECTION_KIND = "correction"


def commitment(excuse_id: str, step_number: int, step_text: str, due_label: Optional[str],
               due_date: Optional[str]) -> Dict[str, Any]:
    """A first step the user committed to, as kept in the `commitments` slot (due_date ISO)."""
    return {"excuse": excuse_id, "step_number": step_number, "step": step_text,
            "due_label": due_label, "due_date": due_date}


def same_step(record: Dict[str, Any], excuse_id: str, step_number: int) -> bool:
    return (record["excuse"], record["step_number"]) == (excuse_id, step_number)


def commitment_report(record: Dict[str, Any], status: str, new_due_label: Optional[str] = None,
                      new_due_date: Optional[str] = None) -> Dict[str, Any]:
    """A returning user's answer about an earlier commitment (`commitment_reports` slot)."""
    report = {key: record.get(key) for key in ("excuse", "step_number", "step", "due_date", "session")}
    report["status"] = status
    if new_due_date:
        report.update(new_due_label=new_due_label, new_due_date=new_due_date)
    return report


def excuse_rows(slots: Dict[str, Any]) -> List[Dict[str, Any]]:
    outcomes = slots.get("outcomes") or {}
    shown = slots.get("shown_arguments") or {}
    return [{"excuse_id": e, "arguments_shown": shown.get(e, []), "outcome": outcomes.get(e, OUTCOME_OPEN)}
            for e in slots.get("discussed_excuses") or []]


def commitment_rows(value: Optional[Iterable[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    return [{"excuse_id": c["excuse"], "step_number": c["step_number"], "step_text": c["step"],
             "due_date": _day(c.get("due_date"))} for c in value or []]


def report_rows(value: Optional[Iterable[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    return [{"excuse_id": r["excuse"], "step_number": r["step_number"], "status": r["status"],
             "new_due_date": _day(r.get("new_due_date"))} for r in value or []]


def practice_round_rows(value: Optional[Iterable[Dict[str, Any]]], keep_text: bool) -> List[Dict[str, Any]]:
    return [{**{key: r.get(key) for key in PRACTICE_ROUND_KEYS}, **({} if keep_text else {"answer_excerpt": None})}
            for r in value or []]


def correction_pair(value: Any) -> Optional[tuple]:
    """(misread intent, meant excuse) when a `reading` slot value is a correction, else None.
    The value is coach.reading.Move.as_slot(): kind, misread, excuses (the meant one first)."""
    if isinstance(value, dict) and value.get("kind") == CORRECTION_KIND:
        return value.get("misread"), (value.get("excuses") or [None])[0]
    return None


def _day(value: Optional[str]) -> Optional[date]:
    return date.fromisoformat(value) if value else None
