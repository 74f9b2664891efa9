"""Google Calendar v3 over pooled HTTP, authenticated as a service account.

``busy`` is one ``freeBusy`` query for all calendars (a calendar Google cannot read is reported
per calendar: ``CalendarsUnreadable`` carries the others' answers); events get ids chosen by us (see
``bot.booking.event_id_for``) so a retried insert cannot create a duplicate: a 409 means it is
already there. Details a lead gives later reach the event by ``PATCH``.
Attendees are invited only with domain-wide delegation (a service account alone may not).
"""

from __future__ import annotations

import asyncio
import http.client
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import google.auth.exceptions
import google.auth.transport
from google.oauth2 import service_account

from bot.domain import EventRequest, Interval
from bot.errors import AuthError, CalendarsUnreadable, ConfigError, Unavailable
from bot.observability.metrics import Metrics
from integrations.http import HttpClient, HttpResponse
from integrations.tokens import Token, TokenCache

log = logging.getLogger(__name__)

SCOPES = ("https://www.googleapis.com/auth/calendar",)
CALENDAR_API_URL = "https://www.googleapis.com/calendar/v3"


class _UrllibResponse(google.auth.transport.Response):
    def __init__(self, status: int, headers: Mapping[str, str], data: bytes) -> None:
        self._status, self._headers, self._data = status, dict(headers), data

    @property
    def status(self) -> int:
        return self._status

    @property
    def headers(self) -> Mapping[str, str]:
        return self._headers

    @property
    def data(self) -> bytes:
        return self._data


