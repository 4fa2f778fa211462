"""How a practice answer is cut into clauses and read for polarity (plain Python; the words of
polarity are coach/polarity.py): the scope of negation words (a closing contrast, "nicht A,
sondern B"), dismissive clauses ("bringt eh nix", "überschätzt"), agreeing with or conceding to
the CEO until a turn ("aber …"), and keyword lists without a sentence. coach/meaning.py compares
the clauses by meaning.
"""
from __future__ import annotations

import re
from typing import List, Tuple

from coach.german_text import fold
from coach.polarity import CONTRAST_TAIL, dismisses, negations, words

MIN_CLAUSE_WORDS = 3      # shorter clauses carry no argument of their own

# What is said only to be conceded ("zwar …", "…, schön und gut", "das sagen die Berater immer",
# "…, da haben Sie recht") is not the trainee's own argument (nor what is held at arm's length,
# "klingt nett", "angeblich": `_DISTANCING`).
_CONCEDED = re.compile(
    r"(?<!\bund\s)\bzwar\b|\bschoen\s+und\s+gut\b|\bhin\s+oder\s+her\b|\b(?:ist|bleibt)\s+(?:reine\s+)?theorie\b|"
    r"\bmag\s+(?:ja\s+)?(?:sein|vorkommen|stimmen)\b|\b(?:sagen|behaupten)\s+(?:\w+\s+){1,3}immer\b|"
    r"\bheisst\s+es\s+(?:ja\s+)?(?:immer|oft|gern|ueberall)\b|,\s*(?:naja|na\s+ja|na\s+gut|tja)\W*$|"
    r",\s*(?:da|damit)\s+haben\s+sie\s+(?:\w+\s+){0,2}recht\W*$")
# "…, ja, aber …", "…, schon. Aber …": a clause closed by a concession word before a turn.
_GRANTED_END = re.compile(r",\s*(?:ja|schon|klar|stimmt|zugegeben|ok|okay|meinetwegen|gut|sicher)\W*$")
# A reply rejecting a question the trainee just asked ("Alle an Bord holen? Bloß nicht.",
# "Fehler sind in Ordnung? Nicht im Netz.").
_REJECT_REPLY = re.compile(
    r"^\W*(?:nee|ne|nein|noe|ach\s+was|quatsch|unsinn|keineswegs|mitnichten|gar\s+nicht\w*|"
    r"(?:bloss\s+|eben\s+)?nicht|auf\s+keinen\s+fall|"
    r"ueberhaupt\s+nicht\w*|nichts|nix|naja|na\s+ja|wohl\s+kaum|kaum)\b")
# A clause that points back at the one before it ("…. Das können Sie vergessen.") ...
_POINTING_BACK = r"das|dies\w*|so\s*was|sowas|davon|damit|dafuer|da"
_REPLY_OPENING = r"^\W*(?:(?:aber|und|doch|nur)\s+)?"
_BACK_REFERENCE = re.compile(rf"{_REPLY_OPENING}(?:{_POINTING_BACK})\b")
# ... or, after a question, at what it asked about ("Von den Jüngeren lernen? Die haben keine Geduld").
_ANSWER_TO_QUESTION = re.compile(rf"{_REPLY_OPENING}(?:{_POINTING_BACK}|die|der|dem|den|es)\b")
# An answer that starts by agreeing with the CEO restates his excuse until it turns ("aber …").
_AGREEING = re.compile(
    r"^\W*(?:ach\s+je|oh\s+je|oh\s+ja|ach\s+ja|ja\s+genau|zugegeben)\b"
    # a bare "Ja, …" concedes unless it turns at once ("Ja, aber …")
    r"|^\W*ja\s*,(?!\s*(?:aber|doch|trotzdem|nur|und\s+gerade|und\s+genau)\b)"
    # "Natürlich, …", "Mag sein, …": conceding first
    r"|^\W*(?:natuerlich|sicher|logisch|absolut|selbstverstaendlich|mag\s+sein|kann\s+(?:schon\s+)?sein|"
    r"schon\s+(?:richtig|klar|wahr))(?:\s*,|\W*$)"
    r"|^\W*(?:ja\W+|na\s+ja\W+|naja\W+|na\W+|tja\W+|ach\W+\w*\W+|oje\W+|gut\W+|okay\W+|ok\W+)?(?:(?:da|damit)\s+(?:hat|haben)\s+(?:\w+\s+){1,3}recht|"
    # "Genau, …" agrees; "Genau deshalb …", "Genau das, was Sie beschreiben, ist eine Stärke" turns
    # the CEO's premise against him.
    r"stimmt|genau(?=\s*(?:[,.!;:–-]|$))|richtig(?=\s*(?:[,.!;:–-]|$))|verstaendlich|nachvollziehbar|klar|da\s+ist\s+was\s+dran|"
    r"(?:das\s+)?(?:versteh|verstehe|kenn|kenne)\s+ich|kann\s+ich\s+(?:\w+\s+)?(?:verstehen|nachvollziehen)|klingt\s+(?:\w+\s+)?(?:vernuenftig|gut|plausibel|logisch)|"
    r"gute\s+idee|das\s+(?:verstehe|sehe|kenne?)\s+ich|da\s+kann\s+ich\s+sie\s+verstehen|"
    r"sie\s+haben\s+(?:\w+\s+){0,2}recht|recht\s+haben\s+sie)\b")
