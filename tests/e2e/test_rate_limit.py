"""The bot's rate limiter, through the real PTB bot against the fake Bot API's flood control."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.constants import ChatAction
from telegram.ext import ExtBot

from handlers.ratelimit import BULK, SlidingWindow, TelegramRateLimiter, TokenBucket
from tests.fakes.telegram import FakeTelegram

CHATS = range(5001, 5041)


@asynccontextmanager
async def limited_bot(fake: FakeTelegram, limiter: TelegramRateLimiter
                      ) -> AsyncIterator[ExtBot[str]]:
    """A PTB bot pointed at the fake, its calls paced by ``limiter``."""
    bot: ExtBot[str] = ExtBot(fake.token, base_url=f"{fake.url}/bot", rate_limiter=limiter)
    async with bot:
        yield bot


def _texts(fake: FakeTelegram) -> list[str]:
    return [r["text"] for r in fake.sent()]


class _Frozen:
    """A clock that does not move: a bucket read with it never refills."""

    def __call__(self) -> float:
        return 1000.0


async def test_a_burst_past_the_flood_limit_loses_nothing(fake_telegram: FakeTelegram) -> None:
    """Sent faster than Telegram accepts, every refused message is retried and arrives once."""
    flood = fake_telegram.flood_control(capacity=5, rate=20.0)
    limiter = TelegramRateLimiter(rate=1000.0, burst=1000)  # deliberately faster than Telegram
    async with limited_bot(fake_telegram, limiter) as bot:
        await asyncio.gather(*(bot.send_message(chat, f"reply to {chat}") for chat in CHATS))
    assert flood.refused > 0 and limiter.retried == flood.refused
    assert sorted(_texts(fake_telegram)) == sorted(f"reply to {chat}" for chat in CHATS)


async def test_a_refused_call_waits_alone(fake_telegram: FakeTelegram) -> None:
    """A 429 delays only the call it answered: another chat's reply goes out meanwhile."""
    fake_telegram.fail("sendMessage", status=429, retry_after=1)
    async with limited_bot(fake_telegram, TelegramRateLimiter()) as bot:
        first = asyncio.create_task(bot.send_message(CHATS[0], "refused once"))
        await fake_telegram.wait_for_call("sendMessage")
        await asyncio.sleep(0.05)  # the refusal has come back: the first call now waits
        await bot.send_message(CHATS[1], "not held up")
        assert _texts(fake_telegram) == ["not held up"]
        await first
    assert _texts(fake_telegram) == ["not held up", "refused once"]


async def test_typing_takes_nothing_from_the_replies(fake_telegram: FakeTelegram) -> None:
    """Chat actions are not messages: with room for two messages and a clock that never
    refills the bucket, ten "typing…" actions still leave both replies their room."""
    limiter = TelegramRateLimiter(burst=2, clock=_Frozen())
    async with limited_bot(fake_telegram, limiter) as bot:
        for chat in CHATS[:10]:
            assert await bot.send_chat_action(chat, ChatAction.TYPING)
        await asyncio.wait_for(asyncio.gather(bot.send_message(CHATS[0], "one"),
                                              bot.send_message(CHATS[1], "two")), 5)
    assert len(fake_telegram.calls("sendChatAction")) == 10
    assert sorted(_texts(fake_telegram)) == ["one", "two"]


async def test_typing_is_skipped_once_a_message_waits_and_dropped_on_a_429(
        fake_telegram: FakeTelegram) -> None:
    """No "typing…" while the chat's reply is already queued; a refused one is not retried."""
    limiter = TelegramRateLimiter(burst=1, clock=_Frozen())
    async with limited_bot(fake_telegram, limiter) as bot:
        await bot.send_message(CHATS[0], "takes the only token")
        queued = asyncio.create_task(bot.send_message(CHATS[1], "waits for a token"))
        await asyncio.sleep(0.05)
        assert await bot.send_chat_action(CHATS[1], ChatAction.TYPING)
        assert fake_telegram.calls("sendChatAction") == []
        fake_telegram.fail("sendChatAction", status=429, retry_after=5)
        assert await asyncio.wait_for(bot.send_chat_action(CHATS[2], ChatAction.TYPING), 2)
        assert len(fake_telegram.calls("sendChatAction")) == 1
        queued.cancel()
    assert limiter.actions_skipped == 2


async def test_one_chat_is_paced_and_others_are_not_held_up(fake_telegram: FakeTelegram) -> None:
    """Past its burst, a chat gets one message per 1/chat_rate s; another chat is not queued
    behind it."""
    limiter = TelegramRateLimiter(chat_rate=20.0, chat_burst=1)
    async with limited_bot(fake_telegram, limiter) as bot:
        began = time.monotonic()
        busy = asyncio.gather(*(bot.send_message(CHATS[0], f"part {n}") for n in range(5)))
        await asyncio.sleep(0)
        await bot.send_message(CHATS[1], "other chat")
        await busy
    sent = fake_telegram.sent(CHATS[0])
    assert [r["text"] for r in sent] == [f"part {n}" for n in range(5)]
    # The fifth may leave no sooner than four intervals of 1/20 s after the first.
    assert sent[-1]["at"] - began >= 4 / 20.0 - 0.005
    assert _texts(fake_telegram).index("other chat") < _texts(fake_telegram).index("part 4")


async def test_replies_go_ahead_of_bulk_sends(fake_telegram: FakeTelegram) -> None:
    """When the bucket is short, a reply to a lead overtakes reminders and notices queued
    before it."""
    limiter = TelegramRateLimiter(rate=10.0, burst=1)
    async with limited_bot(fake_telegram, limiter) as bot:
        await bot.send_message(CHATS[0], "first")
        bulk = [asyncio.create_task(bot.send_message(chat, f"reminder {chat}",
                                                     rate_limit_args=BULK))
                for chat in CHATS[1:4]]
        await asyncio.sleep(0)
        await bot.send_message(CHATS[5], "reply")
        await asyncio.gather(*bulk)
    assert _texts(fake_telegram)[:2] == ["first", "reply"]
    assert len(fake_telegram.sent()) == 5


def test_a_group_gets_twenty_messages_a_minute() -> None:
    """In a group the 21st message within a minute waits until the first is a minute old."""
    now = [0.0]
    window = SlidingWindow(20, 60.0, clock=lambda: now[0])
    assert [window.reserve() for _ in range(20)] == [0.0] * 20
    assert window.reserve() == 60.0
    now[0] = 61.0
    assert window.reserve() == 0.0


def test_a_bucket_tells_each_caller_how_far_its_token_is() -> None:
    """Reservations past the burst are spaced by 1/rate, in arrival order."""
    now = [0.0]
    bucket = TokenBucket(2, 4.0, clock=lambda: now[0])
    assert [bucket.reserve() for _ in range(4)] == [0.0, 0.0, 0.25, 0.5]
    now[0] = 10.0
    assert bucket.wait() == 0.0


async def test_a_call_waiting_at_shutdown_is_let_go(fake_telegram: FakeTelegram) -> None:
    """Shutting the limiter down never leaves a send waiting for a token forever."""
    limiter = TelegramRateLimiter(burst=1, clock=_Frozen())
    async with limited_bot(fake_telegram, limiter) as bot:
        await bot.send_message(CHATS[0], "takes the only token")
        queued = asyncio.create_task(bot.send_message(CHATS[1], "waits for a token"))
        await asyncio.sleep(0.05)
        await limiter.shutdown()
        await asyncio.wait_for(queued, 5)
    assert _texts(fake_telegram) == ["takes the only token", "waits for a token"]
