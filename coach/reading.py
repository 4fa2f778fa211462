"""Reading a message against the coach's last question (plain Python, no Rasa).

The NLU classifies every message on its own; this module decides what the message means *here*.
The same short reply means different things after different questions ("nein" after "Was davon
passt für Sie?" is an objection, after "Gibt es noch etwas?" a goodbye), a correction points away
from the excuse just answered, and a question or a "ja, aber" while an excuse is under discussion
is about that excuse unless another one is clearly named.

One function, `read`, maps (context, message) to a `Move`: the action that answers and what it
needs to know. The dialogue policy (addons/context_policy.py) predicts that action, and the
actions read the move from the `reading` slot, so both sides agree by construction.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from coach.reply_cues import (
    bare_number, has_correction_cue, is_question, starts_with_no, starts_yes_but, word_count,
)

EXCUSE_PREFIX = "excuse_"
READING_SLOT = "reading"        # the Move of the latest message, as a dict
PRACTICE_FORM = "practice_form"

# What the coach asked last (the `phase` slot).
ASKED_ARGUMENT = "argument"          # "Was davon passt für Sie – und was nicht?"
ASKED_STEP = "steps"                 # "Welchen Schritt nehmen Sie sich vor?"
ASKED_ANYTHING_ELSE = "next"         # "Hält Sie sonst noch etwas zurück?"
ASKED_RATING = "rating"              # "Wie hilfreich war das, 1 bis 5?"
ASKED_PRACTICE_AGAIN = "practice_again"
ASKED_WHICH_EXCUSE = "clarify"       # "Meinen Sie A oder B?"
ASKED_COMMITMENT = "commitment_check"  # "Sie wollten … – hat es geklappt?"

# Short replies, whatever the question: the NLU intent names them.
YES, NO, UNSURE, LATER, NUMBER, THANKS = "yes", "no", "unsure", "later", "number", "thanks"
REPLY_INTENTS = {
    "affirm": YES, "report_done": YES,
    "deny": NO, "report_not_done": NO,
    "unsure": UNSURE, "later": LATER, "thanks": THANKS,
}

# What each short reply does after each question. Missing pairs fall through to the intent.
REPLY_TABLE: Dict[Tuple[str, str], str] = {
    (ASKED_ARGUMENT, YES): "action_affirm",
    (ASKED_ARGUMENT, NO): "action_next_argument",
    (ASKED_ARGUMENT, UNSURE): "action_next_argument",
    (ASKED_ARGUMENT, LATER): "action_summarize",
    (ASKED_STEP, YES): "action_commit_step",
    (ASKED_STEP, NUMBER): "action_commit_step",
    (ASKED_STEP, NO): "action_skip_steps",
    (ASKED_STEP, UNSURE): "action_commit_step",
    (ASKED_STEP, LATER): "action_summarize",
    (ASKED_ANYTHING_ELSE, YES): "action_affirm",
    (ASKED_ANYTHING_ELSE, NO): "action_summarize",
    (ASKED_ANYTHING_ELSE, UNSURE): "action_offer_excuses",
    (ASKED_ANYTHING_ELSE, LATER): "action_summarize",
    (ASKED_ANYTHING_ELSE, THANKS): "action_summarize",
    (ASKED_RATING, THANKS): "action_close_without_rating",
    (ASKED_PRACTICE_AGAIN, THANKS): "action_end_practice",
    (ASKED_RATING, NUMBER): "action_record_rating",
    (ASKED_RATING, YES): "action_record_rating",
    (ASKED_RATING, NO): "action_close_without_rating",
    (ASKED_RATING, UNSURE): "action_record_rating",
    (ASKED_RATING, LATER): "action_close_without_rating",
    (ASKED_PRACTICE_AGAIN, YES): "action_start_practice",
    (ASKED_PRACTICE_AGAIN, NO): "action_end_practice",
    (ASKED_PRACTICE_AGAIN, LATER): "action_end_practice",
    (ASKED_PRACTICE_AGAIN, UNSURE): "action_end_practice",
    (ASKED_WHICH_EXCUSE, NUMBER): "action_coach_excuse",
    (ASKED_WHICH_EXCUSE, NO): "action_offer_excuses",
    (ASKED_WHICH_EXCUSE, UNSURE): "action_offer_excuses",
    (ASKED_COMMITMENT, YES): "action_commitment_report",
    (ASKED_COMMITMENT, NO): "action_commitment_report",
    (ASKED_COMMITMENT, UNSURE): "action_commitment_report",
    (ASKED_COMMITMENT, LATER): "action_commitment_report",
    (ASKED_COMMITMENT, NUMBER): "action_commitment_report",
}

# Intents that never depend on the last question (the rules answer them as always).
CONTEXT_FREE_INTENTS = {"greet", "goodbye", "thanks", "help", "bot_challenge", "ask_source",
                        "start_practice", "stop_practice", "ask_hint", "delete_my_data",
                        "already_active", "ask_first_steps"}

# How sure the NLU must be before the coach answers an excuse without asking: swept (with the
# nearest examples' vote in the confidences) on cross-validation's out-of-fold predictions and
# heldout.yml for fewer wrong answers at no more needless questions; `python -m bench.clarify`
# reports all held-out sets, the others were not tuned on.
CLEAR_EXCUSE = 0.45        # top excuse at least this likely ...
CLEAR_MARGIN = 0.25        # ... and this far ahead of the second, else ask with buttons
# A second excuse at least this likely is a reading of its own, however far ahead the first is:
# ask. Tuned on tests/nlu/clarify_tuning.yml (messages between two excuses) against the needless
# asks on the held-out sets (bench/clarify.py sweeps it).
SECOND_READING = 0.2
ANSWER_TO_WHICH = 0.2      # after "Meinen Sie A oder B?", a reply naming an excuse this likely is the answer
YES_BUT_SWITCH = 0.9       # a "ja, aber …" leaves the current excuse only for one this clear
NAMED_ELSEWHERE = 0.70     # during an excuse, another one counts as "clearly named" from here
STILL_ON_TOPIC = 0.03      # the current excuse's share that keeps a reply on it
MAX_OPTIONS = 3
MAYBE_EXCUSE_FOR_STATEMENT = 0.25  # a statement the NLU reads as `faq` but with an excuse this likely
MAYBE_EXCUSE = 0.08        # below the NLU's fallback threshold, an excuse this likely is offered


@dataclass
class Move:
    """What the coach does with a message, and what the answering action needs to know."""

    action: str
    kind: str                                   # why: "reply", "excuse", "correction", …
    excuses: List[str] = field(default_factory=list)   # the excuse(s) to answer, in order
    options: List[str] = field(default_factory=list)   # buttons when the coach asks back
    rejected: List[str] = field(default_factory=list)  # excuses the user said they did not mean
    misread: Optional[str] = None               # a correction: the excuse the coach had answered
    reply: Optional[str] = None                 # yes / no / unsure / later / number
    number: Optional[int] = None
    question: bool = False                      # the message asks something

    def as_slot(self) -> Dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], False)}

    @classmethod
    def from_slot(cls, value: Optional[Dict[str, Any]]) -> Optional["Move"]:
        if not isinstance(value, dict) or "action" not in value or "kind" not in value:
            return None
        known = {k: v for k, v in value.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class Context:
    """The part of the conversation state that decides how a message is read."""

    asked: Optional[str] = None             # the last question (phase slot)
    current_excuse: Optional[str] = None
    options: Sequence[str] = ()             # buttons of a pending "which excuse?" question
    in_form: bool = False                   # the practice role play reads every message itself
    returning: bool = False                 # commitments of an earlier session are still open


@dataclass
class Parse:
    """What the NLU made of the message."""

    text: str = ""
    intent: Optional[str] = None
    ranking: Sequence[Tuple[str, float]] = ()
    named: Sequence[str] = ()               # excuses named in separate clauses (entities)
    clauses: Sequence[Dict[str, Any]] = ()  # every clause's excuse with `negated`


def excuse_ranking(parse: Parse) -> List[Tuple[str, float]]:
    return [(name, conf) for name, conf in parse.ranking if name.startswith(EXCUSE_PREFIX)]


def near_excuses(parse: Parse) -> List[str]:
    """The likeliest excuses (up to MAX_OPTIONS) that are at least MAYBE_EXCUSE likely."""
    return [e for e, conf in excuse_ranking(parse)[:MAX_OPTIONS] if conf >= MAYBE_EXCUSE]


def share_of(parse: Parse, excuse_id: Optional[str]) -> float:
    return next((conf for name, conf in parse.ranking if name == excuse_id), 0.0)


def reply_of(context: Context, parse: Parse) -> Optional[str]:
    """The short-reply kind of the message, if it is one."""
    short = word_count(parse.text) <= 8
    if short and starts_with_no(parse.text) and not (parse.intent or "").startswith(EXCUSE_PREFIX) \
            and parse.intent not in ("correction", "faq"):
        return NO
    if parse.intent in REPLY_INTENTS and short:
        return REPLY_INTENTS[parse.intent]
    limit = len(context.options) if context.asked == ASKED_WHICH_EXCUSE else 9
    if bare_number(parse.text, limit) is not None:
        return NUMBER
    return None


def is_correction(parse: Parse) -> bool:
    """The NLU's correction intent, or a correction cue in the words."""
    return parse.intent == "correction" or has_correction_cue(parse.text)


