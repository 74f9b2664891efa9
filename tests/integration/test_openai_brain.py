"""OpenAIBrain against the loopback FakeOpenAI, through the real openai SDK."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openai import AsyncOpenAI

from bot.conversation.actions import (
    BOOK_SLOT,
    FIND_SLOTS,
    SAVE_DETAILS,
    TOOL_SCHEMAS,
    BookSlot,
    FindSlots,
    SaveDetails,
)
from bot.conversation.brain import BrainContext, OfferedTime, UpcomingMeeting
from bot.domain import Awaiting, Lead, Message, Role
from bot.errors import Unavailable
from bot.observability.metrics import Metrics
from integrations.openai_brain import (
    OpenAIBrain,
    build_system_prompt,
    estimate_tokens,
)
from tests.fakes.openai import DEFAULT_TEXT, FakeOpenAI

API_KEY = "sk-test-DO-NOT-LOG-5f3a9c0e7b"
ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 1, 14, 5, tzinfo=ZONE)


def offered(*labels: str) -> tuple[OfferedTime, ...]:
    """Offers with these labels, half an hour apart from tomorrow 10:00."""
    start = NOW.replace(hour=10, minute=0) + timedelta(days=1)
    return tuple(OfferedTime(i, start + timedelta(minutes=30 * i),
                             start + timedelta(minutes=30 * i + 30), label)
                 for i, label in enumerate(labels, 1))


def upcoming(label: str) -> UpcomingMeeting:
    start = NOW.replace(hour=9, minute=0) + timedelta(days=3)
    return UpcomingMeeting(start, start + timedelta(minutes=30), label)


def context(*texts: str, offers: tuple[OfferedTime, ...] = (),
            appointment: UpcomingMeeting | None = None, missing: tuple[str, ...] = (),
            awaiting: Awaiting | None = None) -> BrainContext:
    """A lead's context whose history alternates user/assistant and ends with the lead."""
    lead = Lead(id=1, telegram_id=111, chat_id=111, name="Ada", timezone="Europe/Berlin",
                awaiting=awaiting)
    roles = [Role.USER if (len(texts) - i) % 2 else Role.ASSISTANT for i in range(len(texts))]
    history = [Message(id=i + 1, lead_id=1, role=role, content=text,
                       created_at=NOW - timedelta(minutes=len(texts) - i))
               for i, (role, text) in enumerate(zip(roles, texts, strict=True))]
    return BrainContext(lead=lead, history=history, now=NOW, agency_name="Sunrise Realty",
                        agent_name="Bob", offers=offers, appointment=appointment,
                        missing=missing)


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(api_key=API_KEY) as server:
        yield server


@pytest.fixture
async def client(fake: FakeOpenAI) -> AsyncIterator[AsyncOpenAI]:
    sdk = AsyncOpenAI(api_key=API_KEY, base_url=f"{fake.url}/v1", max_retries=0, timeout=5.0)
    yield sdk
    await sdk.close()


def brain(client: AsyncOpenAI, metrics: Metrics, *, deadline: float = 2.0,
          stream: bool = False) -> OpenAIBrain:
    return OpenAIBrain(client, model="gpt-test-mini", metrics=metrics, deadline=deadline,
                       stream=stream)


async def test_plain_reply_comes_back_as_text(fake: FakeOpenAI, client: AsyncOpenAI,
                                              metrics: Metrics) -> None:
    fake.script("Hi Ada! Shall I find you a time tomorrow?")
    reply = await brain(client, metrics).reply(context("Hello, I'd like a call"))
    assert reply.text == "Hi Ada! Shall I find you a time tomorrow?"
    assert reply.tool_calls == ()
    assert metrics.summary("ai").count == 1
    sent = fake.bodies[0]
    assert sent["model"] == "gpt-test-mini"
    assert sent["tools"] == TOOL_SCHEMAS
    assert sent["tool_choice"] == "auto"
    assert "stream" not in sent or sent["stream"] is False


async def test_a_tool_call_is_parsed_into_a_tool_call(fake: FakeOpenAI, client: AsyncOpenAI,
                                                      metrics: Metrics) -> None:
    fake.script(tool_calls=[(FIND_SLOTS, {"day": "tomorrow", "part_of_day": "morning"})])
    reply = await brain(client, metrics).reply(context("Tomorrow morning works"))
    assert reply.tool_calls == (FindSlots("tomorrow morning"),)
    assert reply.text == ""


