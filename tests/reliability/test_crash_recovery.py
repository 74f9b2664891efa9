"""The real process killed (SIGKILL) at each step of a booking, then restarted; and SIGTERM.

After a restart the booking is either complete or gone, nothing is left live in Zoom or the
calendar, the lead and the agent are told the truth, and a redelivered update is handled once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.engines import current_url
from tests.reliability.helpers import markup_taps, until
from tests.reliability.process import AGENT_TG, LEAD_TG, Rig, rig
from tests.world import CALENDAR

MEETINGS = "/users/me/meetings"
EVENTS = f"/calendars/{CALENDAR}/events"


async def tap_first_offer(bot: Rig) -> int:
    """Ask for times, tap the first; the tap's update id."""
    tg = bot.telegram
    tg.push_text(LEAD_TG, "show me times", first_name="Crash")
    offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD_TG and bool(markup_taps(r)),
                               timeout=10)
    tg.push_callback(LEAD_TG, markup_taps(offers)[0], message_id=offers["message_id"])
    return max(tg.pending)  # read before the bot can fetch it: the tap is the newest update


def statuses(bot: Rig) -> list[str]:
    """Every appointment's status, oldest first, read from the database file."""
    return [r["status"] for r in bot.rows("SELECT status FROM appointments ORDER BY id")]


Step = Callable[[Rig], Awaitable[None]]


async def hang_zoom(bot: Rig) -> None:
    bot.zoom.hang(MEETINGS)  # hangs before creating: no meeting exists


async def zoom_asked(bot: Rig) -> None:
    await until(lambda: bot.zoom.count("POST", MEETINGS) == 1, 10, "the Zoom create")


async def hang_insert(bot: Rig) -> None:
    bot.google.hang(EVENTS)  # hangs before inserting: no event exists


async def insert_sent(bot: Rig) -> None:
    await until(lambda: bot.google.count("POST", EVENTS) == 1, 10, "the event insert")


async def insert_then_hang(bot: Rig) -> None:
    bot.google.hang_after_insert(None)  # the event exists, the answer never comes


async def event_stored(bot: Rig) -> None:
    await until(lambda: bool(bot.google.events[CALENDAR]), 10, "the event to be stored")


@pytest.mark.parametrize(
    ("fault", "reached", "completed"),
    [(hang_zoom, zoom_asked, False),
     (hang_insert, insert_sent, True),
     (insert_then_hang, event_stored, True)],
    ids=["after-hold", "after-zoom", "after-event"])
async def test_sigkill_mid_booking_then_restart_finishes_or_undoes_it(
        tmp_path: Path, fault: Step, reached: Step, completed: bool) -> None:
    async with rig(tmp_path) as bot:
        tg = bot.telegram
        await bot.start()
        await fault(bot)
        tap = await tap_first_offer(bot)
        await reached(bot)
        assert statuses(bot) == ["pending"]
        await bot.kill()

        bot.zoom.clear_faults()
        bot.google.clear_faults()
        mark = tg.mark()
        await bot.start()
        if completed:
            told = await tg.wait_for(lambda r: r["chat_id"] == LEAD_TG
                                     and r["method"] == "sendDocument", after=mark)
            assert "You're booked" in told["text"]
            agent = await tg.wait_for_text(AGENT_TG, "New meeting", after=mark)
            (meeting,) = bot.zoom.meetings.values()
            assert meeting["join_url"] in told["text"] and meeting["join_url"] in agent["text"]
            assert statuses(bot) == ["booked"]
            assert bot.orphans() == (1, 1)
            assert len(bot.google.events[CALENDAR]) == 1
        else:
            await tg.wait_for_text(LEAD_TG, "was interrupted and did not go through", after=mark)
            await tg.wait_for_text(AGENT_TG, "interrupted and undone; nothing is booked",
                                   after=mark)
            assert statuses(bot) == ["failed"]
            assert bot.orphans() == (0, 0)

        # Telegram hands the tap to the new process again: it is not handled a second time.
        creates = bot.zoom.count("POST", MEETINGS)
        tg.redeliver(tap)
        after = tg.mark()
        tg.push_text(LEAD_TG, "thanks")
        await tg.wait_for(lambda r: r["chat_id"] == LEAD_TG, after=after)
        await until(lambda: tap not in tg.pending, what="the redelivered tap to be fetched")
        since_restart = [r["text"] or "" for r in tg.sent()[mark:] if r["chat_id"] == LEAD_TG]
        assert not any("no longer on offer" in t or "already booked" in t
                       for t in since_restart), since_restart
        assert bot.zoom.count("POST", MEETINGS) == creates
        assert len(statuses(bot)) == 1
        assert await bot.terminate() == 0, bot.log()


