"""The practical how-to answers (faq/<topic>): every topic has examples, an answer and its sources,
and every evidence phrase is found verbatim in the article it cites (as for the arguments)."""
import re
from pathlib import Path

import yaml

from coach.knowledge_base import MAX_EVIDENCE_WORDS, load
from tests.test_evidence import fold, source_files

ROOT = Path(__file__).resolve().parent.parent
MIN_TOPICS, MIN_EXAMPLES = 25, 20


def topics_with_examples():
    found = {}
    for path in sorted((ROOT / "data" / "nlu").glob("faq*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            key = block["intent"].split("/", 1)[1]
            # A topic may have several blocks (later additions); Rasa reads them together.
            found.setdefault(key, []).extend(line[2:] for line in block["examples"].splitlines() if line.startswith("- "))
    return found


def responses():
    found = {}
    for path in sorted((ROOT / "data").glob("faq_responses*.yml")):
        for name, variants in (yaml.safe_load(path.read_text(encoding="utf-8"))["responses"] or {}).items():
            found[name.split("/", 1)[1]] = [v["text"] for v in variants]
    return found


def sources():
    found = {}
    for path in sorted((ROOT / "coach").glob("faq_sources*.yml")):
        found.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return found


def articles():
    """The articles as the evidence test reads them (same folding, same files)."""
    return {sid: fold(path.read_text(encoding="utf-8")) for sid, path in source_files(load()).items()}


def test_every_topic_has_examples_an_answer_and_sources():
    examples, answers, cited = topics_with_examples(), responses(), sources()
    assert len(examples) >= MIN_TOPICS, f"only {len(examples)} FAQ topics"
    assert set(examples) == set(answers) == set(cited), (
        set(examples) ^ set(answers), set(examples) ^ set(cited))
    thin = {k: len(v) for k, v in examples.items() if len(set(v)) < MIN_EXAMPLES}
    assert not thin, f"topics with fewer than {MIN_EXAMPLES} examples: {thin}"
    assert not any(re.search(r"Quellen?:", t) for k in answers for t in answers[k]), "the action appends the source"


def test_evidence_is_verbatim_in_the_cited_article_and_unbacked_answers_say_so():
    texts = articles()
    for topic, entry in sources().items():
        cited, evidence = entry.get("sources") or [], entry.get("evidence") or []
        if not cited:
            assert any("Quellen" in t or "Artikel" in t for t in responses()[topic]), (
                f"{topic}: no source, so the answer must say the sources have nothing concrete")
            continue
        assert evidence, f"{topic}: cites {cited} without evidence"
        for phrase in evidence:
            assert len(phrase.split()) <= MAX_EVIDENCE_WORDS, f"{topic}: „{phrase}“ longer than 7 words"
            assert any(fold(phrase) in texts[s] for s in cited), f"{topic}: „{phrase}“ not in {cited}"
