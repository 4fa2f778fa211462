"""Rasa's socket.io channel, but only for the chat page's own origin(s).

Stock Rasa creates its socket.io server with `cors_allowed_origins=[]`, which switches the
Origin check off entirely: any web page could open a WebSocket to the coach (browsers apply
no CORS to WebSockets) and the polling transport answers without CORS headers. Here the
engine.io server checks the Origin header itself: listed origins get their CORS headers,
every other origin gets 400 "Not an accepted origin" on polling and WebSocket alike.
"""
from __future__ import annotations

import os
from typing import Any, Awaitable, Callable, List

from sanic import Blueprint

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput

from addons.message_limits import checked


def allowed_origins() -> List[str]:
    """CHAT_ALLOWED_ORIGINS (comma-separated); empty = the chat page served by scripts/web_server.py."""
    configured = [origin.strip().rstrip("/") for origin in os.environ.get("CHAT_ALLOWED_ORIGINS", "").split(",")]
    if any(configured):
        return [origin for origin in configured if origin]
    port = os.environ.get("WEB_PORT") or "8000"
    return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]


class RestrictedSocketIOInput(SocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(checked(on_new_message))  # empty/long texts, see there
        # The server is created inside super().blueprint(); engine.io reads this per request.
        self.sio.eio.cors_allowed_origins = allowed_origins()
        return blueprint
