"""'Meine Daten löschen': the user's conversations are deleted from the tracker store and the log.

The action only confirms and sets the `forget_me` slot (core/slot_contract.py); the Rasa
server's tracker store (addons/tracker_store.py) sees it when it saves the turn and deletes the
conversation and, through the event broker, its session log, instead of saving. So the action
server needs no database, and nothing is written back from the Rasa server's memory.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions.practice import CLOSE_LOOP, Practice, answer_events
from actions.practice_input import is_long_answer, misread_answer
from core.slot_contract import FORGET_ME

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
        dispatcher.utter_message(response="utter_data_deleted")
        return [SlotSet(FORGET_ME, True), *CLOSE_LOOP]  # also ends a running practice
