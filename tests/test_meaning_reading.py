"""How coach/meaning.py reads a trainee's clauses before comparing meanings: who the answer sides
with (conceding openers, dismissals), and where a negation belongs (a closing contrast,
"nicht A, sondern B"). Sentences written for these tests, not taken from the answer sets."""
import pytest

from coach import answer_clauses, meaning, polarity
from coach import practice_scorer as scorer
from coach.knowledge_base import load

KB = load()
NO_TIME = KB.excuse("excuse_no_time")
POINT = "Eine Viertelstunde zweimal die Woche reicht völlig, fest im Kalender eingetragen."


def read(answer):
    return {text: negated for text, negated, _ in answer_clauses.readings(answer)}


@pytest.mark.parametrize("opener", ["Ja,", "Natürlich,", "Mag sein,", "Na klar,", "Tja, stimmt,", "Zugegeben,"])
def test_a_conceding_opener_sides_with_the_ceo_until_the_answer_turns(opener):
    conceding = f"{opener} {POINT[0].lower()}{POINT[1:]}"
    assert scorer.judge(NO_TIME, conceding).score == 0
    assert scorer.judge(NO_TIME, f"{opener} Ihr Tag ist voll. Aber {POINT[0].lower()}{POINT[1:]}").score >= 1


@pytest.mark.parametrize("confirmation", ["Genau,", "Richtig,", "Klar,", "Stimmt, und"])
def test_a_confirmation_after_the_trainees_own_point_confirms_the_trainee(confirmation):
    own = "Was fragen Ihre Kunden am Telefon jede Woche? Daraus wird ein Beitrag."
    rest = f"{confirmation} lohnt sich. Und dafür reichen zehn Minuten fest im Kalender, jeden Dienstag."
    assert "Und dafür reichen zehn Minuten fest im Kalender, jeden Dienstag" in read(f"{own} {rest}")
    # Said first, before a point of the trainee's own, the same words still agree with the CEO.
    assert not read(rest)


def test_genau_before_its_object_turns_the_ceos_premise_instead_of_agreeing():
    turned = "Genau deshalb reicht eine Viertelstunde zweimal die Woche, fest im Kalender eingetragen."
    assert scorer.judge(NO_TIME, turned).score >= 1
    assert scorer.judge(NO_TIME, "Genau, eine Viertelstunde zweimal die Woche reicht dafür nie.").score == 0


def test_yes_but_at_once_is_no_concession():
    assert scorer.judge(NO_TIME, f"Ja, aber {POINT[0].lower()}{POINT[1:]}").score >= 1


def test_eh_states_a_premise_and_dismisses_only_next_to_a_negation():
    assert read("Wenn Sie eh jeden Morgen Kaffee trinken, reichen dabei zehn Minuten")
    assert not read("Das bringt eh nichts für Ihre Firma")


@pytest.mark.parametrize("verdict", ["ist doch reine Panikmache", "ist rausgeschmissenes Geld",
                                     "ist Schnickschnack für Konzerne", "ist schlicht der falsche Kanal"])
def test_a_dismissive_verdict_waves_the_clause_away_unless_it_is_negated(verdict):
    assert polarity.dismisses(f"Das mit den Kontakten {verdict}")
    negated = verdict.replace("ist doch reine", "ist keine").replace("ist rausgeschmissenes", "ist kein rausgeschmissenes")
    negated = negated.replace("ist Schnickschnack", "ist kein Schnickschnack").replace("ist schlicht der", "ist nicht der")
    assert not polarity.dismisses(f"Das mit den Kontakten {negated}")


@pytest.mark.parametrize("clause", [
    "Dass feste Zeitfenster genügen, stimmt so nicht",
    "Dass andere Chefs dort Aufträge finden, heißt noch gar nichts",
    "Ein fester Termin im Kalender ist alles andere als sinnvoll",
    "Als Kontaktbörse taugt das Netzwerk doch nichts",
    "Die Kontakte dort bringen Ihnen weder Aufträge noch Reichweite",
])
def test_a_clause_that_calls_a_point_false_or_useless_makes_no_point(clause):
    assert polarity.dismisses(clause)
    assert scorer.judge(NO_TIME, clause + ".").score == 0


