"""The practice mode (actions/practice*.py) with real rasa_sdk trackers and the form mechanics
of Rasa (tests/coach_harness.py, PracticeConversation)."""
import pytest

from actions import practice_input, practice_phrasing
from actions.coaching_replies import KB, cited
from core.slot_contract import FORGET_ME
from tests.coach_harness import PracticeConversation
from tests.test_practice_scorer import STRONG

NO_TIME = KB.excuse("excuse_no_time")
FOLLOW_UP = "Und das Netzwerk bringt neue Kontakte und Geschäftschancen. Die Sichtbarkeit der Geschäftsführung zählt auch."


def excuse_of_opening(text):
    found = [e for e in KB.excuses.values() if any(o in text for o in e.practice.openings)]
    assert len(found) == 1, f"no single opening in {text!r}"
    return found[0]


def started(code_message="ohne Code", sender="trainee-1"):
    chat = PracticeConversation(sender)
    chat.say("start_practice", "Rollenspiel starten")
    chat.say("nlu_fallback", code_message)
    return chat


def test_start_explains_and_asks_for_the_code():
    chat = PracticeConversation()
    chat.say("start_practice", "Übungsmodus")
    assert chat.responses == ["utter_practice_intro", "utter_practice_ask_code"]
    assert "fünf Runden" in chat.text and "„Tipp“" in chat.text and "„Stopp“" in chat.text
    assert chat.button_payloads == ["ohne Code"]
    assert chat.slots["mode"] == "practice" and chat.active_loop == "practice_form"


@pytest.mark.parametrize("message,code", [("Code WS-NOV", "WS-NOV"), ("unser trainingscode ist ws-nov", "WS-NOV"),
                                          ("WS-NOV", "WS-NOV"), ("Kurscode: KURS7", "KURS7"),
                                          ("ohne Code", None), ("nein, hab keinen", None), ("Code habe ich keinen", None)])
def test_code_question(message, code):
    chat = started(message)
    assert chat.slots.get("training_code") == code
    assert ("utter_practice_code_saved" if code else "utter_practice_no_code") in chat.responses
    assert "utter_practice_ask_excuse" in chat.responses
    assert chat.button_payloads[:len(KB.common_excuses)] == [f"/{e}" for e in KB.common_excuses]
    assert chat.button_payloads[-1] == "/affirm"  # "Coach wählt aus"


@pytest.mark.parametrize("message", ["ohne Code", "Code WS-NOV"])
def test_a_code_reply_read_as_start_answers_the_question_without_a_second_intro(message):
    chat = PracticeConversation()
    chat.say("start_practice", "Übungsmodus")
    chat.say("start_practice", message)  # what the NLU makes of the button "ohne Code"
    assert "utter_practice_intro" not in chat.responses and "utter_practice_ask_excuse" in chat.responses
    assert chat.slots["practice"]["attempt"] == 1


def test_code_in_the_start_message_skips_the_question():
    chat = PracticeConversation()
    chat.say("start_practice", "Rollenspiel starten mit Code ws-nov, 3 Runden")
    assert chat.slots["training_code"] == "WS-NOV"
    assert chat.responses == ["utter_practice_intro", "utter_practice_code_saved", "utter_practice_ask_excuse"]
    assert "drei Runden" in chat.text


@pytest.mark.parametrize("text,code", [("Rollenspiel mit Code starten", None), ("Übungsmodus Code: WS-NOV", "WS-NOV"),
                                       ("Code 2024-11 bitte", "2024-11")])
def test_parse_code_in_start_message(text, code):
    assert practice_input.parse_code(text) == code


def test_chosen_excuse_opens_in_character_not_with_the_title():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    assert chat.responses == ["utter_practice_opening"]
    assert excuse_of_opening(chat.text) is NO_TIME
    assert "Runde 1 von 5" in chat.text and NO_TIME.title not in chat.text


def test_coach_picks_when_asked_and_openings_vary_between_trainees():
    openings = set()
    for n in range(8):
        chat = started(sender=f"trainee-{n}")
        chat.say("affirm", "/affirm")
        excuse_of_opening(chat.text)
        openings.add(chat.text)
    assert len(openings) >= 4


