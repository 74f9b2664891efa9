"""A loopback fake of Zoom's server-to-server OAuth and the meeting endpoints we use.

``POST /oauth/token?grant_type=account_credentials&account_id=...`` with HTTP Basic
``client_id:client_secret`` issues bearer tokens; ``/v2/users/me/meetings`` (POST) creates a
meeting and ``/v2/meetings/{id}`` (GET, DELETE) reads or deletes one, 404 with Zoom's code 3001
when missing. API calls need a live token (401, code 124, otherwise); ``expire_tokens()`` kills the
current ones to exercise the refresh path. ``fake.meetings`` holds the live meetings by id.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer

# Fields of Zoom's "Create a meeting" request body; anything else is refused, catching typos.
MEETING_FIELDS = frozenset({
    "agenda", "default_password", "duration", "password", "pre_schedule", "recurrence",
    "schedule_for", "settings", "start_time", "template_id", "timezone", "topic",
    "tracking_fields", "type",
})
_START_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ?$")


def _zoom_error(status: int, code: int, message: str) -> web.HTTPException:
    classes: dict[int, type[web.HTTPException]] = {
        400: web.HTTPBadRequest, 401: web.HTTPUnauthorized, 404: web.HTTPNotFound,
    }
    return classes[status](text=json.dumps({"code": code, "message": message}),
                           content_type="application/json")


class FakeZoom(FakeServer):
    """Zoom OAuth + meetings API on 127.0.0.1."""

    def __init__(
        self, *, account_id: str = "test-account", client_id: str = "test-client",
        client_secret: str = "test-secret", token_lifetime: int = 3599,
    ) -> None:
        super().__init__()
        self.account_id = account_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.tokens: set[str] = set()
        self.meetings: dict[str, dict[str, Any]] = {}
        self.max_page_size = 300
        """Zoom's cap on ``page_size``; lower it to exercise pagination."""
        self._ids = itertools.count(1)

    @property
    def api_url(self) -> str:
        """The REST API base URL."""
        return f"{self.url}/v2"

    @property
    def oauth_url(self) -> str:
        """The token endpoint."""
        return f"{self.url}/oauth/token"

    @property
    def token_requests(self) -> int:
        """How many tokens were asked for."""
        return self.count("POST", "/oauth/token")

    def expire_tokens(self) -> None:
        """Invalidate every issued token (the next API call answers 401)."""
        self.tokens.clear()

    def error_body(self, status: int, message: str) -> Any:
        return {"code": status, "message": message}

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/oauth/token", self._token)
        app.router.add_post("/v2/users/me/meetings", self._create)
        app.router.add_get("/v2/users/me/meetings", self._list)
        app.router.add_get("/v2/meetings/{meeting_id}", self._get)
        app.router.add_delete("/v2/meetings/{meeting_id}", self._delete)

    async def _token(self, request: web.Request) -> web.Response:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response(
                {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
                status=400,
            )
        if request.query.get("grant_type") != "account_credentials":
            return web.json_response(
                {"reason": "Unsupported grant type", "error": "unsupported_grant_type"},
                status=400,
            )
        if request.query.get("account_id") != self.account_id:
            return web.json_response(
                {"reason": "Invalid account_id", "error": "invalid_request"}, status=400
            )
        token = f"zoom-token-{next(self._ids)}"
        self.tokens.add(token)
        return web.json_response({
            "access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime,
            "scope": "meeting:write:meeting:admin meeting:delete:meeting:admin",
            "api_url": self.url,
        })

    def _authorize(self, request: web.Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.tokens:
            raise _zoom_error(401, 124, "Invalid access token.")

    async def _create(self, request: web.Request) -> web.Response:
        self._authorize(request)
        body = await request.json()
        unknown = set(body) - MEETING_FIELDS
        if unknown:
            raise _zoom_error(400, 300, f"Invalid field: {', '.join(sorted(unknown))}")
        topic, start_time = body.get("topic", ""), body.get("start_time")
        if not isinstance(topic, str) or len(topic) > 200:
            raise _zoom_error(400, 300, "Invalid topic.")
        if body.get("type") not in (1, 2, 3, 8):
            raise _zoom_error(400, 300, "Invalid meeting type.")
        if body.get("type") == 2 and not (
            isinstance(start_time, str) and _START_TIME.match(start_time)
        ):
            raise _zoom_error(400, 300, "Invalid start_time.")
        if not isinstance(body.get("duration", 0), int):
            raise _zoom_error(400, 300, "Invalid duration.")
        number = 85000000000 + next(self._ids)
        meeting = {
            "uuid": f"uuid-{number}==", "id": number, "host_id": "host-1",
            "host_email": "agent@example.com", "topic": topic, "type": body["type"],
            "status": "waiting", "start_time": start_time, "duration": body.get("duration", 60),
            "timezone": body.get("timezone", "UTC"),
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "start_url": f"https://zoom.example/s/{number}?zak=host",
            "join_url": f"https://zoom.example/j/{number}?pwd=abc",
            "password": "abc", "settings": body.get("settings", {}),
            "agenda": body.get("agenda", ""),
        }
        self.meetings[str(number)] = meeting
        return web.json_response(meeting, status=201)

    async def _list(self, request: web.Request) -> web.Response:
        """List meetings, paginated like Zoom (page_size, next_page_token)."""
        self._authorize(request)
        size = min(int(request.query.get("page_size", "30")), self.max_page_size)
        start = int(request.query.get("next_page_token") or 0)
        items = list(self.meetings.values())
        page = items[start:start + size]
        token = str(start + size) if start + size < len(items) else ""
        keys = ("uuid", "id", "host_id", "topic", "type", "start_time", "duration", "timezone",
                "created_at", "join_url", "agenda")
        return web.json_response({"page_size": size, "total_records": len(items),
                                  "next_page_token": token,
                                  "meetings": [{k: m[k] for k in keys} for m in page]})

    def _meeting(self, request: web.Request) -> str:
        meeting_id = request.match_info["meeting_id"]
        if meeting_id not in self.meetings:
            raise _zoom_error(404, 3001, f"Meeting does not exist: {meeting_id}.")
        return meeting_id

    async def _get(self, request: web.Request) -> web.Response:
        self._authorize(request)
        return web.json_response(self.meetings[self._meeting(request)])

    async def _delete(self, request: web.Request) -> web.Response:
        self._authorize(request)
        del self.meetings[self._meeting(request)]
        return web.Response(status=204)
