"""addons/context_policy.py on real Rasa trackers and the project's domain (no model, no server)."""
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.context_policy import ContextPolicy

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("policy"))
    return ContextPolicy.create(ContextPolicy.get_default_config(), storage, Resource("context"),
                                ExecutionContext(GraphSchema({}), "test"))


def tracker(*events):
    return DialogueStateTracker.from_events("user", [ActionExecuted("action_listen"), *events], DOMAIN.slots)


def predicted(policy, tracker_):
    prediction = policy.predict_action_probabilities(tracker_, DOMAIN)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    if prediction.probabilities[best] == 0:
        return None, prediction
    return DOMAIN.action_names_or_texts[best], prediction


def user(text, intent, confidence=0.95, **extra):
    return UserUttered(text, {"name": intent, "confidence": confidence},
                       parse_data={"text": text, "intent": {"name": intent, "confidence": confidence},
                                   "intent_ranking": [{"name": intent, "confidence": confidence}], **extra})


def test_no_thanks_after_anything_else_closes_and_the_reading_is_recorded(policy):
    action, prediction = predicted(policy, tracker(
        SlotSet("phase", "next"), SlotSet("current_excuse", "excuse_no_time"), user("Nein danke", "deny")))
    assert action == "action_summarize"
    assert [(e.key, e.value["kind"]) for e in prediction.events] == [("reading", "reply")]


def test_the_same_no_after_an_argument_is_an_objection(policy):
    action, _ = predicted(policy, tracker(
        SlotSet("phase", "argument"), SlotSet("current_excuse", "excuse_no_time"), user("Nein danke", "deny")))
    assert action == "action_next_argument"


def test_after_its_own_action_it_listens_and_after_the_practice_start_comes_the_form(policy):
    after_summary = tracker(SlotSet("phase", "next"), user("nein", "deny"), ActionExecuted("action_summarize"))
    assert predicted(policy, after_summary)[0] == "action_listen"
    after_start = tracker(SlotSet("phase", "practice_again"), user("ja", "affirm"),
                          ActionExecuted("action_start_practice"))
    assert predicted(policy, after_start)[0] == "practice_form"


def test_abstains_for_context_free_intents_and_inside_the_practice_form(policy):
    assert predicted(policy, tracker(user("Woher stammt das?", "ask_source")))[0] is None
    in_form = tracker(ActiveLoop("practice_form"), SlotSet("phase", "argument"), user("nein", "deny"))
    assert predicted(policy, in_form)[0] is None


def test_a_stale_reading_is_cleared_when_the_rules_answer(policy):
    stale = tracker(SlotSet("reading", {"action": "action_summarize", "kind": "reply"}),
                    user("Woher stammt das?", "ask_source"))
    _, prediction = predicted(policy, stale)
    assert [(e.key, e.value) for e in prediction.events] == [("reading", None)]
