"""The practice scorer (coach/practice_scorer.py, by meaning: coach/meaning.py) on answers written
the way trainees type: strong, partial, off-topic, empty and misspelled ones, plus properties that
make the scores trustworthy for all excuses. How often answers land in a trainer's band is
measured on independent answer sets (tests/test_practice_answers.py, make bench)."""
import pytest

from coach import practice_scorer as scorer
from coach.knowledge_base import load

KB = load()

# One strong answer per excuse, in a trainee's words (also used by tests/test_e2e_practice.py).
STRONG = {
    "excuse_no_time": "Sie müssen ja nicht ständig online sein. Zwei kurze Slots von 15 Minuten pro Woche reichen völlig, und Geschäftspartner, die Sie von der Messe kennen, erwarten Sie inzwischen auch auf LinkedIn.",
    "excuse_no_opinion_wanted": "Es geht ja nicht um Ihre Meinung zu allem, sondern um Ihre Erfahrung aus der Branche – damit werden Sie als Experte wahrgenommen. Und wer mitliest, bekommt Trends im Markt früher mit als die Konkurrenz.",
    "excuse_not_my_style": "Sie brauchen kein Selfie und keine Selbstdarstellung. Bleiben Sie sachlich und authentisch, zeigen Sie Ihr Fachwissen oder stellen Sie Ihr Team und Ihre Projekte in den Vordergrund.",
    "excuse_cannot_write": "Sie müssen keinen Literaturpreis gewinnen – kurze, klare Sätze aus der Praxis reichen. Lassen Sie einen jüngeren Kollegen gegenlesen oder machen Sie mit ChatGPT einen ersten Entwurf aus Ihren Stichpunkten.",
    "excuse_no_ideas": "Nehmen Sie einfach die Fragen, die Kunden Ihnen ständig stellen, oder erzählen Sie von einem aktuellen Projekt. Ihr Team hat bestimmt auch Ideen, binden Sie die Kollegen ein – und bleiben Sie regelmäßig dran, das ist ein Marathon.",
    "excuse_no_resources": "Dafür brauchen Sie kein großes Budget. Ihre Mitarbeiter sind die besten Markenbotschafter, deren Beiträge werden viel öfter geteilt. Und gerade beim Fachkräftemangel hilft Ihnen das beim Recruiting.",
    "excuse_no_expertise": "Das ist keine Raketenwissenschaft, das kann man lernen. Starten Sie mit einem einfachen Plan, lassen Sie sich von den Azubis zeigen, wie es geht, und verstehen Sie erst mal die Grundlagen – Fehler sind dabei erlaubt.",
    "excuse_data_privacy": "Datenschutz ist oft nur vorgeschoben. Mit klaren Regeln, was geteilt wird, und ohne Kundendaten – Sie posten ja Ihre Erfahrung, keine Interna – ist das kein Problem.",
    "excuse_customers_not_there": "Ihre heutigen Ansprechpartner gehen in ein paar Jahren in Rente, und die nächste Generation informiert sich selbstverständlich online. Prüfen Sie doch mal, wo Ihre Zielgruppe wirklich unterwegs ist – und wenn Ihr Spezialmarkt nur aus wenigen Kunden besteht, die sich kennen, reicht wenig Aufwand.",
    "excuse_just_hype": "LinkedIn gibt es seit 20 Jahren, das ist kein Strohfeuer. Auch nach der Dotcom-Blase hat sich das Internet durchgesetzt, und wer zu lange abwartet, verliert den Anschluss an die Kunden von morgen.",
    "excuse_dislike_social_media": "Ob Ihnen das privat gefällt, ist Geschmackssache, aber es geht nicht um Sie. Ihre Kunden von morgen sind mit dem Smartphone aufgewachsen, und Social Media ist nicht nur Facebook – auf LinkedIn können Sie mit Fachbeiträgen in Ihrem eigenen Stil auftreten.",
    "excuse_employees_waste_time": "Machen Sie Social Media zur festen Aufgabe mit klaren Regeln und einem Zweck, dann ist das Arbeitszeit und kein Daddeln. Ihre Mitarbeiter werden so zu Markenbotschaftern, deren Beiträge achtmal mehr Engagement bekommen.",
    "excuse_delegate_to_juniors": "Ihre Firmenbroschüre würden Sie doch auch nicht dem Praktikanten überlassen. Als Chef wirken Sie glaubwürdiger als jede Unternehmensseite, und Ihr persönliches Netzwerk ist ein echter Vorteil – Sie müssen ja nicht alles selbst machen, aber dem Team Rückendeckung geben.",
    "excuse_fear_of_mistakes": "Drehen Sie die Frage mal um: Das größere Risiko ist, gar nicht dabei zu sein. Fehler sind erlaubt, daraus lernt man, und mit einem klaren Plan und Regeln fürs Team behalten Sie die Kontrolle.",
    "excuse_no_roi": "Social Media ist ein Marathon, kein Sprint – das zahlt sich langfristig über Kundenbeziehungen aus. Wenn Sie schnell Umsatz brauchen, schalten Sie gezielt Werbung. Und fragen Sie im Kundengespräch nach, wie die Leute auf Sie aufmerksam geworden sind.",
    "excuse_employees_unwilling": "Sprechen Sie mit Ihren Leuten und erklären Sie, warum Ihnen das wichtig ist. Gehen Sie selbst mit gutem Beispiel voran und starten Sie mit ein paar Freiwilligen – Fotos bleiben natürlich freiwillig.",
    "excuse_already_have_profile": "Ein Profil allein ist noch keine Aktivität – viele Chefprofile sind schlecht gepflegt. Teilen Sie regelmäßig Beiträge und Kommentare, dann positionieren Sie sich als Experte, und die Firmenseite wirkt glaubwürdiger, wenn auch die Geschäftsführung selbst aktiv wird.",
    "excuse_too_old": "Es geht nicht ums Alter, sondern ums Geschäft: Die Einkäufer von morgen sind mit dem Smartphone aufgewachsen. Ihre Erfahrung ist dort ein Vorteil, und im Austausch mit jüngeren Kollegen lernen Sie schnell dazu.",
    "excuse_on_xing": "XING kann passen, aber entscheidend ist, wo Sie Ihre Kunden heute und morgen erreichen. Jüngere Zielgruppen sind oft woanders, und von Führungskräften wird erwartet, dass man sie auch auf LinkedIn trifft – das ergänzt XING, statt es zu ersetzen.",
    "excuse_tidy_up_first": "Ein Plan vorab ist gut, aber holen Sie das Team gleich ins Boot und sprechen Sie mit den Leuten. Das ist ein Prozess, der Zeit braucht, und wer später anfängt, holt den Vorsprung der anderen nicht so schnell auf.",
    "excuse_distrust_employees": "Vertrauen kann man lernen. Erarbeiten Sie gemeinsam klare Spielregeln, dann werden Ihre Leute zu Markenbotschaftern, und wenn mal ein Fehler passiert, besprechen Sie das offen statt gleich alles zu verbieten.",
}

