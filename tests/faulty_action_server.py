"""The production action server (`rasa run actions --actions actions`) with faults on purpose,
for tests/test_faults.py: the actions named with --faulty raise, with the user's text in the
exception message as a careless bug would. Nothing of this is in the production code.

    python -m tests.faulty_action_server --actions actions --port 5055 --faulty action_coach_excuse
"""
from __future__ import annotations

import sys
from typing import Any, FrozenSet, List, Optional

from rasa_sdk import endpoint
from rasa_sdk.__main__ import main_from_args
from rasa_sdk.executor import ActionExecutor


def raising(name: str):
    def run(dispatcher: Any, tracker: Any, domain: Any) -> List[Any]:
        raise RuntimeError(f"injected fault in {name} while handling {tracker.latest_message.get('text')!r}")
    return run


class FaultyActionExecutor(ActionExecutor):
    """rasa-sdk's executor whose `faulty` actions raise instead of running."""

    faulty: FrozenSet[str] = frozenset()

    def register_package(self, package: Any) -> None:
        super().register_package(package)
        missing = self.faulty - set(self.actions)
        if missing:
            raise ValueError(f"--faulty names no action of the package: {', '.join(sorted(missing))}")
        for name in self.faulty:
            self.actions[name] = raising(name)


def main(argv: Optional[List[str]] = None) -> None:
    parser = endpoint.create_argument_parser()
    parser.add_argument("--faulty", default="", help="comma-separated actions that raise")
    args = parser.parse_args(argv)
    FaultyActionExecutor.faulty = frozenset(n.strip() for n in args.faulty.split(",") if n.strip())
    endpoint.ActionExecutor = FaultyActionExecutor  # create_app builds its executor by this name
    main_from_args(args)


if __name__ == "__main__":
    main(sys.argv[1:])
