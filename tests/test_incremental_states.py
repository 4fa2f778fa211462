"""addons/incremental_states.py must give exactly the states, applied events and tracker copies
(also the form's) that stock Rasa computes.

The conversations are the project's own rules and test stories (forms, slots, loops), turned
into event sequences and then stitched together and disturbed at random with the events that
make Rasa take back history: reverts, restarts, new sessions, rejected and interrupted loops.
Every prefix of every sequence is compared, as it grows event by event the way a tracker does
during a conversation.
"""
from __future__ import annotations

import operator
import random
from pathlib import Path

import pytest

from rasa.core.actions.forms import FormAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from addons import incremental_states, rasa_patches, tracker_copy

ROOT = Path(__file__).resolve().parents[1]
FORM = FormAction("practice_form", None)
RULE_ONLY = {"rule_only_slots": ["phase", "practice"], "rule_only_loops": ["practice_form"]}
VARIANTS = [(False, False, None), (True, False, None), (False, True, RULE_ONLY), (True, True, RULE_ONLY)]




@pytest.fixture
def cached():
    """Only this patch installed, with empty caches; afterwards the patches as configured."""
    rasa_patches.uninstall()
    assert rasa_patches.install({rasa_patches.SWITCH: "incremental_dialogue_states"}) == ["incremental_dialogue_states"]
    yield
    rasa_patches.uninstall()
    rasa_patches.install()


def stock_states(tracker, domain, variant):
    omit, ignore, rule_only = variant
    return incremental_states._stock_past_states(tracker, domain, omit, ignore, rule_only)


def same_state(tracker, other) -> bool:
    return (
        tracker.current_state(EventVerbosity.ALL) == other.current_state(EventVerbosity.ALL)
        and {n: (s.value, s.has_been_set) for n, s in tracker.slots.items()}
        == {n: (s.value, s.has_been_set) for n, s in other.slots.items()}
        and tracker.active_loop == other.active_loop
        and tracker.latest_bot_utterance == other.latest_bot_utterance
    )


def grow_and_compare(events, domain, sender="s", tracker=None):
    """Appends the events one by one (to `tracker` or a new one); after each, every variant
    must equal stock Rasa."""
    tracker = tracker or DialogueStateTracker(sender, domain.slots)
    compared = 0
    for event in events:
        tracker.update(event)
        applied, stock_applied = tracker.applied_events(), incremental_states._stock_applied_events(tracker)
        assert len(applied) == len(stock_applied) and all(map(operator.is_, applied, stock_applied))
        assert same_state(tracker.copy(), tracker_copy._stock_copy(tracker))
        if tracker.active_loop_name == FORM.name():
            extra = [SlotSet("practice_answer", "Weil unsere Kunden dort lesen.")]
            ours, stock = FORM._temporary_tracker(tracker, extra, domain), tracker_copy._stock_form_tracker(
                FORM, tracker, extra, domain)
            assert [type(e) for e in ours.events][-3:] == [type(e) for e in stock.events][-3:] == [
                SlotSet, ActionExecuted, SlotSet]
            assert {**ours.current_state(), "latest_event_time": None} == {
                **stock.current_state(), "latest_event_time": None}
            assert {n: (s.value, s.has_been_set) for n, s in ours.slots.items()} == {
                n: (s.value, s.has_been_set) for n, s in stock.slots.items()}
        for variant in VARIANTS:
            omit, ignore, rule_only = variant
            assert tracker.past_states(domain, omit, ignore, rule_only) == stock_states(tracker, domain, variant), (
                f"after {len(tracker.events)} events, variant {variant}")
            compared += 1
    return compared


def disturbed(sequences, rng, length):
    """One long conversation from random stories, with history-changing events mixed in."""
    events = [SessionStarted()]
    while len(events) < length:
        events.extend(rng.choice(sequences))
        roll = rng.random()
        if roll < 0.15:
            events.append(UserUtteranceReverted())
        elif roll < 0.25:
            events.append(ActionReverted())
        elif roll < 0.3:
            events.append(Restarted())
        elif roll < 0.35:
            events.append(SessionStarted())
        elif roll < 0.45:
            events.append(ActionExecutionRejected("practice_form"))
        elif roll < 0.5:
            events.append(LoopInterrupted(True))
        elif roll < 0.55:
            events.append(FollowupAction("action_coach_excuse"))
        elif roll < 0.65:
            events.extend([ActionExecuted("practice_form"), SlotSet("practice_answer", "x"),
                           ActionExecuted("practice_form"), ActionExecuted("action_listen")])
        elif roll < 0.7:
            events.append(BotUttered("Wie sieht Ihre Woche aus?", {"elements": None}))
        elif roll < 0.72:
            events.append(ConversationPaused())
        elif roll < 0.74:
            events.append(ConversationResumed())
    return events


