"""The bench's held-out figures: both sets in tests/nlu are predicted by the trained model and
reported in the table and in bench.md (bench/nlu.py, bench/run.py). ~30 s."""
import pytest
import yaml

from bench import nlu, run
from services import MODEL_PATH

pytestmark = pytest.mark.e2e


def examples_in(path) -> int:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return sum(len(block["examples"].strip().splitlines()) for block in data["nlu"])


def test_both_heldout_sets_are_predicted_and_reported():
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` first")
    result = nlu.evaluate(MODEL_PATH, run_cv=False, log=lambda message: None)

    for key, path in nlu.HELDOUT_SETS.items():
        held = result[key]
        assert held["examples"] == examples_in(path)
        assert held["file"] == str(path.relative_to(nlu.ROOT))
        # a trained model recognises most excuses of either set; an untrained or mixed-up one does not
        assert held["excuse_macro_f1"] > 0.8
        assert held["oos_as_excuse"]["total"] > 0

    rows = run.evaluate_targets({"latency": {}, "nlu": result})
    figures = {row["figure"]: row for row in rows}
    second = figures["held-out, second author macro-F1, 17 excuse intents"]
    assert second["coach"] == result["heldout_second"]["excuse_macro_f1"]

    paragraph = "\n".join(run._heldout_paragraph(run.HELDOUT_LABELS["heldout_second"], result["heldout_second"]))
    assert "tests/nlu/heldout_second_author.yml" in paragraph
    assert f"{result['heldout_second']['excuse_macro_f1']:.3f}" in paragraph
