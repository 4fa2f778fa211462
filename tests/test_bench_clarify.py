"""The ask-threshold sweep of bench/clarify.py re-reads predictions under other thresholds."""
from bench import clarify
from coach import reading


def _row(intent, ranking):
    top = ranking[0][0]
    return {"text": "eine Nachricht", "intent": intent, "final": top, "predicted": top,
            "ranking": [[name, confidence] for name, confidence in ranking]}


PREDICTIONS = {"heldout": [
    _row("excuse_no_time", [("excuse_no_time", 0.9), ("excuse_no_resources", 0.05)]),        # clear, right
    _row("excuse_no_time", [("excuse_no_resources", 0.5), ("excuse_no_time", 0.3)]),         # close, wrong top
    _row("excuse_no_ideas", [("excuse_no_ideas", 0.6), ("excuse_cannot_write", 0.3)]),       # right, margin 0.3
    _row("excuse_too_old", [("excuse_delegate_to_juniors", 0.95), ("excuse_too_old", 0.02)]),  # confidently wrong
]}


def test_first_row_is_the_coach_reading():
    first = clarify.sweep(PREDICTIONS)[0]
    plain = clarify.analyse(PREDICTIONS["heldout"])
    assert (first["clear_excuse"], first["clear_margin"], first["second_reading"]) == (
        reading.CLEAR_EXCUSE, reading.CLEAR_MARGIN, reading.SECOND_READING)
    assert (first["wrong"], first["saved"], first["needless_asks"]) == (
        plain["excuse_messages"]["wrong"], plain["saved"], plain["needless_asks"])


def test_a_stricter_bar_asks_more_and_the_thresholds_are_restored():
    rows = {(r["clear_excuse"], r["clear_margin"], r["second_reading"]): r for r in clarify.sweep(PREDICTIONS)}
    lax, plain, strict = rows[(0.35, 0.15, 1.0)], rows[(0.45, 0.25, 1.0)], rows[(0.45, 0.35, 1.0)]
    assert (lax["wrong"], lax["saved"]) == (2, 0)                # margin 0.2 passes: the close call is answered wrong
    assert (plain["wrong"], plain["saved"], plain["needless_asks"]) == (1, 1, 0)
    assert (strict["wrong"], strict["needless_asks"]) == (1, 1)  # margin 0.3 < 0.35: the right one is asked too,
    # and the confident misreading is answered at every bar
    assert (reading.CLEAR_EXCUSE, reading.CLEAR_MARGIN, reading.SECOND_READING) == clarify.SWEEP[0]


def test_a_second_reading_is_asked_about_however_far_behind_it_is():
    rows = {(r["clear_excuse"], r["clear_margin"], r["second_reading"]): r for r in clarify.sweep(PREDICTIONS)}
    asking = rows[(0.45, 0.25, 0.25)]  # "keine Ideen" 0.6 ahead of "kann nicht schreiben" 0.3 by 0.3: asked
    assert (asking["wrong"], asking["saved"], asking["needless_asks"]) == (1, 1, 1)