def test_answer_is_scored_whatever_the_nlu_predicts():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say("excuse_no_time", STRONG["excuse_no_time"])  # the NLU reads the answer as the excuse
    assert "action_coach_excuse" not in chat.actions
    assert chat.responses == ["utter_practice_strong", "utter_practice_yes_but"]
    assert "3 von 3 Punkten" in chat.text and "Stark waren „" in chat.text  # several points: plural
    assert "„Kleine feste Zeitfenster genügen“ (Ihre Worte: „Zwei kurze Slots von 15 Minuten pro Woche" in chat.text
    assert any(y in chat.text for y in NO_TIME.practice.yes_buts)
    assert chat.slots["practice_rounds"][0]["score"] == 3
    assert chat.slots["practice_rounds"][0]["answer_excerpt"].startswith("Sie müssen ja nicht ständig")


def test_follow_up_counts_for_the_round_then_feedback_and_next_round():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say("deny", "Sie müssen ja nicht ständig online sein. Ein paar kurze, feste Zeitfenster pro Woche reichen.")
    assert "1 von 3 Punkten"  # two facets of one argument: one idea in chat.text
    chat.say("deny", FOLLOW_UP)
    assert chat.responses == ["utter_practice_follow_up_gain", "utter_practice_round_result", "utter_practice_opening"]
    assert "Neu dazu kam" in chat.text  # "kam"/"kamen" by count: test_words_agree_with_the_number_of_items
    assert "Runde 1: 3 von 3 Punkten" in chat.text
    assert any(f"({cited(a.sources)})" in chat.text for a in NO_TIME.arguments[1:])  # a missed argument's sources
    assert NO_TIME.practice.model_answer in chat.text
    assert "Runde 2 von 5" in chat.text and excuse_of_opening(chat.text.split("Runde 2")[1]) is not NO_TIME
    entry = chat.slots["practice_rounds"][0]
    assert entry["score"] == 3 and "Netzwerk bringt Geschäftschancen" in entry["covered"]


def test_weak_answers_get_zero_and_a_friendly_nudge():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say("affirm", "ok")
    assert chat.responses == ["utter_practice_nudge_short", "utter_practice_yes_but"]
    chat.say("nlu_fallback", "Naja, das sehen viele so, das verstehe ich schon.")
    assert chat.responses[:2] == ["utter_practice_follow_up_none", "utter_practice_round_result"]
    assert "Runde 1: 0 von 3 Punkten" in chat.text
    assert f"„Kleine feste Zeitfenster genügen“ und „Kein Dauer-Online-Sein nötig“ ({cited(NO_TIME.arguments[0].sources)})" in chat.text


def test_off_topic_answer_is_nudged():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say("out_of_scope", "Das Wetter ist heute echt schön, ich geh gleich Kaffee trinken.")
    assert chat.responses[0] == "utter_practice_nudge_off_topic" and "0 Punkte" in chat.text


@pytest.mark.parametrize("agreeing", [
    "Beziehungen zahlen sich irgendwann aus, sagen die Berater. Ein Auftrag kommt über den Außendienst – da haben Sie völlig recht.",
    "Bei so einem Quartal hätte ich auch anderes im Kopf. An Ihrer Stelle würde ich das lieber lassen.",
])
def test_an_answer_that_gives_the_ceo_right_is_told_so(agreeing):
    chat = started()
    chat.say("excuse_no_roi", "/excuse_no_roi")
    chat.say("nlu_fallback", agreeing)
    assert chat.responses[0] == "utter_practice_nudge_agrees"
    assert "geben Sie dem Chef recht" in chat.text and "0 Punkte" in chat.text and "Tipp" in chat.text


def test_a_keyword_list_earns_at_most_the_point_one_word_hits_and_is_asked_for_a_sentence():
    chat = started()
    chat.say("excuse_customers_not_there", "/excuse_customers_not_there")
    chat.say("nlu_fallback", "Generationswechsel, Einkäufer, Sichtbarkeit, Strategie, B2B")
    first = chat.responses[0]
    assert first in ("utter_practice_keywords_one", "utter_practice_nudge_keywords")
    assert "Gut gekontert" not in chat.text and "ganzen Satz" in chat.text
    assert ("1 Punkt" if first == "utter_practice_keywords_one" else "0 Punkte") in chat.text


