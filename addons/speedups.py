"""Per-turn costs of stock Rasa 3.6.21 that do not need to be paid on every turn (measured with
py-spy on a 200-turn conversation, see README "Benchmark"). Installed once at import
(addons/tracker_store.py imports this module), behaviour unchanged:

- `Event.resolve_by_type` walks all Event subclasses for every stored event it deserialises
  (a fifth of the Rasa server's time at turn 200): the type name -> class map is cached.
- The action server's answer is validated with `jsonschema.validate`, which checks the schema
  itself and builds a new validator on every call: one compiled validator is reused.
- The policies' dialogue states were rebuilt from the whole history several times per turn (two
  fifths of the time at turn 200), and every action copied the tracker by replaying all events:
  addons/incremental_states.py does both once per event.
- Each custom action call sends the whole conversation (every event since the start of the
  session) to the action server, so the request grows with every turn. Our actions read slots,
  the latest message and the active loop, which Rasa sends separately, and rasa-sdk looks at
  events back to the latest user message at most: the last EVENTS_FOR_ACTIONS events suffice.
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

from addons import incremental_states

EVENTS_FOR_ACTIONS = 60

# -- event types -------------------------------------------------------------------------------
_resolve_by_type = rasa_events.Event.resolve_by_type
_event_classes: Dict[Text, Type[rasa_events.Event]] = {}


def _cached_resolve_by_type(type_name: Text, default: Optional[Type[rasa_events.Event]] = None):
    found = _event_classes.get(type_name)
    if found is None:
        found = _resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _event_classes[type_name] = found
    return found


rasa_events.Event.resolve_by_type = staticmethod(_cached_resolve_by_type)

incremental_states.install()

# -- action server answers -----------------------------------------------------------------------
_response_validator = None


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
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


RemoteAction._validate_action_result = _validate_action_result

# -- requests to the action server -----------------------------------------------------------------
def _recent_events_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[Text, Any]:
    """Stock `_action_call_format`, with only the latest events (serialising all costs O(turns))."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [e.as_dict() for e in islice(tracker.events, max(0, len(tracker.events) - EVENTS_FOR_ACTIONS), None)]
    call = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        call["domain"] = domain.as_dict()
    return call


RemoteAction._action_call_format = _recent_events_call_format
