"""The trainee's message in practice mode, read without the NLU's intent where that can mislead:
the training code, the number of rounds, the short commands ("Tipp", "Stopp") by keyword, and
the one check for a long answer the NLU took for a command.

Short messages with a command word are commands whatever the intent; a long typed message is an
answer, also when the NLU read it as a hint, stop, start or delete request (see
`misread_answer`).
"""
from __future__ import annotations

import re
from typing import Optional, Pattern, Tuple

from rasa_sdk import Tracker

from coach import practice_scorer as scorer

FORM = "practice_form"
MAX_ROUNDS = 10
COMMAND_MAX_WORDS = 6

# "Code WS-NOV", "Trainingscode: ws-nov", "unser Kurscode ist KURS7"
CODE_PATTERN = re.compile(
    r"\b(?:trainings|kurs|workshop|gruppen|seminar)?code\b\s*(?:ist|lautet|hei(?:ss|ß)t)?\s*[:=]?\s*"
    r"([A-Za-z0-9][A-Za-z0-9_\-]{1,31})",
    re.IGNORECASE,
)
BARE_CODE_PATTERN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_\-]{1,31})\s*[.!]?\s*$")
NOT_CODES = {"ist", "habe", "hab", "kein", "keinen", "keiner", "nicht", "ohne", "leider", "gibt", "bitte",
             "vergessen", "dabei", "weiss", "weiß", "brauche", "starten", "nein", "ja", "egal"}
ROUNDS_PATTERN = re.compile(r"\b(\d{1,2})\s*runden?\b", re.IGNORECASE)
HINT_PATTERN = re.compile(r"\b(tipps?|hinweis|hinweise|hilfe|help|hint|hilf)\b", re.IGNORECASE)
STOP_PATTERN = re.compile(
    r"\b(stopp?|auswertung|beenden|abbrechen|aufh(?:ö|oe|o)ren|schluss|ende|tsch(?:ü|ue|u)ss)\b"
    r"|\bh(?:ö|oe|o)re?\b.{0,30}\bauf\b",  # the separable "ich höre jetzt auf"
    re.IGNORECASE)


def _looks_like_code(candidate: str) -> bool:
    return (any(c.isdigit() or c in "-_" for c in candidate) or candidate.isupper()) and len(candidate) >= 2


def parse_code(text: str, bare: bool = False) -> Optional[str]:
    """The training code in a message; `bare` also accepts a message that is only a code."""
    text = text or ""
    match = CODE_PATTERN.search(text)
    if match and match.group(1).lower() not in NOT_CODES:
        candidate = match.group(1)
        if bare or _looks_like_code(candidate):
            return candidate.upper()
    match = BARE_CODE_PATTERN.match(text) if bare else None
    if match and match.group(1).lower() not in NOT_CODES and _looks_like_code(match.group(1)):
        return match.group(1).upper()
    return None


def parse_rounds(text: str) -> Optional[int]:
    match = ROUNDS_PATTERN.search(text or "")
    if match and 1 <= int(match.group(1)) <= MAX_ROUNDS:
        return int(match.group(1))
    return None


def is_command(text: str, pattern: re.Pattern) -> bool:
    """A short message with the command word ("Tipp bitte", "Stopp, Auswertung")."""
    return bool(pattern.search(text or "")) and len(scorer.words_of(text)) <= COMMAND_MAX_WORDS


def is_button(text: str) -> bool:
    return (text or "").startswith("/")


def is_long_answer(text: str, keyword: Optional[Pattern] = None) -> bool:
    """A typed message too long for a command and without the command's `keyword`: an answer."""
    return (not is_button(text) and len(scorer.words_of(text)) > COMMAND_MAX_WORDS
            and not (keyword and keyword.search(text)))


def misread_answer(tracker: Tracker, keyword: Optional[Pattern] = None) -> bool:
    """The latest message is a practice answer the NLU misread as the command of the running
    action (hint, stop, start, delete): the practice runs and the message is a long answer."""
    return practice_active(tracker) and is_long_answer(latest_text(tracker), keyword)


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> Tuple[Optional[str], float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0)


def practice_active(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == FORM
