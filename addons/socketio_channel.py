"""Rasa's socket.io channel, but only for the chat page's own origin(s).

Stock Rasa creates its socket.io server with `cors_allowed_origins=[]`, which switches the
Origin check off entirely: any web page could open a WebSocket to the coach (browsers apply
no CORS to WebSockets) and the polling transport answers without CORS headers. Here the
engine.io server checks the Origin header itself: listed origins get their CORS headers,
every other origin gets 400 "Not an accepted origin" on polling and WebSocket alike.

Session ids (with `session_persistence`) are issued by the server, not chosen by the client.
Stock Rasa takes any `session_id` a client sends, joins it to that conversation's room and
uses it as the sender: whoever presents another user's id reads along and writes into their
conversation. Here an id is a random value signed with SENDER_HASH_SECRET; a client gets its
old id back (page reload) only if the signature holds and no other connected client holds
it, and its messages always go to the session bound to its own connection.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from typing import Any, Awaitable, Callable, Dict, List, Optional

from sanic import Blueprint

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput

from addons.message_limits import checked
from core.pseudonym import SECRET_VARIABLE

logger = logging.getLogger(__name__)


def allowed_origins() -> List[str]:
    """CHAT_ALLOWED_ORIGINS (comma-separated); empty = the chat page served by scripts/web_server.py."""
    configured = [origin.strip().rstrip("/") for origin in os.environ.get("CHAT_ALLOWED_ORIGINS", "").split(",")]
    if any(configured):
        return [origin for origin in configured if origin]
    port = os.environ.get("WEB_PORT") or "8000"
    return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]


class SessionIds:
    """Issues signed session ids and binds each to at most one connected socket."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode("utf-8")
        self._by_socket: Dict[str, str] = {}
        self._holder: Dict[str, str] = {}

    def _signature(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode("ascii"), hashlib.sha256).hexdigest()[:32]

    def new(self) -> str:
        nonce = secrets.token_hex(16)
        return nonce + self._signature(nonce)

    def is_genuine(self, session_id: Any) -> bool:
        if not isinstance(session_id, str) or len(session_id) != 64:
            return False
        nonce, signature = session_id[:32], session_id[32:]
        try:
            return hmac.compare_digest(self._signature(nonce), signature)
        except (TypeError, UnicodeEncodeError):
            return False

    def claim(self, socket_id: str, requested: Any) -> str:
        """The requested id if it is ours and free (or already this socket's), else a new one."""
        self.release(socket_id)
        if self.is_genuine(requested) and self._holder.get(requested) in (None, socket_id):
            session_id = requested
        else:
            if requested:
                logger.info("socket.io: a presented session id was not accepted; a new one was issued")
            session_id = self.new()
        self._by_socket[socket_id] = session_id
        self._holder[session_id] = socket_id
        return session_id

    def of(self, socket_id: str) -> Optional[str]:
        return self._by_socket.get(socket_id)

    def release(self, socket_id: str) -> None:
        session_id = self._by_socket.pop(socket_id, None)
        if session_id is not None and self._holder.get(session_id) == socket_id:
            del self._holder[session_id]


class RestrictedSocketIOInput(SocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(checked(on_new_message))  # empty/long texts, see there
        # The server is created inside super().blueprint(); engine.io reads this per request.
        self.sio.eio.cors_allowed_origins = allowed_origins()
        if self.session_persistence:
            self._issue_session_ids(SessionIds(os.environ.get(SECRET_VARIABLE) or secrets.token_hex(32)))
        return blueprint

    def _issue_session_ids(self, session_ids: SessionIds) -> None:
        """Replaces stock Rasa's session handlers (registered in super().blueprint())."""
        sio, namespace = self.sio, self.namespace or "/"
        stock_handle_message = sio.handlers[namespace][self.user_message_evt]

        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = session_ids.claim(sid, requested)
            for room in sio.rooms(sid, namespace=namespace):
                if room != sid:  # a second request on the same socket leaves the old session
                    sio.leave_room(sid, room, namespace=namespace)
            sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def handle_message(sid: str, data: Any) -> None:
            session_id = session_ids.of(sid)
            if session_id is None or not isinstance(data, dict):
                logger.info("socket.io: message without a session_request ignored")
                return
            # Whatever id the message names, it belongs to this connection's session.
            await stock_handle_message(sid, {**data, "session_id": session_id})

        async def disconnect(sid: str) -> None:
            session_ids.release(sid)

        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, handle_message, namespace=namespace)
        sio.on("disconnect", disconnect, namespace=namespace)
