"""What the coach remembers within one conversation, kept in Rasa slots (plain Python).

One object reads all coaching slots, the actions change it, and `changed_slot_values()` gives
back what to store: only the slots that changed, since the Rasa server validates, stores and logs
every SlotSet event. Keeping the rules here (which argument comes next, what a summary contains)
makes them testable without Rasa.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from coach.knowledge_base import Excuse
from core import slot_contract as contract

CONVINCED, NOT_CONVINCED, OPEN = "convinced", "not_convinced", "open"
OUTCOME_LABELS = {CONVINCED: "überzeugt", NOT_CONVINCED: "noch nicht überzeugt", OPEN: "offen"}

# What the last bot question was about, so "ja" and "2" can be read in context.
# The values are coach.reading's ASKED_… constants, which read the next message against them.
PHASE_ARGUMENT, PHASE_STEPS, PHASE_NEXT, PHASE_RATING = "argument", "steps", "next", "rating"
PHASE_CLARIFY, PHASE_COMMITMENT, PHASE_PRACTICE_AGAIN = "clarify", "commitment_check", "practice_again"

SLOTS = (
    "current_excuse",
    "pending_excuses",
    "discussed_excuses",
    "shown_arguments",
    "outcomes",
    "commitments",
    "phase",
    "last_sources",
    "rating",
    "pending_due",
    "open_commitments",
)


@dataclass
class CoachingState:
    current_excuse: Optional[str] = None
    pending_excuses: List[str] = field(default_factory=list)
    discussed_excuses: List[str] = field(default_factory=list)
    shown_arguments: Dict[str, List[int]] = field(default_factory=dict)
    outcomes: Dict[str, str] = field(default_factory=dict)
    commitments: List[Dict[str, Any]] = field(default_factory=list)
    phase: Optional[str] = None
    last_sources: List[str] = field(default_factory=list)
    rating: Optional[int] = None
    # A date the user gave before naming the step ("Das mache ich bis Freitag" → "welcher?").
    pending_due: Optional[Dict[str, str]] = None
    # Commitments of earlier sessions nobody has asked about yet (carried over by session start).
    open_commitments: List[Dict[str, Any]] = field(default_factory=list)
    # The values as read from the slots (a deep copy: the actions may change lists in place).
    _loaded: Dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_slots(cls, get_slot) -> "CoachingState":
        state = cls()
        for name in SLOTS:
            value = get_slot(name)
            if value is not None:
                setattr(state, name, value)
        state._loaded = copy.deepcopy(state.slot_values())
        return state

    def slot_values(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in SLOTS}

    def changed_slot_values(self) -> Dict[str, Any]:
        """The slots whose value differs from what `from_slots` read (all of them for a new state)."""
        return {name: value for name, value in self.slot_values().items()
                if name not in self._loaded or self._loaded[name] != value}

    # -- excuses and arguments ------------------------------------------------------------
    def start(self, excuse: Excuse) -> None:
        """Makes `excuse` the one under discussion (again)."""
        self.current_excuse = excuse.id
        if excuse.id not in self.discussed_excuses:
            self.discussed_excuses = self.discussed_excuses + [excuse.id]
        self.outcomes = {**self.outcomes, excuse.id: self.outcomes.get(excuse.id, OPEN)}
        self.pending_excuses = [e for e in self.pending_excuses if e != excuse.id]

    def withdraw(self, excuse_id: Optional[str]) -> None:
        """The user said the coach misread them: the excuse is no longer under discussion, and
        unless something was settled on it (an outcome, a commitment) it leaves the summary and
        the log too (the log keeps the correction itself)."""
        if not excuse_id:
            return
        if self.current_excuse == excuse_id:
            self.current_excuse = None
        settled = self.outcomes.get(excuse_id, OPEN) != OPEN or any(
            c.get("excuse") == excuse_id for c in self.commitments)
        if not settled:
            self.discussed_excuses = [e for e in self.discussed_excuses if e != excuse_id]
            self.outcomes = {e: outcome for e, outcome in self.outcomes.items() if e != excuse_id}

    def next_argument(self, excuse: Excuse, preferred: Sequence[int] = ()) -> Optional[int]:
        """Index of the argument not yet shown for `excuse` that comes first in `preferred` (the
        best fit to what the user said), else the strongest one; None when all are used."""
        shown = set(self.shown_arguments.get(excuse.id, []))
        order = [i for i in preferred if 0 <= i < len(excuse.arguments)] + list(range(len(excuse.arguments)))
        return next((i for i in order if i not in shown), None)

    def mark_shown(self, excuse: Excuse, index: int) -> None:
        self.shown_arguments = {
            **self.shown_arguments,
            excuse.id: self.shown_arguments.get(excuse.id, []) + [index],
        }
        self.last_sources = list(excuse.arguments[index].sources)
        self.phase = PHASE_ARGUMENT

    def set_outcome(self, excuse_id: str, outcome: str) -> None:
        # "überzeugt" is final for an excuse; later objections don't undo it in the log.
        if self.outcomes.get(excuse_id) != CONVINCED:
            self.outcomes = {**self.outcomes, excuse_id: outcome}

    def queue(self, excuse_ids: List[str]) -> None:
        self.pending_excuses = self.pending_excuses + [
            e for e in excuse_ids if e not in self.pending_excuses and e != self.current_excuse
        ]

    def next_pending(self) -> Optional[str]:
        return self.pending_excuses[0] if self.pending_excuses else None

    # -- commitments ----------------------------------------------------------------------
    def commit(self, excuse: Excuse, step_number: int, due_label: Optional[str], due_date: Optional[str]) -> Dict[str, Any]:
        commitment = contract.commitment(excuse.id, step_number, excuse.first_steps[step_number - 1],
                                         due_label, due_date)
        # Committing to the same step again (e.g. with a date) replaces the earlier entry.
        self.commitments = [c for c in self.commitments
                            if not contract.same_step(c, excuse.id, step_number)] + [commitment]
        return commitment

    def set_last_due_date(self, due_label: str, due_date: str) -> Optional[Dict[str, Any]]:
        if not self.commitments:
            return None
        last = {**self.commitments[-1], "due_label": due_label, "due_date": due_date}
        self.commitments = self.commitments[:-1] + [last]
        return last
