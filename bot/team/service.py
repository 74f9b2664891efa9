"""``TeamService``: the sales team's controls in one bundle for the handlers.

    access        who is asking, and which leads and meetings are theirs
    takeover      take over, hand back, whom an agent's words are for
    meetings      no-show, cancel, move; meetings held
    listing       /leads and /lead
    availability  /hours and /away
"""

from __future__ import annotations

from collections.abc import Collection

from bot.booking.reminders import ReminderService
from bot.booking.service import BookingService
from bot.clock import Clock
from bot.observability.metrics import Metrics
from bot.ports import Notifier, Repositories
from bot.scheduling.service import SlotService
from bot.team.access import Access
from bot.team.availability import Availability
from bot.team.lead_side import LeadSide
from bot.team.listing import Listing
from bot.team.meetings import Meetings
from bot.team.takeover import Takeover


class TeamService:
    """The team's controls, built from the services the bot already has."""

    def __init__(self, store: Repositories, slots: SlotService, booking: BookingService,
                 reminders: ReminderService, lead_side: LeadSide, notifier: Notifier,
                 clock: Clock, metrics: Metrics, *, admins: Collection[int],
                 default_timezone: str) -> None:
        agents = slots.agents
        self.access = Access(store, agents, admins)
        self.takeover = Takeover(store, agents, self.access, lead_side, metrics)
        self.meetings = Meetings(store, agents, self.access, booking, reminders, lead_side,
                                 notifier, clock, metrics)
        self.listing = Listing(store, agents, self.access, default_timezone,
                               answers=booking.answers_of)
        self.availability = Availability(store, agents, slots, clock)
