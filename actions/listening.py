"""Actions for replies read in context (coach.reading): asking back when unsure, questions about
the current excuse, practical how-to questions, short answers to the last question, and the
welcome back with the open commitment of an earlier session.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

import yaml
from rasa_sdk import Action
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions import parsing
from actions.coaching_replies import (
    KB, Events, argument_fit, ask_convinced, ask_for_excuse, cited, common_buttons, excuse_buttons, latest_text,
    move_of, offer_way_forward, reask, save, show_argument, show_first_steps, state_of,
)
from actions.coaching_state import (
    PHASE_CLARIFY, PHASE_COMMITMENT, PHASE_STEPS, CoachingState,
)
from coach import reading, reply_cues
from coach.knowledge_base import DEFAULT_PATH
from core import slot_contract as contract

DONE, NOT_DONE, RESCHEDULED = "done", "not_done", "rescheduled"  # what became of an open commitment
COMMITMENT_BUTTONS = [{"title": "Erledigt", "payload": "/report_done"},
                      {"title": "Noch nicht", "payload": "/report_not_done"}]
FAQ_SOURCES_FILES = "faq_sources*.yml"  # next to the knowledge base: topic -> sources, evidence


def _faq_sources() -> Dict[str, List[str]]:
    sources: Dict[str, List[str]] = {}
    for path in sorted(DEFAULT_PATH.parent.glob(FAQ_SOURCES_FILES)):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        sources.update({key: list((entry or {}).get("sources") or []) for key, entry in raw.items()})
    return sources


FAQ_SOURCES = _faq_sources()


class ActionClarifyExcuse(Action):
    """Unsure between excuses, or a correction that names none: ask with 2–3 buttons."""

    def name(self) -> Text:
        return "action_clarify_excuse"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        move = move_of(tracker)
        options = [e for e in (move.options if move else []) if e in KB.excuses][: reading.MAX_OPTIONS]
        if move and move.kind == "correction":
            state.withdraw(move.misread)
            dispatcher.utter_message(response="utter_correction_which", buttons=excuse_buttons(options) or common_buttons(state, leave_out=move.rejected))
        elif len(options) >= 2:
            titles = " oder ".join(f"„{KB.excuse(e).title}“" for e in options)
            dispatcher.utter_message(response="utter_clarify_excuse", titles=titles, buttons=excuse_buttons(options))
        else:
            ask_for_excuse(dispatcher, state, "utter_fallback", tracker)
            return save(state)
        state.phase = PHASE_CLARIFY
        return save(state)


class ActionAnswerOnCurrent(Action):
    """A question about the excuse under discussion: how-to questions get the first steps, others
    the unused argument that fits the question best."""

    def name(self) -> Text:
        return "action_answer_on_current"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        if not state.current_excuse:
            ask_for_excuse(dispatcher, state, "utter_which_excuse")
            return save(state)
        excuse = KB.excuse(state.current_excuse)
        text = parsing.fold(latest_text(tracker))
        asks_how = any(word in text.split()[:4] for word in ("wie", "womit", "wo", "wann"))
        index = state.next_argument(excuse, preferred=argument_fit(tracker, excuse.id))
        if asks_how or index is None or state.phase == PHASE_STEPS:
            dispatcher.utter_message(response="utter_question_steps", title=excuse.title)
            show_first_steps(dispatcher, state, excuse)
            return save(state)
        dispatcher.utter_message(response="utter_question_argument", title=excuse.title)
        show_argument(dispatcher, state, excuse, index)
        ask_convinced(dispatcher)
        return save(state)


class ActionAnswerFaq(Action):
    """A practical how-to question: the answer, its source, then back to where we were."""

    def name(self) -> Text:
        return "action_answer_faq"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        selected = ((tracker.latest_message.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        utter = selected.get("utter_action")
        key = (selected.get("intent_response_key") or "").split("/", 1)[-1]
        if not utter:  # no topic found (no FAQ model): not a dead end, the excuses instead
            ask_for_excuse(dispatcher, state, "utter_out_of_scope")
            return save(state)
        dispatcher.utter_message(response=utter)
        sources = FAQ_SOURCES.get(key) or []
        if sources:
            dispatcher.utter_message(response="utter_faq_source", sources=cited(sources))
        if sources:
            state.last_sources = sources
        return reask(dispatcher, state)


class ActionSkipSteps(Action):
    """"Nein" to "Welchen Schritt nehmen Sie sich vor?": no step today, and that is fine."""

    def name(self) -> Text:
        return "action_skip_steps"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        dispatcher.utter_message(response="utter_no_step_today")
        offer_way_forward(dispatcher, state)
        return save(state)


class ActionCloseWithoutRating(Action):
    def name(self) -> Text:
        return "action_close_without_rating"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        state.phase = None
        state.current_excuse = None
        dispatcher.utter_message(response="utter_goodbye_no_rating")
        return save(state)


class ActionEndPractice(Action):
    """"Nein danke" to "noch einmal üben?": the role play ends, the coaching is one step away."""

    def name(self) -> Text:
        return "action_end_practice"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        state.phase = None
        dispatcher.utter_message(response="utter_practice_goodbye", buttons=common_buttons(state))
        return save(state)


def describe(commitment: Dict[str, Any]) -> str:
    due = f" {commitment['due_label']}" if commitment.get("due_label") else ""
    return f"„{commitment['step'].rstrip('.')}“{due}"


class ActionWelcomeBack(Action):
    """A known user: greet them back and ask about the oldest open commitment."""

    def name(self) -> Text:
        return "action_welcome_back"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        return welcome_back(dispatcher, state)


def welcome_back(dispatcher, state: CoachingState) -> Events:
    if state.open_commitments:
        dispatcher.utter_message(response="utter_welcome_back_commitment",
                                 commitment=describe(state.open_commitments[0]), buttons=COMMITMENT_BUTTONS)
        state.phase = PHASE_COMMITMENT
    else:
        ask_for_excuse(dispatcher, state, "utter_welcome_back")
    return save(state)


class ActionCommitmentReport(Action):
    """The answer about an open commitment: done, not yet, or a new date; recorded for the log."""

    def name(self) -> Text:
        return "action_commitment_report"

    def run(self, dispatcher, tracker, domain) -> Events:
        state = state_of(tracker)
        if not state.open_commitments:
            dispatcher.utter_message(response="utter_no_open_commitment")
            ask_for_excuse(dispatcher, state, "utter_ask_excuse")
            return save(state)
        move = move_of(tracker)
        text = latest_text(tracker)
        due = parsing.find_due_date(text)
        reply = move.reply if move else None
        commitment = state.open_commitments[0]
        if due:
            status = RESCHEDULED
        elif reply == reading.YES:
            status = DONE
        elif reply == reading.NO or reply_cues.denies(text):
            status = NOT_DONE
        else:
            dispatcher.utter_message(response="utter_commitment_check_again", commitment=describe(commitment),
                                     buttons=COMMITMENT_BUTTONS)
            state.phase = PHASE_COMMITMENT
            return save(state)
        report = contract.commitment_report(commitment, status, due.label if due else None,
                                            due.day.isoformat() if due else None)
        state.open_commitments = state.open_commitments[1:]
        state.current_excuse = commitment["excuse"] if commitment.get("excuse") in KB.excuses else state.current_excuse
        if status == DONE:
            dispatcher.utter_message(response="utter_commitment_done")
        elif status == RESCHEDULED:
            dispatcher.utter_message(response="utter_commitment_rescheduled", due=due.label)
        else:
            dispatcher.utter_message(response="utter_commitment_not_done")
        recorded = SlotSet(contract.COMMITMENT_REPORTS, (tracker.get_slot(contract.COMMITMENT_REPORTS) or []) + [report])
        if state.open_commitments:  # the next open commitment, same question
            return [recorded] + welcome_back(dispatcher, state)
        offer_way_forward(dispatcher, state)
        return [recorded] + save(state)


class ActionSessionStart(Action):
    """A new Rasa session: carry over the commitments nobody has asked about yet, and welcome a
    known user back with the oldest of them (Rasa sends these messages at the session start)."""

    def name(self) -> Text:
        return "action_session_start"

    def run(self, dispatcher, tracker, domain) -> Events:
        earlier = list(tracker.get_slot("open_commitments") or [])
        for commitment in tracker.get_slot("commitments") or []:
            if commitment not in earlier:
                earlier.append(commitment)
        known = bool(earlier or tracker.get_slot("discussed_excuses") or tracker.get_slot("practice_rounds"))
        events: Events = [SessionStarted()]
        if known:
            state = CoachingState(open_commitments=earlier[-3:])
            events += welcome_back(dispatcher, state)
        return events + [ActionExecuted("action_listen")]
