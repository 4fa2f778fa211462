"""Rasa's SQL tracker store, configured by one SQLAlchemy URL and keyed by pseudonyms.

Conversations survive a restart (they are in the database), sender ids are stored only as
keyed hashes, and exactly the events written in a save are handed to the event broker —
stock Rasa instead re-reads the whole conversation on every save to find them.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Optional, Text

from sqlalchemy.engine import make_url

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from addons import action_guard  # noqa: F401  (installs the apology for failed custom actions)
from addons.pseudonym import pseudonym

logger = logging.getLogger(__name__)
DELETE_ACTION = "action_delete_my_data"  # actions/privacy.py


class PseudonymousSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,  # Rasa passes the endpoint's `url` as `host`
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        url = make_url(host or kwargs.pop("url"))
        kwargs.pop("url", None)
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
            **kwargs,
        )

    def _event_query(self, session, sender_id: Text, fetch_events_from_all_sessions: bool):
        return super()._event_query(session, pseudonym(sender_id), fetch_events_from_all_sessions)

    async def save(self, tracker: DialogueStateTracker) -> None:
        key = pseudonym(tracker.sender_id)
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            if any(isinstance(e, ActionExecuted) and e.action_name == DELETE_ACTION for e in new_events):
                # The action deleted the user's rows; saving would write the conversation back
                # from memory (Rasa counts stored events to find the new ones). The next message
                # starts a new conversation.
                if hasattr(self.event_broker, "forget"):
                    self.event_broker.forget(tracker.sender_id)
                return
            for event in new_events:
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=key,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        if self.event_broker and new_events:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
