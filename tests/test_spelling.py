"""German spell check of every string the coach can say (issue 19, "What must work" 3).

Collects the texts from the knowledge base, the domain's responses (text and button titles),
the German string literals in actions/*.py that reach the user, the chat page's visible texts
and the FAQ answers in data/faq_responses_*.yml; removes {placeholders}, URLs, emojis and tokens with
digits, and runs Debian's `hunspell -d de_DE -l` (packages hunspell and hunspell-de-de, installed
by scripts/setup_spelling.sh, part of `make test`). A word hunspell does not know fails the test
with every place it occurs, unless it is in tests/spelling_allowlist.txt (reviewed words only:
names and real German words the dictionary lacks).
"""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DICTIONARY = "de_DE"
DICTIONARY_FILE = Path("/usr/share/hunspell/de_DE.dic")
ALLOWLIST = Path(__file__).with_name("spelling_allowlist.txt")
MAX_ALLOWLIST = 65  # entries; each one reviewed (see the file's header)

# Modules whose string literals reach a user: the chat (coaching, practice, privacy, due dates,
# outcome labels) and the trainers' report. knowledge_base.py only formats knowledge-base texts
# (checked from the YAML) and raises English errors for developers, as do the storage modules.
USER_TEXT_MODULES = ("actions/coaching.py", "actions/coaching_replies.py", "actions/coaching_turns.py",
                     "actions/coaching_state.py", "actions/listening.py", "actions/parsing.py",
                     "actions/practice.py", "actions/practice_phrasing.py", "actions/practice_turn.py",
                     "actions/privacy.py", "core/report.py", "core/report_formats.py",
                     "scripts/trainer_html.py")
# Knowledge-base fields the user never sees: matching terms, verbatim article phrases, ids.
KB_HIDDEN_KEYS = {"terms", "evidence", "sources", "common_excuses", "id", "url"}
# What the chat widget shows (web/chat.js): its labels, hints and the error text.
JS_VISIBLE = (
    re.compile(r'\b(?:title|subtitle|inputTextFieldHint|connectingText)\s*:\s*"([^"]*)"'),
    re.compile(r'setAttribute\(\s*"(?:aria-label|title|placeholder)"\s*,\s*"([^"]*)"\s*\)'),
    re.compile(r'\btextContent\s*=\s*"([^"]*)"'),
)

Text = Tuple[str, str]  # (where, text)


# -- collecting -------------------------------------------------------------------------------
def _walk_yaml(value: Any, where: str, hidden: Set[str]) -> Iterator[Text]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if str(key) not in hidden:
                yield from _walk_yaml(item, f"{where}.{key}" if where else str(key), hidden)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_yaml(item, f"{where}[{i}]", hidden)


def knowledge_base_texts() -> Iterator[Text]:
    """Every text field (titles, reflections, arguments, key-point labels, first steps, follow-up,
    practice lines, source names), whatever fields the file grows, except KB_HIDDEN_KEYS."""
    path = ROOT / "coach" / "knowledge_base.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for where, text in _walk_yaml(data, "", KB_HIDDEN_KEYS):
        yield f"coach/knowledge_base.yml: {where}", text


def domain_texts() -> Iterator[Text]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in domain["responses"].items():
        for i, variant in enumerate(variants):
            yield f"domain.yml: {name}[{i}].text", variant.get("text") or ""
            for button in variant.get("buttons") or []:
                yield f"domain.yml: {name}[{i}] button", button["title"]


