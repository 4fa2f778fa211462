"""What the coach does on the main turns of a coaching conversation, as plain functions: several
actions share them (a "ja" to the pending excuse coaches it, "Tipps" during coaching shows the
first steps, "Stopp" outside the practice summarises the coaching, a number at the steps commits).
"""
from __future__ import annotations

from datetime import date

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import parsing
from actions.coaching_replies import (
    KB, Events, ask_convinced, ask_for_excuse, latest_text, move_of, named_excuses, offer_way_forward, quoted,
    save, show_argument, show_first_steps, state_of, step_buttons,
)
from actions.coaching_state import (
    CONVINCED, OUTCOME_LABELS, PHASE_ARGUMENT, PHASE_NEXT, PHASE_RATING, PHASE_STEPS, CoachingState,
)
from coach import reading
from coach.knowledge_base import Excuse


def coach_excuse(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """Reflection, strongest unused argument with its source, then the question."""
    state = state_of(tracker)
    move = move_of(tracker)
    excuse_ids = [e for e in move.excuses if e in KB.excuses] if move and move.excuses else named_excuses(tracker)
    if move and move.kind == "correction" and excuse_ids:
        state.withdraw(move.misread)
        dispatcher.utter_message(response="utter_correction_understood", title=KB.excuse(excuse_ids[0]).title)
    if not excuse_ids:  # only reachable through a hand-typed intent payload
        ask_for_excuse(dispatcher, state, "utter_fallback")
        return save(state)
    if len(excuse_ids) > 1:
        titles = " und ".join(f"„{KB.excuse(e).title}“" for e in excuse_ids)
        dispatcher.utter_message(response="utter_several_excuses", titles=titles)
    for excuse_id in excuse_ids:
        answer_excuse(dispatcher, state, KB.excuse(excuse_id), several=len(excuse_ids) > 1)
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


def answer_excuse(dispatcher: CollectingDispatcher, state: CoachingState, excuse: Excuse, several: bool) -> None:
    """Reflection (or a heading among several), then the strongest unused argument, or the first
    steps when none is left."""
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


def first_steps(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """The first steps of the current excuse, else the question which excuse."""
    state = state_of(tracker)
    if not state.current_excuse:
        ask_for_excuse(dispatcher, state, "utter_steps_need_excuse")
        return save(state)
    show_first_steps(dispatcher, state, KB.excuse(state.current_excuse))
    return save(state)



def commit_step(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """Records a first step the user commits to, with an optional due date."""
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



def summarize(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """Goodbye: what was discussed, what was committed, then the 1–5 rating."""
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
