"""Runs the real coaching actions on real rasa_sdk trackers, turn by turn, without servers.

The rule table (data/rules.yml) decides which action answers an intent, slot events are
applied like Rasa applies them, and every message is rendered with the domain's responses
(a missing template variable fails the test).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import coaching

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RULES = {
    rule["steps"][0]["intent"]: rule["steps"][1]["action"]
    for rule in yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
}
ACTIONS = {cls().name(): cls() for cls in coaching.Action.__subclasses__() if cls.__module__ == coaching.__name__}


def render(message: Dict[str, Any]) -> Dict[str, Any]:
    """The text and buttons a user would see for one dispatcher message."""
    name = message.get("response")
    if not name:
        return {"text": message["text"], "buttons": message.get("buttons") or []}
    variants = DOMAIN["responses"][name]
    for variant in variants:  # every variant must be fillable with what the action passed
        variant["text"].format(**message)
    template = variants[0]
    return {
        "text": template["text"].format(**message),
        "buttons": (template.get("buttons") or []) + (message.get("buttons") or []),
        "response": name,
    }


class Conversation:
    def __init__(self) -> None:
        self.slots: Dict[str, Any] = {}
        self.last: List[Dict[str, Any]] = []

    def say(self, intent: str, text: str = "", entities: Optional[List[Dict[str, Any]]] = None) -> List[Dict[str, Any]]:
        action_name = RULES[intent]
        latest = {"intent": {"name": intent, "confidence": 0.95}, "entities": entities or [], "text": text or intent}
        tracker = Tracker("test-user", dict(self.slots), latest, [], False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        if action_name.startswith("utter_"):
            dispatcher.utter_message(response=action_name)
            events = []
        else:
            events = ACTIONS[action_name].run(dispatcher, tracker, DOMAIN)
        for event in events:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
        self.last = [render(m) for m in dispatcher.messages]
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(m["text"] for m in self.last)

    @property
    def responses(self) -> List[str]:
        return [m.get("response") for m in self.last]

    @property
    def button_payloads(self) -> List[str]:
        return [b["payload"] for m in self.last for b in m["buttons"]]
