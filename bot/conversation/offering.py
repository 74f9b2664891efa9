"""Offering times: the lead's words for when, resolved once in the lead's zone, then free slots
validated twice and shown as buttons (one tap books)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.booking import notices
from bot.clock import Clock
from bot.conversation import wording
from bot.conversation.turn import KEEP, OFFER_PREFIX, LeadState, Team, Turn
from bot.conversation.when import When, parse_when
from bot.conversation.when.describe import clock
from bot.domain import Agent, Appointment, SlotOffer
from bot.errors import IntegrationError
from bot.pipeline import Step, advance
from bot.ports import Button, OfferStore, OutMessage
from bot.scheduling.offers import NoSlotsReason, OfferResult
from bot.scheduling.service import SlotService

log = logging.getLogger(__name__)
OFFER_COUNT = 4


class Offering:
    """Finds free times for a lead and words the offer."""

    def __init__(self, slots: SlotService, offers: OfferStore, leads: LeadState, team: Team,
                 clock: Clock) -> None:
        self._slots = slots
        self._offers = offers
        self._leads = leads
        self._team = team
        self._clock = clock

    async def reshow(self, turn: Turn) -> None:
        """The open offers again, labelled in the lead's zone (which just changed): the same
        offers, so the numbers and buttons the lead may still use mean the same times."""
        offers = await self._offers.open_for_lead(turn.lead.id, self._clock.now())
        if not offers:
            return
        tz = await self._team.zone(turn.lead)
        turn.messages.append(offers_message(
            offers, tz, wording.in_your_zone(notices.zone_label(tz)),
            moving=any(o.reschedule_of is not None for o in offers)))

    async def offer(self, turn: Turn, words: str = "", *, agent: Agent | None = None,
                    reschedule_of: Appointment | None = None, lead_in: str = "",
                    engage: bool = True) -> None:
        """Offer times near ``words`` (the lead's own, e.g. "friday morning"; "" for the next
        free ones), of ``agent`` or else of every active agent, or to move ``reschedule_of``;
        ``lead_in`` opens the message. ``engage``: the offers engage the lead (not when the
        team sends them unasked, after a no-show or a cancel)."""
        lead = turn.lead
        tz = await self._team.zone(lead)
        when = parse_when(words, self._clock.now().astimezone(tz)) if words else None
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
        status = advance(lead.status, Step.ENGAGED) if engage else lead.status
        if result.offers and lead.timezone is None:
            # Said once: from now on times are shown in this zone, until the lead gives theirs
            # or their number implies it.
            await self._leads.update(turn, timezone=tz.key, timezone_assumed=True,
                                     status=status)
            turn.say(wording.zone_note(notices.zone_label(tz)))
        elif result.offers and status != lead.status:
            await self._leads.update(turn, status=status)


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
    return offers_message(result.offers, tz, f"{lead_in}{intro}",
                          moving=reschedule_of is not None)


def offers_message(offers: Sequence[SlotOffer], tz: ZoneInfo, intro: str, *,
                   moving: bool) -> OutMessage:
    """Offers as numbered lines and one button each, labelled in ``tz``."""
    rows = [(Button(notices.slot_label(o.start, tz), OFFER_PREFIX + o.token),)
            for o in offers]
    if moving:
        rows.append((Button(wording.KEEP_CURRENT_LABEL, KEEP),))
    listed = "\n".join(f"{i}. {notices.slot_label(o.start, tz)}"
                       for i, o in enumerate(offers, 1))
    return OutMessage(f"{intro}\n{listed}\n{wording.TAP_TO_BOOK}", tuple(rows))
