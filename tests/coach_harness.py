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

from actions import coaching, listening
from coach import reading

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RULES = {
    rule["steps"][0]["intent"]: rule["steps"][1]["action"]
    for rule in yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
}
ACTIONS = {cls().name(): cls() for cls in coaching.Action.__subclasses__()
           if cls.__module__ in (coaching.__name__, listening.__name__)}


def choose_action(slots: Dict[str, Any], latest: Dict[str, Any], active_loop: Optional[str] = None) -> Optional[str]:
    """What Rasa would run: the context policy's reading (coach.reading) first, else the rule.
    Sets the `reading` slot as the policy does."""
    move = reading.read(reading.context_from(slots.get, active_loop), reading.parse_from(latest))
    slots[reading.READING_SLOT] = move.as_slot() if move else None
    if move:
        return move.action
    return RULES.get(latest["intent"]["name"])


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

    def say(self, intent: str, text: str = "", entities: Optional[List[Dict[str, Any]]] = None,
            ranking: Optional[List[Dict[str, Any]]] = None, **parse: Any) -> List[Dict[str, Any]]:
        latest = {"intent": {"name": intent, "confidence": 0.95}, "entities": entities or [], "text": text or intent,
                  "intent_ranking": ranking or [{"name": intent, "confidence": 0.95}], **parse}
        action_name = choose_action(self.slots, latest)
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
        self.last_events = events
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


# -- practice mode (actions/practice.py) -------------------------------------------------------
# Rasa runs the practice as a form: while `practice_form` is active, every message fills
# `practice_answer` (except the intents in `not_intent`), the validation action handles it, and
# the form either asks again (action_ask_practice_answer) or completes (then the summary). A
# not_intent message makes the form reject; the rules in data/rules_practice.yml answer it.
import asyncio  # noqa: E402

from actions import practice  # noqa: E402

PRACTICE_ACTIONS = {cls().name(): cls() for cls in (
    practice.ActionStartPractice, practice.ActionAskPracticeAnswer,
    practice.ActionPracticeHint, practice.ActionPracticeSummary,
)}
ACTIONS.update(PRACTICE_ACTIONS)
VALIDATE_PRACTICE = practice.ValidatePracticeForm()
NO_DOMAIN: Dict[str, Any] = {}  # Rasa sends actions no domain (endpoints.yml: enable_selective_domain)
PRACTICE_NOT_INTENT = set(
    DOMAIN["slots"]["practice_answer"]["mappings"][0]["not_intent"])
PRACTICE_RULES = {"start_practice": "action_start_practice", "ask_hint": "action_practice_hint",
                  "stop_practice": "action_practice_summary"}
PRACTICE_RULES_IN_LOOP = {"ask_hint": "action_practice_hint", "help": "action_practice_hint",
                          "stop_practice": "action_practice_summary", "start_practice": "action_start_practice"}


class PracticeConversation(Conversation):
    """Like Conversation, plus the form mechanics of the practice mode."""

    def __init__(self, sender: str = "test-user") -> None:
        super().__init__()
        self.sender = sender
        self.active_loop: Optional[str] = None
        self.actions: List[str] = []

    def _tracker(self, latest: Dict[str, Any], events: Optional[List[Dict[str, Any]]] = None) -> Tracker:
        loop = {"name": self.active_loop} if self.active_loop else {}
        return Tracker(self.sender, dict(self.slots), latest, events or [], False, None, loop, "action_listen")

    def _apply(self, events: List[Dict[str, Any]]) -> None:
        for event in events:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
            elif event["event"] == "active_loop":
                self.active_loop = event.get("name")

    def _run(self, name: str, latest: Dict[str, Any], dispatcher: CollectingDispatcher) -> List[Dict[str, Any]]:
        self.actions.append(name)
        if name.startswith("utter_"):
            dispatcher.utter_message(response=name)
            return []
        events = ACTIONS[name].run(dispatcher, self._tracker(latest), DOMAIN)
        self._apply(events)
        return events

    def _form(self, latest: Dict[str, Any], dispatcher: CollectingDispatcher, validate: bool,
              activation: bool = False) -> None:
        """One run of practice_form: validate the answer, then ask again or complete."""
        self.actions.append("practice_form")
        if activation:  # Rasa calls the validation action once with the slots set so far
            candidate = [{"event": "slot", "name": "practice_answer", "value": self.slots.get("practice_answer")}]
            self._apply(asyncio.run(VALIDATE_PRACTICE.run(dispatcher, self._tracker(latest, candidate), NO_DOMAIN)))
        if validate:
            candidate = [{"event": "user", "text": latest["text"]},
                         {"event": "slot", "name": "practice_answer", "value": latest["text"]}]
            self.slots["practice_answer"] = latest["text"]
            tracker = self._tracker(latest, candidate)
            self._apply(asyncio.run(VALIDATE_PRACTICE.run(dispatcher, tracker, NO_DOMAIN)))
        if self.slots.get("practice_answer") is None:
            self.slots["requested_slot"] = "practice_answer"
            self._run("action_ask_practice_answer", latest, dispatcher)
            return
        self.active_loop = None  # all required slots filled: the form completes
        self.slots["requested_slot"] = None
        self._run("action_practice_summary", latest, dispatcher)

    def say(self, intent: str, text: str = "", entities: Optional[List[Dict[str, Any]]] = None,
            confidence: float = 0.95) -> List[Dict[str, Any]]:
        latest = {"intent": {"name": intent, "confidence": confidence}, "entities": entities or [],
                  "text": text or intent}
        dispatcher = CollectingDispatcher()
        self.actions = []
        if self.active_loop == "practice_form":
            self.slots[reading.READING_SLOT] = None
            if intent in PRACTICE_NOT_INTENT:
                self._run(PRACTICE_RULES_IN_LOOP[intent], latest, dispatcher)
                if self.active_loop == "practice_form":
                    self._form(latest, dispatcher, validate=False)
            else:
                self._form(latest, dispatcher, validate=True)
        else:
            name = choose_action(self.slots, latest) if intent not in PRACTICE_RULES else PRACTICE_RULES[intent]
            self._run(name, latest, dispatcher)
            if name == "action_start_practice":  # the rule and the policy both continue with the form
                self.active_loop = "practice_form"
                self._form(latest, dispatcher, validate=False, activation=True)
        self.last = [render(m) for m in dispatcher.messages]
        return self.last

# "Meine Daten löschen" (actions/privacy.py) only confirms and sets `forget_me`; the Rasa server
# deletes (tests/test_privacy.py).
from actions import privacy  # noqa: E402

ACTIONS[privacy.ACTION_NAME] = privacy.ActionDeleteMyData()
PRACTICE_RULES_IN_LOOP["delete_my_data"] = privacy.ACTION_NAME
