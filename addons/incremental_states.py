"""Tracker computations that stock Rasa 3.6 repeats over the whole history on every turn, done
once per event instead. The results are exactly stock Rasa's.

- Dialogue states (`past_states`): the policies' input is rebuilt from scratch on every
  prediction by filtering the whole event history (`applied_events`) and replaying it into a
  fresh tracker. The Memoization and Rule policies do that several times per turn, so turn 200
  of a conversation spent 40 % of its time there (py-spy, see README "Benchmark"), and a
  practice session got slower as it went on. Here each conversation keeps what the last call
  computed (the events it saw, the filtered events, the replaying tracker, the states), and the
  next call with the same events plus new ones continues from there. Rasa's filtering can take
  back earlier events (a revert, a loop running again); then it rewinds to the last snapshot of
  the replaying tracker before the first changed event.
- `applied_events`, which Rasa asks for twice per message just to check the session, is kept
  up to date the same way.

Anything that cannot be continued exactly (another conversation, changed or dropped events, a
loop seen for the first time, a rewind older than the snapshots) is computed in full as before.
tests/test_incremental_states.py compares each with stock Rasa on every step of the
project's stories and of randomised long conversations. Only plain `DialogueStateTracker`s are
handled: the training trackers have their own cache. addons/rasa_patches.py installs
`past_states` and `applied_events` in place of Rasa's (and addons/tracker_copy.py's copies).
"""
from __future__ import annotations

import json
import operator
from collections import OrderedDict
from itertools import islice
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.shared.core import constants
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUttered,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

from addons.tracker_copy import Snapshot, handled

# Conversations (times the argument variants the policies use, about 3) kept.
CACHED_HISTORIES = 300
# Snapshots of the replaying tracker kept per history: a rewind goes back one or two turns.
SNAPSHOTS = 48

_stock_past_states = DialogueStateTracker.past_states
_stock_applied_events = DialogueStateTracker.applied_events


class _Mark:
    """Before the action at `position` of the applied events: the replay state and the output so far."""

    __slots__ = ("position", "snapshot", "states", "last_ml_action", "turn_was_hidden")

    def __init__(self, position, snapshot, states, last_ml_action, turn_was_hidden) -> None:
        self.position = position
        self.snapshot = snapshot
        self.states = states
        self.last_ml_action = last_ml_action
        self.turn_was_hidden = turn_was_hidden


class _AppliedEvents:
    """Stock `DialogueStateTracker.applied_events` of a growing event list, one event at a time."""

    def __init__(self, tracker: DialogueStateTracker) -> None:
        self.seen: List[Any] = list(tracker.events)
        self.loop_names = {e.name for e in self.seen if isinstance(e, ActiveLoop) and e.name}
        self.applied: List[Any] = _stock_applied_events(tracker)

    def continues(self, tracker: DialogueStateTracker) -> bool:
        """Whether `tracker` holds the events seen so far, as the same objects, and maybe more."""
        events = tracker.events
        return len(events) >= len(self.seen) and all(
            map(operator.is_, islice(events, 0, len(self.seen)), self.seen))

    def advance(self, tracker: DialogueStateTracker) -> Optional[int]:
        """Takes in the new events of `tracker`. Returns how many of the applied events before are
        unchanged, or None when only a full computation is exact."""
        new = list(islice(tracker.events, len(self.seen), None))
        if any(isinstance(e, ActiveLoop) and e.name and e.name not in self.loop_names for e in new):
            # Rasa filters a loop's earlier runs by the loop names of the whole history.
            return None
        applied = self.applied
        unchanged = len(applied)
        for event in new:
            if isinstance(event, (Restarted, SessionStarted)):
                applied = []
            elif isinstance(event, ActionReverted):
                DialogueStateTracker._undo_till_previous(ActionExecuted, applied)
            elif isinstance(event, UserUtteranceReverted):
                DialogueStateTracker._undo_till_previous(UserUttered, applied)
                DialogueStateTracker._undo_till_previous(ActionExecuted, applied)
            elif (
                isinstance(event, ActionExecuted)
                and event.action_name in self.loop_names
                and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
            ):
                DialogueStateTracker._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
                continue
            unchanged = min(unchanged, len(applied))
        self.seen.extend(new)
        self.applied = applied
        return unchanged


