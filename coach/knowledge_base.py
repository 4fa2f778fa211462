"""The coach's knowledge: excuses, counterarguments, first steps and sources.

Plain Python (no Rasa, no database): loads `knowledge_base.yml`, validates every field and
fails with a message that names the file, the excuse and the field.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

DEFAULT_PATH = Path(__file__).with_name("knowledge_base.yml")
EXCUSE_PREFIX = "excuse_"
MAX_TITLE_LENGTH = 30


class KnowledgeBaseError(ValueError):
    """The knowledge-base file is missing, unreadable or breaks a rule."""


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    origin: str

    def citation(self) -> str:
        return f"{self.id}: „{self.title}“ ({self.origin})"


@dataclass(frozen=True)
class KeyPoint:
    label: str
    terms: Tuple[str, ...]


@dataclass(frozen=True)
class Argument:
    text: str
    sources: Tuple[str, ...]
    key_points: Tuple[KeyPoint, ...]


@dataclass(frozen=True)
class PracticeScript:
    openings: Tuple[str, ...]
    yes_buts: Tuple[str, ...]
    model_answer: str


@dataclass(frozen=True)
class Excuse:
    id: str
    title: str
    reflection: str
    arguments: Tuple[Argument, ...]
    first_steps: Tuple[str, ...]
    follow_up: str
    practice: Optional[PracticeScript]


@dataclass(frozen=True)
class KnowledgeBase:
    sources: Dict[str, Source]
    excuses: Dict[str, Excuse]
    common_excuses: Tuple[str, ...]

    def excuse(self, excuse_id: str) -> Excuse:
        return self.excuses[excuse_id]

    def cite(self, source_ids: Sequence[str]) -> List[Source]:
        return [self.sources[s] for s in source_ids if s in self.sources]


class _Reader:
    """Reads fields and reports errors with the file, the excuse and the field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(f"{self.path}: {where}: {problem}")

    def text(self, data: Dict[str, Any], key: str, where: str) -> str:
        value = data.get(key) if isinstance(data, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}, field '{key}'", "must be a non-empty text")
        return " ".join(value.split())

    def items(
        self, data: Dict[str, Any], key: str, where: str, minimum: int, maximum: int = 99
    ) -> List[Any]:
        value = data.get(key) if isinstance(data, dict) else None
        if not isinstance(value, list) or not minimum <= len(value) <= maximum:
            bounds = f"at least {minimum}" if maximum == 99 else f"{minimum} to {maximum}"
            raise self.fail(f"{where}, field '{key}'", f"must be a list of {bounds} entries")
        return value

    def texts(
        self, data: Dict[str, Any], key: str, where: str, minimum: int, maximum: int = 99
    ) -> Tuple[str, ...]:
        values = self.items(data, key, where, minimum, maximum)
        for i, value in enumerate(values, 1):
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"{where}, field '{key}' entry {i}", "must be a non-empty text")
        return tuple(" ".join(v.split()) for v in values)


def _read_excuse(reader: _Reader, excuse_id: str, data: Any, sources: Dict[str, Source]) -> Excuse:
    where = f"excuse '{excuse_id}'"
    if not excuse_id.startswith(EXCUSE_PREFIX):
        raise reader.fail(where, f"ids must start with '{EXCUSE_PREFIX}'")
    if not isinstance(data, dict):
        raise reader.fail(where, "must be a mapping of fields")
    title = reader.text(data, "title", where)
    if len(title) > MAX_TITLE_LENGTH:
        raise reader.fail(f"{where}, field 'title'", f"longer than {MAX_TITLE_LENGTH} characters")
    arguments = []
    for n, raw in enumerate(reader.items(data, "arguments", where, 3), 1):
        at = f"{where}, argument {n}"
        cited = reader.texts(raw, "sources", at, 1)
        unknown = [s for s in cited if s not in sources]
        if unknown:
            raise reader.fail(f"{at}, field 'sources'", f"unknown source id(s) {unknown}")
        key_points = []
        for k, point in enumerate(reader.items(raw, "key_points", at, 2, 4), 1):
            point_at = f"{at}, key point {k}"
            key_points.append(
                KeyPoint(reader.text(point, "label", point_at), reader.texts(point, "terms", point_at, 1))
            )
        arguments.append(Argument(reader.text(raw, "text", at), cited, tuple(key_points)))
    practice = None
    if data.get("practice") is not None:
        raw = data["practice"]
        at = f"{where}, practice"
        practice = PracticeScript(
            reader.texts(raw, "openings", at, 1),
            reader.texts(raw, "yes_buts", at, 1),
            reader.text(raw, "model_answer", at),
        )
    return Excuse(
        id=excuse_id,
        title=title,
        reflection=reader.text(data, "reflection", where),
        arguments=tuple(arguments),
        first_steps=reader.texts(data, "first_steps", where, 3),
        follow_up=reader.text(data, "follow_up", where),
        practice=practice,
    )


def load(path: Optional[Path] = None) -> KnowledgeBase:
    """Load and validate the knowledge base; raise KnowledgeBaseError on any problem."""
    path = Path(path or os.environ.get("KNOWLEDGE_BASE_PATH") or DEFAULT_PATH)
    reader = _Reader(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise KnowledgeBaseError(f"{path}: cannot be read ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"{path}: is not valid YAML ({error})") from error
    if not isinstance(raw, dict):
        raise KnowledgeBaseError(f"{path}: must be a mapping with 'sources' and 'excuses'")

    raw_sources = raw.get("sources")
    if not isinstance(raw_sources, dict) or not raw_sources:
        raise reader.fail("field 'sources'", "must map source ids (S0, S1, …) to title and origin")
    sources = {
        sid: Source(sid, reader.text(s, "title", f"source '{sid}'"), reader.text(s, "origin", f"source '{sid}'"))
        for sid, s in raw_sources.items()
    }

    raw_excuses = raw.get("excuses")
    if not isinstance(raw_excuses, dict) or not raw_excuses:
        raise reader.fail("field 'excuses'", "must map excuse intent ids to their entries")
    excuses = {eid: _read_excuse(reader, eid, e, sources) for eid, e in raw_excuses.items()}

    common = reader.texts(raw, "common_excuses", "top level", 1)
    unknown = [c for c in common if c not in excuses]
    if unknown:
        raise reader.fail("field 'common_excuses'", f"unknown excuse id(s) {unknown}")
    return KnowledgeBase(sources=sources, excuses=excuses, common_excuses=common)


def load_or_exit(path: Optional[Path] = None) -> KnowledgeBase:
    """Load at server start; an invalid file stops the start with one clear line."""
    try:
        return load(path)
    except KnowledgeBaseError as error:
        logging.getLogger(__name__).critical("Invalid knowledge base: %s", error)
        raise SystemExit(f"Invalid knowledge base: {error}") from None