# Once the trainee has made a point of their own, a bare confirmation word confirms that point
# ("Welche Frage stellen Kunden ständig? Genau das ist ein Post."), not the CEO.
_BARE_CONFIRMATION = re.compile(
    r"^\W*(?:(?:und|also)\s+)?(?:ja|genau|richtig|klar|stimmt|natuerlich|sicher|logisch|absolut|selbstverstaendlich)\b")
# … or one that ends by agreeing ("Sicherheit geht vor, seh ich genauso"), back to its last turn.
_AGREED = re.compile(
    r"\b(?:sehe?\s+ich\s+(?:genauso|auch\s+so|genau\s+so)|ganz\s+meine\s+meinung|geht\s+mir\s+(?:auch\s+)?so|das\s+ist\s+(?:leider|halt|nun\s+mal)\s+so)\W*$")
# ... or one whose closing words advise the CEO to stay away ("Lassen Sie das lieber", "besser
# raushalten", "Abwarten ist vernünftig", "…, da haben Sie recht"): whatever came before argued his case.
_SIDES_WITH_CEO = re.compile(
    r"\blassen\s+sie\s+(?:das|es|linkedin)\s+(?:(?:lieber|besser|einfach|ruhig)\s*)?(?:bleiben|sein)?\W*$"
    r"|\b(?:lieber|besser)\s+(?:\w+\s+){0,2}(?:lassen|raushalten|bleibenlassen|verzichten)\W*$"
    r"|\bfinger\s+davon\b|\bfinger\s+weg\b|\b(?:das|es)\s+(?:ganz\s+|einfach\s+|lieber\s+)?(?:zu\s+)?lassen\W*$"
    r"|\bwarten\s+sie\s+(?:\w+\s+){0,2}ab\b|\bwuerde\s+ich\s+auch\s+(?:\w+\s+){0,3}nicht\b"
    r"|\b(?:da|damit)\s+haben\s+sie\s+(?:\w+\s+){0,5}recht\W*$|\bsie\s+haben\s+(?:voellig|ganz|absolut|vollkommen)\s+recht\b"
    r"|\babwarten\s+ist\s+(?:\w+\s+){0,2}(?:vernuenftig|richtig|klug|besser)"
    r"|\bpasst\s+(?:also|doch)\s*,?\s+wie\s+sie"
    # "Bleiben Sie bei dem, was funktioniert", "Lassen Sie das Thema ruhen", "an Ihrer Stelle würde
    # ich's lassen", "Ihre Vorsicht hat ihren Sinn", "dann lieber gar nicht": the status quo endorsed.
    r"|\bbleiben\s+sie\s+(?:\w+\s+){0,2}bei\b|\blassen\s+sie\s+(?:\w+\s+){0,5}(?:ruhen|liegen)\b"
    r"|\ban\s+ihrer\s+stelle\s+(?:\w+\s+){0,4}(?:lassen|gesperrt|verzichten|bleibenlassen)\b"
    r"|\bihre?\s+(?:vorsicht|zurueckhaltung|skepsis|linie|haltung|bauchgefuehl)\s+(?:\w+\s+){0,4}"
    r"(?:sinn|richtig|klug|vernuenftig|sicherere?|gold|recht)\b|\blieber\s+gar\s+nicht\b|\bschweigen\s+(?:\w+\s+){0,2}gold\b")
