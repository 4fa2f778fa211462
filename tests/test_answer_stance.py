"""The whole-answer stance model (coach/answer_stance.py): answers written for this test, not
taken from any answer set, read as the side they argue; the stored files load as they were fitted."""
import numpy as np

from coach import answer_stance
from coach.practice_scorer import CEO_SIDE

CEOS_CASE = [
    "Aus Fehlern lernt man, heißt es immer so schön – ein Satz fürs Poesiealbum. Im Netz bleibt ein peinlicher "
    "Post für immer hängen, da ist Vorsicht einfach klüger.",
    "Langfristig zahlt sich das aus, sagen die Agenturen, die davon leben. Ich würde mein Geld lieber in den "
    "Außendienst stecken, da sehe ich wenigstens Aufträge.",
    "Zwanzig Jahre LinkedIn, klingt nach viel, aber das hieß bei MySpace auch jeder. Warten Sie ruhig ab, der "
    "Zug fährt nicht weg.",
    "Da haben Sie völlig recht, Ihre Kunden kennen Sie von der Messe, das reicht doch.",
]
TRAINEES_CASE = [
    "Das ist ein Marathon, kein Sprint: Die Kundenbeziehungen wachsen langsam, und irgendwann fragt einer an, "
    "weil er Sie seit Monaten liest.",
    "Ihre Erfahrung ist Gold wert, und die jungen Kollegen zeigen Ihnen gern, wie das geht – Alter ist da "
    "wirklich kein Hindernis.",
    "Eine Viertelstunde beim ersten Kaffee, zweimal die Woche, mehr braucht's nicht. Und auf der nächsten "
    "Messe sprechen Sie dann Leute an, die Sie schon aus dem Netz kennen.",
]


def test_answers_read_as_the_side_they_argue():
    model = answer_stance.stored()
    assert all(model.ceo_side(answer) >= CEO_SIDE for answer in CEOS_CASE)
    assert all(model.ceo_side(answer) < 0.5 for answer in TRAINEES_CASE)


def test_the_stored_model_loads_as_it_was_saved(tmp_path):
    model = answer_stance.stored()
    answer_stance.save(model, tmp_path)
    again = answer_stance.load(tmp_path)
    for answer in CEOS_CASE + TRAINEES_CASE:
        assert np.isclose(again.ceo_side(answer), model.ceo_side(answer), atol=1e-6)


def test_words_in_a_negations_scope_are_features_of_their_own():
    assert answer_stance.negation_marked("Mit sechzig ist man nicht zu alt dafür, aber Sie müssen anfangen.") == (
        "mit sechzig ist man nicht nicht_zu nicht_alt nicht_dafuer aber sie muessen anfangen")
    assert answer_stance.negation_marked("Kein Kunde liest das – sagen Sie.") == (
        "kein nicht_kunde nicht_liest nicht_das sagen sie")
    # Read as its own feature, "nicht zu alt" no longer counts as the CEO's "zu alt" (without the marking this
    # answer read as his case).
    assert answer_stance.stored().ceo_side(
        "Mit sechzig ist man doch nicht zu alt für so was – fangen Sie mit einem Beitrag pro Woche an.") < CEO_SIDE
