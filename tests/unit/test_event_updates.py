"""Details a booked lead gives later reach the calendar event, on in-memory fakes; a failed
update is logged and counted, never raised."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import Appointment, Lead
from tests.unit.fakes import Core, build_core


async def booked(core: Core, lead: Lead) -> Appointment:
    result = await core.slots.offer(lead.id, await core.agents.active(), zone=ZoneInfo("UTC"))
    return (await core.booking.book(lead, result.offers[0].token)).appointment


async def test_the_event_is_brought_up_to_date_with_the_leads_details() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    appointment = await booked(core, lead)
    later = await core.repos.leads.update(lead.id, phone_number="+14155550100",
                                          email="ann@example.com", notes="the lease")
    assert await core.booking.refresh_event(appointment, later)
    (event,) = core.calendar.updated
    assert "+14155550100" in event.description and "ann@example.com" in event.description
    assert "About: the lease" in event.description
    assert appointment.join_url and appointment.join_url in event.description
    assert event.attendee_emails == ()  # no delegation: never invited


async def test_with_delegation_the_update_invites_the_lead() -> None:
    core = build_core(invite_attendees=True)
    await core.add_agent()
    lead = await core.lead()
    appointment = await booked(core, lead)
    later = await core.repos.leads.update(lead.id, email="ann@example.com")
    await core.booking.refresh_event(appointment, later)
    (event,) = core.calendar.updated
    assert event.attendee_emails == ("ann@example.com",)


async def test_a_failed_update_is_counted_and_not_raised() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    appointment = await booked(core, lead)
    core.calendar.fail("update_event")
    assert not await core.booking.refresh_event(appointment, lead)
    assert core.metrics.count("errors.calendar_update") == 1


async def test_a_cancelled_meeting_is_not_updated() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    appointment = await booked(core, lead)
    cancelled, _ = await core.booking.cancel(lead, appointment.id)
    assert not await core.booking.refresh_event(cancelled, lead)
    assert core.calendar.updated == []