class _History:
    """States of one conversation for one set of arguments, kept up to date event by event."""

    def __init__(self, tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool,
                 ignore_rule_only_turns: bool, rule_only_data: Optional[Dict[Text, Any]]) -> None:
        self.domain = domain
        self.omit_unset_slots = omit_unset_slots
        self.ignore_rule_only_turns = ignore_rule_only_turns
        self.rule_only_data = rule_only_data
        self.events = _AppliedEvents(tracker)
        self.replay = tracker.init_copy()
        self.replayed = 0  # applied events replayed so far
        self.states: List[Dict[Text, Any]] = []
        self.marks: List[_Mark] = []
        self.last_ml_action = None
        self.turn_was_hidden = False
        self._replay_to_end()

    @property
    def applied(self) -> List[Any]:
        return self.events.applied

    def continues(self, tracker: DialogueStateTracker, domain: Domain) -> bool:
        return domain is self.domain and self.events.continues(tracker)

    def advance(self, tracker: DialogueStateTracker) -> bool:
        """Takes in the new events; False when only a full computation is exact."""
        unchanged = self.events.advance(tracker)
        if unchanged is None:
            return False
        if unchanged < self.replayed and not self._rewind(unchanged):
            return False
        self._replay_to_end()
        return True

    def _rewind(self, unchanged: int) -> bool:
        """Back to the last action before applied position `unchanged` (states before it stay)."""
        while self.marks and self.marks[-1].position >= unchanged:
            self.marks.pop()
        # Replay again from the latest snapshot before the change.
        if not self.marks or self.marks[-1].snapshot is None:
            return False
        mark = self.marks.pop()
        mark.snapshot.restore(self.replay)
        del self.states[mark.states:]
        self.last_ml_action, self.turn_was_hidden = mark.last_ml_action, mark.turn_was_hidden
        self.replayed = mark.position
        return True

    # -- replaying (stock `Domain.states_for_tracker_history`, one step at a time) ---------------
    def _replay_to_end(self) -> None:
        replay = self.replay
        for position in range(self.replayed, len(self.applied)):
            event = self.applied[position]
            if isinstance(event, ActionExecuted):
                self.marks.append(_Mark(position, Snapshot(replay), len(self.states),
                                        self.last_ml_action, self.turn_was_hidden))
                if len(self.marks) > SNAPSHOTS:
                    self.marks[-SNAPSHOTS - 1].snapshot = None
                state, self.last_ml_action, self.turn_was_hidden = self._state(
                    replay, event.hide_rule_turn, self.last_ml_action, self.turn_was_hidden)
                if state is not None:
                    self.states.append(state)
            event.apply_to(replay)  # as tracker.update, without keeping the events
        self.replayed = len(self.applied)

    def _state(self, tr: DialogueStateTracker, hide_rule_turn: bool, last_ml_action, turn_was_hidden
               ) -> Tuple[Optional[Dict[Text, Any]], Any, bool]:
        domain = self.domain
        if self.ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
                turn_was_hidden = hide_rule_turn
            if turn_was_hidden:
                return None, last_ml_action, turn_was_hidden
        state = domain.get_active_state(tr, omit_unset_slots=self.omit_unset_slots)
        if self.ignore_rule_only_turns:
            domain._remove_rule_only_features(state, self.rule_only_data)
            if self.states:
                domain._substitute_rule_only_user_input(state, self.states[-1])
            if last_ml_action:
                state[constants.PREVIOUS_ACTION] = last_ml_action
        return domain._clean_state(state), last_ml_action, turn_was_hidden

    def result(self) -> List[Dict[Text, Any]]:
        """The states, as fresh dicts: the policies change the last one in place."""
        final, _, _ = self._state(self.replay, False, self.last_ml_action, self.turn_was_hidden)
        states = self.states if final is None else [*self.states, final]
        return [{key: dict(sub) for key, sub in state.items()} for state in states]


_histories: "OrderedDict[Tuple, _History]" = OrderedDict()


def past_states(
    self: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[Text, Any]] = None,
) -> List[Dict[Text, Any]]:
    if not handled(self):
        return _stock_past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    key = (self.sender_id, omit_unset_slots, ignore_rule_only_turns,
           json.dumps(rule_only_data, sort_keys=True, default=str) if rule_only_data else None)
    history = _histories.get(key)
    if history is None or not history.continues(self, domain) or not history.advance(self):
        history = _History(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    _histories[key] = history
    _histories.move_to_end(key)
    while len(_histories) > CACHED_HISTORIES:
        _histories.popitem(last=False)
    return history.result()


_applied: "OrderedDict[Text, _AppliedEvents]" = OrderedDict()


def applied_events(self: DialogueStateTracker) -> List[Any]:
    """Stock result; Rasa asks for it twice per message just to check the session."""
    if not handled(self):
        return _stock_applied_events(self)
    known = _applied.get(self.sender_id)
    if known is None or not known.continues(self) or known.advance(self) is None:
        known = _AppliedEvents(self)
    _applied[self.sender_id] = known
    _applied.move_to_end(self.sender_id)
    while len(_applied) > CACHED_HISTORIES:
        _applied.popitem(last=False)
    return list(known.applied)


def forget(sender_id: Text) -> None:
    """Drops what is kept of a conversation (its data was deleted)."""
    for key in [k for k in _histories if k[0] == sender_id]:
        del _histories[key]
    _applied.pop(sender_id, None)


def clear() -> None:
    """Drops what is kept of all conversations."""
    _histories.clear()
    _applied.clear()