# Weak trainee: answers that miss the point, as people really answer when unprepared.
WEAK = [
    "Hm, da haben Sie wohl recht.",
    "Keine Ahnung, ehrlich gesagt.",
    "Das müssen Sie selbst wissen, ich will da niemanden zwingen.",
    "ok",
    "Naja, das sehen viele so, das verstehe ich schon.",
]

OFF_TOPIC = [
    "Das Wetter ist heute echt schön, ich geh gleich Kaffee trinken.",
    "Keine Ahnung, was ich dazu sagen soll, ehrlich gesagt.",
    "Ja, da haben Sie wohl recht, das ist schwierig.",
    "Mein Auto war gestern in der Werkstatt und die Rechnung war hoch.",
    "Das verstehe ich, Sie sind halt ein vielbeschäftigter Mann.",
    "Hm, schwierige Frage, darüber muss ich erst nachdenken.",
    "Also ich persönlich nutze nur WhatsApp mit meiner Familie.",
    "Die Pizza beim Italiener um die Ecke ist wirklich die beste der Stadt.",
    "Können wir bitte über etwas anderes reden, zum Beispiel den Urlaub?",
]

# (excuse, kind, answer, expected score, expected covered key point labels)
CASES = [
    ("excuse_no_time", "strong", STRONG["excuse_no_time"], 3,
     {"Kleine feste Zeitfenster genügen", "Kein Dauer-Online-Sein nötig", "Auf LinkedIn wird man erwartet, wie auf Messen"}),
    ("excuse_no_time", "partial", "Das ist doch kein Zeitproblem, sondern Vertrieb: Auf LinkedIn machen Sie Akquise, und wer Sie von Dienstreisen kennt, erwartet Sie dort auch.", 2,
     {"Social Media als Teil der Arbeit, nicht als Freizeit", "Auf LinkedIn wird man erwartet, wie auf Messen"}),
    ("excuse_no_time", "misspelled", "Sie muessen doch nicht dauernd online sein, zwei mal pro woche 15 minuten reicht, und ihre kunden sehen das der chef sichtbar ist", 3,
     {"Kleine feste Zeitfenster genügen", "Kein Dauer-Online-Sein nötig", "Netzwerk macht die Führung sichtbar",
      "Netzwerk bringt Geschäftschancen"}),
    ("excuse_data_privacy", "strong", STRONG["excuse_data_privacy"], 3,
     {"Datenschutz nicht vorschieben", "Meinung und Fachwissen statt Interna", "Erfahrung und Meinung teilen"}),
    ("excuse_data_privacy", "partial", "Fragen Sie Ihre IT doch mal konkret, welches Risiko sie genau sieht.", 2,
     {"Konkrete Risiken benennen lassen", "IT-Bedenken sind lösbar"}),
    ("excuse_data_privacy", "misspelled", "Datenschutz wird oft nur als ausrede benutzt. Mit einer leitlinie fuer alle und ohne vertrauliche kundendaten passiert nix, sie teilen ja nur ihre erfarung", 3,
     {"Datenschutz nicht vorschieben", "Meinung und Fachwissen statt Interna", "Erfahrung und Meinung teilen"}),
    ("excuse_cannot_write", "strong", STRONG["excuse_cannot_write"], 3,
     {"Klare Praxissätze statt schöner Texte", "Jüngere Mitarbeitende helfen lassen", "KI als Schreibhilfe",
      "Eigene Gedanken, eigener Ton", "Andere Formate nutzen"}),
    ("excuse_cannot_write", "partial", "Fehler sind doch nicht schlimm, man wird mit jedem Beitrag sicherer.", 1,
     {"Fehler sind erlaubt"}),
    ("excuse_cannot_write", "misspelled", "Fehler sind erlaubt, keiner erwartet perfekte texte. Sprechen Sie ihre gedanken als sprachnachicht ein und lassen sie die KI einen entwurf draus machen, den kann ein azubi gegenlesen", 3,
     {"Fehler sind erlaubt", "Jüngere Mitarbeitende helfen lassen", "KI als Schreibhilfe", "Eigene Gedanken, eigener Ton"}),
    ("excuse_no_roi", "strong", STRONG["excuse_no_roi"], 3,
     {"Marathon statt Sprint", "Beziehungen und Sichtbarkeit bringen später Umsatz", "Für schnellen Umsatz gezielte Werbung",
      "Im Kundengespräch nachfragen"}),
    ("excuse_no_roi", "partial", "Das braucht halt Geduld und ist ein Marathon, kein Sprint.", 1,
     {"Marathon statt Sprint"}),
    ("excuse_no_roi", "misspelled", "Das ist ein marathon, kein sprint. Messen sie die wirkung doch, fragen sie neue kunden wie sie auf sie gekomen sind, und bedenken sie, die konkurenz schläft nicht", 3,
     {"Marathon statt Sprint", "Die Wirkung messen", "Was das Fernbleiben kostet"}),
    ("excuse_customers_not_there", "strong", STRONG["excuse_customers_not_there"], 3,
     {"Generationswechsel bei Kunden", "Künftige Kunden sind selbstverständlich online", "Prüfen, wo die Kunden sind",
      "In kleinen Spezialmärkten reicht oft wenig"}),
    ("excuse_customers_not_there", "partial", "Woher wissen Sie das denn? Fragen Sie Ihre Kunden doch mal im Kundengespräch.", 2,
     {"Prüfen, wo die Kunden sind", "Kunden fragen, wie sie auf Sie aufmerksam wurden"}),
    ("excuse_customers_not_there", "misspelled", "ihre kunden lesen oft still mit, auch wenn sie nix liken. und die einkaeufer von morgen sind mit dem smartphone aufgewachsen, die nachfolger informieren sich online", 3,
     {"Generationswechsel bei Kunden", "Künftige Kunden sind selbstverständlich online", "Prüfen, wo die Kunden sind",
      "Kunden lesen still mit"}),
    ("excuse_fear_of_mistakes", "strong", STRONG["excuse_fear_of_mistakes"], 3,
     {"Das Risiko, nicht dabei zu sein", "Fehler gehören zum Lernen", "Mit einem Plan starten"}),
    ("excuse_fear_of_mistakes", "partial", "Ein kleiner Ausrutscher ist doch nicht gleich ein Shitstorm, da übertreiben Sie.", 1,
     {"Angst lähmt mehr als ein Fehler"}),
    ("excuse_fear_of_mistakes", "misspelled", "Die Angst lähmt mehr als ein fehler es je könnte. Feher sind erlaubt und mit einem Plan und einem leitfaden fuer alle sind sie gut vorbereitet", 3,
     {"Fehler gehören zum Lernen", "Angst lähmt mehr als ein Fehler", "Mit einem Plan starten"}),
]

