"""The words of a practice answer against the terms of a key point (plain Python), as
coach/practice_scorer.py compares them: Snowball stems with umlauts folded, one token for every
negation, compounds from two neighbouring words, and one or two typos in longer stems (the
rules are in practice_scorer.py's docstring).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

import snowballstemmer
from rapidfuzz.distance import OSA

from coach.german_text import fold

STRONG_WORD_LENGTH = 5  # from this length a stem matches inside compounds and with a typo
_NEGATION = "<nicht>"
_NEGATIONS = {"nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "ohne", "nie", "niemals"}
# Function words: they never prove a key point on their own.
_STOPWORDS = set("""
a ab aber alle allem allen aller alles als also am an auch auf aus bei beim
bin bis bist bitte da dabei dadurch dafur dafuer dagegen damit dann daran darauf daruber darum
das dass davon dazu dein deine dem den denen denn der des deshalb dessen dich die dies diese
diesem diesen dieser dieses dir doch dort du durch eben ein eine einem einen einer eines einfach
einmal er es etwa etwas euch euer eure fur fuer gar gegen gibt hab habe haben hat hatte hier
hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im immer in ins ist ja jede jedem
jeden jeder jedes jetzt kann kannst konnen koennen konnte mal man manche mehr mein meine mich
mir mit muss mussen muessen nach nachdem naja nein noch nun nur ob oder ok okay schon sehr
sein seine sich sie sind so solche soll sollen sollte sondern sonst uber ueber um und uns
unser unsere unter viel viele vom von vor war waren warum was weil welche wenn wer werden wie
wieder will wir wird wo wollen wurde zu zum zur zwar
""".split())

_STEMMER = snowballstemmer.stemmer("german")


@dataclass(frozen=True)
class Token:
    stem: str
    words: Tuple[int, ...]  # indexes of the answer words it stands for
    position: int


@dataclass(frozen=True)
class Term:
    stems: Tuple[str, ...]  # content stems, negation folded to one token
    weak: bool  # a single short word ("echt", "Team", "KI")


@lru_cache(maxsize=65536)  # Snowball in pure Python was half of the time to score an answer
def stem(word: str) -> str:
    folded = fold(word)
    if folded in _NEGATIONS:
        return _NEGATION
    return _STEMMER.stemWord(folded)


WORD_AS_TYPED = re.compile(r"[0-9A-Za-zÄÖÜäöüß]+")


def words_of(text: str) -> List[str]:
    """The answer's words as typed (case kept)."""
    return WORD_AS_TYPED.findall(text or "")


def is_content(word: str) -> bool:
    folded = fold(word)
    return folded in _NEGATIONS or folded in ("ki", "it") or (len(folded) > 1 and folded not in _STOPWORDS)


def tokens_of(text: str) -> Tuple[List[str], List[Token]]:
    words = words_of(text)
    tokens: List[Token] = []
    position_of: Dict[int, int] = {}
    for i, word in enumerate(words):
        if is_content(word):
            position_of[i] = len(position_of)
            tokens.append(Token(stem(word), (i,), position_of[i]))
    # Neighbouring words written apart may be one compound ("acht mal", "Kunden Gespräch").
    for i in range(len(words) - 1):
        if i in position_of or i + 1 in position_of:
            position = position_of[i] if i in position_of else position_of[i + 1]
            tokens.append(Token(stem(words[i] + words[i + 1]), (i, i + 1), position))
    return words, tokens


def stem_matches(term: str, candidate: str, joined: bool = False) -> bool:
    """Does an answer stem show a term stem? `joined`: the candidate is two answer words
    written together, which may only match exactly or up to an inflection ending."""
    if term == candidate:
        return True
    if term == _NEGATION or candidate == _NEGATION:
        return False
    short, long_ = sorted((term, candidate), key=len)
    # Inflection the stemmer left over ("vertrau"/"vertraut", "zeitfen"/"zeitfenst").
    if len(short) >= 5 and long_.startswith(short) and len(long_) - len(short) <= 3:
        return True
    if joined:
        return False
    # Compounds in the answer: the term is the first or last part of a longer word.
    if len(candidate) > len(term):
        if len(term) >= 4 and candidate.startswith(term) and len(candidate) - len(term) >= 3:
            return True
        if len(term) >= 5 and candidate.endswith(term):
            return True
    # Typos: long stems, same first letter, one edit (two from 9 letters on).
    if len(short) >= 5 and term[0] == candidate[0]:
        allowed = 2 if len(long_) >= 9 else 1
        return OSA.distance(term, candidate, score_cutoff=allowed) <= allowed
    return False


def match_term(term: Term, tokens: Sequence[Token]) -> Optional[Tuple[int, ...]]:
    """Word indexes of the answer that show `term`, or None."""
    found: List[List[Token]] = []
    for part in term.stems:
        candidates = [t for t in tokens if stem_matches(part, t.stem, joined=len(t.words) > 1)]
        if not candidates:
            return None
        found.append(candidates)
    if len(found) == 1:
        return found[0][0].words
    # All parts close together: try each occurrence of the first part as an anchor.
    window = 2 * len(term.stems) + 1
    for anchor in found[0]:
        chosen = [anchor]
        for candidates in found[1:]:
            near = [t for t in candidates if abs(t.position - anchor.position) <= window]
            if not near:
                break
            chosen.append(min(near, key=lambda t: abs(t.position - anchor.position)))
        else:
            return tuple(sorted({w for t in chosen for w in t.words}))
    return None


@lru_cache(maxsize=None)
def term_of(text: str) -> Term:
    parts = [w for w in words_of(text) if is_content(w)]
    if all(fold(w) in _NEGATIONS for w in parts):  # "nicht dabei sein": keep every word
        parts = words_of(text)
    weak = len(parts) == 1 and len(fold(parts[0])) < STRONG_WORD_LENGTH
    return Term(tuple(stem(w) for w in parts), weak)
