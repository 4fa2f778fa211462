"""Browser test of the trainer pages (scripts/trainer_pages.py) in Debian's Chromium: a practice
group and a misread message are played over REST against the real servers, then the trainer
logs in, sees the group with its charts, downloads the report, and labels the message in the
review inbox; the example lands in the NLU file, and `rasa data validate` accepts it."""
import csv
import io
import json
import os
import subprocess
import sys

import pytest
import requests
from playwright.sync_api import expect

from coach.knowledge_base import load
from services import ROOT, VENV_BIN, Services
from tests.servers import running_coach
from tests.test_browser import RESULTS, browser  # noqa: F401 - the shared Chromium fixture
from tests.test_e2e_practice import STRONG_FOLLOW_UPS, Trainee
from tests.test_practice_scorer import STRONG

pytestmark = pytest.mark.e2e
KB = load()
TOKEN = "trainer-test-token-5f1c"
CODE = "WS-WEB"
MISREAD = "ehrlich gesagt fehlt mir für linkedin im moment die zeit"
CORRECTION = "nein sie haben mich falsch verstanden, es geht nicht um die zeit sondern dass ich nicht weiß was ich posten soll"
PORTS = {"RASA_PORT": os.environ.get("TEST_TRAINER_RASA_PORT", "24605"),
         "ACTION_PORT": os.environ.get("TEST_TRAINER_ACTION_PORT", "24655"),
         "WEB_PORT": os.environ.get("TEST_TRAINER_WEB_PORT", "24680")}