def test_a_negated_contra_word_keeps_the_point():
    answer = f"{POINT} Und das ist keine Spielerei, die Kontakte dort bringen Ihnen neue Aufträge."
    assert scorer.judge(NO_TIME, answer).score >= 1
    assert not answer_clauses.dismissive_clauses(answer)


def test_waving_a_benefit_away_earns_nothing():
    judgement = scorer.judge(NO_TIME, "Ein Netzwerk dort hilft Ihnen auch nicht bei neuen Aufträgen weiter, "
                                      "und Kontakte bringen Ihnen keine Kunden.")
    assert judgement.score == 0


def test_a_closing_contrast_does_not_negate_the_clause():
    readings = read("Eine Viertelstunde pro Woche reicht völlig und keine Stunden")
    assert readings["Eine Viertelstunde pro Woche reicht völlig und keine Stunden"] == 0
    assert "Eine Viertelstunde pro Woche reicht völlig" in readings


def test_not_a_but_b_is_read_as_one_statement_with_the_polarity_of_b():
    readings = read("Das ist kein Hobby, sondern Arbeit für die Firma.")
    assert readings.get("Das ist kein Hobby, sondern Arbeit für die Firma") == 0
    assert "Das ist kein Hobby" not in readings  # the rejected alternative earns nothing alone


def test_agreeing_at_the_end_takes_back_what_was_said_since_the_last_turn():
    agreed = f"{POINT} Mehr Zeit hat ein Chef eben nicht, das sehe ich genauso."
    assert scorer.judge(NO_TIME, agreed).score == 0
    assert scorer.judge(NO_TIME, f"Ihr Tag ist voll, das sehe ich genauso. Aber {POINT[0].lower()}{POINT[1:]}").score >= 1


@pytest.mark.parametrize("verdict", ["Lassen Sie das lieber.", "Insofern: besser raushalten.",
                                     "Ehrlich gesagt, da haben Sie recht.", "Abwarten ist da wirklich vernünftig.",
                                     "Lassen Sie die Finger davon, bevor Sie sich ärgern.",
                                     "Dann warten Sie halt ab, was sich durchsetzt.",
                                     "Bei dem Stress würde ich auch nicht damit anfangen.",
                                     "Da ist es nur vernünftig, das ganz zu lassen.",
                                     "Bleiben Sie ruhig bei Ihrem Telefon, das kennt jeder.",
                                     "Lassen Sie das Ganze noch ein Jahr ruhen.",
                                     "Ich würde es an Ihrer Stelle auch bleiben lassen.",
                                     "Ihre Vorsicht hat da schon ihren Sinn.",
                                     "Dann doch lieber gar nicht.",
                                     "Da haben Sie mit Ihrem Bauchgefühl völlig recht."])
def test_an_answer_that_closes_by_advising_the_ceo_to_stay_away_earns_nothing(verdict):
    assert scorer.judge(NO_TIME, f"{POINT} {verdict}").score == 0
    # Advice within the answer that does not close it on the CEO's side takes nothing back.
    assert scorer.judge(NO_TIME, f"Lassen Sie das Perfekte weg. {POINT}").score >= 1


def test_a_clause_granted_with_da_haben_sie_recht_is_the_ceos_not_the_trainees():
    assert not read("Eine große Kampagne brauchen Sie dafür nicht, da haben Sie recht")
    assert read("Eine große Kampagne brauchen Sie dafür nicht")


