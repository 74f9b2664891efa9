"""Access tokens cached until shortly before they expire, refreshed by one coroutine at a time.

Google's service-account tokens and Zoom's server-to-server OAuth tokens both live about an hour.
Every API call asks ``TokenCache.token()``: a valid token comes back at once; when it is missing or
close to expiry, exactly one refresh runs and every other caller awaits that same refresh (its
token or its error), so twenty concurrent calls make one token request. A refresh outlives a
caller that gives up waiting, so the next caller finds its result instead of starting another.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.errors import AuthError

T = TypeVar("T")

# Refresh this long before the vendor's expiry so a token never dies in flight.
TOKEN_MARGIN_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Token:
    """A fresh access token and how many seconds it stays valid from now."""

    value: str
    lifetime: float


class TokenCache:
    """One credential's current token; ``fetch`` gets a new one from the vendor."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Token]],
        *,
        clock: Callable[[], float] = time.monotonic,
        margin: float = TOKEN_MARGIN_SECONDS,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._margin = margin
        self._token: str | None = None
        self._valid_until = 0.0
        self._refresh: asyncio.Task[str] | None = None

    async def token(self) -> str:
        """A valid token, refreshed (once, for all waiting callers) when near expiry."""
        if self._token is not None and self._clock() < self._valid_until:
            return self._token
        if self._refresh is None:
            self._refresh = asyncio.create_task(self._run())
            self._refresh.add_done_callback(_retrieve)
        # shield: a caller that is cancelled must not cancel the refresh the others wait for.
        return await asyncio.shield(self._refresh)

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after the API refused it; a newer token is kept."""
        if token == self._token:
            self._token = None

    async def use(self, send: Callable[[str], Awaitable[T]]) -> T:
        """``send(token)``; a 401 (token revoked before its expiry) replaces the token and sends
        once more."""
        token = await self.token()
        try:
            return await send(token)
        except AuthError as err:
            if err.status != 401:
                raise
            self.invalidate(token)
        return await send(await self.token())

    async def _run(self) -> str:
        try:
            fresh = await self._fetch()
            self._token = fresh.value
            self._valid_until = self._clock() + fresh.lifetime - self._margin
            return fresh.value
        finally:
            self._refresh = None


def _retrieve(task: asyncio.Task[str]) -> None:
    """Mark a failed refresh as seen even when every waiter gave up (no 'never retrieved')."""
    if not task.cancelled():
        task.exception()