async def test_sigterm_finishes_the_booking_in_flight_and_closes_the_database(
        tmp_path: Path) -> None:
    async with rig(tmp_path) as bot:
        tg = bot.telegram
        await bot.start()
        bot.zoom.delay(MEETINGS, 1.5)
        await tap_first_offer(bot)
        await until(lambda: bot.zoom.count("POST", MEETINGS) == 1, 10, "the Zoom create")
        assert await bot.terminate() == 0, bot.log()
        told = await tg.wait_for(lambda r: r["chat_id"] == LEAD_TG
                                 and r["method"] == "sendDocument", timeout=1)
        assert "You're booked" in told["text"]
        await tg.wait_for_text(AGENT_TG, "New meeting", timeout=1)
        assert statuses(bot) == ["booked"]
        assert bot.orphans() == (1, 1)
        if current_url() is not None:
            return  # what follows is about the SQLite file
        wal = bot.database.with_name(bot.database.name + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0, "the WAL was checkpointed"
        conn = sqlite3.connect(bot.database)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            conn.close()


async def test_sigkill_mid_reschedule_then_restart_moves_the_meeting_once(
        tmp_path: Path) -> None:
    """The move's new booking hangs at the event insert and the process dies: after the restart
    one meeting is booked, the old one is cancelled with its Zoom meeting and event deleted, and
    the lead and the agent are told once."""
    async with rig(tmp_path) as bot:
        tg = bot.telegram
        await bot.start()
        await tap_first_offer(bot)
        first = await tg.wait_for(lambda r: r["chat_id"] == LEAD_TG
                                  and r["method"] == "sendDocument", timeout=10)
        (old_meeting,) = bot.zoom.meetings.values()
        assert old_meeting["join_url"] in first["text"]
        (old_event,) = bot.google.events[CALENDAR]

        bot.google.hang(EVENTS)
        mark = tg.mark()
        tg.push_text(LEAD_TG, "reschedule")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD_TG and bool(markup_taps(r)),
                                   after=mark, timeout=10)
        tg.push_callback(LEAD_TG, markup_taps(offers)[-1], message_id=offers["message_id"])
        await until(lambda: bot.google.count("POST", EVENTS) == 2, 10, "the move's insert")
        assert statuses(bot) == ["booked", "pending"]
        await bot.kill()

        bot.google.clear_faults()
        mark = tg.mark()
        await bot.start()
        told = await tg.wait_for(lambda r: r["chat_id"] == LEAD_TG
                                 and r["method"] == "sendDocument", after=mark)
        assert statuses(bot) == ["cancelled", "booked"]
        assert "moved" in told["text"] and "You're booked" in told["text"]
        agent = await tg.wait_for_text(AGENT_TG, "Moved", after=mark)
        (meeting,) = bot.zoom.meetings.values()
        assert meeting["id"] != old_meeting["id"]
        assert meeting["join_url"] in told["text"] and meeting["join_url"] in agent["text"]
        assert bot.orphans() == (1, 1)
        assert bot.google.events[CALENDAR][old_event]["status"] == "cancelled"
        (reason,) = [r["failure_reason"] for r in bot.rows(
            "SELECT failure_reason FROM appointments WHERE status = 'cancelled'")]
        assert reason is None, "nothing is left for the sweep"

        # Once: the next message is answered, and nothing about the move is said again.
        after = tg.mark()
        tg.push_text(LEAD_TG, "thanks")
        await tg.wait_for(lambda r: r["chat_id"] == LEAD_TG, after=after)
        to_lead = [r for r in tg.sent()[mark:] if r["chat_id"] == LEAD_TG]
        assert sum(r["method"] == "sendDocument" for r in to_lead) == 1, to_lead
        to_agent = [r["text"] or "" for r in tg.sent()[mark:] if r["chat_id"] == AGENT_TG]
        assert sum(t.startswith("Moved") for t in to_agent) == 1, to_agent
        assert not any("New meeting" in t or "interrupted" in t for t in to_agent), to_agent
        assert await bot.terminate() == 0, bot.log()
