"""What the actions write into slots is what the session log reads (core/slot_contract.py)."""
from datetime import date

from actions.coaching_state import CoachingState
from coach.knowledge_base import load
from core import slot_contract as contract

KB = load()


def test_a_commitment_written_by_the_actions_becomes_a_log_row():
    state = CoachingState.from_slots(lambda name: None)
    excuse = KB.excuse("excuse_no_time")
    state.commit(excuse, 2, "bis Freitag", "2026-12-11")
    state.commit(excuse, 2, "bis Montag", "2026-12-14")  # the same step again replaces it
    rows = contract.commitment_rows(state.slot_values()[contract.COMMITMENTS])
    assert rows == [{"excuse_id": "excuse_no_time", "step_number": 2, "step_text": excuse.first_steps[1],
                     "due_date": date(2026, 12, 14)}]


def test_a_commitment_report_carries_the_new_date_as_a_day():
    record = contract.commitment("excuse_no_ideas", 1, "Ein Thema notieren", None, "2026-12-01")
    report = contract.commitment_report(record, "rescheduled", "bis Freitag", "2026-12-11")
    assert contract.report_rows([report]) == [{"excuse_id": "excuse_no_ideas", "step_number": 1,
                                               "status": "rescheduled", "new_due_date": date(2026, 12, 11)}]
    assert contract.report_rows([contract.commitment_report(record, "done")])[0]["new_due_date"] is None


def test_excuse_rows_default_to_open_and_practice_text_is_dropped_when_not_logged():
    slots = {"discussed_excuses": ["excuse_no_time", "excuse_no_roi"], "outcomes": {"excuse_no_time": "convinced"},
             "shown_arguments": {"excuse_no_time": [0, 1]}}
    assert [r["outcome"] for r in contract.excuse_rows(slots)] == ["convinced", "open"]
    rounds = [{"attempt": 1, "round": 1, "excuse_id": "excuse_no_time", "score": 2, "covered": [],
               "answer_excerpt": "Zeitfenster im Kalender", "hints": 0}]
    assert contract.practice_round_rows(rounds, keep_text=False)[0]["answer_excerpt"] is None
    assert contract.practice_round_rows(rounds, keep_text=True)[0]["answer_excerpt"] == "Zeitfenster im Kalender"


def test_only_a_correction_reading_is_a_correction():
    assert contract.correction_pair({"action": "x", "kind": "correction", "misread": "excuse_no_time",
                                     "excuses": ["excuse_no_ideas"]}) == ("excuse_no_time", "excuse_no_ideas")
    assert contract.correction_pair({"action": "x", "kind": "excuse", "excuses": ["excuse_no_ideas"]}) is None