SPARE_WEB_PORT = os.environ.get("TEST_TRAINER_SPARE_WEB_PORT", "24681")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture(scope="module")
def coach(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trainer")
    env = {**PORTS, "TRAINER_TOKEN": TOKEN, "REVIEWED_NLU_FILE": str(folder / "reviewed.yml"), "LOG_USER_TEXT": "true"}
    with running_coach(folder, env) as services:
        play_practice_group(services.rasa_url)
        play_misread_message(services.rasa_url)
        yield services


def play_practice_group(rasa_url: str) -> None:
    strong, weak = Trainee(rasa_url, "strong"), Trainee(rasa_url, "weak")
    for trainee in (strong, weak):
        trainee.say(f"Übungsmodus starten, Code {CODE}, 2 Runden")
        assert f"Trainingscode {CODE}" in trainee.text
        trainee.say("/excuse_no_time")
    for _ in range(2):
        excuse_id = strong.excuse_in_play()
        strong.say(STRONG[excuse_id])
        strong.say(STRONG_FOLLOW_UPS[excuse_id])
        weak.say("keine ahnung")
        weak.say("ok")
    for trainee in (strong, weak):
        assert "Auswertung" in trainee.text


def play_misread_message(rasa_url: str) -> None:
    user = Trainee(rasa_url, "misread")
    user.say(MISREAD)
    assert KB.excuse("excuse_no_time").arguments[0].text in user.text
    user.say(CORRECTION)
    assert KB.excuse("excuse_no_ideas").arguments[0].text in user.text


def log_in(page, url: str, token: str = TOKEN):
    page.goto(url)
    page.get_by_label("Zugangsschlüssel").fill(token)
    page.get_by_role("button", name="Anmelden").click()


def test_trainer_pages_need_the_token(coach, browser):  # noqa: F811
    for path in ("/trainer", "/trainer/review", f"/trainer/report.json?code={CODE}", f"/trainer/report.csv?code={CODE}"):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Cookie": "coach_trainer=wrong"}):
            response = requests.get(coach.web_url + path, headers=headers, timeout=30)
            assert response.status_code == 401, (path, headers)
            assert 'name="token"' in response.text  # the login form, and no figures:
            assert not any(figure in response.text for figure in ("Teilnehmende", "session_count", "started_at", "T-"))
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    log_in(page, coach.web_url + "/trainer", "falsch")
    expect(page.get_by_role("alert")).to_contain_text("stimmt nicht")
    assert "Teilnehmende" not in page.content()
    context.close()
    log = (coach.log_dir / "web-server.log").read_text(encoding="utf-8")
    assert TOKEN not in log


def test_practice_group_appears_with_its_charts_and_csv_matches_the_json_report(coach, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE", accept_downloads=True)
    page = context.new_page()
    log_in(page, coach.web_url + "/trainer")
    page.get_by_label("Trainingscode").select_option(CODE)
    page.get_by_role("button", name="Anzeigen").click()
    facts = page.locator(".facts")
    expect(facts).to_contain_text("Teilnehmende2")
    expect(facts).to_contain_text("Runden4")
    chart = page.get_by_role("img", name="Fortschritt je Teilnehmende")
    expect(chart).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", chart.element_handle()) > 0  # the SVG was drawn
    expect(page.locator("#practice table").first.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("img", name="Punkte je Einwand")).to_be_visible()
    expect(page.get_by_role("img", name="Verpasste Kernpunkte")).to_be_visible()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "trainer-desktop.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    report = requests.get(f"{coach.web_url}/trainer/report.json", params={"code": CODE}, timeout=30,
                          headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert len(rows) == len(report["sessions"]) == 2
    for row, session in zip(rows, report["sessions"]):
        assert row["id"] == session["id"] and row["mode"] == "practice" and row["training_code"] == CODE
        assert int(row["turns"]) == session["turns"] and row["started_at"] == session["started_at"]
    assert report["summary"]["practice"]["participants"] == 2 and report["summary"]["practice"]["rounds"] == 4
    cli = subprocess.run([sys.executable, "-m", "core.report", "--database-url", coach.env["DATABASE_URL"],
                          "--format", "json", "--code", CODE], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(cli.stdout) == report  # the page's download is the report

    # All sessions: the coaching conversation adds its excuses and how each argument worked.
    page.get_by_label("Trainingscode").select_option("")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_role("img", name="Einwände nach Häufigkeit")).to_be_visible()
    expect(page.get_by_role("img", name="Überzeugt nach dem Argument")).to_be_visible()
    arguments = page.locator("#arguments tbody tr")
    expect(arguments.filter(has_text=KB.excuse("excuse_no_ideas").title).first).to_be_visible()
    expect(arguments.first).to_contain_text("%")  # rate with its interval
    page.screenshot(path=str(RESULTS / "trainer-desktop-all.png"), full_page=True)

    phone = browser.new_context(locale="de-DE", **PHONE)
    page = phone.new_page()
    log_in(page, coach.web_url + f"/trainer?code={CODE}")
    expect(page.get_by_role("img", name="Fortschritt je Teilnehmende")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.screenshot(path=str(RESULTS / "trainer-phone.png"), full_page=True)
    phone.close()
    context.close()


def test_misread_message_is_labelled_in_the_inbox_and_lands_in_a_valid_nlu_file(coach, browser):  # noqa: F811
    nlu_file = coach.log_dir.parent / "reviewed.yml"
    context = browser.new_context(locale="de-DE", **PHONE)
    page = context.new_page()
    log_in(page, coach.web_url + "/trainer/review")
    item = page.locator(".item", has=page.locator("blockquote", has_text=MISREAD))
    expect(item).to_be_visible()
    expect(page.locator(".item")).to_have_count(1)  # the practice answers are no misreadings
    expect(item).to_contain_text("im Gespräch korrigiert")
    expect(item.locator(".ranking li")).to_have_count(3)
    expect(item.locator(".answer")).to_contain_text(KB.excuse("excuse_no_time").arguments[0].text[:40])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(RESULTS / "trainer-review-phone.png"), full_page=True)

    item.get_by_label("Richtige Absicht").select_option("excuse_no_ideas")
    item.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Danke")
    expect(page.locator("blockquote", has_text=MISREAD)).to_have_count(0)
    content = nlu_file.read_text(encoding="utf-8")
    assert f"- intent: excuse_no_ideas\n  examples: |\n    - {MISREAD}\n" in content
    context.close()

    validate = subprocess.run([str(VENV_BIN / "rasa"), "data", "validate", "--quiet", "--domain", "domain.yml",
                               "--data", "data", str(nlu_file)], cwd=ROOT, capture_output=True, text=True)
    assert validate.returncode == 0, validate.stdout[-2000:] + validate.stderr[-2000:]


def web_server_only(env):
    """A second chat page server on the same log (Services starts nothing until asked)."""
    server = Services(env, log_dir=RESULTS.parent / "logs" / "trainer-test")
    server.start_web()
    return server


def test_pages_are_off_without_token_and_inbox_explains_when_no_text_is_logged(coach, browser):  # noqa: F811
    base = {"WEB_PORT": SPARE_WEB_PORT, "DATABASE_URL": coach.env["DATABASE_URL"]}
    server = web_server_only({**base, "TRAINER_TOKEN": ""})
    try:
        for path in ("/trainer", "/trainer/review", "/trainer/report.csv"):
            assert requests.get(server.web_url + path, timeout=30).status_code == 404
    finally:
        server.stop()
    server = web_server_only({**base, "TRAINER_TOKEN": TOKEN, "LOG_USER_TEXT": "false"})
    try:
        context = browser.new_context(locale="de-DE")
        page = context.new_page()
        log_in(page, server.web_url + "/trainer/review")
        expect(page.locator("#empty")).to_contain_text("LOG_USER_TEXT=false")
        expect(page.locator("blockquote")).to_have_count(0)
        context.close()
    finally:
        server.stop()