@pytest.mark.parametrize("intent,text", [("ask_hint", "Tipp"), ("help", "Hilfe"),
                                         ("ask_first_steps", "Tipps bitte"), ("nlu_fallback", "hinweis pls")])
def test_hint_during_a_round_does_not_end_it(intent, text):
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say(intent, text)
    assert chat.responses == ["utter_practice_hint"]  # no repeated opening
    assert f"„{NO_TIME.arguments[0].key_points[0].label}“" in chat.text
    chat.say("ask_hint", "noch ein Tipp")
    assert f"„{NO_TIME.arguments[0].key_points[1].label}“" in chat.text
    chat.say("excuse_no_time", STRONG["excuse_no_time"])
    assert chat.responses[0] == "utter_practice_strong"
    assert chat.slots["practice_rounds"][0]["hints"] == 2


def test_hint_skips_covered_arguments():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say("deny", "Sie müssen ja nicht ständig online sein, 15 Minuten pro Woche reichen.")
    chat.say("ask_hint", "Tipp?")
    assert f"„{NO_TIME.arguments[1].key_points[0].label}“" in chat.text
    assert chat.responses == ["utter_practice_hint"]


def test_long_answer_misread_as_hint_or_stop_is_scored():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say("ask_hint", "Mein Tipp: Blocken Sie sich zwei feste Zeitfenster pro Woche für LinkedIn, Sie müssen da "
                         "nicht ständig online sein.")
    assert chat.responses[0] == "utter_practice_strong"
    chat.say("stop_practice", "Hören Sie auf mit der Ausrede, Ihr Netzwerk und Ihre Kontakte bringen Geschäftschancen.")
    assert chat.responses[:2] == ["utter_practice_follow_up_gain", "utter_practice_round_result"]
    assert chat.active_loop == "practice_form"


def test_long_answer_misread_as_delete_request_is_scored_and_deletes_nothing():
    chat = started()
    chat.say("excuse_data_privacy", "/excuse_data_privacy")
    chat.say("delete_my_data", "Beiträge und Kommentare kann man jederzeit löschen, und private Themen "
                               "bleiben ohnehin draußen, Sie entscheiden was sichtbar ist.")
    assert chat.responses[0] in ("utter_practice_strong", "utter_practice_nudge_off_topic")
    assert chat.active_loop == "practice_form" and chat.slots["practice_rounds"]
    assert not chat.slots.get(FORGET_ME)  # the Rasa server deletes when this is set


def test_delete_request_during_the_practice_ends_it_and_asks_the_server_to_delete():
    chat = started()
    chat.say("excuse_data_privacy", "/excuse_data_privacy")
    chat.say("delete_my_data", "Meine Daten löschen")
    assert chat.responses == ["utter_data_deleted"]
    assert chat.active_loop is None and chat.slots[FORGET_ME] is True


@pytest.mark.parametrize("text", ["Meine Daten löschen", "/delete_my_data",
                                  "Bitte löschen Sie alle meine Daten und das ganze Gespräch jetzt sofort"])
def test_delete_request_during_the_practice_is_one(text):
    from actions import privacy

    assert privacy.is_delete_request(text)


def test_stop_early_gives_summary_and_coaching_works_again():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say("deny", STRONG["excuse_no_time"])
    chat.say("deny", FOLLOW_UP)
    chat.say("deny", "Ja, kann sein.")  # round 2, weak
    chat.say("stop_practice", "Stopp")
    assert chat.active_loop is None
    assert chat.responses == ["utter_practice_summary", "utter_practice_focus", "utter_practice_offer_again"]
    second = KB.excuse(chat.slots["practice_rounds"][1]["excuse_id"])
    assert "3 von 6 möglichen Punkten" in chat.text
    assert f"Runde 1 – {NO_TIME.title}: 3 von 3" in chat.text and f"Runde 2 – {second.title}: 0 von 3" in chat.text
    assert chat.button_payloads[0] == f'/start_practice{{"excuse":"{second.id}"}}'
    assert chat.slots["practice_answer"] is None
    chat.say("excuse_data_privacy", "Und der Datenschutz?")
    assert chat.actions == ["action_coach_excuse"]
    assert KB.excuse("excuse_data_privacy").arguments[0].text in chat.text


