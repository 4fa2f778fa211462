"""Practice mode (role play): the coach plays a sceptical Mittelstand CEO, the trainee argues.

Mechanism: the form `practice_form` asks for one slot, `practice_answer`, filled from the text of
every message while the form is active (domain.yml), whatever intent the NLU predicted. So an
answer like "Sie haben doch 15 Minuten pro Woche" counts as an answer even when the NLU reads it
as `excuse_no_time`. The form's validation action (`validate_practice_form`) does the work of
each turn by stage, and clears the slot so the form asks again; `action_ask_practice_answer`
then says what comes next (the code question, the choice of excuse, the CEO's opening or his
"Ja, aber …"). The intents `ask_hint`, `help` and `stop_practice` do not fill the slot: rules
send them to `action_practice_hint` and `action_practice_summary` (`start_practice` neither, so
the message that starts the practice is not taken as its first answer; during the practice it
starts a new run). Short messages such as "Tipp" or "Stopp" are also recognised here by
keyword, so a misread intent cannot turn them into a scored answer; long messages always count
as answers.

A round: opening -> answer (scored, feedback on what was strong) -> one "Ja, aber …" ->
answer (scored too). The round's points count the key points of both answers together (0–3):
the follow-up can add points, never take any away. The strongest missed argument with its
source and the model answer close the round. After the last round (default five) or "Stopp"
the summary shows the total, the rounds, two focus areas and offers the weakest excuse again.

What is logged: slots `mode` ("practice"), `training_code` and `practice_rounds` (one entry
per round: attempt, round, excuse_id, score, covered key point labels, answer excerpt, hints);
addons/session_log.py writes them to the session log. Fixed phrases live in domain.yml; the
scoring is coach/practice_scorer.py (plain Python).

This module holds the actions; the rest is split by concern: practice_input.py reads the message
(code, rounds, commands, the misread long answer), practice_state.py keeps the state,
practice_turn.py handles one message by stage, practice_phrasing.py says what the coach says.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import coaching_turns
from actions.coaching_replies import KB
from actions.coaching_state import PHASE_PRACTICE_AGAIN
from actions.practice_input import (
    STOP_PATTERN, is_button, latest_intent, latest_text, misread_answer, parse_code, parse_rounds, practice_active,
)
from actions.practice_phrasing import prompt, start_buttons, summarize
from actions.practice_state import (
    ANSWER_SLOT, ROUNDS_SLOT, STAGE_CODE, STAGE_DONE, STATE_SLOT, Events, Practice, practicable,
)
from actions.practice_turn import answer_events, give_hint, handle_message
from coach import practice_scorer

# The scorer compares answers with every key point's phrasings by meaning: embed them (and load
# the sentence encoder and the stance model) at start, so the first trainee's answer is not the slow one.
practice_scorer.warm_up(KB)

MODE_PRACTICE = "practice"
DEFAULT_ROUNDS = 5
CLOSE_LOOP = [ActiveLoop(None), SlotSet("requested_slot", None)]  # every end of the summary action
NUMBER_WORDS = {1: "eine Runde", 2: "zwei Runden", 3: "drei Runden", 4: "vier Runden", 5: "fünf Runden",
                6: "sechs Runden", 7: "sieben Runden", 8: "acht Runden", 9: "neun Runden", 10: "zehn Runden"}


# -- actions ---------------------------------------------------------------------------------
class ActionStartPractice(Action):
    """"Übungsmodus" / "Rollenspiel starten": sets up the run; the form takes over."""

    def name(self) -> Text:
        return "action_start_practice"

    def run(self, dispatcher, tracker, domain) -> Events:
        practice = Practice.of(tracker)
        text = latest_text(tracker)
        # A long answer misread as "start", or the reply to the pending code question ("ohne Code"
        # reads like "start without a code"): the running practice takes it, with no second intro.
        if misread_answer(tracker) or (practice_active(tracker) and practice.stage == STAGE_CODE):
            return answer_events(dispatcher, tracker, practice)
        # Only the button "Noch einmal: …" names the excuse; in free text the NLU's excuse
        # entities (addons/multi_excuse.py) may come from any word.
        fixed = next((e.get("value") for e in tracker.latest_message.get("entities") or []
                      if e.get("entity") == "excuse" and e.get("value") in practicable()), None) \
            if is_button(text) else None
        code = parse_code(text)
        known_code = code or tracker.get_slot("training_code")
        rounds = parse_rounds(text) or (1 if fixed and is_button(text) else DEFAULT_ROUNDS)
        asked_before = bool(practice.rounds) or bool(practice.state)
        practice.start(rounds, fixed, ask_code=not known_code and not asked_before)
        dispatcher.utter_message(response="utter_practice_intro", rounds=NUMBER_WORDS[rounds])
        events = [SlotSet("mode", MODE_PRACTICE), SlotSet(ANSWER_SLOT, None)]
        if code:
            dispatcher.utter_message(response="utter_practice_code_saved", code=code)
            events.append(SlotSet("training_code", code))
        return events + practice.events()


class ActionAskPracticeAnswer(Action):
    """The form asks for the next answer: code question, choice, opening or "Ja, aber …"."""

    def name(self) -> Text:
        return "action_ask_practice_answer"

    def run(self, dispatcher, tracker, domain) -> Events:
        practice = Practice.of(tracker)
        prompt(dispatcher, practice)
        return [SlotSet(STATE_SLOT, practice.state)]


class ValidatePracticeForm(FormValidationAction):
    """Every message while the practice runs arrives here as `practice_answer`."""

    def name(self) -> Text:
        return "validate_practice_form"

    def domain_slots(self, domain: Dict[Text, Any]) -> List[Text]:
        # The form's one slot, without the domain (Rasa does not send it: endpoints.yml).
        return [ANSWER_SLOT]

    def validate_practice_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: Dict[Text, Any]) -> Dict[Text, Any]:
        if value is None:  # form activation: Rasa validates the (empty) slot once
            return {}
        practice = Practice.of(tracker)
        answer, extra = handle_message(dispatcher, tracker, practice)
        slots = {ANSWER_SLOT: answer, STATE_SLOT: practice.state, ROUNDS_SLOT: practice.rounds}
        slots.update({e["name"]: e["value"] for e in extra})
        return slots


class ActionPracticeHint(Action):
    """"Tipp" / "Hilfe" during a round: a key point of an argument not covered yet."""

    def name(self) -> Text:
        return "action_practice_hint"

    def run(self, dispatcher, tracker, domain) -> Events:
        if not practice_active(tracker):
            if tracker.get_slot("current_excuse"):  # "Tipps" while coaching: the first steps
                return coaching_turns.first_steps(dispatcher, tracker)
            dispatcher.utter_message(response="utter_practice_hint_inactive", buttons=start_buttons())
            return []
        practice = Practice.of(tracker)
        if misread_answer(tracker):
            return answer_events(dispatcher, tracker, practice)
        give_hint(dispatcher, practice)
        return practice.events()


class ActionPracticeSummary(Action):
    """End of the practice (all rounds played or "Stopp"): scores, focus areas, offer."""

    def name(self) -> Text:
        return "action_practice_summary"

    def run(self, dispatcher, tracker, domain) -> Events:
        practice = Practice.of(tracker)
        intent, _ = latest_intent(tracker)
        if intent == "stop_practice" and misread_answer(tracker, keyword=STOP_PATTERN):
            return answer_events(dispatcher, tracker, practice)
        if not practice.state or (practice.state.get("summarized") and not practice_active(tracker)):
            # "Stopp" / "Auswertung" outside the practice: the coaching summary (as on goodbye),
            # else the last practice's summary again, else the offer to practise.
            if tracker.get_slot("discussed_excuses"):
                return CLOSE_LOOP + coaching_turns.summarize(dispatcher, tracker)
            if practice.attempt_rounds():
                summarize(dispatcher, practice)
            else:
                dispatcher.utter_message(response="utter_practice_not_active", buttons=start_buttons())
            return list(CLOSE_LOOP)
        summarize(dispatcher, practice)
        practice.set_stage(STAGE_DONE)
        practice.state.update(prompted=True, summarized=True)
        # "Noch einmal üben?" is now the open question (coach.reading reads the reply to it).
        return CLOSE_LOOP + [SlotSet(ANSWER_SLOT, None), SlotSet("phase", PHASE_PRACTICE_AGAIN)] + practice.events()
