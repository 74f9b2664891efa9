"""What the brain sees of a lead comes from one read of the lead, its agent and its history."""

from __future__ import annotations

from bot.conversation.brain import BrainReply
from bot.domain import Role
from tests.unit.chat import chat


async def test_an_agent_assigned_elsewhere_is_the_one_the_brain_names_next() -> None:
    c = await chat(*(BrainReply(text="Hello!") for _ in range(2)))
    bob = await c.core.add_agent(name="Bob Agent", telegram_id=778)
    await c.says("hi")
    assert c.brain.contexts[-1].agent_name is None  # two agents, none assigned yet
    lead = await c.lead()
    # Another replica (or an agent's takeover there) assigns Bob: this process never saw it.
    await c.repos.leads.update(lead.id, agent_id=bob.id)

    await c.says("who will I talk to?")

    assert c.brain.contexts[-1].agent_name == "Bob Agent"
    assert c.brain.contexts[-1].lead.agent_id == bob.id


async def test_the_brain_sees_the_last_15_lines_ending_with_the_lead_s_message() -> None:
    c = await chat(*(BrainReply(text=f"answer {i}") for i in range(10)))
    for i in range(10):
        await c.says(f"question {i}")

    history = c.brain.contexts[-1].history

    assert len(history) == 15
    assert (history[-1].role, history[-1].content) == (Role.USER, "question 9")
    assert (history[-2].role, history[-2].content) == (Role.ASSISTANT, "answer 8")
    assert [m.id for m in history] == sorted(m.id for m in history)
