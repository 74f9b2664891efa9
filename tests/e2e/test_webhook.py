"""Webhook mode: Telegram is told the URL and the secret; only requests carrying it count."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import TOKEN, running_bot
from tests.reliability.process import rig

LEAD = 6101
PUBLIC_URL = "https://bot.example.com/telegram/hook"
SECRET = "webhook-Secret_42"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_env(port: int) -> dict[str, str]:
    return {"TELEGRAM_WEBHOOK_URL": PUBLIC_URL, "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}"}


async def test_the_bot_sets_its_webhook_and_answers_what_is_posted_to_it(tmp_path: Path) -> None:
    port = free_port()
    async with running_bot(tmp_path, env=webhook_env(port)) as bot:
        tg = bot.telegram
        assert tg.webhook is not None
        assert tg.webhook["url"] == PUBLIC_URL
        assert tg.webhook["secret_token"] == SECRET
        assert not tg.calls("getUpdates")  # no polling beside the webhook
        update = tg.push_command(LEAD, "/start", first_name="Dana")
        # The load balancer forwards the public path as is to this replica's port.
        assert await tg.post_update(f"http://127.0.0.1:{port}/telegram/hook", update) == 200
        greeting = await tg.wait_for_text(LEAD, "Hi, Dana!")
        assert "Acme Realty" in greeting["text"]


@pytest.mark.parametrize("secret", ["wrong-secret", None], ids=["wrong", "missing"])
async def test_a_request_without_the_right_secret_is_refused_and_changes_nothing(
    tmp_path: Path, secret: str | None,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    async with running_bot(tmp_path, env=webhook_env(port)) as bot:
        tg = bot.telegram
        update = tg.push_text(LEAD, "hello, can we talk tomorrow?", first_name="Eve")
        status = await tg.post_update(url, update, secret=secret, header=secret is not None)
        assert status == 403
        await asyncio.sleep(0.3)  # room for anything the request might have set off
        assert tg.sent(LEAD) == []
        assert await bot.services.store.leads.by_telegram_id(LEAD) is None
        assert await bot.services.store.messages.count() == 0
        # The same update with the right secret is handled: the refusal marked nothing done.
        assert await tg.post_update(url, update) == 200
        await tg.wait_for(lambda r: r["chat_id"] == LEAD)
        assert await bot.services.store.leads.by_telegram_id(LEAD) is not None


async def test_an_update_telegram_posts_twice_is_answered_once(tmp_path: Path) -> None:
    """Telegram posts again when an answer comes late; the second copy changes nothing."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    async with running_bot(tmp_path, env=webhook_env(port)) as bot:
        tg = bot.telegram
        update = tg.push_command(LEAD, "/start", first_name="Dana")
        assert await tg.post_update(url, update) == 200
        await tg.wait_for_text(LEAD, "Hi, Dana!")
        assert await tg.post_update(url, update) == 200
        later = tg.push_text(LEAD, "thanks")  # handled after the copy: a fence for it
        assert await tg.post_update(url, later) == 200
        await tg.wait_for(lambda r: r["chat_id"] == LEAD and "Hi, Dana!" not in r["text"])
        assert sum("Hi, Dana!" in r["text"] for r in tg.sent(LEAD)) == 1
        lead = await bot.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None
        assert await bot.services.store.messages.count(lead.id) == 4  # 2 in, 2 out


async def test_python_m_bot_run_serves_the_webhook_until_sigterm(tmp_path: Path) -> None:
    """The command an operator runs: webhook set, an update answered, a clean exit 0, and
    with LOG_FORMAT=json every line of its log one JSON object."""
    port = free_port()
    async with rig(tmp_path) as bot:
        tg = bot.telegram
        bot.env |= webhook_env(port) | {"LOG_FORMAT": "json"}
        with (tmp_path / "webhook.log").open("w") as log:
            bot.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=bot.env, cwd=tmp_path, stdout=log,
                stderr=asyncio.subprocess.STDOUT)
            await tg.wait_for_call("setWebhook", timeout=30)
            update = tg.push_command(LEAD, "/start", first_name="Dana")
            status = 0
            for _ in range(100):  # the server listens a moment after setWebhook
                try:
                    status = await tg.post_update(f"http://127.0.0.1:{port}/telegram/hook",
                                                  update)
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            assert status == 200
            await tg.wait_for_text(LEAD, "Hi, Dana!", timeout=15)
            code = await bot.terminate()
        output = (tmp_path / "webhook.log").read_text()
        assert code == 0, output
        entries = [json.loads(line) for line in output.splitlines()]
        turn = next(e for e in entries if e["message"].startswith("turn "))
        assert turn["logger"] == "bot.conversation.service" and turn["level"] == "INFO"
        assert isinstance(turn["lead_id"], int) and isinstance(turn["duration_ms"], float)
        assert not tg.calls("getUpdates")
        assert "Traceback" not in output
        assert SECRET not in output and TOKEN.split(":")[1] not in output


async def test_a_webhook_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with rig(tmp_path) as bot:
            bot.env |= webhook_env(port) | {"APP_ENV": "production"}
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=bot.env, cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == 2, (out + err).decode()
    assert out.decode().strip().splitlines()[-1] == (
        f"WEBHOOK_LISTEN: cannot listen on 127.0.0.1:{port} (Address already in use)")
    assert b"Traceback" not in out + err


async def test_a_webhook_telegram_refuses_is_one_line_and_exit_1(tmp_path: Path) -> None:
    async with rig(tmp_path) as bot:
        bot.env |= webhook_env(free_port()) | {"APP_ENV": "production"}
        bot.telegram.fail("setWebhook", 400, times=10,
                          description="Bad Request: bad webhook: Failed to resolve host")
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=bot.env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(child.communicate(), 60)
        attempts = len(bot.telegram.calls("setWebhook"))
    assert child.returncode == 1, (out + err).decode()
    assert out.decode().strip().splitlines()[-1] == (
        "TELEGRAM_WEBHOOK_URL: Telegram did not set the webhook: Bad webhook: failed to resolve "
        "host")
    assert b"Traceback" not in out + err
    assert attempts == 4  # the first try and three retries, then a clear stop
