"""One message of the trainee while the practice runs, handled by stage: the training code, the
choice of excuse, the answer to the CEO's opening (scored, feedback) and the answer to his
"Ja, aber …" (scored too; it closes the round). Hints and "Stopp" by keyword at every stage.
"""
from __future__ import annotations

from typing import Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.coaching_replies import KB
from actions.practice_input import (
    HINT_PATTERN, STOP_PATTERN, is_button, is_command, latest_intent, latest_text, parse_code,
)
from actions.practice_phrasing import by_count, describe_hits, say_first_feedback, say_round_result, shown_hits
from actions.practice_state import (
    ANSWER_SLOT, STAGE_ANSWER, STAGE_CHOOSE, STAGE_CODE, STAGE_DONE, STAGE_FOLLOW_UP, Events, Practice,
)
from coach import practice_scorer as scorer

MIN_CHOICE_CONFIDENCE = 0.5
EXCERPT_LENGTH = 200
DONE = "done"  # value of practice_answer that completes the form


def handle_message(dispatcher: CollectingDispatcher, tracker: Tracker, practice: Practice) -> Tuple[Optional[str], Events]:
    """Processes the trainee's message by stage; returns the new value of `practice_answer`
    (None: the form asks again; DONE: the practice is over) and extra events."""
    text = latest_text(tracker)
    stage = practice.stage
    extra: Events = []
    if stage in (STAGE_ANSWER, STAGE_FOLLOW_UP, STAGE_CODE, STAGE_CHOOSE):
        if is_command(text, STOP_PATTERN):
            practice.set_stage(STAGE_DONE)
            return DONE, extra
        if is_command(text, HINT_PATTERN) and not is_button(text):
            give_hint(dispatcher, practice)
            return None, extra
    if stage == STAGE_CODE:
        code = parse_code(text, bare=True)
        if code:
            dispatcher.utter_message(response="utter_practice_code_saved", code=code)
            extra.append(SlotSet("training_code", code))
        else:
            dispatcher.utter_message(response="utter_practice_no_code")
        fixed = practice.state.get("fixed_excuse")
        if fixed:
            practice.start_round(fixed)
        else:
            practice.set_stage(STAGE_CHOOSE)
    elif stage == STAGE_CHOOSE:
        chosen = chosen_excuse(tracker)
        if _answers_early(text, chosen):
            # An answer typed before there was an excuse to answer: say so, then the excuse (the
            # one it answers, where it names one).
            dispatcher.utter_message(response="utter_practice_answer_too_early")
        practice.start_round(chosen or practice.pick_excuse())
    elif stage in (STAGE_ANSWER, STAGE_FOLLOW_UP) and is_button(text):
        # A button clicked in an earlier message (an excuse, "Coach wählt aus") is no answer: the
        # CEO says his line again; an excuse button before the first answer plays that excuse.
        chosen = chosen_excuse(tracker)
        if stage == STAGE_ANSWER and chosen and chosen != practice.state.get("excuse"):
            practice.switch_excuse(chosen)
        practice.state["prompted"] = False
    elif stage == STAGE_ANSWER:
        judgement = scorer.judge(practice.excuse, text)
        say_first_feedback(dispatcher, judgement)
        practice.state["covered"] = judgement.labels
        practice.state["first_score"] = judgement.score
        practice.record(judgement.score, judgement.labels, excerpt=text[:EXCERPT_LENGTH])
        practice.state["yes_but"] = scorer.pick_follow_up(
            practice.excuse, text, f"{practice.sender}:{practice.attempt}:{practice.state['round']}")
        practice.set_stage(STAGE_FOLLOW_UP)
    elif stage == STAGE_FOLLOW_UP:
        return finish_round(dispatcher, practice, text), extra
    else:  # no running practice: the form should not be active
        return DONE, extra
    return None, extra


def finish_round(dispatcher: CollectingDispatcher, practice: Practice, text: str) -> Optional[str]:
    excuse = practice.excuse
    before = list(practice.state.get("covered") or [])
    judgement = scorer.judge(excuse, text)
    new_hits = [h for h in judgement.hits if h.label not in before]
    if new_hits:
        shown = shown_hits(new_hits)
        dispatcher.utter_message(response="utter_practice_follow_up_gain", points=describe_hits(shown),
                                 verb=by_count(len(shown), "kam", "kamen"))
    elif judgement.hits:
        dispatcher.utter_message(response="utter_practice_follow_up_same")
    else:
        dispatcher.utter_message(response="utter_practice_follow_up_none")
    covered = before + [h.label for h in new_hits]
    by_label = {p.label: i for i, a in enumerate(excuse.arguments) for p in a.key_points}
    score = scorer.score_for((label, by_label[label]) for label in covered)
    practice.state["covered"] = covered
    practice.record(score, covered)
    say_round_result(dispatcher, excuse, practice.state["round"], score, covered)
    if practice.state["round"] >= practice.state["rounds_total"]:
        practice.set_stage(STAGE_DONE)
        return DONE
    practice.start_round(practice.pick_excuse())
    return None


EARLY_ANSWER_WORDS = 6  # at the excuse choice, a message this long is an answer, not a choice


def _answers_early(text: str, chosen: Optional[str]) -> bool:
    """Is a message at the excuse choice an answer? Long and typed, and, where the NLU read an
    excuse in it, making a point against that excuse ("Nehmen wir Keine Zeit, das höre ich
    ständig" chooses; "Zweimal die Woche eine Viertelstunde reicht" answers)."""
    if is_button(text) or len(scorer.words_of(text)) < EARLY_ANSWER_WORDS:
        return False
    return chosen is None or scorer.judge(KB.excuse(chosen), text).score >= 1


def chosen_excuse(tracker: Tracker) -> Optional[str]:
    """The excuse the trainee picked (button or words), None when the coach should pick."""
    intent, confidence = latest_intent(tracker)
    if intent in KB.excuses and KB.excuse(intent).practice and (
            confidence >= MIN_CHOICE_CONFIDENCE or is_button(latest_text(tracker))):
        return intent
    return None


def give_hint(dispatcher: CollectingDispatcher, practice: Practice) -> None:
    if practice.stage not in (STAGE_ANSWER, STAGE_FOLLOW_UP):
        dispatcher.utter_message(response="utter_practice_hint_setup")
        return
    label = scorer.hint(practice.excuse, practice.state.get("covered") or [], practice.state.get("hints") or [])
    if label is None:
        dispatcher.utter_message(response="utter_practice_hint_none")
        return
    practice.state["hints"] = list(practice.state.get("hints") or []) + [label]
    if practice.current_round():
        practice.record(practice.current_round()["score"], practice.current_round()["covered"])
    dispatcher.utter_message(response="utter_practice_hint", label=label)


def answer_events(dispatcher: CollectingDispatcher, tracker: Tracker, practice: Practice) -> Events:
    answer, extra = handle_message(dispatcher, tracker, practice)
    return [SlotSet(ANSWER_SLOT, answer)] + extra + practice.events()
