"""Whether the database is reachable for the tracker store and the session log, in this process.

Rasa's own `FailSafeTrackerStore` hides a database outage: it answers 200, starts a blank
conversation and keeps the turns only in memory. Our tracker store and event broker instead
keep what they could not write, retry until the database is back, and report their state here;
`addons/health_channel.py` serves it as a readiness check and the logs say when an outage
starts and ends.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

import sqlalchemy.exc

logger = logging.getLogger(__name__)

# Errors that mean "the database cannot take this now" (connection refused or dropped, pool
# exhausted, SQLite busy, tables missing after a start without database). Integrity or data
# errors are faults of one write and are not retried.
DATABASE_ERRORS = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.ProgrammingError,
    sqlalchemy.exc.TimeoutError,
)
RETRY_SECONDS = 2.0


def describe(error: BaseException) -> str:
    """The driver's message without SQL parameters, which may hold what a user typed."""
    original = getattr(error, "orig", None) or error
    first_line = (str(original).strip().splitlines() or [""])[0]
    return f"{type(original).__name__}: {first_line[:200]}"


@dataclass
class ComponentState:
    reachable: bool = True
    since: float = field(default_factory=time.time)
    last_error: Optional[str] = None
    backlog: int = 0  # conversations or events kept in memory, not yet written


class DatabaseHealth:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._components: Dict[str, ComponentState] = {}

    def failed(self, component: str, error: BaseException, backlog: int) -> None:
        with self._lock:
            state = self._components.setdefault(component, ComponentState())
            if state.reachable:
                state.reachable, state.since = False, time.time()
                logger.error(
                    "Database unreachable for the %s (%s); keeping %d item(s) in memory and "
                    "retrying every %.0f s until it is back.", component, describe(error), backlog,
                    RETRY_SECONDS,
                )
            state.last_error, state.backlog = describe(error), backlog

    def recovered(self, component: str, written: int, backlog: int = 0) -> None:
        with self._lock:
            state = self._components.setdefault(component, ComponentState())
            if not state.reachable:
                logger.warning(
                    "Database reachable again for the %s after %.0f s; wrote %d item(s) kept in memory.",
                    component, time.time() - state.since, written,
                )
                state.reachable, state.since, state.last_error = True, time.time(), None
            state.backlog = backlog

    def snapshot(self) -> Dict[str, Any]:
        with self._lock:
            components = {
                name: {
                    "database_reachable": state.reachable,
                    "since": state.since,
                    "unwritten_backlog": state.backlog,
                    **({"last_error": state.last_error} if state.last_error else {}),
                }
                for name, state in self._components.items()
            }
        ready = all(c["database_reachable"] and not c["unwritten_backlog"] for c in components.values())
        return {"status": "ready" if ready else "degraded", "components": components}


HEALTH = DatabaseHealth()
