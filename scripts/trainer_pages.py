"""The trainer pages on the chat page's server: cockpit (/trainer), downloads and review inbox.

`mount(app, environ)` adds the routes only when TRAINER_TOKEN is set; without it every
/trainer address is a 404. Access: the login form posts the token once and gets a cookie
holding an HMAC of it (HttpOnly, SameSite=Strict, path /trainer), or a script sends
`Authorization: Bearer <token>`. The token never appears in an address, so no access log can
hold it; without access a page answers 401 with the login form and no figures. The pages use
no script: their CSP allows styles and images from this server (charts as data: URIs) only.
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
from datetime import date
from pathlib import Path
from typing import Awaitable, Callable, Mapping, Optional

from aiohttp import web

import trainer_html as html
from core import report, report_formats, review, trainer_data
from core.session_store import SessionStore, database_url

COOKIE = "coach_trainer"
STYLESHEET = Path(__file__).resolve().parent.parent / "web" / "trainer.css"
FAILED_LOGIN_DELAY = 1.0  # seconds; slows down guessing the token
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'", "style-src 'self'", "img-src 'self' data:", "form-action 'self'",
    "base-uri 'none'", "frame-ancestors 'none'",
])
HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class TrainerPages:
    def __init__(self, token: str, url: str, log_user_text: bool, nlu_file: review.NluFile) -> None:
        self.token = token
        self.session_value = hmac.new(token.encode(), b"ausreden-coach trainer session", hashlib.sha256).hexdigest()
        self.url = url
        self.log_user_text = log_user_text
        self.nlu_file = nlu_file
        self.store: Optional[SessionStore] = None

    # Read at first use, not at the start: the chat page must come up at once.
    @functools.cached_property
    def titles(self):
        return report_formats.excuse_titles()

    @functools.cached_property
    def choices(self):
        return review.intent_choices()

    # -- access ---------------------------------------------------------------------------
    def authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), self.token.encode()):
            return True
        return hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), self.session_value.encode())

    def protected(self, handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            if not self.authorised(request):
                return page_response(html.login(False, request.path_qs), status=401)
            return await handler(request)
        return checked

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        target = str(form.get("next") or "/trainer")
        if not target.startswith("/trainer") or target.startswith("//"):
            target = "/trainer"
        if not hmac.compare_digest(str(form.get("token", "")).encode(), self.token.encode()):
            await asyncio.sleep(FAILED_LOGIN_DELAY)
            return page_response(html.login(True, target), status=401)
        response = web.HTTPSeeOther(target, headers=HEADERS)
        response.set_cookie(COOKIE, self.session_value, path="/trainer", httponly=True, samesite="Strict",
                            secure=request.secure)
        return response

    async def logout(self, _: web.Request) -> web.StreamResponse:
        response = web.HTTPSeeOther("/trainer", headers=HEADERS)
        response.del_cookie(COOKIE, path="/trainer")
        return response

    # -- cockpit --------------------------------------------------------------------------
    async def cockpit(self, request: web.Request) -> web.StreamResponse:
        selection, problem = selection_of(request.query)
        codes = await asyncio.to_thread(trainer_data.training_codes, self.url)
        data = None
        if problem is None:
            try:
                data = await asyncio.to_thread(trainer_data.load, self.url, selection)
            except report.ReportError as error:
                problem = str(error)
        titles = await asyncio.to_thread(lambda: self.titles)
        body = await asyncio.to_thread(html.cockpit, selection, codes, data, titles, problem)
        return page_response(body)

    async def download(self, request: web.Request) -> web.StreamResponse:
        selection, problem = selection_of(request.query)
        if problem:
            raise web.HTTPBadRequest(text=problem, headers=HEADERS)
        try:
            data = await asyncio.to_thread(trainer_data.load, self.url, selection)
        except report.ReportError as error:
            raise web.HTTPNotFound(text=str(error), headers=HEADERS)
        kind = request.match_info["kind"]
        name = f"ausreden-coach-bericht{'-' + selection.code if selection.code else ''}.{kind}"
        return web.Response(text=data.json() if kind == "json" else data.csv(), headers={
            **HEADERS, "Content-Type": f"{'application/json' if kind == 'json' else 'text/csv'}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"'})

    # -- review inbox ---------------------------------------------------------------------
    def _review_store(self) -> Optional[SessionStore]:
        """The log with the review table (migrated here: the Rasa server may not have started it
        yet); None while nothing was ever logged."""
        if self.store is None:
            store = SessionStore(self.url)
            if not store.has_schema():
                store.dispose()
                return None
            store.migrate()
            self.store = store
        return self.store

    async def inbox(self, request: web.Request) -> web.StreamResponse:
        items = []
        if self.log_user_text:
            store = await asyncio.to_thread(self._review_store)
            items = await asyncio.to_thread(review.inbox, store) if store else []
        choices, titles = await asyncio.to_thread(lambda: (self.choices, self.titles))
        return page_response(html.inbox(items, choices, titles, self.log_user_text,
                                        request.query.get("done")))

    async def decide(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        decision = str(form.get("decision", ""))
        choices = await asyncio.to_thread(lambda: self.choices)
        if decision != review.IGNORE and decision not in choices:
            raise web.HTTPBadRequest(text="Unbekannte Absicht.", headers=HEADERS)
        done = "gone"
        store = await asyncio.to_thread(self._review_store) if self.log_user_text else None
        if store is not None:
            item = await asyncio.to_thread(review.find_item, store, str(form.get("session_id", "")),
                                           str(form.get("event_key", "")))
            if item is not None:
                written = await asyncio.to_thread(review.record, store, item, decision, self.nlu_file)
                done = "ignored" if decision == review.IGNORE else "written" if written else "known"
        raise web.HTTPSeeOther(f"/trainer/review?done={done}", headers=HEADERS)

    async def stylesheet(self, _: web.Request) -> web.StreamResponse:
        return web.FileResponse(STYLESHEET, headers={**HEADERS, "Content-Type": "text/css; charset=utf-8",
                                                     "Cache-Control": "no-cache"})

    async def close(self, _: web.Application) -> None:
        if self.store is not None:
            self.store.dispose()


def page_response(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8", headers=HEADERS)


def selection_of(query: Mapping[str, str]):
    """The trainer's choice from the form; a problem text instead of figures when it is invalid."""
    try:
        start, end = (date.fromisoformat(query[k]) if query.get(k) else None for k in ("from", "to"))
    except ValueError:
        return trainer_data.Selection(), "Bitte geben Sie die Daten als Kalendertage an."
    selection = trainer_data.Selection(query.get("code") or None, start, end)
    if start and end and start > end:
        return selection, "Der erste Tag liegt nach dem letzten."
    return selection, None


def mount(app: web.Application, environ: Mapping[str, str]) -> bool:
    """Adds the trainer routes when TRAINER_TOKEN is set; returns whether it did."""
    token = (environ.get("TRAINER_TOKEN") or "").strip()
    if not token:
        return False
    nlu_path = environ.get("REVIEWED_NLU_FILE") or review.REVIEWED_NLU_FILE
    log_user_text = str(environ.get("LOG_USER_TEXT", "true")).strip().lower() not in ("false", "0", "no", "")
    pages = TrainerPages(token, database_url(), log_user_text,
                         review.NluFile(Path(nlu_path)))
    app.router.add_get("/trainer", pages.protected(pages.cockpit))
    app.router.add_get(r"/trainer/report.{kind:(csv|json)}", pages.protected(pages.download))
    app.router.add_get("/trainer/review", pages.protected(pages.inbox))
    app.router.add_post("/trainer/review", pages.protected(pages.decide))
    app.router.add_post("/trainer/login", pages.login)
    app.router.add_post("/trainer/logout", pages.logout)
    app.router.add_get("/trainer/trainer.css", pages.stylesheet)
    app.on_cleanup.append(pages.close)
    return True
