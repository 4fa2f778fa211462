"""A custom action that raises answers with the German apology, and leaks no user text.

rasa-sdk's own error handler answers a failing action with a 500 whose body is the whole
request (the tracker, with every user message) and logs the exception text, which often
quotes the input. Here the executor catches the exception first: the log gets the action,
the exception type and the code location only; Rasa gets a normal answer with
`utter_action_failed`, and the conversation goes on. rasa-sdk has no hook for this and
`rasa run actions` builds its own ActionExecutor, so its `run` is wrapped; rasa-sdk imports
every module of the `actions` package at start, which installs this. tests/test_faults.py
makes actions raise on purpose (tests/faulty_action_server.py).
"""
from __future__ import annotations

import logging
import traceback
from typing import Any, Dict, Optional

from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

logger = logging.getLogger(__name__)
_stock_run = ActionExecutor.run


async def _run_or_apologise(self: ActionExecutor, action_call: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    try:
        return await _stock_run(self, action_call)
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
