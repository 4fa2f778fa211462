"""Starts and stops the coach's processes: action server, Rasa server and chat page server.

Used by `make run` (then the terminal chat), by `make train` and by the end-to-end tests.
Configuration comes from `.env` (python-dotenv) with the defaults below; see .env.example.
The defaults of the Rasa server's own settings live where the plain Rasa commands find them
too: the action URL in endpoints.yml, the database in core.session_store.database_url, the
session-log settings in addons/session_log.py. LOCK_STORE_TYPE=redis switches to the scale-out
profile, endpoints-cluster.yml.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import socket
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlsplit

import requests
import yaml
from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.pseudonym import ensure_secret  # noqa: E402
from core.session_store import database_url  # noqa: E402

LOCAL_ENDPOINTS = "endpoints.yml"  # one Rasa server; what plain `rasa run` uses
CLUSTER_ENDPOINTS = "endpoints-cluster.yml"  # several Rasa servers sharing Redis locks
VENV_BIN = Path(sys.executable).parent
MODEL_NAME = "coach"
# COACH_MODEL_PATH lets experiments and parallel work use a model of their own.
MODEL_PATH = Path(os.environ.get("COACH_MODEL_PATH") or ROOT / "models" / f"{MODEL_NAME}.tar.gz")



def _local_action_url() -> str:
    with open(ROOT / LOCAL_ENDPOINTS, encoding="utf-8") as file:
        return yaml.safe_load(file)["action_endpoint"]["url"]


LOCAL_ACTION_URL = _local_action_url()

DEFAULTS = {
    "RASA_HOST": "127.0.0.1",
    "RASA_PORT": "5005",
    "ACTION_HOST": urlsplit(LOCAL_ACTION_URL).hostname,
    "ACTION_PORT": str(urlsplit(LOCAL_ACTION_URL).port),
    "ACTION_ENDPOINT_URL": "",  # derived from ACTION_HOST/ACTION_PORT when empty
    "WEB_HOST": "127.0.0.1",
    "WEB_PORT": "8000",
    "CHAT_ALLOWED_ORIGINS": "",  # empty = http://127.0.0.1:WEB_PORT and http://localhost:WEB_PORT
    "MAX_MESSAGE_LENGTH": "2000",
    # Conversation locks: in_memory for one Rasa server (endpoints.yml), redis when several
    # share the work (endpoints-cluster.yml, which takes the Redis settings below).
    "LOCK_STORE_TYPE": "in_memory",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_DB": "1",
    "REDIS_PASSWORD": "",
    "LOCK_STORE_KEY_PREFIX": "coach",  # letters and digits only (Rasa ignores others)
    # `make run-cluster` (scripts/cluster.py): its database when DATABASE_URL is not PostgreSQL,
    # the load balancers, the chat page and the servers behind them.
    "CLUSTER_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/coach_cluster",
    "CLUSTER_PORT": "7080",
    "CLUSTER_ACTION_PORT": "7081",
    "CLUSTER_WEB_PORT": "7090",
    "CLUSTER_RASA_PORTS": "7005,7006",
    "CLUSTER_ACTION_PORTS": "7055,7056",
    "LOG_DIR": "logs",
    "TRAINER_TOKEN": "",  # empty = the trainer pages (/trainer) are off
    "REVIEWED_NLU_FILE": "",  # empty = data/nlu/reviewed.yml
    "RASA_API_TOKEN": "",  # empty = Rasa's HTTP API is off; set = on, and every call needs ?token=
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


def environment(overrides: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Defaults, then .env, then the real environment, then explicit overrides."""
    ensure_secret()
    env = {**DEFAULTS, **{k: v for k, v in dotenv_values(ROOT / ".env").items() if v}}
    env.update(os.environ)
    env.update(overrides or {})
    if not env["ACTION_ENDPOINT_URL"]:
        env["ACTION_ENDPOINT_URL"] = f"http://{env['ACTION_HOST']}:{env['ACTION_PORT']}/webhook"
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = database_url()
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def rasa(*args: str) -> List[str]:
    return [str(VENV_BIN / "rasa"), *args]


