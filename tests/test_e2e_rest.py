"""End to end: the real action server and Rasa server with the trained model, over REST."""
import subprocess
import uuid

import pytest
import yaml

from coach.knowledge_base import load
from services import ROOT, environment, rasa
from tests.servers import messages, spare_port, text_of

pytestmark = pytest.mark.e2e
KB = load()


class Chat:
    def __init__(self, url: str) -> None:
        self.url = url
        self.sender = f"e2e-{uuid.uuid4().hex}"
        self.messages = []

    def say(self, text: str) -> str:
        self.messages = messages(self.url, self.sender, text)
        return self.text

    @property
    def text(self) -> str:
        return text_of(self.messages)

    @property
    def buttons(self):
        return [b["title"] for m in self.messages for b in m.get("buttons", [])]


def test_whole_coaching_conversation_in_free_text(coach):
    chat = Chat(coach.rasa_url)
    no_time, privacy, roi = (KB.excuse(e) for e in ("excuse_no_time", "excuse_data_privacy", "excuse_no_roi"))

    assert "Ausreden-Coach" in chat.say("Hallo")
    assert "Keine Zeit" in chat.buttons

    chat.say("Ehrlich gesagt hab ich als Geschäftsführer einfach keine Zeit für LinkedIn")
    assert no_time.reflection in chat.text and no_time.arguments[0].text in chat.text
    assert chat.buttons == ["Das passt für mich", "Ja, aber …", "Erste Schritte zeigen"]

    chat.say("Ja, aber das überzeugt mich nicht")
    assert no_time.arguments[1].text in chat.text and no_time.arguments[0].text not in chat.text

    chat.say("Woher stammt das?")
    for source in KB.cite(no_time.arguments[1].sources):
        assert source.title in chat.text

    chat.say("ok, das leuchtet ein")
    assert no_time.first_steps[0] in chat.text

    chat.say("Schritt 1 mache ich bis Freitag")
    assert f"„{no_time.first_steps[0].rstrip('.')}“ – bis Freitag" in chat.text

    chat.say("Und dann ist da noch der Datenschutz, die DSGVO macht mir Sorgen")
    assert privacy.arguments[0].text in chat.text

    chat.say("Trotzdem skeptisch")
    assert privacy.arguments[1].text in chat.text

    chat.say("Das bringt doch alles keinen Umsatz")
    assert roi.arguments[0].text in chat.text

    chat.say("Tschüss")
    assert "„Keine Zeit“ (überzeugt)" in chat.text
    assert f"„{privacy.title}“ (noch nicht überzeugt)" in chat.text
    assert no_time.first_steps[0] in chat.text
    assert chat.buttons == ["1", "2", "3", "4", "5"]

    assert "5 von 5" in chat.say("5")


def test_message_with_two_excuses_is_answered_for_both(coach):
    chat = Chat(coach.rasa_url)
    chat.say("Ich habe keine Zeit und außerdem ist mir das mit dem Datenschutz zu heikel")
    positions = [chat.text.find(KB.excuse(e).arguments[0].text) for e in ("excuse_no_time", "excuse_data_privacy")]
    assert -1 not in positions and positions[0] < positions[1], chat.text  # both, in the order named
    chat.say("Ja, aber ich habe wirklich keine Zeit")
    assert "Zeit" in chat.text and KB.excuse("excuse_data_privacy").arguments[0].text not in chat.text


def test_unclear_input_gets_german_fallback_with_buttons(coach):
    chat = Chat(coach.rasa_url)
    chat.say("Wie wird das Wetter morgen in Hamburg?")
    assert "LinkedIn" in chat.text and len(chat.buttons) >= 3


def test_invalid_knowledge_base_stops_action_server_start(tmp_path):
    raw = yaml.safe_load((ROOT / "coach" / "knowledge_base.yml").read_text(encoding="utf-8"))
    del raw["excuses"]["excuse_no_roi"]["first_steps"]
    broken = tmp_path / "kb.yml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    env = environment({"KNOWLEDGE_BASE_PATH": str(broken)})
    result = subprocess.run(
        rasa("run", "actions", "--actions", "actions", "--port", spare_port("shared")),
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert f"{broken}: excuse 'excuse_no_roi', field 'first_steps'" in result.stderr + result.stdout
