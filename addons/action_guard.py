"""When a custom action fails, the user gets a short German apology instead of silence.

Stock Rasa raises from RemoteAction.run when the action server is unreachable or answers an
error; the processor then logs the exception — for a 500 including the response body, which
from rasa-sdk is the whole tracker with the user's text — and the user gets no answer. Rasa
has no hook for this, so `run_or_apologise` replaces RemoteAction.run; addons/rasa_patches.py
installs it with the other Rasa patches. The conversation goes on: the next message calls the
action server again. When the failed action is the session start, the session starts as with
Rasa's own `action_session_start` and the conversation listens (`rasa interactive` waits for
that before it asks for the first message).
"""
from __future__ import annotations

import logging
from typing import Any, List

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_action_failed"  # domain.yml

_stock_run = RemoteAction.run


async def run_or_apologise(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any,
                            domain: Any) -> List[Event]:
    try:
        return await _stock_run(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise  # part of the form protocol, not a failure
    except RasaException as error:
        cause = error.__cause__
        status = getattr(cause, "status", None)
        # Only the action name and the status: the exception text may contain the tracker.
        logger.error("Custom action '%s' failed (%s); the user got an apology.", self.name(),
                     f"action server answered {status}" if status else "action server unreachable")
        message = await nlg.generate(APOLOGY_RESPONSE, tracker, output_channel.name())
        message = {**(message or {"text": "Entschuldigung, da ist etwas schiefgelaufen."}),
                   "utter_action": APOLOGY_RESPONSE}
        apology = create_bot_utterance(message)
        if self.name() == ACTION_SESSION_START_NAME:
            return [SessionStarted(), apology, ActionExecuted(ACTION_LISTEN_NAME)]
        return [apology]

