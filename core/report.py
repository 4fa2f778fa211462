"""Report for trainers on the session log (reads the store only, never writes or migrates).

    python -m core.report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--code TRAINING_CODE]
                             [--format text|json|csv] [--database-url URL]

Dates are UTC calendar days, both ends included. The database is --database-url, else
DATABASE_URL (environment or .env), else coach.db in the project folder. In JSON, argument
`index` counts from 0 as in the knowledge base; the text report numbers arguments from 1.
Exit code 0 also when nothing matched; 1 when the database or its tables are missing.

Practice mode (role play): when the sessions hold practice rounds, the report adds the trainer
view, meant for one group (`--code`): participants (pseudonymous: "T-" and the start of the
keyed sender hash), rounds, average points per excuse (0–3 per round), the key points missed
most often, and each participant's progress from the first to the best attempt (average
points per round of a practice run).
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from core.report_formats import NO_SESSIONS, render_csv, render_json, render_text
from core.session_store import SessionStore, database_url

class ReportError(Exception):
    """The log cannot be read; the message is for the trainer."""


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m core.report",
                                     description="Bericht über die protokollierten Coaching-Sitzungen.")
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="erster Tag (UTC), einschließlich")
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="letzter Tag (UTC), einschließlich")
    parser.add_argument("--code", help="nur Sitzungen mit diesem Trainingscode")
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")
    parser.add_argument("--database-url", help="SQLAlchemy-URL; Standard: DATABASE_URL bzw. coach.db")
    args = parser.parse_args(argv)
    if args.date_from and args.date_to and args.date_from > args.date_to:
        parser.error("--from liegt nach --to")
    return args


def load_sessions(url: str, date_from: Optional[date], date_to: Optional[date],
                  code: Optional[str]) -> List[Dict[str, Any]]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not Path(parsed.database).exists():  # connecting would create an empty file
        raise ReportError(f"Die Datenbank {parsed.database} gibt es noch nicht. "
                          "Sie wird beim ersten Start des Coachs angelegt.")
    store = SessionStore(url)
    try:
        if not store.has_schema():
            raise ReportError(f"Die Datenbank {parsed.render_as_string(hide_password=True)} enthält "
                              "noch kein Sitzungsprotokoll. Es wird beim ersten Start des Coachs angelegt.")
        return store.sessions(since=_day_start(date_from),
                              until=_day_start(date_to + timedelta(days=1)) if date_to else None,
                              training_code=code)
    finally:
        store.dispose()


def _day_start(day: Optional[date]) -> Optional[datetime]:
    return datetime.combine(day, time(), timezone.utc) if day else None


def summarize(sessions: List[Dict[str, Any]], args: argparse.Namespace) -> Dict[str, Any]:
    ratings = [s["rating"] for s in sessions if s["rating"] is not None]
    excuses: Dict[str, Dict[str, Any]] = {}
    for session in sessions:
        for detail in session["excuse_details"]:
            figures = excuses.setdefault(detail["excuse_id"], {
                "excuse_id": detail["excuse_id"], "discussed": 0, "convinced": 0,
                "not_convinced": 0, "open": 0, "arguments": defaultdict(Counter)})
            figures["discussed"] += 1
            figures[detail["outcome"]] += 1
            for index in set(detail["arguments_shown"]):
                figures["arguments"][index]["shown"] += 1
                figures["arguments"][index]["convinced"] += detail["outcome"] == "convinced"
    for figures in excuses.values():
        figures["arguments"] = [{"index": i, "shown": c["shown"], "convinced": c["convinced"]}
                                for i, c in sorted(figures["arguments"].items())]
    return {
        "from": args.date_from.isoformat() if args.date_from else None,
        "to": args.date_to.isoformat() if args.date_to else None,
        "training_code": args.code,
        "session_count": len(sessions),
        "modes": dict(Counter(s["mode"] for s in sessions)),
        "average_rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "rating_count": len(ratings),
        "excuses": sorted(excuses.values(), key=lambda e: (-e["discussed"], e["excuse_id"])),
        "commitments": [{"session_id": s["id"], "session_date": s["started_at"].date(), **c}
                        for s in sessions for c in s["commitments"]],
        # Messages the coach misread and the user corrected: candidates for training data.
        "corrections": [{"misread_intent": m, "corrected_intent": c, "count": n} for (m, c), n in Counter(
            (x["misread_intent"], x["corrected_intent"]) for s in sessions for x in s.get("corrections", [])
        ).most_common()],
        "practice": practice_summary(sessions),
    }


PSEUDONYM_LENGTH = 8
MOST_MISSED = 5


def participant(sender_hash: str) -> str:
    return f"T-{sender_hash[:PSEUDONYM_LENGTH]}"


def key_points() -> Dict[str, List[str]]:
    """Key point labels per excuse; without a valid knowledge base none (missed points unknown)."""
    try:
        from coach.knowledge_base import load

        return {excuse_id: [p.label for a in excuse.arguments for p in a.key_points]
                for excuse_id, excuse in load().excuses.items()}
    except Exception:  # noqa: BLE001 - any problem there must not stop the report
        return {}


def practice_summary(sessions: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The trainer view of the practice rounds in `sessions`; None when there are none."""
    rounds = [(s, r) for s in sessions for r in s.get("practice_rounds") or []]
    if not rounds:
        return None
    points = key_points()
    by_excuse: Dict[str, List[int]] = defaultdict(list)
    missed: Counter = Counter()
    for _, r in rounds:
        by_excuse[r["excuse_id"]].append(r["score"])
        missed.update((r["excuse_id"], label) for label in points.get(r["excuse_id"], [])
                      if label not in r["covered"])
    attempts: Dict[str, Dict[tuple, List[int]]] = defaultdict(dict)
    for s, r in rounds:
        attempts[s["sender_hash"]].setdefault((s["started_at"], s["id"], r["attempt"]), []).append(r["score"])
    people = []
    for sender_hash, runs in attempts.items():
        ordered = [{"session_id": key[1], "attempt": key[2], "started_at": key[0], "rounds": len(scores),
                    "score": sum(scores), "average": _average(scores)} for key, scores in sorted(runs.items())]
        best = max(ordered, key=lambda a: a["average"])
        people.append({"participant": participant(sender_hash), "attempts": ordered,
                       "first_average": ordered[0]["average"], "best_average": best["average"],
                       "progress": round(best["average"] - ordered[0]["average"], 2)})
    return {
        "participants": len(people),
        "rounds": len(rounds),
        "average_score": _average([r["score"] for _, r in rounds]),
        "by_excuse": sorted(({"excuse_id": e, "rounds": len(scores), "average_score": _average(scores)}
                             for e, scores in by_excuse.items()), key=lambda e: (e["average_score"], e["excuse_id"])),
        "most_missed": [{"excuse_id": e, "label": label, "missed": n, "rounds": len(by_excuse[e])}
                        for (e, label), n in sorted(missed.items(), key=lambda i: (-i[1], i[0]))[:MOST_MISSED]],
        "progress": sorted(people, key=lambda p: p["participant"]),
    }


def _average(scores: List[int]) -> float:
    return round(sum(scores) / len(scores), 2) if scores else 0.0


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        url = args.database_url or database_url()
        sessions = load_sessions(url, args.date_from, args.date_to, args.code)
    except ReportError as error:
        print(error, file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"Die Datenbank kann nicht gelesen werden: {error}", file=sys.stderr)
        return 1
    summary = summarize(sessions, args)
    if args.format == "text":
        print(render_text(summary))
        return 0
    if not sessions:  # stdout stays machine-readable
        print(NO_SESSIONS, file=sys.stderr)
    print(render_json(summary, sessions) if args.format == "json" else render_csv(sessions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