def _skipped_nodes(tree: ast.AST) -> Set[int]:
    """Docstrings, regular expressions, log and argparse calls, dict keys, subscripts and
    annotations: strings there are code, not something the coach says."""
    skipped: Set[int] = set()

    def skip(node: ast.AST) -> None:
        skipped.update(id(sub) for sub in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            skip(body[0])
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if owner in ("re", "logger", "logging") or name in (
                    "compile", "getLogger", "debug", "info", "warning", "error", "critical", "exception",
                    "ArgumentParser", "add_argument", "get", "setdefault", "pop", "startswith"):
                skip(node)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    skip(key)
        elif isinstance(node, ast.Subscript):
            skip(node.slice)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in node.args.args + node.args.kwonlyargs:
                if arg.annotation is not None:
                    skip(arg.annotation)
            if node.returns is not None:
                skip(node.returns)
        elif isinstance(node, ast.AnnAssign):
            skip(node.annotation)
        elif isinstance(node, ast.keyword) and node.arg == "response":
            skip(node.value)  # a response name, e.g. "utter_argument"
    return skipped


IDENTIFIER = re.compile(r"^[A-Za-z0-9_./:{}\"*\-]*$")  # ids, payloads, keys, file globs: no spaces, no umlauts


def action_texts() -> Iterator[Text]:
    for name in USER_TEXT_MODULES:
        path = ROOT / name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _skipped_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
                text = node.value
                if re.search(r"<[a-z!/]", text):  # an HTML fragment of the trainer pages: its visible text
                    parser = _VisibleText()
                    if text.find(">") < text.find("<"):  # the piece starts inside a tag: skip its rest
                        text = text[text.find(">") + 1:]
                    parser.feed(text)
                    yield from ((f"{name}:{node.lineno}", part) for _, part in parser.texts)
                elif HTML_ATTRIBUTE.match(text):
                    continue
                elif re.search(r"[A-Za-zÄÖÜäöüß]{2}", text) and (
                        not IDENTIFIER.match(text) or text[:1].isupper()):
                    yield f"{name}:{node.lineno}", text


class _VisibleText(HTMLParser):
    """Text nodes outside <script>/<style>, and the attributes a reader or screen reader gets."""

    ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: List[Tuple[int, str]] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.texts.append((self.getpos()[0], value))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append((self.getpos()[0], data))


def web_texts() -> Iterator[Text]:
    for path in sorted((ROOT / "web").glob("*.html")):
        parser = _VisibleText()
        parser.feed(path.read_text(encoding="utf-8"))
        for line, text in parser.texts:
            yield f"web/{path.name}:{line}", text
    for path in sorted((ROOT / "web").glob("*.js")):
        source = path.read_text(encoding="utf-8")
        for pattern in JS_VISIBLE:
            for match in pattern.finditer(source):
                yield f"web/{path.name}:{source.count(chr(10), 0, match.start()) + 1}", match.group(1)


def faq_texts() -> Iterator[Text]:
    for path in sorted((ROOT / "data").glob("faq_responses*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where, text in _walk_yaml(data, "", {"id", "intent", "url"}):
            yield f"data/{path.name}: {where}", text


def all_texts() -> List[Text]:
    return [*knowledge_base_texts(), *domain_texts(), *action_texts(), *web_texts(), *faq_texts()]


# -- checking ---------------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
URL = re.compile(r"(?:https?://|www\.)\S+")
# File names and settings the trainer pages name (".env", "reviewed.yml", "LOG_USER_TEXT=false").
FILE_OR_SETTING = re.compile(r"\S*(?:\.[a-z]{2,4}\b|[A-Z]+_[A-Z_]+)\S*")
ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")  # CSV, JSON, KI: not words of the dictionary
# Boolean HTML attributes written as pieces of f-strings in scripts/trainer_html.py.
HTML_ATTRIBUTE = re.compile(r"^\s*(?:selected|disabled|checked|download)\b")
WITH_DIGIT = re.compile(r"\S*\d\S*")
CODE = re.compile(r"\b[A-Z]+(?:-[A-Z]+)+\b")  # an example training code such as "WS-NOV"
# Anything but letters, hyphens, apostrophes and whitespace (emojis, quotes, dashes, ×, …) is a gap.
NOT_WORD = re.compile(r"[^\w\s'’-]|_")


def cleaned(text: str) -> str:
    text = PLACEHOLDER.sub(" ", text)
    text = URL.sub(" ", text)
    text = FILE_OR_SETTING.sub(" ", text)
    text = ACRONYM.sub(" ", text)
    text = WITH_DIGIT.sub(" ", text)
    text = CODE.sub(" ", text)
    text = NOT_WORD.sub(" ", text)
    # A hyphen that joins nothing ("Social-Media- und …", "- Punkt") is not part of a word.
    text = re.sub(r"(?<!\w)-|-(?!\w)", " ", text)
    return " ".join(text.split())


def load_allowlist() -> List[str]:
    """The entries: "word", or "word/model" (hunspell's personal-dictionary form: the word takes
    the endings of the model word, e.g. "posten/kosten" also allows "postet")."""
    entries = []
    for line in ALLOWLIST.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.append(entry)
    return entries


def hunspell_unknown(lines: List[str], allowlist: bool = True) -> List[str]:
    """The words hunspell does not know; a hyphenated compound counts as known when each of its
    parts is ("LinkedIn-Profil", "Social-Media-Team"), otherwise its unknown parts are reported."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".dic") as personal:
        personal.write("\n".join(load_allowlist() if allowlist else []) + "\n")
        personal.flush()

        def run(words: List[str]) -> Set[str]:
            result = subprocess.run(
                ["hunspell", "-d", DICTIONARY, "-p", personal.name, "-l"], input="\n".join(words) + "\n",
                capture_output=True, text=True, encoding="utf-8", check=True)
            return set(result.stdout.split())

        unknown = run(lines)
        compounds = {w for w in unknown if "-" in w.strip("-")}
        parts = sorted({part for w in compounds for part in w.split("-") if part})
        unknown_parts = run(parts) if parts else set()
    # A plain entry also counts where the dictionary restricts the word (e.g. "rum" only inside
    # compounds), which a personal dictionary cannot lift.
    plain = {entry for entry in load_allowlist() if "/" not in entry} if allowlist else set()
    return sorted(((unknown - compounds) | unknown_parts) - plain)


@pytest.fixture(scope="module")
def texts() -> List[Text]:
    if shutil.which("hunspell") is None or not DICTIONARY_FILE.exists():
        pytest.fail("hunspell or its German dictionary is missing: run scripts/setup_spelling.sh "
                    "(part of `make test`)")
    return all_texts()


def test_every_source_of_coach_text_is_read(texts):
    places = {where.split(":")[0] for where, _ in texts}
    assert {"coach/knowledge_base.yml", "domain.yml", "web/index.html", "web/chat.js"} <= places
    assert any(place.startswith("actions/practice.py") for place in places)
    assert len(texts) > 300


def test_allowlist_is_short_and_holds_only_words_hunspell_lacks():
    entries = load_allowlist()
    assert len(entries) <= MAX_ALLOWLIST, "the allow-list is for names and reviewed words, not for typos"
    words = [entry.split("/", 1)[0] for entry in entries]
    assert len(set(words)) == len(words), "duplicate entries"
    known = sorted(set(words) - set(hunspell_unknown(words, allowlist=False)))
    assert not known, f"hunspell knows these already, remove them from {ALLOWLIST.name}: {known}"


def test_every_word_the_coach_says_is_spelled_correctly(texts):
    unknown = hunspell_unknown([cleaned(text) for _, text in texts])
    if not unknown:
        return
    lines = []
    for word in unknown:
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
        places = [where for where, text in texts if pattern.search(cleaned(text))] or ["?"]
        lines.append(f"  {word}: {'; '.join(places[:5])}{' …' if len(places) > 5 else ''}")
    pytest.fail(f"{len(unknown)} word(s) hunspell ({DICTIONARY}) does not know; fix them or, if they are "
                f"correct German or names, add them to {ALLOWLIST.name}:\n" + "\n".join(lines))