SIX_EXCUSES = sorted({c[0] for c in CASES})


BANDS = {"strong": (2, 3), "partial": (1, 2), "misspelled": (2, 3)}


def test_answers_land_in_the_band_of_their_kind():
    """These answers were written for the earlier word-matching scorer (they use the terms); most
    must still land in their band, every one must earn something."""
    results = [(f"{e}-{kind}", scorer.judge(KB.excuse(e), answer).score, BANDS[kind]) for e, kind, answer, _, _ in CASES]
    assert sum(low <= score <= high for _, score, (low, high) in results) >= 0.7 * len(results), results


def test_off_topic_and_weak_answers_score_zero_for_almost_every_excuse():
    scores = [scorer.judge(KB.excuse(e), answer).score for e in KB.excuses for answer in OFF_TOPIC + WEAK]
    assert sum(1 for s in scores if s) <= 0.02 * len(scores) and max(scores) <= 1


@pytest.mark.parametrize("excuse_id", SIX_EXCUSES)
@pytest.mark.parametrize("answer,verdict", [("", scorer.VERDICT_EMPTY), ("   ", scorer.VERDICT_EMPTY),
                                            ("?!", scorer.VERDICT_EMPTY), ("Netzwerk", scorer.VERDICT_TOO_SHORT),
                                            ("Fehler erlaubt", scorer.VERDICT_TOO_SHORT)])
