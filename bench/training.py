"""Training time of the coach's model for the bench: a full `rasa train --force`, measured once
per state of the training data, config and domain (results/bench-train.json).
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict

from bench import ROOT, loadavg, nlu

sys.path.insert(0, str(ROOT / "scripts"))
import services  # noqa: E402

TRAIN_RECORD = ROOT / "results" / "bench-train.json"
TRAIN_LOG = ROOT / "results" / "bench-train.log"


def training_fingerprint() -> str:
    import rasa

    digest = hashlib.sha256(f"rasa={rasa.__version__}".encode())
    files = [ROOT / "config.yml", ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml")),
             *nlu.pipeline_addons()]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _timed_training(env: Dict[str, str], out_dir: Path, name: str) -> float:
    command = services.rasa("train", "--force", "--fixed-model-name", name, "--out", str(out_dir))
    TRAIN_LOG.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(TRAIN_LOG, "wb") as out:
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=out, stderr=subprocess.STDOUT, timeout=1200)
    return round(time.monotonic() - started, 1)


def training_time(log, smoke: bool) -> Dict[str, Any]:
    """Seconds for a full (`--force`, no cache) `rasa train` of the coach.

    Trains the coach's model when it is missing or out of date (that run is the measurement);
    reuses an earlier measurement for the same training data/config/domain; otherwise
    measures a training into a temporary folder."""
    model = services.MODEL_PATH
    fingerprint = training_fingerprint()
    record = json.loads(TRAIN_RECORD.read_text(encoding="utf-8")) if TRAIN_RECORD.exists() else {}
    if smoke:
        if not model.exists():
            raise RuntimeError(f"No trained model at {model}: run `make train` first")
        if record.get("fingerprint") == fingerprint:
            return {**record, "reused": True}
        return {"seconds": None, "how": "not measured in the smoke run"}
    env = services.environment()
    current = model.exists() and subprocess.run(
        services.rasa("train", "--dry-run", "--out", str(model.parent)), cwd=ROOT, env=env,
        capture_output=True).returncode == 0
    if not current:
        log(f"Training the coach's model (full training, timed) → {model} …")
        model.parent.mkdir(parents=True, exist_ok=True)
        seconds = _timed_training(env, model.parent, model.name.replace(".tar.gz", ""))
        how = "`rasa train --force` of the coach's model (it was out of date)"
    elif record.get("fingerprint") == fingerprint:
        log(f"Training time: reusing the measurement of {record.get('measured_at')} (same data/config/domain)")
        return {**record, "reused": True}
    else:
        log("Training time: timing a full training into a temporary folder (model is current, no earlier measurement) …")
        with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
            seconds = _timed_training({**env, "RASA_MAX_CACHE_SIZE": "0"}, Path(tmp), "coach")
        how = "`rasa train --force` into a temporary folder (training cache disabled)"
    result = {"seconds": seconds, "how": how, "fingerprint": fingerprint,
              "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), "loadavg": loadavg()}
    TRAIN_RECORD.parent.mkdir(parents=True, exist_ok=True)
    TRAIN_RECORD.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return {**result, "reused": False}
