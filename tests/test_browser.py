"""Browser test: the chat page (rasa-webchat over socket.io) in Debian's Chromium, driven by
Playwright, against the real action server, Rasa server and web server."""
import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import websockets
from playwright.sync_api import Page, expect, sync_playwright

from coach.knowledge_base import load
from services import ROOT

pytestmark = pytest.mark.e2e
NO_TIME = load().excuse("excuse_no_time")
RESULTS = ROOT / "results"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package (scripts/setup_browser.sh); never downloaded
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
ANSWER_TIMEOUT = 30_000  # ms; the widget adds a short typing pause per message

FOREIGN_ORIGIN = "http://evil.example"


def page_origin(coach) -> str:
    """Where the chat page is served; the Rasa server allows it (CHAT_ALLOWED_ORIGINS, tests/conftest.py)."""
    return f"http://127.0.0.1:{coach.env['WEB_PORT']}"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup_browser.sh (part of `make test`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ChatPage:
    """The chat page as a user sees it; records every JavaScript dialog (alert) it opens."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.dialogs = []
        page.on("dialog", self._record_dialog)
        page.goto(url)
        # The widget's "…" typing bubble is a .rw-response, too.
        self.bot_messages = page.locator(".rw-message:not(.rw-typing-indication) .rw-response")

    def _record_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def expect_bot(self, text: str) -> None:
        expect(self.bot_messages.filter(has_text=text).last).to_be_visible(timeout=ANSWER_TIMEOUT)

    def wait_for_answer(self, messages_before: int) -> None:
        """The widget shows a turn's messages one by one after a typing pause: wait for all."""
        expect(self.bot_messages.nth(messages_before)).to_be_visible(timeout=ANSWER_TIMEOUT)
        expect(self.page.locator(".rw-typing-indication")).to_have_count(0, timeout=ANSWER_TIMEOUT)

    def type(self, text: str) -> None:
        messages_before = self.bot_messages.count()
        field = self.page.get_by_placeholder("Ihre Nachricht …")
        field.fill(text)
        field.press("Enter")
        expect(self.page.locator(".rw-client").last).to_have_text(text)
        self.wait_for_answer(messages_before)

    def quick_reply(self, title: str):
        """The button of the latest message offering it (older ones are already answered)."""
        return self.page.locator(".rw-reply", has_text=title).last

    def expect_shown_literally(self, text: str) -> None:
        """The typed markup is in the bubble as text, no element was made of it, nothing ran."""
        expect(self.page.locator(".rw-client").last).to_have_text(text)
        self.page.wait_for_timeout(1000)  # time for a (wrongly) injected <img> to fail and fire onerror
        assert self.page.locator("#chat img, #chat script").count() == 0
        assert self.dialogs == []


def test_coaching_in_the_browser_survives_reload_and_shows_markup_as_text(coach, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    chat = ChatPage(context.new_page(), coach.web_url)

    chat.wait_for_answer(0)
    chat.expect_bot("Ausreden-Coach")
    expect(chat.quick_reply("Keine Zeit")).to_be_visible()

    chat.type("Ich habe keine Zeit für LinkedIn")
    chat.expect_bot(NO_TIME.arguments[0].text)

    messages_before = chat.bot_messages.count()
    chat.quick_reply("Ja, aber …").click()
    chat.wait_for_answer(messages_before)  # the widget stores a message only once it shows it
    chat.expect_bot(NO_TIME.arguments[1].text)

    # Reload: the widget shows the stored conversation and, with session_persistence, the Rasa
    # server continues the same one — the next "Ja, aber …" brings the third argument.
    chat.page.reload()
    chat.expect_bot(NO_TIME.arguments[0].text)
    chat.expect_bot(NO_TIME.arguments[1].text)
    messages_before = chat.bot_messages.count()
    chat.quick_reply("Ja, aber …").focus()  # keyboard operation: quick replies are focusable buttons
    chat.page.keyboard.press("Enter")
    chat.wait_for_answer(messages_before)
    chat.expect_bot(NO_TIME.arguments[2].text)

    for markup in ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>"):
        chat.type(markup)  # waits for the coach's answer, too
        chat.expect_shown_literally(markup)

    RESULTS.mkdir(exist_ok=True)
    chat.page.screenshot(path=str(RESULTS / "browser-desktop.png"))
    context.close()


def test_phone_viewport(coach, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2, locale="de-DE")
    chat = ChatPage(context.new_page(), coach.web_url)

    chat.wait_for_answer(0)
    chat.quick_reply("Keine Zeit").tap()
    chat.expect_bot(NO_TIME.arguments[0].text)
    expect(chat.quick_reply("Ja, aber …")).to_be_visible(timeout=ANSWER_TIMEOUT)
    chat.type("<img src=x onerror=alert(1)>")
    chat.expect_shown_literally("<img src=x onerror=alert(1)>")

    assert chat.page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    expect(chat.page.get_by_role("button", name="Neu starten")).to_be_in_viewport()
    RESULTS.mkdir(exist_ok=True)
    chat.page.screenshot(path=str(RESULTS / "browser-phone.png"))
    context.close()


def test_restart_button_starts_a_new_conversation(coach, browser):
    context = browser.new_context(locale="de-DE")
    chat = ChatPage(context.new_page(), coach.web_url)
    chat.wait_for_answer(0)
    chat.type("Ich habe keine Zeit für LinkedIn")
    chat.expect_bot(NO_TIME.arguments[0].text)

    chat.page.get_by_role("button", name="Neu starten").click()
    chat.wait_for_answer(0)
    chat.expect_bot("Ausreden-Coach")
    expect(chat.page.locator(".rw-client")).to_have_count(0)
    expect(chat.page.locator(".rw-response", has_text=NO_TIME.arguments[0].text)).to_have_count(0)
    context.close()


def test_csp_stops_inline_script_even_if_markup_got_into_the_page(coach, browser):
    """Second line of defence: were the widget ever to render HTML, inline handlers would not run."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(coach.web_url)
    page.evaluate("""document.body.insertAdjacentHTML('beforeend',
        '<img src=x onerror="window.injected = true"><a id=js href="javascript:window.injected = true">x</a>')""")
    page.click("#js")
    page.wait_for_timeout(500)
    assert page.evaluate("window.injected") is None
    context.close()


def test_page_headers_and_only_the_needed_files_are_served(coach):
    for path in ("/", "/chat.js", "/vendor/rasa-webchat.js", "/config.json"):
        response = requests.get(coach.web_url + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-eval" not in csp
        assert f"connect-src 'self' {coach.rasa_url} ws://" in csp
    assert requests.get(coach.web_url + "/config.json", timeout=10).json() == {"socketUrl": coach.rasa_url}
    for path in ("/node_modules/rasa-webchat/package.json", "/vendor/../package.json", "/web_server.py"):
        assert requests.get(coach.web_url + path, timeout=10).status_code == 404, path


def polling_handshake(rasa_url: str, origin: str) -> requests.Response:
    return requests.get(f"{rasa_url}/socket.io/", params={"EIO": "4", "transport": "polling"},
                        headers={"Origin": origin}, timeout=10)


def websocket_status(rasa_url: str, origin: str) -> int:
    async def handshake() -> int:
        url = rasa_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        try:
            async with websockets.connect(url, origin=origin, open_timeout=10):
                return 101
        except websockets.InvalidStatusCode as refused:
            return refused.status_code

    # In a thread of its own: Playwright's sync API already runs an event loop in this one.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, handshake()).result()


def test_only_the_chat_page_origin_may_use_the_rasa_server(coach):
    allowed = polling_handshake(coach.rasa_url, page_origin(coach))
    assert allowed.status_code == 200 and '"sid"' in allowed.text
    assert allowed.headers["Access-Control-Allow-Origin"] == page_origin(coach)

    foreign = polling_handshake(coach.rasa_url, FOREIGN_ORIGIN)
    assert foreign.status_code == 400
    assert "Access-Control-Allow-Origin" not in foreign.headers

    # Browsers apply no CORS to WebSockets: the server itself must refuse the foreign origin.
    assert websocket_status(coach.rasa_url, page_origin(coach)) == 101
    assert websocket_status(coach.rasa_url, FOREIGN_ORIGIN) == 400

    # Rasa's HTTP endpoints give a foreign page no CORS permission either.
    preflight = requests.options(f"{coach.rasa_url}/webhooks/rest/webhook", timeout=10, headers={
        "Origin": FOREIGN_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
