"""Readiness check: GET /webhooks/health/ready answers 200 while the database takes every write,
503 while it is unreachable or turns still wait in memory to be written (addons/db_health.py).

Rasa's own `GET /` only says the process is up (liveness); a load balancer or monitoring
should use this one to see an outage that Rasa would otherwise hide.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import InputChannel, UserMessage

from addons.db_health import HEALTH


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("health_webhook", __name__)

        @health.route("/ready", methods=["GET"])
        async def ready(_: Request) -> HTTPResponse:
            state = HEALTH.snapshot()
            return response.json(state, status=200 if state["status"] == "ready" else 503)

        return health
