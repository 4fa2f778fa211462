"""Polarity of a German clause (plain Python): its negation words (how many, and the statement a
singly negated clause denies), the words that dismiss what they stand next to ("überschätzt",
"bringt eh nix") and the negation that takes a burden off the CEO ("Sie müssen nicht …").
coach/answer_clauses.py reads a practice answer's clauses with them.
"""
from __future__ import annotations

import re
from typing import List

from coach.german_text import fold

NEGATION_WORDS = {"nicht", "nich", "net", "ned", "kein", "keine", "keinen", "keinem", "keiner", "keines",
                   "nie", "niemals", "nichts", "nix", "niemand", "niemandem", "niemanden", "nirgends", "nirgendwo",
                   "keinerlei", "weder", "kaum", "ohne", "koi", "koa", "koin", "koine", "koiner", "koim", "nimmer"}
# Words that dismiss what they stand next to ("ist egal", "überschätzt", "ein Märchen", "Panikmache",
# "rausgeschmissenes Geld", "der falsche Kanal", "können Sie vergessen", "Als ob …!"), unless
# negated themselves ("keine Spielerei", `_contra_said`) ...
_CONTRA = re.compile(
    r"\b(?:ueberschaetzt|ueberbewertet|uebertrieben|sinnlos|quatsch|unsinn|bloedsinn|zeitverschwendung|"
    r"egal(?!\s+(?:wie|wo\w*|was|ob|welch\w*|wann|wer|warum|mit))|"
    r"mythos|maerchen|illusion|wunschdenken|schoenrechnerei|augenwischerei|schlagwort|hinkt|"
    r"panikmache|geruecht|overkill|geldverschwendung|rausgeschmissen\w*|heisse\s+luft|spielerei|"
    r"kinderkram|firlefanz|schnickschnack|humbug|unfug|kokolores|laecherlich|weltfremd|fuer\s+die\s+katz|"
    r"verbrenn\w*|falsche\s+(?:ort|kanal|weg|platz)|"
    r"stimmt\s+(?:so\s+|doch\s+|einfach\s+|halt\s+)?(?:nicht|nich|net|ned)|heisst\s+(?:gar\s+|ueberhaupt\s+|noch\s+|doch\s+)*(?:nichts|nix)|"
    r"alles\s+andere\s+als|taug\w*\s+(?:\w+\s+){0,3}(?:nicht|nichts|nix)|"
    r"vergessen\s+sie(?!\s+nicht)|lassen\s+sie\s+(?:das|es)(?:\s+(?:lieber|besser|bleiben|sein|einfach|ganz))*\W*$|ueberfluessig|nutzlos|bloss\s+nicht|bezweifle\w*|"
    r"(?:koennen|kann|kannst)\s+(?:sie|sies|man|du)\s+(?:\w+\s+){0,2}(?:vergessen|knicken|abhaken)|"
    r"sich\s+sparen\W*$|glaub\w*\s+(?:ich|ihnen|keiner|niemand)\s+(?:\w+\s+)?(?:nicht|kein\w*)|"
    r"wer\s+glaubt\s+(?:denn|ernsthaft|wirklich|noch|im\s+ernst|so\s*was)|von\s+wegen|ging\s+(?:\w+\s+)?daneben)\b"
    r"|^\W*als\s+ob\b")
# ... and "eh" next to a negation ("bringt eh nix"); alone it states a premise
# ("wenn Sie eh Monteure suchen").
_ANYWAY = re.compile(r"\b(?:eh|ohnehin)\b")
# "bringt (Ihnen) gar nichts", "bringt weder … noch …", "hat null gebracht": a benefit waved away.
_NO_USE = re.compile(
    r"\b(?:bring\w*|gebracht|hilft|geholfen|helfen|nuetz\w*|genuetzt|lohnt|gelohnt)\b(?:\s+\w+){0,3}?\s+(?:nichts|nix|null|kein\w*|weder)\b"
    r"|\b(?:nichts|nix|null)\s+(?:\w+\s+)?(?:gebracht|genuetzt|geholfen)\b")
_WORD = re.compile(r"[0-9A-Za-zÄÖÜäöüß]+")


def words(text: str) -> List[str]:
    return _WORD.findall(text or "")


# A contrast that closes a clause ("ein Marathon und kein Sprint", "Chefsache, nicht nur PR")
# rejects the alternative, not the clause's own statement.
CONTRAST_TAIL = re.compile(r"(?:\s+und|,)\s+(?:kein\w*|nicht)\s+(?:nur\s+|mehr\s+)?\w+(?:\s+\w+){0,3}\W*$")


