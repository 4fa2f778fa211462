"""Coaching actions: they read the knowledge base and the conversation state and answer.

All fixed phrases live in domain.yml (responses); the knowledge base supplies the content.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import parsing
from coach import knowledge_base, meaning, reading
from actions.coaching_state import (
    CONVINCED,
    NOT_CONVINCED,
    OUTCOME_LABELS,
    PHASE_ARGUMENT,
    PHASE_NEXT,
    PHASE_RATING,
    PHASE_STEPS,
    CoachingState,
)
from coach.knowledge_base import Excuse

KB = knowledge_base.load_or_exit()

Events = List[Dict[Text, Any]]


# -- small building blocks ------------------------------------------------------------------
def excuse_buttons(excuse_ids) -> List[Dict[str, str]]:
    return [{"title": KB.excuse(e).title, "payload": f"/{e}"} for e in excuse_ids]


def common_buttons(state: Optional[CoachingState] = None) -> List[Dict[str, str]]:
    """The most common excuses, leaving out those already discussed."""
    done = set(state.discussed_excuses) if state else set()
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
    return [SlotSet(name, value) for name, value in state.slot_values().items()]


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


def ask_for_excuse(dispatcher: CollectingDispatcher, state: CoachingState, response: str) -> None:
    dispatcher.utter_message(response=response, buttons=common_buttons(state))


# -- actions ---------------------------------------------------------------------------------
class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        dispatcher.utter_message(response="utter_greet")
        ask_for_excuse(dispatcher, state, "utter_ask_excuse")
        return []


class ActionCoachExcuse(Action):
    """Reflection, strongest unused argument with its source, then the question."""

    def name(self) -> Text:
        return "action_coach_excuse"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        move = move_of(tracker)
        excuse_ids = [e for e in move.excuses if e in KB.excuses] if move and move.excuses else named_excuses(tracker)
        if move and move.kind == "correction" and excuse_ids:
            dispatcher.utter_message(response="utter_correction_understood", title=KB.excuse(excuse_ids[0]).title)
        if not excuse_ids:  # only reachable through a hand-typed intent payload
            ask_for_excuse(dispatcher, state, "utter_fallback")
            return save(state)
        if len(excuse_ids) > 1:
            titles = " und ".join(f"„{KB.excuse(e).title}“" for e in excuse_ids)
            dispatcher.utter_message(response="utter_several_excuses", titles=titles)
        for excuse_id in excuse_ids:
            self._answer(dispatcher, state, KB.excuse(excuse_id), several=len(excuse_ids) > 1)
        first = KB.excuse(excuse_ids[0])
        state.start(first)
        state.queue(excuse_ids[1:])
        if state.phase == PHASE_STEPS:
            return save(state)
        if len(excuse_ids) > 1:
            state.last_sources = list(first.arguments[state.shown_arguments[first.id][-1]].sources)
            dispatcher.utter_message(response="utter_start_with", title=first.title)
        ask_convinced(dispatcher)
        state.phase = PHASE_ARGUMENT
        return save(state)

    @staticmethod
    def _answer(dispatcher, state: CoachingState, excuse: Excuse, several: bool) -> None:
        again = excuse.id in state.discussed_excuses
        state.start(excuse)
        if again:
            dispatcher.utter_message(response="utter_excuse_again", title=excuse.title)
        elif several:
            dispatcher.utter_message(response="utter_excuse_heading", title=excuse.title, reflection=excuse.reflection)
        else:
            dispatcher.utter_message(text=excuse.reflection)
        index = state.next_argument(excuse)
        if index is None:
            dispatcher.utter_message(response="utter_arguments_exhausted", title=excuse.title)
            show_first_steps(dispatcher, state, excuse)
        else:
            show_argument(dispatcher, state, excuse, index)


class ActionNextArgument(Action):
    """'Ja, aber …': the unused argument for the current excuse that best answers what the user
    said (never a repeat); the bridge takes up the user's own point."""

    def name(self) -> Text:
        return "action_next_argument"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        if not state.current_excuse:
            ask_for_excuse(dispatcher, state, "utter_which_excuse")
            return save(state)
        if state.phase == PHASE_RATING:
            dispatcher.utter_message(response="utter_ask_rating")
            return []
        excuse = KB.excuse(state.current_excuse)
        state.set_outcome(excuse.id, NOT_CONVINCED)
        # A bare "nein"/"überzeugt mich nicht" (a short reply) gets the next argument in order; a
        # "ja, aber" with content the one closest to what the user said, and its words back.
        move = move_of(tracker)
        generic = bool(move and move.reply)
        index = state.next_argument(excuse, preferred=() if generic else argument_fit(tracker, excuse.id))
        if index is None:
            dispatcher.utter_message(response="utter_arguments_exhausted", title=excuse.title)
            show_first_steps(dispatcher, state, excuse)
            return save(state)
        point = None if generic else users_point(latest_text(tracker))
        if point:
            dispatcher.utter_message(response="utter_take_up_point", point=point)
        else:
            dispatcher.utter_message(response="utter_next_argument_intro")
        show_argument(dispatcher, state, excuse, index)
        ask_convinced(dispatcher)
        return save(state)


