"""Serves the chat page: web/index.html, its script and style, the rasa-webchat bundle and the
widget config (/config.json with the Rasa server's address); with TRAINER_TOKEN set also the
trainer pages under /trainer (scripts/trainer_pages.py).

Started by scripts/services.py; reads WEB_HOST, WEB_PORT, RASA_HOST and RASA_PORT from the
environment (TRAINER_TOKEN, DATABASE_URL and LOG_USER_TEXT for the trainer pages). Serves
exactly the files listed below, nothing else from web/ or node_modules.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # core/, when run as a script
import trainer_pages  # noqa: E402

WEB = Path(__file__).resolve().parent.parent / "web"
WIDGET_BUNDLE = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
FILES = {
    "/": (WEB / "index.html", "text/html; charset=utf-8"),
    "/chat.js": (WEB / "chat.js", "text/javascript; charset=utf-8"),
    "/chat.css": (WEB / "chat.css", "text/css; charset=utf-8"),
    "/vendor/rasa-webchat.js": (WIDGET_BUNDLE, "text/javascript; charset=utf-8"),
}


def content_security_policy(rasa_url: str) -> str:
    websocket_url = "ws" + rasa_url[len("http"):]
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        # socket.io starts with HTTP long-polling, then upgrades to a WebSocket.
        f"connect-src 'self' {rasa_url} {websocket_url}",
        # The widget injects its stylesheet as <style> elements (webpack style-loader).
        "style-src 'self' 'unsafe-inline'",
        # The widget's icons are data: URIs.
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])


def create_app(rasa_url: str) -> web.Application:
    security_headers = {
        "Content-Security-Policy": content_security_policy(rasa_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",  # revalidate, so an update reaches the browser at once
    }
    config = json.dumps({"socketUrl": rasa_url})

    async def add_security_headers(_: web.Request, response: web.StreamResponse) -> None:
        for name, value in security_headers.items():
            response.headers.setdefault(name, value)  # the trainer pages set stricter ones

    async def serve_file(request: web.Request) -> web.FileResponse:
        path, content_type = FILES[request.path]
        return web.FileResponse(path, headers={"Content-Type": content_type})

    async def serve_config(_: web.Request) -> web.Response:
        return web.Response(text=config, content_type="application/json")

    app = web.Application()
    app.on_response_prepare.append(add_security_headers)
    app.router.add_get("/config.json", serve_config)
    for route in FILES:
        app.router.add_get(route, serve_file)
    trainer_pages.mount(app, os.environ)
    return app


def main() -> int:
    missing = [str(path) for path, _ in FILES.values() if not path.is_file()]
    if missing:
        print(f"Missing: {', '.join(missing)} – run `npm ci --prefix web` (part of `make run`).", file=sys.stderr)
        return 1
    host, port = os.environ.get("WEB_HOST", "127.0.0.1"), int(os.environ.get("WEB_PORT", "8000"))
    rasa_url = f"http://{os.environ.get('RASA_HOST', '127.0.0.1')}:{os.environ.get('RASA_PORT', '5005')}"
    print(f"Chat page on http://{host}:{port}, widget connects to {rasa_url}", flush=True)
    web.run_app(create_app(rasa_url), host=host, port=port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