def _correction(context: Context, parse: Parse) -> Optional[Move]:
    """"Sie haben mich falsch verstanden, es geht um …": never the excuse just answered."""
    negated = [c["excuse"] for c in parse.clauses if c.get("negated")]
    # The clearest clause first: a correction names what it means plainly ("es geht um X").
    meant = [c["excuse"] for c in sorted(parse.clauses, key=lambda c: -float(c.get("confidence") or 0.0))
             if not c.get("negated")]
    said_no_to_current = context.current_excuse and context.current_excuse in negated
    if not is_correction(parse) and not (said_no_to_current and meant):
        return None
    rejected = list(dict.fromkeys(negated + ([context.current_excuse] if context.current_excuse else [])))
    candidates = [e for e in meant if e not in rejected]
    if candidates:
        return Move("action_coach_excuse", "correction", excuses=candidates[:1], rejected=rejected,
                    misread=context.current_excuse)
    ranked = [(e, c) for e, c in excuse_ranking(parse) if e not in rejected]
    if ranked and (parse.intent or "").startswith(EXCUSE_PREFIX) and ranked[0][1] >= CLEAR_EXCUSE:
        return Move("action_coach_excuse", "correction", excuses=[ranked[0][0]], rejected=rejected,
                    misread=context.current_excuse)
    # A correction whose own words say nothing about the excuse: ask with the likeliest ones.
    options = [e for e, _ in ranked[:MAX_OPTIONS]]
    return Move("action_clarify_excuse", "correction", options=options, rejected=rejected,
                misread=context.current_excuse)