# Words that hold a statement at arm's length: someone else's claim ("sagen die Berater",
# "predigen alle", "…, heißt es", "angeblich"), a hedge ("sagt sich so leicht", "klingt im Seminar wunderbar") or
# a label for empty talk ("Kalenderspruch", "Beraterdeutsch"). Said of the clause before, they
# take it back as the CEO's doubt, not the trainee's argument.
_DISTANCING = re.compile(
    r"(?<!\bzu\s)\b(?:sagen|sagt|erzaehlen|erzaehlt|predigen|predigt|behaupten|behauptet|versprechen|verspricht)\s+"
    r"(?:(?!als\b)\w+\s+){0,3}(?:berater\w*|experten|coaches|trainer|gurus|agenturen|alle|immer|gern|gerne|ueberall|jeder)\b"
    r"|\b(?:wird|werden)\s+(?:\w+\s+){0,2}(?:gesagt|behauptet|erzaehlt|gepredigt|versprochen|beschworen)\b"
    r"|\b(?:man|sie|viele|manche|berater)\s+(?:koennte|koennten|wuerde|wuerden|mag|moegen)\s+(?:\w+\s+){0,2}"
    r"(?:sagen|meinen|einwenden|behaupten)\b"
    r"|\bsagt\s+sich\s+(?:so\s+|ja\s+|halt\s+)*leicht\b|\bangeblich\b"
    # a speech tag after the claim: "…, sagen die", "…, heißt es", "…, sagt man so"
    r"|,\s*(?:so\s+)?(?:sagen|sagt|behaupten|behauptet|heisst|hiess)\s+(?:die|man|es|alle|viele|manche|einige|andere)\b"
    r"(?:\s+\w+){0,2}\W*$"
    r"|\b(?:es\s+heisst|man\s+hoert)\s+(?:ja\s+|doch\s+|halt\s+)?(?:immer|oft|gern|ueberall|stets|haeufig)\b"
    r"|\b(?:klingt|klingen|hoert\s+sich)\b(?:\s+\w+){0,4}?\s+(?:schoen|gut|nett|toll|wunderbar|prima|super|huebsch)\b"
    r"|\b(?:kalenderspruch|kalenderweisheit|beraterdeutsch|beratersprech|beraterlatein|werbesprech|"
    r"sonntagsrede|floskel|phrase|buzzword|schlagwort)\w*")
# "…, und trotzdem …", "…? Mag sein, aber …": the clause before is granted, not argued.
_DESPITE = re.compile(
    r"^\W*(?:(?:und|aber)\s+)?(?:trotzdem|dennoch|gleichwohl|mag\s+sein|kann\s+(?:schon\s+)?sein|"
    r"schon\s+moeglich|geschenkt|na\s+und|und\s+wenn\s+schon)\b")
# "…, schön.", "…, toll.": a point closed by a bare word of praise is said with irony.
_IRONIC_END = re.compile(r",\s*(?:schoen|toll|prima|super|wunderbar|nett|fein)\W*$")
# A point only quoted („Marathon statt Sprint“) is someone else's words until the reply takes it up.
_QUOTED = re.compile(r"^\W*[„\"»«‚'].+[“\"«»‘'”]\W*$")
# "…, oder?", "…, nicht wahr?": asks the CEO to agree with the point.
_TAG_QUESTION = re.compile(r"^\W*(?:oder|oder\s+nicht|nicht\s+wahr|gell|gelle|ne|stimmt\W?s|richtig|woll|wa)\W*$")
_QUESTION_OPENING = r"^\W*(?:(?:und|aber|also|doch)\s+)?"
_W_WORD = re.compile(rf"{_QUESTION_OPENING}(?:wer|wen|wem|wessen|was|wo\w*|wann|wie\w*|warum|weshalb|wieso|welch\w*)\b")
# A question that names a claim without anyone asserting it ("Mit KI Texte schreiben lassen?",
# "Netzwerke als feste Arbeitsaufgabe?") echoes it; a reply that points back at it judges it,
# and only one that affirms it makes it the trainee's ("Mehr Sichtbarkeit? Auf jeden Fall."). A
# question with alternatives ("… ein Risiko oder eher ein Bauchgefühl?") asks, it does not echo.
_SPEAKERS = {"sie", "du", "ich", "wir", "man", "ihr"}
_AFFIRMING = re.compile(r"^\W*(?:ja|jawohl|genau|klar|absolut|richtig|sicher|natuerlich|selbstverstaendlich|und\s+ob|"
                        r"eben|exakt|definitiv|unbedingt|auf\s+jeden\s+fall|allerdings)\b")
