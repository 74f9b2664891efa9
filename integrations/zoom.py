"""Zoom meetings over pooled HTTP with server-to-server OAuth.

Creating a meeting is not idempotent, so it is never retried, except once after a 401 (the request
was refused before anything was created). Zoom caps meeting create/update/delete at 100 requests a
day per user, so each one is counted (``zoom.quota`` and ``quota_today``).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from bot.clock import Clock, SystemClock
from bot.domain import Meeting
from bot.errors import AuthError, IntegrationError
from bot.observability.metrics import Metrics, Quota
from integrations.http import HttpClient, HttpResponse
from integrations.tokens import Token, TokenCache

ZOOM_API_URL = "https://api.zoom.us/v2"
ZOOM_OAUTH_URL = "https://zoom.us/oauth/token"
# Zoom's cap on meeting create/update/delete requests per user and day.
DAILY_QUOTA = 100
MAX_LIST_PAGES = 5


class ZoomClient:
    """``MeetingProvider`` on the Zoom REST API."""

    def __init__(
        self,
        http: HttpClient,
        *,
        account_id: str,
        client_id: str,
        client_secret: str,
        api_url: str = ZOOM_API_URL,
        oauth_url: str = ZOOM_OAUTH_URL,
        metrics: Metrics,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Clock | None = None,
    ) -> None:
        self._http = http
        self._account_id = account_id
        credentials = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._basic_auth = f"Basic {credentials}"
        self._api_url = api_url.rstrip("/")
        self._oauth_url = oauth_url
        self._metrics = metrics
        self._wall_clock = wall_clock or SystemClock()
        self._tokens = TokenCache(self._fetch_token, clock=clock)
        self._quota_day: date | None = None
        self._quota_used = 0

    async def create(
        self, *, topic: str, start: datetime, duration_minutes: int, timezone: str,
        key: str = "",
    ) -> Meeting:
        """Schedule a meeting (waiting room on, no joining before the host), tagged with
        ``key`` in its agenda so ``find`` can recover it if the answer is lost."""
        if start.tzinfo is None:
            raise ValueError("meeting start must be timezone-aware")
        body = {
            "topic": topic[:200],  # Zoom's limit
            "type": 2,  # a scheduled meeting
            "start_time": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration": duration_minutes,
            "timezone": timezone,
            "settings": {"waiting_room": True, "join_before_host": False},
        }
        if key:
            body["agenda"] = _agenda(key)
        self._count_quota()
        response = await self._call("POST", "/users/me/meetings", name="zoom.create",
                                    retry=False, json=body)
        data = response.data if isinstance(response.data, dict) else {}
        if data.get("id") is None or not data.get("join_url"):
            raise IntegrationError("zoom", "zoom.create: answer without id or join_url",
                                   status=response.status)
        return Meeting(id=str(data["id"]), join_url=str(data["join_url"]))

    async def delete(self, meeting_id: str) -> None:
        """Delete the meeting; one already gone (404) counts as deleted."""
        self._count_quota()
        await self._call("DELETE", f"/meetings/{quote(meeting_id, safe='')}", name="zoom.delete",
                         retry=True, accept=(404,))

    async def find(self, key: str) -> Meeting | None:
        """The upcoming meeting whose agenda carries ``key`` (a few pages at most)."""
        page_token = ""
        for _ in range(MAX_LIST_PAGES):
            params = "?type=upcoming&page_size=300" + (
                f"&next_page_token={quote(page_token, safe='')}" if page_token else "")
            response = await self._call("GET", "/users/me/meetings" + params,
                                        name="zoom.list", retry=True)
            data = response.data if isinstance(response.data, dict) else {}
            for item in data.get("meetings") or []:
                if isinstance(item, dict) and item.get("agenda") == _agenda(key) \
                        and item.get("id") is not None:
                    return Meeting(id=str(item["id"]), join_url=str(item.get("join_url", "")))
            page_token = str(data.get("next_page_token") or "")
            if not page_token:
                return None
        return None

    def quota_today(self) -> Quota:
        """Meeting create/delete requests sent today (UTC), against Zoom's daily cap."""
        used = self._quota_used
        if self._quota_day != self._wall_clock.now().astimezone(UTC).date():
            used = 0
        return Quota(used, DAILY_QUOTA)

    def _count_quota(self) -> None:
        today = self._wall_clock.now().astimezone(UTC).date()
        if today != self._quota_day:
            self._quota_day, self._quota_used = today, 0
        self._quota_used += 1
        self._metrics.incr("zoom.quota")

    async def token(self) -> str:
        """A valid access token, fetched (once, for all waiting callers) when near expiry."""
        return await self._tokens.token()

    async def _fetch_token(self) -> Token:
        try:
            response = await self._http.request(
                "POST", self._oauth_url, name="zoom.token", retry=True,
                params={"grant_type": "account_credentials", "account_id": self._account_id},
                headers={"Authorization": self._basic_auth},
            )
        except IntegrationError as err:
            # Zoom answers 400 invalid_client for a wrong id or secret: that is an auth failure.
            if err.status == 400:
                raise AuthError("zoom", str(err).removeprefix("zoom: "), status=400) from err
            raise
        data = response.data if isinstance(response.data, dict) else {}
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthError("zoom", "zoom.token: answer without access_token")
        return Token(token, float(data.get("expires_in", 3600)))

    async def _call(
        self, method: str, path: str, *, name: str, retry: bool, json: Any = None,
        accept: tuple[int, ...] = (),
    ) -> HttpResponse:
        """Send with a bearer token; a 401 refreshes the token and retries exactly once."""
        async def send(token: str) -> HttpResponse:
            return await self._http.request(
                method, self._api_url + path, name=name, retry=retry, json=json,
                headers={"Authorization": f"Bearer {token}"}, accept=accept,
            )

        return await self._tokens.use(send)


def _agenda(key: str) -> str:
    return f"Booked by the lead bot (ref {key})"