def _excuse(context: Context, parse: Parse) -> Move:
    """An excuse intent: answer it, or ask when unsure, or stay on the current one."""
    if len(parse.named) > 1:
        return Move("action_coach_excuse", "excuse", excuses=list(parse.named))
    ranked = excuse_ranking(parse)
    top, confidence = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    current = context.current_excuse
    if context.asked == ASKED_WHICH_EXCUSE and confidence >= ANSWER_TO_WHICH:
        return Move("action_coach_excuse", "excuse", excuses=[top])
    if current and context.asked in (ASKED_ARGUMENT, ASKED_STEP) and top != current:
        on_topic = share_of(parse, current) >= STILL_ON_TOPIC
        if (on_topic and confidence < NAMED_ELSEWHERE) or (starts_yes_but(parse.text) and confidence < YES_BUT_SWITCH):
            return _stay(parse)
    if top == current and context.asked in (ASKED_ARGUMENT, ASKED_STEP):
        return _stay(parse)
    if confidence < CLEAR_EXCUSE or confidence - second < CLEAR_MARGIN or second >= SECOND_READING:
        return Move("action_clarify_excuse", "unsure", options=[e for e, _ in ranked[:MAX_OPTIONS]])
    return Move("action_coach_excuse", "excuse", excuses=[top])


def _stay(parse: Parse) -> Move:
    """A reply about the excuse under discussion: a question or a "ja, aber" with content."""
    if is_question(parse.text):
        return Move("action_answer_on_current", "question", question=True)
    return Move("action_next_argument", "objection")


