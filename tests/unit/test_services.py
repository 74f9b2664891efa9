"""The services' periodic sweep on in-memory fakes: it reschedules itself and forgets old
update ids (a week is kept), so processed_updates stays small."""

from __future__ import annotations

from datetime import timedelta

from bot.config import Config
from bot.conversation.service import ConversationService
from bot.services import KEEP_UPDATES, SWEEP_EVERY, Services, schedule_sweep
from integrations.rule_brain import RuleBrain
from tests.unit.fakes import Core, build_core


def services_on(core: Core) -> Services:
    brain = RuleBrain()
    conversation = ConversationService(
        core.repos, core.slots, core.booking, brain, brain, core.notifier, core.reminders,
        core.clock, core.metrics, agency_name="Acme", default_timezone="UTC")
    return Services(Config.from_env({}), core.repos, core.metrics, core.clock, core.calendar,
                    core.meetings, core.slots, core.booking, conversation, core.reminders,
                    core.notifier, core.timers, chart=lambda _: b"")


async def test_the_sweep_runs_every_five_minutes_and_forgets_updates_older_than_a_week() -> None:
    core = build_core()
    services = services_on(core)
    await core.repos.updates.claim(1)
    core.clock.advance(KEEP_UPDATES - timedelta(minutes=1))
    await core.repos.updates.claim(2)

    schedule_sweep(services)
    assert core.timers.when("sweep") == core.clock.now() + SWEEP_EVERY
    core.clock.advance(SWEEP_EVERY)
    await core.timers.fire("sweep")

    assert sorted(core.repos.updates.seen) == [2]  # the week-old id is forgotten
    assert core.timers.when("sweep") == core.clock.now() + SWEEP_EVERY  # and it comes again
    assert not await core.repos.updates.claim(2), "a recent id is still refused"
