"""The review inbox: user messages the coach misread, and the NLU file reviewed ones go to.

A user turn of the session log is in the inbox when
- the NLU fell back on it (intent `nlu_fallback`),
- the coach was unsure and asked which excuse was meant (`action_clarify_excuse` answered it), or
- the user's next message corrected it ("falsch verstanden, …": a row in `coach_corrections`,
  logged on the correcting message; the misread one is the user turn before it),
and it has text (LOG_USER_TEXT) and no review yet. Answers in the practice mode are never items:
the form takes any text as an answer, so their intent does not matter. The reviewer confirms an intent or ignores
it; either way a `coach_reviews` row takes it out of the inbox, and a confirmed example is
appended to `data/nlu/reviewed.yml` (Rasa NLU YAML, so the next `make train` learns from it).
Deleting a user's sessions (core/data_retention.py) removes their turns and so their items.
"""
from __future__ import annotations

import fcntl
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

import yaml
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.log_schema import CorrectionRow, ReviewRow, TurnRow
from core.session_store import PROJECT_ROOT, SessionStore

REVIEWED_NLU_FILE = PROJECT_ROOT / "data" / "nlu" / "reviewed.yml"
NLU_DATA = PROJECT_ROOT / "data" / "nlu"
DOMAIN = PROJECT_ROOT / "domain.yml"
IGNORE = "ignore"
FALLBACK_INTENT = "nlu_fallback"
CLARIFY_ACTION = "action_clarify_excuse"
PRACTICE_ACTIONS = "practice"  # practice_form, action_start_practice, action_practice_summary, …
TOP_INTENTS = 3
MAX_SESSIONS = 200  # the newest sessions with candidates; older ones wait until these are done
REASON_LABELS = {"fallback": "nicht verstanden", "unsure": "unsicher, nachgefragt",
                 "corrected": "im Gespräch korrigiert"}


@dataclass
class InboxItem:
    session_id: str
    event_key: str
    at: datetime
    text: str
    intent: Optional[str]
    confidence: Optional[float]
    top_intents: List[Dict[str, float]]
    answer: str
    reasons: List[str] = field(default_factory=list)
    suggested_intent: Optional[str] = None  # what the user said they meant, after a correction


def inbox(store: SessionStore, limit: int = 100) -> List[InboxItem]:
    """The unreviewed items, newest first."""
    with Session(store.engine) as s:
        fallback = select(TurnRow.session_id).where(TurnRow.role == "user", TurnRow.intent == FALLBACK_INTENT)
        clarify = select(TurnRow.session_id).where(TurnRow.role == "bot", TurnRow.action == CLARIFY_ACTION)
        corrected = select(CorrectionRow.session_id)
        latest = (select(TurnRow.session_id, func.max(TurnRow.at).label("last"))
                  .where(or_(TurnRow.session_id.in_(fallback), TurnRow.session_id.in_(clarify),
                             TurnRow.session_id.in_(corrected)))
                  .group_by(TurnRow.session_id).order_by(func.max(TurnRow.at).desc()).limit(MAX_SESSIONS))
        session_ids = [row.session_id for row in s.execute(latest)]
        if not session_ids:
            return []
        turns = s.scalars(select(TurnRow).where(TurnRow.session_id.in_(session_ids))
                          .order_by(TurnRow.session_id, TurnRow.seq)).all()
        corrections = {(c.session_id, c.event_key): c.corrected_intent for c in s.scalars(
            select(CorrectionRow).where(CorrectionRow.session_id.in_(session_ids)))}
        reviewed = {tuple(row) for row in s.execute(select(ReviewRow.session_id, ReviewRow.event_key)
                                                    .where(ReviewRow.session_id.in_(session_ids)))}
    items = [item for item in _items(turns, corrections) if (item.session_id, item.event_key) not in reviewed]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def _items(turns: List[TurnRow], corrections: Dict[tuple, Optional[str]]) -> Iterable[InboxItem]:
    exchanges: List[tuple] = []  # (user turn, bot turns after it), per session in order
    for turn in turns:
        if turn.role == "user":
            exchanges.append((turn, []))
        elif exchanges and exchanges[-1][0].session_id == turn.session_id:
            exchanges[-1][1].append(turn)
    for position, (user, answers) in enumerate(exchanges):
        if (user.session_id, user.event_key) in corrections:
            continue  # the correcting message; the message it corrects is the item
        if any(PRACTICE_ACTIONS in (bot.action or "") for bot in answers):
            continue  # a practice answer: scored by meaning, whatever intent the NLU read
        following = exchanges[position + 1][0] if position + 1 < len(exchanges) else None
        reasons, suggested = [], None
        if user.intent == FALLBACK_INTENT:
            reasons.append("fallback")
        if any(bot.action == CLARIFY_ACTION for bot in answers):
            reasons.append("unsure")
        if following is not None and following.session_id == user.session_id \
                and (following.session_id, following.event_key) in corrections:
            reasons.append("corrected")
            suggested = corrections[(following.session_id, following.event_key)]
        if not reasons or not user.text:
            continue
        ranking = [r for r in user.intents or [] if r.get("name") != FALLBACK_INTENT][:TOP_INTENTS]
        yield InboxItem(user.session_id, user.event_key, user.at, user.text, user.intent, user.confidence,
                        ranking, "\n".join(bot.text for bot in answers if bot.text), reasons, suggested)


