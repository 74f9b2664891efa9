"""HttpClient against a loopback server: retries, Retry-After, budgets, timeouts, pool limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.errors import AlreadyExists, AuthError, IntegrationError, RateLimited, Unavailable
from bot.observability.metrics import Metrics
from integrations.http import GOOGLE_POOL, ZOOM_POOL, HttpClient, make_session
from tests.fakes.base import FakeServer
from tests.fakes.clocks import RecordingSleep


class EchoServer(FakeServer):
    """Answers every path with its own path, unless told to fail."""

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._echo)

    async def _echo(self, request: web.Request) -> web.Response:
        return web.json_response({"path": request.path})




@pytest.fixture
async def server() -> AsyncIterator[EchoServer]:
    async with EchoServer() as fake:
        yield fake


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    session = make_session(limit=10, total_timeout=2.0)
    yield session
    await session.close()


@pytest.fixture
def client(session: aiohttp.ClientSession, metrics: Metrics, sleep: RecordingSleep) -> HttpClient:
    return HttpClient(session, service="vendor", metrics=metrics, sleep=sleep)


async def test_success_returns_json_and_times_the_call(
    client: HttpClient, server: EchoServer, metrics: Metrics
) -> None:
    response = await client.request("GET", f"{server.url}/hello", name="vendor.hello", retry=True)
    assert (response.status, response.data) == (200, {"path": "/hello"})
    assert metrics.summary("vendor.hello").count == 1
    assert metrics.count("errors.integration") == 0


async def test_5xx_is_retried_with_backoff_until_it_succeeds(
    client: HttpClient, server: EchoServer, metrics: Metrics, sleep: RecordingSleep
) -> None:
    server.fail("/flaky", 503, times=2)
    response = await client.request("GET", f"{server.url}/flaky", name="vendor.flaky", retry=True)
    assert response.status == 200
    assert server.count("GET", "/flaky") == 3
    # Full jitter: each wait lies within the doubling cap (0.25 s, then 0.5 s).
    assert len(sleep.delays) == 2
    assert 0 <= sleep.delays[0] <= 0.25 and 0 <= sleep.delays[1] <= 0.5
    assert metrics.summary("vendor.flaky").count == 3
    assert metrics.count("errors.integration") == 2


async def test_persistent_5xx_surfaces_as_unavailable_after_max_attempts(
    client: HttpClient, server: EchoServer
) -> None:
    server.fail("/down", 502, times=None, body={"message": "bad gateway upstream"})
    with pytest.raises(Unavailable) as caught:
        await client.request("GET", f"{server.url}/down", name="vendor.down", retry=True)
    assert caught.value.status == 502
    assert "bad gateway upstream" in str(caught.value)
    assert server.count("GET", "/down") == 4


async def test_no_retry_when_the_call_is_not_idempotent(
    client: HttpClient, server: EchoServer, sleep: RecordingSleep
) -> None:
    server.fail("/create", 500, times=None)
    with pytest.raises(Unavailable):
        await client.request("POST", f"{server.url}/create", name="vendor.create", retry=False)
    assert server.count("POST", "/create") == 1
    assert sleep.delays == []


async def test_4xx_is_not_retried_even_when_retry_is_allowed(
    client: HttpClient, server: EchoServer
) -> None:
    server.fail("/bad", 400, times=None)
    with pytest.raises(IntegrationError):
        await client.request("GET", f"{server.url}/bad", name="vendor.bad", retry=True)
    assert server.count("GET", "/bad") == 1


async def test_429_waits_for_retry_after(
    client: HttpClient, server: EchoServer, sleep: RecordingSleep
) -> None:
    server.fail("/limited", 429, times=1, retry_after=2)
    response = await client.request("GET", f"{server.url}/limited", name="vendor.l", retry=True)
    assert response.status == 200
    assert sleep.delays == [2.0]


async def test_fractional_retry_after_is_really_waited(
    session: aiohttp.ClientSession, server: EchoServer
) -> None:
    client = HttpClient(session, service="vendor", metrics=Metrics())
    server.fail("/limited", 503, times=1, retry_after=0.2)
    started = time.monotonic()
    response = await client.request("GET", f"{server.url}/limited", name="vendor.l", retry=True)
    assert response.status == 200
    assert time.monotonic() - started >= 0.2


async def test_retry_after_beyond_the_budget_raises_rate_limited_at_once(
    client: HttpClient, server: EchoServer, sleep: RecordingSleep
) -> None:
    server.fail("/limited", 429, times=None, retry_after=30)
    with pytest.raises(RateLimited) as caught:
        await client.request("GET", f"{server.url}/limited", name="vendor.l", retry=True)
    assert caught.value.retry_after == 30
    assert server.count("GET", "/limited") == 1
    assert sleep.delays == []


async def test_retries_stop_when_the_time_budget_is_spent(
    session: aiohttp.ClientSession, server: EchoServer, sleep: RecordingSleep
) -> None:
    client = HttpClient(session, service="vendor", metrics=Metrics(), max_retry_seconds=0.2,
                        sleep=sleep)
    server.delay("/slow", 0.15)
    server.fail("/slow", 503, times=None, retry_after=0.1)
    with pytest.raises(Unavailable):
        await client.request("GET", f"{server.url}/slow", name="vendor.slow", retry=True)
    # 0.15 s spent + 0.1 s asked for > 0.2 s budget: no second attempt.
    assert server.count("GET", "/slow") == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, IntegrationError), (401, AuthError), (403, AuthError), (404, IntegrationError),
     (409, AlreadyExists), (429, RateLimited), (500, Unavailable), (504, Unavailable)],
)
async def test_statuses_map_to_the_error_tree(
    client: HttpClient, server: EchoServer, status: int, error: type[Exception]
) -> None:
    server.fail("/x", status)
    with pytest.raises(IntegrationError) as caught:
        await client.request("GET", f"{server.url}/x", name="vendor.x", retry=False)
    assert type(caught.value) is error
    assert caught.value.status == status
    assert str(caught.value).startswith("vendor: vendor.x")


async def test_accepted_status_is_returned_not_raised(
    client: HttpClient, server: EchoServer, metrics: Metrics
) -> None:
    server.fail("/gone", 404)
    response = await client.request("DELETE", f"{server.url}/gone", name="vendor.delete",
                                    retry=True, accept=(404,))
    assert response.status == 404
    assert metrics.count("errors.integration") == 0


async def test_vendor_message_is_kept_and_headers_never_leak(
    client: HttpClient, server: EchoServer
) -> None:
    google_error = {"error": {"code": 403, "message": "Calendar usage limits exceeded.",
                              "errors": [{"reason": "quotaExceeded"}]}}
    server.fail("/cal", 403, body=google_error)
    with pytest.raises(AuthError) as caught:
        await client.request("GET", f"{server.url}/cal", name="vendor.cal", retry=False,
                             headers={"Authorization": "Bearer very-secret-token"})
    text = str(caught.value)
    assert "Calendar usage limits exceeded." in text and "quotaExceeded" in text
    assert "very-secret-token" not in text


async def test_a_hanging_server_ends_at_the_timeout_as_unavailable(server: EchoServer) -> None:
    server.hang("/hang")
    async with make_session(limit=2, total_timeout=0.3) as session:
        client = HttpClient(session, service="vendor", metrics=Metrics())
        started = time.monotonic()
        with pytest.raises(Unavailable, match="timed out") as caught:
            await client.request("GET", f"{server.url}/hang", name="vendor.hang", retry=False)
    assert time.monotonic() - started < 1.5
    assert isinstance(caught.value.__cause__, TimeoutError)


async def test_connection_refused_is_retried_then_unavailable(
    client: HttpClient, sleep: RecordingSleep
) -> None:
    closed = EchoServer()
    await closed.start()
    url = closed.url
    await closed.close()
    with pytest.raises(Unavailable) as caught:
        await client.request("GET", f"{url}/x", name="vendor.x", retry=True)
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectionError)
    assert len(sleep.delays) == 3


async def test_connection_limit_holds_under_50_concurrent_calls(server: EchoServer) -> None:
    server.delay("/busy", 0.03)
    async with make_session(limit=10, total_timeout=5.0) as session:
        client = HttpClient(session, service="vendor", metrics=Metrics())
        responses = await asyncio.gather(*(
            client.request("GET", f"{server.url}/busy", name="vendor.busy", retry=False)
            for _ in range(50)
        ))
    assert [r.status for r in responses] == [200] * 50
    assert server.max_in_flight == 10


async def test_service_pools_have_the_documented_limits() -> None:
    for pool, limit, total in ((GOOGLE_POOL, 10, 30.0), (ZOOM_POOL, 5, 20.0)):
        async with pool.session() as session:
            assert session.connector is not None and session.connector.limit == limit
            assert session.timeout.total == total
            assert session.timeout.connect == 5.0
