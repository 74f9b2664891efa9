"""The buttons of the team's controls and the data they carry back.

A button carries ``ag:<verb>:<id>``, nothing else; the handler parses it strictly and the
service checks it (this agent's meeting, still in a state the verb applies to), so a stale or
forged tap changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.domain import Appointment
from bot.ports import Button, OutMessage
from bot.team import wording

PREFIX = "ag:"


class Verb(StrEnum):
    TAKE_OVER = "t"
    """Take over the lead of this meeting."""
    NO_SHOW = "n"
    CANCEL = "c"
    """Ask before cancelling this meeting."""
    CONFIRM_CANCEL = "y"
    KEEP = "k"
    MOVE = "m"
    HAND_BACK = "h"
    """Hand this lead (the id is a lead's) back to the bot."""


@dataclass(frozen=True, slots=True)
class Tap:
    verb: Verb
    id: int


def data(verb: Verb, target: int) -> str:
    return f"{PREFIX}{verb.value}:{target}"


def parse(raw: str) -> Tap | None:
    """The tap behind a button's data; None for anything this module did not make."""
    if not raw.startswith(PREFIX):
        return None
    verb, _, number = raw[len(PREFIX):].partition(":")
    if not number.isdigit() or len(number) > 12 or verb not in Verb._value2member_map_:
        return None
    return Tap(Verb(verb), int(number))


def meeting_buttons(appointment: Appointment) -> tuple[tuple[Button, ...], ...]:
    """Take over, No-show, Cancel and Move for a booked meeting."""
    return ((Button(wording.TAKE_OVER_LABEL, data(Verb.TAKE_OVER, appointment.id)),
             Button(wording.NO_SHOW_LABEL, data(Verb.NO_SHOW, appointment.id))),
            (Button(wording.CANCEL_LABEL, data(Verb.CANCEL, appointment.id)),
             Button(wording.MOVE_LABEL, data(Verb.MOVE, appointment.id))))


def with_meeting_buttons(notice: OutMessage, appointment: Appointment) -> OutMessage:
    """The agent's notice of a booked (or moved) meeting, with its controls."""
    return replace(notice, buttons=meeting_buttons(appointment))


def hand_back_buttons(lead_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button(wording.HAND_BACK_LABEL, data(Verb.HAND_BACK, lead_id)),),)


def cancel_buttons(appointment_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button(wording.CONFIRM_CANCEL_LABEL, data(Verb.CONFIRM_CANCEL, appointment_id)),
             Button(wording.KEEP_LABEL, data(Verb.KEEP, appointment_id))),)


COPY_CHAT = "copy_chat"
"""``OutMessage.extra``: copy a message of this chat along (a lead's photo to the agent)..."""
COPY_MESSAGE = "copy_message"
"""...this one, with the message's text as its caption."""