def test_stop_before_any_answer():
    chat = started()
    chat.say("stop_practice", "Auswertung")
    assert chat.responses == ["utter_practice_summary_empty"] and chat.button_payloads == ["/start_practice"]
    assert chat.active_loop is None


def test_stop_word_misread_as_other_intent_still_stops():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say("goodbye", "stopp, auswertung bitte")
    assert chat.active_loop is None and "utter_practice_summary_empty" in chat.responses


def test_five_rounds_then_summary_and_offer_of_the_weakest_excuse():
    chat = started("Code WS-NOV")
    chat.say("affirm", "/affirm")
    played = []
    for n in range(5):
        excuse = excuse_of_opening(chat.text.split(f"Runde {n + 1} von 5")[1])
        played.append(excuse.id)
        answer = STRONG[excuse.id] if n != 2 else "Ach, das wird schon irgendwie."
        chat.say("nlu_fallback", answer)
        chat.say("deny", "Ja, aber das ändert nichts an meinem Punkt." if n != 2 else "weiß nicht")
    assert chat.active_loop is None
    assert chat.responses[-3:] == ["utter_practice_summary", "utter_practice_focus", "utter_practice_offer_again"]
    rounds = chat.slots["practice_rounds"]
    assert [r["excuse_id"] for r in rounds] == played and len(set(played)) == 5
    assert [r["score"] for r in rounds] == [3, 3, 0, 3, 3]
    assert "12 von 15 möglichen Punkten" in chat.text
    weakest = KB.excuse(played[2])
    assert f"„{weakest.arguments[0].key_points[0].label}“ (bei „{weakest.title}“)" in chat.text
    assert f"bei „{weakest.title}“. Wollen Sie" in chat.text
    assert chat.slots["training_code"] == "WS-NOV" and chat.slots["mode"] == "practice"

    chat.say("start_practice", f'/start_practice{{"excuse":"{weakest.id}"}}',
             entities=[{"entity": "excuse", "value": weakest.id}])
    assert "eine Runde" in chat.text and "utter_practice_ask_code" not in chat.responses
    assert excuse_of_opening(chat.text) is weakest and "Runde 1 von 1" in chat.text
    chat.say("nlu_fallback", STRONG[weakest.id])
    chat.say("deny", "Genau so sehe ich das.")
    assert chat.active_loop is None and "utter_practice_summary" in chat.responses
    assert [(r["attempt"], r["round"], r["score"]) for r in chat.slots["practice_rounds"][-1:]] == [(2, 1, 3)]
    assert "3 von 3 möglichen Punkten" in chat.text


def test_outside_the_practice():
    chat = PracticeConversation()
    chat.say("ask_hint", "Tipp")
    assert chat.responses == ["utter_practice_hint_inactive"] and chat.button_payloads == ["/start_practice"]
    chat.say("stop_practice", "Stopp")
    assert chat.responses == ["utter_practice_not_active"]
    chat.say("help", "Hilfe")
    assert chat.actions == ["action_show_help"]
    chat.say("excuse_no_time", "keine Zeit")
    chat.say("ask_hint", "Tipp")  # while coaching: the first steps
    assert NO_TIME.first_steps[0] in chat.text
    chat.say("stop_practice", "beenden")  # while coaching: the summary, as on goodbye
    assert "utter_summary_excuses" in chat.responses and chat.slots["phase"] == "rating"


def test_start_again_during_the_practice_starts_a_new_run():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say("start_practice", "Rollenspiel starten")
    assert chat.responses == ["utter_practice_intro", "utter_practice_ask_excuse"]
    assert chat.slots["practice"]["attempt"] == 2 and chat.active_loop == "practice_form"


