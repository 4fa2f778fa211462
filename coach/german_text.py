"""German text normalisation shared by the NLU components (plain Python)."""
import re

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Zero-width, bidi and other control characters carry no meaning for intent recognition
# (the log keeps the text as typed; only the NLU reads it without them).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def visible(text: str) -> str:
    """The text without invisible and control characters."""
    return _INVISIBLE.sub("", text)


def fold(text: str) -> str:
    """Lower-case and spell umlauts the way people type them without a German keyboard.

    "Für" and "fuer" then look the same to every featurizer.
    """
    return _INVISIBLE.sub("", text).lower().translate(_UMLAUTS)