def test_empty_and_one_word_answers_score_zero(excuse_id, answer, verdict):
    judgement = scorer.judge(KB.excuse(excuse_id), answer)
    assert (judgement.verdict, judgement.score) == (verdict, 0)


def test_misspelled_answer_scores_like_the_correct_one():
    excuse = KB.excuse("excuse_no_time")
    correct = scorer.judge(excuse, "Zeigen Sie als Geschäftsführung Gesicht. Ihr Netzwerk bringt Ihnen neue Geschäftschancen.")
    typos = scorer.judge(excuse, "zeigen sie als geschaeftsfuehrung gesicht. ihr netzwek bringt ihnen neue geschaftschancen")
    assert correct.score >= 1 and typos.score >= correct.score - 1  # the encoder reads typos a little worse


def test_own_images_earn_points_and_a_keyword_list_at_most_one():
    excuse = KB.excuse("excuse_no_time")
    own_words = scorer.judge(excuse, "Eine Viertelstunde beim ersten Kaffee am Montag genügt völlig. Ihre Geschäftspartner "
                                     "von der Messe rechnen inzwischen fest damit, Sie dort auch anzutreffen.")
    assert own_words.score >= 2
    keywords = scorer.judge(excuse, "Netzwerk, Sichtbarkeit, Reichweite, Vertrauen, Zeitfenster, Messe")
    assert keywords.score <= 1


def test_an_answer_that_argues_the_opposite_earns_nothing_and_is_told_so():
    judgement = scorer.judge(KB.excuse("excuse_no_time"), "Ein Netzwerk bringt Ihnen ohnehin keine Geschäftschancen, "
                                                           "und die Sichtbarkeit der Chefs ist völlig überschätzt.")
    assert judgement.score == 0
    assert judgement.verdict == scorer.VERDICT_AGAINST and judgement.against


