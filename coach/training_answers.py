"""The practice scorer's training answers (coach/answer_examples/*.yml; plain Python).

Written by helpers who saw only the excuses, the CEO's lines and the argument texts, one trainee
voice per file; each answer has a kind (strong, one_point, agree, negated, off_topic) and names
the arguments it makes. Never read while serving: the scripts that derive the scorer's files from
them (scripts/derive_answer_clauses.py, scripts/derive_answer_stance.py) and their tests read them.
"""
from __future__ import annotations

from pathlib import Path
from typing import List

import yaml

EXAMPLES = Path(__file__).resolve().parent / "answer_examples"
# libyaml where it is built in: the files hold thousands of answers (seconds with the pure loader)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load() -> List[dict]:
    """Every training answer, file by file in name order."""
    return [answer for path in sorted(EXAMPLES.glob("*.yml"))
            for answer in yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)["answers"]]
