"""A loopback CRM webhook receiver: checks ``X-Leadbot-Signature``, records what it accepted.

Fault injection comes from ``FakeServer`` (``fail``, ``delay``, ``hang`` on ``/hook``). A
request whose signature does not match the body under ``secret`` is refused with 401 and not
accepted; ``accepted`` holds the bodies it took, in order, so tests see duplicates too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer

PATH = "/hook"


class FakeWebhook(FakeServer):
    """A receiver at ``hook_url`` that verifies the HMAC-SHA256 signature of every body."""

    def __init__(self, secret: str = "whsec-test") -> None:
        super().__init__()
        self.secret = secret
        self.accepted: list[dict[str, Any]] = []
        self.refused = 0

    @property
    def hook_url(self) -> str:
        return f"{self.url}{PATH}"

    def routes(self, app: web.Application) -> None:
        app.router.add_post(PATH, self._receive)

    def error_body(self, status: int, message: str) -> Any:
        return {"error": message}

    def events(self) -> list[str]:
        """The names of the events accepted, in order."""
        return [body["event"] for body in self.accepted]

    async def _receive(self, request: web.Request) -> web.Response:
        raw = await request.read()
        expected = "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
        given = request.headers.get("X-Leadbot-Signature", "")
        if not hmac.compare_digest(given, expected):
            self.refused += 1
            return web.json_response({"error": "bad signature"}, status=401)
        self.accepted.append(json.loads(raw))
        return web.json_response({"ok": True})