def test_project_stories_give_stock_states(cached, domain, story_events):
    compared = sum(grow_and_compare(events, domain, f"story-{i}") for i, events in enumerate(story_events))
    assert compared > 1000


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_disturbed_long_conversations_give_stock_states(cached, domain, story_events, seed):
    rng = random.Random(seed)
    grow_and_compare(disturbed(story_events, rng, 400), domain, f"long-{seed}")


@pytest.mark.slow
def test_practice_loop_rewinds_instead_of_recomputing(cached, domain, story_events, monkeypatch):
    """A form running turn after turn makes Rasa drop its earlier runs: that must be a rewind,
    not a full recomputation (the point of the cache), and must still give stock states."""
    practice = [s for s in story_events if any(isinstance(e, ActiveLoop) and e.name for e in s)]
    tracker = DialogueStateTracker("practice", domain.slots)
    grow_and_compare([SessionStarted(), *practice[0], *(e for s in story_events[:30] for e in s)],
                     domain, tracker=tracker)
    turns = [UserUttered("Rollenspiel", {"name": "start_practice", "confidence": 1.0}),
             ActionExecuted("practice_form"), ActiveLoop("practice_form"), ActionExecuted("action_listen")]
    for turn in range(30):
        turns += [UserUttered(f"antwort {turn}", {"name": "practice_answer", "confidence": 1.0}),
                  ActionExecuted("practice_form"), SlotSet("practice_answer", f"antwort {turn}"),
                  ActionExecuted("action_listen")]
    full_computations, rewinds = [], []
    original_init, original_rewind = incremental_states._History.__init__, incremental_states._History._rewind

    def counting_init(self, *args, **kwargs):
        full_computations.append(1)
        original_init(self, *args, **kwargs)

    def counting_rewind(self, unchanged):
        rewinds.append(unchanged)
        return original_rewind(self, unchanged)

    monkeypatch.setattr(incremental_states._History, "__init__", counting_init)
    monkeypatch.setattr(incremental_states._History, "_rewind", counting_rewind)
    grow_and_compare(turns, domain, tracker=tracker)
    assert len(rewinds) >= 30 and not full_computations


def test_other_tracker_with_same_sender_is_not_mixed_up(cached, domain, story_events):
    first = DialogueStateTracker("same", domain.slots)
    second = DialogueStateTracker("same", domain.slots)
    for event in story_events[0]:
        first.update(event)
    for event in story_events[-1]:
        second.update(event)
    for tracker in (first, second, first, second):
        assert tracker.past_states(domain) == stock_states(tracker, domain, VARIANTS[0])


def test_returned_states_can_be_changed_by_the_caller(cached, domain, story_events):
    tracker = DialogueStateTracker("mutating", domain.slots)
    for event in story_events[0]:
        tracker.update(event)
    for state in tracker.past_states(domain):
        for sub in state.values():
            sub.clear()
    assert tracker.past_states(domain) == stock_states(tracker, domain, VARIANTS[0])


def test_copy_is_independent_of_the_original(cached, domain, story_events):
    tracker = DialogueStateTracker("copied", domain.slots)
    for event in story_events[-1]:
        tracker.update(event)
    before = tracker.current_state(EventVerbosity.ALL)
    copied = tracker.copy()
    copied.update(SlotSet("current_excuse", "excuse_no_time"))
    copied.update(ActiveLoop("practice_form"))
    copied.update(LoopInterrupted(True))
    copied.update(ActionExecuted("action_coach_excuse"))
    assert tracker.current_state(EventVerbosity.ALL) == before
    assert copied.current_state(EventVerbosity.ALL) != before


def test_bounded_history_is_left_to_stock_rasa(cached, domain, story_events):
    """With max_event_history the kept events no longer explain the state: stock behaviour."""
    tracker = DialogueStateTracker("bounded", domain.slots, max_event_history=5)
    for event in story_events[-1]:
        tracker.update(event)
    for ours, stock in ((tracker.copy(), tracker_copy._stock_copy(tracker)),
                        (FORM._temporary_tracker(tracker, [], domain),
                         tracker_copy._stock_form_tracker(FORM, tracker, [], domain))):
        assert len(ours.events) == len(stock.events)
        assert {**ours.current_state(), "latest_event_time": None} == {**stock.current_state(), "latest_event_time": None}
    assert tracker.past_states(domain) == stock_states(tracker, domain, VARIANTS[0])
