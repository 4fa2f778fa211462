"""What the coach says in practice mode: the next prompt (code question, choice of excuse, the
CEO's opening or his "Ja, aber …"), the feedback on an answer, the round's result with the
strongest missed argument and its source, and the summary with two focus areas. The fixed
phrases live in domain.yml.
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa_sdk.executor import CollectingDispatcher

from actions.coaching_replies import KB, cited, excuse_buttons
from actions.practice_state import STAGE_ANSWER, STAGE_CHOOSE, STAGE_CODE, STAGE_FOLLOW_UP, Practice
from coach import practice_scorer as scorer
from coach.knowledge_base import Excuse

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
    elif judgement.verdict == scorer.VERDICT_AGREES:
        dispatcher.utter_message(response="utter_practice_nudge_agrees")
    elif judgement.verdict == scorer.VERDICT_AGAINST:
        dispatcher.utter_message(response="utter_practice_nudge_against", clause=judgement.against[0])
    elif judgement.verdict == scorer.VERDICT_KEYWORDS and judgement.hits:
        # A list is no argument, but the word that hits a point earns its one point.
        dispatcher.utter_message(response="utter_practice_keywords_one", point=judgement.hits[0].label)
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
