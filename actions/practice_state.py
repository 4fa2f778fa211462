"""The state of practice mode: the running practice (slot `practice`: attempt, round, stage,
excuse, the opening and "Ja, aber …" shown, key points covered, hints given) and every round of
the session (slot `practice_rounds`, which addons/session_log.py writes to the session log).
"""
from __future__ import annotations

import copy
import random
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.coaching_replies import KB
from coach.knowledge_base import Excuse
from core import slot_contract as contract

Events = List[Dict[Text, Any]]

ANSWER_SLOT = "practice_answer"
STATE_SLOT = "practice"
ROUNDS_SLOT = contract.PRACTICE_ROUNDS

STAGE_CODE, STAGE_CHOOSE, STAGE_ANSWER, STAGE_FOLLOW_UP, STAGE_DONE = "code", "choose", "answer", "follow_up", "done"


def practicable() -> List[str]:
    return [e for e, excuse in KB.excuses.items() if excuse.practice]


class Practice:
    """The running practice (slot `practice`) and all rounds of the session (`practice_rounds`)."""

    def __init__(self, state: Optional[Dict[str, Any]], rounds: Optional[List[Dict[str, Any]]], sender: str):
        self.state: Dict[str, Any] = dict(state or {})
        self.rounds: List[Dict[str, Any]] = [dict(r) for r in rounds or []]
        self.sender = sender
        # The rounds as read: the list grows all session and changes only when a round is scored.
        self._rounds_read = copy.deepcopy(self.rounds) if rounds is not None else None

    @classmethod
    def of(cls, tracker: Tracker) -> "Practice":
        return cls(tracker.get_slot(STATE_SLOT), tracker.get_slot(ROUNDS_SLOT), tracker.sender_id)

    def events(self) -> Events:
        """The practice state, and the rounds when they changed: every turn re-sending the whole
        session's rounds made a long practice slower with each round."""
        events = [SlotSet(STATE_SLOT, self.state)]
        if self.rounds != self._rounds_read:
            events.append(SlotSet(ROUNDS_SLOT, self.rounds))
        return events

    # -- setup ----------------------------------------------------------------------------
    def start(self, rounds: int, fixed_excuse: Optional[str], ask_code: bool) -> None:
        self.state = {
            "attempt": max([r["attempt"] for r in self.rounds] + [self.state.get("attempt", 0)]) + 1,
            "rounds_total": rounds,
            "round": 0,
            "stage": STAGE_CODE if ask_code else STAGE_CHOOSE,
            "prompted": False,
            "fixed_excuse": fixed_excuse,
        }
        if fixed_excuse and not ask_code:
            self.start_round(fixed_excuse)

    @property
    def stage(self) -> Optional[str]:
        return self.state.get("stage")

    @property
    def attempt(self) -> int:
        return self.state.get("attempt", 0)

    @property
    def excuse(self) -> Excuse:
        return KB.excuse(self.state["excuse"])

    def set_stage(self, stage: str) -> None:
        self.state["stage"] = stage
        self.state["prompted"] = False

    def played(self) -> List[str]:
        return [r["excuse_id"] for r in self.rounds]

    def pick_excuse(self) -> str:
        """The coach's choice: an excuse not practised yet in this session, varied per trainee."""
        candidates = practicable()
        fresh = [e for e in candidates if e not in self.played()] or [
            e for e in candidates if e != self.state.get("excuse")]
        return random.Random(f"{self.sender}:{self.attempt}:{self.state['round']}").choice(fresh or candidates)

    def start_round(self, excuse_id: str) -> None:
        excuse = KB.excuse(excuse_id)
        seen = sum(1 for e in self.played() if e == excuse_id)
        offset = random.Random(f"{self.sender}:{excuse_id}").randrange(len(excuse.practice.openings))
        self.state.update({
            "round": self.state.get("round", 0) + 1,
            "excuse": excuse_id,
            "opening": (offset + seen) % len(excuse.practice.openings),
            "yes_but": None,
            "covered": [],
            "hints": [],
        })
        self.set_stage(STAGE_ANSWER)

    def switch_excuse(self, excuse_id: str) -> None:
        """Plays another excuse in the current round, before anything in it was answered."""
        self.state["round"] -= 1
        self.start_round(excuse_id)

    # -- rounds ---------------------------------------------------------------------------
    def current_round(self) -> Optional[Dict[str, Any]]:
        return next((r for r in self.rounds if r["attempt"] == self.attempt and r["round"] == self.state.get("round")), None)

    def record(self, score: int, covered: List[str], excerpt: Optional[str] = None) -> None:
        entry = self.current_round()
        if entry is None:
            entry = {"attempt": self.attempt, "round": self.state["round"], "excuse_id": self.state["excuse"],
                     "score": 0, "covered": [], "answer_excerpt": None, "hints": 0}
            self.rounds.append(entry)
        entry.update(score=score, covered=list(covered), hints=len(self.state.get("hints") or []))
        if excerpt is not None:
            entry["answer_excerpt"] = excerpt

    def attempt_rounds(self) -> List[Dict[str, Any]]:
        return [r for r in self.rounds if r["attempt"] == self.attempt]
