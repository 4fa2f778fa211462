"""The excuse catalog is the same in the knowledge base, the domain and the NLU data.

An excuse id (an intent starting with "excuse_") must appear in all three places:
coach/knowledge_base.yml (through coach.knowledge_base.load()), the intents of domain.yml,
and data/nlu/excuses/<id>.yml, the one NLU file that holds its examples (at least
MIN_EXAMPLES of them). Adding an excuse in only one or two places fails here with the ids named.
"""
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Set

import pytest
import yaml

from coach import knowledge_base

ROOT = Path(__file__).resolve().parent.parent
EXCUSE_PREFIX = "excuse_"
EXCUSE_DIR = ROOT / "data" / "nlu" / "excuses"
MIN_EXAMPLES = 150


def _domain_excuses() -> Set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    names = [next(iter(i)) if isinstance(i, dict) else str(i) for i in domain.get("intents") or []]
    return {name for name in names if name.startswith(EXCUSE_PREFIX)}


def _examples(block: str) -> List[str]:
    return [line.strip()[2:].strip() for line in (block or "").splitlines() if line.strip().startswith("- ")]


def _nlu_intents(path: Path) -> Dict[str, List[str]]:
    """intent -> examples of one Rasa NLU file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: Dict[str, List[str]] = defaultdict(list)
    for item in data.get("nlu") or []:
        if "intent" in item:
            found[item["intent"]].extend(_examples(item.get("examples", "")))
    return found


@pytest.fixture(scope="module")
def kb_excuses() -> Set[str]:
    return set(knowledge_base.load().excuses)


@pytest.fixture(scope="module")
def nlu_files() -> Dict[Path, Dict[str, List[str]]]:
    return {path: _nlu_intents(path) for path in sorted((ROOT / "data" / "nlu").rglob("*.yml"))}


def _difference(name_a: str, a: Set[str], name_b: str, b: Set[str]) -> List[str]:
    problems = []
    if a - b:
        problems.append(f"in {name_a} but not in {name_b}: {', '.join(sorted(a - b))}")
    if b - a:
        problems.append(f"in {name_b} but not in {name_a}: {', '.join(sorted(b - a))}")
    return problems


def test_knowledge_base_domain_and_nlu_name_the_same_excuses(kb_excuses):
    domain = _domain_excuses()
    nlu = {path.stem for path in EXCUSE_DIR.glob("*.yml")}
    problems = (_difference("coach/knowledge_base.yml", kb_excuses, "domain.yml intents", domain)
                + _difference("coach/knowledge_base.yml", kb_excuses, "data/nlu/excuses/*.yml", nlu)
                + _difference("domain.yml intents", domain, "data/nlu/excuses/*.yml", nlu))
    assert not problems, "excuse catalogs differ:\n  " + "\n  ".join(problems)


def test_each_excuse_file_holds_only_its_own_intent(nlu_files):
    problems = []
    for path in sorted(EXCUSE_DIR.glob("*.yml")):
        intents = set(nlu_files[path])
        if intents != {path.stem}:
            problems.append(f"{path.relative_to(ROOT)} holds intents {sorted(intents)}, expected only {path.stem}")
    assert not problems, "\n".join(problems)


def test_each_excuse_has_exactly_one_nlu_file(nlu_files):
    files_per_excuse: Dict[str, List[str]] = defaultdict(list)
    for path, intents in nlu_files.items():
        for intent in intents:
            if intent.startswith(EXCUSE_PREFIX):
                files_per_excuse[intent].append(str(path.relative_to(ROOT)))
    problems = [f"{intent}: examples in {files}" for intent, files in sorted(files_per_excuse.items())
                if files != [f"data/nlu/excuses/{intent}.yml"]]
    missing = sorted(_domain_excuses() - set(files_per_excuse))
    if missing:
        problems.append(f"no NLU examples at all for {', '.join(missing)}")
    assert not problems, "each excuse needs exactly one NLU file, data/nlu/excuses/<id>.yml:\n  " + \
        "\n  ".join(problems)


def test_each_excuse_has_enough_distinct_examples(nlu_files):
    problems = []
    for path in sorted(EXCUSE_DIR.glob("*.yml")):
        examples = nlu_files[path].get(path.stem, [])
        distinct = {e.lower() for e in examples}
        if len(distinct) < MIN_EXAMPLES:
            problems.append(f"{path.stem}: {len(distinct)} distinct examples (minimum {MIN_EXAMPLES})")
        if len(distinct) != len(examples):
            problems.append(f"{path.stem}: {len(examples) - len(distinct)} duplicate example(s)")
    assert not problems, "\n".join(problems)


def test_no_example_is_labelled_twice(nlu_files):
    labels: Dict[str, Set[str]] = defaultdict(set)
    for intents in nlu_files.values():
        for intent, examples in intents.items():
            for example in examples:
                labels[example.lower()].add(intent)
    clashes = {text: sorted(intents) for text, intents in labels.items()
               if len(intents) > 1 and any(i.startswith(EXCUSE_PREFIX) for i in intents)}
    assert not clashes, f"examples with more than one intent (one an excuse): {clashes}"
