"""Two ``python -m bot run`` processes in webhook mode on one PostgreSQL, the test acting as the
load balancer that posts each update to one of them (or, as a retrying Telegram may, to both).

Racing taps spread over both give one booking; an update delivered to both is answered once;
one chat's messages alternated between them are stored and answered in order; with one killed,
the other goes on.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest

from tests.e2e.test_webhook import free_port, webhook_env
from tests.reliability.helpers import markup_taps, until
from tests.reliability.process import Rig, rig

pytestmark = pytest.mark.postgres_only
LEAD = 9501


@asynccontextmanager
async def replicas(tmp_path: Path
                   ) -> AsyncIterator[tuple[Rig, list[str], list[asyncio.subprocess.Process]]]:
    """The rig (fakes, an agent) and two webhook processes on its database: their URLs."""
    async with rig(tmp_path) as bot, AsyncExitStack() as stack:
        urls, children = [], []
        for n in (1, 2):
            port = free_port()
            log = stack.enter_context((tmp_path / f"replica{n}.log").open("w"))
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=bot.env | webhook_env(port),
                cwd=tmp_path, stdout=log, stderr=asyncio.subprocess.STDOUT)
            stack.push_async_callback(_stop, child)
            urls.append(f"http://127.0.0.1:{port}/telegram/hook")
            children.append(child)
        for url in urls:
            await _listening(bot, url)
        yield bot, urls, children


async def _stop(child: asyncio.subprocess.Process) -> None:
    if child.returncode is None:
        child.kill()
        await child.wait()


async def _listening(bot: Rig, url: str) -> None:
    """Until the replica at ``url`` answers (a request without the secret: refused, ignored)."""
    for _ in range(300):
        try:
            probe = bot.telegram.push_text(1, "probe")
            if await bot.telegram.post_update(url, probe, header=False) == 403:
                return
        except OSError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"no replica listening at {url}:\n{bot.log()}")


def answered(bot: Rig, count: int) -> bool:
    """Whether the lead's ``count`` messages are stored, the last one answered."""
    rows = bot.rows("SELECT m.role FROM messages m JOIN leads l ON l.id = m.lead_id "
                    "WHERE l.telegram_id = ? ORDER BY m.created_at, m.id", (LEAD,))
    roles = [r["role"] for r in rows]
    return roles.count("user") == count and roles[-1] == "assistant"


def answers(bot: Rig, lead: int = LEAD) -> list[str]:
    return [r["text"] or "" for r in bot.telegram.sent(lead)]


async def test_racing_taps_spread_over_both_replicas_book_once(tmp_path: Path) -> None:
    async with replicas(tmp_path) as (bot, urls, _):
        tg = bot.telegram
        offers = {}
        for n in range(4):
            lead = LEAD + n
            update = tg.push_text(lead, "any time tomorrow?", first_name=f"Race{n}")
            assert await tg.post_update(urls[n % 2], update) == 200
            offers[lead] = await tg.wait_for(
                lambda r, lead=lead: r["chat_id"] == lead and bool(markup_taps(r)), timeout=20)
        first = {lead: markup_taps(o)[0] for lead, o in offers.items()}
        mark = tg.mark()
        taps = []
        for lead, data in first.items():  # the same time, tapped by four leads at once
            tg.push_callback(lead, data, message_id=offers[lead]["message_id"])
            taps.append(tg.last_update_id)
        statuses = await asyncio.gather(*(tg.post_update(urls[i % 2], update_id)
                                          for i, update_id in enumerate(taps)))
        assert statuses == [200] * len(taps)
        for lead in first:  # every lead hears back: booked, or told and offered fresh times
            await tg.wait_for(lambda r, lead=lead: r["chat_id"] == lead, after=mark, timeout=30)
        await tg.wait_for(lambda r: "You're booked" in (r["text"] or ""), after=mark,
                          timeout=30)
        booked = bot.rows("SELECT lead_id FROM appointments WHERE status = 'booked'")
        assert len(booked) == 1, bot.log()
        confirmed = [lead for lead in first if any("You're booked" in t
                                                   for t in answers(bot, lead))]
        assert len(confirmed) == 1


async def test_an_update_posted_to_both_replicas_is_answered_once(tmp_path: Path) -> None:
    async with replicas(tmp_path) as (bot, urls, _):
        tg = bot.telegram
        twice = tg.push_command(LEAD, "/start", first_name="Dana")
        assert await asyncio.gather(*(tg.post_update(u, twice) for u in urls)) == [200, 200]
        # A later message to each replica: handled after the copy there (one chat in order).
        for n, url in enumerate(urls):
            fence = tg.push_text(LEAD, f"thanks {n}")
            assert await tg.post_update(url, fence) == 200
            await tg.wait_for(lambda r, n=n: r["chat_id"] == LEAD and r["text"] is not None
                              and len(tg.sent(LEAD)) >= n + 2, timeout=20)
        assert sum("Hi, Dana!" in t for t in answers(bot)) == 1, answers(bot)
        rows = bot.rows("SELECT m.role FROM messages m JOIN leads l ON l.id = m.lead_id "
                        "WHERE l.telegram_id = ? ORDER BY m.created_at", (LEAD,))
        assert [r["role"] for r in rows].count("user") == 3  # /start once, two thanks


async def test_one_chat_alternated_between_replicas_is_stored_and_answered_in_order(
        tmp_path: Path) -> None:
    said = ["Hi there", "I'm looking for a flat", "My name is Ann Lee", "Is Friday free?",
            "Thanks", "Bye"]
    async with replicas(tmp_path) as (bot, urls, children):
        tg = bot.telegram
        for n, text in enumerate(said):
            update = tg.push_text(LEAD, text, first_name="Ann")
            assert await tg.post_update(urls[n % 2], update) == 200
            await until(lambda n=n: answered(bot, n + 1), 20, f"the answer to {text!r}")
        rows = bot.rows("SELECT m.role, m.content FROM messages m JOIN leads l ON "
                        "l.id = m.lead_id WHERE l.telegram_id = ? ORDER BY m.created_at, m.id",
                        (LEAD,))
        assert [r["content"] for r in rows if r["role"] == "user"] == said
        roles = [r["role"] for r in rows]
        # Each message answered before the next one is stored.
        assert "user,user" not in ",".join(roles) and roles[-1] == "assistant", roles

        children[0].kill()  # one replica dies; the balancer sends everything to the other
        await children[0].wait()
        update = tg.push_text(LEAD, "are you still there?", first_name="Ann")
        assert await tg.post_update(urls[1], update) == 200
        await until(lambda: answered(bot, len(said) + 1), 20, "the survivor's answer")