class _UrllibRequest(google.auth.transport.Request):
    """google-auth transport on the standard library (``requests`` is not a dependency)."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout

    def __call__(
        self, url: str, method: str = "GET", body: bytes | None = None,
        headers: Mapping[str, str] | None = None, timeout: float | None = None, **_: Any,
    ) -> _UrllibResponse:
        request = urllib.request.Request(url, data=body, headers=dict(headers or {}),
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self._timeout) as resp:
                return _UrllibResponse(resp.status, dict(resp.headers.items()), resp.read())
        except urllib.error.HTTPError as err:
            with err:
                return _UrllibResponse(err.code, dict(err.headers.items()), err.read())
        except (OSError, http.client.HTTPException) as err:
            reason = f"token request failed: {type(err).__name__}: {err}"
            raise google.auth.exceptions.TransportError(reason) from err  # type: ignore[no-untyped-call]


class GoogleCredentials:
    """Service-account access tokens, cached until shortly before expiry, one refresh at a time."""

    def __init__(
        self,
        credentials: service_account.Credentials,
        *,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 10.0,
    ) -> None:
        self._credentials = credentials
        self._metrics = metrics
        self._request = _UrllibRequest(timeout)
        self.tokens = TokenCache(self._refresh, clock=clock)

    @classmethod
    def from_file(
        cls, path: str | Path, *, subject: str | None = None, metrics: Metrics | None = None,
        clock: Callable[[], float] = time.monotonic, timeout: float = 10.0,
    ) -> GoogleCredentials:
        """Load a service-account JSON key; ``subject`` is the user to act as (delegation)."""
        try:
            creds = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                str(path), scopes=list(SCOPES), subject=subject
            )
        except (OSError, ValueError, KeyError) as err:
            raise ConfigError(
                f"GOOGLE_SERVICE_ACCOUNT_FILE: cannot use {path}: {type(err).__name__}: {err}"
            ) from err
        return cls(creds, metrics=metrics, clock=clock, timeout=timeout)

    async def token(self) -> str:
        """A valid access token, refreshed (once, for all waiting callers) when near expiry."""
        return await self.tokens.token()

    async def _refresh(self) -> Token:
        # google-auth refreshes synchronously over urllib: in a thread, never two at once (the
        # cache runs one refresh at a time), since a Credentials object is not thread-safe.
        start = time.perf_counter()
        try:
            await asyncio.to_thread(self._credentials.refresh, self._request)
        except google.auth.exceptions.RefreshError as err:
            cls = Unavailable if err.retryable else AuthError
            raise cls("google", f"token refresh failed: {_refresh_reason(err)}") from err
        except google.auth.exceptions.TransportError as err:
            raise Unavailable("google", f"token refresh failed: {err}") from err
        finally:
            if self._metrics is not None:
                self._metrics.observe("google.token", time.perf_counter() - start)
        expiry = self._credentials.expiry  # naive UTC, as google-auth keeps it
        lifetime = 3600.0
        if expiry is not None:
            lifetime = (expiry - datetime.now(UTC).replace(tzinfo=None)).total_seconds()
        return Token(str(self._credentials.token), lifetime)


def _refresh_reason(err: Exception) -> str:
    first = err.args[0] if err.args else ""
    return first if isinstance(first, str) else type(err).__name__


class GoogleCalendarClient:
    """``CalendarProvider`` on Google Calendar v3."""

    def __init__(
        self,
        http: HttpClient,
        credentials: GoogleCredentials,
        *,
        base_url: str = CALENDAR_API_URL,
        invite_attendees: bool = False,
    ) -> None:
        self._http = http
        self._credentials = credentials
        self._base_url = base_url.rstrip("/")
        self._invite_attendees = invite_attendees

    async def busy(
        self, calendar_ids: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, list[Interval]]:
        """Busy intervals per calendar within [start, end), one freeBusy query for all."""
        ids = list(dict.fromkeys(calendar_ids))
        if not ids:
            return {}
        body = {
            "timeMin": _rfc3339(start),
            "timeMax": _rfc3339(end),
            "timeZone": "UTC",
            "items": [{"id": calendar_id} for calendar_id in ids],
        }
        response = await self._call("POST", "/freeBusy", name="google.freebusy", retry=True,
                                    json=body)
        calendars = response.data.get("calendars", {}) if isinstance(response.data, dict) else {}
        result: dict[str, list[Interval]] = {}
        failed: dict[str, str] = {}
        for calendar_id in ids:
            entry = calendars.get(calendar_id)
            if not isinstance(entry, dict):
                failed[calendar_id] = "no answer"
            elif entry.get("errors"):
                # Google answers 200 and reports a calendar it cannot read inside the answer:
                # {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}.
                failed[calendar_id] = ", ".join(
                    str(e.get("reason", e)) if isinstance(e, dict) else str(e)
                    for e in entry["errors"])
            else:
                result[calendar_id] = [
                    Interval(_parse_time(period["start"]), _parse_time(period["end"]))
                    for period in entry.get("busy", [])
                ]
        if failed:
            raise CalendarsUnreadable("google", failed, result)
        return result

    async def create_event(self, event: EventRequest) -> str:
        """Insert the event under our id; an id that already exists counts as created."""
        body: dict[str, Any] = {
            "id": event.event_id,
            "summary": event.summary,
            "description": event.description,
            "location": event.location,
            "start": {"dateTime": _rfc3339(event.start), "timeZone": event.timezone},
            "end": {"dateTime": _rfc3339(event.end), "timeZone": event.timezone},
        }
        params: dict[str, str] = {}
        if self._invite_attendees and event.attendee_emails:
            body["attendees"] = [{"email": email} for email in event.attendee_emails]
            params["sendUpdates"] = "all"
        # Retrying is safe: the id is ours, so a repeat answers 409 instead of duplicating.
        response = await self._call(
            "POST", f"/calendars/{_quote(event.calendar_id)}/events", name="google.events.insert",
            retry=True, json=body, params=params or None, accept=(409,),
        )
        if response.status == 409:
            log.info("calendar event %s already exists", event.event_id)
        return event.event_id

    async def update_event(self, event: EventRequest) -> None:
        """``PATCH`` the event's title, description and location; with delegation, invite the
        attendees too (Google mails them). Without it no attendee is ever sent: Google answers
        403 to a service account inviting anyone."""
        body: dict[str, Any] = {
            "summary": event.summary,
            "description": event.description,
            "location": event.location,
        }
        params: dict[str, str] = {}
        if self._invite_attendees and event.attendee_emails:
            body["attendees"] = [{"email": email} for email in event.attendee_emails]
            params["sendUpdates"] = "all"
        await self._call(
            "PATCH",
            f"/calendars/{_quote(event.calendar_id)}/events/{_quote(event.event_id)}",
            name="google.events.patch", retry=True, json=body, params=params or None,
        )

    async def delete_event(self, calendar_id: str, event_id: str) -> None:
        """Delete the event; 404 (never there) and 410 (already deleted) count as deleted."""
        params = {"sendUpdates": "all"} if self._invite_attendees else None
        await self._call(
            "DELETE", f"/calendars/{_quote(calendar_id)}/events/{_quote(event_id)}",
            name="google.events.delete", retry=True, params=params, accept=(404, 410),
        )

    async def _call(
        self, method: str, path: str, *, name: str, retry: bool, json: Any = None,
        params: Mapping[str, str] | None = None, accept: tuple[int, ...] = (),
    ) -> HttpResponse:
        """Send with a bearer token; a 401 (token revoked early) refreshes it and retries once."""
        async def send(token: str) -> HttpResponse:
            return await self._http.request(
                method, self._base_url + path, name=name, retry=retry, json=json,
                params=params, accept=accept, headers={"Authorization": f"Bearer {token}"},
            )

        return await self._credentials.tokens.use(send)


def _quote(segment: str) -> str:
    return quote(segment, safe="")


def _rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("calendar times must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
