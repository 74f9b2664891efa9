"""The lead pipeline: every status a lead can have, and what moves a lead between them.

One table, here in the core, decides each transition; the services report what happened
(``Step``) and store what ``advance`` returns, so no caller invents a status of its own.
"""

from __future__ import annotations

from enum import StrEnum

from bot.domain import LeadStatus

S = LeadStatus


class Step(StrEnum):
    """Something that happened to a lead."""

    ENGAGED = "engaged"
    """The lead wrote, or was offered times."""
    QUALIFIED = "qualified"
    """The lead has answered every qualifying question."""
    BOOKED = "booked"
    HELD = "held"
    """The meeting took place (not marked a no-show by an hour after its end)."""
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    """The lead's last active meeting was cancelled."""
    LOST = "lost"
    """The agent gave the lead up, or every follow-up went unanswered."""
    OPTED_OUT = "opted_out"
    OPTED_IN = "opted_in"
    """An opted-out lead said they want to hear from the bot again."""


_ANY = frozenset(LeadStatus)
_OPEN = frozenset({S.NEW, S.ENGAGED, S.QUALIFIED, S.CANCELLED, S.NO_SHOW, S.LOST})
"""Not booked, not opted out: where a conversation can pick up again."""

# step -> (the statuses it applies to, the status it leads to); any other status stays.
_TRANSITIONS: dict[Step, tuple[frozenset[LeadStatus], LeadStatus]] = {
    Step.ENGAGED: (frozenset({S.NEW, S.CANCELLED, S.NO_SHOW, S.LOST}), S.ENGAGED),
    Step.QUALIFIED: (frozenset({S.NEW, S.ENGAGED, S.LOST}), S.QUALIFIED),
    Step.BOOKED: (_ANY - {S.OPTED_OUT}, S.BOOKED),
    Step.HELD: (frozenset({S.BOOKED, S.NO_SHOW}), S.HELD),
    Step.NO_SHOW: (frozenset({S.BOOKED, S.HELD}), S.NO_SHOW),
    Step.CANCELLED: (frozenset({S.BOOKED}), S.CANCELLED),
    Step.LOST: (_OPEN, S.LOST),
    Step.OPTED_OUT: (_ANY, S.OPTED_OUT),
    Step.OPTED_IN: (frozenset({S.OPTED_OUT}), S.ENGAGED),
}


def advance(current: LeadStatus, step: Step) -> LeadStatus:
    """The lead's status after ``step``; unchanged where the step does not apply."""
    applies_to, target = _TRANSITIONS[step]
    return target if current in applies_to else current


# Statuses an older version stored, read as today's.
LEGACY: dict[str, LeadStatus] = {"qualifying": S.ENGAGED, "offered": S.ENGAGED}
