"""Which of an excuse's arguments answers a text best, by meaning (plain Python and numpy): the
coach answers a "ja, aber" with content with the argument closest to it."""
from __future__ import annotations

from functools import lru_cache
from typing import List

import numpy as np

from coach.knowledge_base import Excuse
from coach.sentence_embedding import embed


@lru_cache(maxsize=64)
def _argument_vectors(excuse: Excuse) -> np.ndarray:
    return embed([" ".join([a.text] + [p.label for p in a.key_points]) for a in excuse.arguments])


def argument_order(excuse: Excuse, text: str) -> List[int]:
    """The excuse's arguments, closest in meaning to `text` first."""
    similarity = _argument_vectors(excuse) @ embed([text])[0]
    return [int(i) for i in np.argsort(-similarity, kind="stable")]  # ties in the same order on every CPU


def warm_up(kb) -> None:
    """Embeds every excuse's arguments now, not at the first message."""
    for excuse in kb.excuses.values():
        _argument_vectors(excuse)
