"""How a practice answer is cut into clauses and read for polarity (plain Python): negation
words, dismissive words ("eh", "überschätzt"), agreeing with the CEO until a turn ("aber …"),
and keyword lists without a sentence. coach/meaning.py compares the clauses by meaning.
"""
from __future__ import annotations

import re
from typing import List, Tuple

from coach.german_text import fold

MIN_CLAUSE_WORDS = 3      # shorter clauses carry no argument of their own

_NEGATION_WORDS = {"nicht", "nich", "net", "ned", "kein", "keine", "keinen", "keinem", "keiner", "keines",
                   "nie", "niemals", "nichts", "nix", "niemand", "weder", "kaum", "ohne"}
# Words that dismiss what they stand next to ("ist eh egal", "sowieso überschätzt").
_CONTRA = re.compile(
    r"\b(?:ueberschaetzt|ueberbewertet|sinnlos|quatsch|unsinn|zeitverschwendung|egal|eh|"
    r"vergessen sie|lassen sie (?:das|es)|ueberfluessig|nutzlos|bloedsinn|bloss nicht)\b")
# An answer that starts by agreeing with the CEO restates his excuse until it turns ("aber …").
_AGREEING = re.compile(
    r"^\W*(?:ach\s+je|oh\s+je|oh\s+ja|ach\s+ja|ja\s+genau)\b"
    r"|^\W*(?:ja\W+|naja\W+|ach\W+\w*\W+|oje\W+)?(?:(?:da|damit)\s+(?:hat|haben)\s+(?:\w+\s+){1,3}recht|"
    r"stimmt|genau|richtig|verstaendlich|klar|klingt\s+(?:\w+\s+)?(?:vernuenftig|gut|plausibel|logisch)|"
    r"gute\s+idee|das\s+(?:verstehe|sehe|kenne?)\s+ich|da\s+kann\s+ich\s+sie\s+verstehen|"
    r"sie\s+haben\s+(?:\w+\s+){0,2}recht|recht\s+haben\s+sie)\b"
    # … or ends by agreeing ("Sicherheit geht vor, seh ich genauso").
    r"|\b(?:sehe?\s+ich\s+(?:genauso|auch\s+so|genau\s+so)|ganz\s+meine\s+meinung|geht\s+mir\s+(?:auch\s+)?so)\W*$")
_TURN = re.compile(r"^\W*(?:aber|doch|trotzdem|allerdings|jedoch|dennoch|andererseits|nur)\b")
# Clauses end at sentence ends, dashes, semicolons and a comma before a joining word; a plain
# comma keeps a subordinate clause with its main clause, where its negation belongs.
_CLAUSE_BOUNDARY = re.compile(
    r"[.!?;:]+\s*|\n+|\s[-–—]\s|,\s*(?=(?:und|aber|denn|sondern|doch|oder|trotzdem|allerdings)\b)")
_WORD = re.compile(r"[0-9A-Za-zÄÖÜäöüß]+")
_FUNCTION_WORDS = set("""ich du sie er es wir ihr man das der die dem den ist sind sein hat haben wird werden
kann koennen muss muessen soll sollen will wollen bringt macht gibt geht zeigt hilft wenn weil dass
und aber oder nicht auch nur noch schon mit fuer auf in an zu""".split())


def words(text: str) -> List[str]:
    return _WORD.findall(text or "")


def negations(text: str) -> int:
    """How many negation words the text has (0, 1, or 2 for two and more)."""
    return min(2, sum(1 for w in _WORD.findall(fold(text)) if w in _NEGATION_WORDS))


def dismisses(text: str) -> bool:
    """A contra word ("eh", "sowieso", "überschätzt", "egal"): the clause waves the point away."""
    return bool(_CONTRA.search(fold(text)))


def is_negated(text: str) -> bool:
    """Negated or dismissive (for the feedback on answers that argue against a point)."""
    return negations(text) == 1 or dismisses(text)


def clauses(text: str) -> List[str]:
    parts = [p.strip(" ,") for p in _CLAUSE_BOUNDARY.split(text or "")]
    return [p for p in parts if p and len(words(p)) >= 1]


def is_keyword_list(text: str) -> bool:
    """Topic words without a sentence: every piece short and none reads like a clause."""
    pieces = [p for p in re.split(r"[,;/\n•·|+]|\s[-–—]\s|\bund\b", text or "") if p.strip()]
    if not pieces:
        return False
    sentence_like = [p for p in pieces if len(words(p)) >= 4
                     or any(fold(w) in _FUNCTION_WORDS for w in words(p))]
    return len(pieces) >= 2 and not sentence_like or (len(words(text)) <= 6 and not any(
        fold(w) in _FUNCTION_WORDS for w in words(text)))


_SUBORDINATE = re.compile(r"^\W*(?:wie|wenn|dass|ob|was|weil|da|falls|sobald|solange|welche\w*|wer|wo)\b")


def readings(answer: str) -> List[Tuple[str, int, int]]:
    """(text, negations, clause number) for every clause of the answer and for its comma-separated
    parts; a subordinate part ("…, wie der Chef denkt") takes the polarity of its whole clause.
    Clauses said while agreeing with the CEO (up to a turn such as "aber") and dismissive
    clauses ("ist eh egal") are left out."""
    readings, agreeing = [], False
    for number, clause in enumerate(clauses(answer)):
        folded = fold(clause)
        agreeing = bool(_AGREEING.search(folded)) or (agreeing and not _TURN.match(folded))
        if agreeing or len(words(clause)) < MIN_CLAUSE_WORDS:
            continue
        if dismisses(clause):
            continue
        whole = negations(clause)
        readings.append((clause, whole, number))
        parts = [p.strip() for p in clause.split(",") if len(words(p)) >= MIN_CLAUSE_WORDS]
        if len(parts) > 1:
            readings += [(p, whole if _SUBORDINATE.match(fold(p)) else negations(p), number) for p in parts]
    return readings
