"""ZoomClient against the loopback FakeZoom: OAuth, meetings, 401 refresh, retries, quota."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.errors import AuthError, RateLimited, Unavailable
from bot.observability.metrics import Metrics, Quota
from integrations.http import ZOOM_POOL, HttpClient, make_session
from integrations.zoom import DAILY_QUOTA, ZoomClient
from tests.fakes.clocks import Monotonic, RecordingSleep
from tests.fakes.zoom import MEETING_FIELDS, FakeZoom

START = datetime(2030, 1, 7, 16, 0, tzinfo=ZoneInfo("Europe/Berlin"))






@pytest.fixture
async def zoom() -> AsyncIterator[FakeZoom]:
    async with FakeZoom() as fake:
        yield fake


@pytest.fixture
async def http(metrics: Metrics, sleep: RecordingSleep) -> AsyncIterator[HttpClient]:
    session = make_session(limit=ZOOM_POOL.limit, total_timeout=3.0)
    yield HttpClient(session, service="zoom", metrics=metrics, sleep=sleep)
    await session.close()


@pytest.fixture
def clock() -> Monotonic:
    return Monotonic()


@pytest.fixture
def wall() -> FixedClock:
    return FixedClock(datetime(2030, 1, 7, 12, 0, tzinfo=UTC))


MakeClient = Callable[..., ZoomClient]


@pytest.fixture
def make_client(
    http: HttpClient, zoom: FakeZoom, metrics: Metrics, clock: Monotonic, wall: FixedClock
) -> MakeClient:
    def make(*, client_secret: str = "test-secret", client_http: HttpClient | None = None
             ) -> ZoomClient:
        return ZoomClient(
            client_http or http, account_id="test-account", client_id="test-client",
            client_secret=client_secret, api_url=zoom.api_url, oauth_url=zoom.oauth_url,
            metrics=metrics, clock=clock, wall_clock=wall,
        )
    return make


async def create(client: ZoomClient, topic: str = "Call with Ann") -> str:
    meeting = await client.create(topic=topic, start=START, duration_minutes=30,
                                  timezone="Europe/Berlin")
    return meeting.id


async def test_create_sends_the_documented_body_and_returns_the_link(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    meeting = await make_client().create(topic="Call with Ann", start=START, duration_minutes=30,
                                         timezone="Europe/Berlin")

    assert meeting.id in zoom.meetings
    assert meeting.join_url == zoom.meetings[meeting.id]["join_url"]
    request = next(r for r in zoom.requests if r.path == "/v2/users/me/meetings")
    assert set(request.body) <= MEETING_FIELDS
    assert request.body == {
        "topic": "Call with Ann", "type": 2, "start_time": "2030-01-07T15:00:00Z",
        "duration": 30, "timezone": "Europe/Berlin",
        "settings": {"waiting_room": True, "join_before_host": False},
    }


async def test_token_request_uses_account_credentials_grant(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    await create(make_client())
    token_request = next(r for r in zoom.requests if r.path == "/oauth/token")
    assert token_request.method == "POST"
    assert token_request.query == {"grant_type": "account_credentials",
                                   "account_id": "test-account"}


async def test_delete_removes_the_meeting_and_a_missing_one_counts_as_deleted(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    client = make_client()
    meeting_id = await create(client)
    await client.delete(meeting_id)
    assert meeting_id not in zoom.meetings
    await client.delete(meeting_id)  # Zoom answers 404, code 3001
    assert zoom.count("DELETE", "/v2/meetings/") == 2


async def test_token_is_fetched_once_for_many_calls(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    client = make_client()
    for _ in range(5):
        await create(client)
    assert zoom.token_requests == 1


async def test_concurrent_first_calls_share_one_token_request(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    client = make_client()
    ids = await asyncio.gather(*(create(client) for _ in range(20)))
    assert len(set(ids)) == 20
    assert zoom.token_requests == 1


async def test_token_is_refreshed_a_minute_before_it_expires(
    zoom: FakeZoom, make_client: MakeClient, clock: Monotonic
) -> None:
    client = make_client()
    await create(client)
    clock.now += 3599 - 70
    await create(client)
    assert zoom.token_requests == 1
    clock.now += 20
    await create(client)
    assert zoom.token_requests == 2


async def test_twenty_calls_at_expiry_share_one_token_refresh(
    zoom: FakeZoom, make_client: MakeClient, clock: Monotonic
) -> None:
    client = make_client()
    await client.token()
    clock.now += 3599
    zoom.delay("/oauth/token", 0.05)
    tokens = await asyncio.gather(*(client.token() for _ in range(20)))
    assert len(set(tokens)) == 1
    assert zoom.token_requests == 2


async def test_a_refused_token_request_fails_its_waiters_once_and_the_next_call_retries(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    client = make_client()
    zoom.fail("/oauth/token", 400, times=1)
    zoom.delay("/oauth/token", 0.05)
    results = await asyncio.gather(*(client.token() for _ in range(20)), return_exceptions=True)
    assert all(isinstance(r, AuthError) for r in results)
    assert zoom.token_requests == 1
    await create(client)
    assert zoom.token_requests == 2


async def test_a_401_refreshes_the_token_once_and_the_meeting_is_created_once(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    client = make_client()
    await create(client)
    zoom.expire_tokens()
    await create(client)
    assert zoom.token_requests == 2
    assert zoom.count("POST", "/users/me/meetings") == 3
    assert len(zoom.meetings) == 2


async def test_a_401_that_persists_is_an_auth_error_after_one_retry(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    zoom.fail("/users/me/meetings", 401, times=None)
    with pytest.raises(AuthError):
        await create(make_client())
    assert zoom.count("POST", "/users/me/meetings") == 2
    assert zoom.token_requests == 2


async def test_wrong_credentials_are_an_auth_error_without_the_secret(
    make_client: MakeClient
) -> None:
    with pytest.raises(AuthError, match="Invalid client_id or client_secret") as caught:
        await create(make_client(client_secret="wrong-secret"))
    assert "wrong-secret" not in str(caught.value)


async def test_create_is_never_retried_on_5xx(
    zoom: FakeZoom, make_client: MakeClient, sleep: RecordingSleep
) -> None:
    zoom.fail("/users/me/meetings", 503, times=1)
    with pytest.raises(Unavailable):
        await create(make_client())
    assert zoom.count("POST", "/users/me/meetings") == 1
    assert zoom.meetings == {}
    assert sleep.delays == []


async def test_create_rate_limited_surfaces_retry_after(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    zoom.fail("/users/me/meetings", 429, times=1, retry_after=3,
              body={"code": 429, "message": "You have exceeded the daily rate limit"})
    with pytest.raises(RateLimited, match="daily rate limit") as caught:
        await create(make_client())
    assert caught.value.retry_after == 3


async def test_delete_is_retried_on_5xx_and_429(
    zoom: FakeZoom, make_client: MakeClient, sleep: RecordingSleep
) -> None:
    client = make_client()
    meeting_id = await create(client)
    zoom.fail("/v2/meetings/", 502, times=1)
    zoom.fail("/v2/meetings/", 429, times=1, retry_after=1)
    await client.delete(meeting_id)
    assert meeting_id not in zoom.meetings
    assert zoom.count("DELETE", "/v2/meetings/") == 3
    assert sleep.delays[-1] == 1.0


async def test_a_hanging_api_ends_at_the_timeout_as_unavailable(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    zoom.hang("/users/me/meetings")
    async with make_session(limit=5, total_timeout=0.3) as session:
        slow = HttpClient(session, service="zoom", metrics=Metrics())
        with pytest.raises(Unavailable, match="timed out"):
            await create(make_client(client_http=slow))


async def test_quota_counts_creates_and_deletes_per_utc_day(
    make_client: MakeClient, metrics: Metrics, wall: FixedClock
) -> None:
    client = make_client()
    meeting_id = await create(client)
    await client.delete(meeting_id)
    assert client.quota_today() == Quota(used=2, limit=DAILY_QUOTA)
    assert metrics.count("zoom.quota") == 2
    wall.set(datetime(2030, 1, 8, 0, 0, 1, tzinfo=UTC))
    assert client.quota_today().used == 0
    await create(client)
    assert client.quota_today().used == 1


async def test_calls_are_timed_into_metrics(make_client: MakeClient, metrics: Metrics) -> None:
    client = make_client()
    await client.delete(await create(client))
    assert metrics.summary("zoom.token").count == 1
    assert metrics.summary("zoom.create").count == 1
    assert metrics.summary("zoom.delete").count == 1


async def test_the_connection_limit_holds_under_50_concurrent_calls(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    client = make_client()
    await create(client)  # token first
    zoom.delay("/users/me/meetings", 0.03)
    await asyncio.gather(*(create(client) for _ in range(50)))
    assert zoom.max_in_flight == ZOOM_POOL.limit
    assert len(zoom.meetings) == 51


async def test_a_naive_start_is_refused_before_any_request(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await make_client().create(topic="x", start=datetime(2030, 1, 7, 16, 0),
                                   duration_minutes=30, timezone="Europe/Berlin")
    assert zoom.requests == []


async def test_a_meeting_is_found_again_by_its_key_across_pages(
    zoom: FakeZoom, make_client: MakeClient
) -> None:
    client = make_client()
    zoom.max_page_size = 2
    made = [await client.create(topic=f"Call {n}", start=START, duration_minutes=30,
                                timezone="UTC", key=f"key{n}") for n in range(5)]
    assert all(zoom.meetings[m.id]["agenda"].endswith(f"(ref key{n})")
               for n, m in enumerate(made))
    found = await client.find("key4")  # on the third page
    assert found == made[4]
    assert await client.find("no-such-key") is None
    assert zoom.count("GET", "/users/me/meetings") == 6
