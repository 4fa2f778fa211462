"""The trainer report's formats: text (German, for reading), JSON and CSV (for tools).

core/report.py gathers and sums up the sessions; this module only renders them.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any, Dict, List, Optional

NO_SESSIONS = "Keine Sitzungen im gewählten Zeitraum."
MODE_LABELS = {"coaching": "Coaching", "practice": "Übung"}
CSV_COLUMNS = ("id", "started_at", "ended_at", "mode", "training_code", "channel", "turns",
               "excuses", "commitments", "rating")


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
