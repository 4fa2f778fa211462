"""Building blocks of the coach's replies, shared by the coaching, listening and practice actions:
the knowledge base, buttons, citations, the conversation state in and out of slots, and the
recurring messages (an argument, the first steps, the question for an excuse, the way forward).

All fixed phrases live in domain.yml (responses); the knowledge base supplies the content.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.coaching_state import PHASE_ARGUMENT, PHASE_NEXT, PHASE_RATING, PHASE_STEPS, CoachingState
from coach import knowledge_base, reading, reply_cues
from coach.argument_fit import argument_order, warm_up as embed_arguments
from coach.knowledge_base import Excuse

KB = knowledge_base.load_or_exit()
# The arguments are embedded at start, not at the first "ja, aber" that needs them.
embed_arguments(KB)

Events = List[Dict[Text, Any]]


def excuse_buttons(excuse_ids) -> List[Dict[str, str]]:
    return [{"title": KB.excuse(e).title, "payload": f"/{e}"} for e in excuse_ids]


def common_buttons(state: Optional[CoachingState] = None, leave_out: Sequence[str] = ()) -> List[Dict[str, str]]:
    """The most common excuses, leaving out those already discussed and `leave_out`."""
    done = set(state.discussed_excuses if state else ()) | set(leave_out)
    return excuse_buttons([e for e in KB.common_excuses if e not in done])


def step_buttons(excuse: Excuse) -> List[Dict[str, str]]:
    return [
        {"title": f"Schritt {n}", "payload": f'/commit_step{{"step_number":"{n}"}}'}
        for n in range(1, len(excuse.first_steps) + 1)
    ]


def cited(source_ids) -> str:
    """"Quelle: Blogbeitrag …, 2023" – readable names and years instead of ids, plural by count."""
    label = "Quellen" if len(set(source_ids)) > 1 else "Quelle"
    return f"{label}: {KB.short_citation(source_ids)}"


def quoted(sentence: str) -> str:
    """A sentence as it goes inside „…“ in the middle of another one: without its full stop."""
    return sentence.rstrip(".")


def state_of(tracker: Tracker) -> CoachingState:
    return CoachingState.from_slots(tracker.get_slot)


def save(state: CoachingState) -> Events:
    return [SlotSet(name, value) for name, value in state.changed_slot_values().items()]


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def move_of(tracker: Tracker) -> Optional[reading.Move]:
    """How the dialogue policy read the latest message (coach.reading), if it did."""
    return reading.Move.from_slot(tracker.get_slot("reading"))


def named_excuses(tracker: Tracker) -> List[str]:
    """Excuses in the latest message: all `excuse` entities, else the intent."""
    message = tracker.latest_message
    from_entities = [
        e["value"] for e in message.get("entities", [])
        if e.get("entity") == "excuse" and e.get("value") in KB.excuses
    ]
    if from_entities:
        return list(dict.fromkeys(from_entities))
    intent = (message.get("intent") or {}).get("name")
    return [intent] if intent in KB.excuses else []


def show_argument(dispatcher: CollectingDispatcher, state: CoachingState, excuse: Excuse, index: int) -> None:
    argument = excuse.arguments[index]
    dispatcher.utter_message(
        response="utter_argument", argument=argument.text, sources=cited(argument.sources)
    )
    state.mark_shown(excuse, index)


def ask_convinced(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(response="utter_ask_convinced")


def show_first_steps(dispatcher: CollectingDispatcher, state: CoachingState, excuse: Excuse) -> None:
    steps = "\n".join(f"{n}. {step}" for n, step in enumerate(excuse.first_steps, 1))
    dispatcher.utter_message(
        response="utter_first_steps", title=excuse.title, steps=steps, follow_up=excuse.follow_up
    )
    dispatcher.utter_message(response="utter_ask_commit", buttons=step_buttons(excuse))
    state.current_excuse = excuse.id
    state.phase = PHASE_STEPS


def offer_way_forward(dispatcher: CollectingDispatcher, state: CoachingState) -> None:
    """After a commitment: the next excuse the user named, or anything else, or the summary."""
    pending = state.next_pending()
    goodbye = {"title": "Abschließen", "payload": "/goodbye"}
    if pending:
        dispatcher.utter_message(
            response="utter_offer_pending",
            title=KB.excuse(pending).title,
            buttons=[{"title": f"Ja, zu „{KB.excuse(pending).title}“", "payload": f"/{pending}"}, goodbye],
        )
    else:
        dispatcher.utter_message(response="utter_offer_more", buttons=common_buttons(state) + [goodbye])
    state.phase = PHASE_NEXT


def near_then_common_buttons(state: CoachingState, near: Sequence[str]) -> List[Dict[str, str]]:
    """As many buttons as common excuses: first those the message came near
    (`reading.near_excuses`), then the common ones, none twice or done."""
    done = set(state.discussed_excuses)
    chosen = list(dict.fromkeys(e for e in list(near) + list(KB.common_excuses) if e in KB.excuses and e not in done))
    return excuse_buttons(chosen[:len(KB.common_excuses)])


def ask_for_excuse(dispatcher: CollectingDispatcher, state: CoachingState, response: str,
                   tracker: Optional[Tracker] = None) -> None:
    """The question for the excuse; after a message (`tracker`), the excuses it came near first."""
    near = reading.near_excuses(reading.parse_from(tracker.latest_message)) if tracker else []
    dispatcher.utter_message(response=response, buttons=near_then_common_buttons(state, near))


def reask(dispatcher: CollectingDispatcher, state: CoachingState, nothing_pending: str = "utter_after_faq") -> Events:
    """After an aside (a how-to question, a source), the coach's last question again; with no
    question pending, the way forward (`nothing_pending`: the line that asks for an excuse)."""
    if state.phase == PHASE_ARGUMENT and state.current_excuse:
        ask_convinced(dispatcher)
    elif state.phase == PHASE_STEPS and state.current_excuse:
        dispatcher.utter_message(response="utter_ask_commit", buttons=step_buttons(KB.excuse(state.current_excuse)))
    elif state.phase == PHASE_RATING:
        dispatcher.utter_message(response="utter_ask_rating")
    elif state.phase == PHASE_NEXT:
        offer_way_forward(dispatcher, state)
    else:
        ask_for_excuse(dispatcher, state, nothing_pending)
    return save(state)


def argument_fit(tracker: Tracker, excuse_id: str) -> List[int]:
    """The excuse's arguments, closest in meaning to the latest message first (coach/argument_fit.py);
    none for short messages, which carry no point to answer."""
    text = latest_text(tracker)
    if reply_cues.word_count(text) < FIT_MIN_WORDS or text.startswith("/"):
        return []
    return argument_order(KB.excuse(excuse_id), text)


FIT_MIN_WORDS = 4


def users_point(text: str, max_words: int = 12) -> Optional[str]:
    """The user's own point in a "ja, aber …" with content, to quote back (its first clause,
    at most `max_words` words); None for a bare "nein" or a button."""
    point = reply_cues.strip_yes_but(text)
    if reply_cues.word_count(point) < 4 or text.startswith("/"):
        return None
    first = re.split(r"[.!?;:]\s|,\s+|\s[-–]\s|\s(?:und|aber|weil|denn)\s", point)[0].strip(" ,.;:!?")
    if reply_cues.word_count(first) >= 4:
        point = first
    words = point.split()
    return " ".join(words[:max_words]).rstrip(",;:-–") + ("…" if len(words) > max_words else "")