def read(context: Context, parse: Parse) -> Optional[Move]:
    """The move for this message, or None when the intent alone decides (the rules answer)."""
    if context.in_form:
        return None
    correction = _correction(context, parse)
    if correction:
        return correction
    if parse.intent == "returning_user" or (parse.intent == "greet" and (
            context.returning or context.asked == ASKED_COMMITMENT)):
        return Move("action_welcome_back", "returning")
    reply = reply_of(context, parse)
    if context.asked and reply:
        action = REPLY_TABLE.get((context.asked, reply))
        if action:
            number = bare_number(parse.text) if reply == NUMBER else None
            if context.asked == ASKED_WHICH_EXCUSE and number:
                return Move(action, "reply", reply=reply, number=number,
                            excuses=[context.options[number - 1]])
            return Move(action, "reply", reply=reply, number=number)
    if context.asked == ASKED_COMMITMENT and parse.intent not in CONTEXT_FREE_INTENTS \
            and not (parse.intent or "").startswith(EXCUSE_PREFIX) and parse.intent != "faq":
        return Move("action_commitment_report", "reply")
    if parse.intent in ("report_done", "report_not_done"):
        return Move("action_commitment_report", "report", reply=REPLY_INTENTS[parse.intent])
    if parse.intent == "faq":
        ranked = excuse_ranking(parse)
        if ranked and ranked[0][1] >= MAYBE_EXCUSE_FOR_STATEMENT and not is_question(parse.text):
            # How-to answers are for questions; a statement near an excuse ("keine Zeit für
            # LinkedIn") is the excuse.
            rest = [(n, c) for n, c in parse.ranking if n != "faq"]
            total = sum(c for _, c in rest) or 1.0
            return _excuse(context, replace(parse, intent=ranked[0][0], ranking=[(n, c / total) for n, c in rest]))
        near = near_excuses(parse)
        if len(near) >= 2 and not is_question(parse.text) and not context.current_excuse:
            # A statement that no how-to topic answers but several excuses come near ("da seh ich
            # keinen Bedarf"): which one is it?
            return Move("action_clarify_excuse", "unsure", options=near)
        return Move("action_answer_faq", "faq", question=True)
    if parse.intent and parse.intent.startswith(EXCUSE_PREFIX):
        return _excuse(context, parse)
    if parse.intent == "nlu_fallback" and context.asked == ASKED_WHICH_EXCUSE:
        ranked = excuse_ranking(parse)
        if ranked and ranked[0][1] >= ANSWER_TO_WHICH:
            return Move("action_coach_excuse", "excuse", excuses=[ranked[0][0]])
    if parse.intent == "nlu_fallback" and not (context.current_excuse and context.asked in (ASKED_ARGUMENT, ASKED_STEP)):
        # Too unsure for any intent, but some excuses stand out: ask with them instead of the
        # generic fallback (the idea of Rasa's two-stage fallback).
        likely = near_excuses(parse)
        if len(likely) >= 2:
            return Move("action_clarify_excuse", "unsure", options=likely)
    current = context.current_excuse
    if current and context.asked in (ASKED_ARGUMENT, ASKED_STEP) \
            and parse.intent not in CONTEXT_FREE_INTENTS and parse.intent != "commit_step":
        # Not an excuse, not a short reply: a comment on the argument just given, when it
        # starts like one or when it still sounds like the excuse under discussion.
        if starts_yes_but(parse.text) or share_of(parse, current) >= STILL_ON_TOPIC \
                or parse.intent in ("deny", "unsure") or (parse.intent == "nlu_fallback" and is_question(parse.text)):
            return _stay(parse)
    return None


def context_from(get_slot: Callable[[str], Any], active_loop: Optional[str]) -> Context:
    """The reading context from the conversation's slots (Rasa's or rasa-sdk's `get_slot`)."""
    asked = get_slot("phase")
    previous = Move.from_slot(get_slot(READING_SLOT))
    return Context(
        asked=asked,
        current_excuse=get_slot("current_excuse"),
        options=tuple(previous.options) if previous and asked == ASKED_WHICH_EXCUSE else (),
        in_form=active_loop == PRACTICE_FORM,
        returning=bool(get_slot("open_commitments")) and asked != ASKED_COMMITMENT,
    )


def parse_from(message: Dict[str, Any]) -> Parse:
    """The NLU result (parse data of a user message) as `read` takes it."""
    intent = (message.get("intent") or {}).get("name")
    ranking = [(r.get("name"), float(r.get("confidence") or 0.0))
               for r in message.get("intent_ranking") or [] if r.get("name")]
    if intent and not ranking:
        ranking = [(intent, float((message.get("intent") or {}).get("confidence") or 1.0))]
    named = [e.get("value") for e in message.get("entities") or [] if e.get("entity") == "excuse"]
    return Parse(text=message.get("text") or "", intent=intent, ranking=ranking,
                 named=list(dict.fromkeys(named)), clauses=message.get("excuse_clauses") or [])
