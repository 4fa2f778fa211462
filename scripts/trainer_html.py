"""HTML of the trainer pages (scripts/trainer_pages.py): login, cockpit and review inbox.

Plain server-rendered HTML with forms and no script; every value from the log or the knowledge
base goes through `escape`. German, Sie-form; the layout is one column on a phone.
"""
from __future__ import annotations

from html import escape
from typing import Dict, List, Optional
from urllib.parse import urlencode

from core.review import IGNORE, REASON_LABELS, InboxItem
from core.trainer_data import Selection, TrainerReport


def page(title: str, body: str, nav: bool = True) -> str:
    links = ('<nav><a href="/trainer">Auswertung</a> <a href="/trainer/review">Review-Inbox</a>'
             '<form method="post" action="/trainer/logout"><button>Abmelden</button></form></nav>') if nav else ""
    return ("<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)} – Ausreden-Coach</title>"
            "<link rel=\"stylesheet\" href=\"/trainer/trainer.css\"></head>"
            f"<body><header><h1>{escape(title)}</h1>{links}</header><main>{body}</main></body></html>")


def login(failed: bool, next_path: str) -> str:
    note = '<p class="error" role="alert">Der Zugangsschlüssel stimmt nicht.</p>' if failed else ""
    return page("Trainer-Bereich", f"""{note}
<p>Bitte melden Sie sich mit dem Zugangsschlüssel an (TRAINER_TOKEN in der Datei .env).</p>
<form method="post" action="/trainer/login" class="login">
<label for="token">Zugangsschlüssel</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<input type="hidden" name="next" value="{escape(next_path)}">
<button type="submit">Anmelden</button></form>""", nav=False)


