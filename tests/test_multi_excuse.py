"""Messages naming two excuses are recognised for both; single excuses are not split.

Runs the trained model (the real pipeline with addons/multi_excuse.py) on the held-out
messages in tests/nlu/ that were written apart from the training data.
"""
import asyncio
from pathlib import Path

import pytest
import yaml

from addons.multi_excuse import split_clauses
from services import MODEL_PATH

NLU_TESTS = Path(__file__).resolve().parent / "nlu"
MIN_BOTH_FOUND = 0.75
MAX_SINGLE_SPLIT = 0.05


@pytest.fixture(scope="module")
def parse():
    from rasa.core.agent import Agent

    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` first")
    agent = Agent.load(str(MODEL_PATH))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()


def excuses_found(result) -> set:
    found = {e["value"] for e in result.get("entities", []) if e.get("entity") == "excuse"}
    return found or {result["intent"]["name"]}


def test_clause_split():
    text = "Keine Zeit und außerdem Datenschutz. Plus kein Budget"
    assert [text[s:e] for s, e in split_clauses(text)] == ["Keine Zeit", "Datenschutz", "kein Budget"]
    text = "Ich kann nicht gut formulieren und hab niemanden, der drüberliest"
    assert [text[s:e] for s, e in split_clauses(text)] == ["Ich kann nicht gut formulieren",
                                                           "hab niemanden, der drüberliest"]


@pytest.mark.model
def test_two_excuse_messages_are_answered_for_both(parse):
    cases = yaml.safe_load((NLU_TESTS / "two_excuse_messages.yml").read_text(encoding="utf-8"))
    both = [case for case in cases if set(case["excuses"]) <= excuses_found(parse(case["text"]))]
    share = len(both) / len(cases)
    print(f"two-excuse messages with both excuses found: {len(both)}/{len(cases)}")
    assert share >= MIN_BOTH_FOUND


@pytest.mark.model
def test_single_excuse_messages_are_not_split(parse):
    data = yaml.safe_load((NLU_TESTS / "heldout.yml").read_text(encoding="utf-8"))
    texts = [
        line[2:].strip()
        for block in data["nlu"] if block["intent"].startswith("excuse_")
        for line in block["examples"].strip().splitlines()
    ]
    split = [t for t in texts if len({e["value"] for e in parse(t).get("entities", []) if e.get("entity") == "excuse"}) > 1]
    print(f"single-excuse messages taken for several: {len(split)}/{len(texts)}: {split[:5]}")
    assert len(split) / len(texts) <= MAX_SINGLE_SPLIT


@pytest.mark.model
def test_a_correction_denies_the_excuse_its_blanked_cue_follows_and_means_the_other(parse):
    # "… hat das nix zu tun" is a correction cue (blanked for the clause model) and a denial.
    result = parse("das meinte ich nicht. mit datenschutz hat das nix zu tun, wir haben einfach keine leute "
                   "und kein geld dafür")
    clauses = result.get("excuse_clauses") or []
    assert {c["excuse"] for c in clauses if c["negated"]} == {"excuse_data_privacy"}
    assert {c["excuse"] for c in clauses if not c["negated"]} == {"excuse_no_resources"}
