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
MAX_EVIDENCE_WORDS = 7


class KnowledgeBaseError(ValueError):
    """The knowledge-base file is missing, unreadable or breaks a rule."""


@dataclass(frozen=True)
class Source:
    """One source article, described so that a user can read (and find) it without its id."""

    id: str
    title: str
    kind: str                      # e.g. "Blogbeitrag aus der Social-Media-Weiterbildung"
    author: Optional[str] = None   # only where the article names one
    year: Optional[int] = None     # None: the article gives no date
    publisher: Optional[str] = None  # blog, magazine or firm it appeared in, where known
    file: Optional[str] = None     # file name in ../shared/seeds

    def year_text(self) -> str:
        return str(self.year) if self.year else "ohne Jahresangabe"

    def short(self) -> str:
        """Short name for replies, e.g. "Blogbeitrag aus der Social-Media-Weiterbildung, 2023"."""
        return f"{self.kind}, {self.year_text()}"

    def citation(self) -> str:
        """Full reference: title, kind, author and publisher where known, year."""
        parts = [f"„{self.title}“", self.kind]
        if self.author:
            parts.append(f"von {self.author}")
        if self.publisher:
            parts.append(self.publisher)
        parts.append(self.year_text())
        return ", ".join(parts)


@dataclass(frozen=True)
class KeyPoint:
    label: str
    terms: Tuple[str, ...]


@dataclass(frozen=True)
class Argument:
    text: str
    sources: Tuple[str, ...]
    key_points: Tuple[KeyPoint, ...]
    # Phrases of at most MAX_EVIDENCE_WORDS words found verbatim in a cited article
    # (checked against the articles by tests/test_evidence.py).
    evidence: Tuple[str, ...] = ()


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
        return [self.sources[s] for s in dict.fromkeys(source_ids) if s in self.sources]

    def short_citation(self, source_ids: Sequence[str]) -> str:
        """Short names of several sources joined with "; " (unknown ids are left out)."""
        return "; ".join(source.short() for source in self.cite(source_ids))

    def full_citation(self, source_ids: Sequence[str]) -> str:
        """Full references of several sources joined with "; "."""
        return "; ".join(source.citation() for source in self.cite(source_ids))


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
        evidence = reader.texts(raw, "evidence", at, 1)
        for e, phrase in enumerate(evidence, 1):
            if len(phrase.split()) > MAX_EVIDENCE_WORDS:
                raise reader.fail(
                    f"{at}, field 'evidence' entry {e}",
                    f"'{phrase}' is longer than {MAX_EVIDENCE_WORDS} words",
                )
        arguments.append(Argument(reader.text(raw, "text", at), cited, tuple(key_points), evidence))
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


def _read_source(reader: _Reader, source_id: str, data: Any) -> Source:
    where = f"source '{source_id}'"
    if not isinstance(data, dict):
        raise reader.fail(where, "must be a mapping of fields")
    optional = {}
    for key in ("author", "publisher", "file"):
        if data.get(key) is not None:
            optional[key] = reader.text(data, key, where)
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100):
        raise reader.fail(f"{where}, field 'year'", "must be a year such as 2023, or left out when unknown")
    return Source(
        id=source_id,
        title=reader.text(data, "title", where),
        kind=reader.text(data, "kind", where),
        year=year,
        **optional,
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
        raise reader.fail("field 'sources'", "must map source ids (S0, S1, …) to title, kind and year")
    sources = {sid: _read_source(reader, sid, s) for sid, s in raw_sources.items()}

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
