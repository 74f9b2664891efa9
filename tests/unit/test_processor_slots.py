"""An update that only has replies left to send gives its concurrency slot to the next one."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update

from handlers.ordering import ChatOrderedProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, datetime.now(UTC), chat))


async def test_a_released_slot_lets_another_chat_in_while_the_replies_wait() -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=1)
    sending = asyncio.Event()
    first, second = _update(1, 101), _update(2, 102)
    ran: list[str] = []

    async def replies_waiting_on_the_rate_limit() -> None:
        processor.release(first)  # its own work is done
        ran.append("first done thinking")
        await sending.wait()
        ran.append("first sent")

    async def other_chat() -> None:
        ran.append("second ran")
        sending.set()

    one = asyncio.create_task(processor.do_process_update(first,
                                                          replies_waiting_on_the_rate_limit()))
    await asyncio.sleep(0)
    two = asyncio.create_task(processor.do_process_update(second, other_chat()))
    await asyncio.wait_for(asyncio.gather(one, two), 2)
    assert ran == ["first done thinking", "second ran", "first sent"]


async def test_without_a_release_the_slot_is_held_to_the_end() -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=1)
    ran: list[str] = []

    async def slow() -> None:
        await asyncio.sleep(0.05)
        ran.append("first")

    async def quick() -> None:
        ran.append("second")

    await asyncio.gather(processor.do_process_update(_update(1, 101), slow()),
                         processor.do_process_update(_update(2, 102), quick()))
    assert ran == ["first", "second"]