def test_points_named_next_to_as_many_dismissals_argue_the_ceos_case():
    props = "Zweimal die Woche eine Viertelstunde im Kalender? Das halte ich für ein Märchen. Kontakte knüpfen Sie da keine."
    assert scorer.judge(NO_TIME, f"{props} Ein Netzwerk dort ist reine Zeitverschwendung.").score == 0
    # "egal wie …" is "regardless", not a dismissal: the point stands.
    assert not polarity.dismisses("Das lohnt sich, egal wie alt Sie sind")
    assert scorer.judge(NO_TIME, f"{POINT} Das klappt, egal wie voll Ihr Kalender ist.").score >= 1


def test_a_closing_turn_keeps_the_answer_on_the_trainees_side():
    assert scorer.judge(NO_TIME, f"Sie haben viel um die Ohren, da haben Sie recht. Aber {POINT[0].lower()}{POINT[1:]}"
                        ).score >= 1


@pytest.mark.parametrize("rejected", [
    "Fest im Kalender zwei kurze Termine die Woche? Bringt doch nichts, da verzetteln Sie sich nur.",
    "Zweimal die Woche eine Viertelstunde im Kalender? Nee, das reicht hinten und vorne nicht.",
    "Zweimal die Woche eine Viertelstunde im Kalender reicht? Nicht bei Ihrem Terminkalender.",
    "Eine Viertelstunde zweimal die Woche einplanen? Bloß nicht, das wird nur wieder verschoben.",
    "Eine Viertelstunde zweimal die Woche im Kalender – das können Sie vergessen.",
    "Dass eine Viertelstunde zweimal die Woche reicht, ist ein Märchen.",
    "Eine Viertelstunde zweimal die Woche, schön und gut, aber so wird das nie was.",
    "Zwar reicht eine Viertelstunde zweimal die Woche, aber dann bringt es auch nichts.",
    "Eine Viertelstunde zweimal die Woche im Kalender, ja, aber damit erreichen Sie niemanden.",
    "Als ob eine Viertelstunde zweimal die Woche reichen würde!",
])
def test_a_point_said_only_to_be_rejected_or_conceded_earns_nothing(rejected):
    assert scorer.judge(NO_TIME, rejected).score == 0, rejected


@pytest.mark.parametrize("kept", [
    f"Wie viel Zeit braucht das wirklich? {POINT}",
    f"{POINT} Das ist kein Hexenwerk.",
    f"{POINT} Stundenlanges Scrollen bringt dagegen gar nichts.",
    f"Vergessen Sie nicht: {POINT[0].lower()}{POINT[1:]}",
])
def test_a_question_before_the_point_or_a_negation_after_it_takes_nothing_back(kept):
    assert scorer.judge(NO_TIME, kept).score >= 1, kept


@pytest.mark.parametrize("reply", ["Nicht im Netz.", "Nicht, wenn es um den Ruf geht.", "Bloß nicht.",
                                   "Auf keinen Fall, da hängt Ihnen ein Patzer ewig nach."])
def test_a_question_rejected_by_the_reply_is_not_the_trainees_claim(reply):
    question = "Fehler sind in Ordnung"
    assert question not in read(f"{question}? {reply}")
    assert question in read(f"{question}. Wer anfängt, lernt dazu.")


SHORT_POINT = "Eine Viertelstunde zweimal die Woche im Kalender reicht"


@pytest.mark.parametrize("distanced", [
    f"{SHORT_POINT} – das sagt sich so leicht.",
    f"{SHORT_POINT}, predigen die Berater immer.",
    f"{SHORT_POINT}, sagen die. Aber wer hat dafür Zeit?",
    f"{SHORT_POINT}, heißt es so schön.",
    f"{SHORT_POINT} – schöner Kalenderspruch.",
    f"{SHORT_POINT}, klingt im Seminar ganz wunderbar.",
    f"Es heißt ja immer, {SHORT_POINT[0].lower()}{SHORT_POINT[1:]}.",
    f"Man hört oft, {SHORT_POINT[0].lower()}{SHORT_POINT[1:]}.",
    f"{SHORT_POINT}, schön.",
    f"„{SHORT_POINT}“ – und wer zählt hinterher die Abende?",
])
def test_a_point_held_at_arms_length_is_the_ceos_doubt_not_the_trainees_argument(distanced):
    assert scorer.judge(NO_TIME, distanced).score == 0, distanced