def argument_fit(tracker: Tracker, excuse_id: str) -> List[int]:
    """The excuse's arguments, closest in meaning to the latest message first (coach/meaning.py);
    none for short messages, which carry no point to answer."""
    text = latest_text(tracker)
    if reading.word_count(text) < FIT_MIN_WORDS or text.startswith("/"):
        return []
    return meaning.argument_order(KB.excuse(excuse_id), text)


FIT_MIN_WORDS = 4


def users_point(text: str, max_words: int = 12) -> Optional[str]:
    """The user's own point in a "ja, aber …" with content, to quote back (its first clause,
    at most `max_words` words); None for a bare "nein" or a button."""
    point = reading.strip_yes_but(text)
    if reading.word_count(point) < 4 or text.startswith("/"):
        return None
    first = re.split(r"[.!?;:]\s|,\s+|\s[-–]\s|\s(?:und|aber|weil|denn)\s", point)[0].strip(" ,.;:!?")
    if reading.word_count(first) >= 4:
        point = first
    words = point.split()
    return " ".join(words[:max_words]).rstrip(",;:-–") + ("…" if len(words) > max_words else "")


class ActionAffirm(Action):
    """'Ja' / 'überzeugt' means something different after each question."""

    def name(self) -> Text:
        return "action_affirm"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        if state.phase == PHASE_RATING:
            return record_rating(dispatcher, tracker, state)
        if state.phase == PHASE_NEXT and state.next_pending():
            tracker.latest_message["entities"] = []
            tracker.latest_message["intent"] = {"name": state.next_pending()}
            return ActionCoachExcuse().run(dispatcher, tracker, domain)
        if not state.current_excuse:
            ask_for_excuse(dispatcher, state, "utter_which_excuse")
            return save(state)
        excuse = KB.excuse(state.current_excuse)
        if state.phase == PHASE_STEPS:
            dispatcher.utter_message(response="utter_which_step", buttons=step_buttons(excuse))
            return save(state)
        if state.phase == PHASE_NEXT:
            ask_for_excuse(dispatcher, state, "utter_what_else")
            return save(state)
        state.set_outcome(excuse.id, CONVINCED)
        dispatcher.utter_message(response="utter_convinced")
        show_first_steps(dispatcher, state, excuse)
        return save(state)


class ActionShowFirstSteps(Action):
    def name(self) -> Text:
        return "action_show_first_steps"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        if not state.current_excuse:
            ask_for_excuse(dispatcher, state, "utter_steps_need_excuse")
            return save(state)
        show_first_steps(dispatcher, state, KB.excuse(state.current_excuse))
        return save(state)


class ActionCommitStep(Action):
    """Records a first step the user commits to, with an optional due date."""

    def name(self) -> Text:
        return "action_commit_step"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        text = latest_text(tracker)
        if state.phase == PHASE_RATING and parsing.find_rating(text):
            return record_rating(dispatcher, tracker, state)
        if not state.current_excuse:
            ask_for_excuse(dispatcher, state, "utter_steps_need_excuse")
            return save(state)
        excuse = KB.excuse(state.current_excuse)
        due = parsing.find_due_date(text)
        move = move_of(tracker)
        number = 1 if move and move.reply == reading.UNSURE else next(
            (int(e["value"]) for e in tracker.latest_message.get("entities", [])
             if e.get("entity") == "step_number" and str(e.get("value")).isdigit()
             and 1 <= int(e["value"]) <= len(excuse.first_steps)),
            None,
        ) or parsing.find_number(text, len(excuse.first_steps))
        if number is None and due and state.commitments and state.phase == PHASE_NEXT:
            # "bis Freitag" right after a commitment dates that commitment.
            commitment = state.set_last_due_date(due.label, due.day.isoformat())
            dispatcher.utter_message(response="utter_commitment_dated", step=quoted(commitment["step"]), due=due.label)
            offer_way_forward(dispatcher, state)
            return save(state)
        if number is None:
            if due:  # "Das mache ich bis Freitag": the date waits for the step's number
                state.pending_due = {"label": due.label, "date": due.day.isoformat()}
            if state.phase != PHASE_STEPS:
                show_first_steps(dispatcher, state, excuse)
            else:
                dispatcher.utter_message(response="utter_which_step", buttons=step_buttons(excuse))
            return save(state)
        if due is None and state.pending_due:
            due = parsing.DueDate(state.pending_due["label"], date.fromisoformat(state.pending_due["date"]))
        state.pending_due = None
        commitment = state.commit(
            excuse, number, due.label if due else None, due.day.isoformat() if due else None
        )
        state.set_outcome(excuse.id, CONVINCED)
        if due:
            dispatcher.utter_message(response="utter_commitment_saved_with_date", step=quoted(commitment["step"]), due=due.label)
        else:
            dispatcher.utter_message(response="utter_commitment_saved", step=quoted(commitment["step"]))
        offer_way_forward(dispatcher, state)
        return save(state)


