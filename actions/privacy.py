"""'Meine Daten löschen': deletes this user's conversations from the log and the tracker store.

The action server needs DATABASE_URL and SENDER_HASH_SECRET (scripts/services.py passes both)
to find the user's rows by the same pseudonym the Rasa server stores. The Rasa server must not
write the conversation back from memory afterwards: addons/tracker_store.py skips the save of
a turn that ran this action.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action

from core import data_retention
from actions.practice import CLOSE_LOOP, Practice, answer_events
from actions.practice_input import is_long_answer, misread_answer
from core.session_store import SessionStore, database_url
from core.pseudonym import pseudonym

ACTION_NAME = "action_delete_my_data"
# During the practice a long answer about data protection may read like a delete request to the
# NLU ("Beiträge kann man jederzeit löschen"); it deletes only when it asks for the user's data.
DELETE_REQUEST = re.compile(
    r"(l(ö|oe?)sch|entfern|vergiss|vergessen|delete).*\b(daten|mich|mir|gespr(ä|ae?)ch|alles|data)\b"
    r"|\b(daten|gespr(ä|ae?)ch|alles|data)\b.*(l(ö|oe?)sch|entfern|vergess|delete)",
    re.IGNORECASE,
)


def is_delete_request(text: str) -> bool:
    return not is_long_answer(text, keyword=DELETE_REQUEST)


class ActionDeleteMyData(Action):
    def name(self) -> Text:
        return ACTION_NAME

    def run(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        if misread_answer(tracker, keyword=DELETE_REQUEST):
            return answer_events(dispatcher, tracker, Practice.of(tracker))  # a practice answer
        store = SessionStore(database_url())
        try:
            deleted = data_retention.delete(store, sender_hash=pseudonym(tracker.sender_id))
        finally:
            store.dispose()
        dispatcher.utter_message(response="utter_data_deleted", sessions=deleted["sessions"],
                                 session_word="Sitzung" if deleted["sessions"] == 1 else "Sitzungen")
        return list(CLOSE_LOOP)  # also ends a running practice
