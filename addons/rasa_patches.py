"""Every place where this project replaces Rasa's own code, in one list, installed in one call.

Rasa has no extension point for these; each replaces a method of Rasa Open Source 3.6.21
(private ones included), so `install()` checks the version: with any other Rasa it logs a
warning and leaves Rasa as it is. `COACH_RASA_PATCHES` (.env.example) switches them:
`on` (the default) installs all, `off` none (stock Rasa, for comparison and for finding out
whether a problem is ours), a comma-separated list of names only those.

`install()` runs when the package `addons` is imported (addons/__init__.py), i.e. in every
process that loads the model (its tokenizer and policy are add-ons) or endpoints.yml (tracker
store, event broker): `rasa run`, `rasa shell`, `rasa test`, `rasa interactive`. The action
server does not import `addons`. tests/test_rasa_patches.py checks the switch and the version
check; each patch's own test is named in its entry.
"""
from __future__ import annotations

import inspect
import logging
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from addons import action_guard, incremental_states, speedups, tracker_copy

logger = logging.getLogger(__name__)

KNOWN_RASA_VERSION = "3.6.21"
SWITCH = "COACH_RASA_PATCHES"
OFF_VALUES = {"off", "false", "0", "no"}
ON_VALUES = {"on", "true", "1", "yes", ""}


@dataclass(frozen=True)
class Patch:
    name: str
    why: str
    # (class, attribute, replacement): what it replaces and with what.
    replaces: Tuple[Tuple[type, str, Any], ...]


PATCHES: Tuple[Patch, ...] = (
    Patch(
        "apology_for_failed_actions",
        "Stock Rasa answers nothing when the action server is down or fails, and logs the "
        "response body (the tracker with the user's text). The user gets utter_action_failed "
        "and the log only the action name and status (addons/action_guard.py, tests/test_faults.py).",
        ((RemoteAction, "run", action_guard.run_or_apologise),),
    ),
    Patch(
        "incremental_dialogue_states",
        "The policies' states, the applied events and tracker copies are rebuilt from the whole "
        "history several times per turn; kept up to date event by event instead, with stock "
        "Rasa's results (addons/incremental_states.py, addons/tracker_copy.py, "
        "tests/test_incremental_states.py).",
        ((DialogueStateTracker, "past_states", incremental_states.past_states),
         (DialogueStateTracker, "applied_events", incremental_states.applied_events),
         (DialogueStateTracker, "copy", tracker_copy.copy_tracker),
         (FormAction, "_temporary_tracker", tracker_copy.form_tracker)),
    ),
    Patch(
        "event_type_cache",
        "Deserialising a stored event searches all Event subclasses for its type name; the "
        "result is cached (addons/speedups.py).",
        ((Event, "resolve_by_type", staticmethod(speedups.cached_resolve_by_type)),),
    ),
    Patch(
        "compiled_action_response_schema",
        "jsonschema.validate checks the schema and builds a validator on every action call; one "
        "compiled validator is reused (addons/speedups.py).",
        ((RemoteAction, "_validate_action_result", speedups.validate_action_result),),
    ),
    Patch(
        "recent_events_for_actions",
        "Every action call sends the whole session's events; only the last "
        f"{speedups.EVENTS_FOR_ACTIONS} are sent. Changes what the action server receives in "
        "`tracker.events` (addons/speedups.py says when that is safe; tests/test_rasa_patches.py "
        "compares the actions' answers with stock requests).",
        ((RemoteAction, "_action_call_format", speedups.recent_events_call_format),),
    ),
)
NAMES = tuple(patch.name for patch in PATCHES)

# Rasa's own attributes as found before anything here replaced them (as stored on the class,
# so a staticmethod stays one).
ORIGINALS: Dict[Tuple[type, str], Any] = {
    (owner, attribute): inspect.getattr_static(owner, attribute)
    for patch in PATCHES for owner, attribute, _ in patch.replaces
}
_installed: List[str] = []


def wanted(value: Optional[str]) -> Tuple[str, ...]:
    """The patch names a COACH_RASA_PATCHES value asks for."""
    value = (value or "").strip().lower()
    if value in ON_VALUES:
        return NAMES
    if value in OFF_VALUES:
        return ()
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        raise ValueError(f"{SWITCH}: unknown patch {', '.join(unknown)}; known: on, off, {', '.join(NAMES)}")
    return tuple(name for name in NAMES if name in names)


def install(environ: Optional[Mapping[str, str]] = None, rasa_version: Optional[str] = None) -> List[str]:
    """Installs the patches COACH_RASA_PATCHES asks for (all by default), once; returns their names."""
    if _installed:
        return list(_installed)
    names = wanted((os.environ if environ is None else environ).get(SWITCH))
    version = rasa.__version__ if rasa_version is None else rasa_version
    if names and version != KNOWN_RASA_VERSION:
        logger.warning("Rasa %s instead of %s: the project's Rasa patches (%s) stay off. Check each "
                       "against the new version (addons/rasa_patches.py).", version, KNOWN_RASA_VERSION,
                       ", ".join(names))
        return []
    for patch in PATCHES:
        if patch.name in names:
            for owner, attribute, replacement in patch.replaces:
                setattr(owner, attribute, replacement)
            _installed.append(patch.name)
    logger.info("Rasa patches: %s", ", ".join(_installed) if _installed else f"none ({SWITCH}=off)")
    return list(_installed)


def uninstall() -> None:
    """Puts Rasa's own attributes back and drops the patches' caches."""
    for (owner, attribute), original in ORIGINALS.items():
        setattr(owner, attribute, original)
    incremental_states.clear()
    _installed.clear()


def installed() -> List[str]:
    return list(_installed)


def replaced(patch: Patch) -> List[bool]:
    """For each attribute of `patch`: whether Rasa's own is replaced by the patch's."""
    return [inspect.getattr_static(owner, attribute) is replacement
            for owner, attribute, replacement in patch.replaces]


def is_stock() -> bool:
    """Whether every attribute any patch replaces is Rasa's own again."""
    return all(inspect.getattr_static(owner, attribute) is original
               for (owner, attribute), original in ORIGINALS.items())


def by_name(name: str) -> Patch:
    return next(patch for patch in PATCHES if patch.name == name)


def original(owner: type, attribute: str) -> Callable:
    """Rasa's own callable (unwrapped from staticmethod)."""
    value = ORIGINALS[(owner, attribute)]
    return value.__func__ if isinstance(value, staticmethod) else value
