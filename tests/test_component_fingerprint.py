"""A component's fingerprint follows its own code and the project code it imports, and nothing else
(so `make train` retrains after a classifier change and reuses Rasa's cache after a scorer change)."""
import shutil

from addons.component_fingerprint import ROOT, SourceFingerprint, source_fingerprint
from addons.context_policy import ContextPolicy
from addons.german_tokenizer import GermanWhitespaceTokenizer
from addons.intent_classifier import NGramIntentClassifier
from addons.multi_excuse import MultiExcuseDetector


def project_copy(tmp_path):
    for package in ("addons", "coach", "core"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def touch(path):
    path.write_text(path.read_text("utf-8") + "\n# changed\n", "utf-8")


def test_a_change_in_an_imported_module_changes_the_fingerprint(tmp_path):
    root = project_copy(tmp_path)
    before = source_fingerprint("addons.intent_classifier", root)
    touch(root / "coach" / "sentence_embedding.py")  # the classifier embeds with it
    source_fingerprint.cache_clear()
    assert source_fingerprint("addons.intent_classifier", root) != before


def test_a_change_elsewhere_leaves_it_alone(tmp_path):
    root = project_copy(tmp_path)
    before = source_fingerprint("addons.intent_classifier", root)
    touch(root / "coach" / "practice_scorer.py")  # the practice scorer is no part of the NLU
    source_fingerprint.cache_clear()
    assert source_fingerprint("addons.intent_classifier", root) == before


def test_every_project_component_hands_its_fingerprint_to_rasa():
    components = (GermanWhitespaceTokenizer, NGramIntentClassifier, MultiExcuseDetector, ContextPolicy)
    prints = {cls.fingerprint_addon({}) for cls in components}
    assert all(issubclass(cls, SourceFingerprint) for cls in components)
    assert len(prints) == len(components) and None not in prints
