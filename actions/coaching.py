"""Coaching actions: they read the knowledge base and the conversation state and answer.

All fixed phrases live in domain.yml (responses); the knowledge base supplies the content. The
building blocks are actions/coaching_replies.py; turns that several actions take (coach an
excuse, show the first steps, commit to a step, summarise, record the rating) are plain
functions in actions/coaching_turns.py, so no action runs another.
"""
from __future__ import annotations

from typing import Text

from rasa_sdk import Action

from actions.coaching_replies import (
    KB, Events, argument_fit, ask_convinced, ask_for_excuse, common_buttons, latest_text, move_of,
    reask, save, show_argument, show_first_steps, state_of, step_buttons, users_point,
)
from actions.coaching_state import CONVINCED, NOT_CONVINCED, PHASE_NEXT, PHASE_RATING, PHASE_STEPS
from actions.coaching_turns import coach_excuse, commit_step, first_steps, record_rating, summarize
from coach import reading


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
        return coach_excuse(dispatcher, tracker)


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
            return coach_excuse(dispatcher, tracker)
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
        return first_steps(dispatcher, tracker)


class ActionCommitStep(Action):
    """Records a first step the user commits to, with an optional due date."""

    def name(self) -> Text:
        return "action_commit_step"

    def run(self, dispatcher, tracker, domain) -> Events:
        return commit_step(dispatcher, tracker)


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
        return reask(dispatcher, state, nothing_pending="utter_ask_excuse")


class ActionSummarize(Action):
    """Goodbye: what was discussed, what was committed, then the 1–5 rating."""

    def name(self) -> Text:
        return "action_summarize"

    def run(self, dispatcher, tracker, domain) -> Events:
        return summarize(dispatcher, tracker)


class ActionRecordRating(Action):
    def name(self) -> Text:
        return "action_record_rating"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        if state.phase == PHASE_STEPS:
            return commit_step(dispatcher, tracker)
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
        ask_for_excuse(dispatcher, state, response, tracker)
        return []
