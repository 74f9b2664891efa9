"""The console chat: the same conversation as Telegram, typed in a terminal, no keys needed.

Buttons are shown as numbered choices; typing the number taps the button.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.app import build_services
from bot.config import Config
from bot.conversation.service import Sender
from bot.domain import Agent
from bot.ports import Button, OutMessage
from bot.services import startup

CONSOLE_USER = 1  # the console's stand-in Telegram id (real ids are never this small)


class ConsoleNotifier:
    """Messages for other chats (the agent's notifications) printed to the terminal."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    async def send(self, chat_id: int, message: OutMessage) -> None:
        who = "you" if chat_id == CONSOLE_USER else f"chat {chat_id}"
        self._out.write(f"\n  [message to {who}]\n" + _indent(message.text) + "\n")
        self._out.flush()


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


async def run_console(config: Config, *, stdin: TextIO | None = None,
                      stdout: TextIO | None = None) -> int:
    """Chat until end of input or /quit; returns the exit code."""
    inp, out = stdin or sys.stdin, stdout or sys.stdout
    async with await build_services(config, notifier=ConsoleNotifier(out), serve_metrics=True,
                                    console=True) as services:
        if not await services.agents.active():
            resting = [a for a in await services.store.agents.list() if a.console_only]
            if resting:
                out.write(f"No active agents: the demo agent ({resting[0].name}) is "
                          f"deactivated; `python -m bot agents activate {resting[0].id}` "
                          "brings it back.\n")
            else:
                agent = await services.store.agents.add(_demo(config))
                services.agents.invalidate()
                out.write(f"No agents yet: created a demo agent, {agent.name}, working "
                          f"{agent.working_hours} ({agent.timezone}). It serves this console "
                          "only; add real agents for Telegram with "
                          "`python -m bot agents add`.\n")
        await startup(services)
        out.write("Console chat: you are the lead. Type a message, a number to tap a choice, "
                  "/quit to leave.\n")
        sender = Sender(CONSOLE_USER, CONSOLE_USER, "Guest")
        buttons: list[Button] = []
        replies = await services.conversation.start(sender)
        buttons = _show(replies, out, config)
        while True:
            out.write("you> ")
            out.flush()
            line = await asyncio.to_thread(inp.readline)
            if not line:
                out.write("\n")
                return 0
            text = line.strip()
            if text in ("/quit", "/exit"):
                return 0
            conversation = services.conversation
            if text.isdigit() and 1 <= int(text) <= len(buttons):
                replies = await conversation.tap(sender, buttons[int(text) - 1].data)
            elif text == "/start":
                replies = await conversation.start(sender)
            elif text in ("/cancel", "/reschedule", "/times", "/stop"):
                replies = await conversation.command(sender, text[1:])
            elif text == "/forget":
                replies = await conversation.forget(sender)
            elif text.startswith("+") or (text.replace(" ", "").isdigit() and len(text) > 6):
                replies = await conversation.contact(sender, text, CONSOLE_USER)
            else:
                replies = await conversation.text(sender, text)
            buttons = _show(replies, out, config) or ([] if replies else buttons)


def _demo(config: Config) -> Agent:
    """A demo agent in the configured default zone, so booking works at once: console-only,
    so the Telegram bot on the same database never offers it to a real lead."""
    return Agent(id=0, name="Alex (demo agent)", telegram_id=2, calendar_id="demo@local",
                 timezone=config.default_timezone, working_hours="mon-fri 09:00-17:00",
                 notice_minutes=60, console_only=True)


def _show(replies: list[OutMessage], out: TextIO, config: Config) -> list[Button]:
    """Print replies; return the buttons of the last message that had any, numbered."""
    buttons: list[Button] = []
    for message in replies:
        out.write("bot> " + message.text.replace("\n", "\n     ") + "\n")
        if message.buttons:
            buttons = [b for row in message.buttons for b in row]
            for i, button in enumerate(buttons, 1):
                out.write(f"     [{i}] {button.label}\n")
        if message.request_contact:
            out.write("     (type your phone number, e.g. +1 212 555 0100)\n")
        if message.attachment is not None:
            path = Path(config.database_path).parent / message.attachment.filename
            path.write_bytes(message.attachment.content)
            out.write(f"     (invite saved to {path})\n")
    out.flush()
    return buttons
