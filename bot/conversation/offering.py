"""Offering times: the lead's words for when, resolved once in the lead's zone, then free slots
validated twice and shown as buttons (one tap books)."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.booking import notices
from bot.clock import Clock
from bot.conversation import wording
from bot.conversation.turn import KEEP, OFFER_PREFIX, LeadState, Team, Turn
from bot.conversation.when import When, parse_when
from bot.conversation.when.describe import clock
from bot.domain import Appointment, LeadStatus
from bot.errors import IntegrationError
from bot.ports import Button, OutMessage
from bot.scheduling.offers import NoSlotsReason, OfferResult
from bot.scheduling.service import SlotService

log = logging.getLogger(__name__)
OFFER_COUNT = 4


class Offering:
    """Finds free times for a lead and words the offer."""

    def __init__(self, slots: SlotService, leads: LeadState, team: Team, clock: Clock) -> None:
        self._slots = slots
        self._leads = leads
        self._team = team
        self._clock = clock

    async def offer(self, turn: Turn, words: str = "", *,
                    reschedule_of: Appointment | None = None, lead_in: str = "") -> None:
        """Offer times near ``words`` (the lead's own, e.g. "friday morning"; "" for the next
        free ones), or to move ``reschedule_of``; ``lead_in`` opens the message."""
        lead = turn.lead
        tz = await self._team.zone(lead)
        when = parse_when(words, self._clock.now().astimezone(tz)) if words else None
        agent = await self._team.agent_of(lead) if lead.agent_id else None
        agents = [agent] if agent else await self._team.agents.active()
        try:
            result = await self._slots.offer(lead.id, agents, zone=tz, when=when,
                                             count=OFFER_COUNT,
                                             reschedule_of=reschedule_of.id if reschedule_of
                                             else None)
        except IntegrationError as err:
            # Free/busy is down: say what is wrong instead of a generic error (already counted
            # as errors.integration by the HTTP client).
            log.warning("slot search failed: %s", err)
            turn.say(f"{lead_in}{wording.CALENDAR_DOWN}")
            return
        turn.messages.append(_message(result, tz, lead_in, when, reschedule_of))
        turn.offered = turn.offered or bool(result.offers)
        if result.offers and lead.timezone is None:
            # Asked once: from now on the lead's zone is this one unless they say otherwise.
            await self._leads.update(turn, timezone=tz.key, status=LeadStatus.OFFERED)
            turn.say(wording.zone_note(notices.zone_label(tz)))
        elif result.offers and lead.status in (LeadStatus.NEW, LeadStatus.QUALIFYING):
            await self._leads.update(turn, status=LeadStatus.OFFERED)


def _intro(result: OfferResult, tz: ZoneInfo, when: When | None) -> str:
    """What the offers answer: the lead's words as read, the exact time taken, or nothing free
    there and the nearest times instead."""
    if when is None:
        return wording.NEXT_FREE
    label = when.label + (f" ({when.zone} time)" if when.zone and when.zone != tz.key else "")
    note = f"{when.note} " if when.note else ""
    if result.widened:
        return note + wording.nothing_on(label)
    if when.asap and not when.ranges:
        return note + wording.EARLIEST
    wanted = when.preferred(tz)
    if wanted is not None and all(o.start != wanted for o in result.offers):
        local = [o.start.astimezone(tz) for o in result.offers]
        closest = sorted(local, key=lambda t: abs((t - wanted).total_seconds()))[:2]
        shown = clock(wanted.astimezone(ZoneInfo(when.zone) if when.zone else tz).hour * 60
                      + wanted.astimezone(ZoneInfo(when.zone) if when.zone else tz).minute)
        return note + wording.taken_closest(
            shown, [clock(t.hour * 60 + t.minute) for t in sorted(closest)])
    return note + wording.times_on(label)


def _message(result: OfferResult, tz: ZoneInfo, lead_in: str, when: When | None,
             reschedule_of: Appointment | None) -> OutMessage:
    """The offers as numbered lines and one button each, or why there are none."""
    if not result.offers:
        reason = result.reason or NoSlotsReason.ALL_BUSY
        return OutMessage(f"{lead_in}{wording.NO_SLOTS[reason]}".strip())
    if reschedule_of is not None:
        intro = wording.moving(notices.slot_label(reschedule_of.start, tz))
    else:
        intro = _intro(result, tz, when)
    rows = [(Button(notices.slot_label(o.start, tz), OFFER_PREFIX + o.token),)
            for o in result.offers]
    if reschedule_of is not None:
        rows.append((Button(wording.KEEP_CURRENT_LABEL, KEEP),))
    listed = "\n".join(f"{i}. {notices.slot_label(o.start, tz)}"
                       for i, o in enumerate(result.offers, 1))
    return OutMessage(f"{lead_in}{intro}\n{listed}\n{wording.TAP_TO_BOOK}", tuple(rows))
