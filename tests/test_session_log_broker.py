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


def test_two_servers_taking_turns_with_one_conversation_log_it_as_one(tmp_path, monkeypatch):
    """Scale-out: two Rasa servers, each with its own broker, serve alternate turns of one
    conversation. Each must go on from the database, not from its own (stale) memory: a slot
    set in a turn it did not see, a session another server started."""
    import json

    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore

    from core.pseudonym import pseudonym

    monkeypatch.setenv("SENDER_HASH_SECRET", "test-secret")
    url = f"sqlite:///{tmp_path / 'log.db'}"
    server_a, server_b = SessionLogBroker(url), SessionLogBroker(url)
    engine = sa.create_engine(url, future=True)
    SQLTrackerStore.Base.metadata.create_all(engine)
    clock = iter(1000.0 + i / 10 for i in range(1000))

    def turn(broker, *events):
        """Like the tracker store: commit the turn's events, then hand them to the broker."""
        events = [{"sender_id": "user-1", "timestamp": next(clock), **e} for e in events]
        with engine.begin() as connection:
            for e in events:
                connection.execute(sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, action_name, data) "
                    "VALUES (:s, :t, :ts, :n, :d)"),
                    {"s": pseudonym("user-1"), "t": e["event"], "ts": e["timestamp"],
                     "n": e.get("name"), "d": json.dumps(e)})
        for e in events:
            broker.publish(e)

    def slot(name, value):
        return {"event": "slot", "name": name, "value": value}

    def user(text):
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": "x", "confidence": 1}}}

    start = [{"event": "action", "name": "action_session_start"}, {"event": "session_started"}]
    turn(server_a, *start, user("Keine Zeit"), slot("discussed_excuses", ["excuse_no_time"]),
         slot("shown_arguments", {"excuse_no_time": [0]}), slot("outcomes", {"excuse_no_time": "open"}),
         slot("commitments", []), {"event": "bot", "text": "Argument 1"})
    turn(server_b, user("Ja, aber"), slot("shown_arguments", {"excuse_no_time": [0, 1]}),
         slot("commitments", [{"excuse": "excuse_no_time", "step_number": 1, "step": "Profil"}]),
         {"event": "bot", "text": "Argument 2"})
    # Server A saw neither the second argument nor the commitment; its rows must include both,
    # and the commitment list it sets equals its own last write but not the database's.
    turn(server_a, user("Überzeugt"), slot("outcomes", {"excuse_no_time": "convinced"}),
         slot("commitments", []), {"event": "bot", "text": "Schön"})

    sessions = server_a.store.sessions()
    assert len(sessions) == 1 and sessions[0]["turns"] == 6
    with engine.connect() as connection:
        shown, outcome = connection.execute(sa.text(
            "SELECT arguments_shown, outcome FROM coach_excuses")).one()
        commitments = connection.execute(sa.text("SELECT count(*) FROM coach_commitments")).scalar()
    assert (json.loads(shown) if isinstance(shown, str) else shown, outcome) == ([0, 1], "convinced")
    assert commitments == 0

    # Server B starts a new session; server A's next turn belongs to it, not to the old one.
    turn(server_b, *start, user("Hallo"), {"event": "bot", "text": "Guten Tag"})
    turn(server_a, user("Datenschutz"), {"event": "bot", "text": "Argument"})
    sessions = server_a.store.sessions()
    assert [s["turns"] for s in sessions] == [6, 4]
    for broker in (server_a, server_b):
        broker.store.dispose()
    engine.dispose()


def test_practice_rounds_logged_one_by_one_match_the_slot(tmp_path, monkeypatch):
    """The broker writes only new or changed rounds while it knows what it wrote; the log ends up
    as the slot says, also when a round goes away or another broker takes over."""
    monkeypatch.setenv("SENDER_HASH_SECRET", "test-secret")
    url = f"sqlite:///{tmp_path / 'log.db'}"
    broker = SessionLogBroker(url)
    clock = iter(1000.0 + i / 10 for i in range(1000))

    def publish(target, **event):
        target.publish({"sender_id": "user-1", "timestamp": next(clock), **event})

    def rounds(*scores):
        return [{"attempt": 1, "round": i + 1, "excuse_id": "excuse_no_time", "score": s, "covered": []}
                for i, s in enumerate(scores)]

    def logged():
        return [(r["round"], r["score"]) for r in broker.store.sessions()[0]["practice_rounds"]]

    publish(broker, event="session_started")
    written = []
    monkeypatch.setattr(broker.store, "set_practice_rounds",
                        lambda sid, rows, complete=True, _write=broker.store.set_practice_rounds:
                        (written.append((len(rows), complete)), _write(sid, rows, complete=complete)))
    for value in (rounds(2), rounds(3), rounds(3, 1), rounds(3, 1, 0)):
        publish(broker, event="slot", name="practice_rounds", value=value)
    assert logged() == [(1, 3), (2, 1), (3, 0)]
    assert written == [(1, True), (1, False), (1, False), (1, False)]  # after the first, one round each
    publish(broker, event="slot", name="practice_rounds", value=rounds(3))  # rounds went away: all again
    assert logged() == [(1, 3)] and written[-1] == (1, True)
    broker.store.dispose()
