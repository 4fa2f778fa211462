"""Practice mode (role play): the coach plays a sceptical Mittelstand CEO, the trainee argues.

Mechanism: the form `practice_form` asks for one slot, `practice_answer`, filled from the text of
every message while the form is active (domain.yml), whatever intent the NLU predicted. So an
answer like "Sie haben doch 15 Minuten pro Woche" counts as an answer even when the NLU reads it
as `excuse_no_time`. The form's validation action (`validate_practice_form`) does the work of
each turn by stage, and clears the slot so the form asks again; `action_ask_practice_answer`
then says what comes next (the code question, the choice of excuse, the CEO's opening or his
"Ja, aber …"). The intents `ask_hint`, `help` and `stop_practice` do not fill the slot: rules
send them to `action_practice_hint` and `action_practice_summary` (`start_practice` neither, so
the message that starts the practice is not taken as its first answer; during the practice it
starts a new run). Short messages such as "Tipp" or "Stopp" are also recognised here by
keyword, so a misread intent cannot turn them into a scored answer; long messages always count
as answers.

A round: opening -> answer (scored, feedback on what was strong) -> one "Ja, aber …" ->
answer (scored too). The round's points count the key points of both answers together (0–3):
the follow-up can add points, never take any away. The strongest missed argument with its
source and the model answer close the round. After the last round (default five) or "Stopp"
the summary shows the total, the rounds, two focus areas and offers the weakest excuse again.

What is logged: slots `mode` ("practice"), `training_code` and `practice_rounds` (one entry
per round: attempt, round, excuse_id, score, covered key point labels, answer excerpt, hints);
addons/session_log.py writes them to the session log. Fixed phrases live in domain.yml; the
scoring is coach/practice_scorer.py (plain Python).
"""
from __future__ import annotations

import random
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.coaching import KB, ActionShowFirstSteps, ActionSummarize, cited, excuse_buttons
from actions.coaching_state import PHASE_PRACTICE_AGAIN
from coach import meaning
from coach import practice_scorer as scorer
from coach.knowledge_base import Excuse
from core import slot_contract as contract

# The scorer compares answers with every key point's phrasings by meaning: embed them (and load
# the sentence encoder) at start, so the first trainee's answer is not the slow one.
meaning.warm_up(KB)

Events = List[Dict[Text, Any]]

FORM = "practice_form"
ANSWER_SLOT = "practice_answer"
STATE_SLOT = "practice"
ROUNDS_SLOT = contract.PRACTICE_ROUNDS
MODE_PRACTICE = "practice"
DEFAULT_ROUNDS = 5
MAX_ROUNDS = 10
MIN_CHOICE_CONFIDENCE = 0.5
COMMAND_MAX_WORDS = 6
EXCERPT_LENGTH = 200
DONE = "done"  # value of practice_answer that completes the form
CLOSE_LOOP = [ActiveLoop(None), SlotSet("requested_slot", None)]  # every end of the summary action

STAGE_CODE, STAGE_CHOOSE, STAGE_ANSWER, STAGE_FOLLOW_UP, STAGE_DONE = "code", "choose", "answer", "follow_up", "done"

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
NUMBER_WORDS = {1: "eine Runde", 2: "zwei Runden", 3: "drei Runden", 4: "vier Runden", 5: "fünf Runden",
                6: "sechs Runden", 7: "sieben Runden", 8: "acht Runden", 9: "neun Runden", 10: "zehn Runden"}


# -- parsing ---------------------------------------------------------------------------------
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


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> Tuple[Optional[str], float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0)


