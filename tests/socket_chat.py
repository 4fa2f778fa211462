"""The chat page's socket.io protocol, as a test client: session_request/session_confirm,
user_uttered/bot_uttered (what rasa-webchat does)."""
import threading
import time
from typing import List, Optional

import socketio


class SocketChat:
    def __init__(self, coach, session_id: Optional[str] = None, origin: Optional[str] = None) -> None:
        self.client = socketio.Client()
        self.answers: List[dict] = []
        self.session_id = None
        self.confirmed = threading.Event()
        self.client.on("session_confirm", self._confirm)
        self.client.on("bot_uttered", lambda data: self.answers.append(data))
        origin = origin or f"http://127.0.0.1:{coach.env['WEB_PORT']}"
        self.client.connect(coach.rasa_url, headers={"Origin": origin}, transports=["polling"])
        self.client.emit("session_request", {"session_id": session_id})
        assert self.confirmed.wait(10), "no session_confirm"

    def _confirm(self, session_id) -> None:
        self.session_id = session_id
        self.confirmed.set()

    def say(self, text: str, wait: float = 20, session_id: Optional[str] = None) -> str:
        """Sends like the widget (with its session id, or the one given) and collects the answers."""
        self.answers = []
        self.client.emit("user_uttered", {"message": text, "session_id": session_id or self.session_id})
        return self.collect(wait)

    def collect(self, wait: float) -> str:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            # Answers arrive one by one; wait until they stop for a moment.
            count = len(self.answers)
            time.sleep(0.7)
            if count and count == len(self.answers):
                break
        return "\n".join(a.get("text") or "" for a in self.answers)

    def close(self) -> None:
        self.client.disconnect()