def test_practice_results_go_through_the_session_log_into_the_trainer_report(tmp_path, monkeypatch):
    """The slots the practice sets, published like Rasa's event broker does, land in the store
    (idempotently, also when replayed) and in the trainer view of the report."""
    import json

    from core import report
    from addons.session_log import SessionLogBroker

    monkeypatch.setenv("SENDER_HASH_SECRET", "test-secret")
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    broker = SessionLogBroker(url)
    clock = iter(range(1_700_000_000, 1_700_001_000))

    def publish(sender, **event):
        broker.publish({"sender_id": sender, "timestamp": float(next(clock)), **event})

    def play(sender, answers, code="WS-NOV", again=False):
        chat = PracticeConversation(sender)
        chat.say("start_practice", "Rollenspiel starten")
        chat.say("nlu_fallback", f"Code {code}")
        chat.say("affirm", "/affirm")
        for answer in answers:
            chat.say("nlu_fallback", answer or STRONG[excuse_of_opening(chat.text.split("Runde")[-1]).id])
            chat.say("deny", "Ja, aber das sehe ich anders.")
        if again:
            chat.say("start_practice", f'/start_practice{{"excuse":"{chat.slots["practice_rounds"][0]["excuse_id"]}"}}',
                     entities=[{"entity": "excuse", "value": chat.slots["practice_rounds"][0]["excuse_id"]}])
            chat.say("nlu_fallback", STRONG[chat.slots["practice_rounds"][0]["excuse_id"]])
            chat.say("deny", "Genau.")
        publish(sender, event="session_started")
        for name in ("mode", "training_code", "practice_rounds"):
            for _ in range(2):  # a replay changes nothing
                publish(sender, event="slot", name=name, value=chat.slots[name])
        return chat

    weak = play("weak-trainee", ["Hm, keine Ahnung.", "Naja.", "Das sehe ich auch so.", "ok", "weiß nicht"], again=True)
    play("strong-trainee", [None] * 5)
    play("other-group", [None] * 5, code="OTHER")
    broker.store.dispose()

    data = json.loads(_report(report, url, "--format", "json", "--code", "WS-NOV"))
    assert {s["mode"] for s in data["sessions"]} == {"practice"} and len(data["sessions"]) == 2
    weak_session = next(s for s in data["sessions"] if sum(r["score"] for r in s["practice_rounds"]) < 10)
    assert [(r["attempt"], r["round"]) for r in weak_session["practice_rounds"]] == [(1, n) for n in range(1, 6)] + [(2, 1)]
    assert weak_session["practice_rounds"][0]["answer_excerpt"] == "Hm, keine Ahnung."
    trainer = data["summary"]["practice"]
    assert trainer["participants"] == 2 and trainer["rounds"] == 11
    assert trainer["most_missed"][0]["missed"] >= 1
    progress = {p["participant"]: p for p in trainer["progress"]}
    assert all(name.startswith("T-") and len(name) == 10 for name in progress)
    weak_progress = next(p for p in progress.values() if len(p["attempts"]) == 2)
    assert weak_progress["first_average"] == 0 and weak_progress["best_average"] == 3 and weak_progress["progress"] == 3
    assert "weak-trainee" not in json.dumps(data)
    excuse_again = KB.excuse(weak.slots["practice_rounds"][0]["excuse_id"])

    text = _report(report, url, "--code", "WS-NOV")
    assert "Übungsmodus (Rollenspiel) – Trainingscode WS-NOV:" in text
    assert "Teilnehmende: 2, Runden: 11" in text
    assert f"  - {excuse_again.title}: " in text and "Am häufigsten verpasste Kernpunkte:" in text
    assert f"  - {weak_progress['participant']}: 2 Durchgänge, 0,0 → 3,0 (+3,0)" in text


def _report(report, url, *args):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert report.main(["--database-url", url, *args]) == 0
    return out.getvalue()


def test_an_answer_typed_before_the_excuse_is_chosen_is_told_to_wait_for_the_excuse():
    chat = started()
    chat.say("excuse_no_roi", "Man muss das langfristig sehen, Vertrauen entsteht nicht über Nacht.", confidence=0.3)
    assert chat.responses[:2] == ["utter_practice_answer_too_early", "utter_practice_opening"]
    assert chat.active_loop == "practice_form"


