"""Qualifying questions in the conversation: asked one at a time, at the end of a turn (so a
lead who wants times or a booking gets them first), never twice; answered by a tap on a choice,
by the lead's next message, or by the AI from what the lead said unprompted.

A lead with every answer is ``qualified``; the agent gets the answers, and so does the calendar
event of an upcoming meeting.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from bot.booking.service import BookingService
from bot.clock import Clock
from bot.conversation import wording
from bot.conversation.turn import LeadState, Team, Turn
from bot.domain import Lead, LeadStatus, clean_text
from bot.followups import wording as followup_wording
from bot.i18n import speaking
from bot.pipeline import Step, advance
from bot.ports import AppointmentStore, Button, OutMessage
from bot.qualification import Qualification, Question, answered

QUESTION_PREFIX = "q:"
"""A choice's button: ``q:<key>:<index of the choice>``."""
ANSWER_CHARS = 200
ASKED_AFTER = frozenset({"start", "text", "tap", "contact", "times"})
"""Turns at whose end the next question may be asked."""


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'-]+", " ", text.lower()).split())


def choice_in(question: Question, text: str) -> str | None:
    """The one choice the lead's words name (its label, or its number), else None."""
    said = _words(text)
    if said.isdigit() and 1 <= int(said) <= len(question.choices):
        return question.choices[int(said) - 1]
    named = [c for c in question.choices if re.search(rf"(?<!\w){re.escape(_words(c))}(?!\w)",
                                                      said)]
    return named[0] if len(named) == 1 else None


class Qualifying:
    """Asks the questions and records the answers."""

    def __init__(self, qualification: Qualification | None, leads: LeadState, team: Team,
                 appointments: AppointmentStore, booking: BookingService, clock: Clock) -> None:
        self._q = qualification
        self._leads = leads
        self._team = team
        self._appointments = appointments
        self._booking = booking
        self._clock = clock

    @property
    def active(self) -> bool:
        return self._q is not None and bool(self._q.questions)

    async def unanswered(self, lead: Lead) -> tuple[tuple[str, str], ...]:
        """(key, question) of each question the lead has not answered, for a brain to fill."""
        if self._q is None or not self._q.questions:
            return ()
        answers = await self._q.answers.of(lead.id)
        return tuple((q.key, q.question) for q in self._q.questions
                     if (a := answers.get(q.key)) is None or a.answer is None)

    async def waiting(self, turn: Turn) -> Question | None:
        """The question asked at the end of the previous turn, if still unanswered."""
        if self._q is None or not self._q.questions:
            return None
        answers = await self._q.answers.of(turn.lead.id)
        return next((q for q in self._q.questions
                     if (a := answers.get(q.key)) is not None and a.waiting), None)

    async def take_text(self, turn: Turn, text: str, *,
                        asks_for_more: Callable[[], Awaitable[bool]]) -> bool:
        """The lead's message answers the waiting question: recorded, True. ``asks_for_more``:
        the message asks for something (times, a booking...), so it answers only a question
        with choices that it names."""
        question = await self.waiting(turn)
        if question is None or self._q is None:
            return False
        if question.choices:
            answer = choice_in(question, text)
        else:
            answer = None if await asks_for_more() else clean_text(text, ANSWER_CHARS) or None
        if answer is None:
            # About something else: the question is not asked again.
            await self._q.answers.pass_on(turn.lead.id, question.key)
            return False
        await self._record(turn, {question.key: answer})
        turn.say(wording.ANSWER_NOTED)
        return True

    async def take_tap(self, turn: Turn, data: str) -> None:
        """A tap on a choice's button."""
        key, _, index = data[len(QUESTION_PREFIX):].partition(":")
        question = self._q.question(key) if self._q is not None else None
        if question is None or not index.isdigit() or int(index) >= len(question.choices):
            turn.say(wording.STALE_BUTTON)
            return
        await self._record(turn, {key: question.choices[int(index)]})
        turn.say(wording.ANSWER_NOTED)

    async def fill(self, turn: Turn, answers: dict[str, str]) -> None:
        """Answers a brain read from what the lead said (unknown keys are ignored)."""
        if self._q is None:
            return
        known = {k: clean_text(v, ANSWER_CHARS) for k, v in answers.items()
                 if self._q.question(k) is not None and clean_text(v, ANSWER_CHARS)}
        if known:
            await self._record(turn, known)

    async def ask_next(self, turn: Turn) -> None:
        """At the end of a turn: the next question never asked, unless the bot already waits on
        an answer (a detail, a confirmation, another question) or the lead opted out."""
        q = self._q
        lead = turn.lead
        if q is None or not q.questions or turn.kind not in ASKED_AFTER \
                or lead.status is LeadStatus.OPTED_OUT or lead.awaiting is not None \
                or any(m.request_contact for m in turn.messages):
            return
        answers = await q.answers.of(lead.id)
        if any(a.waiting for a in answers.values()):
            return
        question = next((x for x in q.questions if x.key not in answers), None)
        if question is None or not await q.answers.asked(lead.id, question.key,
                                                         self._clock.now()):
            return
        rows = tuple((Button(label, f"{QUESTION_PREFIX}{question.key}:{i}"),)
                     for i, label in enumerate(question.choices))
        turn.say(question.question, buttons=rows)

    async def _record(self, turn: Turn, answers: dict[str, str]) -> None:
        assert self._q is not None
        lead = turn.lead
        now = self._clock.now()
        for key, text in answers.items():
            await self._q.answers.answer(lead.id, key, text, now)
        stored = await self._q.answers.of(lead.id)
        done = len(answered(self._q.questions, stored)) == len(self._q.questions)
        upcoming = await self._appointments.upcoming_for_lead(lead.id, now)
        work: list[Awaitable[object]] = []
        if upcoming is not None:
            work.append(self._booking.refresh_event(upcoming, lead))
        if done and advance(lead.status, Step.QUALIFIED) != lead.status:
            await self._leads.update(turn, status=advance(lead.status, Step.QUALIFIED))
        if done:
            agent = (await self._team.agents.get(upcoming.agent_id) if upcoming is not None
                     else await self._team.agent_of(lead))
            if agent is not None:
                summary = await self._q.summary(lead.id)
                with speaking(agent.language):
                    notice = followup_wording.agent_qualified(lead.id, lead.name, summary)
                work.append(self._team.notify(agent, OutMessage(notice)))
        await asyncio.gather(*work)
