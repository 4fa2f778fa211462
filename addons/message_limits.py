"""Checks user messages before they reach the NLU, for every input channel.

With stock Rasa's DIET classifier, whose attention grows with the square of the message
length, one 48 kB message drove the Rasa process to 6–8 GB and stalled every other user; 100 kB
crashed TensorFlow. Any classifier's cost grows with the length, so the text is cut here, and
the user is told so. The cut text is what the NLU reads and what the log stores.
A message with nothing visible in it is answered here with a nudge; the NLU has nothing to read.
Lone UTF-16 surrogates ("\\ud83d" in JSON: half an emoji) are valid JSON but no text: nothing can
encode them (log, database, answer), so they become U+FFFD here.
"""
from __future__ import annotations

import os
import re
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from coach.german_text import visible

DEFAULT_MAX_MESSAGE_LENGTH = 2000
EMPTY_MESSAGE_HINT = ("Ihre Nachricht ist leer angekommen. Schreiben Sie mir gern, was Sie "
                      "davon abhält, auf LinkedIn aktiv zu sein.")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """`text` with lone surrogates replaced, so it can be written as UTF-8 anywhere."""
    return _LONE_SURROGATE.sub("\ufffd", text)


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
        message.text = encodable(message.text)
        message.sender_id = encodable(message.sender_id)
        limit = max_message_length()
        if len(message.text) > limit:
            message.text = message.text[:limit]
            await message.output_channel.send_text_message(message.sender_id, too_long_hint(limit))
        return await on_new_message(message)

    return handle
