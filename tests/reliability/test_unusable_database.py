"""A database the bot cannot use: one line naming ``DATABASE_PATH``, exit code 1, at once.

Each case is run as an operator would, ``python -m bot agents list`` and ``python -m bot run``
(with a token, against the fake Bot API), under a timeout: a connection whose PRAGMA failed and
was never closed keeps aiosqlite's worker thread alive, and the process never exits.

File modes do not stop root, so the cases that must fail for root too are made of things no
permission lets through: a file that is not SQLite, a folder where SQLite must put the
database's write-ahead log (what a folder without write permission does to it), a parent that
is a file. The mode cases (a 0444 file, a 0555 folder) run only as another user.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.harness import TOKEN
from tests.fakes.telegram import FakeTelegram
from tests.reliability.process import ROOT

AS_ROOT = os.geteuid() == 0


def _valid(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE t (a)")
        conn.commit()
    finally:
        conn.close()


def not_a_database(folder: Path) -> Path:
    path = folder / "bot.sqlite3"
    path.write_bytes(b"these are the notes of a meeting, not a database\n" * 20)
    return path


def log_cannot_be_written(folder: Path) -> Path:
    path = folder / "bot.sqlite3"
    _valid(path)
    (folder / "bot.sqlite3-wal").mkdir()
    return path


def parent_is_a_file(folder: Path) -> Path:
    (folder / "data").write_text("a file where the folder should be\n")
    return folder / "data" / "bot.sqlite3"


def read_only_file(folder: Path) -> Path:
    path = folder / "bot.sqlite3"
    _valid(path)
    path.chmod(0o444)
    return path


def read_only_folder(folder: Path) -> Path:
    path = folder / "db" / "bot.sqlite3"
    _valid(path)
    path.parent.chmod(0o555)
    return path


not_root = pytest.mark.skipif(AS_ROOT, reason="root ignores file modes")
CASES = [
    pytest.param(not_a_database, "file is not a database", id="not-a-database"),
    pytest.param(log_cannot_be_written, "must be writable", id="log-cannot-be-written"),
    pytest.param(parent_is_a_file, "is a file, not a folder", id="parent-is-a-file"),
    pytest.param(read_only_file, "must be writable", id="read-only-file", marks=not_root),
    pytest.param(read_only_folder, "must be writable", id="read-only-folder", marks=not_root),
]


async def _run(args: tuple[str, ...], env: dict[str, str], cwd: Path) -> tuple[int, str, float]:
    """Run ``python -m bot ARGS``; (exit code, stdout and stderr, seconds), killed after 20 s."""
    started = time.monotonic()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(child.communicate(), 20)
    except TimeoutError:
        child.kill()
        await child.wait()
        pytest.fail(f"`python -m bot {' '.join(args)}` hung on an unusable database")
    assert child.returncode is not None
    return child.returncode, out.decode(), time.monotonic() - started


@pytest.mark.parametrize(("make", "reason"), CASES)
@pytest.mark.parametrize("command", [("agents", "list"), ("run",)], ids=["agents-list", "run"])
async def test_an_unusable_database_is_one_line_and_exit_1_at_once(
        tmp_path: Path, make: Callable[[Path], Path], reason: str,
        command: tuple[str, ...]) -> None:
    database = make(tmp_path)
    keep = {k: v for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    async with FakeTelegram(token=TOKEN) as telegram:
        env = keep | {"PYTHONPATH": str(ROOT), "DATABASE_PATH": str(database),
                      "NO_PROXY": "127.0.0.1,localhost", "TELEGRAM_BOT_TOKEN": TOKEN,
                      "TELEGRAM_API_BASE_URL": f"{telegram.url}/bot"}
        code, output, seconds = await _run(command, env, tmp_path)
        polled = telegram.calls("getUpdates")
    assert code == 1, output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith(f"error: DATABASE_PATH: cannot use {database}: "), output
    assert reason in lines[0], output
    assert seconds < 10, f"took {seconds:.1f} s"
    assert not polled, "it must stop before polling Telegram"
