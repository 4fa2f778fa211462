"""Checks user messages before they reach the NLU, for every input channel.

With stock Rasa's DIET classifier, whose attention grows with the square of the message
length, one 48 kB message drove the Rasa process to 6–8 GB and stalled every other user; 100 kB
crashed TensorFlow. Any classifier's cost grows with the length, so the text is cut here, and
the user is told so. The cut text is what the NLU reads and what the log stores.
A message with nothing visible in it is answered here with a nudge; the NLU has nothing to read.
"""
from __future__ import annotations

import os
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from addons.german_text import visible

DEFAULT_MAX_MESSAGE_LENGTH = 2000
EMPTY_MESSAGE_HINT = ("Ihre Nachricht ist leer angekommen. Schreiben Sie mir gern, was Sie "
                      "davon abhält, auf LinkedIn aktiv zu sein.")


def max_message_length() -> int:
    return int(os.environ.get("MAX_MESSAGE_LENGTH") or DEFAULT_MAX_MESSAGE_LENGTH)


def too_long_hint(limit: int) -> str:
    number = f"{limit:,}".replace(",", "\u00a0")  # German style "2 000", never wrapped
    return f"Ihre Nachricht war sehr lang – ich habe die ersten {number} Zeichen gelesen."


def checked(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """Wraps a channel's message handler: empty texts get a nudge, over-long ones are cut."""

    async def handle(message: UserMessage) -> Any:
        if not isinstance(message.text, str) or not visible(message.text).strip():
            await message.output_channel.send_text_message(message.sender_id, EMPTY_MESSAGE_HINT)
            return None
        limit = max_message_length()
        if len(message.text) > limit:
            message.text = message.text[:limit]
            await message.output_channel.send_text_message(message.sender_id, too_long_hint(limit))
        return await on_new_message(message)

    return handle
