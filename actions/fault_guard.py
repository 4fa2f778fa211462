"""A custom action that raises answers with the German apology, and leaks no user text.

rasa-sdk's own error handler answers a failing action with a 500 whose body is the whole
request (the tracker, with every user message) and logs the exception text, which often
quotes the input. Here the executor catches the exception first: the log gets the action,
the exception type and the code location only; Rasa gets a normal answer with
`utter_action_failed`, and the conversation goes on. rasa-sdk imports every module of the
`actions` package at start, which installs this.

Fault injection for the tests: COACH_FAULT_ACTIONS=action_coach_excuse,… makes those actions
raise (with the user's text in the exception message, like a careless bug would). Off when
empty, the default.
"""
from __future__ import annotations

import logging
import os
import traceback
from typing import Any, Dict, Optional

from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

logger = logging.getLogger(__name__)
FAULT_VARIABLE = "COACH_FAULT_ACTIONS"

_original_run = ActionExecutor.run


def _inject_fault(action_call: Dict[str, Any]) -> None:
    faulty = {name.strip() for name in os.environ.get(FAULT_VARIABLE, "").split(",") if name.strip()}
    if action_call.get("next_action") in faulty:
        text = ((action_call.get("tracker") or {}).get("latest_message") or {}).get("text")
        raise RuntimeError(f"injected fault ({FAULT_VARIABLE}) while handling {text!r}")


async def _run_or_apologise(self: ActionExecutor, action_call: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    try:
        _inject_fault(action_call)
        return await _original_run(self, action_call)
    except (ActionExecutionRejection, ActionNotFoundException):
        raise  # rasa-sdk answers these with 400/404 and no tracker
    except Exception as error:
        where = traceback.extract_tb(error.__traceback__)[-1]
        logger.error("Action '%s' failed: %s at %s:%s (message withheld: may quote the user)",
                     action_call.get("next_action"), type(error).__name__, where.filename, where.lineno)
        dispatcher = CollectingDispatcher()
        dispatcher.utter_message(response="utter_action_failed")
        return {"events": [], "responses": dispatcher.messages}


if ActionExecutor.run.__name__ != _run_or_apologise.__name__:
    ActionExecutor.run = _run_or_apologise