def responses_in_model_are_current() -> bool:
    """Rasa's dry run leaves out the responses ("the responses might still need updating!"), yet the
    server says what the model's packaged domain holds: a changed text in domain.yml needs a training
    run too (it reuses every cached component and repackages the domain)."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.shared.core.domain import Domain

    packaged = LocalModelStorage.metadata_from_archive(MODEL_PATH).domain.responses
    return all(packaged.get(name) == variants for name, variants in Domain.load(ROOT / "domain.yml").responses.items())


# What the model is trained from. Rasa's dry run asks the shared training cache, not the model: back
# on data that was trained once before, it calls a model built from other data "up to date". The
# digest of these inputs, kept next to the model, tells whether the model itself is current. The
# components' code counts as addons/component_fingerprint.py counts it for Rasa's cache.
TRAINING_FILES = ("config.yml", "domain.yml", "data")


def training_inputs_digest(root: Path = ROOT) -> str:
    from addons.component_fingerprint import PINS, project_sources

    config = yaml.safe_load((root / "config.yml").read_text(encoding="utf-8")) or {}
    components = {entry["name"].rpartition(".")[0] for part in ("pipeline", "policies")
                  for entry in config.get(part) or [] if "." in str(entry.get("name"))}
    files: List[Path] = []
    for name in TRAINING_FILES:
        path = root / name
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
    files += project_sources(sorted(components), root) + [root / pins for pins in PINS if (root / pins).exists()]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _inputs_file() -> Path:
    return MODEL_PATH.parent / f"{MODEL_NAME}.inputs"


def train(env: Optional[Dict[str, str]] = None) -> None:
    """Trains only when data, config, domain or components changed since the model was trained
    (the digest of the inputs and Rasa's fingerprints decide)."""
    env = env or environment()
    digest = training_inputs_digest()
    inputs_file = _inputs_file()
    if MODEL_PATH.exists() and inputs_file.exists() and inputs_file.read_text().strip() == digest:
        dry_run = subprocess.run(rasa("train", "--dry-run"), cwd=ROOT, env=env, capture_output=True)
        if dry_run.returncode == 0 and responses_in_model_are_current():
            print(f"Model is up to date: {MODEL_PATH.relative_to(ROOT)}")
            return
    print("Training the model (about 1–2 minutes) …", flush=True)
    started = time.monotonic()
    subprocess.run(
        rasa("train", "--fixed-model-name", MODEL_NAME, "--out", str(MODEL_PATH.parent)),
        cwd=ROOT, env=env, check=True,
    )
    inputs_file.write_text(digest + "\n")
    print(f"Training took {time.monotonic() - started:.0f} s")


def ensure_port_free(host: str, port: str, name: str) -> None:
    """A server left over on the port would answer in place of ours: refuse to start."""
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex((host if host not in ("0.0.0.0", "") else "127.0.0.1", int(port))) == 0:
            raise RuntimeError(f"Port {port} is in use; stop what runs there or set another port for the {name} in .env")


def stop_process_group(process: subprocess.Popen, first: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Sends `first` to the process and its children (started with start_new_session), waits,
    and kills them when they are not gone after `timeout` s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, first)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until_up(url: str, process: subprocess.Popen, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped during start (exit code {process.returncode}); see its log")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{name} did not answer at {url} within {timeout:.0f} s")


class Services:
    """The three servers as child processes; a context manager that stops them all."""

    def __init__(self, env: Optional[Dict[str, str]] = None, log_dir: Optional[Path] = None) -> None:
        self.env = environment(env)
        self.log_dir = Path(log_dir or ROOT / self.env["LOG_DIR"])
        self.processes: Dict[str, subprocess.Popen] = {}

    @property
    def rasa_url(self) -> str:
        return f"http://{self.env['RASA_HOST']}:{self.env['RASA_PORT']}"

    @property
    def action_url(self) -> str:
        return f"http://{self.env['ACTION_HOST']}:{self.env['ACTION_PORT']}"

    @property
    def web_url(self) -> str:
        return f"http://{self.env['WEB_HOST']}:{self.env['WEB_PORT']}"

    def _spawn(self, name: str, command: List[str], env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        # Own process group, so Ctrl-C in the terminal chat reaches only us and we stop them.
        process = subprocess.Popen(
            command, cwd=ROOT, env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_actions(self, timeout: float = 60) -> None:
        ensure_port_free(self.env["ACTION_HOST"], self.env["ACTION_PORT"], "action server")
        # rasa-sdk takes its listen address from SANIC_HOST (it has no --host option).
        process = self._spawn(
            "action-server",
            rasa("run", "actions", "--actions", "actions", "--port", self.env["ACTION_PORT"]),
            env={"SANIC_HOST": self.env["ACTION_HOST"]},
        )
        wait_until_up(f"{self.action_url}/health", process, "Action server", timeout)

    def endpoints_file(self) -> Path:
        """endpoints.yml, or endpoints-cluster.yml for LOCK_STORE_TYPE=redis (its values come from
        the environment). When the action server is elsewhere than endpoints.yml says, a copy
        with that URL in the log folder."""
        lock_store = self.env["LOCK_STORE_TYPE"]
        if lock_store == "redis":
            return ROOT / CLUSTER_ENDPOINTS
        if lock_store != "in_memory":
            raise RuntimeError(f"LOCK_STORE_TYPE={lock_store}: in_memory (one Rasa server) or redis (several)")
        if self.env["ACTION_ENDPOINT_URL"] == LOCAL_ACTION_URL:
            return ROOT / LOCAL_ENDPOINTS
        with open(ROOT / LOCAL_ENDPOINTS, encoding="utf-8") as file:
            endpoints = yaml.safe_load(file)
        endpoints["action_endpoint"]["url"] = self.env["ACTION_ENDPOINT_URL"]
        generated = self.log_dir / "endpoints-rasa-server.yml"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        generated.write_text(
            f"# Generated by scripts/services.py: {LOCAL_ENDPOINTS} with the action URL from the environment.\n"
            + yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
        return generated

    def start_rasa(self, timeout: float = 180) -> None:
        ensure_port_free(self.env["RASA_HOST"], self.env["RASA_PORT"], "Rasa server")
        # The HTTP API (trackers, model, events) only with a token: without one it is not started.
        api = ["--enable-api", "--auth-token", self.env["RASA_API_TOKEN"]] if self.env["RASA_API_TOKEN"] else []
        process = self._spawn("rasa-server", rasa(
            "run", "--model", str(MODEL_PATH),
            "--endpoints", str(self.endpoints_file()), "--credentials", "credentials.yml",
            "--interface", self.env["RASA_HOST"], "--port", self.env["RASA_PORT"], *api,
        ))
        wait_until_up(f"{self.rasa_url}/", process, "Rasa server", timeout)

    def start_web(self, timeout: float = 30) -> None:
        ensure_port_free(self.env["WEB_HOST"], self.env["WEB_PORT"], "chat page")
        process = self._spawn("web-server", [sys.executable, str(ROOT / "scripts" / "web_server.py")])
        wait_until_up(f"{self.web_url}/", process, "Chat page server", timeout)

    def stop_one(self, name: str) -> None:
        """Stops one server ("action-server", "rasa-server", "web-server"); the others keep running."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    def restart_rasa(self) -> None:
        """Stops and starts the Rasa server only (the action server keeps running)."""
        self.stop_one("rasa-server")
        self.start_rasa()

    def start(self) -> "Services":
        try:
            self.start_actions()
            self.start_rasa()
            self.start_web()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def __enter__(self) -> "Services":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["train", "run", "serve"])
    args = parser.parse_args()
    env = environment()
    train(env)
    if args.command == "train":
        return 0
    signal.signal(signal.SIGTERM, _interrupt)
    services = Services()
    print("Starting action server, Rasa server and chat page (about 30 s) …", flush=True)
    try:
        with services:
            print(f"Rasa server: {services.rasa_url}   logs: {services.log_dir}/", flush=True)
            print(f"Chat page: {services.web_url}", flush=True)
            if args.command == "serve":
                print("Running. Stop with Ctrl-C.", flush=True)
                while True:
                    time.sleep(3600)
            else:
                from terminal_chat import chat

                chat(services.rasa_url)
    except KeyboardInterrupt:
        pass
    except RuntimeError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    print("All services stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