def find_item(store: SessionStore, session_id: str, event_key: str) -> Optional[InboxItem]:
    return next((item for item in inbox(store, limit=10_000)
                 if (item.session_id, item.event_key) == (session_id, event_key)), None)


def record(store: SessionStore, item: InboxItem, decision: str, nlu_file: "NluFile") -> bool:
    """Store the reviewer's decision; a confirmed intent also goes to the NLU file. Returns
    whether a new example was written (False for "ignore" and for a known example)."""
    written = decision != IGNORE and nlu_file.append(decision, item.text)
    with Session(store.engine) as s, s.begin():
        exists = s.scalar(select(ReviewRow.id).where(ReviewRow.session_id == item.session_id,
                                                     ReviewRow.event_key == item.event_key))
        if exists is None:
            s.add(ReviewRow(session_id=item.session_id, event_key=item.event_key, decision=decision,
                            reviewed_at=datetime.now(timezone.utc)))
    return written


def intent_choices(domain: Path = DOMAIN, nlu_data: Path = NLU_DATA) -> List[str]:
    """The intents a reviewer may confirm: the domain's, with the how-to questions as their
    retrieval intents (`faq/…`, as the training data names them)."""
    intents = [i for i in _load_yaml(domain.read_text(encoding="utf-8"))["intents"]
               if isinstance(i, str) and i != FALLBACK_INTENT]
    faq = sorted({name for path in nlu_data.rglob("*.yml") for name in _intent_names(path) if "/" in name})
    return [i for i in intents if not any(f.startswith(i + "/") for f in faq)] + faq


def _load_yaml(text: str):
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: ~10x faster


def _intent_names(path: Path) -> Set[str]:
    data = _load_yaml(path.read_text(encoding="utf-8")) or {}
    return {entry["intent"] for entry in data.get("nlu") or [] if isinstance(entry, dict) and "intent" in entry}


def example_text(text: str) -> str:
    """One line, and no brackets that Rasa would read as entity markup ("[Berlin](city)")."""
    return re.sub(r"\s+", " ", text).strip().replace("[", "(").replace("]", ")")


class NluFile:
    """Append-only Rasa NLU file of reviewed examples; an example is written once, whatever intent."""

    HEADER = '# Reviewed user messages (review inbox, /trainer/review); appended, never rewritten.\n' \
             'version: "3.1"\nnlu:\n'

    def __init__(self, path: Path = REVIEWED_NLU_FILE, training_data: Optional[Path] = NLU_DATA) -> None:
        self.path = Path(path)
        self.training_data = training_data
        self._parsed: Dict[Path, tuple] = {}  # training file -> (modification time, its examples)

    def append(self, intent: str, text: str) -> bool:
        example = example_text(text)
        if not example or not intent or any(c in intent for c in " \n:#"):
            raise ValueError("an example needs text and a plain intent name")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_EX)  # two reviewers at once must not interleave blocks
            file.seek(0)
            content = file.read()
            if example.casefold() in self.known_examples(content):
                return False
            block = f"- intent: {intent}\n  examples: |\n    - {example}\n"
            file.write((self.HEADER if not content.strip() else "" if content.endswith("\n") else "\n") + block)
            file.flush()
        return True

    def known_examples(self, content: str) -> Set[str]:
        """The examples of this file (`content`) and of the training data, case-folded."""
        known = _examples(_load_yaml(content) if content.strip() else None)
        if self.training_data is not None and self.training_data.is_dir():
            for path in self.training_data.rglob("*.yml"):
                if path.resolve() == self.path.resolve():
                    continue
                modified = path.stat().st_mtime_ns
                if self._parsed.get(path, (None,))[0] != modified:
                    self._parsed[path] = (modified, _examples(_load_yaml(path.read_text(encoding="utf-8"))))
                known |= self._parsed[path][1]
        return known


def _examples(data) -> Set[str]:
    found = set()
    for entry in (data or {}).get("nlu") or []:
        if isinstance(entry, dict) and isinstance(entry.get("examples"), str):
            found |= {line.strip()[2:].strip().casefold() for line in entry["examples"].splitlines()
                      if line.strip().startswith("- ")}
    return found
