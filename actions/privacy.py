"""'Meine Daten löschen': deletes this user's conversations from the log and the tracker store.

The action server needs DATABASE_URL and SENDER_HASH_SECRET (scripts/services.py passes both)
to find the user's rows by the same pseudonym the Rasa server stores. The Rasa server must not
write the conversation back from memory afterwards: addons/tracker_store.py skips the save of
a turn that ran this action.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action

from actions import data_retention
from actions.session_store import SessionStore, database_url
from addons.pseudonym import pseudonym

ACTION_NAME = "action_delete_my_data"


class ActionDeleteMyData(Action):
    def name(self) -> Text:
        return ACTION_NAME

    def run(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        store = SessionStore(database_url())
        try:
            deleted = data_retention.delete(store, sender_hash=pseudonym(tracker.sender_id))
        finally:
            store.dispose()
        dispatcher.utter_message(response="utter_data_deleted", sessions=deleted["sessions"])
        return []