@pytest.mark.parametrize("excuse_id", sorted(KB.excuses))
def test_vague_praise_of_linkedin_is_not_told_it_sides_with_the_ceo(excuse_id):
    # Weak, so no points; but "spricht eher für den Chef" would be wrong feedback.
    judgement = scorer.judge(KB.excuse(excuse_id), "Ich finde LinkedIn halt wichtig, weil alle da sind.")
    assert judgement.score <= 1 and judgement.verdict != scorer.VERDICT_AGAINST, judgement.against


def test_feedback_quotes_the_trainees_own_words():
    answer = "Zwei feste Zeitfenster pro Woche reichen. Und Ihr Netzwerk bringt Aufträge, von denen Sie sonst nichts erfahren."
    judgement = scorer.judge(KB.excuse("excuse_no_time"), answer)
    assert judgement.score >= 2
    for hit in judgement.hits:
        assert all(words in answer for words in hit.words)


def test_strong_answers_score_at_least_two_for_most_excuses():
    scores = {e: scorer.judge(KB.excuse(e), answer).score for e, answer in STRONG.items()}
    assert sum(score >= 2 for score in scores.values()) >= 0.8 * len(scores), scores


@pytest.mark.parametrize("excuse_id", sorted(KB.excuses))
def test_model_answer_scores_at_least_two(excuse_id):
    excuse = KB.excuse(excuse_id)
    assert scorer.judge(excuse, excuse.practice.model_answer).score >= 2


def test_score_scale():
    assert scorer.score_for([]) == 0
    assert scorer.score_for([("a", 0)]) == 1
    assert scorer.score_for([("a", 0), ("b", 0)]) == 1  # two facets of one argument: one idea
    assert scorer.score_for([("a", 0), ("c", 1)]) == 2
    assert scorer.score_for([("a", 0), ("b", 0), ("c", 0)]) == 1
    assert scorer.score_for([("a", 0), ("b", 0), ("c", 1)]) == 3


def test_strongest_missed_argument_and_hint():
    excuse = KB.excuse("excuse_no_time")
    covered = [p.label for p in excuse.arguments[0].key_points]
    assert scorer.strongest_missed(excuse, covered) == 1
    assert scorer.hint(excuse, covered, []) == excuse.arguments[1].key_points[0].label
    assert scorer.hint(excuse, covered, [excuse.arguments[1].key_points[0].label]) == excuse.arguments[1].key_points[1].label
    every = [p.label for a in excuse.arguments for p in a.key_points]
    assert scorer.strongest_missed(excuse, every) is None and scorer.hint(excuse, every, []) is None


def test_follow_up_fits_the_answer_and_is_deterministic():
    excuse = KB.excuse("excuse_cannot_write")
    index = scorer.pick_follow_up(excuse, "Lassen Sie doch eine KI den ersten Entwurf schreiben.", "seed")
    assert "KI" in excuse.practice.yes_buts[index]
    assert all(scorer.pick_follow_up(excuse, "egal", "s1") == scorer.pick_follow_up(excuse, "egal", "s1") for _ in range(3))


@pytest.mark.parametrize("excuse_id", sorted(STRONG))
def test_every_strong_model_answer_earns_points(excuse_id):
    # tests/test_e2e_practice.py plays these answers for excuses drawn at random.
    judgement = scorer.judge(KB.excuse(excuse_id), STRONG[excuse_id])
    assert judgement.score >= 1, (judgement.verdict, judgement.against)


def test_stemming_runs_in_snowballs_c_implementation():
    # PyStemmer (requirements.txt) gives the same stems as the pure-Python snowballstemmer at a
    # fraction of the time; without it scoring an answer takes about twice as long.
    import snowballstemmer

    assert type(snowballstemmer.stemmer("german")).__module__ == "Stemmer"


def test_a_long_answer_that_touches_a_point_only_in_passing_earns_nothing():
    # Five clauses about a cooking course, the last brushing the team: the answer is about
    # something else.
    excuse = KB.excuse("excuse_no_ideas")
    drift = ("Letzten Monat war ich mit meiner Frau in einem Kochkurs, indische Küche. Der Koch hat uns "
             "gezeigt, wie man Naan im Ofen backt. Das Geheimnis ist wohl Joghurt im Teig. Hinterher haben "
             "wir zusammen gegessen, das war richtig gemütlich. Das wäre auch mal ein nettes Teamevent.")
    assert scorer.judge(excuse, drift).score == 0
    # The same point made clearly in a short answer still counts.
    assert scorer.judge(excuse, excuse.practice.model_answer).score >= 1
