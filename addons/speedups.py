"""Replacements for three per-turn costs of stock Rasa 3.6.21 (found with py-spy on a long
conversation, see README "Benchmark"). Nothing here is installed at import:
addons/rasa_patches.py lists each with what it replaces and installs them together.

- `cached_resolve_by_type`: `Event.resolve_by_type` walks all Event subclasses for every
  stored event it deserialises; the type name -> class map is cached. Same result.
- `validate_action_result`: the action server's answer is validated with
  `jsonschema.validate`, which checks the schema itself and builds a new validator on every
  call; one compiled validator is reused. Same result, same error message.
- `recent_events_call_format`: each custom action call sends the whole conversation (every
  event since the session start) to the action server, so the request grows with every turn.
  This sends only the last EVENTS_FOR_ACTIONS events. That changes what the action server
  receives: `tracker.events` on the action side is the tail of the conversation, not all of
  it. Slots, the latest message, the active loop and the followup action come in their own
  fields of the request and stay complete. It is safe as long as no action reads
  `tracker.events` further back than the latest user message, which is how far rasa-sdk's
  forms look (`slots_to_validate`); the project's actions read slots, the latest message and
  the active loop only. tests/test_rasa_patches.py compares what the actions read and answer
  with both requests.
"""
from __future__ import annotations

from itertools import islice
from typing import Any, Dict, Optional, Text, Type

import jsonschema
from jsonschema import ValidationError

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events as rasa_events
from rasa.shared.core.trackers import EventVerbosity

EVENTS_FOR_ACTIONS = 60

# -- event types -------------------------------------------------------------------------------
_stock_resolve_by_type = rasa_events.Event.resolve_by_type
_event_classes: Dict[Text, Type[rasa_events.Event]] = {}


def cached_resolve_by_type(type_name: Text, default: Optional[Type[rasa_events.Event]] = None):
    found = _event_classes.get(type_name)
    if found is None:
        found = _stock_resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _event_classes[type_name] = found
    return found


# -- action server answers -----------------------------------------------------------------------
_response_validator = None


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    global _response_validator
    if _response_validator is None:
        schema = self.action_response_format_spec()
        _response_validator = jsonschema.validators.validator_for(schema)(schema)
    try:
        _response_validator.validate(result)
        return True
    except ValidationError as error:  # same message as stock Rasa
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            "the Action endpoint is valid."
        )
        raise error


# -- requests to the action server -----------------------------------------------------------------
def recent_events_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[Text, Any]:
    """Stock `_action_call_format`, with only the latest events (serialising all costs O(turns))."""
    state = tracker.current_state(EventVerbosity.NONE)
    first = max(0, len(tracker.events) - EVENTS_FOR_ACTIONS)
    state["events"] = [e.as_dict() for e in islice(tracker.events, first, None)]
    call = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        call["domain"] = domain.as_dict()
    return call
