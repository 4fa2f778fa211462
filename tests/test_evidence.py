"""Every argument is backed: each evidence phrase (at most seven words) occurs verbatim in an
article the argument cites. The articles are read from ../shared/seeds next to the repository
(or SEEDS_DIR); a missing folder is a failure, not a skip, because an unchecked knowledge base
must not pass."""
import os
import re
from pathlib import Path

import pytest

from coach import knowledge_base

ROOT = Path(__file__).resolve().parent.parent
QUOTES = "\"„“”‚‘’'«»"


def seeds_dir() -> Path:
    """SEEDS_DIR, else shared/seeds next to the repository (../shared/seeds for a clone; for a git
    worktree kept under a subfolder, the nearest shared/seeds further up)."""
    if os.environ.get("SEEDS_DIR"):
        return Path(os.environ["SEEDS_DIR"]).resolve()
    candidates = [ROOT / ".." / "shared" / "seeds"] + [p / "shared" / "seeds" for p in ROOT.parents[1:]]
    return next((c.resolve() for c in candidates if c.is_dir()), candidates[0].resolve())


def fold(text: str) -> str:
    """Case, whitespace and quotation marks folded, as the issue asks."""
    text = text.translate({ord(q): '"' for q in QUOTES})
    return " ".join(text.lower().split())


def source_files(kb) -> dict:
    """Source id -> file: the `file:` field in the knowledge base, else the seeds README table."""
    folder = seeds_dir()
    if not folder.is_dir():
        pytest.fail(f"seeds folder {folder} not found (set SEEDS_DIR); the evidence cannot be checked")
    table = {}
    readme = folder / "README.md"
    if readme.is_file():
        for line in readme.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 2 and re.fullmatch(r"S\d+", cells[0]):
                table[cells[0]] = cells[1]
    files = {}
    for sid, source in kb.sources.items():
        name = source.file or table.get(sid)
        assert name, f"source {sid} has no file: field and is not in {readme}"
        path = folder / name
        assert path.is_file(), f"source {sid}: {path} does not exist"
        if sid in table:
            assert table[sid] == name, f"source {sid}: file {name} but the seeds README says {table[sid]}"
        files[sid] = path
    return files


@pytest.fixture(scope="module")
def kb():
    return knowledge_base.load()


@pytest.fixture(scope="module")
def articles(kb):
    return {sid: fold(path.read_text(encoding="utf-8")) for sid, path in source_files(kb).items()}


def missing_evidence(kb, articles):
    problems = []
    for excuse in kb.excuses.values():
        for n, argument in enumerate(excuse.arguments, 1):
            for phrase in argument.evidence:
                if not any(fold(phrase) in articles[sid] for sid in argument.sources):
                    problems.append(f"{excuse.id} #{n}: „{phrase}“ not in {list(argument.sources)}")
    return problems


def test_seeds_folder_exists():
    assert seeds_dir().is_dir(), f"{seeds_dir()} missing: the evidence test cannot run"


def test_every_argument_has_short_evidence(kb):
    for excuse in kb.excuses.values():
        for n, argument in enumerate(excuse.arguments, 1):
            assert argument.evidence, f"{excuse.id} #{n} has no evidence"
            for phrase in argument.evidence:
                assert len(phrase.split()) <= knowledge_base.MAX_EVIDENCE_WORDS, (excuse.id, n, phrase)


def test_every_evidence_phrase_is_in_a_cited_article(kb, articles):
    problems = missing_evidence(kb, articles)
    assert not problems, "Evidence not found in the cited article(s):\n" + "\n".join(problems)


def test_every_cited_source_backs_the_argument(kb, articles):
    """An argument citing several sources needs a phrase from each of them."""
    problems = []
    for excuse in kb.excuses.values():
        for n, argument in enumerate(excuse.arguments, 1):
            for sid in argument.sources:
                if not any(fold(p) in articles[sid] for p in argument.evidence):
                    problems.append(f"{excuse.id} #{n}: cites {sid}, but no evidence phrase is in it")
    assert not problems, "\n".join(problems)


def test_a_phrase_from_the_wrong_article_fails(kb, articles):
    """The check is real: the same phrase, cited to an article that lacks it, is reported."""
    excuse = next(iter(kb.excuses.values()))
    argument = excuse.arguments[0]
    wrong = next(sid for sid in kb.sources if not any(fold(p) in articles[sid] for p in argument.evidence))
    moved = argument.__class__(argument.text, (wrong,), argument.key_points, argument.evidence)
    fake = kb.__class__(kb.sources, {excuse.id: excuse.__class__(
        excuse.id, excuse.title, excuse.reflection, (moved,), excuse.first_steps, excuse.follow_up,
        excuse.practice)}, kb.common_excuses)
    assert missing_evidence(fake, articles)


def test_fold_ignores_case_whitespace_and_quotes():
    assert fold("„Digitale  Fitness“") == fold('"digitale fitness"') == '"digitale fitness"'


def test_arguments_use_only_figures_from_their_articles(kb, articles):
    """No figure that is not in an article: every number in an argument occurs in a cited one
    (or is the cited article's own year, used to date an old example)."""
    problems = []
    for excuse in kb.excuses.values():
        for n, argument in enumerate(excuse.arguments, 1):
            years = {str(kb.sources[sid].year) for sid in argument.sources if kb.sources[sid].year}
            for number in re.findall(r"\d+", argument.text):
                if number in years:
                    continue
                if not any(re.search(rf"(?<!\d){number}(?!\d)", articles[sid]) for sid in argument.sources):
                    problems.append(f"{excuse.id} #{n}: {number} not in {list(argument.sources)}")
    assert not problems, "\n".join(problems)
