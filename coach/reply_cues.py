"""The words of a short reply, read without the conversation (plain Python): a leading "nein", a
bare number, a question, a "ja, aber …", a denial, and the ways people say "you misread me".
coach/reading.py reads them against the coach's last question.
"""
from __future__ import annotations

import re
from typing import Optional

from coach.german_text import fold

# A reply that starts with "nein"/"nö" is a no, whatever else it says ("nö, passt", "nee danke").
_LEADING_NO = re.compile(r"^\W*(?:nein|nee+|ne|noe|nö|noi|nei|nae|nope|danke\W+nein|eher nicht|lieber nicht)\b(?!\s*(?:,\s*)?(?:aber|sondern))")

_NUMBER = re.compile(r"^\W*(?:nr\.?|nummer|schritt|die|den|das)?\s*([1-9])\W*(?:\.|er|te|ter|ten)?\W*$")
_NUMBER_WORDS = {"eins": 1, "erste": 1, "ersten": 1, "erster": 1, "zwei": 2, "zweite": 2, "zweiten": 2,
                 "zweiter": 2, "drei": 3, "dritte": 3, "dritten": 3, "dritter": 3, "vier": 4,
                 "vierte": 4, "vierten": 4, "fuenf": 5, "fuenfte": 5, "fuenften": 5}
_QUESTION_START = re.compile(
    r"^(?:und\s+|aber\s+|ja\s+)?(?:(?:ab|bis|seit|fuer|mit|an|auf|nach|von|zu|in)\s+(?=wann|wie|was|wo|welche))?(?:wie|was|wo|wann|wer|wen|wem|welche\w*|warum|wieso|weshalb|woher|"
    r"kann|koennen|könnte|koennte|soll|sollte|muss|gibt|hilft|bringt|ist|sind|hat|haben|wuerde|würde)\b"
)
_YES_BUT = re.compile(r"^\W*(?:ja|jo|schon|mag sein|stimmt|okay|ok|gut|na ja|naja|klar)?\W*(?:aber|trotzdem|nur)\b")
_NEGATION = re.compile(r"\b(?:nicht|nich|net|ned|noch nicht|kein\w*|nie|leider nein|nein|nee|ne|nope)\b")
_CORRECTION_CUE = re.compile(
    r"\b(?:falsch verstanden|missverstanden|(?:so\s+)?meinte ich (?:das\s+)?nicht|nicht (?:so\s+)?gemeint|"
    r"ich meinte|ich meine (?:eher|eigentlich|doch)|(?:darum|da(?:r|)um) geht (?:es|s) (?:mir )?(?:doch )?nicht|"
    r"geht (?:es|s) (?:mir )?(?:eher|eigentlich|doch) um|(?:nichts|nix) (?:damit )?zu tun|thema verfehlt|"
    r"verwechselt|anderes problem|anderes thema|anders gemeint)\b")


def starts_with_no(text: str) -> bool:
    return bool(_LEADING_NO.match(fold(text)))


def bare_number(text: str, maximum: int = 9) -> Optional[int]:
    """The number of a reply that is nothing but a number ("2", "Nr. 3", "den zweiten")."""
    folded = fold(text).strip()
    match = _NUMBER.match(folded)
    if match:
        value = int(match.group(1))
    else:
        words = re.findall(r"\w+", folded)
        words = [w for w in words if w not in {"die", "den", "das", "der", "nr", "nummer", "schritt", "bitte"}]
        value = _NUMBER_WORDS.get(words[0]) if len(words) == 1 else None
    return value if value and value <= maximum else None


def is_question(text: str) -> bool:
    folded = fold(text).strip()
    return folded.endswith("?") or bool(_QUESTION_START.match(folded))


def starts_yes_but(text: str) -> bool:
    return bool(_YES_BUT.match(fold(text)))


def denies(text: str) -> bool:
    """Whether a short report says no ("hab ich nicht geschafft", "leider nein", "noch keine Zeit")."""
    return bool(_NEGATION.search(fold(text)))


def strip_yes_but(text: str) -> str:
    """The user's point without the "ja, aber" in front."""
    match = _YES_BUT.match(fold(text))
    return text[match.end():].strip(" ,.;:-–") if match else text.strip()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def has_correction_cue(text: str) -> bool:
    """One of the ways people say "you misread me" ("falsch verstanden", "ich meinte …")."""
    return bool(_CORRECTION_CUE.search(fold(text)))


def correction_cues_blanked(text: str) -> str:
    """`text` with its correction cues replaced by full stops of the same length (so character
    spans stay valid), splitting "falsch verstanden, ich meine X" into its own clauses."""
    return _CORRECTION_CUE.sub(lambda m: "." * len(m.group(0)), text.lower())
