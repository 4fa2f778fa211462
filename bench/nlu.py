"""NLU quality: 5-fold cross-validation over data/nlu with config.yml, and the held-out set.

How the cross-validation runs (faster than `rasa test nlu --cross-validation`, same model):
- folds: scikit-learn StratifiedKFold over all NLU examples, stratified by intent, shuffled
  with a fixed seed (Rasa's own CV does the same split without a seed, so its folds change
  from run to run);
- each fold trains the unchanged pipeline of config.yml (same epochs, same components) with
  `rasa.model_training.train_nlu` in a worker process of its own, and predicts its test part
  with `processor.parse_message`, exactly as `rasa test nlu` does (the FallbackClassifier's
  prediction is undone, so an uncertain message counts with the intent the classifier ranked first);
- the folds run in parallel worker processes (default: cores + 1, TensorFlow limited to one
  thread each; 5 folds run as 3 + 2), which is where the time is saved: Rasa's CV trains
  them one after the other in one process and also predicts every training set once more;
- the result is cached in results/bench-nlu-cv.json under a fingerprint of config.yml,
  data/nlu, the addons the pipeline uses, the Rasa version and CV_VERSION below; `make bench` reuses it while that
  fingerprint holds, `make bench-nlu` recomputes it.

The held-out sets (tests/nlu/heldout.yml, the gate of `make test`; heldout_second_author.yml, excuses
and non-excuses by another author; heldout_dialogue.yml, the conversation intents by a third author;
heldout_new_angles.yml, what the training data lacks, by authors who had read it) are predicted by
the trained model, no training. The figures are bench/nlu_metrics.py, the predictions
bench/nlu_predict.py.

Worker entry point (used by the orchestrator, not by hand):
    python -m bench.nlu worker --out DIR (--train FILE | --model FILE) --test FILE [--test FILE …]
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional

from bench import ROOT
from bench.nlu_jobs import run_jobs
from bench.nlu_metrics import summarize
from bench.nlu_predict import predict

# BENCH_NLU_CONFIG / BENCH_NLU_CACHE: try another pipeline without touching config.yml or the cache
# (e.g. `BENCH_NLU_CONFIG=/tmp/x.yml BENCH_NLU_CACHE=/tmp/x-cv.json python -m bench.nlu cv --force`).
CONFIG = Path(os.environ.get("BENCH_NLU_CONFIG") or ROOT / "config.yml").resolve()
NLU_DATA = ROOT / "data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"


class HeldoutSet(NamedTuple):
    path: Path
    label: str  # as the bench table names it


# Result key -> set: each written apart from data/nlu, by a different author.
HELDOUT_SETS = {
    "heldout": HeldoutSet(HELDOUT, "held-out"),
    "heldout_second": HeldoutSet(ROOT / "tests" / "nlu" / "heldout_second_author.yml", "held-out, second author"),
    "heldout_dialogue": HeldoutSet(ROOT / "tests" / "nlu" / "heldout_dialogue.yml",
                                   "held-out, conversation intents"),
    "heldout_new_angles": HeldoutSet(ROOT / "tests" / "nlu" / "heldout_new_angles.yml",
                                     "held-out, new angles and hard negatives"),
    "heldout_listening": HeldoutSet(ROOT / "tests" / "nlu" / "heldout_listening.yml",
                                    "held-out, replies in context and how-to questions"),
    "heldout_listening_holdout": HeldoutSet(ROOT / "tests" / "nlu" / "heldout_listening_holdout.yml",
                                            "held-out, replies in context (kept out of all tuning)"),
}
CACHE_FILE = Path(os.environ.get("BENCH_NLU_CACHE") or ROOT / "results" / "bench-nlu-cv.json").resolve()
SEED = 42
CV_VERSION = 1  # bump when the way folds are built, trained or scored changes (invalidates the cache)


# -- fingerprint and cache ------------------------------------------------------------------
def fingerprint(folds: int, seed: int = SEED) -> str:
    import rasa

    digest = hashlib.sha256(f"rasa={rasa.__version__};folds={folds};seed={seed};v={CV_VERSION}".encode())
    files = [CONFIG, *sorted(NLU_DATA.rglob("*.yml")), *pipeline_addons()]
    for path in files:
        digest.update((str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def pipeline_addons() -> List[Path]:
    """The project modules the NLU pipeline of config.yml uses, with what they import."""
    import re

    from addons.component_fingerprint import project_sources

    named = re.findall(r"\b((?:addons|coach)\.\w+)", CONFIG.read_text(encoding="utf-8"))
    return project_sources(named, ROOT)


def cached_cv(folds: int) -> Optional[Dict[str, Any]]:
    if not CACHE_FILE.exists():
        return None
    try:
        data = json.loads(CACHE_FILE.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if data.get("fingerprint") != fingerprint(folds):
        return None
    data["cached"] = True
    return data


# -- worker ---------------------------------------------------------------------------------
def worker(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result: Dict[str, Any] = {}
    model = args.model
    if args.train:
        import rasa.model_training

        started = time.monotonic()
        model = rasa.model_training.train_nlu(str(CONFIG), args.train, str(out), fixed_model_name="nlu")
        result["train_seconds"] = round(time.monotonic() - started, 1)
    result["tests"] = asyncio.run(predict(model, args.test))
    (out / "predictions.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    if args.train:
        Path(model).unlink(missing_ok=True)  # ~80 MB per fold; only the predictions are needed
    return 0


def embeddings_for_folds(work: Path) -> Dict[str, str]:
    """Embeds every NLU example once for all folds instead of once per fold (a sentence's
    embedding depends on its text alone, so no fold learns anything from it); returns the
    environment that points the fold workers to the file."""
    from rasa.shared.nlu.training_data.loading import load_data

    from coach.sentence_embedding import CACHE_ENV, save_cache

    path = work / "sentence-embeddings.npz"
    save_cache([e.get("text") for e in load_data(str(NLU_DATA)).intent_examples], path)
    return {CACHE_ENV: str(path)}


def write_folds(work: Path, folds: int, seed: int = SEED) -> List[Dict[str, Any]]:
    from sklearn.model_selection import StratifiedKFold
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(NLU_DATA))
    examples = data.intent_examples
    labels = [e.get_full_intent() for e in examples]
    jobs = []
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(examples, labels)
    for k, (train_index, test_index) in enumerate(split):
        fold_dir = work / f"fold{k + 1}"
        fold_dir.mkdir(parents=True, exist_ok=True)
        for part, index in (("train", train_index), ("test", test_index)):
            RasaYAMLWriter().dump(fold_dir / f"{part}.yml", TrainingData(
                training_examples=[examples[i] for i in index],
                entity_synonyms=data.entity_synonyms, regex_features=data.regex_features,
                lookup_tables=data.lookup_tables,
            ))
        jobs.append({"name": f"fold{k + 1}", "out": str(fold_dir), "train": str(fold_dir / "train.yml"),
                     "tests": [str(fold_dir / "test.yml")]})
    return jobs


def evaluate(model_path: Optional[Path], folds: int = 5, workers: Optional[int] = None,
             use_cache: bool = True, run_cv: bool = True, timeout: float = 900, log=print) -> Dict[str, Any]:
    """Held-out figures (with `model_path`) and cross-validation (cached or computed)."""
    # One more worker than cores: 5 folds then run as 3 + 2, which keeps both cores busy.
    workers = workers or (os.cpu_count() or 1) + 1
    result: Dict[str, Any] = {}
    cv = cached_cv(folds) if (run_cv and use_cache) else None
    if cv:
        log(f"NLU cross-validation: reusing {CACHE_FILE} (data and config unchanged)")
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        work = Path(tmp)
        jobs = []
        if run_cv and not cv:
            log(f"NLU cross-validation: {folds} folds, {workers} in parallel (each a full training; ~3 min on 2 cores) …")
            embeddings = embeddings_for_folds(work)
            jobs += [{**job, "env": embeddings} for job in write_folds(work, folds)]
        heldout_files = {name: str(path) for name, (path, _) in HELDOUT_SETS.items() if path.exists()}
        if model_path is not None and heldout_files:
            # one worker for all sets: loading the model takes longer than predicting a set
            jobs.append({"name": "held-out sets", "out": str(work / "heldout"), "model": str(model_path),
                         "tests": list(heldout_files.values())})
        started = time.monotonic()
        done = run_jobs(jobs, workers, timeout, log=log) if jobs else {}
        elapsed = time.monotonic() - started
    if run_cv and not cv:
        fold_results = [done[j["name"]] for j in jobs if j.get("train")]
        predictions = [p for r in fold_results for test in r["tests"].values() for p in test["predictions"]]
        cv = {
            "fingerprint": fingerprint(folds),
            "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "method": (f"{folds}-fold StratifiedKFold (seed {SEED}) over data/nlu; each fold trains config.yml "
                       f"unchanged (rasa.model_training.train_nlu) in its own process, {workers} at a time, "
                       "and predicts its test part like `rasa test nlu` (fallback undone)"),
            "folds": folds,
            "workers": workers,
            "fold_train_seconds": [r["train_seconds"] for r in fold_results],
            "wall_seconds": round(elapsed, 1),
            **summarize(predictions),
            "predictions": predictions,
        }
        CACHE_FILE.parent.mkdir(parents=True, exist_ok=True)
        CACHE_FILE.write_text(json.dumps(cv, ensure_ascii=False, indent=1), encoding="utf-8")
        cv["cached"] = False
    if cv:
        result["cv"] = {k: v for k, v in cv.items() if k != "predictions"}
    heldout_results = done.get("held-out sets", {}).get("tests", {})
    seen = training_texts() if heldout_results else set()
    for name, (path, _) in HELDOUT_SETS.items():
        if heldout_files.get(name) not in heldout_results:
            continue
        predictions = heldout_results[heldout_files[name]]["predictions"]
        unseen = [p for p in predictions if normalise(p["text"]) not in seen]
        unseen_summary = summarize(unseen)
        result[name] = {
            "file": str(path.relative_to(ROOT)),
            "model": str(model_path), "predict_seconds": heldout_results[heldout_files[name]]["predict_seconds"],
            **summarize(predictions),
            # held-out messages that also occur in data/nlu (after folding case, umlauts, punctuation)
            "also_in_training_data": len(predictions) - len(unseen),
            "unseen_only": {k: unseen_summary[k] for k in
                            ("examples", "accuracy", "excuse_macro_f1", "weakest_excuse", "oos_as_excuse",
                             "conversation_intents")},
        }
    return result


def normalise(text: str) -> str:
    import re

    from coach.german_text import fold

    return re.sub(r"\W+", " ", fold(text.lower())).strip()


def training_texts() -> set:
    from rasa.shared.nlu.training_data.loading import load_data

    return {normalise(e.get("text")) for e in load_data(str(NLU_DATA)).intent_examples}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("worker")
    w.add_argument("--out", required=True)
    w.add_argument("--test", required=True, action="append", help="a test file; repeat for several")
    w.add_argument("--train")
    w.add_argument("--model")
    cv = sub.add_parser("cv", help="compute the cross-validation (and refresh the cache)")
    cv.add_argument("--folds", type=int, default=5)
    cv.add_argument("--workers", type=int, default=None)
    cv.add_argument("--force", action="store_true", help="ignore the cache")
    args = parser.parse_args()
    if args.command == "worker":
        return worker(args)
    result = evaluate(None, folds=args.folds, workers=args.workers, use_cache=not args.force)
    c = result["cv"]
    print(f"macro-F1 over {c['excuse_intents']} excuses: {c['excuse_macro_f1']:.3f}; weakest "
          f"{c['weakest_excuse']['intent']} {c['weakest_excuse']['f1']:.2f}; out_of_scope as excuse "
          f"{c['oos_as_excuse']['share']:.1%}; conversation intents {c['conversation_intents']['accuracy']:.3f} "
          f"accuracy; folds trained in {c['fold_train_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
