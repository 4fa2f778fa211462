"""End to end: two trainees play the five-round practice over REST against the real action
server and Rasa server, then the trainer's report for their training code shows the results.

Set PRACTICE_TRANSCRIPT_DIR to keep the two transcripts as text files."""
import json
import re
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from coach.knowledge_base import load
from services import ROOT
from tests.servers import messages, text_of
from tests.test_practice_scorer import STRONG

pytestmark = pytest.mark.e2e
KB = load()
CODE = "WS-NOV"

# The strong trainee answers the CEO's "Ja, aber …" with one more argument.
STRONG_FOLLOW_UPS = {
    "excuse_no_time": "Dann legen Sie sich feste Zeitfenster in den Kalender – und denken Sie dran: Das ist Vertrieb, kein Zeitvertreib.",
    "excuse_no_opinion_wanted": "Es reicht, wenn Sie ab und zu Ihre Erfahrung zeigen; so wirken Sie als Chef nahbar und glaubwürdig.",
    "excuse_not_my_style": "Über das Team zu schreiben ist keine Eigenwerbung, und Beiträge von Mitarbeitenden bekommen mehr Interaktion als die Firmenseite.",
    "excuse_cannot_write": "Fehler sind erlaubt, und die KI macht nur den Entwurf – den Ton geben Sie selbst vor.",
    "excuse_no_ideas": "Für den Anfang reicht es auch, Branchennachrichten zu kommentieren, und langfristig dranbleiben ist wichtiger als jeder einzelne Post.",
    "excuse_no_resources": "Wer nicht präsent ist, überlässt die Kunden der Konkurrenz – das kostet am Ende mehr als ein paar Stunden im Monat.",
    "excuse_no_expertise": "Holen Sie sich Rückendeckung durch eine kurze Weiterbildung, dann wächst die Kompetenz Schritt für Schritt.",
    "excuse_data_privacy": "Fragen Sie Ihre IT konkret, welches Risiko sie sieht – meistens ist das lösbar, und nicht präsent zu sein ist auch ein Risiko.",
    "excuse_customers_not_there": "Viele Kunden lesen still mit; fragen Sie im Kundengespräch einfach nach, wie man auf Sie aufmerksam geworden ist.",
    "excuse_just_hype": "Das Kaufverhalten hat sich grundlegend gewandelt – wer wartet, wird nicht mehr wahrgenommen und verliert den Wettbewerb.",
    "excuse_dislike_social_media": "Briefe haben Sie auch durch E-Mails ersetzt: Man kommuniziert dort, wo die Geschäftspartner erreichbar sind.",
    "excuse_employees_waste_time": "Ihre Leute sind so auch Augen und Ohren im Markt und bekommen mit, was Wettbewerber und Kunden bewegt.",
    "excuse_delegate_to_juniors": "Lassen Sie sich von den Jüngeren zeigen, wie es geht – Reverse Mentoring ist ein echter Gewinn für Führungskräfte.",
    "excuse_fear_of_mistakes": "Firmen mit aktiven Chefs wirken transparenter, und eine Beschwerde, auf die Sie offen reagieren, schafft sogar Vertrauen.",
    "excuse_no_roi": "Dann messen Sie die Wirkung mit ein paar Kennzahlen und fragen im Kundengespräch nach, dann ist das kein Bauchgefühl mehr.",
    "excuse_employees_unwilling": "Beiträge von Mitarbeitenden bringen achtmal mehr Engagement – schon zwei Freiwillige machen einen Unterschied.",
    "excuse_distrust_employees": "Gemeinsame Spielregeln und offenes Feedback helfen, und Misstrauen bremst gerade die engagierten Leute aus.",
    "excuse_already_have_profile": "Eine Seite allein bewegt nichts. Erst wenn Sie selbst regelmäßig etwas teilen, nimmt man Sie wahr.",
    "excuse_too_old": "Ihre lange Erfahrung ist dort ein echter Vorteil. Und von jüngeren Kolleginnen lernen Sie die Technik schnell.",
    "excuse_on_xing": "Behalten Sie XING ruhig. LinkedIn ergänzt es und erreicht die Kunden, die dort nicht sind.",
    "excuse_tidy_up_first": "Nehmen Sie das Team gleich mit ins Boot. Ein Vorsprung der anderen lässt sich später kaum aufholen.",
}
WEAK_ANSWERS = ["Hm, da haben Sie wohl recht.", "Naja, jeder muss das selbst wissen.",
                "Ich finde LinkedIn halt wichtig, weil alle da sind.", "keine ahnung",
                "Das ist schwierig, ich verstehe Sie ja."]
WEAK_FOLLOW_UPS = ["Ja, stimmt schon.", "Weiß ich auch nicht.", "Tipp",
                   "Dann probieren Sie es halt mal aus, vielleicht bringt es ja doch was.", "ok"]


class Trainee:
    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.sender = f"e2e-practice-{name}-{uuid.uuid4().hex[:8]}"
        self.transcript = []
        self.text = ""

    def say(self, text: str) -> str:
        answer = messages(self.url, self.sender, text)
        self.text = text_of(answer)
        self.buttons = [b["title"] for m in answer for b in m.get("buttons") or []]
        self.transcript.append(f"Trainee: {text}")
        self.transcript += [f"Coach:   {m.get('text', '')}" + (
            f"  [Buttons: {' | '.join(b['title'] for b in m['buttons'])}]" if m.get("buttons") else "")
            for m in answer]
        return self.text

    def excuse_in_play(self) -> str:
        found = [e.id for e in KB.excuses.values() if any(o in self.text for o in e.practice.openings)]
        assert len(found) == 1, f"no CEO opening in {self.text!r}"
        return found[0]


