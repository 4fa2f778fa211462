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
    assert (first["clear_excuse"], first["clear_margin"]) == (reading.CLEAR_EXCUSE, reading.CLEAR_MARGIN)
    assert (first["wrong"], first["saved"], first["needless_asks"]) == (
        plain["excuse_messages"]["wrong"], plain["saved"], plain["needless_asks"])


def test_a_stricter_bar_asks_more_and_the_thresholds_are_restored():
    rows = {(r["clear_excuse"], r["clear_margin"]): r for r in clarify.sweep(PREDICTIONS)}
    lax, coach, strict = rows[(0.35, 0.15)], rows[clarify.SWEEP[0]], rows[(0.45, 0.35)]
    assert (lax["wrong"], lax["saved"]) == (2, 0)                # margin 0.2 passes: the close call is answered wrong
    assert (coach["wrong"], coach["saved"], coach["needless_asks"]) == (1, 1, 0)
    assert (strict["wrong"], strict["needless_asks"]) == (1, 1)  # margin 0.3 < 0.35: the right one is asked too,
    # and the confident misreading is answered at every bar
    assert (reading.CLEAR_EXCUSE, reading.CLEAR_MARGIN) == clarify.SWEEP[0]
