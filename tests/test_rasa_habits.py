"""The plain Rasa commands work in the project folder with nothing set (issue 20): `rasa run
actions`, `rasa run`, `rasa shell`, `rasa interactive` and `rasa test` on endpoints.yml's
defaults, as `make run`.

They run in a copy of the project without `.env` and with none of its variables in the
environment, so the default SQLite file and the sender-hash key are created in the copy. The
one change to the copy: the action server listens on a port of its own (a `make run` of
someone else may hold endpoints.yml's), and endpoints.yml's action URL says so."""
import fcntl
import os
import pty
import re
import shutil
import socket
import struct
import subprocess
import termios
import threading
import time
from pathlib import Path
from typing import Dict, List

import pytest
import requests
import sqlalchemy as sa
import yaml

from coach.knowledge_base import load
from services import LOCAL_ACTION_URL, MODEL_PATH, ROOT, VENV_BIN, stop_process_group

pytestmark = [pytest.mark.e2e, pytest.mark.system]

PORTS = {
    "actions": os.environ.get("TEST_HABITS_ACTION_PORT", "23455"),
    "run": os.environ.get("TEST_HABITS_RASA_PORT", "23405"),
    "shell": os.environ.get("TEST_HABITS_SHELL_PORT", "23406"),
    "interactive": os.environ.get("TEST_HABITS_INTERACTIVE_PORT", "23407"),
}
EXCUSE = "Ich hab schlicht keine Zeit für LinkedIn."
EXPECTED_ANSWER = load().excuse("excuse_no_time").arguments[0].text
PROJECT_FILES = ("config.yml", "domain.yml", "credentials.yml", "endpoints.yml")
PROJECT_PACKAGES = ("actions", "addons", "core", "coach")


def clean_environment() -> Dict[str, str]:
    """Only what a shell has; none of the project's variables (Rasa's telemetry stays off)."""
    return {"PATH": f"{VENV_BIN}{os.pathsep}/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8", "RASA_TELEMETRY_ENABLED": "false"}


