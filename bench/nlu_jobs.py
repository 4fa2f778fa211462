"""Runs the NLU bench's worker processes (`python -m bench.nlu worker …`, one per fold or per
held-out model), at most a given number at a time, each with a share of the cores, and
collects their predictions.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

from bench import ROOT


def worker_env(threads: int) -> Dict[str, str]:
    env = dict(os.environ)
    env.update({
        "TF_INTRA_OP_PARALLELISM_THREADS": str(threads),
        "TF_INTER_OP_PARALLELISM_THREADS": str(threads),
        "OMP_NUM_THREADS": str(threads),
        "RASA_MAX_CACHE_SIZE": "0",  # no fold models in Rasa's training cache
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    })
    return env


def run_jobs(jobs: List[Dict[str, Any]], workers: int, timeout: float, log=print) -> Dict[str, Dict[str, Any]]:
    """Runs worker jobs, at most `workers` at a time; kills everything after `timeout` s."""
    threads = max(1, (os.cpu_count() or 1) // max(workers, 1))
    pending, running, done = list(jobs), {}, {}
    deadline = time.monotonic() + timeout
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                Path(job["out"]).mkdir(parents=True, exist_ok=True)
                command = [sys.executable, "-m", "bench.nlu", "worker", "--out", job["out"]]
                command += [argument for test in job["tests"] for argument in ("--test", test)]
                command += ["--train", job["train"]] if job.get("train") else ["--model", job["model"]]
                logfile = open(Path(job["out"]) / "worker.log", "wb")
                running[job["name"]] = (subprocess.Popen(
                    command, cwd=ROOT, env={**worker_env(threads), **job.get("env", {})}, stdout=logfile,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                ), job, logfile, time.monotonic())
            for name, (process, job, logfile, started) in list(running.items()):
                if process.poll() is None:
                    continue
                logfile.close()
                del running[name]
                output = Path(job["out"]) / "predictions.json"
                if process.returncode != 0 or not output.exists():
                    raise RuntimeError(f"NLU job {name} failed (exit {process.returncode}); see {job['out']}/worker.log")
                done[name] = json.loads(output.read_text(encoding="utf-8"))
                done[name]["wall_seconds"] = round(time.monotonic() - started, 1)
                log(f"  NLU {name}: done in {done[name]['wall_seconds']:.0f} s")
            if time.monotonic() > deadline:
                raise TimeoutError(f"NLU jobs did not finish within {timeout:.0f} s")
            time.sleep(0.5)
    finally:
        for process, _job, logfile, _started in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
            logfile.close()
    return done
