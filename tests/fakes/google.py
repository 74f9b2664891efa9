"""A loopback fake of Google's OAuth token endpoint and the Calendar v3 API we use.

``POST /token`` takes the service account's JWT-bearer grant and verifies the RS256 signature
against the test key (``make_service_account_file`` writes a key file whose ``token_uri`` points
here), its audience (Google's own token URI, which google-auth always signs), lifetime and scope.
Calendar v3 lives under ``/calendar/v3``: ``freeBusy``, ``events.insert``, ``events.get``,
``events.patch`` (merges the fields sent into the stored event) and ``events.delete``, each
requiring a bearer token from ``/token``. State:
``fake.busy[calendar_id]`` (append ``Interval``s to it) and ``fake.events[calendar_id][event_id]``
(the stored body; its ``status`` is ``cancelled`` once deleted).

``fail_calendar(id, reason)`` answers freeBusy for one calendar with an error entry inside the
200 answer, as Google does for a calendar it cannot read (an unknown calendar gets ``notFound``).

``hang_after_insert(times)`` stores the next ``times`` inserted events and then never answers
(until the server closes), as when Google creates the event but the answer is lost or late.

As in Google: an insert with an existing id answers 409, a delete of a deleted event 410, a
missing one 404; attendees are refused (403 ``forbiddenForServiceAccounts``) unless the token was
granted with a ``sub`` (domain-wide delegation), and ``FakeGoogle(delegation=False)`` refuses
such grants, as Google does when delegation is not set up for the service account.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bot.domain import Interval
from tests.fakes.base import FakeServer

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
# google-auth always signs this audience, whatever the key file's token_uri; so does Google check.
TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
CLIENT_EMAIL = "leadbot@test-project.iam.gserviceaccount.com"
# Top-level fields of the Calendar v3 Event resource (developers.google.com/calendar/api/v3/
# reference/events); the fake refuses any other, so a typo in a client body fails loudly.
EVENT_FIELDS = frozenset({
    "anyoneCanAddSelf", "attachments", "attendees", "attendeesOmitted", "birthdayProperties",
    "colorId", "conferenceData", "created", "creator", "description", "end", "endTimeUnspecified",
    "etag", "eventType", "extendedProperties", "focusTimeProperties", "gadget",
    "guestsCanInviteOthers", "guestsCanModify", "guestsCanSeeOtherGuests", "hangoutLink",
    "htmlLink", "iCalUID", "id", "kind", "location", "locked", "organizer", "originalStartTime",
    "outOfOfficeProperties", "privateCopy", "recurrence", "recurringEventId", "reminders",
    "sequence", "source", "start", "status", "summary", "transparency", "updated", "visibility",
    "workingLocationProperties",
})
_EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")


@functools.cache
def test_private_key() -> rsa.RSAPrivateKey:
    """The process-wide test RSA key (generated once: generation is slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_service_account_file(
    directory: Path, token_uri: str, *, key: rsa.RSAPrivateKey | None = None,
    client_email: str = CLIENT_EMAIL,
) -> Path:
    """Write a service-account JSON key file signed by the test key and return its path."""
    pem = (key or test_private_key()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "test-project",
        "private_key_id": "test-key-1",
        "private_key": pem,
        "client_email": client_email,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/leadbot",
        "universe_domain": "googleapis.com",
    }
    path = directory / "service-account.json"
    path.write_text(json.dumps(info))
    return path


@dataclass(frozen=True, slots=True)
class Grant:
    """What an issued access token stands for."""

    client_email: str
    subject: str | None
    scope: str


def _google_error(status: int, message: str, reason: str, domain: str = "global") -> Any:
    return {"error": {"errors": [{"domain": domain, "reason": reason, "message": message}],
                      "code": status, "message": message}}


_HTTP_ERRORS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest, 401: web.HTTPUnauthorized, 403: web.HTTPForbidden,
    404: web.HTTPNotFound, 409: web.HTTPConflict, 410: web.HTTPGone,
}


def _fail(status: int, message: str, reason: str, domain: str = "global") -> web.HTTPException:
    """A Google-shaped error to ``raise`` from a handler."""
    return _HTTP_ERRORS[status](text=json.dumps(_google_error(status, message, reason, domain)),
                                content_type="application/json")


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _fail(400, "Bad Request", "badRequest")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(400, f"Bad Request: invalid time {value}", "badRequest") from None
    if moment.tzinfo is None:
        raise _fail(400, "Bad Request: time zone offset required", "badRequest")
    return moment.astimezone(UTC)