def _number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _table(caption: str, head: List[str], rows: List[List[str]]) -> str:
    header = "".join(f"<th scope=\"col\">{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<div class="table"><table><caption>{escape(caption)}</caption><thead><tr>{header}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _chart(src: str, alt: str) -> str:
    return f'<img class="chart" src="{src}" alt="{escape(alt)}">'


def _filter_form(selection: Selection, codes: List[str]) -> str:
    options = ['<option value="">alle</option>'] + [
        f'<option value="{escape(c)}"{" selected" if c == selection.code else ""}>{escape(c)}</option>' for c in codes]
    day = lambda d: d.isoformat() if d else ""  # noqa: E731
    return f"""<form method="get" action="/trainer" class="filter">
<label>Trainingscode <select name="code">{''.join(options)}</select></label>
<label>von <input type="date" name="from" value="{day(selection.date_from)}"></label>
<label>bis <input type="date" name="to" value="{day(selection.date_to)}"></label>
<button type="submit">Anzeigen</button></form>"""


def query(selection: Selection) -> str:
    values = {"code": selection.code or "", "from": selection.date_from.isoformat() if selection.date_from else "",
              "to": selection.date_to.isoformat() if selection.date_to else ""}
    return urlencode({k: v for k, v in values.items() if v})


def cockpit(selection: Selection, codes: List[str], data: Optional[TrainerReport], titles: Dict[str, str],
            problem: Optional[str] = None) -> str:
    parts = [_filter_form(selection, codes)]
    if problem or data is None:
        parts.append(f'<p class="note">{escape(problem or "Keine Daten.")}</p>')
        return page("Trainer-Cockpit", "".join(parts))
    summary, title = data.summary, (lambda e: titles.get(e, e))
    downloads = query(selection)
    parts.append(f'<p class="downloads">Herunterladen: <a href="/trainer/report.csv?{downloads}" download>CSV</a> '
                 f'<a href="/trainer/report.json?{downloads}" download>JSON</a></p>')
    if not summary["session_count"]:
        parts.append('<p class="note">Keine Sitzungen im gewählten Zeitraum.</p>')
        return page("Trainer-Cockpit", "".join(parts))
    practice = summary.get("practice")
    facts = [("Sitzungen", str(summary["session_count"]))]
    if practice:
        facts += [("Teilnehmende", str(practice["participants"])), ("Runden", str(practice["rounds"])),
                  ("Punkte je Runde", f"{_number(practice['average_score'])} von 3")]
    parts.append('<dl class="facts">' + "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts) + "</dl>")
    if practice:
        parts.append(_practice(practice, title))
    parts.append(_excuses(summary["excuses"], title))
    parts.append(_effectiveness(data.effectiveness, title))
    return page("Trainer-Cockpit", "".join(parts))


def _practice(practice: Dict, title) -> str:
    import trainer_charts as charts  # matplotlib takes seconds to import: not at the server's start
    people = practice["progress"]
    progress = _table("Fortschritt je Teilnehmende (Punkte je Runde)", ["Teilnehmende", "Durchgänge", "erster", "bester", "Veränderung"], [
        [escape(p["participant"]), str(len(p["attempts"])), _number(p["first_average"]), _number(p["best_average"]),
         ("+" if p["progress"] >= 0 else "") + _number(p["progress"])] for p in people])
    by_excuse = practice["by_excuse"]
    averages = _table("Durchschnitt je Einwand (schwächster zuerst)", ["Einwand", "Runden", "Punkte je Runde"], [
        [escape(title(e["excuse_id"])), str(e["rounds"]), _number(e["average_score"])] for e in by_excuse])
    missed = _table("Am häufigsten verpasste Kernpunkte", ["Kernpunkt", "Einwand", "verpasst"], [
        [escape(m["label"]), escape(title(m["excuse_id"])), f"in {m['missed']} von {m['rounds']} {'Runde' if m['rounds'] == 1 else 'Runden'}"]
        for m in practice["most_missed"]])
    return (f'<section id="practice"><h2>Übungsmodus</h2>'
            f'<h3>Fortschritt (erster → bester Durchgang)</h3>'
            f'{_chart(charts.progress_chart(people), "Fortschritt je Teilnehmende")}{progress}'
            f'<h3>Punkte je Einwand</h3>'
            f'{_chart(charts.bar_chart([title(e["excuse_id"]) for e in by_excuse], [e["average_score"] for e in by_excuse], "Punkte je Runde (0–3)", limit=3), "Punkte je Einwand")}'
            f'{averages}<h3>Verpasste Kernpunkte</h3>'
            f'{_chart(charts.bar_chart([m["label"] for m in practice["most_missed"]], [m["missed"] for m in practice["most_missed"]], "verpasst (Runden)", colour=charts.ORANGE), "Verpasste Kernpunkte")}'
            f'{missed}</section>')


def _excuses(excuses: List[Dict], title) -> str:
    import trainer_charts as charts
    if not excuses:
        return '<section id="excuses"><h2>Einwände im Coaching</h2><p class="note">Keine Einwände besprochen.</p></section>'
    chart = charts.outcome_chart([title(e["excuse_id"]) for e in excuses],
                                 [(e["convinced"], e["not_convinced"], e["open"]) for e in excuses])
    table = _table("Einwände nach Häufigkeit", ["Einwand", "besprochen", "überzeugt", "nicht überzeugt", "offen"], [
        [escape(title(e["excuse_id"])), str(e["discussed"]), str(e["convinced"]), str(e["not_convinced"]), str(e["open"])]
        for e in excuses])
    return f'<section id="excuses"><h2>Einwände nach Häufigkeit</h2>{_chart(chart, "Einwände nach Häufigkeit")}{table}</section>'


def _percent(rate: float, interval: List[float]) -> str:
    return f"{round(rate * 100)} % <small>({round(interval[0] * 100)}–{round(interval[1] * 100)} %)</small>"


def _effectiveness(effectiveness: List[Dict], title) -> str:
    import trainer_charts as charts
    if not effectiveness:
        return ""
    rows = [{**a, "name": f"{a['index'] + 1}. {title(e['excuse_id'])}"} for e in effectiveness for a in e["arguments"]]
    table = _table("Wirkung der Argumente (95-%-Intervall nach Wilson)",
                   ["Einwand", "Argument", "gezeigt", "überzeugt", "erster Schritt"], [
        [escape(title(e["excuse_id"])), f'{a["index"] + 1}. {escape(a["label"])}', str(a["shown"]),
         f'{a["convinced"]}× · {_percent(a["convinced_rate"], a["convinced_interval"])}',
         f'{a["first_step"]}× · {_percent(a["first_step_rate"], a["first_step_interval"])}']
        for e in effectiveness for a in e["arguments"]])
    return (f'<section id="arguments"><h2>Welche Argumente wirken?</h2>'
            f'<p class="note">Je Sitzung zählt ein gezeigtes Argument einmal. Bei wenigen Gesprächen sind '
            f'die Intervalle breit: Erst wenn sie sich kaum überlappen, wirkt ein Argument sicher besser.</p>'
            f'{_chart(charts.effectiveness_chart(rows), "Überzeugt nach dem Argument")}{table}</section>')


def inbox(items: List[InboxItem], choices: List[str], titles: Dict[str, str], text_logged: bool,
          done: Optional[str]) -> str:
    if not text_logged:
        return page("Review-Inbox", '<p class="note" id="empty">Die Inbox ist leer, weil keine Nachrichtentexte '
                    "gespeichert werden (LOG_USER_TEXT=false in der Datei .env).</p>")
    notes = {"written": "Danke! Das Beispiel steht jetzt in den Trainingsdaten (reviewed.yml) und zählt ab dem nächsten Training.",
             "known": "Dieses Beispiel gibt es schon in den Trainingsdaten; die Nachricht ist erledigt.",
             "ignored": "Die Nachricht wird ignoriert.", "gone": "Diese Nachricht ist nicht mehr in der Inbox."}
    parts = [f'<p class="done" role="status">{notes[done]}</p>' if done in notes else ""]
    if not items:
        parts.append('<p class="note" id="empty">Keine offenen Nachrichten. Schön!</p>')
    label = lambda name: f"{titles[name]} ({name})" if name in titles else name  # noqa: E731
    for item in items:
        ranking = "".join(f"<li>{escape(label(r['name']))}: {round(float(r['confidence']) * 100)} %</li>"
                          for r in item.top_intents)
        options = ['<option value="" disabled{}>– bitte wählen –</option>'.format("" if item.suggested_intent else " selected"),
                   f'<option value="{IGNORE}">ignorieren</option>'] + [
            f'<option value="{escape(c)}"{" selected" if c == item.suggested_intent else ""}>{escape(label(c))}</option>'
            for c in choices]
        reasons = ", ".join(REASON_LABELS[r] for r in item.reasons)
        parts.append(f"""<article class="item">
<p class="meta">{item.at.strftime('%d.%m.%Y %H:%M')} UTC · {escape(reasons)}</p>
<blockquote class="message">{escape(item.text)}</blockquote>
<p class="label">Drei wahrscheinlichste Absichten:</p><ol class="ranking">{ranking}</ol>
<p class="label">Antwort des Coachs:</p><p class="answer">{escape(item.answer) or '–'}</p>
<form method="post" action="/trainer/review">
<input type="hidden" name="session_id" value="{escape(item.session_id)}">
<input type="hidden" name="event_key" value="{escape(item.event_key)}">
<label>Richtige Absicht <select name="decision" required>{''.join(options)}</select></label>
<button type="submit">Speichern</button></form></article>""")
    return page("Review-Inbox", "".join(parts))
