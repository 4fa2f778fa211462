"""Tracker copies without replaying the history, with exactly stock Rasa's result.

`DialogueStateTracker.copy`, once per action, replays every event into a new tracker; a
tracker's state is a function of its events, so the copy takes the events and that state as
they are. The same for the form's temporary tracker, built twice per practice answer.
`Snapshot` (the part of a tracker its dialogue states depend on) is also what
addons/incremental_states.py keeps to rewind its replaying tracker. tests/test_incremental_states.py
compares both copies with stock Rasa; addons/rasa_patches.py installs them.
"""
from __future__ import annotations

from typing import Any, List

from rasa.core.actions.forms import FormAction
from rasa.shared.core import constants
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Restarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

_stock_copy = DialogueStateTracker.copy
_stock_form_tracker = FormAction._temporary_tracker


class Snapshot:
    """The part of a replaying tracker that its states depend on."""

    __slots__ = ("slots", "latest_message", "latest_action", "latest_bot_utterance",
                 "followup_action", "active_loop", "paused")

    def __init__(self, tracker: DialogueStateTracker) -> None:
        self.slots = {name: (slot._value, slot._has_been_set) for name, slot in tracker.slots.items()}
        self.latest_message = tracker.latest_message
        self.latest_action = tracker.latest_action
        self.latest_bot_utterance = tracker.latest_bot_utterance
        self.followup_action = tracker.followup_action
        # interrupt_loop / reject_action change the active loop in place
        self.active_loop = None if tracker.active_loop is None else _copy_loop(tracker.active_loop)
        self.paused = tracker._paused

    def restore(self, tracker: DialogueStateTracker) -> None:
        for name, slot in tracker.slots.items():
            if name in self.slots:
                slot._value, slot._has_been_set = self.slots[name]
            else:
                slot.reset()
        tracker.latest_message = self.latest_message
        tracker.latest_action = self.latest_action
        tracker.latest_bot_utterance = self.latest_bot_utterance
        tracker.followup_action = self.followup_action
        tracker.active_loop = None if self.active_loop is None else _copy_loop(self.active_loop)
        tracker._paused = self.paused


def handled(tracker: DialogueStateTracker) -> bool:
    """Whether a shortcut of this module or of addons/incremental_states.py gives stock Rasa's
    result: a plain tracker that holds its whole history (with a bounded one, the dropped events
    shaped the state but a replay lacks them; training trackers have their own cache)."""
    return type(tracker) is DialogueStateTracker and not tracker._max_event_history


def _copy_loop(loop):
    return type(loop)(loop.name, loop.is_interrupted, loop.rejected, loop.trigger_message)


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """Stock `copy` replays every event into a new tracker (once per action). A tracker's state is
    a function of its events, so the copy takes the events and that state as they are."""
    if not handled(self):
        return _stock_copy(self)
    tracker = self.init_copy()
    tracker.events.extend(self.events)
    Snapshot(self).restore(tracker)
    if tracker.latest_action is not None:
        tracker.latest_action = dict(tracker.latest_action)
    return tracker


def form_tracker(self: FormAction, current_tracker: DialogueStateTracker, additional_events: List[Any],
                 domain: Domain) -> DialogueStateTracker:
    """Stock `FormAction._temporary_tracker` (the form's view of the conversation before it
    validates and asks) replays every event since the latest restart; without a restart that
    is a copy of the tracker plus the form's events."""
    if not handled(current_tracker) or any(
            isinstance(e, Restarted) for e in current_tracker.events):
        return _stock_form_tracker(self, current_tracker, additional_events, domain)
    tracker = copy_tracker(current_tracker)
    for event in [SlotSet(constants.REQUESTED_SLOT, self.get_slot_to_fill(current_tracker)),
                  ActionExecuted(self.name()), *additional_events]:
        tracker.update(event)
    return tracker
