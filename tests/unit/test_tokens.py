"""TokenCache: one refresh at a time, shared by every waiting caller; 401 replaces the token."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import AuthError, Unavailable
from integrations.tokens import TOKEN_MARGIN_SECONDS, Token, TokenCache
from tests.fakes.clocks import Monotonic


class FakeTokenEndpoint:
    """Hands out token-1, token-2, ...; can be slowed down or told to fail once."""

    def __init__(self, lifetime: float = 3600.0) -> None:
        self.lifetime = lifetime
        self.requests = 0
        self.delay = 0.0
        self.fail_next: Exception | None = None

    async def __call__(self) -> Token:
        self.requests += 1
        await asyncio.sleep(self.delay)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        return Token(f"token-{self.requests}", self.lifetime)


async def test_a_token_is_reused_until_a_margin_before_it_expires() -> None:
    endpoint, clock = FakeTokenEndpoint(), Monotonic()
    cache = TokenCache(endpoint, clock=clock)
    assert await cache.token() == "token-1"
    clock.now += 3600 - TOKEN_MARGIN_SECONDS - 1
    assert await cache.token() == "token-1"
    clock.now += 1
    assert await cache.token() == "token-2"
    assert endpoint.requests == 2


async def test_twenty_concurrent_callers_share_one_refresh() -> None:
    endpoint = FakeTokenEndpoint()
    endpoint.delay = 0.02
    cache = TokenCache(endpoint, clock=Monotonic())
    tokens = await asyncio.gather(*(cache.token() for _ in range(20)))
    assert tokens == ["token-1"] * 20
    assert endpoint.requests == 1


async def test_a_failed_refresh_reaches_every_waiter_and_the_next_call_tries_again() -> None:
    endpoint = FakeTokenEndpoint()
    endpoint.delay = 0.02
    endpoint.fail_next = Unavailable("zoom", "token endpoint down")
    cache = TokenCache(endpoint, clock=Monotonic())
    results = await asyncio.gather(*(cache.token() for _ in range(20)), return_exceptions=True)
    assert all(isinstance(r, Unavailable) for r in results)
    assert endpoint.requests == 1
    assert await cache.token() == "token-2"


async def test_a_caller_that_gives_up_does_not_cancel_the_refresh_others_wait_for() -> None:
    endpoint = FakeTokenEndpoint()
    endpoint.delay = 0.05
    cache = TokenCache(endpoint, clock=Monotonic())
    impatient = asyncio.create_task(cache.token())
    patient = asyncio.create_task(cache.token())
    await asyncio.sleep(0.01)
    impatient.cancel()
    assert await patient == "token-1"
    assert impatient.cancelled()
    assert await cache.token() == "token-1"
    assert endpoint.requests == 1


async def test_invalidate_forgets_only_the_refused_token() -> None:
    endpoint = FakeTokenEndpoint()
    cache = TokenCache(endpoint, clock=Monotonic())
    assert await cache.token() == "token-1"
    cache.invalidate("token-0")  # an older token some slow caller still held
    assert await cache.token() == "token-1"
    cache.invalidate("token-1")
    assert await cache.token() == "token-2"


async def test_use_replaces_a_revoked_token_and_sends_once_more() -> None:
    cache = TokenCache(FakeTokenEndpoint(), clock=Monotonic())
    sent: list[str] = []

    async def send(token: str) -> str:
        sent.append(token)
        if token == "token-1":
            raise AuthError("zoom", "revoked", status=401)
        return f"ok with {token}"

    assert await cache.use(send) == "ok with token-2"
    assert sent == ["token-1", "token-2"]


async def test_use_does_not_retry_a_forbidden_call() -> None:
    cache = TokenCache(FakeTokenEndpoint(), clock=Monotonic())
    sent: list[str] = []

    async def send(token: str) -> str:
        sent.append(token)
        raise AuthError("google", "forbidden", status=403)

    with pytest.raises(AuthError, match="forbidden"):
        await cache.use(send)
    assert sent == ["token-1"]
