"""The Rasa patches (addons/rasa_patches.py): the switch, the version check, and the one patch
that changes what Rasa sends (the action call with only the latest events) against stock."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor

from addons import rasa_patches, speedups

ROOT = Path(__file__).resolve().parents[1]
APOLOGY = "utter_action_failed"


@pytest.fixture
def restore_patches():
    yield
    rasa_patches.uninstall()
    rasa_patches.install()


def test_patches_are_on_by_default_and_replace_rasas_methods(restore_patches):
    rasa_patches.uninstall()
    assert rasa_patches.is_stock()
    assert rasa_patches.install({}) == list(rasa_patches.NAMES)
    for patch in rasa_patches.PATCHES:
        assert all(rasa_patches.replaced(patch)), patch.name
    assert not rasa_patches.is_stock()


def test_switched_off_in_a_fresh_rasa_process_rasas_own_methods_stay():
    """A new process as Rasa starts one: importing the add-ons must leave Rasa's methods alone."""
    script = (
        "import json, inspect, addons\n"
        "from addons import rasa_patches as p\n"
        "print(json.dumps({'installed': p.installed(), 'stock': p.is_stock(), 'modules': sorted({\n"
        "    getattr(getattr(inspect.getattr_static(o, a), '__func__', inspect.getattr_static(o, a)), '__module__')\n"
        "    for (o, a) in p.ORIGINALS})}))\n"
    )
    env = {**os.environ, rasa_patches.SWITCH: "off"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["installed"] == [] and found["stock"] is True
    assert found["modules"] and all(module.startswith("rasa.") for module in found["modules"]), found["modules"]


def test_switched_off_the_saved_originals_are_in_place(restore_patches):
    rasa_patches.uninstall()
    assert rasa_patches.install({rasa_patches.SWITCH: "off"}) == []
    assert rasa_patches.is_stock()
    for patch in rasa_patches.PATCHES:
        assert not any(rasa_patches.replaced(patch)), patch.name


def test_another_rasa_version_stays_stock_with_a_warning(restore_patches, caplog):
    rasa_patches.uninstall()
    with caplog.at_level(logging.WARNING, logger=rasa_patches.__name__):
        assert rasa_patches.install({}, rasa_version="3.6.22") == []
    assert rasa_patches.is_stock()
    assert "Rasa 3.6.22 instead of 3.6.21" in caplog.text


def test_a_list_of_names_installs_only_those(restore_patches):
    rasa_patches.uninstall()
    assert rasa_patches.install({rasa_patches.SWITCH: "event_type_cache, recent_events_for_actions"}) == [
        "event_type_cache", "recent_events_for_actions"]
    assert all(rasa_patches.replaced(rasa_patches.by_name("event_type_cache")))
    assert not any(rasa_patches.replaced(rasa_patches.by_name("apology_for_failed_actions")))
    with pytest.raises(ValueError, match="unknown patch"):
        rasa_patches.wanted("event_type_cash")


# -- the action call with the latest events only ----------------------------------------------------
@pytest.fixture(scope="module")
def long_conversations(story_events):
    """The project's rules and test stories, strung together at random into long sessions."""
    stories = [s for s in story_events if any(isinstance(e, UserUttered) for e in s)]
    rng = random.Random(20)
    conversations = []
    for _ in range(3):
        events = [SessionStarted(), ActionExecuted("action_listen")]
        while len(events) < 400:
            events.extend(rng.choice(stories))
        conversations.append(events)
    return conversations


def action_calls(conversation, domain, executor):
    """(stock request, patched request) before every custom action of the conversation."""
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook", enable_selective_domain=True)
    stock_format = rasa_patches.original(RemoteAction, "_action_call_format")
    tracker = DialogueStateTracker("long-conversation", domain.slots)
    for event in conversation:
        if isinstance(event, ActionExecuted) and event.action_name in executor.actions:
            action = RemoteAction(event.action_name, endpoint)
            yield stock_format(action, tracker, domain), speedups.recent_events_call_format(action, tracker, domain)
        tracker.update(event)


def what_actions_read(request):
    """What the project's actions and rasa-sdk's forms take from a request's tracker."""
    tracker = Tracker.from_dict(request["tracker"])
    return {"slots": tracker.slots, "latest_message": tracker.latest_message, "active_loop": tracker.active_loop,
            "sender_id": tracker.sender_id, "followup_action": tracker.followup_action,
            "slots_to_validate": tracker.slots_to_validate(),
            "latest_action_name": tracker.latest_action_name}


def test_actions_read_and_answer_the_same_with_the_latest_events_only(domain, long_conversations):
    executor = ActionExecutor()
    executor.register_package("actions")
    calls = cut = answered = 0
    for conversation in long_conversations:
        for stock, patched in action_calls(conversation, domain, executor):
            calls += 1
            stock_events, patched_events = stock["tracker"].pop("events"), patched["tracker"].pop("events")
            # Everything but the events is the same; the events are stock's last ones.
            assert patched == stock
            assert patched_events == stock_events[-speedups.EVENTS_FOR_ACTIONS:]
            if len(stock_events) <= speedups.EVENTS_FOR_ACTIONS:
                continue
            cut += 1
            stock["tracker"]["events"], patched["tracker"]["events"] = stock_events, patched_events
            assert what_actions_read(patched) == what_actions_read(stock), stock["next_action"]
            stock_answer = asyncio.run(executor.run(stock))
            assert asyncio.run(executor.run(patched)) == stock_answer, stock["next_action"]
            answered += APOLOGY not in json.dumps(stock_answer)
    # The comparison must have covered long requests that the patch cut, and real answers.
    assert cut > 50 and answered > cut // 2, (calls, cut, answered)