def report(database_url: str, *args: str):
    result = subprocess.run(
        [sys.executable, "-m", "core.report", "--database-url", database_url, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return result.stdout


def keep(trainee: Trainee, name: str) -> None:
    folder = os.environ.get("PRACTICE_TRANSCRIPT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.txt").write_text("\n".join(trainee.transcript) + "\n", encoding="utf-8")


def test_five_round_practice_of_two_trainees_lands_in_the_trainer_report(coach):
    # The shared stack's log; the report for the training code holds only these two trainees.
    database_url = coach.env["DATABASE_URL"]
    strong = Trainee(coach.rasa_url, "strong")
    strong.say(f"Übungsmodus starten, Code {CODE}")
    assert "Trainingscode WS-NOV" in strong.text and "Welchen Einwand" in strong.text
    strong.say("/excuse_no_time")
    played = []
    for round_no in range(1, 6):
        assert f"Runde {round_no} von 5" in strong.text
        excuse_id = strong.excuse_in_play()
        played.append(excuse_id)
        strong.say(STRONG[excuse_id])
        # Scored by meaning, one point per clause (how often answers land in a trainer's band is
        # tests/test_practice_answers.py): every strong answer earns points and is quoted.
        assert re.search(r"[123] von 3 Punkten", strong.text) and "Ihre Worte" in strong.text
        assert any(y in strong.text for y in KB.excuse(excuse_id).practice.yes_buts)
        strong.say(STRONG_FOLLOW_UPS[excuse_id])
        assert re.search(rf"Runde {round_no}: [123] von 3 Punkten", strong.text)
        assert KB.excuse(excuse_id).practice.model_answer in strong.text
    assert played[0] == "excuse_no_time" and len(set(played)) == 5
    assert re.search(r"Sie haben \d+ von 15 möglichen Punkten geholt", strong.text)
    assert "Daran sollten Sie noch feilen" in strong.text
    # The summary offers the round with the fewest points again (the earliest on a tie).
    summary = [(int(points), title) for title, points in
               re.findall(r"Runde \d+ – (.+?): (\d) von 3", strong.text)]
    assert len(summary) == 5
    weakest_title = min(summary, key=lambda round_: round_[0])[1]
    assert strong.buttons == [f"Noch einmal: {weakest_title}", "Neue Übung", "Zurück zum Coaching"]
    keep(strong, "strong")

    weak = Trainee(coach.rasa_url, "weak")
    weak.say("Rollenspiel starten")
    assert "Trainingscode" in weak.text
    weak.say(f"Code {CODE.lower()}")
    weak.say("Coach wählt aus")
    weak_played = []
    for round_no in range(1, 6):
        weak_played.append(weak.excuse_in_play())
        weak.say(WEAK_ANSWERS[round_no - 1])
        # Scored either way: points, 0 points, or no point for a clause that sides with the CEO.
        assert re.search(r"\b(?:0 Punkte|keinen Punkt|von 3 Punkten)\b", weak.text), weak.text
        weak.say(WEAK_FOLLOW_UPS[round_no - 1])
        if WEAK_FOLLOW_UPS[round_no - 1] == "Tipp":  # the hint does not end the round
            assert "Ein Tipp" in weak.text and "Runde" not in weak.text
            weak.say("Sie könnten doch einfach mal mit einem Plan anfangen und Fehler sind ja erlaubt.")
    assert "Auswertung" in weak.text
    keep(weak, "weak")

    coaching = Trainee(coach.rasa_url, "after")
    coaching.say("Ich habe einfach keine Zeit für LinkedIn")
    assert KB.excuse("excuse_no_time").arguments[0].text in coaching.text  # coaching as before

    data = json.loads(report(database_url, "--format", "json", "--code", CODE))
    sessions = {s["id"]: s for s in data["sessions"]}
    assert len(sessions) == 2
    by_excuses = sorted(sessions.values(), key=lambda s: -sum(r["score"] for r in s["practice_rounds"]))
    best, worst = by_excuses
    for session in (best, worst):
        assert session["mode"] == "practice" and session["training_code"] == CODE
        assert [r["round"] for r in session["practice_rounds"]] == [1, 2, 3, 4, 5]
    assert [r["excuse_id"] for r in best["practice_rounds"]] == played
    assert all(r["score"] >= 1 and r["covered"] for r in best["practice_rounds"])
    assert sum(r["score"] for r in best["practice_rounds"]) >= 10
    assert [r["excuse_id"] for r in worst["practice_rounds"]] == weak_played
    assert sum(r["score"] for r in worst["practice_rounds"]) <= 5
    trainer = data["summary"]["practice"]
    assert trainer["participants"] == 2 and trainer["rounds"] == 10
    assert trainer["most_missed"]

    text = report(database_url, "--code", CODE)
    assert "Übungsmodus (Rollenspiel) – Trainingscode WS-NOV" in text and "Teilnehmende: 2, Runden: 10" in text