@pytest.mark.parametrize("granted", [
    f"{SHORT_POINT}, wird gern behauptet.",
    f"Man könnte jetzt sagen, {SHORT_POINT[0].lower()}{SHORT_POINT[1:]}.",
    f"{SHORT_POINT}, und trotzdem ist Ihr Betrieb wichtiger.",
    f"{SHORT_POINT}? Mag sein, nur nicht bei Ihnen.",
    f"{SHORT_POINT} – mitten in der Hauptsaison?",
])
def test_a_point_granted_or_doubted_by_the_next_clause_is_not_argued(granted):
    assert scorer.judge(NO_TIME, granted).score == 0, granted


ECHO = "Zweimal die Woche eine Viertelstunde fest im Kalender?"


@pytest.mark.parametrize("judging", ["Das frisst am Ende trotzdem Ihren ganzen Abend.",
                                     "Da machen Sie sich was vor, daraus werden schnell zwei Stunden."])
def test_an_echoed_claim_is_judged_by_the_reply_that_points_back_at_it(judging):
    assert scorer.judge(NO_TIME, f"{ECHO} {judging}").score == 0


@pytest.mark.parametrize("affirming", ["Das reicht für den Anfang völlig.", "Auf jeden Fall, so ein fester Termin trägt.",
                                       "Das lohnt sich, glauben Sie mir."])
def test_an_echoed_claim_the_reply_affirms_is_the_trainees(affirming):
    assert scorer.judge(NO_TIME, f"{ECHO} {affirming}").score >= 1


def test_a_tag_question_asks_the_ceo_to_agree_with_the_point():
    assert scorer.judge(NO_TIME, f"{SHORT_POINT}, oder?").score >= 1


def test_in_reality_takes_back_what_was_said_since_the_last_turn():
    answer = f"Ja, man hört überall: {SHORT_POINT}. Aber in Wahrheit frisst LinkedIn jeden Abend zwei Stunden."
    assert scorer.judge(NO_TIME, answer).score == 0
    # The trainee's own point after "in Wahrheit" still counts.
    own = f"Viele denken, dafür brauche man Stunden. In Wahrheit gilt: {SHORT_POINT}."
    assert scorer.judge(NO_TIME, own).score >= 1


def test_telling_what_the_ceo_has_to_tell_is_no_hearsay():
    answer = f"Sie haben mehr zu erzählen als jeder Berater. Und {SHORT_POINT[0].lower()}{SHORT_POINT[1:]}."
    assert scorer.judge(NO_TIME, answer).score >= 1


def test_a_negated_point_is_denied_by_its_words_without_the_negation():
    assert polarity.opposite("Perfektion ist kein Startkriterium") == "Perfektion ist Startkriterium"
    assert polarity.opposite("Sie müssen nicht ständig online sein") == "Sie müssen ständig online sein"
    assert polarity.opposite("Ohne Netzwerk bleiben Sie unsichtbar") == ""  # "ohne" reshapes more
    assert polarity.opposite("Ein Marathon und kein Sprint") == ""  # a closing contrast negates nothing
    tidy_up = KB.excuse("excuse_tidy_up_first")
    assert scorer.judge(tidy_up, "Perfektion ist sehr wohl ein Startkriterium, halbfertig blamiert man sich.").score == 0