# A negation of "more" limits, it does not deny: "zehn Minuten, mehr nicht", "mehr braucht es
# nicht", "nicht mehr als eine Viertelstunde" say that little suffices. ("Nicht mehr" alone is
# "no longer" and stays a negation.)
_LIMIT = re.compile(
    r"\bmehr\s+(?:(?:braucht\w*|brauchen|muss|musst|muessen|ist|wird|soll|sollte|darf)\s+(?:\w+\s+){0,2}?)?"
    r"(?:nicht|nich|net|ned)\b(?!\s+mehr\b)|\b(?:nicht|nich|net|ned|kein\w*)\s+(?:\w+\s+)?mehr\s+als\b")


def negations(text: str) -> int:
    """How many negation words the text has (0, 1, or 2 for two and more), not counting a
    closing contrast or a limit ("mehr nicht"). A verdict that waves away a negated premise
    cancels its negation: "Dass keiner was liked, heißt gar nichts" states that they do."""
    folded = _LIMIT.sub(" ", CONTRAST_TAIL.sub("", fold(text)))
    verdict = _verdict_on_negated_premise(folded)
    if verdict:
        return max(0, _negation_count(folded[:verdict.start()] + " " + folded[verdict.end():]) - 1)
    return _negation_count(folded)


def _negation_count(folded: str) -> int:
    return min(2, sum(1 for w in _WORD.findall(folded) if w in NEGATION_WORDS))


# The negation words whose removal turns a statement into its opposite ("Perfektion ist kein
# Startkriterium" -> "Perfektion ist Startkriterium"); "ohne", "kaum" and "weder" reshape more.
_PLAIN_NEGATION = re.compile(r"\b(?:nicht|nich|kein|keine|keinen|keinem|keiner|keines|nie|niemals|nichts|nix)\b\s*",
                             re.IGNORECASE)


def opposite(text: str) -> str:
    """The statement a singly negated text denies, with its negation word taken out; "" when the
    text has no such negation or more than one."""
    if negations(text) != 1 or len(_PLAIN_NEGATION.findall(text)) != 1:
        return ""
    return " ".join(_PLAIN_NEGATION.sub("", text).split())


def dismisses(text: str) -> bool:
    """A contra word ("überschätzt", "egal"), "eh" next to a negation, or a benefit waved away
    ("bringt gar nichts"): the clause waves the point away."""
    folded = fold(text)
    return _contra_said(folded) or bool(_NO_USE.search(folded)) or bool(_ANYWAY.search(folded)) and negations(text) > 0


# A premise named before the verdict ("Dass keiner was liked, heißt gar nichts", "Nur weil
# keiner kommentiert, ist das ein Märchen"): a negated premise waved away is the point's side.
_PREMISE = re.compile(r"^\W*(?:(?:und|aber|doch|also)\s+)?(?:(?:nur|bloss|allein)\s+)?(?:dass|weil|wenn)\b")


def _verdicts(folded: str):
    """The contra words that are not negated themselves ("keine Spielerei", "nicht überschätzt"
    take the point's side)."""
    return [m for m in _CONTRA.finditer(folded) if not NEGATION_WORDS & set(folded[:m.start()].split()[-2:])]


def _waves_away_negated_premise(folded: str, verdict: "re.Match") -> bool:
    return bool(_PREMISE.match(folded)) and bool(NEGATION_WORDS & set(_WORD.findall(folded[:verdict.start()])))


def _verdict_on_negated_premise(folded: str):
    """The contra word that waves away a negated premise, or None."""
    return next((m for m in _verdicts(folded) if _waves_away_negated_premise(folded, m)), None)


def _contra_said(folded: str) -> bool:
    """A contra word not itself negated and not waving away a negated premise."""
    return any(not _waves_away_negated_premise(folded, m) for m in _verdicts(folded))


# "Sie müssen keine Abteilung aufbauen", "du brauchst nicht jeden Tag": a negation that takes a
# burden off the CEO answers him; it does not side with him, however close it comes to a denial.
_RELIEF = re.compile(r"^\W*(?:(?:und|aber|doch|also)\s+)?(?:sie|du)\s+(?:muessen|musst|brauchen|brauchst|sollen|sollst)\b")


def relieves(text: str) -> bool:
    """A negated clause that tells the CEO what he need not do."""
    return bool(_RELIEF.match(fold(text))) and negations(text) > 0
