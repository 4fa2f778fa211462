"""Each coaching action with real rasa_sdk trackers (the flows of the spec's coaching behaviour)."""
import pytest

from actions.coaching_replies import KB, cited
from tests.coach_harness import ACTIONS, DOMAIN, Conversation

NO_TIME = KB.excuse("excuse_no_time")
PRIVACY = KB.excuse("excuse_data_privacy")


def test_every_domain_action_is_implemented():
    custom = {a for a in DOMAIN["actions"] if a.startswith("action_")}
    assert custom == set(ACTIONS)


def test_greeting_offers_common_excuses():
    chat = Conversation()
    chat.say("greet", "Hallo")
    assert "Ausreden-Coach" in chat.text
    assert chat.button_payloads == [f"/{e}" for e in KB.common_excuses]


@pytest.mark.parametrize("excuse_id", sorted(KB.excuses))
def test_each_excuse_gets_reflection_strongest_argument_and_question(excuse_id):
    excuse = KB.excuse(excuse_id)
    chat = Conversation()
    chat.say(excuse_id)
    assert chat.last[0]["text"] == excuse.reflection
    first = excuse.arguments[0]
    assert chat.last[1]["text"] == f"{first.text} ({cited(first.sources)})"
    assert chat.button_payloads == ["/affirm", "/deny", "/ask_first_steps"]
    assert chat.slots["current_excuse"] == excuse_id
    assert chat.slots["outcomes"] == {excuse_id: "open"}


def test_yes_but_walks_all_arguments_without_repeat_then_first_steps():
    chat = Conversation()
    chat.say("excuse_no_time")
    shown = [NO_TIME.arguments[0].text]
    for argument in NO_TIME.arguments[1:]:
        chat.say("deny", "Ja, aber …")
        assert argument.text in chat.text
        assert not any(s in chat.text for s in shown)
        shown.append(argument.text)
    chat.say("deny", "Ja, aber trotzdem")
    assert "utter_arguments_exhausted" in chat.responses
    assert all(step in chat.text for step in NO_TIME.first_steps)
    assert chat.slots["outcomes"]["excuse_no_time"] == "not_convinced"
    assert chat.slots["phase"] == "steps"


def test_convinced_leads_to_first_steps_and_commit_with_date():
    chat = Conversation()
    chat.say("excuse_no_time")
    chat.say("affirm", "Überzeugt")
    assert "utter_convinced" in chat.responses and NO_TIME.first_steps[0] in chat.text
    assert "/commit_step{\"step_number\":\"2\"}" in chat.button_payloads
    chat.say("commit_step", "Schritt 2 mache ich bis Freitag")
    commitment = chat.slots["commitments"][0]
    assert commitment["step"] == NO_TIME.first_steps[1] and commitment["due_date"]
    assert f"„{NO_TIME.first_steps[1].rstrip('.')}“ – bis Freitag" in chat.text
    assert chat.slots["outcomes"]["excuse_no_time"] == "convinced"


def test_commit_by_button_then_date_in_next_message():
    chat = Conversation()
    chat.say("excuse_no_ideas")
    chat.say("ask_first_steps", "Was kann ich konkret tun?")
    chat.say("commit_step", "/commit_step", entities=[{"entity": "step_number", "value": "1"}])
    assert chat.slots["commitments"][0]["due_date"] is None
    chat.say("commit_step", "bis morgen")
    assert chat.slots["commitments"][0]["due_date"] is not None
    assert len(chat.slots["commitments"]) == 1


def test_commit_without_number_asks_which_step():
    chat = Conversation()
    chat.say("excuse_no_time")
    chat.say("ask_first_steps")
    chat.say("commit_step", "Das mache ich")
    assert "utter_which_step" in chat.responses and not chat.slots.get("commitments")


def test_source_question_names_the_article_of_the_last_argument():
    chat = Conversation()
    chat.say("ask_source", "Woher stammt das?")
    assert "utter_source_none" in chat.responses
    chat.say("excuse_data_privacy")
    chat.say("ask_source", "Woher stammt das?")
    for source in KB.cite(PRIVACY.arguments[0].sources):
        assert source.title in chat.text
    chat.say("deny")
    chat.say("ask_source", "Quelle?")
    for source in KB.cite(PRIVACY.arguments[1].sources):
        assert source.title in chat.text


def test_two_excuses_in_one_message_answered_for_both_then_second_resumes():
    chat = Conversation()
    entities = [{"entity": "excuse", "value": "excuse_no_time"}, {"entity": "excuse", "value": "excuse_data_privacy"}]
    chat.say("excuse_no_time", "Keine Zeit und Datenschutz", entities=entities)
    assert NO_TIME.arguments[0].text in chat.text and PRIVACY.arguments[0].text in chat.text
    assert chat.slots["current_excuse"] == "excuse_no_time"
    assert chat.slots["pending_excuses"] == ["excuse_data_privacy"]
    chat.say("affirm")
    chat.say("commit_step", "Den ersten mache ich")
    assert "/excuse_data_privacy" in chat.button_payloads  # offers the second excuse
    chat.say("affirm", "ja")
    assert chat.slots["current_excuse"] == "excuse_data_privacy"
    assert PRIVACY.arguments[1].text in chat.text  # continues, no repeat of argument 1
    assert chat.slots["pending_excuses"] == []


