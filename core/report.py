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
import csv
import io
import json
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from core.session_store import SessionStore, database_url

NO_SESSIONS = "Keine Sitzungen im gewählten Zeitraum."
MODE_LABELS = {"coaching": "Coaching", "practice": "Übung"}
CSV_COLUMNS = ("id", "started_at", "ended_at", "mode", "training_code", "channel", "turns",
               "excuses", "commitments", "rating")


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


def excuse_titles() -> Dict[str, str]:
    """Titles make the text report readable; without a valid knowledge base the ids do."""
    try:
        from coach.knowledge_base import load

        return {excuse_id: excuse.title for excuse_id, excuse in load().excuses.items()}
    except Exception:  # noqa: BLE001 - any problem there must not stop the report
        return {}


def render_text(summary: Dict[str, Any]) -> str:
    if not summary["session_count"]:
        return NO_SESSIONS
    titles = excuse_titles()
    modes = ", ".join(f"{n} {MODE_LABELS.get(m, m)}" for m, n in sorted(summary["modes"].items()))
    lines = [
        "Ausreden-Coach – Bericht",
        f"Zeitraum: {_period(summary)}",
        f"Trainingscode: {summary['training_code'] or 'alle'}",
        f"Sitzungen: {summary['session_count']} ({modes})",
        "Durchschnittliche Bewertung: " + (
            f"{_number(summary['average_rating'])} von 5 ({summary['rating_count']} "
            f"{'Bewertung' if summary['rating_count'] == 1 else 'Bewertungen'})"
            if summary["rating_count"] else "keine Bewertungen"),
        "",
        "Ausreden nach Häufigkeit:",
    ]
    for rank, e in enumerate(summary["excuses"], 1):
        title = f"{titles[e['excuse_id']]} – " if e["excuse_id"] in titles else ""
        lines.append(f"{rank:>3}. {title}{e['excuse_id']}: {e['discussed']}× besprochen, "
                     f"{e['convinced']}× überzeugt, {e['not_convinced']}× nicht überzeugt, "
                     f"{e['open']}× offen")
        lines += [f"       Argument {a['index'] + 1} gezeigt {a['shown']}×, davon überzeugt {a['convinced']}×"
                  for a in e["arguments"]]
    if not summary["excuses"]:
        lines.append("  (keine)")
    lines += ["", f"Vorsätze ({len(summary['commitments'])}):"]
    for c in summary["commitments"]:
        due = f"fällig am {_day(c['due_date'])}" if c["due_date"] else "ohne Termin"
        excuse = titles.get(c["excuse_id"], c["excuse_id"])
        status = COMMITMENT_STATUS.get(c.get("status"), "")
        if c.get("status") == "rescheduled" and c.get("new_due_date"):
            status += f" auf {_day(c['new_due_date'])}"
        lines.append(f"  - {_day(c['session_date'])}, {excuse}, Schritt {c['step_number']}: "
                     f"„{c['step_text']}“ – {due}" + (f"; später gefragt: {status}" if status else ""))
    if not summary["commitments"]:
        lines.append("  (keine)")
    if summary.get("corrections"):
        lines += ["", "Korrekturen (der Coach hatte einen Einwand falsch verstanden):"]
        lines += [f"  - {c['misread_intent'] or '?'} → {c['corrected_intent'] or '(nachgefragt)'}: {c['count']}×"
                  for c in summary["corrections"]]
    if summary.get("practice"):
        lines += [""] + render_practice(summary["practice"], summary["training_code"], titles)
    return "\n".join(lines)


def render_practice(practice: Dict[str, Any], code: Optional[str], titles: Dict[str, str]) -> List[str]:
    lines = [
        f"Übungsmodus (Rollenspiel){f' – Trainingscode {code}' if code else ''}:",
        f"Teilnehmende: {practice['participants']}, Runden: {practice['rounds']}, "
        f"Durchschnitt: {_number(practice['average_score'])} von 3 Punkten je Runde",
        "Durchschnitt je Ausrede (schwächste zuerst):",
    ]
    lines += [f"  - {titles.get(e['excuse_id'], e['excuse_id'])}: {_number(e['average_score'])} von 3 "
              f"({e['rounds']} {'Runde' if e['rounds'] == 1 else 'Runden'})" for e in practice["by_excuse"]]
    lines.append("Am häufigsten verpasste Kernpunkte:")
    lines += [f"  - „{m['label']}“ ({titles.get(m['excuse_id'], m['excuse_id'])}): "
              f"in {m['missed']} von {m['rounds']} {'Runde' if m['rounds'] == 1 else 'Runden'} verpasst"
              for m in practice["most_missed"]] or ["  (keine)"]
    lines.append("Fortschritt der Teilnehmenden (Punkte je Runde, erster → bester Durchgang):")
    for p in practice["progress"]:
        count = len(p["attempts"])
        lines.append(f"  - {p['participant']}: {count} {'Durchgang' if count == 1 else 'Durchgänge'}, "
                     f"{_number(p['first_average'])} → {_number(p['best_average'])} "
                     f"({'+' if p['progress'] >= 0 else ''}{_number(p['progress'])})")
    return lines


def _period(summary: Dict[str, Any]) -> str:
    start, end = (date.fromisoformat(d) if d else None for d in (summary["from"], summary["to"]))
    if start and end:
        return f"{_day(start)} bis {_day(end)} (UTC)"
    if start or end:
        return f"{'ab' if start else 'bis'} {_day(start or end)} (UTC)"
    return "gesamter Zeitraum"


# What a returning user said about the commitment (actions/listening.py).
COMMITMENT_STATUS = {"done": "erledigt", "not_done": "noch nicht erledigt", "rescheduled": "verschoben"}


def _day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def render_json(summary: Dict[str, Any], sessions: List[Dict[str, Any]]) -> str:
    # The sender hash stays out: trainers need no way to link sessions to a person.
    items = [{k: v for k, v in s.items() if k != "sender_hash"} for s in sessions]
    return json.dumps({"summary": summary, "sessions": items}, ensure_ascii=False, indent=2,
                      default=lambda value: value.isoformat())


def render_csv(sessions: List[Dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in sessions:
        row = {**s, "excuses": ";".join(s["excuses"]), "commitments": len(s["commitments"])}
        writer.writerow(["" if row[c] is None else _iso(row[c]) for c in CSV_COLUMNS])
    return out.getvalue().rstrip("\n")


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


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