def test_a_clause_arguing_the_opposite_without_a_negation_word_sides_with_the_ceo():
    point = "Zehn Minuten am Morgen genügen."
    assert scorer.judge(NO_TIME, point).score >= 1
    opposite = f"{point} Wer dort mitreden will, hängt am Ende jeden Abend stundenlang am Handy."
    assert meaning.clauses_siding_with_ceo(NO_TIME, opposite) == (1,)
    judgement = scorer.judge(NO_TIME, opposite)
    assert judgement.score == 0 and judgement.verdict == scorer.VERDICT_AGAINST


def test_telling_the_ceo_what_he_need_not_do_sides_with_nobody():
    no_resources = KB.excuse("excuse_no_resources")
    answer = "Sie brauchen kein Social-Media-Team. Eine Kollegin mit ein paar Stunden die Woche genügt für den Anfang."
    assert meaning.clauses_siding_with_ceo(no_resources, answer) == ()
    assert scorer.judge(no_resources, answer).score >= 1
    assert polarity.relieves("Sie brauchen kein Social-Media-Team")
    assert polarity.relieves("Aber du musst ja nicht jeden Tag posten")
    assert not polarity.relieves("Sie brauchen ein ganzes Team dafür")
    assert not polarity.relieves("Man braucht kein Team")


@pytest.mark.parametrize("limited", ["Eine Viertelstunde am Montag, mehr nicht.",
                                     "Eine Viertelstunde am Montag, mehr braucht es wirklich nicht.",
                                     "Nicht mehr als eine Viertelstunde am Montag."])
def test_a_negated_more_limits_what_is_needed_and_denies_nothing(limited):
    assert polarity.negations(limited) == 0


@pytest.mark.parametrize("denied", ["Sie sind dort nicht mehr sichtbar.", "Mehr Kunden bringt Ihnen das nicht."])
def test_no_longer_and_a_negated_amount_still_deny(denied):
    assert polarity.negations(denied) == 1


def test_und_zwar_specifies_the_point_and_concedes_nothing():
    assert "und zwar jeden Dienstag fest im Kalender" in read(
        "Ein kurzer Termin reicht, und zwar jeden Dienstag fest im Kalender.")
    assert not read("Zwar reicht ein kurzer Termin am Dienstag.")
    assert scorer.judge(NO_TIME, "Ein Viertelstündchen nach dem Mittagessen, mehr nicht, und zwar immer zur "
                                 "gleichen Zeit.").score == 1


def test_a_quoted_point_the_reply_takes_up_is_the_trainees():
    assert scorer.judge(NO_TIME, f"„{SHORT_POINT}“ – genau, so machen es die meisten Chefs, die ich kenne.").score >= 1


@pytest.mark.parametrize("question, negated", [
    ("Wer liest das schon?", 1),
    ("Und warum sollte ein Einkäufer ausgerechnet dort nach Ihnen suchen?", 1),
    ("Wer erwartet denn ernsthaft, dass Sie den ganzen Tag online sind?", 1),
    # A question that asks (no "schon", "sollte", "denn ernsthaft") states nothing of its own.
    ("Was fragen Ihre Kunden am Telefon am häufigsten?", 0),
    ("Wer kümmert sich bei Ihnen denn um die Website?", 0),
])
def test_a_rhetorical_question_states_its_negation(question, negated):
    assert {n for _, n, _ in answer_clauses.readings(question)} == {negated}


def test_a_rhetorical_question_denies_a_point_and_makes_a_negated_one():
    assert scorer.judge(NO_TIME, "Und wer erwartet denn ernsthaft, einen Geschäftsführer auf Messen oder "
                                 "auf LinkedIn zu treffen?").score == 0
    assert scorer.judge(NO_TIME, "Wer verlangt denn ernsthaft, dass Sie den ganzen Tag online sind?").score == 1


def test_a_negated_clause_whose_positive_version_makes_a_point_denies_it(monkeypatch):
    privacy, denial = KB.excuse("excuse_data_privacy"), "Die Kunden wechseln deswegen nicht zum Wettbewerb."
    assert scorer.judge(privacy, denial).score == 0
    # Read by its negation count alone, it matched a phrasing with a "nicht" elsewhere in it.
    monkeypatch.setattr(meaning, "opposite", lambda text: "")
    meaning._read.cache_clear()
    assert scorer.judge(privacy, denial).score > 0
    meaning._read.cache_clear()


