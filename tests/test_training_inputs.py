"""`make train` trains when the model is not built from the current inputs, even when Rasa's dry
run (which asks the shared training cache) has seen those inputs before."""
import pytest

import services


@pytest.fixture
def project(tmp_path):
    (tmp_path / "config.yml").write_text(
        "pipeline:\n  - name: addons.classifier.Classifier\n  - name: FallbackClassifier\n"
        "policies:\n  - name: RulePolicy\n", encoding="utf-8")
    (tmp_path / "domain.yml").write_text("intents: [greet]\n", encoding="utf-8")
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "a.yml").write_text("nlu: []\n", encoding="utf-8")
    for package, module, text in (("addons", "classifier", "from coach.vote import vote\n"),
                                  ("addons", "session_log", "X = 1\n"), ("coach", "vote", "vote = 1\n")):
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / f"{module}.py").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_digest_follows_every_training_input_and_comes_back_with_it(project):
    first = services.training_inputs_digest(project)
    data = project / "data" / "nlu" / "a.yml"
    data.write_text("nlu: [1]\n", encoding="utf-8")
    assert services.training_inputs_digest(project) != first
    data.write_text("nlu: []\n", encoding="utf-8")
    assert services.training_inputs_digest(project) == first  # same inputs, same digest: no retraining
    vote = project / "coach" / "vote.py"  # code a component imports
    vote.write_text("vote = 2\n", encoding="utf-8")
    assert services.training_inputs_digest(project) != first
    vote.write_text("vote = 1\n", encoding="utf-8")
    (project / "data" / "nlu" / "b.yml").write_text("nlu: []\n", encoding="utf-8")  # a new file counts
    assert services.training_inputs_digest(project) != first


def test_code_no_component_uses_does_not_count(project):
    first = services.training_inputs_digest(project)
    (project / "addons" / "session_log.py").write_text("X = 2\n", encoding="utf-8")
    (project / "addons" / "__pycache__").mkdir()
    (project / "addons" / "__pycache__" / "classifier.cpython-310.pyc").write_bytes(b"\0")
    assert services.training_inputs_digest(project) == first
