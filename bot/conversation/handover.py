"""The conversation's side of the sales team's controls (``bot.team``): while an agent has
taken the lead over the bot is muted and relays what the lead sends; when the agent marks a
no-show, cancels or moves the meeting, the lead hears it kindly, with fresh times."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.booking import notices
from bot.conversation import wording
from bot.conversation.offering import Offering
from bot.conversation.turn import OFFER_PREFIX, Team, Turn
from bot.domain import Appointment
from bot.observability.metrics import Metrics
from bot.ports import OfferStore, OutMessage
from bot.team import wording as team_wording
from bot.team.controls import COPY_CHAT, COPY_MESSAGE
from bot.team.lead_side import Reoffer


class Handover:
    """Muting and relaying a lead taken over, and the team's new offers to a lead."""

    def __init__(self, offering: Offering, offers: OfferStore, team: Team, metrics: Metrics, *,
                 agency_name: str) -> None:
        self._offering = offering
        self._offers = offers
        self._team = team
        self._metrics = metrics
        self._agency = agency_name

    async def muted(self, turn: Turn, text: str, copy_of: int | None = None, *,
                    kind: str = "") -> bool:
        """While an agent has taken the lead over the bot says nothing to them: the message
        (already stored) goes to that agent, naming the lead; ``copy_of`` is the lead's
        Telegram message to copy along (a photo, a document)."""
        taker = turn.lead.taken_over_by
        if taker is None:
            return False
        agent = await self._team.agents.get(taker)
        if agent is not None:
            words = text or (team_wording.relayed_kind(kind) if kind and copy_of is None
                             else "")
            extra = ({} if copy_of is None else
                     {COPY_CHAT: str(turn.lead.chat_id), COPY_MESSAGE: str(copy_of)})
            await self._team.notify(agent, OutMessage(team_wording.relayed(turn.lead, words),
                                                      extra=extra))
        self._metrics.incr("messages.relayed")
        return True

    async def tapped(self, turn: Turn, data: str) -> str:
        """What a muted lead's tap is, for the agent: the time, when it is an open offer."""
        if data.startswith(OFFER_PREFIX):
            offer = await self._offers.by_token(data[len(OFFER_PREFIX):])
            if offer is not None and offer.lead_id == turn.lead.id:
                label = notices.slot_label(offer.start,
                                           ZoneInfo(await self._team.agent_zone(turn.lead)))
                return team_wording.tapped_time(label)
        return team_wording.relayed_kind("button tap")

    async def reoffer(self, turn: Turn, why: Reoffer, about: Appointment) -> None:
        """Tell the lead what their agent did to ``about``, with fresh times of that agent."""
        agent = await self._team.agents.get(about.agent_id)
        serving = agent if agent is not None and self._team.agents.serves(agent) else None
        tz = await self._team.zone(turn.lead)
        label = notices.slot_label(about.start, tz)
        name = agent.name if agent else self._agency
        if why is Reoffer.NO_SHOW:
            await self._offering.offer(turn, agent=serving, lead_in=wording.missed_you(label),
                                       engage=False)
        elif why is Reoffer.CANCELLED:
            attachment = (notices.cancellation_invite(about, agent, turn.lead)
                          if agent is not None else None)
            turn.say(wording.agent_cancelled(name, label), attachment=attachment)
            await self._offering.offer(turn, agent=serving, engage=False)
        else:
            await self._offering.offer(turn, agent=serving, reschedule_of=about,
                                       lead_in=wording.agent_moves(name))
