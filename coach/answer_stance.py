"""Whose side a whole practice answer argues: the trainee's or the sceptical CEO's (numpy and
scipy; scikit-learn fits it).

The scorer reads an answer clause by clause. A clause is a short text, and the sentence encoder
barely sees a "nicht". So a denial worded as an antonym or a verdict passes as a point:
"schöner Kalenderspruch", "das klingt nach Werbeprospekt" or "hängt Ihnen jahrelang nach" after
a point's own words. Each such wording is rare, but the whole answer shows its side in many small
words. The training answers (coach/training_answers.py) show which: thousands of answers by
helpers, each marked as making arguments (strong, one_point) or siding with the CEO (negated,
agree). A logistic regression over word and character n-grams of the whole answer learns those
small words from them. It reads none of the evaluation sets.

`StanceModel.ceo_side` is the probability that an answer argues the CEO's case. The scorer lets it
decide only where a clause of the answer already leans that way (coach/practice_scorer.py). The
model is fitted by scripts/derive_answer_stance.py and stored in coach/answer_stance/ as JSON
and numpy arrays (no pickle), so the action server only loads it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np
from scipy import sparse

from coach.german_text import fold
from coach.polarity import NEGATION_WORDS

STORED = Path(__file__).resolve().parent / "answer_stance"
# The class each kind of training answer stands for (the scorer's thresholds on `ceo_side` are
# coach/practice_scorer.py's CEO_SIDE and TRAINEE_SIDE).
CEOS_CASE, TRAINEES_CASE = 1, 0
SIDE_OF_KIND = {"negated": CEOS_CASE, "agree": CEOS_CASE, "strong": TRAINEES_CASE, "one_point": TRAINEES_CASE}
# Fitted on the training answers only. The answer sets' tuning part chose these values
# (several n-gram ranges and C from 1 to 10 did about the same).
WORD_NGRAMS, CHAR_NGRAMS = (1, 2), (3, 5)
MIN_ANSWERS = 3      # an n-gram must occur in this many training answers
REGULARISATION = 3.0  # scikit-learn's C
_VECTORIZERS = ("words", "characters")


# Words in the scope of a negation are features of their own ("nicht zu alt" is not "zu alt"), as
# in sentiment analysis: from a negation word (coach/polarity.py's) to the next punctuation or
# contrast word.
_SCOPE_END = re.compile(r"^(?:aber|sondern|doch|trotzdem|jedoch|dennoch)$")
_WORD_OR_MARK = re.compile(r"\w+|[.,;:!?–—-]")
NEGATED_PREFIX = "nicht_"


def negation_marked(text: str) -> str:
    """The folded text with every word in a negation's scope prefixed NEGATED_PREFIX."""
    marked, in_scope = [], False
    for token in _WORD_OR_MARK.findall(fold(text)):
        if not token[0].isalnum():
            in_scope = False
            continue
        if _SCOPE_END.match(token):
            in_scope = False
        marked.append(NEGATED_PREFIX + token if in_scope else token)
        in_scope = in_scope or token in NEGATION_WORDS
    return " ".join(marked)


def _vectorizers(vocabularies: Sequence[dict] = (None, None)) -> Tuple:
    from sklearn.feature_extraction.text import TfidfVectorizer

    words, characters = vocabularies
    return (TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, preprocessor=negation_marked,
                            token_pattern=r"(?u)\b\w+\b",
                            sublinear_tf=True, min_df=MIN_ANSWERS, vocabulary=words, dtype=np.float32),
            TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, preprocessor=fold,
                            sublinear_tf=True, min_df=MIN_ANSWERS, vocabulary=characters, dtype=np.float32))


@dataclass(frozen=True)
class StanceModel:
    vectorizers: Tuple      # fitted TfidfVectorizers, in feature order
    weights: np.ndarray     # one weight per feature
    bias: float

    def _features(self, texts: List[str]) -> sparse.csr_matrix:
        return sparse.hstack([v.transform(texts) for v in self.vectorizers]).tocsr()

    def ceo_side(self, answer: str) -> float:
        """Probability that the answer argues the CEO's case rather than making points."""
        logit = float(self._features([answer]) @ self.weights) + self.bias
        return float(1.0 / (1.0 + np.exp(-logit)))


def training_examples(answers: Sequence[dict]) -> Tuple[List[str], np.ndarray]:
    """The answers of the kinds that take a side, and that side."""
    chosen = [a for a in answers if a["kind"] in SIDE_OF_KIND]
    return [a["answer"] for a in chosen], np.array([SIDE_OF_KIND[a["kind"]] for a in chosen])


def fit(texts: List[str], sides: np.ndarray) -> StanceModel:
    from sklearn.linear_model import LogisticRegression

    vectorizers = _vectorizers()
    features = sparse.hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    # liblinear with a fixed seed: the same answers give the same stored model
    classifier = LogisticRegression(C=REGULARISATION, solver="liblinear", class_weight="balanced",
                                    random_state=0).fit(features, sides)
    return StanceModel(vectorizers, classifier.coef_[0].astype(np.float32), float(classifier.intercept_[0]))


def save(model: StanceModel, directory: Path = STORED) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, vectorizer in zip(_VECTORIZERS, model.vectorizers):
        vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        (directory / f"{name}.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
    np.savez(directory / "weights.npz", weights=model.weights, bias=np.array(model.bias),
             **{f"idf_{name}": v.idf_.astype(np.float32) for name, v in zip(_VECTORIZERS, model.vectorizers)})


def load(directory: Path = STORED) -> StanceModel:
    with np.load(directory / "weights.npz", allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    vocabularies = [{term: i for i, term in enumerate(json.loads((directory / f"{name}.json").read_text("utf-8")))}
                    for name in _VECTORIZERS]
    vectorizers = _vectorizers(vocabularies)
    for name, vectorizer in zip(_VECTORIZERS, vectorizers):
        vectorizer.idf_ = arrays[f"idf_{name}"]
    return StanceModel(vectorizers, arrays["weights"], float(arrays["bias"]))


@lru_cache(maxsize=1)
def stored() -> StanceModel:
    """The stored model, loaded once per process."""
    return load()
