"""Fits the whole-answer stance model (coach/answer_stance.py) on the practice scorer's training
answers (coach/answer_examples/*.yml) and stores it in coach/answer_stance/.

    .venv/bin/python scripts/derive_answer_stance.py     # rewrites coach/answer_stance/
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach import answer_stance, training_answers  # noqa: E402


def derive() -> answer_stance.StanceModel:
    return answer_stance.fit(*answer_stance.training_examples(training_answers.load()))


def main() -> int:
    model = derive()
    answer_stance.save(model)
    print(f"{len(model.weights)} n-grams -> {answer_stance.STORED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
