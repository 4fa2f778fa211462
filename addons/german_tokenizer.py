"""Whitespace tokenizer that folds German umlauts, so "für", "Für" and "fuer" are one token."""
from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from addons.component_fingerprint import SourceFingerprint
from coach.german_text import fold


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class GermanWhitespaceTokenizer(SourceFingerprint, WhitespaceTokenizer):
    """Keeps the offsets of the original text; only the token text is normalised."""

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute == TEXT:
            for token in tokens:
                token.text = fold(token.text)
                token.lemma = token.text
        return tokens
