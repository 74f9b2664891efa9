"""The team's controls on the core over in-memory fakes: muting and relaying a lead taken over
(reminders still go), whom an agent's words are for, and who may act on which lead."""

from __future__ import annotations

import pytest

from bot.domain import Role
from bot.team.access import Refused
from bot.team.service import TeamService
from tests.unit.chat import Chat, chat, offers_in

ADMIN = 4242


def team_of(c: Chat) -> TeamService:
    core = c.core
    return TeamService(core.repos, core.slots, core.booking, core.reminders, c.conversation,
                       core.notifier, core.clock, core.metrics, admins={ADMIN},
                       default_timezone="UTC")


async def test_a_lead_taken_over_hears_nothing_and_the_agent_gets_every_message() -> None:
    c = await chat()
    team = team_of(c)
    await c.says("hello")
    lead = await c.lead()
    agent = await team.access.actor(c.agent.telegram_id)
    await team.takeover.take_over(agent, lead.id)
    assert await c.says("what about friday?") == []
    assert await c.taps("s") == []
    assert c.to_agent()[-2:] == [f"💬 Ann (#lead{lead.id}):\nwhat about friday?",
                                 f"💬 Ann (#lead{lead.id}):\n(sent a button tap)"]
    stored = await c.repos.messages.last(lead.id)
    assert stored[-1].role is Role.USER and stored[-2].content == "what about friday?"
    await team.takeover.hand_back(agent)
    assert offers_in(await c.says("show me times"))


async def test_a_time_tapped_while_muted_is_named_to_the_agent_and_not_booked() -> None:
    c = await chat()
    team = team_of(c)
    offer = offers_in(await c.says("show me times"))[0]
    lead = await c.lead()
    await team.takeover.take_over(await team.access.actor(c.agent.telegram_id), lead.id)
    assert await c.taps(offer) == []
    assert c.to_agent()[-1].startswith(
        f"💬 Ann (#lead{lead.id}):\n(tapped the time Mon 7 Dec, 09:00 (UTC); nothing is booked")
    assert await c.repos.appointments.for_lead(lead.id) == []


async def test_reminders_still_go_to_a_lead_taken_over() -> None:
    c = await chat()
    team = team_of(c)
    await c.taps(offers_in(await c.says("show me times"))[0])
    lead = await c.lead()
    await team.takeover.take_over(await team.access.actor(c.agent.telegram_id), lead.id)
    (name,) = [n for n in c.timers.names() if n.startswith("reminder:")]
    c.clock.set(c.timers.timers[name].when)
    await c.timers.timers[name].callback()
    assert c.core.notifier.to(lead.chat_id)[-1].startswith("Reminder: your meeting")


async def test_an_agents_words_go_to_the_replied_lead_or_the_only_one() -> None:
    c = await chat()
    team = team_of(c)
    agent = await team.access.actor(c.agent.telegram_id)
    first, second = await c.core.lead(1), await c.core.lead(2)
    assert await team.takeover.recipient(agent, None) is None
    await team.takeover.take_over(agent, first.id)
    assert (await team.takeover.recipient(agent, None)).id == first.id  # type: ignore[union-attr]
    await team.takeover.take_over(agent, second.id)
    with pytest.raises(Refused, match="talking to 2 leads"):
        await team.takeover.recipient(agent, None)
    replied = f"💬 Lead2 (#lead{second.id}):\nhi"
    assert (await team.takeover.recipient(agent, replied)).id == second.id  # type: ignore[union-attr]
    await team.takeover.said(second, "Hi, it's Alice")
    assert (await c.repos.messages.last(second.id))[-1].role is Role.AGENT
    with pytest.raises(Refused, match="several"):
        await team.takeover.hand_back(agent)


async def test_an_agent_acts_on_their_own_leads_and_an_admin_on_all() -> None:
    c = await chat()
    team = team_of(c)
    other = await c.core.add_agent(name="Bob", telegram_id=779, calendar_id="bob@example.com")
    mine = await c.core.lead(1, agent_id=c.agent.id)
    theirs = await c.core.lead(2, agent_id=other.id)
    alice = await team.access.actor(c.agent.telegram_id)
    admin = await team.access.actor(ADMIN)
    stranger = await team.access.actor(5555)
    assert not stranger.on_team and admin.on_team and alice.on_team
    with pytest.raises(Refused, match="no lead with that number"):
        await team.takeover.take_over(alice, theirs.id)
    assert f"#lead{mine.id}" in await team.listing.page(alice)
    assert f"#lead{theirs.id}" not in await team.listing.page(alice)
    assert f"#lead{theirs.id}" in await team.listing.page(admin)
    assert (await team.listing.detail(admin, theirs.id)).startswith("Lead2")
    with pytest.raises(Refused, match="Only an agent"):
        await team.takeover.take_over(admin, mine.id)
    bob = await team.access.actor(other.telegram_id)
    await team.takeover.take_over(bob, theirs.id)
    await c.repos.leads.update(theirs.id, agent_id=c.agent.id)  # reassigned to Alice meanwhile
    with pytest.raises(Refused, match="already taken over by Bob"):
        await team.takeover.take_over(alice, theirs.id)
