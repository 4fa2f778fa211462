"""German text normalisation shared by the NLU components (plain Python)."""
import re

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Zero-width and bidi control characters carry no meaning for intent recognition.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def fold(text: str) -> str:
    """Lower-case and spell umlauts the way people type them without a German keyboard.

    "Für" and "fuer" then look the same to every featurizer.
    """
    return _INVISIBLE.sub("", text).lower().translate(_UMLAUTS)
