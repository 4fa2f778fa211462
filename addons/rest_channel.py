"""Rasa's REST channel with input checks: malformed requests get a clear 4xx JSON error.

Stock Rasa answers an empty body, a JSON array or a missing field with a 500 (it calls
`.get` on whatever `request.json` is) and passes any length of text to the NLU. Here the
request is checked first; the message text by addons/message_limits.py (empty, too long).
"""
from __future__ import annotations

import json
import logging
import traceback
from typing import Any, Awaitable, Callable, Dict, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput

from addons.message_limits import checked

logger = logging.getLogger(__name__)

# Room for a 100 000-character message (cut later to MAX_MESSAGE_LENGTH); a 1 MB body is refused.
MAX_BODY_BYTES = 256 * 1024
MAX_SENDER_LENGTH = 128


class BadRequest(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


def parse_request(request: Request) -> Dict[str, Any]:
    """The JSON object of a webhook request, or BadRequest with what is wrong."""
    if len(request.body or b"") > MAX_BODY_BYTES:
        raise BadRequest(413, f"request body larger than {MAX_BODY_BYTES // 1024} kB")
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise BadRequest(415, "content type must be application/json")
    if not request.body:
        raise BadRequest(400, "request body is empty")
    try:
        body = json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest(400, "request body is not valid UTF-8")
    except ValueError:
        raise BadRequest(400, "request body is not valid JSON")
    if not isinstance(body, dict):
        raise BadRequest(400, "request body must be a JSON object")
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest(400, "'sender' must be a non-empty string")
    if len(sender) > MAX_SENDER_LENGTH:
        raise BadRequest(400, f"'sender' must be at most {MAX_SENDER_LENGTH} characters")
    if not isinstance(message, str):
        raise BadRequest(400, "'message' must be a string")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest(400, "'metadata' must be a JSON object")
    return body


class CheckedRestInput(RestInput):
    """Same URL and answers as `rest` (/webhooks/rest/webhook), with checked input."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        on_new_message = checked(on_new_message)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = parse_request(request)
            except BadRequest as bad:
                return response.json({"error": bad.error}, status=bad.status)
            sender, text = body["sender"], body["message"]
            input_channel = self.name()  # not from the body: the log's channel must be true
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(on_new_message, text, sender, input_channel, body.get("metadata")),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=input_channel,
                                                 metadata=body.get("metadata")))
            except Exception as error:
                # Stock Rasa logs the user's text here; log only what failed and where.
                where = traceback.extract_tb(error.__traceback__)[-1]
                logger.error("Handling a REST message failed: %s at %s:%s",
                             type(error).__name__, where.filename, where.lineno)
                return response.json({"error": "internal error"}, status=500)
            return response.json(collector.messages)

        return webhook
