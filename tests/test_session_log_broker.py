"""The event broker turns Rasa's event stream into exactly one logged session per conversation."""
from addons.session_log import SessionLogBroker


def test_session_start_action_before_session_started_opens_no_extra_session(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDER_HASH_SECRET", "test-secret")
    broker = SessionLogBroker(f"sqlite:///{tmp_path / 'log.db'}")
    events = [  # the order Rasa publishes them in, 20 ms apart as under load
        {"event": "action", "name": "action_session_start", "timestamp": 1000.000},
        {"event": "session_started", "timestamp": 1000.020},
        {"event": "action", "name": "action_listen", "timestamp": 1000.040},
        {"event": "user", "text": "Hallo", "timestamp": 1000.060,
         "parse_data": {"intent": {"name": "greet", "confidence": 0.99}}},
        {"event": "action", "name": "action_greet", "timestamp": 1000.080},
        {"event": "bot", "text": "Guten Tag!", "timestamp": 1000.100},
    ]
    for event in events:
        broker.publish({"sender_id": "user-1", **event})
    sessions = broker.store.sessions()
    assert len(sessions) == 1 and sessions[0]["turns"] == 2
    turns = broker.store.turns(sessions[0]["id"])
    assert [(t["role"], t["action"]) for t in turns] == [("user", None), ("bot", "action_greet")]
    broker.store.dispose()