def _fmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeGoogle(FakeServer):
    """Google OAuth token endpoint + Calendar v3 on 127.0.0.1."""

    def __init__(
        self, *, calendars: Iterable[str] = ("agent@example.com",), delegation: bool = True,
        public_key: rsa.RSAPublicKey | None = None, token_lifetime: int = 3600,
    ) -> None:
        super().__init__()
        self.delegation = delegation
        self.public_key = public_key or test_private_key().public_key()
        self.token_lifetime = token_lifetime
        self.tokens: dict[str, Grant] = {}
        self.busy: dict[str, list[Interval]] = {}
        self.events: dict[str, dict[str, dict[str, Any]]] = {}
        self.unreadable: dict[str, dict[str, str]] = {}
        self._ids = itertools.count(1)
        self._hang_after_insert: int | None = 0
        for calendar_id in calendars:
            self.add_calendar(calendar_id)

    @property
    def token_uri(self) -> str:
        """The token endpoint, to put in the service-account file."""
        return f"{self.url}/token"

    @property
    def api_url(self) -> str:
        """The Calendar v3 base URL."""
        return f"{self.url}/calendar/v3"

    @property
    def token_requests(self) -> int:
        """How many token grants were asked for."""
        return self.count("POST", "/token")

    def add_calendar(self, calendar_id: str) -> None:
        """Make a calendar exist (shared with the service account)."""
        self.busy.setdefault(calendar_id, [])
        self.events.setdefault(calendar_id, {})

    def fail_calendar(self, calendar_id: str, reason: str = "notFound",
                      domain: str = "global") -> None:
        """Answer freeBusy for this calendar with an error inside the 200 answer, as Google
        does for a calendar it cannot read (``notFound`` when not shared with the account,
        ``internalError`` on its side): ``{"errors": [{domain, reason}], "busy": []}``."""
        self.unreadable[calendar_id] = {"domain": domain, "reason": reason}

    def expire_tokens(self) -> None:
        """Invalidate every issued access token (the next API call answers 401)."""
        self.tokens.clear()

    def hang_after_insert(self, times: int | None = 1) -> None:
        """Store the next ``times`` inserted events (None: all), then hang instead of answering."""
        self._hang_after_insert = times

    def clear_faults(self) -> None:
        """Remove every failure, delay and hang, the hang after insert included."""
        super().clear_faults()
        self._hang_after_insert = 0

    def error_body(self, status: int, message: str) -> Any:
        return _google_error(status, message, "backendError" if status >= 500 else "injected")

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/token", self._token)
        app.router.add_post("/calendar/v3/freeBusy", self._free_busy)
        events = "/calendar/v3/calendars/{calendar_id}/events"
        app.router.add_post(events, self._insert)
        app.router.add_get(events + "/{event_id}", self._get)
        app.router.add_patch(events + "/{event_id}", self._patch)
        app.router.add_delete(events + "/{event_id}", self._delete)

    # -- OAuth ---------------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != JWT_GRANT:
            return _oauth_error(400, "unsupported_grant_type", "Invalid grant_type")
        try:
            claims = self._verify(str(form.get("assertion", "")))
        except ValueError as err:
            return _oauth_error(400, "invalid_grant", str(err))
        if CALENDAR_SCOPE not in str(claims.get("scope", "")).split():
            return _oauth_error(400, "invalid_scope", "Invalid OAuth scope or ID token audience.")
        subject = claims.get("sub")
        if subject and not self.delegation:
            return _oauth_error(401, "unauthorized_client", "Client is unauthorized to retrieve "
                                "access tokens using this method, or client not authorized for "
                                "any of the scopes requested.")
        token = f"ya29.test-{next(self._ids)}"
        self.tokens[token] = Grant(str(claims["iss"]), subject, str(claims["scope"]))
        return web.json_response(
            {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}
        )

    def _verify(self, assertion: str) -> dict[str, Any]:
        """The JWT's claims once its RS256 signature, audience and lifetime check out."""
        parts = assertion.split(".")
        if len(parts) != 3:
            raise ValueError("Invalid JWT: not a JWT.")
        header, claims = json.loads(_b64decode(parts[0])), json.loads(_b64decode(parts[1]))
        if header.get("alg") != "RS256":
            raise ValueError("Invalid JWT: unsupported algorithm.")
        try:
            self.public_key.verify(_b64decode(parts[2]), f"{parts[0]}.{parts[1]}".encode(),
                                   padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise ValueError("Invalid JWT Signature.") from None
        if claims.get("aud") != TOKEN_AUDIENCE:
            raise ValueError("Invalid JWT: Failed audience check.")
        now = time.time()
        iat, exp = float(claims.get("iat", 0)), float(claims.get("exp", 0))
        if not (iat - 60 <= now < exp and exp - iat <= 3600) or not claims.get("iss"):
            raise ValueError("Invalid JWT: Token must be a short-lived token (60 minutes) and in "
                             "a reasonable timeframe. Check your iat and exp values in the JWT "
                             "claim.")
        return dict(claims)

    def _grant(self, request: web.Request) -> Grant:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        grant = self.tokens.get(token) if scheme == "Bearer" else None
        if grant is None:
            raise _fail(401, "Request had invalid authentication credentials. Expected OAuth 2 "
                        "access token, login cookie or other valid authentication credential.",
                        "authError")
        return grant

    # -- Calendar v3 ---------------------------------------------------------------------------

    async def _free_busy(self, request: web.Request) -> web.Response:
        self._grant(request)
        body = await request.json()
        time_min, time_max = _parse_time(body.get("timeMin")), _parse_time(body.get("timeMax"))
        if time_max <= time_min:
            raise _fail(400, "The specified time range is empty.", "timeRangeEmpty")
        window = Interval(time_min, time_max)
        calendars: dict[str, Any] = {}
        for item in body.get("items", []):
            calendar_id = item["id"]
            if calendar_id not in self.busy or calendar_id in self.unreadable:
                error = self.unreadable.get(calendar_id,
                                            {"domain": "global", "reason": "notFound"})
                calendars[calendar_id] = {"errors": [dict(error)], "busy": []}
                continue
            periods = sorted(
                (p for p in [*self.busy[calendar_id], *self._event_intervals(calendar_id)]
                 if p.overlaps(window)),
                key=lambda p: p.start,
            )
            calendars[calendar_id] = {
                "busy": [{"start": _fmt(p.start), "end": _fmt(p.end)} for p in periods]
            }
        return web.json_response({"kind": "calendar#freeBusy", "timeMin": _fmt(time_min),
                                  "timeMax": _fmt(time_max), "calendars": calendars})

    def _event_intervals(self, calendar_id: str) -> list[Interval]:
        return [
            Interval(_parse_time(e["start"]["dateTime"]), _parse_time(e["end"]["dateTime"]))
            for e in self.events[calendar_id].values() if e["status"] != "cancelled"
        ]

    def _calendar(self, request: web.Request) -> dict[str, dict[str, Any]]:
        calendar_id = request.match_info["calendar_id"]
        if calendar_id not in self.events:
            raise _fail(404, "Not Found", "notFound")
        return self.events[calendar_id]

    async def _insert(self, request: web.Request) -> web.Response:
        grant = self._grant(request)
        events = self._calendar(request)
        body = await request.json()
        unknown = set(body) - EVENT_FIELDS
        if unknown:
            raise _fail(400, f"Unknown field(s): {', '.join(sorted(unknown))}", "invalid")
        event_id = body.get("id")
        if event_id is not None and not _EVENT_ID.match(str(event_id)):
            raise _fail(400, "Invalid resource id value.", "invalid")
        for side in ("start", "end"):
            if not isinstance(body.get(side), dict) or "dateTime" not in body[side]:
                raise _fail(400, f"Missing {side} time.", "required")
        if _parse_time(body["end"]["dateTime"]) <= _parse_time(body["start"]["dateTime"]):
            raise _fail(400, "The specified time range is empty.", "timeRangeEmpty")
        if body.get("attendees") and grant.subject is None:
            raise _fail(403, "Service accounts cannot invite attendees without Domain-Wide "
                        "Delegation of Authority.", "forbiddenForServiceAccounts", "calendar")
        event_id = event_id or f"fake{next(self._ids):08d}"
        if event_id in events:
            raise _fail(409, "The requested identifier already exists.", "duplicate")
        stored = {**body, "id": event_id, "kind": "calendar#event", "status": "confirmed",
                  "organizer": {"email": grant.subject or grant.client_email}}
        events[event_id] = stored
        if self._hang_after_insert is None or self._hang_after_insert > 0:
            if self._hang_after_insert is not None:
                self._hang_after_insert -= 1
            await self._closing.wait()
            return web.json_response(self.error_body(503, "closing"), status=503)
        return web.json_response(stored)

    async def _get(self, request: web.Request) -> web.Response:
        self._grant(request)
        event = self._calendar(request).get(request.match_info["event_id"])
        if event is None:
            raise _fail(404, "Not Found", "notFound")
        return web.json_response(event)

    async def _patch(self, request: web.Request) -> web.Response:
        grant = self._grant(request)
        event = self._calendar(request).get(request.match_info["event_id"])
        if event is None:
            raise _fail(404, "Not Found", "notFound")
        if event["status"] == "cancelled":
            raise _fail(410, "Resource has been deleted", "deleted")
        body = await request.json()
        unknown = set(body) - EVENT_FIELDS
        if unknown:
            raise _fail(400, f"Unknown field(s): {', '.join(sorted(unknown))}", "invalid")
        if body.get("attendees") and grant.subject is None:
            raise _fail(403, "Service accounts cannot invite attendees without Domain-Wide "
                        "Delegation of Authority.", "forbiddenForServiceAccounts", "calendar")
        event.update(body)
        return web.json_response(event)

    async def _delete(self, request: web.Request) -> web.Response:
        self._grant(request)
        event = self._calendar(request).get(request.match_info["event_id"])
        if event is None:
            raise _fail(404, "Not Found", "notFound")
        if event["status"] == "cancelled":
            raise _fail(410, "Resource has been deleted", "deleted")
        event["status"] = "cancelled"
        return web.Response(status=204)


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)