def test_second_excuse_and_summary_with_rating():
    chat = Conversation()
    chat.say("excuse_no_time")
    chat.say("affirm")
    chat.say("commit_step", "Schritt 1 bis morgen")
    chat.say("excuse_no_roi")
    chat.say("deny")
    chat.say("goodbye", "Tschüss")
    assert "„Keine Zeit“ (überzeugt)" in chat.text
    assert f"„{KB.excuse('excuse_no_roi').title}“ (noch nicht überzeugt)" in chat.text
    assert NO_TIME.first_steps[0] in chat.text
    assert chat.button_payloads[-1] == '/rate{"rating":"5"}'
    chat.say("rate", "4", entities=[{"entity": "rating", "value": "4"}])
    assert chat.slots["rating"] == 4 and "4 von 5" in chat.text


def test_rating_number_typed_after_summary_is_read_as_rating():
    chat = Conversation()
    chat.say("excuse_no_time")
    chat.say("goodbye")
    chat.say("commit_step", "2")  # the NLU may read a bare number as a step
    assert chat.slots["rating"] == 2


def test_repeated_excuse_continues_with_next_argument():
    chat = Conversation()
    chat.say("excuse_no_time")
    chat.say("excuse_no_roi")
    chat.say("excuse_no_time", "wie gesagt, keine Zeit")
    assert "utter_excuse_again" in chat.responses and NO_TIME.arguments[1].text in chat.text


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope"])
def test_unclear_input_offers_excuse_buttons(intent):
    chat = Conversation()
    chat.say(intent, "asdf")
    assert chat.button_payloads == [f"/{e}" for e in KB.common_excuses]


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope"])
def test_unclear_input_offers_the_excuse_it_came_near_first(intent):
    # One excuse stands out a little (two would be asked about as "A oder B?"); a trace of
    # another is no reason to offer it.
    chat = Conversation()
    chat.say(intent, "ich trau mich da nicht so recht ran", ranking=[
        {"name": intent, "confidence": 0.6}, {"name": "excuse_fear_of_mistakes", "confidence": 0.2},
        {"name": "excuse_no_expertise", "confidence": 0.05}, {"name": "excuse_no_time", "confidence": 0.02}])
    payloads = chat.button_payloads
    assert payloads == ["/excuse_fear_of_mistakes"] + [f"/{e}" for e in KB.common_excuses][:len(KB.common_excuses) - 1]


def test_help_lists_all_excuses():
    chat = Conversation()
    chat.say("help")
    assert all(e.title in chat.text for e in KB.excuses.values())


@pytest.mark.parametrize("intent", ["deny", "affirm", "ask_first_steps", "commit_step", "rate"])
def test_no_dead_end_without_an_excuse(intent):
    chat = Conversation()
    chat.say(intent, "ja")
    assert chat.button_payloads, f"{intent} without context must offer a way forward"


def test_rating_intent_without_number_outside_rating_is_a_fallback():
    chat = Conversation()
    chat.say("excuse_no_time")
    chat.say("rate", "<img src=x onerror=alert(1)>")
    assert "utter_fallback" in chat.responses and chat.slots.get("rating") is None
    chat.say("goodbye")
    chat.say("rate", "super")
    assert chat.responses == ["utter_ask_rating"]


def test_a_correction_withdraws_the_misread_excuse_from_discussion_and_summary():
    chat = Conversation()
    chat.say("excuse_no_roi", "das bringt doch alles nix")
    chat.say("correction", "moment, so meinte ich das nicht")  # names no excuse: the coach asks
    assert chat.responses == ["utter_correction_which"]
    assert "/excuse_no_roi" not in chat.button_payloads and len(chat.button_payloads) >= 2
    assert chat.slots["current_excuse"] is None and "excuse_no_roi" not in chat.slots["discussed_excuses"]
    chat.say("excuse_just_hype", "eher dass das ein hype ist")
    assert chat.slots["current_excuse"] == "excuse_just_hype"
    chat.say("goodbye", "Tschüss")
    assert KB.excuse("excuse_no_roi").title not in chat.text


def test_a_correction_keeps_an_excuse_with_a_commitment_in_the_summary():
    chat = Conversation()
    chat.say("excuse_no_time")
    chat.say("affirm")
    chat.say("commit_step", "Schritt 1 bis morgen")
    chat.say("excuse_data_privacy", "nein, Sie haben mich falsch verstanden, mir geht es um den Datenschutz")
    assert chat.slots["current_excuse"] == "excuse_data_privacy"
    assert "excuse_no_time" in chat.slots["discussed_excuses"]


def test_actions_send_back_only_the_slots_that_changed():
    # Every SlotSet is validated, stored and logged by the Rasa server; unchanged ones cost only.
    chat = Conversation()
    chat.say("excuse_no_time")
    first = {e["name"] for e in chat.last_events if e["event"] == "slot"}
    assert {"current_excuse", "discussed_excuses", "outcomes"} <= first
    chat.say("ask_source", "Woher stammt das?")
    assert "Woher" not in chat.text and chat.text  # answered
    again = {e["name"] for e in chat.last_events if e["event"] == "slot"}
    assert not again & {"current_excuse", "discussed_excuses", "outcomes", "shown_arguments"}
    assert chat.slots["current_excuse"] == "excuse_no_time"


def test_a_list_changed_in_place_still_counts_as_changed():
    from actions.coaching_state import CoachingState

    state = CoachingState.from_slots({"discussed_excuses": ["excuse_no_time"]}.get)
    assert state.changed_slot_values() == {}
    state.discussed_excuses.append("excuse_no_roi")
    assert state.changed_slot_values() == {"discussed_excuses": ["excuse_no_time", "excuse_no_roi"]}