async def test_text_and_several_tool_calls_together(fake: FakeOpenAI, client: AsyncOpenAI,
                                                    metrics: Metrics) -> None:
    fake.script("Booked, thanks!", [(SAVE_DETAILS, {"name": "Ada King"}),
                                     (BOOK_SLOT, {"choice": 2})])
    reply = await brain(client, metrics).reply(context("I'm Ada King, the second one please"))
    assert reply.text == "Booked, thanks!"
    assert reply.tool_calls == (SaveDetails(name="Ada King"), BookSlot(2))


async def test_streamed_text_is_assembled_and_first_token_timed(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics) -> None:
    text = "Sure! Let me look at Tuesday for you - one moment please."
    fake.script(text)
    reply = await brain(client, metrics, stream=True).reply(context("Tuesday?"))
    assert reply.text == text
    assert fake.bodies[0]["stream"] is True
    assert metrics.summary("ai.first_token").count == 1
    assert metrics.summary("ai.first_token").max <= metrics.summary("ai").max


async def test_streamed_tool_calls_split_over_chunks_are_assembled(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics) -> None:
    fake.chunk_chars = 3  # the arguments arrive in many small pieces
    fake.script("Let me check.", [(FIND_SLOTS, {"day": "next tuesday", "time": "15:30"}),
                                  (SAVE_DETAILS, {"notes": "buying a flat in Mitte"})])
    reply = await brain(client, metrics, stream=True).reply(context("next tuesday 15:30"))
    assert reply.text == "Let me check."
    assert reply.tool_calls == (
        FindSlots("next tuesday at 15:30"),
        SaveDetails(notes="buying a flat in Mitte"),
    )


async def test_history_sent_is_one_system_prompt_and_the_last_15_messages(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics) -> None:
    texts = [f"message {i}" for i in range(40)]
    await brain(client, metrics).reply(context(*texts))
    messages = fake.bodies[0]["messages"]
    assert len(messages) == 1 + 15
    assert messages[0]["role"] == "system"
    assert [m["content"] for m in messages[1:]] == texts[-15:]
    assert messages[-1] == {"role": "user", "content": "message 39"}
    assert messages[-2]["role"] == "assistant"
    assert all(m["role"] != "system" for m in messages[1:])


async def test_system_prompt_tells_the_model_the_state(fake: FakeOpenAI, client: AsyncOpenAI,
                                                       metrics: Metrics) -> None:
    ctx = context("hi", offers=offered("Wed 2 Dec, 10:00", "Wed 2 Dec, 10:30"),
                  appointment=upcoming("Fri 4 Dec, 09:00"), missing=("phone", "email"),
                  awaiting=Awaiting.PHONE)
    await brain(client, metrics).reply(ctx)
    prompt = fake.bodies[0]["messages"][0]["content"]
    for expected in ("Sunrise Realty", "Bob", "Ada", "Tuesday 2026-12-01 14:05",
                     "Europe/Berlin", "1. Wed 2 Dec, 10:00", "2. Wed 2 Dec, 10:30",
                     "Fri 4 Dec, 09:00", "phone number", "email", "book_slot", "find_slots"):
        assert expected in prompt


def test_system_prompt_stays_under_2000_tokens_with_maximal_inputs() -> None:
    long = "Name " * 200
    lead = Lead(id=1, telegram_id=1, chat_id=1, name=long, timezone="America/" + "X" * 300,
                awaiting=Awaiting.CANCEL_CONFIRM)
    ctx = BrainContext(
        lead=lead, history=[], now=NOW, agency_name=long, agent_name=long,
        offers=offered(*(f"{long} slot {i}" for i in range(5))), appointment=upcoming(long * 3),
        missing=("name", "email", "phone", "timezone", "notes"),
    )
    prompt = build_system_prompt(ctx)
    assert estimate_tokens(prompt) < 2000
    assert len(prompt.split()) < 1500
    assert "5. " in prompt  # all five offers are still there


async def test_malformed_or_unknown_tool_calls_are_dropped_and_counted(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics) -> None:
    fake.script("One moment.", [(FIND_SLOTS, '{"day": "tomor'), ("drop_tables", {}),
                                (BOOK_SLOT, {"choice": 99})])
    reply = await brain(client, metrics).reply(context("tomorrow"))
    assert reply.text == "One moment."
    assert reply.tool_calls == ()
    assert metrics.count("errors.ai_bad_tool") == 3


