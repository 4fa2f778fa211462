"""`make train` trains when the model is not built from the current inputs, even when Rasa's dry
run (which asks the shared training cache) has seen those inputs before."""
import shutil

import pytest

import services


@pytest.fixture
def project(tmp_path):
    for name in ("config.yml", "domain.yml"):
        shutil.copy(services.ROOT / name, tmp_path / name)
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "a.yml").write_text("nlu: []\n", encoding="utf-8")
    (tmp_path / "addons").mkdir()
    (tmp_path / "addons" / "x.py").write_text("X = 1\n", encoding="utf-8")
    return tmp_path


def test_the_digest_follows_every_training_input_and_comes_back_with_it(project):
    first = services.training_inputs_digest(project)
    data = project / "data" / "nlu" / "a.yml"
    data.write_text("nlu: [1]\n", encoding="utf-8")
    changed = services.training_inputs_digest(project)
    assert changed != first
    data.write_text("nlu: []\n", encoding="utf-8")
    assert services.training_inputs_digest(project) == first  # same inputs, same digest: no retraining
    (project / "addons" / "x.py").write_text("X = 2\n", encoding="utf-8")
    assert services.training_inputs_digest(project) != first
    (project / "addons" / "x.py").write_text("X = 1\n", encoding="utf-8")
    (project / "data" / "nlu" / "b.yml").write_text("nlu: []\n", encoding="utf-8")  # a new file counts
    assert services.training_inputs_digest(project) != first


def test_compiled_python_does_not_count(project):
    first = services.training_inputs_digest(project)
    (project / "addons" / "__pycache__").mkdir()
    (project / "addons" / "__pycache__" / "x.cpython-310.pyc").write_bytes(b"\0")
    assert services.training_inputs_digest(project) == first
