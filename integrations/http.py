"""Pooled outbound HTTP: one aiohttp session per service, timed, retried, errors translated.

Every vendor client (Google Calendar, Zoom) goes through ``HttpClient.request``, which

- times every attempt into ``metrics`` under the caller's name (``google.freebusy``...),
- retries only when the caller says the call is safe to repeat, on 429/5xx, timeouts and
  connection errors, with exponential backoff and full jitter, honouring ``Retry-After``,
  bounded both by attempts and by total time,
- turns failures into ``bot.errors`` with the vendor's own message kept.

Request headers (tokens) never appear in exception text or logs.
"""

from __future__ import annotations

import asyncio
import email.utils
import json as jsonlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.errors import AlreadyExists, AuthError, IntegrationError, RateLimited, Unavailable
from bot.observability.metrics import Metrics

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Only these say "come back later" in a way worth waiting for.
RETRY_AFTER_STATUSES = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class Pool:
    """Connection limit and timeouts of one service's session."""

    limit: int
    total_timeout: float
    connect_timeout: float = 5.0

    def session(self) -> aiohttp.ClientSession:
        """A new session with these settings; call from inside the running event loop."""
        return make_session(
            limit=self.limit, total_timeout=self.total_timeout,
            connect_timeout=self.connect_timeout,
        )


GOOGLE_POOL = Pool(limit=10, total_timeout=30.0)
ZOOM_POOL = Pool(limit=5, total_timeout=20.0)


def make_session(
    *, limit: int, total_timeout: float, connect_timeout: float = 5.0
) -> aiohttp.ClientSession:
    """A session with at most ``limit`` connections and explicit timeouts."""
    connect = min(connect_timeout, total_timeout)
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit),
        timeout=aiohttp.ClientTimeout(
            total=total_timeout, connect=connect, sock_connect=connect
        ),
        # Honour HTTP(S)_PROXY / NO_PROXY like the other SDKs in the process do.
        trust_env=True,
    )


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A finished response: status, decoded JSON (None when not JSON), text, Retry-After."""

    status: int
    data: Any
    text: str
    retry_after: float | None = None


class HttpClient:
    """Sends requests for one service over its pooled session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        service: str,
        metrics: Metrics,
        max_attempts: int = 4,
        max_retry_seconds: float = 10.0,
        backoff_base: float = 0.25,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.session = session
        self.service = service
        self._metrics = metrics
        self._max_attempts = max(1, max_attempts)
        self._max_retry_seconds = max_retry_seconds
        self._backoff_base = backoff_base
        self._sleep = sleep

    async def close(self) -> None:
        """Close the underlying session."""
        await self.session.close()

    async def request(
        self,
        method: str,
        url: str,
        *,
        name: str,
        retry: bool,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Any = None,
        accept: tuple[int, ...] = (),
    ) -> HttpResponse:
        """Send one request; 2xx and ``accept`` statuses are returned, anything else raised."""
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            response: HttpResponse | None = None
            cause: Exception | None = None
            try:
                response = await self._send(
                    method, url, name=name, headers=headers, params=params, json=json, data=data
                )
            except (TimeoutError, aiohttp.ClientError) as err:
                cause = err
            if response is not None and (response.status < 300 or response.status in accept):
                return response
            self._metrics.incr("errors.integration")
            error = self._error(name, response, cause)
            delay = self._retry_delay(attempt, response) if retry else None
            if delay is None or time.monotonic() - started + delay > self._max_retry_seconds:
                raise error from cause
            log.info("%s: %s failed (%s), retry %d in %.2f s", self.service, name,
                     response.status if response else type(cause).__name__, attempt, delay)
            await self._sleep(delay)

    async def _send(
        self, method: str, url: str, *, name: str, headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None, json: Any, data: Any,
    ) -> HttpResponse:
        start = time.perf_counter()
        try:
            async with self.session.request(
                method, url, headers=headers, params=params, json=json, data=data
            ) as resp:
                text = await resp.text()
                return HttpResponse(
                    resp.status, _decode(text), text, _retry_after(resp.headers.get("Retry-After"))
                )
        finally:
            self._metrics.observe(name, time.perf_counter() - start)

    def _error(
        self, name: str, response: HttpResponse | None, cause: Exception | None
    ) -> IntegrationError:
        """Translate a failed attempt into the project's error tree."""
        if response is None:
            if isinstance(cause, TimeoutError):
                return Unavailable(self.service, f"{name} timed out")
            return Unavailable(self.service, f"{name} failed: {type(cause).__name__}: {cause}")
        status = response.status
        message = f"{name} {status}: {_vendor_message(response)}"
        if status == 429:
            return RateLimited(self.service, message, retry_after=response.retry_after)
        if status in (401, 403):
            return AuthError(self.service, message, status=status)
        if status == 409:
            return AlreadyExists(self.service, message, status=status)
        if status >= 500 or status == 408:
            return Unavailable(self.service, message, status=status)
        return IntegrationError(self.service, message, status=status)

    def _retry_delay(self, attempt: int, response: HttpResponse | None) -> float | None:
        """Seconds to wait before the next attempt, or None when this failure is final."""
        if attempt >= self._max_attempts:
            return None
        if response is not None:
            if response.status not in RETRY_STATUSES:
                return None
            if response.status in RETRY_AFTER_STATUSES and response.retry_after is not None:
                return response.retry_after
        # Full jitter spreads the retries of many callers instead of retrying in lockstep.
        return random.uniform(0.0, self._backoff_base * 2 ** (attempt - 1))


def _decode(text: str) -> Any:
    try:
        return jsonlib.loads(text) if text else None
    except ValueError:
        return None


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds (fractions allowed) or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _vendor_message(response: HttpResponse) -> str:
    """The vendor's own error text: Google ``error.message``, Zoom ``message``, OAuth fields."""
    body = response.data
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            reasons = [e.get("reason") for e in error.get("errors", []) if isinstance(e, dict)]
            reason = next((r for r in reasons if r), None)
            return f"{error['message']} ({reason})" if reason else str(error["message"])
        if body.get("message"):
            return str(body["message"])
        if isinstance(error, str):
            detail = body.get("error_description") or body.get("reason")
            return f"{error}: {detail}" if detail else error
    text = " ".join(response.text.split())
    return text[:200] if text else "no details"
