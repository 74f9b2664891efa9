"""The conversation with a lead: store, think, act through validated tools, store, reply.

Every inbound line is stored before anything else; the brain sees the last 15 messages; tool
calls run through the same services as a button tap, so the brain can never book by itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from cachetools import TTLCache

from bot.booking import notices
from bot.booking.reminders import ReminderService
from bot.booking.service import Booked, BookingService
from bot.clock import Clock, zone
from bot.conversation import actions as tools
from bot.conversation.dates import parse_when
from bot.conversation.details import (
    clean_text,
    normalise_email,
    normalise_phone,
    resolve_zone,
    zone_of_phone,
)
from bot.domain import Agent, Appointment, BrainReply, Lead, LeadStatus, Role, ToolCall
from bot.errors import (
    BookingFailed,
    BotError,
    IntegrationError,
    NotFound,
    OfferExpired,
    SlotTaken,
)
from bot.observability.metrics import Metrics
from bot.ports import Brain, BrainContext, Button, Notifier, OutMessage, Repositories
from bot.scheduling.offers import NoSlotsReason, OfferResult
from bot.scheduling.service import SlotService

log = logging.getLogger(__name__)
HISTORY = 15
OFFER_COUNT = 4
MAX_INBOUND = 16_384  # Telegram caps at 4,096; the console does not
SHOW_TIMES = "s"
KEEP = "k"
OFFER_PREFIX = "o:"
CANCEL_PREFIX = "c:"

_NO_SLOTS = {
    NoSlotsReason.NO_AGENTS: "No one is taking bookings right now, sorry. Please try again later.",
    NoSlotsReason.NO_HOURS: "There are no working hours in that range. Try another day?",
    NoSlotsReason.NOTICE: "Everything left in that range is too soon to book. How about a later "
                          "day?",
    NoSlotsReason.ALL_BUSY: "Everything in that range is already taken. Would another day work?",
}


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote: the Telegram user and chat (or the console's stand-in)."""

    telegram_id: int
    chat_id: int
    first_name: str | None = None
    last_name: str | None = None

    @property
    def name(self) -> str | None:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return clean_text(full, 100) or None


@dataclass(slots=True)
class _Turn:
    """What one inbound update produced."""

    lead: Lead
    kind: str
    messages: list[OutMessage] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    offered: bool = False  # times were offered in this turn: the lead has not seen them yet

    def say(self, text: str, **kwargs: object) -> None:
        self.messages.append(OutMessage(text, **kwargs))  # type: ignore[arg-type]


