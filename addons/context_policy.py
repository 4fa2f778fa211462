"""Dialogue policy that reads each message against the coach's last question.

Rasa's rules map an intent to an action; they cannot tell "nein" after "Hält Sie sonst noch
etwas zurück?" (goodbye) from "nein" after an argument (an objection), see a correction point away
from the excuse just answered, or keep a question about the current excuse on it. This policy
asks `coach.reading.read` (plain Python) what the message means in the conversation's state and
predicts that action; the move goes into the `reading` slot, so the action answers with the same
understanding. Where the reading has nothing to add (greeting, source question, practice role
play, …) the policy abstains and the rules answer as before.

It ranks above the RulePolicy (priority in config.yml), learns nothing and keeps no files.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from addons.component_fingerprint import SourceFingerprint
from coach import reading

READING_SLOT = reading.READING_SLOT
PRACTICE_FORM = reading.PRACTICE_FORM

# Actions this policy predicts that end the bot's turn, and the one that is followed by another.
FOLLOW_UPS = {"action_start_practice": PRACTICE_FORM}
TERMINAL_ACTIONS = {
    "action_affirm", "action_next_argument", "action_commit_step", "action_skip_steps",
    "action_summarize", "action_offer_excuses", "action_record_rating",
    "action_close_without_rating", "action_end_practice", "action_coach_excuse",
    "action_commitment_report", "action_clarify_excuse", "action_answer_on_current",
    "action_answer_faq", "action_welcome_back",
}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class ContextPolicy(SourceFingerprint, Policy):
    """Predicts the action that answers a message in the light of the last question."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        latest = tracker.latest_action_name
        if latest != ACTION_LISTEN_NAME:
            follow_up = FOLLOW_UPS.get(latest) or (ACTION_LISTEN_NAME if latest in TERMINAL_ACTIONS else None)
            if follow_up and follow_up in domain.action_names_or_texts:
                probabilities[domain.index_for_action(follow_up)] = 1.0
            return self._prediction(probabilities)
        message = tracker.latest_message.parse_data if tracker.latest_message else {}
        context = reading.context_from(tracker.get_slot, tracker.active_loop_name)
        move = reading.read(context, reading.parse_from(message or {}))
        if move is None or move.action not in domain.action_names_or_texts:
            # The reading slot always describes the latest message, also when the rules answer
            # (`events` apply whichever policy wins).
            stale = tracker.get_slot(READING_SLOT) is not None
            return self._prediction(probabilities, events=[SlotSet(READING_SLOT, None)] if stale else None)
        probabilities[domain.index_for_action(move.action)] = 1.0
        return self._prediction(probabilities, events=[SlotSet(READING_SLOT, move.as_slot())])
