"""The reference: a bare Rasa 3.6.21 assistant (`rasa init --no-prompt`, no custom actions).

Created and trained once in a cache folder outside the repository
(default ~/.cache/ausreden-coach-bench/bare, env BENCH_CACHE_DIR) and reused afterwards.
It runs with its own stock configuration: default pipeline and policies, in-memory tracker
store, REST channel.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

from bench import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from services import ensure_port_free, stop_process_group, wait_until_up  # noqa: E402

VENV_BIN = Path(sys.executable).parent
CACHE_DIR = Path(os.environ.get("BENCH_CACHE_DIR") or Path.home() / ".cache" / "ausreden-coach-bench")
BARE_DIR = CACHE_DIR / "bare"
MARKER = BARE_DIR / "bench-ready.json"

# Short conversations (the moodbot's stories) and the long one, in the bare bot's language.
SCRIPT = ["hello", "I am sad", "yes", "hi there", "I am feeling great", "are you a bot?",
          "good morning", "I am unhappy", "no", "bye"]
LONG_CYCLE = ["hello", "I am sad", "no", "I am happy", "are you a bot?", "great",
              "I am very sad", "yes", "hey", "perfect", "am I talking to a human?", "goodbye"]


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONWARNINGS": "ignore", "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"})
    return env


def _rasa_version() -> str:
    out = subprocess.run([str(VENV_BIN / "python"), "-c", "import rasa; print(rasa.__version__)"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def cached_model() -> Optional[Path]:
    if not MARKER.exists():
        return None
    info = json.loads(MARKER.read_text(encoding="utf-8"))
    model = BARE_DIR / info.get("model", "")
    return model if model.is_file() else None


def ensure_model(log=print) -> Dict[str, object]:
    """The cached bare model; creates and trains it on first use (~1–2 minutes)."""
    model = cached_model()
    if model:
        info = json.loads(MARKER.read_text(encoding="utf-8"))
        return {"model": str(model), "created": False, **info}
    log(f"Reference: creating the bare assistant with `rasa init --no-prompt` in {BARE_DIR} (once) …")
    if BARE_DIR.exists():
        shutil.rmtree(BARE_DIR)
    BARE_DIR.mkdir(parents=True)
    started = time.monotonic()
    with open(CACHE_DIR / "bare-init.log", "wb") as out:
        subprocess.run([str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(BARE_DIR)],
                       cwd=BARE_DIR, env=_env(), stdout=out, stderr=subprocess.STDOUT, check=True,
                       stdin=subprocess.DEVNULL, timeout=900)
    init_seconds = time.monotonic() - started
    models = sorted((BARE_DIR / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError(f"`rasa init` trained no model; see {CACHE_DIR / 'bare-init.log'}")
    info = {"model": str(models[-1].relative_to(BARE_DIR)), "rasa": _rasa_version(),
            "init_and_train_seconds": round(init_seconds, 1),
            "created_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    MARKER.write_text(json.dumps(info, indent=1), encoding="utf-8")
    return {"created": True, **info, "model": str(models[-1])}


class BareServer:
    """`rasa run` of the bare assistant as a child process (own process group)."""

    def __init__(self, model: Path, port: int, log_dir: Path) -> None:
        self.model, self.port, self.log_dir = Path(model), int(port), Path(log_dir)
        self.process: Optional[subprocess.Popen] = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pids(self) -> Dict[str, int]:
        return {"rasa": self.process.pid} if self.process else {}

    def start(self, timeout: float = 240) -> "BareServer":
        ensure_port_free("127.0.0.1", str(self.port), "bare reference assistant")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_dir / "bare-rasa-server.log", "ab")
        command: List[str] = [str(VENV_BIN / "rasa"), "run", "--model", str(self.model),
                              "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
                              "--interface", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, cwd=BARE_DIR, env=_env(), stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_up(f"{self.url}/", self.process, "Bare Rasa server", timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process:
            stop_process_group(self.process)
        self.process = None
        if self._log:
            self._log.close()
            self._log = None