# "Das reicht völlig", "Das lohnt sich": a reply that points back and approves.
_APPROVING = re.compile(rf"{_REPLY_OPENING}(?:{_POINTING_BACK}|die|der|es)\s+(?:\w+\s+){{0,2}}?"
                        r"(?:reicht|reichen|genuegt|genuegen|lohnt|lohnen|klappt|funktioniert|hilft|bringt|passt|wirkt|zahlt|zaehlt|"
                        r"ist\s+(?:\w+\s+)?(?:richtig|gut|der\s+punkt|der\s+weg|entscheidend|wichtig))\b")


def _affirms(folded_reply: str) -> bool:
    return bool(_AFFIRMING.match(folded_reply)) or bool(_APPROVING.match(folded_reply)) and not (
        negations(folded_reply) or dismisses(folded_reply))


def _echoes(folded_question: str) -> bool:
    said = words(folded_question)
    return not _W_WORD.match(folded_question) and not _SPEAKERS & set(said) and "oder" not in said


# "In Wahrheit …", "In der Praxis …": what came since the last turn was the view of others.
_REALITY_TURN = re.compile(
    r"^\W*(?:(?:aber|doch|nur|und)\s+)?(?:in\s+wahrheit|in\s+wirklichkeit|in\s+der\s+praxis|in\s+der\s+realitaet|"
    r"die\s+realitaet|realistisch\s+(?:betrachtet|gesehen))\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TURN_INSIDE = re.compile(r"\b(?:aber|doch\s*,|trotzdem|allerdings|jedoch|dennoch|andererseits)\b")


def _closing_words(answer: str, last_clause: str) -> str:
    """The answer's last sentence, or only its last clause when that sentence turns ("…, aber …")."""
    sentence = [s for s in _SENTENCE_END.split((answer or "").strip()) if s.strip()][-1]
    return last_clause if _TURN_INSIDE.search(fold(sentence)) else sentence


_TURN = re.compile(r"^\W*(?:aber|doch|trotzdem|allerdings|jedoch|dennoch|andererseits|nur)\b")
# Clauses end at sentence ends, dashes, semicolons and a comma before a joining word; a plain
# comma keeps a subordinate clause with its main clause, where its negation belongs. Captured, so
# that splitting keeps each boundary (a "?" ends a question the next clause may answer).
_CLAUSE_BOUNDARY = re.compile(
    r"([.!?;:]+\s*|\n+|\s[-–—]\s|,\s*(?=(?:und|aber|denn|sondern|doch|oder|trotzdem|allerdings)\b))")
_FUNCTION_WORDS = set("""ich du sie er es wir ihr man das der die dem den ist sind sein hat haben wird werden
kann koennen muss muessen soll sollen will wollen bringt macht gibt geht zeigt hilft wenn weil dass
und aber oder nicht auch nur noch schon mit fuer auf in an zu""".split())


# "…, Scrollen dagegen bringt nichts": waved away in contrast with the speaker's own point.
_CONTRASTED = re.compile(r"\b(?:dagegen|hingegen|im\s+gegensatz|anders\s+als)\b")


def _advises_staying_away(answer: str, said: List[str]) -> bool:
    """Do the closing words of the answer (its clauses `said`) advise the CEO to stay away?"""
    return bool(said) and bool(_SIDES_WITH_CEO.search(fold(_closing_words(answer, said[-1]))))


def closes_on_the_ceos_side(answer: str) -> bool:
    """Do the answer's closing words endorse the CEO's stance ("…, da haben Sie völlig recht",
    "Lassen Sie das lieber", "…, seh ich genauso")?"""
    said = clauses(answer)
    return _advises_staying_away(answer, said) or bool(said) and bool(_AGREED.search(fold(said[-1])))


def arguing_clauses(text: str) -> List[str]:
    """The clauses long enough to carry an argument (MIN_CLAUSE_WORDS words or more)."""
    return [c for c in clauses(text) if len(words(c)) >= MIN_CLAUSE_WORDS]


def dismissive_clauses(answer: str) -> List[str]:
    """The answer's arguing clauses that wave something away, other than in contrast with a
    point of the answer."""
    return [c for c in arguing_clauses(answer) if dismisses(c) and not _CONTRASTED.search(fold(c))]


def _clauses_and_ends(text: str) -> List[Tuple[str, str]]:
    """Each clause with the boundary that closes it ("?", ".", ", ", " – ", "" at the end)."""
    pieces = _CLAUSE_BOUNDARY.split(text or "")
    result = []
    for index in range(0, len(pieces), 2):
        clause = pieces[index].strip(" ,")
        end = pieces[index + 1] if index + 1 < len(pieces) else ""
        if clause and words(clause):
            result.append((clause, end))
        elif result and end:
            result[-1] = (result[-1][0], result[-1][1] + end)
    return result


def clauses(text: str) -> List[str]:
    return [clause for clause, _ in _clauses_and_ends(text)]


def _taken_back(said: List[Tuple[str, str]], number: int) -> bool:
    """Is clause `number` said only to be rejected or conceded? A question the next clause rejects
    ("Alle an Bord holen? Bloß nicht, …", "Kunden fragen? Das sagt doch keiner ehrlich"), a
    statement the next clause dismisses by pointing back ("…, das können Sie vergessen"), a
    concession ("Zwar …", "…, schön und gut, aber"), a clause granted before a turn ("…, ja, aber"),
    said with irony ("…, schön.") or only quoted for the reply to judge („…“ – "super, nur …")."""
    clause, end = said[number]
    folded = fold(clause)
    if _CONCEDED.search(folded) or _DISTANCING.search(folded) or _IRONIC_END.search(folded):
        return True
    if number + 1 >= len(said):
        return False
    following = fold(said[number + 1][0])
    if _GRANTED_END.search(folded) and _TURN.match(following):
        return True
    if _DISTANCING.search(following) and (_BACK_REFERENCE.match(following) or len(words(following)) <= 6):
        return True
    if _DESPITE.match(following):
        return True
    if "?" in said[number + 1][1] and len(words(following)) <= 5 and not (
            _W_WORD.match(following) or _TAG_QUESTION.match(following)):
        # An incredulous short question after it ("… – mitten in der Umstrukturierung?",
        # "…? Bei Dichtungen?") doubts it.
        return True
    if _QUOTED.match(clause) and not _affirms(following):
        return True
    if "?" in end:
        if _echoes(folded) and _ANSWER_TO_QUESTION.match(following) and not _affirms(following):
            return True
        return bool(_REJECT_REPLY.match(following) or dismisses(following)
                    or negations(following) and _ANSWER_TO_QUESTION.match(following))
    return dismisses(following) and bool(_BACK_REFERENCE.match(following))


def is_keyword_list(text: str) -> bool:
    """Topic words without a sentence: every piece short and none reads like a clause."""
    pieces = [p for p in re.split(r"[,;/\n•·|+]|\s[-–—]\s|\bund\b", text or "") if p.strip()]
    if not pieces:
        return False
    sentence_like = [p for p in pieces if len(words(p)) >= 4
                     or any(fold(w) in _FUNCTION_WORDS for w in words(p))]
    return len(pieces) >= 2 and not sentence_like or (len(words(text)) <= 6 and not any(
        fold(w) in _FUNCTION_WORDS for w in words(text)))


# A question that expects "nobody"/"nothing" for an answer ("Wer liest das schon?", "Warum sollte
# ein Kunde dort suchen?", "Wer erwartet denn wirklich, …?") states its negation.
_RHETORICAL = re.compile(
    rf"{_QUESTION_OPENING}(?:wer|wen|wem|was|wozu|warum|wieso|weshalb)\b"
    r"(?=.*\b(?:schon|denn\s+(?:wirklich|ernsthaft|bitte|ueberhaupt|im\s+ernst)|ernsthaft|im\s+ernst)\b"
    r"|\W+(?:\w+\W+)?(?:sollte|sollten|soll)\b)")
# A question that doubts the premise it names ("Woher wissen Sie, dass die nicht da sind?", "Wer
# sagt denn, dass Sie ständig online sein müssen?") states the premise's opposite.
_DOUBTED_PREMISE = re.compile(
    rf"{_QUESTION_OPENING}(?:woher\s+wissen\s+sie|wer\s+sagt|sind\s+sie\s+(?:sich\s+)?(?:da\s+)?sicher)\b(?=.*\bdass\b)")
_INSTEAD = re.compile(r"^\W*sondern\b")
_SUBORDINATE = re.compile(r"^\W*(?:(?:und|aber|doch|also|oder)\s+)?(?:wie|wenn|dass|ob|was|weil|da|falls|sobald|solange|welche\w*|wer|wo)\b")


def readings(answer: str) -> List[Tuple[str, int, int]]:
    """(text, negations, clause number) for every clause of the answer and for its comma-separated
    parts; a subordinate part ("…, wie der Chef denkt") takes the polarity of its whole clause.
    A rhetorical question ("Wer liest das schon?") is read as its negation. A clause closing on a
    contrast ("… und kein Sprint") is also read without it, and "nicht A, sondern B" as one
    statement with the polarity of B. Clauses said while agreeing with the CEO
    (up to a turn such as "aber"; one ending "…, das sehe ich genauso" takes back what was said
    since the last turn), dismissive clauses ("ist eh egal") and clauses said only to be
    rejected or conceded (`_taken_back`) are left out; an answer whose closing words advise the
    CEO to stay away (`_closing_words`) has no reading."""
    readings, agreeing, turn = [], False, 0
    ends = _clauses_and_ends(answer)
    said = [clause for clause, _ in ends]
    if _advises_staying_away(answer, said):
        return []
    for number, clause in enumerate(said):
        folded = fold(clause)
        if _REALITY_TURN.match(folded):
            readings = [r for r in readings if r[2] < turn]
        if _TURN.match(folded):
            turn = number
        opens = bool(_AGREEING.search(folded)) and not (readings and _BARE_CONFIRMATION.match(folded))
        agreeing = opens or (agreeing and not _TURN.match(folded))
        if _AGREED.search(folded):
            readings = [r for r in readings if r[2] < turn]
            agreeing = True
        if agreeing or dismisses(clause) or _taken_back(ends, number):
            continue
        whole = negations(clause)
        rhetorical = "?" in ends[number][1] and bool(_RHETORICAL.match(folded))
        if rhetorical:
            whole = min(2, whole + 1)
        elif "?" in ends[number][1] and _DOUBTED_PREMISE.match(folded):
            whole = {0: 1, 1: 0}.get(whole, whole)
        if number > 0 and _INSTEAD.match(folded) and negations(said[number - 1]):
            # "nicht A, sondern B" says "B statt A", the way many key points are phrased.
            readings.append((f"{said[number - 1]}, {clause}", whole, number))
        if len(words(clause)) < MIN_CLAUSE_WORDS:
            continue
        # The rejected alternative of "nicht A, sondern B" is read with B, not alone.
        rejected = number + 1 < len(said) and _INSTEAD.match(fold(said[number + 1])) and whole > 0
        if not rejected:
            readings.append((clause, whole, number))
        stated = CONTRAST_TAIL.sub("", clause)
        if stated != clause and len(words(stated)) >= MIN_CLAUSE_WORDS:
            readings.append((stated, negations(stated), number))
        parts = [p.strip() for p in clause.split(",") if len(words(p)) >= MIN_CLAUSE_WORDS]
        if len(parts) > 1:
            parts = [(p, whole if rhetorical or _SUBORDINATE.match(fold(p)) else negations(p)) for p in parts]
            readings += [(p, n, number) for p, n in parts if not (rejected and n)]
    return readings
