"""The review inbox and the reviewed NLU file (core/review.py) on a real session log (SQLite and
PostgreSQL); the file is read back with Rasa's own NLU reader."""
from datetime import datetime, timedelta, timezone

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from core import data_retention, review
from core.session_store import SessionStore

START = datetime(2026, 11, 3, 9, tzinfo=timezone.utc)
RANKING = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "excuse_no_time", "confidence": 0.25},
           {"name": "excuse_no_ideas", "confidence": 0.2}, {"name": "greet", "confidence": 0.1},
           {"name": "faq", "confidence": 0.05}]


@pytest.fixture
def store(database_url):  # SQLite and PostgreSQL (tests/conftest.py)
    store = SessionStore(database_url)
    store.migrate()
    yield store
    store.dispose()


class Conversation:
    def __init__(self, store, session_id, sender="sender", day=0):
        self.store, self.session_id, self.seconds = store, session_id, 0
        self.start = START + timedelta(days=day)
        store.ensure_session(session_id, sender, "rest", self.start)

    def user(self, text, intent, ranking=RANKING):
        return self._turn("user", text, intent=intent, intents=ranking)

    def bot(self, text, action):
        return self._turn("bot", text, action=action)

    def _turn(self, role, text, **fields):
        self.seconds += 1
        key = f"{role[0]}:{self.session_id}:{self.seconds}"
        self.store.add_turn(self.session_id, key, role, text, self.start + timedelta(seconds=self.seconds), **fields)
        return key


def test_inbox_holds_fallback_unsure_and_corrected_messages_newest_first(store):
    older = Conversation(store, "older", day=0)
    older.user("hallo", "greet")
    older.bot("Guten Tag!", "utter_greet")
    older.user("blubb fasel", "nlu_fallback")
    older.bot("Das habe ich nicht verstanden.", "action_default_fallback")
    older.user("Sie müssen ja nicht ständig online sein.", "nlu_fallback")  # a practice answer
    older.bot("Das sitzt: 2 von 3 Punkten.", "practice_form")
    newer = Conversation(store, "newer", day=1)
    newer.user("das ist alles so viel", "excuse_no_time")
    newer.bot("Meinen Sie A oder B?", "action_clarify_excuse")
    misread = newer.user("zu wenig leute", "excuse_no_time")
    newer.bot("Zeitfenster helfen.", "action_coach_excuse")
    correcting = newer.user("falsch verstanden, es fehlt an Geld", "correction")
    newer.bot("Dann zum Budget.", "action_coach_excuse")
    store.add_correction("newer", correcting, "excuse_no_time", "excuse_no_resources", START)

    items = review.inbox(store)
    assert [(i.text, i.reasons) for i in items] == [
        ("zu wenig leute", ["corrected"]), ("das ist alles so viel", ["unsure"]), ("blubb fasel", ["fallback"])]
    corrected = items[0]
    assert corrected.event_key == misread and corrected.suggested_intent == "excuse_no_resources"
    assert corrected.answer == "Zeitfenster helfen."
    assert [r["name"] for r in items[2].top_intents] == ["excuse_no_time", "excuse_no_ideas", "greet"]
    assert items[1].suggested_intent is None  # no guess preselected: the reviewer decides


def test_a_reviewed_message_leaves_the_inbox_and_a_confirmed_one_goes_to_the_nlu_file(store, tmp_path):
    talk = Conversation(store, "s")
    talk.user("blubb fasel", "nlu_fallback")
    talk.bot("Wie bitte?", "action_default_fallback")
    talk.user("wurst", "nlu_fallback")
    nlu = review.NluFile(tmp_path / "reviewed.yml", training_data=None)

    first, second = review.inbox(store)
    assert review.record(store, first, "excuse_no_time", nlu) is True
    assert review.record(store, second, review.IGNORE, nlu) is False
    assert review.inbox(store) == []
    examples = {(m.get("intent"), m.get("text")) for m in RasaYAMLReader().read(nlu.path).intent_examples}
    assert examples == {("excuse_no_time", first.text)}


def test_without_text_or_after_deletion_there_is_nothing_to_review(store):
    talk = Conversation(store, "silent", sender="private")
    talk.user(None, "nlu_fallback")  # LOG_USER_TEXT=false: the turn has no text
    assert review.inbox(store) == []
    other = Conversation(store, "other", sender="deleter", day=1)
    other.user("blubb", "nlu_fallback")
    other.bot("Wie bitte?", "action_default_fallback")
    assert len(review.inbox(store)) == 1
    data_retention.delete(store, sender_hash="deleter")  # "Meine Daten löschen" and `make purge`
    assert review.inbox(store) == []


def test_nlu_file_is_append_only_valid_yaml_without_duplicates(tmp_path):
    training = tmp_path / "data"
    training.mkdir()
    (training / "known.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - Guten Morgen\n',
                                        encoding="utf-8")
    nlu = review.NluFile(training / "reviewed.yml", training_data=training)

    assert nlu.append("excuse_no_time", "Mir fehlt echt\n die Zeit: [wirklich]") is True
    before = nlu.path.read_text(encoding="utf-8")
    assert nlu.append("excuse_no_ideas", "Was soll ich denn posten?") is True
    after = nlu.path.read_text(encoding="utf-8")
    assert after.startswith(before)  # appended, nothing rewritten
    assert nlu.append("excuse_no_roi", "mir fehlt echt die zeit: (wirklich)") is False  # same example
    assert nlu.append("greet", "guten morgen") is False  # already in the training data
    assert nlu.path.read_text(encoding="utf-8") == after

    data = RasaYAMLReader().read(nlu.path)
    assert [(m.get("intent"), m.get("text")) for m in data.intent_examples] == [
        ("excuse_no_time", "Mir fehlt echt die Zeit: (wirklich)"), ("excuse_no_ideas", "Was soll ich denn posten?")]
    assert data.entity_examples == []  # brackets were not read as entity markup
    with pytest.raises(ValueError):
        nlu.append("excuse_no_time", "   ")


def test_intent_choices_are_the_domain_intents_with_faq_as_retrieval_intents():
    choices = review.intent_choices()
    assert "excuse_no_time" in choices and "greet" in choices
    assert "faq" not in choices and any(c.startswith("faq/") for c in choices)
    assert "nlu_fallback" not in choices
