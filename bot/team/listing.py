"""The pipeline as an agent reads it in Telegram: ``/leads`` grouped by status (paged within
one message's 4,096 characters) and ``/lead`` with one lead's whole picture."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.booking.notices import slot_label
from bot.domain import Lead, LeadStatus, Message, Role, clean_text
from bot.i18n import N_, _
from bot.ports import Repositories
from bot.scheduling.agents import AgentDirectory
from bot.team import wording
from bot.team.access import Access, Actor

PAGE = 4096
LAST_MESSAGES = 10
_QUOTE = 200
_FOOTER = 60
_SPEAKERS = {Role.USER: N_("Lead"), Role.ASSISTANT: N_("Bot"), Role.AGENT: N_("Agent")}


class Listing:
    """``/leads`` and ``/lead``."""

    def __init__(self, store: Repositories, agents: AgentDirectory, access: Access,
                 default_timezone: str, *,
                 answers: Callable[[int], Awaitable[list[tuple[str, str]]]] | None = None
                 ) -> None:
        self._store = store
        self._answers = answers
        """The lead's qualifying answers, (question, answer)."""
        self._agents = agents
        self._access = access
        self._default_tz = default_timezone

    def _zone(self, actor: Actor) -> ZoneInfo:
        return ZoneInfo(actor.agent.timezone if actor.agent else self._default_tz)

    async def page(self, actor: Actor, number: int = 1) -> str:
        """Page ``number`` of the actor's leads (the last one past the end), with its footer
        when there are several: one Telegram message."""
        pages = await self.pages(actor)
        number = min(max(number, 1), len(pages))
        if len(pages) == 1:
            return pages[0]
        return pages[number - 1] + wording.page_footer(number, len(pages))

    async def pages(self, actor: Actor) -> list[str]:
        """The actor's leads by pipeline status, most recent first within each; every page
        leaves room for its footer in one Telegram message."""
        agent_id = None if actor.admin else actor.as_agent().id
        leads = await self._store.leads.for_agent(
            agent_id, unassigned=await self._access.unassigned_are_mine(actor))
        if not leads:
            return [wording.NO_LEADS]
        tz = self._zone(actor)
        lines: list[str] = []
        for status in LeadStatus:
            group = [lead for lead in leads if lead.status is status]
            if group:
                lines.append(wording.status_heading(wording.status_name(status), len(group)))
                lines.extend(wording.lead_line(lead, _when(lead, tz)) for lead in group)
        return _paged(lines, PAGE - _FOOTER)

    async def detail(self, actor: Actor, lead_id: int) -> str:
        """One lead: details, meetings, the status history and the last messages."""
        lead = await self._access.lead(actor, lead_id)
        tz = self._zone(actor)
        agent = await self._agents.get(lead.agent_id) if lead.agent_id else None
        taker = await self._agents.get(lead.taken_over_by) if lead.taken_over_by else None
        lines = wording.lead_details(lead, agent.name if agent else None,
                                     taker.name if taker else None)
        answers = await self._answers(lead.id) if self._answers is not None else []
        if answers:
            lines.append(wording.QUALIFICATION_HEADING)
            lines.extend(f"- {question} {answer}" for question, answer in answers)
        meetings = await self._store.appointments.for_lead(lead.id)
        lines.append(wording.MEETINGS_HEADING if meetings else wording.NO_MEETINGS)
        lines.extend(wording.meeting_line(a.id, slot_label(a.start, tz), a.status.value,
                                          a.join_url) for a in meetings[:10])
        history = await self._store.leads.status_history(lead.id)
        if history:
            lines.append(wording.HISTORY_HEADING)
            lines.extend(wording.history_line(wording.status_name(s), slot_label(at, tz))
                         for s, at in history)
        messages = await self._store.messages.last(lead.id, LAST_MESSAGES)
        if messages:
            lines.append(wording.MESSAGES_HEADING)
            lines.extend(_message_line(m, tz) for m in messages)
        return _paged(lines)[0]


def _when(lead: Lead, tz: ZoneInfo) -> str:
    moment = lead.updated_at or lead.created_at
    return slot_label(moment, tz) if isinstance(moment, datetime) else ""


def _message_line(message: Message, tz: ZoneInfo) -> str:
    text = clean_text(message.content, _QUOTE, ellipsis="…")
    return wording.message_line(_(_SPEAKERS[message.role]), slot_label(message.created_at, tz),
                                text)


def _paged(lines: list[str], limit: int = PAGE) -> list[str]:
    """Lines joined into pages of at most ``limit`` characters (a longer line is cut)."""
    pages: list[str] = []
    current = ""
    for raw in lines:
        line = raw[:limit]
        joined = f"{current}\n{line}" if current else line
        if len(joined) > limit:
            pages.append(current)
            joined = line
        current = joined
    if current:
        pages.append(current)
    return [page.lstrip("\n") for page in pages]