class Command:
    """A Rasa command in the copy, its output collected in the background."""

    def __init__(self, folder: Path, *args: str, stdin_text: str = "") -> None:
        self.output: List[str] = []
        self.process = subprocess.Popen(
            [str(VENV_BIN / "rasa"), *args], cwd=folder, env=clean_environment(), text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        if stdin_text:
            self.process.stdin.write(stdin_text)
            self.process.stdin.flush()
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    def wait_for(self, check, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if check():
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        pytest.fail(f"{what} (exit code {self.process.returncode}); output:\n{''.join(self.output[-40:])}")

    def stop(self) -> None:
        stop_process_group(self.process, timeout=20)


def answered(url: str, sender: str, text: str) -> str:
    response = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    response.raise_for_status()
    return "\n".join(m.get("text") or "" for m in response.json())


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` first")
    folder = tmp_path_factory.mktemp("project")
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, folder / name)
    for name in PROJECT_PACKAGES:
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "models").mkdir()
    (folder / "models" / MODEL_PATH.name).symlink_to(MODEL_PATH)
    endpoints = folder / "endpoints.yml"
    text = endpoints.read_text(encoding="utf-8")
    assert LOCAL_ACTION_URL in text
    endpoints.write_text(text.replace(LOCAL_ACTION_URL, f"http://127.0.0.1:{PORTS['actions']}/webhook"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def action_server(project):
    command = Command(project, "run", "actions", "-p", PORTS["actions"])
    url = f"http://127.0.0.1:{PORTS['actions']}"
    command.wait_for(lambda: requests.get(f"{url}/health", timeout=2).status_code == 200,
                     "`rasa run actions` did not answer /health", timeout=180)
    yield url
    command.stop()


def test_rasa_run_actions_answers_health_and_runs_the_coaching_actions(action_server):
    assert requests.get(f"{action_server}/health", timeout=5).json() == {"status": "ok"}
    actions = requests.get(f"{action_server}/actions", timeout=5).json()
    assert {"action_coach_excuse", "action_greet"} <= {a["name"] for a in actions}


def test_rasa_run_answers_on_the_default_database(project, action_server):
    command = Command(project, "run", "--enable-api", "-p", PORTS["run"])
    url = f"http://127.0.0.1:{PORTS['run']}"
    try:
        command.wait_for(lambda: requests.get(f"{url}/status", timeout=2).status_code == 200,
                         "`rasa run --enable-api` did not answer /status", timeout=240)
        assert EXPECTED_ANSWER in answered(url, "habits-run", EXCUSE)
    finally:
        command.stop()
    # The defaults of `make run`: the SQLite file coach.db in the project folder holds the
    # conversation and its session log, keyed with a secret created in .env.
    engine = sa.create_engine(f"sqlite:///{project / 'coach.db'}", future=True)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM events WHERE type_name = 'user'")).scalar() == 1
            assert connection.execute(sa.text("SELECT count(*) FROM coach_sessions")).scalar() == 1
    finally:
        engine.dispose()
    assert "SENDER_HASH_SECRET=" in (project / ".env").read_text(encoding="utf-8")


def test_rasa_shell_answers_a_message_on_stdin(project, action_server):
    command = Command(project, "shell", "-p", PORTS["shell"], stdin_text=f"{EXCUSE}\n")
    try:
        command.wait_for(lambda: EXPECTED_ANSWER in "".join(command.output),
                         "`rasa shell` did not answer the message", timeout=240)
    finally:
        command.stop()


TERMINAL_CODES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """A Rasa command on a pseudo-terminal (`rasa interactive` asks its questions through
    prompt_toolkit, which needs one), wide enough that no line wraps, its screen collected."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.master, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 300, 0, 0))
        self.process = subprocess.Popen(
            [str(VENV_BIN / "rasa"), *args], cwd=folder, env={**clean_environment(), "TERM": "xterm"},
            stdin=child, stdout=child, stderr=child, start_new_session=True)
        os.close(child)
        self.screen: List[str] = []
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            self.screen.append(TERMINAL_CODES.sub("", data.decode("utf-8", "replace")))

    def type(self, text: str) -> None:
        os.write(self.master, f"{text}\r".encode())

    def wait_for(self, pattern: str, what: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            found = re.search(pattern, "".join(self.screen))
            if found:
                return found.group(0)
            time.sleep(0.5)
        self.stop()
        pytest.fail(f"{what} (exit code {self.process.returncode}); screen:\n{''.join(self.screen)[-4000:]}")

    def stop(self) -> None:
        stop_process_group(self.process, timeout=20)
        if self.master is not None:  # wait_for stops before it fails, the caller's finally again
            os.close(self.master)
            self.master = None


def start_interactive(project: Path, *args: str) -> Terminal:
    """`rasa interactive` with the trained model (no training), once it asks for a message."""
    terminal = Terminal(project, "interactive", "--model", f"models/{MODEL_PATH.name}",
                        "--skip-visualization", "-p", PORTS["interactive"], *args)
    terminal.wait_for(r"Your input", "`rasa interactive` did not ask for a message", timeout=240)
    return terminal


def test_rasa_interactive_reads_a_message_and_predicts_the_coachs_answer(project, action_server):
    terminal = start_interactive(project)
    try:
        terminal.type(EXCUSE)
        terminal.wait_for(r"classified .{0,200}?with intent 'excuse_no_time'",
                          "`rasa interactive` did not show the NLU's reading", timeout=120)
        terminal.type("y")  # the reading is right
        terminal.wait_for(r"action_coach_excuse", "`rasa interactive` did not predict the coach's answer",
                          timeout=120)
    finally:
        terminal.stop()


def test_rasa_interactive_asks_for_a_message_without_the_action_server(project):
    """The session start is a custom action: when it cannot run, the session still starts and
    the conversation listens (addons/action_guard.py), so `rasa interactive` asks for a message."""
    with socket.socket() as probe:  # a port nobody listens on once it is closed
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    endpoints = yaml.safe_load((project / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{closed_port}/webhook"
    (project / "endpoints-no-actions.yml").write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    start_interactive(project, "--endpoints", "endpoints-no-actions.yml").stop()


def test_rasa_test_runs_stories(project):
    stories = yaml.safe_load((ROOT / "tests" / "test_stories.yml").read_text(encoding="utf-8"))
    few = {"version": stories["version"], "stories": stories["stories"][:3]}
    (project / "tests").mkdir(exist_ok=True)
    (project / "tests" / "few_stories.yml").write_text(yaml.safe_dump(few, allow_unicode=True), encoding="utf-8")
    result = subprocess.run(
        [str(VENV_BIN / "rasa"), "test", "core", "--stories", "tests/few_stories.yml",
         "--fail-on-prediction-errors", "--out", "results"],
        cwd=project, env=clean_environment(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = yaml.safe_load((project / "results" / "story_report.json").read_text(encoding="utf-8"))
    assert report["conversation_accuracy"] == {"accuracy": 1.0, "correct": 3, "with_warnings": 0, "total": 3}
