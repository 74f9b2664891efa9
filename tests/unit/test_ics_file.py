"""The .ics invite, read back with the ``icalendar`` parser: a UID unique across databases and
kept by a move (with a higher SEQUENCE), METHOD:CANCEL for a cancel, no injected properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from bot.booking.events import event_id_of, invite_uid_of, move_of
from bot.booking.notices import cancellation_invite, confirmation, ics
from bot.domain import Appointment, AppointmentStatus, Lead
from tests.unit.fakes import make_agent

START = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
AGENT = make_agent(id=1)
LEAD = Lead(id=1, telegram_id=1, chat_id=1, name="Ann", email="ann@example.com")


def appointment(**changes: object) -> Appointment:
    values: dict[str, object] = dict(
        id=1, lead_id=1, agent_id=1, start=START, end=START + timedelta(minutes=30),
        status=AppointmentStatus.BOOKED, join_url="https://meet.example.com/j/1",
        created_at=datetime(2026, 12, 7, 7, 0, tzinfo=UTC))
    return Appointment(**(values | changes))  # type: ignore[arg-type]


def event_of(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_invite_is_a_valid_calendar_with_the_meeting_and_its_link() -> None:
    data = ics(appointment(), AGENT, LEAD)
    calendar, event = event_of(data)
    assert calendar["METHOD"] == "PUBLISH" and calendar["VERSION"] == "2.0"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=30)
    assert str(event["SUMMARY"]) == "Meeting with Alice Agent"
    assert str(event["LOCATION"]) == "https://meet.example.com/j/1"
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")


def test_the_uid_is_unique_across_databases_and_stable_per_appointment() -> None:
    mine = appointment()
    # Another database's appointment 1, made at another moment.
    theirs = appointment(created_at=datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    uid = str(event_of(ics(mine, AGENT, LEAD))[1]["UID"])
    assert uid == f"{event_id_of(mine)}@leadbot" == invite_uid_of(mine)
    assert uid != "appointment-1@leadbot"
    assert uid != str(event_of(ics(theirs, AGENT, LEAD))[1]["UID"])
    assert uid == str(event_of(ics(mine, AGENT, LEAD))[1]["UID"])


def test_a_move_updates_the_same_event_with_a_higher_sequence() -> None:
    old = appointment()
    move = move_of(old)
    new = appointment(id=2, start=START + timedelta(days=1), end=START + timedelta(days=1,
                                                                                   minutes=30),
                      replaces=move.replaces, invite_uid=move.invite_uid,
                      invite_sequence=move.invite_sequence,
                      created_at=datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    _, before = event_of(ics(old, AGENT, LEAD))
    sent = confirmation(new, AGENT, LEAD, ZoneInfo("UTC"), reminders=("1h",), moved=True)
    assert sent.attachment is not None and "moved" in sent.text
    _, after = event_of(sent.attachment.content)
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == START + timedelta(days=1)
    # A second move keeps the UID again.
    again = move_of(new)
    assert again.invite_uid == str(before["UID"]) and again.invite_sequence == 2


def test_a_cancel_is_method_cancel_of_the_same_uid_with_a_higher_sequence() -> None:
    booked = appointment(invite_sequence=1, invite_uid="lbxyz@leadbot")
    cancelled = replace(booked, status=AppointmentStatus.CANCELLED)
    attachment = cancellation_invite(cancelled, AGENT, LEAD)
    assert attachment.mime_type == "text/calendar" and attachment.filename.endswith(".ics")
    calendar, event = event_of(attachment.content)
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == "lbxyz@leadbot"
    assert int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"


def test_a_bare_carriage_return_in_a_name_cannot_inject_a_property() -> None:
    agent = replace(AGENT, name="Alice\rX-INJECTED:yes\r\nATTENDEE:mailto:evil@example.com")
    lead = replace(LEAD, name="Ann\r\nORGANIZER:mailto:evil@example.com\x00")
    data = ics(appointment(), agent, lead)
    _, event = event_of(data)
    assert "X-INJECTED" not in event
    assert str(event["ATTENDEE"]) == "mailto:ann@example.com"
    assert event["ATTENDEE"].params["CN"] == "Ann ORGANIZER:mailto:evil@example.com"
    assert str(event["ORGANIZER"]) == "mailto:agent@example.com"
    assert not any(line.startswith((b"X-INJECTED", b"ATTENDEE:mailto:evil"))
                   for line in data.split(b"\r\n"))
    assert b"\r" not in data.replace(b"\r\n", b"") and b"\x00" not in data


def test_a_meeting_without_a_link_has_no_join_none() -> None:
    data = ics(appointment(join_url=None), AGENT, LEAD)
    _, event = event_of(data)
    assert b"None" not in data
    assert "DESCRIPTION" not in event and "LOCATION" not in event
