"""GoogleCalendarClient + google-auth service-account tokens against the loopback FakeGoogle."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.booking.events import event_id_for
from bot.domain import EventRequest, Interval
from bot.errors import AuthError, CalendarsUnreadable, ConfigError, IntegrationError, Unavailable
from bot.observability.metrics import Metrics
from integrations.google_calendar import GoogleCalendarClient, GoogleCredentials
from integrations.http import GOOGLE_POOL, HttpClient, make_session
from tests.fakes.clocks import Monotonic, RecordingSleep
from tests.fakes.google import EVENT_FIELDS, FakeGoogle, make_service_account_file

AGENT = "agent@example.com"
# Real shared/group calendar ids carry '@' and sometimes '#'.
TEAM = "c_team#sales@group.calendar.google.com"
T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)






@pytest.fixture
async def google() -> AsyncIterator[FakeGoogle]:
    async with FakeGoogle(calendars=[AGENT, TEAM]) as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    session = make_session(limit=GOOGLE_POOL.limit, total_timeout=3.0)
    yield HttpClient(session, service="google", metrics=Metrics(), sleep=RecordingSleep())
    await session.close()


@pytest.fixture
def key_file(tmp_path: Path, google: FakeGoogle) -> Path:
    return make_service_account_file(tmp_path, google.token_uri)


@pytest.fixture
def clock() -> Monotonic:
    return Monotonic()


MakeClient = Callable[..., GoogleCalendarClient]


@pytest.fixture
def make_client(
    http: HttpClient, key_file: Path, google: FakeGoogle, clock: Monotonic
) -> MakeClient:
    def make(*, subject: str | None = None, invite: bool = False,
             client_http: HttpClient | None = None) -> GoogleCalendarClient:
        creds = GoogleCredentials.from_file(key_file, subject=subject, clock=clock, timeout=2.0)
        return GoogleCalendarClient(client_http or http, creds, base_url=google.api_url,
                                    invite_attendees=invite)
    return make


def event(event_id: str = "lbtest00001", calendar_id: str = AGENT,
          attendees: tuple[str, ...] = ()) -> EventRequest:
    return EventRequest(
        event_id=event_id, calendar_id=calendar_id, summary="Call with Ann",
        description="Lead: Ann, +441234567890", location="https://zoom.example/j/1",
        start=datetime(2030, 1, 7, 15, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        end=datetime(2030, 1, 7, 15, 30, tzinfo=ZoneInfo("Europe/Berlin")),
        timezone="Europe/Berlin", attendee_emails=attendees,
    )


# -- free/busy ---------------------------------------------------------------------------------


async def test_busy_asks_once_for_all_calendars_and_returns_utc_intervals(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    google.busy[AGENT].append(Interval(T0 + timedelta(hours=1), T0 + timedelta(hours=2)))
    google.busy[TEAM].append(Interval(T0 + timedelta(hours=3), T0 + timedelta(hours=4)))
    google.busy[AGENT].append(Interval(T0 + timedelta(days=5), T0 + timedelta(days=5, hours=1)))
    berlin = ZoneInfo("Europe/Berlin")

    busy = await make_client().busy([AGENT, TEAM], T0.astimezone(berlin), T0 + timedelta(days=1))

    assert busy == {
        AGENT: [Interval(T0 + timedelta(hours=1), T0 + timedelta(hours=2))],
        TEAM: [Interval(T0 + timedelta(hours=3), T0 + timedelta(hours=4))],
    }
    assert all(i.start.tzinfo is not None and i.start.utcoffset() == timedelta(0)
               for intervals in busy.values() for i in intervals)
    calls = [r for r in google.requests if r.path.endswith("/freeBusy")]
    assert len(calls) == 1
    assert calls[0].body == {
        "timeMin": "2030-01-07T09:00:00Z", "timeMax": "2030-01-08T09:00:00Z",
        "timeZone": "UTC", "items": [{"id": AGENT}, {"id": TEAM}],
    }


async def test_busy_includes_events_the_bot_created(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    client = make_client()
    await client.create_event(event())
    busy = await client.busy([AGENT], T0, T0 + timedelta(days=1))
    assert busy[AGENT] == [Interval(datetime(2030, 1, 7, 14, 0, tzinfo=UTC),
                                    datetime(2030, 1, 7, 14, 30, tzinfo=UTC))]


async def test_busy_for_an_unknown_calendar_names_it(make_client: MakeClient) -> None:
    with pytest.raises(IntegrationError, match=r"nobody@example\.com.*notFound"):
        await make_client().busy([AGENT, "nobody@example.com"], T0, T0 + timedelta(days=1))


async def test_a_calendar_google_cannot_read_is_reported_with_the_others_answers(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    google.busy[AGENT].append(Interval(T0 + timedelta(hours=1), T0 + timedelta(hours=2)))
    google.fail_calendar(TEAM, "internalError", domain="calendar")

    with pytest.raises(CalendarsUnreadable) as caught:
        await make_client().busy([AGENT, TEAM], T0, T0 + timedelta(days=1))

    assert caught.value.failed == {TEAM: "internalError"}
    assert caught.value.answered == {
        AGENT: [Interval(T0 + timedelta(hours=1), T0 + timedelta(hours=2))]}
    assert TEAM in str(caught.value) and "internalError" in str(caught.value)
    assert google.count("POST", "/freeBusy") == 1, "a per-calendar error is not retried"


async def test_busy_5xx_is_retried_then_unavailable(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    google.fail("/freeBusy", 500, times=None)
    with pytest.raises(Unavailable, match="backendError"):
        await make_client().busy([AGENT], T0, T0 + timedelta(days=1))
    assert google.count("POST", "/freeBusy") == 4


async def test_busy_that_hangs_ends_at_the_timeout(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    google.hang("/freeBusy")
    async with make_session(limit=10, total_timeout=0.3) as session:
        slow_http = HttpClient(session, service="google", metrics=Metrics(), max_attempts=1)
        with pytest.raises(Unavailable, match="timed out"):
            await make_client(client_http=slow_http).busy([AGENT], T0, T0 + timedelta(days=1))


# -- events ------------------------------------------------------------------------------------


async def test_create_event_sends_a_documented_event_body(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    event_id = await make_client().create_event(event(attendees=("ann@example.com",)))

    assert event_id == "lbtest00001"
    insert = next(r for r in google.requests if r.path.endswith("/events"))
    assert set(insert.body) <= EVENT_FIELDS
    assert insert.body == {
        "id": "lbtest00001", "summary": "Call with Ann",
        "description": "Lead: Ann, +441234567890", "location": "https://zoom.example/j/1",
        "start": {"dateTime": "2030-01-07T14:00:00Z", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2030-01-07T14:30:00Z", "timeZone": "Europe/Berlin"},
    }
    # Without delegation nobody is invited, so nobody is e-mailed.
    assert "sendUpdates" not in insert.query
    assert google.events[AGENT]["lbtest00001"]["status"] == "confirmed"


async def test_an_existing_event_id_counts_as_created(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    client = make_client()
    assert await client.create_event(event()) == "lbtest00001"
    assert await client.create_event(event()) == "lbtest00001"
    assert google.count("POST", "/events") == 2
    assert list(google.events[AGENT]) == ["lbtest00001"]


async def test_insert_is_retried_after_a_5xx_and_creates_one_event(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    google.fail("/events", 503, times=1)
    assert await make_client().create_event(event()) == "lbtest00001"
    assert len(google.events[AGENT]) == 1


async def test_delete_counts_missing_and_already_deleted_events_as_deleted(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    client = make_client()
    await client.create_event(event())
    await client.delete_event(AGENT, "lbtest00001")
    assert google.events[AGENT]["lbtest00001"]["status"] == "cancelled"
    await client.delete_event(AGENT, "lbtest00001")  # 410 from Google
    await client.delete_event(AGENT, "lbneverexisted")  # 404 from Google
    assert google.count("DELETE", "/events/") == 3


async def test_calendar_ids_with_at_and_hash_reach_the_right_calendar(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    client = make_client()
    await client.create_event(event(calendar_id=TEAM))
    assert "lbtest00001" in google.events[TEAM]
    assert google.events[AGENT] == {}
    await client.delete_event(TEAM, "lbtest00001")
    assert google.events[TEAM]["lbtest00001"]["status"] == "cancelled"


async def test_attendees_are_invited_only_with_delegation(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    await make_client(subject="agent@example.com", invite=True).create_event(
        event(attendees=("ann@example.com",))
    )
    insert = next(r for r in google.requests if r.path.endswith("/events"))
    assert insert.body["attendees"] == [{"email": "ann@example.com"}]
    assert insert.query == {"sendUpdates": "all"}
    assert google.events[AGENT]["lbtest00001"]["organizer"] == {"email": "agent@example.com"}


async def test_inviting_without_delegation_is_refused_with_googles_reason(
    make_client: MakeClient
) -> None:
    with pytest.raises(AuthError, match="forbiddenForServiceAccounts"):
        await make_client(invite=True).create_event(event(attendees=("ann@example.com",)))


async def test_update_patches_the_event_with_what_the_lead_said_since(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    client = make_client()
    await client.create_event(event())
    later = replace(event(attendees=("ann@example.com",)),
                    description="Lead: Ann\nPhone: +441234567890\nEmail: ann@example.com")
    await client.update_event(later)
    (patch,) = [r for r in google.requests if r.method == "PATCH"]
    assert patch.path.endswith("/events/lbtest00001")
    assert set(patch.body) == {"summary", "description", "location"}, "no attendees"
    assert patch.query == {}
    stored = google.events[AGENT]["lbtest00001"]
    assert "ann@example.com" in stored["description"] and "attendees" not in stored


async def test_with_delegation_an_update_invites_the_lead_and_google_mails_them(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    client = make_client(subject="sales@example.com", invite=True)
    await client.create_event(event())
    await client.update_event(event(attendees=("ann@example.com",)))
    (patch,) = [r for r in google.requests if r.method == "PATCH"]
    assert patch.body["attendees"] == [{"email": "ann@example.com"}]
    assert patch.query == {"sendUpdates": "all"}
    assert google.events[AGENT]["lbtest00001"]["attendees"] == [{"email": "ann@example.com"}]


async def test_updating_an_event_that_is_gone_is_an_error(make_client: MakeClient) -> None:
    with pytest.raises(IntegrationError, match="404"):
        await make_client().update_event(event(event_id="lbnothere001"))


async def test_delegation_not_set_up_is_an_auth_error(tmp_path: Path, http: HttpClient) -> None:
    async with FakeGoogle(delegation=False) as google:
        key_file = make_service_account_file(tmp_path, google.token_uri)
        creds = GoogleCredentials.from_file(key_file, subject="agent@example.com")
        client = GoogleCalendarClient(http, creds, base_url=google.api_url, invite_attendees=True)
        with pytest.raises(AuthError, match="unauthorized_client"):
            await client.busy([AGENT], T0, T0 + timedelta(hours=1))


# -- tokens ------------------------------------------------------------------------------------


async def test_token_is_fetched_once_for_many_calls(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    client = make_client()
    for _ in range(5):
        await client.busy([AGENT], T0, T0 + timedelta(hours=1))
    assert google.token_requests == 1


async def test_concurrent_first_calls_share_one_token_request(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    client = make_client()
    await asyncio.gather(*(client.busy([AGENT], T0, T0 + timedelta(hours=1)) for _ in range(20)))
    assert google.token_requests == 1


async def test_token_is_refreshed_a_minute_before_it_expires(
    google: FakeGoogle, make_client: MakeClient, clock: Monotonic
) -> None:
    client = make_client()
    await client.busy([AGENT], T0, T0 + timedelta(hours=1))
    clock.now += 3600 - 70
    await client.busy([AGENT], T0, T0 + timedelta(hours=1))
    assert google.token_requests == 1
    clock.now += 20
    await client.busy([AGENT], T0, T0 + timedelta(hours=1))
    assert google.token_requests == 2


async def test_twenty_calls_at_expiry_share_one_token_refresh(
    google: FakeGoogle, make_client: MakeClient, clock: Monotonic
) -> None:
    client = make_client()
    await client.busy([AGENT], T0, T0 + timedelta(hours=1))
    clock.now += 3600
    google.delay("/token", 0.05)
    await asyncio.gather(*(client.busy([AGENT], T0, T0 + timedelta(hours=1)) for _ in range(20)))
    assert google.token_requests == 2


async def test_a_revoked_token_is_replaced_once_and_the_call_succeeds(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    client = make_client()
    await client.busy([AGENT], T0, T0 + timedelta(hours=1))
    google.expire_tokens()
    assert await client.busy([AGENT], T0, T0 + timedelta(hours=1)) == {AGENT: []}
    assert google.token_requests == 2


async def test_a_key_google_does_not_know_is_an_auth_error(
    tmp_path: Path, google: FakeGoogle, http: HttpClient
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = make_service_account_file(tmp_path, google.token_uri, key=stranger)
    client = GoogleCalendarClient(http, GoogleCredentials.from_file(key_file),
                                  base_url=google.api_url)
    with pytest.raises(AuthError, match="Invalid JWT Signature"):
        await client.busy([AGENT], T0, T0 + timedelta(hours=1))


async def test_an_unreachable_token_endpoint_is_unavailable(
    tmp_path: Path, google: FakeGoogle, http: HttpClient
) -> None:
    closed = FakeGoogle()
    await closed.start()
    token_uri = closed.token_uri
    await closed.close()
    key_file = make_service_account_file(tmp_path, token_uri)
    client = GoogleCalendarClient(http, GoogleCredentials.from_file(key_file, timeout=1.0),
                                  base_url=google.api_url)
    with pytest.raises(Unavailable, match="token"):
        await client.busy([AGENT], T0, T0 + timedelta(hours=1))


def test_a_broken_key_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "sa.json"
    path.write_text('{"type": "service_account"}')
    with pytest.raises(ConfigError, match="GOOGLE_SERVICE_ACCOUNT_FILE"):
        GoogleCredentials.from_file(path)


# -- event ids ---------------------------------------------------------------------------------


def test_event_ids_are_valid_stable_and_distinct() -> None:
    ids = {event_id_for(n) for n in range(1, 2001)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"[a-v0-9]{5,1024}", i) for i in ids)
    assert event_id_for(42) == event_id_for(42)
    assert event_id_for(42, salt="other-install") != event_id_for(42)


async def test_generated_event_ids_are_accepted_by_the_calendar(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    event_id = event_id_for(7)
    assert await make_client().create_event(event(event_id=event_id)) == event_id
    assert event_id in google.events[AGENT]


async def test_the_connection_limit_holds_under_50_concurrent_calls(
    google: FakeGoogle, make_client: MakeClient
) -> None:
    client = make_client()
    await client.busy([AGENT], T0, T0 + timedelta(hours=1))  # token first
    google.delay("/freeBusy", 0.03)
    await asyncio.gather(*(client.busy([AGENT], T0, T0 + timedelta(hours=1)) for _ in range(50)))
    assert google.max_in_flight == GOOGLE_POOL.limit
