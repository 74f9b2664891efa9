"""The nudge service on in-memory fakes: the chain of steps across a DST night, a lead whose
zone changed into their quiet hours, nothing free to offer, and a send that fails."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.booking.reminders import AsyncioTimers
from bot.domain import Lead, LeadStatus
from bot.followups.nudges import Nudges
from bot.followups.ports import Job
from bot.followups.timing import QuietHours
from bot.observability.metrics import Metrics
from bot.ports import OutMessage
from tests.unit.fakes import FakeClock, FakeRepositories

BERLIN = ZoneInfo("Europe/Berlin")
# Saturday 28 March 2026, 18:00 in Berlin; the clocks go forward that night.
SATURDAY = datetime(2026, 3, 28, 17, 0, tzinfo=UTC)


@dataclass
class FakeJobs:
    """``JobStore`` in a dict, claims as the database makes them: once."""

    rows: dict[int, tuple[Job, str]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def plan(self, lead_id: int, step: int, due_at: datetime) -> Job:
        await self.cancel(lead_id)
        job = Job(next(self.ids), lead_id, step, due_at)
        self.rows[job.id] = (job, "due")
        return job

    async def cancel(self, lead_id: int) -> int:
        open_ = [j for j, s in self.rows.values() if j.lead_id == lead_id and s in ("due",
                                                                                    "claimed")]
        for job in open_:
            self.rows[job.id] = (job, "cancelled")
        return len(open_)

    async def claim_due(self, now: datetime, limit: int = 50) -> list[Job]:
        due = sorted((j for j, s in self.rows.values() if s == "due" and j.due_at <= now),
                     key=lambda j: j.due_at)[:limit]
        for job in due:
            self.rows[job.id] = (job, "claimed")
        return due

    async def finish(self, job_id: int, status: str) -> None:
        self.rows[job_id] = (self.rows[job_id][0], status)

    async def open_for(self, lead_id: int) -> Job | None:
        return next((j for j, s in self.rows.values() if j.lead_id == lead_id
                     and s in ("due", "claimed")), None)

    async def release_stale(self, before: datetime) -> int:
        return 0


@dataclass
class FakePrivacy:
    last: dict[int, datetime] = field(default_factory=dict)
    taken: set[int] = field(default_factory=set)

    async def forget(self, lead_id: int) -> int:
        return 0

    async def set_source(self, lead_id: int, source: str) -> bool:
        return True

    async def taken_over(self, lead_id: int) -> bool:
        return lead_id in self.taken

    async def last_inbound(self, lead_id: int) -> datetime | None:
        return self.last.get(lead_id)


@dataclass
class FakeComposer:
    zones: dict[int, ZoneInfo] = field(default_factory=dict)
    free: bool = True
    texts: list[str] = field(default_factory=list)

    async def zone(self, lead: Lead) -> ZoneInfo:
        return self.zones.get(lead.id, BERLIN)

    async def nudge(self, lead: Lead, text: str) -> list[OutMessage]:
        self.texts.append(text)
        return [OutMessage(text)] if self.free else []


@dataclass
class Sent:
    to: list[int] = field(default_factory=list)
    fail: bool = False

    async def send(self, chat_id: int, message: OutMessage) -> None:
        if self.fail:
            raise ConnectionError("blocked")
        self.to.append(chat_id)


@dataclass
class Rig:
    clock: FakeClock
    repos: FakeRepositories
    jobs: FakeJobs
    privacy: FakePrivacy
    composer: FakeComposer
    sent: Sent
    metrics: Metrics
    nudges: Nudges

    async def lead_writes(self) -> Lead:
        lead = await self.repos.leads.get_or_create(1, 1, "Jonas Weber")
        lead = await self.repos.leads.update(lead.id, status=LeadStatus.ENGAGED)
        self.privacy.last[lead.id] = self.clock.now()
        await self.nudges.heard(lead, await self.composer.zone(lead))
        return lead

    async def due(self, lead: Lead) -> datetime | None:
        job = await self.jobs.open_for(lead.id)
        return job.due_at if job else None

    async def run_at(self, at: datetime) -> int:
        self.clock.set(at)
        return await self.nudges.run_due()


def rig(schedule: tuple[timedelta, ...]) -> Rig:
    clock = FakeClock(SATURDAY)
    repos = FakeRepositories(clock)
    jobs, privacy, composer, sent = FakeJobs(), FakePrivacy(), FakeComposer(), Sent()
    metrics = Metrics()
    nudges = Nudges(jobs, repos.leads, repos.appointments, privacy, sent, AsyncioTimers(clock),
                    clock, metrics, schedule=schedule, quiet=QuietHours(time(21), time(9)))
    nudges.attach(composer)
    return Rig(clock, repos, jobs, privacy, composer, sent, metrics, nudges)


async def test_each_step_counts_from_the_last_message_and_skips_the_quiet_night_across_dst(
        ) -> None:
    r = rig((timedelta(hours=4), timedelta(hours=20)))
    lead = await r.lead_writes()
    # 18:00 + 4 h is 22:00 in Berlin: the quiet hours end at 09:00 CEST on Sunday, 07:00 UTC.
    assert await r.due(lead) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert await r.run_at(datetime(2026, 3, 29, 7, 0, tzinfo=UTC)) == 1
    # 20 h after Saturday 18:00 CET is Sunday 13:00 UTC, 15:00 CEST (the night lost an hour).
    assert await r.due(lead) == datetime(2026, 3, 29, 13, 0, tzinfo=UTC)
    assert await r.run_at(datetime(2026, 3, 29, 13, 0, tzinfo=UTC)) == 1
    assert await r.due(lead) is None and r.sent.to == [lead.chat_id, lead.chat_id]
    assert r.composer.texts[0].startswith(("Hi Jonas", "Hey Jonas"))


async def test_a_lead_whose_zone_turned_quiet_waits_for_their_morning() -> None:
    r = rig((timedelta(hours=1),))
    lead = await r.lead_writes()
    r.composer.zones[lead.id] = ZoneInfo("Asia/Tokyo")  # 19:00 UTC is 04:00 there
    assert await r.run_at(SATURDAY + timedelta(hours=1, minutes=5)) == 0
    assert await r.due(lead) == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
    assert await r.run_at(datetime(2026, 3, 29, 0, 0, tzinfo=UTC)) == 1


async def test_with_nothing_free_no_nudge_goes_and_the_next_step_is_planned() -> None:
    r = rig((timedelta(hours=1), timedelta(days=1)))
    lead = await r.lead_writes()
    r.composer.free = False
    assert await r.run_at(SATURDAY + timedelta(hours=1)) == 0
    assert r.sent.to == [] and await r.due(lead) == SATURDAY + timedelta(days=1)


async def test_a_send_that_fails_is_counted_and_does_not_stop_the_others() -> None:
    r = rig((timedelta(hours=1),))
    lead = await r.lead_writes()
    other = await r.repos.leads.get_or_create(2, 2, None)
    other = await r.repos.leads.update(other.id, status=LeadStatus.ENGAGED)
    r.privacy.last[other.id] = r.clock.now()
    await r.nudges.heard(other, BERLIN)
    r.sent.fail = True
    assert await r.run_at(SATURDAY + timedelta(hours=1)) == 0
    assert r.metrics.count("errors.nudge") == 2
    assert await r.due(lead) is None and await r.due(other) is None


async def test_an_opted_out_or_taken_over_lead_is_not_nudged() -> None:
    r = rig((timedelta(hours=1),))
    lead = await r.lead_writes()
    r.privacy.taken.add(lead.id)
    assert await r.run_at(SATURDAY + timedelta(hours=1)) == 0
    await r.nudges.heard(replace(lead, status=LeadStatus.OPTED_OUT), BERLIN)
    assert await r.due(lead) is None and r.sent.to == []