class ConversationService:
    """Handles a lead's messages, taps and shared contacts."""

    def __init__(self, store: Repositories, slots: SlotService, booking: BookingService,
                 brain: Brain, fallback: Brain, notifier: Notifier, reminders: ReminderService,
                 clock: Clock, metrics: Metrics, *, agency_name: str, default_timezone: str,
                 log_texts: bool = False) -> None:
        self._store = store
        self._slots = slots
        self._booking = booking
        self._brain = brain
        self._fallback = fallback
        self._notifier = notifier
        self._reminders = reminders
        self._clock = clock
        self._metrics = metrics
        self._agency = agency_name
        self._default_tz = default_timezone
        self._log_texts = log_texts
        self._leads: TTLCache[int, Lead] = TTLCache(maxsize=100_000, ttl=300,
                                                    timer=time.monotonic)

    @property
    def thinks_slowly(self) -> bool:
        """True when replies come from the AI (seconds), not the rule-based brain (instant)."""
        return self._brain is not self._fallback

    # ----- entry points -------------------------------------------------------------------

    async def start(self, sender: Sender) -> list[OutMessage]:
        """/start: a greeting that names the agency and agent and says what the bot does."""
        turn = await self._begin(sender, "/start", kind="start")
        agent = await self._agent_of(turn.lead)
        first = f", {sender.first_name}" if sender.first_name else ""
        names = [n for n in (agent.name if agent else None, self._agency) if n]
        who = f" for {' from '.join(names)}" if names else ""
        turn.say(f"Hi{first}! I'm the booking assistant{who}. I can find a time for a "
                 "video call, book it, and remind you before it starts.\n"
                 "When would suit you? For example \"tomorrow afternoon\" or \"Friday at 10\".",
                 buttons=((Button("Show available times", SHOW_TIMES),),))
        return await self._finish(turn)

    async def text(self, sender: Sender, text: str,
                   telegram_message_id: int | None = None) -> list[OutMessage]:
        """A typed message: the brain decides, the tools act."""
        turn = await self._begin(sender, text, telegram_message_id, kind="text")
        if not text.strip():
            turn.say("I didn't catch that. When would you like to talk?")
            return await self._finish(turn)
        context = await self._context(turn.lead)
        reply = await self._think(context)
        await self._act(turn, reply, context)
        if context.awaiting == "cancel_confirm" and \
                not any(c.name == tools.CANCEL for c in reply.tool_calls):
            # Anything but a yes answers the question: a later "cancel" must ask again.
            await self._await(turn, None)
        return await self._finish(turn)

    async def throttled(self, sender: Sender, text: str, *, warn: bool,
                        telegram_message_id: int | None = None) -> list[OutMessage]:
        """A message past the chat's flood limit: stored, not thought about."""
        turn = await self._begin(sender, text, telegram_message_id, kind="throttled")
        self._metrics.incr("messages.throttled")
        if warn:
            turn.say("You're sending messages faster than I can read them. Give me a few "
                     "seconds, then tell me what you need.")
        return await self._finish(turn)

    async def command(self, sender: Sender, name: str) -> list[OutMessage]:
        """/cancel, /reschedule and /times: the same tools as the words, without the brain."""
        turn = await self._begin(sender, f"/{name}", kind=name)
        if name == "cancel":
            await self._ask_cancel(turn, confirmed=False)
        elif name == "reschedule":
            await self._reschedule(turn, "")
        else:
            await self._offer(turn)
        return await self._finish(turn)

    async def contact(self, sender: Sender, phone: str,
                      contact_user_id: int | None) -> list[OutMessage]:
        """A shared contact: only the sender's own number is taken."""
        turn = await self._begin(sender, "(shared a contact)", kind="contact")
        if contact_user_id != sender.telegram_id:
            turn.say("Thanks! I can only save your own number: please use the "
                     "\"Share my phone number\" button, or type your number.")
            return await self._finish(turn)
        await self._save_details(turn, {"phone": phone}, from_contact=True)
        return await self._finish(turn)

    async def unsupported(self, sender: Sender, kind: str) -> list[OutMessage]:
        """Stickers, photos, voice...: a short polite answer."""
        turn = await self._begin(sender, f"(sent a {kind})", kind="unsupported")
        turn.say(f"Thanks for the {kind}! I can only read text, though. Tell me when you'd like "
                 "to talk, or tap \"Show available times\".",
                 buttons=((Button("Show available times", SHOW_TIMES),),))
        return await self._finish(turn)

    async def tap(self, sender: Sender, data: str) -> list[OutMessage]:
        """An inline button; the data is opaque and checked, never trusted."""
        turn = await self._begin(sender, f"(tapped {data[:20]})", kind="tap")
        if data == SHOW_TIMES:
            await self._offer(turn)
        elif data == KEEP:
            await self._await(turn, None)
            turn.say("Okay, your meeting stays as it is.")
        elif data.startswith(CANCEL_PREFIX) and data[2:].isdigit():
            await self._cancel(turn, int(data[2:]))
        elif data.startswith(OFFER_PREFIX):
            await self._book(turn, data[len(OFFER_PREFIX):])
        else:
            turn.say("That button is no longer valid.")
            await self._offer(turn)
        return await self._finish(turn)

    # ----- the turn -----------------------------------------------------------------------

    async def _begin(self, sender: Sender, inbound: str,
                     telegram_message_id: int | None = None, *, kind: str) -> _Turn:
        lead = self._leads.get(sender.telegram_id)
        if lead is None:
            lead = await self._store.leads.get_or_create(sender.telegram_id, sender.chat_id,
                                                         sender.name)
            self._leads[sender.telegram_id] = lead
        await self._store.messages.add(lead.id, Role.USER, inbound[:MAX_INBOUND],
                                       telegram_message_id)
        self._metrics.incr("messages")
        if self._log_texts:
            log.debug("lead=%d says %r", lead.id, inbound[:200])
        return _Turn(lead, kind)

    async def _finish(self, turn: _Turn) -> list[OutMessage]:
        for message in turn.messages:
            await self._store.messages.add(turn.lead.id, Role.ASSISTANT, message.text)
        log.info("turn lead=%d kind=%s replies=%d ms=%.1f", turn.lead.id, turn.kind,
                 len(turn.messages), (time.perf_counter() - turn.started) * 1000)
        return turn.messages

    async def _update(self, turn: _Turn, **fields: object) -> Lead:
        turn.lead = await self._store.leads.update(turn.lead.id, **fields)
        self._leads[turn.lead.telegram_id] = turn.lead
        return turn.lead

    async def _refresh(self, turn: _Turn) -> None:
        lead = await self._store.leads.get(turn.lead.id)
        assert lead is not None
        turn.lead = lead
        self._leads[lead.telegram_id] = lead

    async def _await(self, turn: _Turn, what: str | None) -> None:
        await self._update(turn, awaiting=what)

    async def _agent_of(self, lead: Lead) -> Agent | None:
        if lead.agent_id is not None:
            agent = await self._slots.agents.get(lead.agent_id)
            if agent is not None and agent.active:
                return agent
        active = await self._slots.agents.active()
        return active[0] if len(active) == 1 else None

    async def _zone(self, lead: Lead) -> ZoneInfo:
        agent = await self._agent_of(lead)
        return zone(lead.timezone, agent.timezone if agent else self._default_tz)

    async def _context(self, lead: Lead) -> BrainContext:
        tz = await self._zone(lead)
        now = self._clock.now()
        offers = await self._store.offers.open_for_lead(lead.id, now)
        upcoming = await self._store.appointments.upcoming_for_lead(lead.id, now)
        agent = await self._agent_of(lead)
        missing = tuple(k for k, v in (("name", lead.name), ("phone", lead.phone_number),
                                       ("notes", lead.notes)) if not v)
        return BrainContext(
            lead=lead, history=await self._store.messages.last(lead.id, HISTORY),
            now=now.astimezone(tz), agency_name=self._agency,
            agent_name=agent.name if agent else None,
            offers=[notices.slot_label(o.start, tz) for o in offers],
            appointment=notices.slot_label(upcoming.start, tz) if upcoming else None,
            missing=missing, awaiting=await self._store.leads.awaiting(lead.id))

    async def _think(self, context: BrainContext) -> BrainReply:
        if self._brain is not self._fallback:
            try:
                return await self._brain.reply(context)
            except BotError as err:
                self._metrics.incr("errors.ai_fallback")
                log.warning("AI unavailable, rule-based reply instead: %s", err)
        return await self._fallback.reply(context)

    async def _act(self, turn: _Turn, reply: BrainReply, context: BrainContext) -> None:
        text = reply.text.strip()
        if text:
            turn.say(text)
        for call in reply.tool_calls[:4]:
            try:
                await self._run_tool(turn, call, context)
            except BotError as err:
                self._metrics.incr("errors.tool")
                log.warning("tool %s failed: %s", call.name, err)
                turn.say("Sorry, something went wrong on my side. Please try again in a moment.")
        if not turn.messages:
            turn.say("When would you like to talk? For example \"tomorrow afternoon\".")
        elif text and len(turn.messages) > 1 and not turn.messages[0].buttons:
            # The brain's words lead the tool's message, sent as one.
            first, second = turn.messages[0], turn.messages[1]
            turn.messages[0:2] = [OutMessage(f"{first.text}\n\n{second.text}", second.buttons,
                                             second.request_contact, second.attachment)]

    async def _run_tool(self, turn: _Turn, call: ToolCall, context: BrainContext) -> None:
        args = call.arguments
        if call.name == tools.SAVE_DETAILS:
            await self._save_details(turn, args)
        elif call.name == tools.FIND_SLOTS:
            await self._offer(turn, phrase=_phrase(args))
        elif call.name == tools.BOOK_SLOT:
            if turn.offered:
                # Only a time the lead has seen can be booked; these go out with this reply,
                # whose buttons ask the lead to choose.
                log.info("book_slot ignored: the offers were made in the same turn")
                return
            offers = await self._store.offers.open_for_lead(turn.lead.id, self._clock.now())
            choice = args.get("choice")
            if isinstance(choice, int) and 1 <= choice <= len(offers):
                await self._book(turn, offers[choice - 1].token)
            elif offers:
                turn.say(f"Please pick one of the {len(offers)} times above (1-{len(offers)}).")
            else:
                await self._offer(turn)
        elif call.name == tools.CANCEL:
            await self._ask_cancel(turn, confirmed=context.awaiting == "cancel_confirm")
        elif call.name == tools.RESCHEDULE:
            await self._reschedule(turn, _phrase(args))

    # ----- tools --------------------------------------------------------------------------

    async def _offer(self, turn: _Turn, phrase: str = "", *,
                     reschedule_of: Appointment | None = None, lead_in: str = "") -> None:
        lead = turn.lead
        tz = await self._zone(lead)
        when = parse_when(phrase, self._clock.now().astimezone(tz)) if phrase else None
        agent = await self._agent_of(lead) if lead.agent_id else None
        agents = [agent] if agent else await self._slots.agents.active()
        try:
            result = await self._slots.offer(lead.id, agents, zone=tz, when=when,
                                             count=OFFER_COUNT,
                                             reschedule_of=reschedule_of.id if reschedule_of
                                             else None)
        except IntegrationError as err:
            # Free/busy is down: say what is wrong instead of a generic error (already counted
            # as errors.integration by the HTTP client).
            log.warning("slot search failed: %s", err)
            turn.say(f"{lead_in}I can't check the calendar right now, so I can't show free "
                     "times. Please try again in a few minutes.")
            return
        turn.messages.append(self._offer_message(result, tz, lead_in, when is not None,
                                                 reschedule_of))
        turn.offered = turn.offered or bool(result.offers)
        if result.offers and lead.timezone is None:
            # Asked once: from now on the lead's zone is this one unless they say otherwise.
            await self._update(turn, timezone=tz.key, status=LeadStatus.OFFERED)
            turn.say(f"Times are in {notices.zone_label(tz)} time. If you're somewhere else, "
                     "tell me your city and I'll convert them.")
        elif result.offers and lead.status in (LeadStatus.NEW, LeadStatus.QUALIFYING):
            await self._update(turn, status=LeadStatus.OFFERED)

    def _offer_message(self, result: OfferResult, tz: ZoneInfo, lead_in: str, asked: bool,
                       reschedule_of: Appointment | None) -> OutMessage:
        if not result.offers:
            reason = result.reason or NoSlotsReason.ALL_BUSY
            return OutMessage(f"{lead_in}{_NO_SLOTS[reason]}".strip())
        if reschedule_of is not None:
            intro = (f"Your meeting is on {notices.slot_label(reschedule_of.start, tz)}. "
                     "Pick a new time:")
        elif result.widened:
            intro = "Nothing is free then, sorry. The nearest free times are:"
        else:
            intro = "Here are some times that work:" if asked else "Here are the next free times:"
        rows = [(Button(notices.slot_label(o.start, tz), OFFER_PREFIX + o.token),)
                for o in result.offers]
        if reschedule_of is not None:
            rows.append((Button("Keep my current time", KEEP),))
        listed = "\n".join(f"{i}. {notices.slot_label(o.start, tz)}"
                           for i, o in enumerate(result.offers, 1))
        return OutMessage(f"{lead_in}{intro}\n{listed}\nTap one to book it.", tuple(rows))

    async def _book(self, turn: _Turn, token: str) -> None:
        lead = turn.lead
        start = time.perf_counter()
        try:
            booked = await self._booking.book(lead, token)
        except OfferExpired as err:
            upcoming = await self._store.appointments.upcoming_for_lead(lead.id,
                                                                        self._clock.now())
            if upcoming is not None and str(err) in ("used", "expired"):
                # A second tap on the batch that was just booked: no new times, or the next tap
                # would book a second meeting.
                tz = await self._zone(lead)
                turn.say(f"You're already booked for {notices.slot_label(upcoming.start, tz)}. "
                         "Say \"reschedule\" if you'd like to move it.")
                return
            await self._offer(turn, lead_in="That time is no longer on offer. ")
            return
        except SlotTaken:
            await self._offer(turn, lead_in="Sorry, that time was just taken. ")
            return
        except BookingFailed as err:
            await self._tell_agent_failure(lead, str(err))
            await self._offer(turn, lead_in="Sorry, I couldn't book that time because of a "
                                            "problem on our side; nothing was booked. ")
            return
        finally:
            self._metrics.observe("booking.service", time.perf_counter() - start)
        await self._refresh(turn)
        await self._announce(turn, booked)

    async def _announce(self, turn: _Turn, booked: Booked) -> None:
        lead, agent, appointment = turn.lead, booked.agent, booked.appointment
        tz = zone(lead.timezone, agent.timezone)
        turn.messages.append(notices.confirmation(appointment, agent, lead, tz))
        self._reminders.schedule(appointment)
        if booked.replaced is not None:
            self._reminders.forget(booked.replaced.id)
            await self._notify_agent(agent, notices.agent_rescheduled(booked.replaced,
                                                                      appointment, agent, lead))
        else:
            await self._notify_agent(agent, notices.agent_booked(appointment, agent, lead))
        if not lead.phone_number:
            await self._await(turn, "phone")
            named = (f" I have your name as {lead.name}; say \"my name is ...\" if that's not "
                     "right." if lead.name else "")
            turn.say(f"Could you share your phone number, in case {agent.name} needs to reach "
                     f"you?{named}", request_contact=True)
        elif not lead.notes:
            await self._await(turn, "notes")
            turn.say("What would you like to talk about? A line or two helps "
                     f"{agent.name} prepare.")
        else:
            await self._await(turn, None)

    async def _ask_cancel(self, turn: _Turn, *, confirmed: bool) -> None:
        upcoming = await self._store.appointments.upcoming_for_lead(turn.lead.id,
                                                                    self._clock.now())
        if upcoming is None:
            await self._await(turn, None)
            turn.say("You don't have a meeting booked. Would you like to find a time?",
                     buttons=((Button("Show available times", SHOW_TIMES),),))
            return
        if confirmed:
            await self._cancel(turn, upcoming.id)
            return
        tz = await self._zone(turn.lead)
        await self._await(turn, "cancel_confirm")
        turn.say(f"Cancel your meeting on {notices.slot_label(upcoming.start, tz)}?",
                 buttons=((Button("Yes, cancel it", f"{CANCEL_PREFIX}{upcoming.id}"),
                           Button("No, keep it", KEEP)),))

    async def _cancel(self, turn: _Turn, appointment_id: int) -> None:
        await self._await(turn, None)
        try:
            cancelled, agent = await self._booking.cancel(turn.lead, appointment_id)
        except NotFound:
            turn.say("I couldn't find an active meeting to cancel.")
            return
        await self._refresh(turn)
        self._reminders.forget(cancelled.id)
        tz = zone(turn.lead.timezone, agent.timezone)
        turn.say(f"Done: your meeting on {notices.slot_label(cancelled.start, tz)} is "
                 "cancelled. If you'd like another time, just say when.",
                 buttons=((Button("Show available times", SHOW_TIMES),),))
        await self._notify_agent(agent, notices.agent_cancelled(cancelled, agent, turn.lead))

    async def _reschedule(self, turn: _Turn, phrase: str) -> None:
        upcoming = await self._store.appointments.upcoming_for_lead(turn.lead.id,
                                                                    self._clock.now())
        if upcoming is None:
            await self._offer(turn, phrase, lead_in="You don't have a meeting booked yet. ")
            return
        await self._offer(turn, phrase, reschedule_of=upcoming)

    async def _save_details(self, turn: _Turn, args: dict[str, object], *,
                            from_contact: bool = False) -> None:
        lead = turn.lead
        changes: dict[str, object] = {}
        problems: list[str] = []
        saved: list[str] = []
        if isinstance(args.get("name"), str):
            name = clean_text(str(args["name"]), 100)
            if name:
                changes["name"] = name
                saved.append("name")
        if isinstance(args.get("phone"), str):
            phone = normalise_phone(str(args["phone"]))
            if phone:
                changes["phone_number"] = phone
                saved.append("phone number")
                if lead.timezone is None and (guess := zone_of_phone(phone)):
                    changes["timezone"] = guess
            else:
                problems.append("that phone number doesn't look right; please include the "
                                "country code, e.g. +1 212 555 0100")
        if isinstance(args.get("email"), str):
            email = normalise_email(str(args["email"]))
            if email:
                changes["email"] = email
                saved.append("email")
            else:
                problems.append("that email address doesn't look right")
        if isinstance(args.get("timezone"), str):
            key = resolve_zone(str(args["timezone"]))
            if key:
                changes["timezone"] = key
                saved.append(f"time zone ({notices.zone_label(ZoneInfo(key))})")
            else:
                problems.append("I don't know that place; try a big city nearby or a zone "
                                "like Europe/Berlin")
        if isinstance(args.get("notes"), str):
            notes = clean_text(str(args["notes"]), 500)
            if notes:
                changes["notes"] = notes
                saved.append("topic")
        if changes:
            awaiting = await self._store.leads.awaiting(lead.id)
            if awaiting in ("phone", "notes", "name", "email", "timezone") and \
                    {"phone": "phone_number"}.get(awaiting, awaiting) in changes:
                changes["awaiting"] = None
            await self._update(turn, **changes)
        if saved:
            text = "Thanks, I've saved your " + _join(saved) + "."
            if problems:
                text += " But " + "; ".join(problems) + "."
            turn.say(text, extra={"remove_keyboard": "1"} if from_contact else {})
            await self._after_details(turn, changes)
        elif problems:
            turn.say(problems[0][0].upper() + "; ".join(problems)[1:] + ".")

    async def _after_details(self, turn: _Turn, changes: dict[str, object]) -> None:
        lead = turn.lead
        upcoming = await self._store.appointments.upcoming_for_lead(lead.id, self._clock.now())
        if upcoming is None:
            return
        agent = await self._slots.agents.get(upcoming.agent_id)
        if agent is None:
            return
        if changes.keys() & {"phone_number", "email", "notes", "name"}:
            await self._notify_agent(agent, notices.agent_details(agent, lead, upcoming))
        if "timezone" in changes:
            tz = zone(lead.timezone, agent.timezone)
            turn.say(f"Your meeting is on {notices.slot_label(upcoming.start, tz)}.")
        if not lead.notes and "phone_number" in changes:
            await self._await(turn, "notes")
            turn.say("What would you like to talk about? A line or two helps "
                     f"{agent.name} prepare.")

    async def _notify_agent(self, agent: Agent, message: OutMessage) -> None:
        try:
            await self._notifier.send(agent.telegram_id, message)
        except Exception:
            # The lead's booking stands; the agent still has the calendar event.
            self._metrics.incr("errors.notify")
            log.exception("could not notify agent %s", agent.id)

    async def _tell_agent_failure(self, lead: Lead, reason: str) -> None:
        agent = await self._agent_of(lead)
        if agent is not None:
            await self._notify_agent(agent, OutMessage(
                f"A booking by {lead.name or 'a lead'} failed and was undone "
                f"(nothing was created): {reason[:200]}"))


def _phrase(args: dict[str, object]) -> str:
    """find_slots arguments back into one phrase for the date parser."""
    parts = [str(args[k]) for k in ("day", "part_of_day") if args.get(k)]
    if args.get("time"):
        parts.append(f"at {args['time']}")
    return " ".join(parts)


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