async def test_only_bad_tool_calls_and_no_text_is_unavailable(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics) -> None:
    fake.script(tool_calls=[(BOOK_SLOT, "{not json")])
    with pytest.raises(Unavailable) as caught:
        await brain(client, metrics).reply(context("the first"))
    assert caught.value.service == "openai"
    assert metrics.count("errors.ai_bad_tool") == 1


async def test_streamed_bad_tool_call_alone_is_unavailable(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics) -> None:
    fake.script(tool_calls=[("unknown_tool", {"x": 1})])
    with pytest.raises(Unavailable):
        await brain(client, metrics, stream=True).reply(context("hm"))


async def test_an_answer_without_choices_is_unavailable(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics) -> None:
    fake.script_raw({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                     "choices": []})
    with pytest.raises(Unavailable):
        await brain(client, metrics).reply(context("hello"))


async def test_a_server_error_is_unavailable_with_its_status(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics) -> None:
    fake.fail(fake.PATH, 500)
    with pytest.raises(Unavailable) as caught:
        await brain(client, metrics).reply(context("hello"))
    assert caught.value.status == 500
    assert metrics.summary("ai").count == 1
    # The fault was one-off: the next message gets an answer again.
    assert (await brain(client, metrics).reply(context("hello"))).text == DEFAULT_TEXT


async def test_a_refused_key_is_unavailable(fake: FakeOpenAI, metrics: Metrics) -> None:
    wrong = AsyncOpenAI(api_key="sk-wrong", base_url=f"{fake.url}/v1", max_retries=0)
    try:
        with pytest.raises(Unavailable) as caught:
            await brain(wrong, metrics).reply(context("hello"))
    finally:
        await wrong.close()
    assert caught.value.status == 401
    assert fake.bodies == []  # refused before it was read


@pytest.mark.parametrize("stream", [False, True])
async def test_a_hang_past_the_deadline_is_unavailable_quickly(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics, stream: bool) -> None:
    fake.hang(fake.PATH)
    started = time.perf_counter()
    with pytest.raises(Unavailable, match="no answer within"):
        await brain(client, metrics, deadline=0.2, stream=stream).reply(context("hello"))
    assert time.perf_counter() - started < 1.0
    assert fake.count("POST", fake.PATH) == 1


async def test_a_slow_answer_within_the_deadline_is_used(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics) -> None:
    fake.delay(fake.PATH, 0.05)
    reply = await brain(client, metrics, deadline=1.0).reply(context("hello"))
    assert reply.text == DEFAULT_TEXT
    assert metrics.summary("ai").max >= 0.05


async def test_the_key_and_the_messages_never_reach_the_logs(
        fake: FakeOpenAI, client: AsyncOpenAI, metrics: Metrics,
        caplog: pytest.LogCaptureFixture) -> None:
    secret_text = "my passport number is X1234567"
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpx2", "httpcore", "httpcore2", "integrations"):
        caplog.set_level(logging.DEBUG, logger=name)
    fake.script("ok", [(BOOK_SLOT, "{broken")])
    await brain(client, metrics).reply(context(secret_text))
    fake.fail(fake.PATH, 500)
    with pytest.raises(Unavailable):
        await brain(client, metrics, stream=True).reply(context(secret_text))
    wrong = AsyncOpenAI(api_key=API_KEY + "-wrong", base_url=f"{fake.url}/v1", max_retries=0)
    with pytest.raises(Unavailable):
        await brain(wrong, metrics).reply(context(secret_text))
    await wrong.close()

    assert caplog.records, "the SDK and the brain should have logged something at DEBUG"
    everything = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert API_KEY not in everything
    assert API_KEY[3:] not in everything
    assert not [r for r in caplog.records if r.levelno >= logging.INFO
                and secret_text in r.getMessage()]


def test_system_prompt_asks_for_answers_in_the_lead_s_language() -> None:
    ctx = BrainContext(lead=Lead(id=1, telegram_id=1, chat_id=1, language="pt-BR"), history=[],
                       now=NOW, agency_name="Sunrise Realty", agent_name="Ada")
    prompt = build_system_prompt(ctx)
    assert "speaks Portuguese" in prompt and "Answer in Portuguese" in prompt
    assert "in English if the lead wrote another language" in prompt
