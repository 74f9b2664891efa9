"""One turn with a lead, and what every flow of the conversation shares.

- ``Sender`` and ``Turn``: who wrote, and what goes back.
- ``LeadState``: the leads, cached, and the only writer of lead state; because every change
  goes through it, its cache is never stale and no flow reloads a lead by hand.
- ``Team``: the agent a lead talks to, the zone to show times in, and word to the agent.
- The button data a lead can tap back (opaque to Telegram, checked when it comes back).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from cachetools import TTLCache

from bot.clock import zone
from bot.conversation import wording
from bot.domain import Agent, Appointment, Awaiting, Lead, clean_text
from bot.errors import require
from bot.observability.metrics import Metrics
from bot.ports import Attachment, Button, LeadStore, LeadTurn, Notifier, OutMessage
from bot.scheduling.agents import AgentDirectory
from bot.scheduling.limits import within_limits

log = logging.getLogger(__name__)

SHOW_TIMES = "s"
KEEP = "k"
OFFER_PREFIX = "o:"
CANCEL_PREFIX = "c:"
MOVE_PREFIX = "m:"
"""Move the booked meeting, to a time near the words after the prefix."""
NEW_PREFIX = "n:"
"""Book another meeting, near the words after the prefix."""
NAME_CHARS = 100
LANGUAGE_CHARS = 35  # an IETF language tag is at most this long in practice


def show_times_row() -> tuple[tuple[Button, ...], ...]:
    """The one-button row that asks for times, labelled in the speaking language."""
    return ((Button(wording.SHOW_TIMES_LABEL, SHOW_TIMES),),)


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote: the Telegram user and chat (or the console's stand-in)."""

    telegram_id: int
    chat_id: int
    first_name: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    """Telegram's ``language_code`` of the user ("de", "pt-br"), when it sends one."""

    @property
    def name(self) -> str | None:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return clean_text(full, NAME_CHARS) or None


@dataclass(slots=True)
class Turn:
    """What one inbound update produced."""

    lead: Lead
    kind: str
    messages: list[OutMessage] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    offered: bool = False  # times were offered in this turn: the lead has not seen them yet
    rezoned: bool = False  # the lead's zone changed in this turn: open offers are shown anew

    def say(self, text: str, *, buttons: tuple[tuple[Button, ...], ...] = (),
            request_contact: bool = False, attachment: Attachment | None = None,
            extra: dict[str, str] | None = None) -> None:
        """Add a message to the reply."""
        extra = dict(extra or {})
        if request_contact:
            extra["contact_label"] = wording.SHARE_PHONE_LABEL  # the keyboard's, in the language
        self.messages.append(OutMessage(text, buttons, request_contact, attachment, extra))


class LeadState:
    """Leads by Telegram id, cached for five minutes; every write to a lead goes through here."""

    def __init__(self, leads: LeadStore) -> None:
        self._leads = leads
        self._cache: TTLCache[int, Lead] = TTLCache(maxsize=100_000, ttl=300,
                                                    timer=time.monotonic)

    async def of(self, sender: Sender) -> Lead:
        """The sender's lead, created on first contact."""
        lead = self._cache.get(sender.telegram_id)
        language = clean_text(sender.language_code or "", LANGUAGE_CHARS)
        if lead is None:
            # A new lead is stored with Telegram's language code at once: one write, not two.
            lead = await self._leads.get_or_create(sender.telegram_id, sender.chat_id,
                                                   sender.name, language or None)
            self._cache[sender.telegram_id] = lead
        if lead.language is None and language:
            # Stored once: later the lead's own words may change it, Telegram's code does not.
            lead = await self._leads.update(lead.id, language=language)
            self._cache[sender.telegram_id] = lead
        return lead

    async def with_history(self, turn: Turn, limit: int) -> LeadTurn:
        """The turn's lead as stored, its agent and its last ``limit`` messages, read in one
        trip; the turn and the cache see the lead as read."""
        found = require(await self._leads.with_history(turn.lead.id, limit), "lead")
        turn.lead = found.lead
        self._cache[turn.lead.telegram_id] = turn.lead
        return found

    async def update(self, turn: Turn, **fields: object) -> Lead:
        """Store these changes to the turn's lead; the turn and the cache see the result."""
        turn.lead = await self._leads.update(turn.lead.id, **fields)
        self._cache[turn.lead.telegram_id] = turn.lead
        return turn.lead

    async def set(self, lead_id: int, **fields: object) -> Lead:
        """Store these changes to a lead outside any turn of theirs (none: reload it)."""
        lead = await self._leads.update(lead_id, **fields)
        self._cache[lead.telegram_id] = lead
        return lead

    async def wait_for(self, turn: Turn, what: Awaiting | None) -> None:
        """Remember what the bot just asked the lead (None: nothing)."""
        await self.update(turn, awaiting=what)


class Team:
    """The agents behind the bot, as one lead sees them."""

    def __init__(self, agents: AgentDirectory, notifier: Notifier, metrics: Metrics, *,
                 default_timezone: str) -> None:
        self.agents = agents
        self._notifier = notifier
        self._metrics = metrics
        self._default_tz = default_timezone

    async def agent_of(self, lead: Lead, read: Agent | None = None) -> Agent | None:
        """The lead's agent, or the only active one; None when there is no single one.
        ``read``: the lead's agent as just read with the lead, so not read again."""
        if lead.agent_id is not None:
            if read is not None and read.id == lead.agent_id:
                agent: Agent | None = within_limits(read)
            else:
                agent = await self.agents.get(lead.agent_id)
            if agent is not None and self.agents.serves(agent):
                return agent
        active = await self.agents.active()
        return active[0] if len(active) == 1 else None

    async def assigned(self, upcoming: Appointment | None) -> Agent | None:
        """The agent a lead's times must come from: the one of their upcoming meeting (and,
        once an agent can take a lead over, the one who did). None: whoever has the earliest
        matching time, so a lead who cancelled is not tied to the agent they had."""
        if upcoming is None:
            return None
        agent = await self.agents.get(upcoming.agent_id)
        return agent if agent is not None and agent.active else None

    async def zone(self, lead: Lead) -> ZoneInfo:
        """The zone to show the lead times in: theirs, else their agent's, else the default."""
        return self.zone_with(lead, await self.agent_of(lead))

    def zone_with(self, lead: Lead, agent: Agent | None) -> ZoneInfo:
        """``zone`` when the lead's agent (``agent_of``) is known already."""
        return zone(lead.timezone, self._zone_name(agent))

    async def agent_zone(self, lead: Lead) -> str:
        """The zone of the lead's agent, else the bot's default zone."""
        return self._zone_name(await self.agent_of(lead))

    def _zone_name(self, agent: Agent | None) -> str:
        return agent.timezone if agent else self._default_tz

    async def notify(self, agent: Agent, message: OutMessage) -> None:
        """Tell the agent; a failure is logged and counted, never the lead's problem."""
        try:
            await self._notifier.send(agent.telegram_id, message)
        except Exception:
            # The lead's booking stands; the agent still has the calendar event.
            self._metrics.incr("errors.notify")
            log.exception("could not notify agent %s", agent.id)
