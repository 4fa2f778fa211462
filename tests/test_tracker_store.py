"""The tracker store on a real database: conversations keep every event exactly once, also when
two Rasa servers take turns on one conversation (each with its trackers in memory), when rows
are deleted behind its back (`make purge`), and when a turn asks it to delete the user's data
("Meine Daten löschen": the `forget_me` slot)."""
import asyncio
import json
import os

import pytest
import sqlalchemy as sa

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from core.pseudonym import pseudonym
from core.session_store import SessionStore
from core.slot_contract import FORGET_ME
from addons.session_log import SessionLogBroker
from addons.tracker_store import PseudonymousSQLTrackerStore
from tests.conftest import ROOT

os.environ.setdefault("SENDER_HASH_SECRET", "test-secret")
DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def run(coroutine):
    return asyncio.run(coroutine)


def turn(store, sender: str, text: str, *extra) -> None:
    """What Rasa's processor does per message: read, append, save."""
    tracker = run(store.get_or_create_tracker(sender))
    if not tracker.events or not any(isinstance(e, SessionStarted) for e in tracker.events):
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(SlotSet("current_excuse", text))
    tracker.update(BotUttered(f"Antwort auf {text}"))
    for event in extra:
        tracker.update(event)
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))


def stored_user_texts(url: str, sender: str):
    engine = sa.create_engine(url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
            {"s": pseudonym(sender)}).all()
    engine.dispose()
    return [json.loads(r.data)["text"] for r in rows]


def test_two_servers_taking_turns_store_each_event_once(database_url):
    first = PseudonymousSQLTrackerStore(DOMAIN, host=database_url)
    second = PseudonymousSQLTrackerStore(DOMAIN, host=database_url)
    texts = [f"Nachricht {n}" for n in range(8)]
    for n, text in enumerate(texts):
        turn(first if n % 3 else second, "user-a", text)
    assert stored_user_texts(database_url, "user-a") == texts
    tracker = run(first.retrieve("user-a"))
    assert tracker.get_slot("current_excuse") == texts[-1]
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == texts


def test_rows_deleted_behind_its_back_are_not_served_from_memory(database_url):
    store = PseudonymousSQLTrackerStore(DOMAIN, host=database_url)
    turn(store, "user-b", "vorher")
    engine = sa.create_engine(database_url, future=True)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = :s"), {"s": pseudonym("user-b")})
    engine.dispose()
    assert run(store.retrieve("user-b")) is None
    turn(store, "user-b", "nachher")
    assert stored_user_texts(database_url, "user-b") == ["nachher"]


def test_a_turn_appended_but_not_saved_is_not_served(database_url):
    store = PseudonymousSQLTrackerStore(DOMAIN, host=database_url)
    turn(store, "user-c", "eins")
    tracker = run(store.retrieve("user-c"))
    tracker.update(UserUttered("nie gespeichert"))  # e.g. the turn failed before the save
    again = run(store.retrieve("user-c"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["eins"]
    turn(store, "user-c", "zwei")
    assert stored_user_texts(database_url, "user-c") == ["eins", "zwei"]


def test_a_turn_setting_forget_me_deletes_the_conversation_and_its_log(database_url):
    broker = SessionLogBroker(database_url)
    store = PseudonymousSQLTrackerStore(DOMAIN, host=database_url, event_broker=broker)
    for sender in ("user-d", "bystander"):
        turn(store, sender, "Hallo")
        turn(store, sender, "keine Zeit")
    log = SessionStore(database_url)
    assert log.latest_session_id(pseudonym("user-d")) and log.latest_session_id(pseudonym("bystander"))

    turn(store, "user-d", "Meine Daten löschen", ActionExecuted("action_delete_my_data"), SlotSet(FORGET_ME, True))
    assert stored_user_texts(database_url, "user-d") == []
    assert log.latest_session_id(pseudonym("user-d")) is None
    assert stored_user_texts(database_url, "bystander") == ["Hallo", "keine Zeit"]
    assert log.latest_session_id(pseudonym("bystander"))
    # Nothing is served from memory: the next message starts a new conversation, logged again.
    assert run(store.retrieve("user-d")) is None
    turn(store, "user-d", "Hallo")
    assert stored_user_texts(database_url, "user-d") == ["Hallo"]
    assert log.latest_session_id(pseudonym("user-d"))
    log.dispose()


def test_forget_me_set_to_false_saves_as_usual(database_url):
    store = PseudonymousSQLTrackerStore(DOMAIN, host=database_url)
    turn(store, "user-e", "eins", SlotSet(FORGET_ME, False))
    assert stored_user_texts(database_url, "user-e") == ["eins"]