def test_a_question_that_doubts_the_ceos_premise_does_not_side_with_him():
    # "Woher wissen Sie, dass die nicht da sind?" states that they may well be there.
    customers = KB.excuse("excuse_customers_not_there")
    answer = ("Woher wissen Sie, dass die nicht da sind? "
              "Die Nachfolger Ihrer Einkäufer sind mit dem Smartphone aufgewachsen.")
    judgement = scorer.judge(customers, answer)
    assert judgement.score >= 1 and judgement.verdict != scorer.VERDICT_AGAINST
    assert read("Wer sagt denn, dass Sie ständig online sein müssen?")["dass Sie ständig online sein müssen"] == 1


def test_an_answer_whose_denials_clearly_outnumber_its_points_argues_the_ceos_case(monkeypatch):
    customers = KB.excuse("excuse_customers_not_there")
    answer = ("Ihre Einkäufer sind nicht auf LinkedIn, die lesen da auch nicht heimlich mit. Und die nächste "
              "Generation bestellt genauso per Telefon, da verlieren Sie keinen Anschluss.")
    judgement = scorer.judge(customers, answer)
    assert judgement.score == 0 and judgement.verdict == scorer.VERDICT_AGAINST
    # Weighed only against the dismissals and the clauses siding with the CEO, one point got through.
    monkeypatch.setattr(scorer, "AGAINST_MAJORITY", 99)
    monkeypatch.setattr(scorer, "CEO_SIDE", 2.0)  # the whole-answer reading (next test) off
    assert scorer.judge(customers, answer).score > 0


@pytest.mark.parametrize("excuse, answer, threshold, off, score, score_without", [
    # The points' words, waved away in a way no clause rule knows ("alles gut und schön auf
    # Folien"): the whole answer reads as the CEO's case and earns nothing.
    ("excuse_delegate_to_juniors", "Chefsache, persönliche Glaubwürdigkeit, alles gut und schön auf Folien. Ihre "
     "Azubis machen das mit links, und Sie kümmern sich um die Firma.", "CEO_SIDE", 2.0, 0, 2),
    # "… teilt im Team auch keiner was" reads as a denial by its negation alone; the whole answer
    # argues for LinkedIn, so the clause makes the point it comes near.
    ("excuse_employees_unwilling", "Wenn der Chef nichts teilt, teilt im Team auch keiner was. Fangen Sie mit "
     "einem Beitrag an, die Leute schauen sich das bei Ihnen ab.", "TRAINEE_SIDE", 0.0, 1, 0),
])
def test_the_whole_answers_side_decides_what_its_clauses_leave_open(monkeypatch, excuse, answer, threshold, off,
                                                                     score, score_without):
    # coach/answer_stance.py reads the whole answer; each threshold switched off restores the clause reading.
    assert scorer.judge(KB.excuse(excuse), answer).score == score
    monkeypatch.setattr(scorer, threshold, off)
    assert scorer.judge(KB.excuse(excuse), answer).score == score_without


@pytest.mark.parametrize("premise", ["Dass keiner was liked, heißt gar nichts",
                                     "Und dass Ihre Kunden da nicht mitlesen, ist ein Märchen"])
def test_waving_away_a_negated_premise_takes_the_points_side(premise):
    assert not polarity.dismisses(premise)
    assert polarity.negations(premise) == 0  # the verdict cancels the premise's negation
    assert polarity.dismisses("Dass es LinkedIn seit zwanzig Jahren gibt, heißt gar nichts")
    customers = KB.excuse("excuse_customers_not_there")
    assert scorer.judge(customers, f"{premise}. Gelesen wird trotzdem, still und leise.").score == 1