def test_an_answer_to_the_excuse_the_nlu_reads_in_it_is_told_to_wait_and_plays_that_excuse():
    chat = started()
    chat.say("excuse_no_time", "Sie müssen ja nicht jeden Tag posten, zweimal die Woche eine Viertelstunde reicht völlig.")
    assert chat.responses[:2] == ["utter_practice_answer_too_early", "utter_practice_opening"]
    assert chat.slots["practice"]["excuse"] == "excuse_no_time" and not chat.slots.get("practice_rounds")


def test_an_excuse_chosen_in_words_is_no_early_answer():
    chat = started()
    chat.say("excuse_no_time", "Nehmen wir bitte keine Zeit, das höre ich bei uns ständig.")
    assert chat.responses == ["utter_practice_opening"] and chat.slots["practice"]["excuse"] == "excuse_no_time"


def test_a_stale_button_is_no_answer_the_ceo_says_his_line_again():
    chat = started()
    chat.say("excuse_no_time", "/excuse_no_time")
    opening = chat.text
    chat.say("excuse_no_time", "/excuse_no_time")
    assert chat.responses == ["utter_practice_opening"] and chat.text == opening
    chat.say("affirm", "/affirm")
    assert chat.responses == ["utter_practice_opening"] and not chat.slots.get("practice_rounds")
    # another excuse's button before the first answer plays that excuse in the same round
    chat.say("excuse_data_privacy", "/excuse_data_privacy")
    assert chat.responses == ["utter_practice_opening"] and "Runde 1 von 5" in chat.text
    assert chat.slots["practice"]["excuse"] == "excuse_data_privacy"
    chat.say("deny", STRONG["excuse_data_privacy"])
    assert chat.responses[0] == "utter_practice_strong"
    chat.say("excuse_no_time", "/excuse_no_time")  # during the follow-up: his "Ja, aber" again, nothing scored
    assert chat.responses == ["utter_practice_yes_but"]
    assert [r["excuse_id"] for r in chat.slots["practice_rounds"]] == ["excuse_data_privacy"]


def test_no_thanks_after_the_summary_ends_the_practice_not_in_the_coaching_fallback():
    chat = PracticeConversation()
    chat.say("start_practice", "Rollenspiel starten, 1 Runde")
    chat.say("nlu_fallback", "ohne Code")
    chat.say("excuse_no_time", "/excuse_no_time")
    chat.say("deny", STRONG["excuse_no_time"])
    chat.say("deny", FOLLOW_UP)
    assert "utter_practice_offer_again" in chat.responses and chat.active_loop is None
    chat.say("deny", "Nein danke")
    assert chat.responses == ["utter_practice_goodbye"]
    assert chat.slots["phase"] is None


def test_words_agree_with_the_number_of_items():
    assert [practice_phrasing.by_count(n, "war", "waren") for n in (1, 2, 3)] == ["war", "waren", "waren"]
    assert practice_phrasing.by_count(1, "diesem Punkt", "diesen Punkten") == "diesem Punkt"


def test_the_session_rounds_are_sent_back_only_when_a_round_was_added():
    from actions.practice_state import ROUNDS_SLOT, Practice

    rounds = [{"attempt": 1, "round": 1, "excuse_id": "excuse_no_time", "score": 2, "covered": []}]
    unchanged = Practice({"attempt": 1, "round": 2}, rounds, "trainee")
    assert [e["name"] for e in unchanged.events()] != [] and ROUNDS_SLOT not in {e["name"] for e in unchanged.events()}
    added = Practice({"attempt": 1, "round": 2}, rounds, "trainee")
    added.rounds.append({"attempt": 1, "round": 2, "excuse_id": "excuse_no_roi", "score": 1, "covered": []})
    sent = {e["name"]: e["value"] for e in added.events()}
    assert len(sent[ROUNDS_SLOT]) == 2 and rounds == [rounds[0]]  # the slot's own list is not changed in place
