"""A conversation to talk in, for unit tests: the service over the core on fakes, one agent.

The clock stands on Monday 2026-12-07 07:00 UTC; the agent works mon-fri 09:00-17:00 UTC in
30-minute slots with an hour's notice. The rule-based brain answers unless a test scripts one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.conversation.brain import Brain, BrainReply
from bot.conversation.service import OFFER_PREFIX, ConversationService, Sender
from bot.domain import Agent, Lead
from bot.observability.metrics import Metrics
from bot.ports import OutMessage
from integrations.rule_brain import RuleBrain
from tests.unit.fakes import (
    Core,
    FakeBrain,
    FakeCalendar,
    FakeClock,
    FakeMeetings,
    FakeRepositories,
    FakeTimers,
    build_core,
)


@dataclass
class Chat:
    """The conversation service over the core on fakes, one agent, and one lead to talk as."""

    core: Core
    conversation: ConversationService
    brain: FakeBrain
    agent: Agent
    me: Sender = field(default_factory=lambda: Sender(1001, 1001, "Ann"))

    @property
    def repos(self) -> FakeRepositories:
        return self.core.repos

    @property
    def clock(self) -> FakeClock:
        return self.core.clock

    @property
    def calendar(self) -> FakeCalendar:
        return self.core.calendar

    @property
    def meetings(self) -> FakeMeetings:
        return self.core.meetings

    @property
    def timers(self) -> FakeTimers:
        return self.core.timers

    @property
    def metrics(self) -> Metrics:
        return self.core.metrics

    async def says(self, text: str) -> list[OutMessage]:
        return await self.conversation.text(self.me, text)

    async def taps(self, data: str) -> list[OutMessage]:
        return await self.conversation.tap(self.me, data)

    async def lead(self) -> Lead:
        lead = await self.repos.leads.by_telegram_id(self.me.telegram_id)
        assert lead is not None
        return lead

    def to_agent(self) -> list[str]:
        return self.core.notifier.to(self.agent.telegram_id)


async def chat(*replies: BrainReply | Exception) -> Chat:
    """The service on fakes with one agent; scripted replies put a fake AI before the rules."""
    core = build_core()
    scripted = FakeBrain(*replies)
    rules = RuleBrain()
    brain: Brain = scripted if replies else rules
    conversation = ConversationService(core.repos, core.slots, core.booking, brain, rules,
                                       core.notifier, core.reminders, core.clock, core.metrics,
                                       agency_name="Acme Realty", default_timezone="UTC")
    return Chat(core, conversation, scripted, await core.add_agent())


def offers_in(messages: list[OutMessage]) -> list[str]:
    return [b.data for m in messages for row in m.buttons for b in row
            if b.data.startswith(OFFER_PREFIX)]


def labels(messages: list[OutMessage]) -> list[str]:
    return [b.label for m in messages for row in m.buttons for b in row
            if b.data.startswith(OFFER_PREFIX)]


def text_of(messages: list[OutMessage]) -> str:
    return "\n".join(m.text for m in messages)
