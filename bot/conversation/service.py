"""The conversation with a lead: store, think, act through validated tools, store, reply.

Every inbound line is stored before anything else; the brain sees the last 15 messages; tool
calls run through the same services as a button tap, so the brain can never book by itself.
The flows live beside this module: ``offering`` (times), ``appointments`` (book, cancel, move),
``profile`` (the lead's details), ``thinking`` (the brain and what it sees), ``tools`` (the
brain's tool calls, acted on); ``turn`` holds what they share, ``wording`` what they say.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import overload
from zoneinfo import ZoneInfo

from bot.booking.reminders import ReminderService
from bot.booking.service import BookingService
from bot.clock import Clock
from bot.conversation import wording
from bot.conversation.actions import MAX_TEXT, SaveDetails
from bot.conversation.appointments import MEETINGS_PER_LEAD, Appointments, Intent
from bot.conversation.brain import Brain, BrainContext
from bot.conversation.consent import Consent
from bot.conversation.edits import meaning
from bot.conversation.handover import Handover
from bot.conversation.offering import Offering
from bot.conversation.phones import region_of_language
from bot.conversation.profile import Profile
from bot.conversation.qualifying import QUESTION_PREFIX, Qualifying
from bot.conversation.thinking import Thinking
from bot.conversation.tools import Tools
from bot.conversation.turn import (
    CANCEL_PREFIX,
    KEEP,
    MOVE_PREFIX,
    NEW_PREFIX,
    OFFER_PREFIX,
    SHOW_TIMES,
    LeadState,
    Sender,
    Team,
    Turn,
    show_times_row,
)
from bot.domain import Appointment, Awaiting, Lead, LeadStatus, Role, clean_text
from bot.followups.consent import source as deep_link_source
from bot.followups.nudges import Nudges
from bot.followups.ports import PrivacyStore
from bot.i18n import speak, speaking, supported
from bot.i18n.detect import language_said
from bot.observability.metrics import Metrics
from bot.ports import Notifier, OutMessage, Repositories
from bot.qualification import Qualification
from bot.scheduling.service import SlotService
from bot.team import wording as team_wording
from bot.team.lead_side import Reoffer

__all__ = ["CANCEL_PREFIX", "KEEP", "OFFER_PREFIX", "SHOW_TIMES", "ConversationService",
           "Sender"]

log = logging.getLogger(__name__)
HISTORY = 15
MAX_INBOUND = 16_384  # Telegram caps at 4,096; the console does not
LANGUAGE_SCAN = 600  # the language of a message shows in its first few hundred characters

_ONE_SHOT = frozenset({Awaiting.CANCEL_CONFIRM, Awaiting.MOVE_OR_NEW})
"""Questions the next message answers, whatever it says."""


class ConversationService:
    """Handles a lead's messages, taps and shared contacts."""

    def __init__(self, store: Repositories, slots: SlotService, booking: BookingService,
                 brain: Brain, fallback: Brain, notifier: Notifier, reminders: ReminderService,
                 clock: Clock, metrics: Metrics, *, agency_name: str, default_timezone: str,
                 log_texts: bool = False, meetings_per_lead: int = MEETINGS_PER_LEAD,
                 nudges: Nudges | None = None, privacy: PrivacyStore | None = None,
                 qualification: Qualification | None = None) -> None:
        self._store = store
        self._fallback = fallback
        self._clock = clock
        self._metrics = metrics
        self._agency = agency_name
        self._log_texts = log_texts
        self._leads = LeadState(store.leads)
        self._team = Team(slots.agents, notifier, metrics, default_timezone=default_timezone)
        self._offering = Offering(slots, store.offers, self._leads, self._team, clock)
        self._profile = Profile(store.appointments, booking, self._leads, self._team, clock)
        self._handover = Handover(self._offering, store.offers, self._team, metrics,
                                 agency_name=agency_name)
        self._appointments = Appointments(booking, reminders, store.appointments, store.offers,
                                          self._offering, self._profile, self._leads,
                                          self._team, clock, metrics,
                                          meetings_per_lead=meetings_per_lead)
        self._nudges = nudges
        self._privacy = privacy
        self._consent = Consent(self._leads, self._team, store.appointments, store.offers,
                                nudges, privacy)
        self._qualifying = Qualifying(qualification, self._leads, self._team,
                                      store.appointments, booking, clock)
        self._thinking = Thinking(store, self._team, self._qualifying, brain, fallback, clock,
                                  metrics, agency_name=agency_name)
        self._tools = Tools(self._appointments, self._profile, self._qualifying, metrics)

    @property
    def thinks_slowly(self) -> bool:
        """True when replies come from the AI (seconds), not the rule-based brain (instant)."""
        return self._thinking.slow

    # ----- entry points -------------------------------------------------------------------

    async def start(self, sender: Sender, payload: str | None = None) -> list[OutMessage]:
        """/start: a greeting that names the agency and agent and says what the bot does;
        ``payload``, a deep link's, is the lead's source (kept when valid and the first)."""
        turn = await self._begin(sender, "/start", kind="start")
        source = deep_link_source(payload)
        if source is not None and self._privacy is not None:
            await self._privacy.set_source(turn.lead.id, source)
        if await self._handover.muted(turn, "/start"):
            return []
        if turn.lead.status is LeadStatus.OPTED_OUT:
            await self._consent.opt_in(turn)
        agent = await self._team.agent_of(turn.lead)
        names = [n for n in (agent.name if agent else None, self._agency) if n]
        turn.say(wording.greeting(sender.first_name, names), buttons=show_times_row())
        return await self._finish(turn)

    async def text(self, sender: Sender, text: str, telegram_message_id: int | None = None,
                   *, media: bool = False, update_id: int | None = None) -> list[OutMessage]:
        """A typed message (or a photo's caption, ``media``): the brain decides, the tools
        act. ``update_id``: the Telegram update it came in, claimed here as the line is stored
        (one write); a redelivered one is not answered again."""
        turn = await self._begin(sender, text, telegram_message_id, kind="text",
                                 update_id=update_id)
        if turn is None:
            return []
        if await self._handover.muted(turn, text, telegram_message_id if media else None):
            return []
        if not text.strip():
            turn.say(wording.EMPTY)
            return await self._finish(turn)
        if await self._consent.intercept(turn, text, self._clock.now()):
            return await self._finish(turn)
        read = await self._leads.with_history(turn, HISTORY)
        context = await self._thinking.context(turn.lead, read.history, read.agent)

        async def asks_for_more() -> bool:
            # Read by the rule-based brain: instant, and the same whichever brain answers.
            return bool((await self._fallback.reply(context)).tool_calls)

        if not await self._qualifying.take_text(turn, text, asks_for_more=asks_for_more):
            await self._respond(turn, context)
        return await self._finish(turn)

    async def edited(self, sender: Sender, text: str, telegram_message_id: int, *,
                     answer: bool = True) -> list[OutMessage]:
        """The lead edited a message: its stored text is replaced (no second row), and it is
        answered again only when what it asks for changed; else nothing is said."""
        lead = await self._leads.of(sender)
        speak(lead.language)
        before = await self._store.messages.edit(lead.id, telegram_message_id,
                                                 text[:MAX_INBOUND])
        if before is None:
            # A message the bot never stored (sent before this lead was known): a new one.
            return await self.text(sender, text, telegram_message_id)
        self._metrics.incr("messages.edited")
        turn = Turn(lead, "edit")
        if await self._handover.muted(turn, team_wording.edited(text)):
            return []
        read = await self._leads.with_history(turn, HISTORY)
        ids = [m.id for m in read.history]
        # An edit of a line older than the brain's window is stored, not answered.
        if answer and text.strip() and before.id in ids:
            context = await self._thinking.context(
                turn.lead, read.history[:ids.index(before.id) + 1], read.agent)
            was = replace(context, history=[*context.history[:-1], before])
            # Compared with the rule-based brain: instant, deterministic, and no AI call spent.
            if meaning(await self._fallback.reply(was), context.now) != \
                    meaning(await self._fallback.reply(context), context.now):
                await self._respond(turn, context)
        return await self._finish(turn)

    async def throttled(self, sender: Sender, text: str, *, warn: bool,
                        telegram_message_id: int | None = None,
                        update_id: int | None = None) -> list[OutMessage]:
        """A message past the chat's flood limit: stored, not thought about."""
        turn = await self._begin(sender, text, telegram_message_id, kind="throttled",
                                 update_id=update_id)
        if turn is None:
            return []
        self._metrics.incr("messages.throttled")
        if await self._handover.muted(turn, text):
            return []
        if warn:
            turn.say(wording.THROTTLED)
        return await self._finish(turn)

    async def command(self, sender: Sender, name: str) -> list[OutMessage]:
        """/cancel, /reschedule and /times: the same tools as the words, without the brain."""
        turn = await self._begin(sender, f"/{name}", kind=name)
        if await self._handover.muted(turn, f"/{name}"):
            return []
        if name == "stop":
            await self._consent.opt_out(turn, self._clock.now())
        elif await self._consent.muted(turn):
            pass
        elif name == "cancel":
            await self._appointments.ask_cancel(turn, confirmed=False)
        elif name == "reschedule":
            await self._appointments.reschedule(turn, "")
        else:
            await self._appointments.offer_times(turn)
        return await self._finish(turn)

    async def forget(self, sender: Sender) -> list[OutMessage]:
        """/forget: the lead's personal data and messages erased, the agent told."""
        turn = await self._begin(sender, "/forget", kind="forget")
        await self._consent.forget(turn, self._clock.now())
        return turn.messages  # not stored: the history was just erased

    async def nudge(self, lead: Lead, text: str) -> list[OutMessage]:
        """A follow-up to a silent lead: ``text`` over fresh offers; none when nothing is free."""
        turn = Turn(lead, "nudge")
        await self._offering.offer(turn, lead_in=f"{text}\n\n")
        if not turn.offered:
            return []
        return await self._finish(turn)

    async def zone(self, lead: Lead) -> ZoneInfo:
        """The zone the lead sees times in."""
        return await self._team.zone(lead)

    async def contact(self, sender: Sender, phone: str,
                      contact_user_id: int | None) -> list[OutMessage]:
        """A shared contact: only the sender's own number is taken."""
        turn = await self._begin(sender, "(shared a contact)", kind="contact")
        if await self._handover.muted(turn, team_wording.relayed_kind("contact")):
            return []
        if contact_user_id != sender.telegram_id:
            turn.say(wording.NOT_YOUR_CONTACT)
            return await self._finish(turn)
        await self._profile.save(turn, SaveDetails(phone=phone), from_contact=True)
        return await self._finish(turn)

    async def unsupported(self, sender: Sender, kind: str,
                          telegram_message_id: int | None = None) -> list[OutMessage]:
        """Stickers, photos, voice...: a short polite answer."""
        turn = await self._begin(sender, f"(sent a {kind})", telegram_message_id,
                                 kind="unsupported")
        if await self._handover.muted(turn, "", telegram_message_id, kind=kind):
            return []
        turn.say(wording.unsupported(kind), buttons=show_times_row())
        return await self._finish(turn)

    async def tap(self, sender: Sender, data: str) -> list[OutMessage]:
        """An inline button; the data is opaque and checked, never trusted."""
        turn = await self._begin(sender, f"(tapped {data[:20]})", kind="tap")
        if await self._handover.muted(turn, await self._handover.tapped(turn, data)):
            return []
        if not data.startswith(CANCEL_PREFIX) and await self._consent.muted(turn):
            pass
        elif data == SHOW_TIMES:
            await self._appointments.offer_times(turn)
        elif data.startswith((MOVE_PREFIX, NEW_PREFIX)):
            # The answer to "move your meeting, or book another?"; the lead's words follow.
            await self._leads.wait_for(turn, None)
            await self._appointments.offer_times(
                turn, clean_text(data.partition(":")[2], MAX_TEXT),
                intent=Intent.MOVE if data.startswith(MOVE_PREFIX) else Intent.NEW)
        elif data == KEEP:
            await self._appointments.keep(turn)
        elif data.startswith(QUESTION_PREFIX):
            await self._qualifying.take_tap(turn, data)
        elif data.startswith(CANCEL_PREFIX) and data[len(CANCEL_PREFIX):].isdigit():
            await self._appointments.cancel(turn, int(data[len(CANCEL_PREFIX):]))
        elif data.startswith(OFFER_PREFIX):
            await self._appointments.book(turn, data[len(OFFER_PREFIX):])
        else:
            turn.say(wording.STALE_BUTTON)
            await self._appointments.offer_times(turn)
        return await self._finish(turn)

    # ----- the sales team's hand (bot.team's ``LeadSide``) ----------------------------------

    async def set_lead(self, lead_id: int, **fields: object) -> Lead:
        """Store these changes to a lead (a takeover, a status), seen by the next turn."""
        return await self._leads.set(lead_id, **fields)

    async def reoffer(self, lead: Lead, why: Reoffer, about: Appointment) -> list[OutMessage]:
        """What the lead is told when their agent marks a no-show, cancels or moves
        ``about``, with fresh times of that agent; stored as the bot's words."""
        turn = Turn(await self._leads.set(lead.id), f"team_{why.value}")
        with speaking(turn.lead.language):  # the agent's action, the lead's words
            await self._handover.reoffer(turn, why, about)
        return await self._finish(turn)

    # ----- the turn -----------------------------------------------------------------------

    @overload
    async def _begin(self, sender: Sender, inbound: str, telegram_message_id: int | None = None,
                     *, kind: str) -> Turn: ...

    @overload
    async def _begin(self, sender: Sender, inbound: str, telegram_message_id: int | None = None,
                     *, kind: str, update_id: int | None) -> Turn | None: ...

    async def _begin(self, sender: Sender, inbound: str,
                     telegram_message_id: int | None = None, *, kind: str,
                     update_id: int | None = None) -> Turn | None:
        """The lead's line stored first; with ``update_id``, None for an update seen before."""
        lead = await self._leads.of(sender)
        if update_id is None:
            await self._store.messages.add(lead.id, Role.USER, inbound[:MAX_INBOUND],
                                           telegram_message_id)
        elif await self._store.messages.add_inbound(lead.id, inbound[:MAX_INBOUND],
                                                    telegram_message_id, update_id) is None:
            self._metrics.incr("updates.duplicate")
            return None
        self._metrics.incr("messages")
        if self._log_texts:
            log.debug("lead=%d says %r", lead.id, inbound[:200])
        turn = Turn(lead, kind)
        if kind == "text":
            # "English please", or a message clearly in another language: spoken from now on.
            said = language_said(inbound[:LANGUAGE_SCAN], supported(lead.language))
            if said is not None:
                # The country Telegram's code implied stays ("de" -> "en-DE"): it reads phones.
                region = region_of_language(lead.language)
                await self._leads.update(turn, language=f"{said}-{region}" if region else said)
        speak(turn.lead.language)
        return turn

    async def _finish(self, turn: Turn) -> list[OutMessage]:
        if turn.rezoned and not turn.offered:
            # The lead's zone changed after times were shown: show them again in it.
            await self._offering.reshow(turn)
        await self._qualifying.ask_next(turn)
        for message in turn.messages:
            await self._store.messages.add(turn.lead.id, Role.ASSISTANT, message.text)
        if self._nudges is not None and turn.kind not in ("nudge", "edit"):
            # The lead wrote: the nudges count from now (or stop: booked, opted out).
            await self._nudges.heard(turn.lead, await self._team.zone(turn.lead))
        log.info("turn lead=%d kind=%s replies=%d ms=%.1f", turn.lead.id, turn.kind,
                 len(turn.messages), (time.perf_counter() - turn.started) * 1000)
        return turn.messages

    async def _respond(self, turn: Turn, context: BrainContext) -> None:
        """The brain's reply to the lead's message, acted on."""
        reply = await self._thinking.reply(context)
        await self._tools.act(turn, reply, context)
        if context.awaiting in _ONE_SHOT and turn.lead.awaiting is context.awaiting:
            # Whatever the lead said answers a yes/no question: a later "cancel" asks again.
            await self._leads.wait_for(turn, None)
