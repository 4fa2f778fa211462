"""How a practice answer is cut into clauses and read for polarity (plain Python): negation
words and their scope (a closing contrast, "nicht A, sondern B"), dismissive words ("bringt eh
nix", "überschätzt"), agreeing with or conceding to the CEO until a turn ("aber …"),
and keyword lists without a sentence. coach/meaning.py compares the clauses by meaning.
"""
from __future__ import annotations

import re
from typing import List, Tuple

from coach.german_text import fold

MIN_CLAUSE_WORDS = 3      # shorter clauses carry no argument of their own

_NEGATION_WORDS = {"nicht", "nich", "net", "ned", "kein", "keine", "keinen", "keinem", "keiner", "keines",
                   "nie", "niemals", "nichts", "nix", "niemand", "niemandem", "niemanden", "nirgends", "nirgendwo",
                   "keinerlei", "weder", "kaum", "ohne"}
# Words that dismiss what they stand next to ("ist egal", "überschätzt") ...
_CONTRA = re.compile(
    r"\b(?:ueberschaetzt|ueberbewertet|sinnlos|quatsch|unsinn|zeitverschwendung|egal|"
    r"vergessen sie|lassen sie (?:das|es)|ueberfluessig|nutzlos|bloedsinn|bloss nicht)\b")
# ... and "eh" next to a negation ("bringt eh nix"); alone it states a premise
# ("wenn Sie eh Monteure suchen").
_ANYWAY = re.compile(r"\b(?:eh|ohnehin)\b")
# "bringt (Ihnen) gar nichts", "hilft da nix": a benefit waved away.
_NO_USE = re.compile(r"\b(?:bring\w*|hilft|helfen|nuetz\w*|lohnt)\b(?:\s+\w+){0,3}?\s+(?:nichts|nix|kein\w*)\b")
# An answer that starts by agreeing with the CEO restates his excuse until it turns ("aber …").
_AGREEING = re.compile(
    r"^\W*(?:ach\s+je|oh\s+je|oh\s+ja|ach\s+ja|ja\s+genau|zugegeben)\b"
    # a bare "Ja, …" concedes unless it turns at once ("Ja, aber …")
    r"|^\W*ja\s*,(?!\s*(?:aber|doch|trotzdem|nur|und\s+gerade|und\s+genau)\b)"
    # "Natürlich, …", "Mag sein, …": conceding first
    r"|^\W*(?:natuerlich|sicher|logisch|absolut|selbstverstaendlich|mag\s+sein|kann\s+(?:schon\s+)?sein|"
    r"schon\s+(?:richtig|klar|wahr))(?:\s*,|\W*$)"
    r"|^\W*(?:ja\W+|na\s+ja\W+|naja\W+|na\W+|tja\W+|ach\W+\w*\W+|oje\W+|gut\W+|okay\W+|ok\W+)?(?:(?:da|damit)\s+(?:hat|haben)\s+(?:\w+\s+){1,3}recht|"
    r"stimmt|genau|richtig|verstaendlich|nachvollziehbar|klar|da\s+ist\s+was\s+dran|"
    r"(?:das\s+)?(?:versteh|verstehe|kenn|kenne)\s+ich|kann\s+ich\s+(?:\w+\s+)?(?:verstehen|nachvollziehen)|klingt\s+(?:\w+\s+)?(?:vernuenftig|gut|plausibel|logisch)|"
    r"gute\s+idee|das\s+(?:verstehe|sehe|kenne?)\s+ich|da\s+kann\s+ich\s+sie\s+verstehen|"
    r"sie\s+haben\s+(?:\w+\s+){0,2}recht|recht\s+haben\s+sie)\b")
# … or one that ends by agreeing ("Sicherheit geht vor, seh ich genauso"), back to its last turn.
_AGREED = re.compile(
    r"\b(?:sehe?\s+ich\s+(?:genauso|auch\s+so|genau\s+so)|ganz\s+meine\s+meinung|geht\s+mir\s+(?:auch\s+)?so|das\s+ist\s+(?:leider|halt|nun\s+mal)\s+so)\W*$")
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


# A contrast that closes a clause ("ein Marathon und kein Sprint", "Chefsache, nicht nur PR")
# rejects the alternative, not the clause's own statement.
_CONTRAST_TAIL = re.compile(r"(?:\s+und|,)\s+(?:kein\w*|nicht)\s+(?:nur\s+|mehr\s+)?\w+(?:\s+\w+){0,3}\W*$")


def negations(text: str) -> int:
    """How many negation words the text has (0, 1, or 2 for two and more), not counting a
    closing contrast."""
    folded = _CONTRAST_TAIL.sub("", fold(text))
    return min(2, sum(1 for w in _WORD.findall(folded) if w in _NEGATION_WORDS))


def dismisses(text: str) -> bool:
    """A contra word ("überschätzt", "egal"), "eh" next to a negation, or a benefit waved away
    ("bringt gar nichts"): the clause waves the point away."""
    folded = fold(text)
    return bool(_CONTRA.search(folded) or _NO_USE.search(folded)) or bool(_ANYWAY.search(folded)) and negations(text) > 0


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


_INSTEAD = re.compile(r"^\W*sondern\b")
_SUBORDINATE = re.compile(r"^\W*(?:wie|wenn|dass|ob|was|weil|da|falls|sobald|solange|welche\w*|wer|wo)\b")


def readings(answer: str) -> List[Tuple[str, int, int]]:
    """(text, negations, clause number) for every clause of the answer and for its comma-separated
    parts; a subordinate part ("…, wie der Chef denkt") takes the polarity of its whole clause.
    A clause closing on a contrast ("… und kein Sprint") is also read without it, and "nicht A,
    sondern B" as one statement with the polarity of B. Clauses said while agreeing with the CEO
    (up to a turn such as "aber"; one ending "…, das sehe ich genauso" takes back what was said
    since the last turn) and dismissive clauses ("ist eh egal") are left out."""
    readings, agreeing, turn = [], False, 0
    said = clauses(answer)
    for number, clause in enumerate(said):
        folded = fold(clause)
        if _TURN.match(folded):
            turn = number
        agreeing = bool(_AGREEING.search(folded)) or (agreeing and not _TURN.match(folded))
        if _AGREED.search(folded):
            readings = [r for r in readings if r[2] < turn]
            agreeing = True
        if agreeing or dismisses(clause):
            continue
        whole = negations(clause)
        if number > 0 and _INSTEAD.match(folded) and negations(said[number - 1]):
            # "nicht A, sondern B" says "B statt A", the way many key points are phrased.
            readings.append((f"{said[number - 1]}, {clause}", whole, number))
        if len(words(clause)) < MIN_CLAUSE_WORDS:
            continue
        # The rejected alternative of "nicht A, sondern B" is read with B, not alone.
        rejected = number + 1 < len(said) and _INSTEAD.match(fold(said[number + 1])) and whole > 0
        if not rejected:
            readings.append((clause, whole, number))
        stated = _CONTRAST_TAIL.sub("", clause)
        if stated != clause and len(words(stated)) >= MIN_CLAUSE_WORDS:
            readings.append((stated, negations(stated), number))
        parts = [p.strip() for p in clause.split(",") if len(words(p)) >= MIN_CLAUSE_WORDS]
        if len(parts) > 1:
            parts = [(p, whole if _SUBORDINATE.match(fold(p)) else negations(p)) for p in parts]
            readings += [(p, n, number) for p, n in parts if not (rejected and n)]
    return readings