class ActionTellSource(Action):
    def name(self) -> Text:
        return "action_tell_source"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        if not state.last_sources:
            ask_for_excuse(dispatcher, state, "utter_source_none")
            return []
        citations = "; ".join(s.citation() for s in KB.cite(state.last_sources))
        dispatcher.utter_message(response="utter_source", citations=citations)
        if state.phase == PHASE_ARGUMENT:
            ask_convinced(dispatcher)
        elif state.phase == PHASE_STEPS and state.current_excuse:
            dispatcher.utter_message(response="utter_ask_commit", buttons=step_buttons(KB.excuse(state.current_excuse)))
        else:
            offer_way_forward(dispatcher, state)
            return save(state)
        return []


class ActionSummarize(Action):
    """Goodbye: what was discussed, what was committed, then the 1–5 rating."""

    def name(self) -> Text:
        return "action_summarize"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        if not state.discussed_excuses:
            dispatcher.utter_message(response="utter_summary_empty")
        else:
            discussed = ", ".join(
                f"„{KB.excuse(e).title}“ ({OUTCOME_LABELS[state.outcomes.get(e, 'open')]})"
                for e in state.discussed_excuses
            )
            dispatcher.utter_message(response="utter_summary_excuses", excuses=discussed)
            if state.commitments:
                lines = "\n".join(
                    f"• {c['step']}" + (f" ({c['due_label']})" if c.get("due_label") else "")
                    for c in state.commitments
                )
                dispatcher.utter_message(response="utter_summary_commitments", commitments=lines)
            else:
                dispatcher.utter_message(response="utter_summary_no_commitments")
        dispatcher.utter_message(response="utter_ask_rating")
        state.phase = PHASE_RATING
        return save(state)


def record_rating(dispatcher: CollectingDispatcher, tracker: Tracker, state: CoachingState) -> Events:
    entity = next(
        (e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == "rating"),
        None,
    )
    rating = int(entity) if str(entity).isdigit() and 1 <= int(entity) <= 5 else parsing.find_rating(latest_text(tracker))
    if rating is None and state.phase == PHASE_RATING:
        dispatcher.utter_message(response="utter_ask_rating")
        return save(state)
    if rating is None:  # read as a rating, but there is no number and no rating question
        ask_for_excuse(dispatcher, state, "utter_fallback")
        return save(state)
    state.rating = rating
    state.phase = None
    state.current_excuse = None  # the conversation is closed; what was discussed stays in the summary
    dispatcher.utter_message(response="utter_rating_thanks", rating=rating)
    return save(state)


class ActionRecordRating(Action):
    def name(self) -> Text:
        return "action_record_rating"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        if state.phase == PHASE_STEPS:
            return ActionCommitStep().run(dispatcher, tracker, domain)
        return record_rating(dispatcher, tracker, state)


class ActionShowHelp(Action):
    def name(self) -> Text:
        return "action_show_help"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        titles = ", ".join(e.title for e in KB.excuses.values())
        dispatcher.utter_message(response="utter_help")
        dispatcher.utter_message(response="utter_known_excuses", titles=titles, buttons=common_buttons(state))
        return []


class ActionOfferExcuses(Action):
    """Fallback and out-of-scope: never a dead end, always the excuse buttons."""

    def name(self) -> Text:
        return "action_offer_excuses"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        move = move_of(tracker)
        if move and move.reply == reading.UNSURE:  # "weiß nicht" to "which one?" / "anything else?"
            response = "utter_unsure_offer"
        else:
            response = "utter_out_of_scope" if intent == "out_of_scope" else "utter_fallback"
        ask_for_excuse(dispatcher, state, response)
        return []
