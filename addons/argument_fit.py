"""Which counterargument answers what the user just said, by meaning.

A "ja, aber" with content ("unser Betriebsrat blockt das", "ich bin 62") should get the argument
that speaks to it, not simply the next one in the list. The NLU does not know which excuse is
under discussion, so for every message of four words or more this component ranks the arguments
of *every* excuse by the cosine between the message's sentence embedding (shared with the intent
classifier, so not computed twice) and each argument's text with its key points, and adds
`argument_fit: {excuse_id: "2013"}` (indices, best first) to the parse data. The action picks
the best unused one of the excuse under discussion (actions/coaching.py, `argument_fit`).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

import numpy as np

from coach.sentence_embedding import embed
from coach.knowledge_base import load as load_knowledge_base
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

PROPERTY = "argument_fit"
MIN_WORDS = 4


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ArgumentFit(GraphComponent):
    """Ranks every excuse's arguments by closeness in meaning to the message."""

    def __init__(self, excuses: List[str], offsets: List[int], vectors: np.ndarray) -> None:
        self._excuses, self._offsets, self._vectors = excuses, offsets, vectors

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ArgumentFit":
        kb = load_knowledge_base()
        excuses, offsets, texts = [], [0], []
        for excuse in kb.excuses.values():
            excuses.append(excuse.id)
            texts += [" ".join([a.text] + [p.label for p in a.key_points]) for a in excuse.arguments]
            offsets.append(len(texts))
        return cls(excuses, offsets, embed(texts))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if len(re.findall(r"\w+", text)) < MIN_WORDS or text.startswith("/"):
                continue
            similarity = self._vectors @ embed([text])[0]
            fit = {}
            for n, excuse_id in enumerate(self._excuses):
                scores = similarity[self._offsets[n]:self._offsets[n + 1]]
                fit[excuse_id] = "".join(str(i) for i in np.argsort(-scores)[:10])
            message.set(PROPERTY, fit, add_to_output=True)
        return messages