def practice_active(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == FORM


def practicable() -> List[str]:
    return [e for e, excuse in KB.excuses.items() if excuse.practice]


# -- the state of one practice run (slot `practice`) ------------------------------------------
class Practice:
    """The running practice (slot `practice`) and all rounds of the session (`practice_rounds`)."""

    def __init__(self, state: Optional[Dict[str, Any]], rounds: Optional[List[Dict[str, Any]]], sender: str):
        self.state: Dict[str, Any] = dict(state or {})
        self.rounds: List[Dict[str, Any]] = [dict(r) for r in rounds or []]
        self.sender = sender

    @classmethod
    def of(cls, tracker: Tracker) -> "Practice":
        return cls(tracker.get_slot(STATE_SLOT), tracker.get_slot(ROUNDS_SLOT), tracker.sender_id)

    def events(self) -> Events:
        return [SlotSet(STATE_SLOT, self.state), SlotSet(ROUNDS_SLOT, self.rounds)]

    # -- setup ----------------------------------------------------------------------------
    def start(self, rounds: int, fixed_excuse: Optional[str], ask_code: bool) -> None:
        self.state = {
            "attempt": max([r["attempt"] for r in self.rounds] + [self.state.get("attempt", 0)]) + 1,
            "rounds_total": rounds,
            "round": 0,
            "stage": STAGE_CODE if ask_code else STAGE_CHOOSE,
            "prompted": False,
            "fixed_excuse": fixed_excuse,
        }
        if fixed_excuse and not ask_code:
            self.start_round(fixed_excuse)

    @property
    def stage(self) -> Optional[str]:
        return self.state.get("stage")

    @property
    def attempt(self) -> int:
        return self.state.get("attempt", 0)

    @property
    def excuse(self) -> Excuse:
        return KB.excuse(self.state["excuse"])

    def set_stage(self, stage: str) -> None:
        self.state["stage"] = stage
        self.state["prompted"] = False

    def played(self) -> List[str]:
        return [r["excuse_id"] for r in self.rounds]

    def pick_excuse(self) -> str:
        """The coach's choice: an excuse not practised yet in this session, varied per trainee."""
        candidates = practicable()
        fresh = [e for e in candidates if e not in self.played()] or [
            e for e in candidates if e != self.state.get("excuse")]
        return random.Random(f"{self.sender}:{self.attempt}:{self.state['round']}").choice(fresh or candidates)

    def start_round(self, excuse_id: str) -> None:
        excuse = KB.excuse(excuse_id)
        seen = sum(1 for e in self.played() if e == excuse_id)
        offset = random.Random(f"{self.sender}:{excuse_id}").randrange(len(excuse.practice.openings))
        self.state.update({
            "round": self.state.get("round", 0) + 1,
            "excuse": excuse_id,
            "opening": (offset + seen) % len(excuse.practice.openings),
            "yes_but": None,
            "covered": [],
            "hints": [],
        })
        self.set_stage(STAGE_ANSWER)

    # -- rounds ---------------------------------------------------------------------------
    def current_round(self) -> Optional[Dict[str, Any]]:
        return next((r for r in self.rounds if r["attempt"] == self.attempt and r["round"] == self.state.get("round")), None)

    def record(self, score: int, covered: List[str], excerpt: Optional[str] = None) -> None:
        entry = self.current_round()
        if entry is None:
            entry = {"attempt": self.attempt, "round": self.state["round"], "excuse_id": self.state["excuse"],
                     "score": 0, "covered": [], "answer_excerpt": None, "hints": 0}
            self.rounds.append(entry)
        entry.update(score=score, covered=list(covered), hints=len(self.state.get("hints") or []))
        if excerpt is not None:
            entry["answer_excerpt"] = excerpt

    def attempt_rounds(self) -> List[Dict[str, Any]]:
        return [r for r in self.rounds if r["attempt"] == self.attempt]


# -- what the coach says ---------------------------------------------------------------------
MAX_PRAISED = 3  # feedback stays short: the first three key points the answer covered


def describe_hits(hits: List[scorer.PointHit]) -> str:
    return "; ".join(
        f"„{hit.label}“ (Ihre Worte: {', '.join(f'„{w}“' for w in hit.words)})" for hit in hits[:MAX_PRAISED])


def by_count(count: int, one: str, several: str) -> str:
    """The singular or plural word for `count` items ("war"/"waren", "diesem Punkt"/"diesen Punkten")."""
    return one if count == 1 else several


def shown_hits(hits: List[scorer.PointHit]) -> List[scorer.PointHit]:
    return hits[:MAX_PRAISED]


def say_first_feedback(dispatcher: CollectingDispatcher, judgement: scorer.Judgement) -> None:
    if judgement.verdict in (scorer.VERDICT_EMPTY, scorer.VERDICT_TOO_SHORT):
        dispatcher.utter_message(response="utter_practice_nudge_short")
    elif judgement.verdict == scorer.VERDICT_OFF_TOPIC:
        dispatcher.utter_message(response="utter_practice_nudge_off_topic")
    elif judgement.verdict == scorer.VERDICT_AGAINST:
        dispatcher.utter_message(response="utter_practice_nudge_against", clause=judgement.against[0])
    elif judgement.verdict == scorer.VERDICT_KEYWORDS:
        dispatcher.utter_message(response="utter_practice_nudge_keywords")
    else:
        hits = shown_hits(list(judgement.hits))
        dispatcher.utter_message(response="utter_practice_strong", points=describe_hits(hits),
                                 verb=by_count(len(hits), "war", "waren"), score=judgement.score)


def say_round_result(dispatcher: CollectingDispatcher, excuse: Excuse, round_no: int, score: int,
                     covered: List[str]) -> None:
    index = scorer.strongest_missed(excuse, covered)
    if index is None:
        missing = scorer.missed_points(excuse, covered)
        index = missing[0][1] if missing else None
    if index is None:
        dispatcher.utter_message(response="utter_practice_round_result_complete", round=round_no, score=score,
                                 model_answer=excuse.practice.model_answer)
        return
    argument = excuse.arguments[index]
    labels = [p.label for p in argument.key_points if p.label not in covered]
    dispatcher.utter_message(
        response="utter_practice_round_result", round=round_no, score=score,
        missed=join_german([f"„{label}“" for label in labels]), sources=cited(argument.sources),
        model_answer=excuse.practice.model_answer,
    )


def join_german(items: List[str]) -> str:
    """["a", "b", "c"] -> "a, b und c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " und " + items[-1]


def choice_buttons() -> List[Dict[str, str]]:
    return excuse_buttons(KB.common_excuses) + [{"title": "Coach wählt aus", "payload": "/affirm"}]


def start_buttons() -> List[Dict[str, str]]:
    return [{"title": "Übung starten", "payload": "/start_practice"}]


def prompt(dispatcher: CollectingDispatcher, practice: Practice) -> None:
    """What the trainee is asked next, once per stage (not again after a hint)."""
    if practice.state.get("prompted"):
        return
    stage = practice.stage
    if stage == STAGE_CODE:
        dispatcher.utter_message(response="utter_practice_ask_code")
    elif stage == STAGE_CHOOSE:
        dispatcher.utter_message(response="utter_practice_ask_excuse", buttons=choice_buttons())
    elif stage == STAGE_ANSWER:
        excuse = practice.excuse
        dispatcher.utter_message(
            response="utter_practice_opening", round=practice.state["round"],
            rounds=practice.state["rounds_total"], opening=excuse.practice.openings[practice.state["opening"]],
        )
    elif stage == STAGE_FOLLOW_UP:
        dispatcher.utter_message(response="utter_practice_yes_but",
                                 yes_but=practice.excuse.practice.yes_buts[practice.state["yes_but"]])
    else:
        return
    practice.state["prompted"] = True


# -- one turn of the trainee -------------------------------------------------------------------
def handle_message(dispatcher: CollectingDispatcher, tracker: Tracker, practice: Practice) -> Tuple[Optional[str], Events]:
    """Processes the trainee's message by stage; returns the new value of `practice_answer`
    (None: the form asks again; DONE: the practice is over) and extra events."""
    text = latest_text(tracker)
    stage = practice.stage
    extra: Events = []
    if stage in (STAGE_ANSWER, STAGE_FOLLOW_UP, STAGE_CODE, STAGE_CHOOSE):
        if is_command(text, STOP_PATTERN):
            practice.set_stage(STAGE_DONE)
            return DONE, extra
        if is_command(text, HINT_PATTERN) and not is_button(text):
            give_hint(dispatcher, practice)
            return None, extra
    if stage == STAGE_CODE:
        code = parse_code(text, bare=True)
        if code:
            dispatcher.utter_message(response="utter_practice_code_saved", code=code)
            extra.append(SlotSet("training_code", code))
        else:
            dispatcher.utter_message(response="utter_practice_no_code")
        fixed = practice.state.get("fixed_excuse")
        if fixed:
            practice.start_round(fixed)
        else:
            practice.set_stage(STAGE_CHOOSE)
    elif stage == STAGE_CHOOSE:
        chosen = chosen_excuse(tracker)
        if chosen is None and len(scorer.words_of(text)) >= EARLY_ANSWER_WORDS and not is_button(text):
            # An answer typed before there was an excuse to answer: say so, then the excuse.
            dispatcher.utter_message(response="utter_practice_answer_too_early")
        practice.start_round(chosen or practice.pick_excuse())
    elif stage == STAGE_ANSWER:
        judgement = scorer.judge(practice.excuse, text)
        say_first_feedback(dispatcher, judgement)
        practice.state["covered"] = judgement.labels
        practice.state["first_score"] = judgement.score
        practice.record(judgement.score, judgement.labels, excerpt=text[:EXCERPT_LENGTH])
        practice.state["yes_but"] = scorer.pick_follow_up(
            practice.excuse, text, f"{practice.sender}:{practice.attempt}:{practice.state['round']}")
        practice.set_stage(STAGE_FOLLOW_UP)
    elif stage == STAGE_FOLLOW_UP:
        return finish_round(dispatcher, practice, text), extra
    else:  # no running practice: the form should not be active
        return DONE, extra
    return None, extra


def finish_round(dispatcher: CollectingDispatcher, practice: Practice, text: str) -> Optional[str]:
    excuse = practice.excuse
    before = list(practice.state.get("covered") or [])
    judgement = scorer.judge(excuse, text)
    new_hits = [h for h in judgement.hits if h.label not in before]
    if new_hits:
        shown = shown_hits(new_hits)
        dispatcher.utter_message(response="utter_practice_follow_up_gain", points=describe_hits(shown),
                                 verb=by_count(len(shown), "kam", "kamen"))
    elif judgement.hits:
        dispatcher.utter_message(response="utter_practice_follow_up_same")
    else:
        dispatcher.utter_message(response="utter_practice_follow_up_none")
    covered = before + [h.label for h in new_hits]
    by_label = {p.label: i for i, a in enumerate(excuse.arguments) for p in a.key_points}
    score = scorer.score_for((label, by_label[label]) for label in covered)
    practice.state["covered"] = covered
    practice.record(score, covered)
    say_round_result(dispatcher, excuse, practice.state["round"], score, covered)
    if practice.state["round"] >= practice.state["rounds_total"]:
        practice.set_stage(STAGE_DONE)
        return DONE
    practice.start_round(practice.pick_excuse())
    return None


EARLY_ANSWER_WORDS = 6  # at the excuse choice, a message this long is an answer, not a choice


def chosen_excuse(tracker: Tracker) -> Optional[str]:
    """The excuse the trainee picked (button or words), None when the coach should pick."""
    intent, confidence = latest_intent(tracker)
    if intent in KB.excuses and KB.excuse(intent).practice and (
            confidence >= MIN_CHOICE_CONFIDENCE or is_button(latest_text(tracker))):
        return intent
    return None


def give_hint(dispatcher: CollectingDispatcher, practice: Practice) -> None:
    if practice.stage not in (STAGE_ANSWER, STAGE_FOLLOW_UP):
        dispatcher.utter_message(response="utter_practice_hint_setup")
        return
    label = scorer.hint(practice.excuse, practice.state.get("covered") or [], practice.state.get("hints") or [])
    if label is None:
        dispatcher.utter_message(response="utter_practice_hint_none")
        return
    practice.state["hints"] = list(practice.state.get("hints") or []) + [label]
    if practice.current_round():
        practice.record(practice.current_round()["score"], practice.current_round()["covered"])
    dispatcher.utter_message(response="utter_practice_hint", label=label)


def summarize(dispatcher: CollectingDispatcher, practice: Practice) -> None:
    rounds = practice.attempt_rounds()
    if not rounds:
        dispatcher.utter_message(response="utter_practice_summary_empty", buttons=start_buttons())
        return
    lines = "\n".join(
        f"Runde {r['round']} – {KB.excuse(r['excuse_id']).title}: {r['score']} von {scorer.MAX_SCORE}" for r in rounds)
    total = sum(r["score"] for r in rounds)
    dispatcher.utter_message(response="utter_practice_summary", total=total,
                             max=scorer.MAX_SCORE * len(rounds), lines=lines)
    areas = focus_areas(rounds)
    dispatcher.utter_message(
        response="utter_practice_focus",
        focus=" und ".join(f"„{label}“ (bei „{KB.excuse(excuse_id).title}“)" for label, excuse_id in areas),
        these_points=by_count(len(areas), "diesem Punkt", "diesen Punkten"))
    weakest = min(rounds, key=lambda r: (r["score"], r["round"]))
    title = KB.excuse(weakest["excuse_id"]).title
    dispatcher.utter_message(response="utter_practice_offer_again", title=title, buttons=[
        {"title": f"Noch einmal: {title}", "payload": f'/start_practice{{"excuse":"{weakest["excuse_id"]}"}}'},
        {"title": "Neue Übung", "payload": "/start_practice"},
        {"title": "Zurück zum Coaching", "payload": "/greet"},
    ])


def focus_areas(rounds: List[Dict[str, Any]], count: int = 2) -> List[Tuple[str, str]]:
    """The weakest key points: missed points of the strongest arguments, from the weakest
    rounds first (one per round while there are rounds left)."""
    ordered = sorted(rounds, key=lambda r: (r["score"], r["round"]))
    missed = [[(label, r["excuse_id"]) for label, _ in scorer.missed_points(KB.excuse(r["excuse_id"]), r["covered"])]
              for r in ordered]
    chosen: List[Tuple[str, str]] = []
    for depth in range(max((len(m) for m in missed), default=0)):
        for points in missed:
            if depth < len(points) and points[depth][0] not in {label for label, _ in chosen}:
                chosen.append(points[depth])
            if len(chosen) == count:
                return chosen
    return chosen


# -- actions ---------------------------------------------------------------------------------
class ActionStartPractice(Action):
    """"Übungsmodus" / "Rollenspiel starten": sets up the run; the form takes over."""

    def name(self) -> Text:
        return "action_start_practice"

    def run(self, dispatcher, tracker, domain) -> Events:
        practice = Practice.of(tracker)
        text = latest_text(tracker)
        if practice_active(tracker) and not is_button(text) and len(scorer.words_of(text)) > COMMAND_MAX_WORDS:
            return answer_events(dispatcher, tracker, practice)  # a long answer the NLU misread
        # Only the button "Noch einmal: …" names the excuse; in free text the NLU's excuse
        # entities (addons/multi_excuse.py) may come from any word.
        fixed = next((e.get("value") for e in tracker.latest_message.get("entities") or []
                      if e.get("entity") == "excuse" and e.get("value") in practicable()), None) \
            if is_button(text) else None
        code = parse_code(text)
        known_code = code or tracker.get_slot("training_code")
        rounds = parse_rounds(text) or (1 if fixed and is_button(text) else DEFAULT_ROUNDS)
        asked_before = bool(practice.rounds) or bool(practice.state)
        practice.start(rounds, fixed, ask_code=not known_code and not asked_before)
        dispatcher.utter_message(response="utter_practice_intro", rounds=NUMBER_WORDS[rounds])
        events = [SlotSet("mode", MODE_PRACTICE), SlotSet(ANSWER_SLOT, None)]
        if code:
            dispatcher.utter_message(response="utter_practice_code_saved", code=code)
            events.append(SlotSet("training_code", code))
        return events + practice.events()


class ActionAskPracticeAnswer(Action):
    """The form asks for the next answer: code question, choice, opening or "Ja, aber …"."""

    def name(self) -> Text:
        return "action_ask_practice_answer"

    def run(self, dispatcher, tracker, domain) -> Events:
        practice = Practice.of(tracker)
        prompt(dispatcher, practice)
        return [SlotSet(STATE_SLOT, practice.state)]


class ValidatePracticeForm(FormValidationAction):
    """Every message while the practice runs arrives here as `practice_answer`."""

    def name(self) -> Text:
        return "validate_practice_form"

    def domain_slots(self, domain: Dict[Text, Any]) -> List[Text]:
        # The form's one slot, without the domain (Rasa does not send it: endpoints.yml).
        return [ANSWER_SLOT]

    def validate_practice_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: Dict[Text, Any]) -> Dict[Text, Any]:
        if value is None:  # form activation: Rasa validates the (empty) slot once
            return {}
        practice = Practice.of(tracker)
        answer, extra = handle_message(dispatcher, tracker, practice)
        slots = {ANSWER_SLOT: answer, STATE_SLOT: practice.state, ROUNDS_SLOT: practice.rounds}
        slots.update({e["name"]: e["value"] for e in extra})
        return slots


class ActionPracticeHint(Action):
    """"Tipp" / "Hilfe" during a round: a key point of an argument not covered yet."""

    def name(self) -> Text:
        return "action_practice_hint"

    def run(self, dispatcher, tracker, domain) -> Events:
        if not practice_active(tracker):
            if tracker.get_slot("current_excuse"):  # "Tipps" while coaching: the first steps
                return ActionShowFirstSteps().run(dispatcher, tracker, domain)
            dispatcher.utter_message(response="utter_practice_hint_inactive", buttons=start_buttons())
            return []
        practice = Practice.of(tracker)
        text = latest_text(tracker)
        if not is_button(text) and not is_command(text, HINT_PATTERN) and len(scorer.words_of(text)) > COMMAND_MAX_WORDS:
            return answer_events(dispatcher, tracker, practice)  # a long answer the NLU misread
        give_hint(dispatcher, practice)
        return practice.events()


class ActionPracticeSummary(Action):
    """End of the practice (all rounds played or "Stopp"): scores, focus areas, offer."""

    def name(self) -> Text:
        return "action_practice_summary"

    def run(self, dispatcher, tracker, domain) -> Events:
        practice = Practice.of(tracker)
        text = latest_text(tracker)
        intent, _ = latest_intent(tracker)
        if practice_active(tracker) and intent == "stop_practice" and not is_button(text) \
                and not STOP_PATTERN.search(text) and len(scorer.words_of(text)) > COMMAND_MAX_WORDS:
            return answer_events(dispatcher, tracker, practice)  # a long answer the NLU misread
        if not practice.state or (practice.state.get("summarized") and not practice_active(tracker)):
            # "Stopp" / "Auswertung" outside the practice: the coaching summary (as on goodbye),
            # else the last practice's summary again, else the offer to practise.
            if tracker.get_slot("discussed_excuses"):
                return CLOSE_LOOP + ActionSummarize().run(dispatcher, tracker, domain)
            if practice.attempt_rounds():
                summarize(dispatcher, practice)
            else:
                dispatcher.utter_message(response="utter_practice_not_active", buttons=start_buttons())
            return list(CLOSE_LOOP)
        summarize(dispatcher, practice)
        practice.set_stage(STAGE_DONE)
        practice.state.update(prompted=True, summarized=True)
        # "Noch einmal üben?" is now the open question (coach.reading reads the reply to it).
        return CLOSE_LOOP + [SlotSet(ANSWER_SLOT, None), SlotSet("phase", PHASE_PRACTICE_AGAIN)] + practice.events()


def answer_events(dispatcher: CollectingDispatcher, tracker: Tracker, practice: Practice) -> Events:
    answer, extra = handle_message(dispatcher, tracker, practice)
    return [SlotSet(ANSWER_SLOT, answer)] + extra + practice.events()
