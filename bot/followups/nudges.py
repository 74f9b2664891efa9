"""Nudges: a lead who engaged, has not booked and went silent hears from the bot again.

Each nudge is a stored job (``JobStore``), due a delay of ``FOLLOW_UP_SCHEDULE`` after the
lead's last message and moved out of the lead's quiet hours. Whatever happens, the job is
claimed by one process alone; before sending, the lead is looked at afresh, so a reply, a
booking, a takeover or an opt-out stops the sequence at once (a reply plans a new one from the
new silence). A nudge found more than ``LATE_LIMIT`` late (the bot was down) is skipped for the
next one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.booking.reminders import Timers
from bot.clock import Clock
from bot.domain import Lead, LeadStatus
from bot.followups import wording
from bot.followups.ports import Job, JobStore, PrivacyStore
from bot.followups.timing import QuietHours
from bot.i18n import speaking
from bot.observability.metrics import Metrics
from bot.ports import AppointmentStore, LeadStore, Notifier, OutMessage

log = logging.getLogger(__name__)
LATE_LIMIT = timedelta(hours=1)
"""A nudge missed while the bot was down is still sent when at most this late."""
TICK = timedelta(minutes=1)
STALE_CLAIM = timedelta(minutes=10)
"""A claim this old belongs to a process that died before finishing it."""
NUDGED = frozenset({LeadStatus.NEW, LeadStatus.ENGAGED, LeadStatus.QUALIFIED,
                    LeadStatus.CANCELLED, LeadStatus.NO_SHOW})
"""Open leads without a meeting: the ones a nudge is for."""
TIMER = "followups"


class NudgeComposer(Protocol):
    """The conversation's side of a nudge: the lead's zone, and fresh offers under a text."""

    async def zone(self, lead: Lead) -> ZoneInfo:
        """The zone the lead sees times in."""
        ...

    async def nudge(self, lead: Lead, text: str) -> list[OutMessage]:
        """The nudge's messages, stored in the history; none when there is no time to offer."""
        ...


class Nudges:
    """Plans, sends and stops nudges."""

    def __init__(self, jobs: JobStore, leads: LeadStore, appointments: AppointmentStore,
                 privacy: PrivacyStore, notifier: Notifier, timers: Timers, clock: Clock,
                 metrics: Metrics, *, schedule: Sequence[timedelta],
                 quiet: QuietHours | None) -> None:
        self._jobs = jobs
        self._leads = leads
        self._appointments = appointments
        self._privacy = privacy
        self._notifier = notifier
        self._timers = timers
        self._clock = clock
        self._metrics = metrics
        self._schedule = tuple(schedule)
        self._quiet = quiet
        self._composer: NudgeComposer | None = None

    def attach(self, composer: NudgeComposer) -> None:
        """The conversation that writes the nudges (built after this service)."""
        self._composer = composer

    def due(self, last_message: datetime, step: int, tz: ZoneInfo) -> datetime:
        """When nudge ``step`` is due after the lead's last message: out of the quiet hours."""
        at = last_message + self._schedule[step]
        return self._quiet.next_allowed(at, tz) if self._quiet is not None else at

    async def heard(self, lead: Lead, tz: ZoneInfo) -> None:
        """The lead wrote: the sequence running stops; a new one counts from this message."""
        if not self._schedule or lead.status not in NUDGED:
            await self._jobs.cancel(lead.id)
            return
        await self._jobs.plan(lead.id, 0, self.due(self._clock.now(), 0, tz))

    async def stop(self, lead_id: int) -> None:
        """No more nudges for this lead (booked, taken over, opted out)."""
        await self._jobs.cancel(lead_id)

    def start(self) -> None:
        """Check for due nudges every minute from now on."""
        async def tick() -> None:
            try:
                await self.run_due()
            except Exception:
                self._metrics.incr("errors.nudge")
                log.exception("follow-up run failed")
            self._timers.at(self._clock.now() + TICK, TIMER, tick)

        self._timers.at(self._clock.now() + TICK, TIMER, tick)

    async def run_due(self) -> int:
        """Send every nudge that is due; returns how many went out."""
        now = self._clock.now()
        await self._jobs.release_stale(now - STALE_CLAIM)
        sent = 0
        for job in await self._jobs.claim_due(now):
            try:
                outcome, following = await self._run(job, now)
            except Exception:
                self._metrics.incr("errors.nudge")
                log.exception("nudge %s of lead %s failed", job.step, job.lead_id)
                outcome, following = "skipped", None
            await self._jobs.finish(job.id, outcome)
            sent += outcome == "done"
            if following is not None:
                await self._jobs.plan(job.lead_id, *following)
        return sent

    async def _run(self, job: Job, now: datetime) -> tuple[str, tuple[int, datetime] | None]:
        """Send or skip one claimed nudge; how it ended and the one to plan after it."""
        if self._composer is None:
            raise RuntimeError("no conversation attached to write nudges")
        lead = await self._leads.get(job.lead_id)
        if lead is None or lead.status not in NUDGED or job.step >= len(self._schedule):
            return "cancelled", None
        if await self._privacy.taken_over(lead.id) or \
                await self._appointments.upcoming_for_lead(lead.id, now) is not None:
            return "cancelled", None
        last = await self._privacy.last_inbound(lead.id)
        if last is None:
            return "cancelled", None
        tz = await self._composer.zone(lead)
        following = ((job.step + 1, self.due(last, job.step + 1, tz))
                     if job.step + 1 < len(self._schedule) else None)
        if now - job.due_at > LATE_LIMIT:
            self._metrics.incr("nudges.skipped")
            return "skipped", following
        if self._quiet is not None and self._quiet.next_allowed(now, tz) != now:
            # The lead's zone changed since it was planned: wait for the quiet hours to end.
            return "deferred", (job.step, self._quiet.next_allowed(now, tz))
        first_name = lead.name.split()[0] if lead.name else None
        with speaking(lead.language):  # a timer's task: the lead's language, not the last one
            messages = await self._composer.nudge(lead, wording.nudge(job.step, lead.id,
                                                                       first_name))
        if not messages:
            return "skipped", following
        for message in messages:
            await self._notifier.send(lead.chat_id, message)
        self._metrics.incr("nudges.sent")
        return "done", following
