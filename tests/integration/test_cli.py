"""The real command line, run as a subprocess the way an operator runs it: ``python -m bot ...``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.scheduling.hours import DAY_NAMES

REPO = Path(__file__).resolve().parents[2]
_CONTRACT_PREFIXES = ("TELEGRAM_", "OPENAI_", "GOOGLE_", "ZOOM_")
_CONTRACT = {"ADMIN_TELEGRAM_IDS", "DATABASE_PATH", "DATABASE_URL", "MEETING_URL_TEMPLATE",
             "METRICS_PORT",
             "LOG_LEVEL", "APP_ENV", "DEFAULT_TIMEZONE", "AGENCY_NAME"}

# Loaded into the CLI process through PYTHONPATH: the conftest guard does not reach a child
# process, so the child gets its own, and fails at once if it tries to leave the machine.
_GUARD = '''
import ipaddress
import socket

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def _check(address):
    if isinstance(address, tuple) and address:
        try:
            ok = ipaddress.ip_address(address[0]).is_loopback
        except ValueError:
            ok = address[0] == "localhost"
        if not ok:
            raise RuntimeError(f"the CLI tried to reach the network: {address!r}")


def _guarded(self, address):
    _check(address)
    return _connect(self, address)


def _guarded_ex(self, address):
    _check(address)
    return _connect_ex(self, address)


socket.socket.connect, socket.socket.connect_ex = _guarded, _guarded_ex
'''


@dataclass
class Cli:
    """Runs ``python -m bot`` in a scratch directory with no credentials at all."""

    cwd: Path
    env: dict[str, str]

    def __call__(self, *args: str, stdin: str = "",
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args], cwd=self.cwd, env={**self.env, **(env or {})},
            input=stdin, capture_output=True, text=True, timeout=60, check=False)

    def json(self, *args: str) -> Any:
        done = self(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def add_agent(self, *args: str) -> int:
        done = self("agents", "add", *args)
        assert done.returncode == 0, done.stderr
        assert re.fullmatch(r"\d+\n", done.stdout), repr(done.stdout)
        assert done.stderr == ""
        return int(done.stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(_GUARD)
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in _CONTRACT and not k.startswith(_CONTRACT_PREFIXES)}
    env.update(PYTHONPATH=f"{guard}{os.pathsep}{REPO}", DATABASE_PATH="data/x.sqlite3",
               NO_PROXY="127.0.0.1,localhost", PYTHONDONTWRITEBYTECODE="1")
    return Cli(work, env)


def one_line(text: str) -> str:
    assert text.endswith("\n") and text.count("\n") == 1, f"not exactly one line: {text!r}"
    return text


# ----- agents ---------------------------------------------------------------------------------

EVERY_FLAG = ("--name", "Dana Agent", "--telegram-id", "987654321", "--calendar-id",
              "dana@example.com", "--timezone", "Asia/Kathmandu",
              "--hours", "Mon-Fri 9-12, 13:00-17:00; sat 10-14", "--slot-minutes", "45",
              "--buffer-minutes", "10", "--notice-minutes", "30", "--horizon-days", "21",
              "--max-per-day", "6", "--language", "es")


def test_agents_add_prints_the_new_id_alone_and_list_round_trips_every_field(cli: Cli) -> None:
    first = cli.add_agent(*EVERY_FLAG)
    second = cli.add_agent("--name", "Eli", "--telegram-id", "5", "--calendar-id", "eli@x.org",
                           "--timezone", "Europe/Berlin")
    assert first != second
    assert (cli.cwd / "data" / "x.sqlite3").exists()  # DATABASE_PATH is relative to the cwd

    assert cli.json("agents", "list") == [
        {"id": first, "name": "Dana Agent", "telegram_id": 987654321,
         "calendar_id": "dana@example.com", "timezone": "Asia/Kathmandu",
         "working_hours": "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00",
         "slot_minutes": 45, "buffer_minutes": 10, "notice_minutes": 30, "horizon_days": 21,
         "max_per_day": 6, "active": True, "console_only": False, "language": "es",
         "away_from": None, "away_until": None},
        {"id": second, "name": "Eli", "telegram_id": 5, "calendar_id": "eli@x.org",
         "timezone": "Europe/Berlin", "working_hours": "mon-fri 09:00-17:00",
         "slot_minutes": 30, "buffer_minutes": 0, "notice_minutes": 120, "horizon_days": 14,
         "max_per_day": None, "active": True, "console_only": False, "language": "en",
         "away_from": None, "away_until": None},
    ]
    plain = cli("agents", "list")
    assert plain.returncode == 0 and "Dana Agent" in plain.stdout and "Eli" in plain.stdout
    assert "language:es" in plain.stdout


AGENT = ("--name", "N", "--telegram-id", "7", "--calendar-id", "c@x.org")


@pytest.mark.parametrize(("args", "named"), [
    (("agents", "add", *AGENT, "--timezone", "Mars/Phobos"), ("--timezone", "Mars/Phobos")),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--hours", "moon 9-5"),
     ("--hours", "moon 9-5")),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--hours", "moon 09:00-17:00"),
     ("--hours", '"moon"')),
    (("agents", "add", "--name", "N", "--telegram-id", "@dana", "--calendar-id", "c",
      "--timezone", "UTC"), ("--telegram-id", "@dana")),
    (("agents", "add", "--telegram-id", "7", "--calendar-id", "c", "--timezone", "UTC"),
     ("--name",)),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--slot-minutes", "0"), ("--slot-minutes",)),
    (("frobnicate",), ("frobnicate",)),
    (("agents", "remove"), ("remove",)),
    (("slots", "--from", "2027-13-01"), ("--from", "2027-13-01")),
    (("slots", "--days", "many"), ("--days", "many")),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--language", "klingon"),
     ("--language", "klingon")),
])
def test_bad_arguments_give_one_line_naming_the_problem_and_exit_2(
    cli: Cli, args: tuple[str, ...], named: tuple[str, ...],
) -> None:
    done = cli(*args)
    assert done.returncode == 2, done
    assert done.stdout == ""
    line = one_line(done.stderr)
    for word in named:
        assert word in line, line
    assert not (cli.cwd / "data").exists()  # refused before anything was written


def test_a_second_agent_with_the_same_telegram_id_is_refused_in_one_line(cli: Cli) -> None:
    cli.add_agent(*AGENT, "--timezone", "UTC")
    done = cli("agents", "add", "--name", "Other", "--telegram-id", "7", "--calendar-id", "o",
               "--timezone", "UTC")
    assert done.returncode != 0 and done.stdout == ""
    assert re.search(r"\b7\b", one_line(done.stderr)) and "Traceback" not in done.stderr
    assert [a["name"] for a in cli.json("agents", "list")] == ["N"]


def test_a_bad_setting_stops_start_up_with_one_line_naming_the_variable(cli: Cli) -> None:
    done = cli("agents", "list", env={"DEFAULT_TIMEZONE": "Mars/Phobos"})
    assert done.returncode == 2 and "DEFAULT_TIMEZONE" in one_line(done.stderr)
    (cli.cwd / ".env").write_text("ADMIN_TELEGRAM_IDS=12,bob\n")
    done = cli("run")
    assert done.returncode == 2 and "ADMIN_TELEGRAM_IDS" in one_line(done.stderr)
    assert done.stdout == ""


@pytest.mark.parametrize("command", [(), ("run",), ("console",), ("doctor",), ("agents",),
                                     ("agents", "add"), ("agents", "list"), ("slots",)])
def test_every_command_has_help(cli: Cli, command: tuple[str, ...]) -> None:
    done = cli(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m bot" + "".join(f" {c}" for c in command))
    assert done.stderr == ""


# ----- slots ----------------------------------------------------------------------------------


def clock_change(zone: str, year: int) -> date:
    """The day of ``year`` on which ``zone`` moves its clock forward, found with zoneinfo."""
    tz = ZoneInfo(zone)
    day = date(year, 1, 1)
    while day.year == year:
        before = datetime.combine(day, time(), tz).utcoffset()
        after = datetime.combine(day + timedelta(days=1), time(), tz).utcoffset()
        assert before is not None and after is not None
        if after > before:
            return day
        day += timedelta(days=1)
    raise AssertionError(f"{zone} does not change its clock in {year}")


def whole_day_agent(cli: Cli, zone: str, day: date, slot_minutes: int) -> int:
    """An agent working all of ``day``'s weekday, no notice, with ``day`` inside the horizon."""
    return cli.add_agent(
        "--name", zone, "--telegram-id", "10", "--calendar-id", "c@x.org",
        "--timezone", zone, "--hours", f"{DAY_NAMES[day.weekday()]} 00:00-24:00",
        "--slot-minutes", str(slot_minutes), "--notice-minutes", "0",
        "--horizon-days", str((day - date.today()).days + 3))


def slots_of(cli: Cli, agent: int, day: date, days: int = 1) -> list[dict[str, str]]:
    found = cli.json("slots", "--agent", str(agent), "--from", day.isoformat(),
                     "--days", str(days))
    assert isinstance(found, list)
    for item in found:
        assert set(item) == {"agent_id", "start", "end"} and item["agent_id"] == agent
    return found


def check_slots(found: list[dict[str, str]], zone: str, day: date, minutes: int) -> None:
    """What every listing must satisfy, checked against zoneinfo rather than the engine."""
    tz = ZoneInfo(zone)
    length = timedelta(minutes=minutes)
    previous_end: datetime | None = None
    for item in found:
        start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
        # The printed offset is the zone's real offset at that instant.
        assert start.utcoffset() == start.astimezone(tz).utcoffset(), item
        assert end.utcoffset() == end.astimezone(tz).utcoffset(), item
        assert end - start == length, item  # real time, not wall time
        wall = start.astimezone(tz)
        assert wall.date() == day and (wall.hour * 60 + wall.minute) % minutes == 0, item
        assert wall.fold == 0, item  # a repeated hour is offered once, at its first showing
        assert previous_end is None or start >= previous_end, item
        previous_end = end


def real_hours(zone: str, day: date) -> float:
    tz = ZoneInfo(zone)
    midnight = datetime.combine(day, time(), tz)
    following = datetime.combine(day + timedelta(days=1), time(), tz)
    return (following.timestamp() - midnight.timestamp()) / 3600


def test_slots_on_new_yorks_spring_forward_day(cli: Cli) -> None:
    zone = "America/New_York"
    day = clock_change(zone, date.today().year + 1)
    assert real_hours(zone, day) == 23
    agent = whole_day_agent(cli, zone, day, 60)
    found = slots_of(cli, agent, day)
    check_slots(found, zone, day, 60)
    local = [item["start"][11:16] for item in found]
    assert not [t for t in local if t.startswith("02:")]  # 02:xx never shows on the clock
    assert found[0]["start"] == f"{day}T00:00:00-05:00"
    assert found[-1]["start"] == f"{day}T23:00:00-04:00"
    assert [item["start"][-6:] for item in found] == (
        ["-05:00"] * local.index("03:00") + ["-04:00"] * (len(found) - local.index("03:00")))
    # 23 real hours, 23 slots: 01:00-02:00 EST is a real hour inside the day's hours although
    # the wall clock jumps from 02:00 to 03:00 at its end (it ends at 03:00 EDT).
    assert local == ["00:00", "01:00", *(f"{h:02d}:00" for h in range(3, 24))]
    assert found[1]["end"] == f"{day}T03:00:00-04:00"
    assert len(found) == 23

    week_before = slots_of(cli, agent, day - timedelta(days=7))
    assert len(week_before) == 24  # an ordinary Sunday, for comparison


def test_slots_in_kathmandu_are_on_the_quarter_hour_offset(cli: Cli) -> None:
    zone = "Asia/Kathmandu"
    day = date.today() + timedelta(days=30)
    day += timedelta(days=(7 - day.weekday()) % 7)  # a Monday
    agent = cli.add_agent("--name", "K", "--telegram-id", "45", "--calendar-id", "k@x.org",
                          "--timezone", zone, "--hours", "mon-fri 09:00-17:00",
                          "--notice-minutes", "0", "--horizon-days", "60")
    found = slots_of(cli, agent, day)
    check_slots(found, zone, day, 30)
    assert found[0]["start"] == f"{day}T09:00:00+05:45"
    assert found[-1]["end"] == f"{day}T17:00:00+05:45"
    assert len(found) == 16 and all(item["start"].endswith("+05:45") for item in found)
    first = datetime.fromisoformat(found[0]["start"])
    assert (first.utcoffset(), first.astimezone(ZoneInfo("UTC")).strftime("%H:%M")) == (
        timedelta(hours=5, minutes=45), "03:15")


def test_slots_on_lord_howes_half_hour_spring_forward(cli: Cli) -> None:
    zone = "Australia/Lord_Howe"
    day = clock_change(zone, date.today().year + 1)
    assert real_hours(zone, day) == 23.5
    agent = whole_day_agent(cli, zone, day, 30)
    found = slots_of(cli, agent, day)
    check_slots(found, zone, day, 30)
    offsets = [item["start"][-6:] for item in found]
    switch = offsets.index("+11:00")
    assert set(offsets[:switch]) == {"+10:30"} and set(offsets[switch:]) == {"+11:00"}
    # 02:00 +10:30 became 02:30 +11:00; 01:30-02:00 +10:30 is a real half hour ending at
    # 02:30 +11:00, so it is offered; 02:00 and 02:15 never show.
    assert found[switch - 1]["start"] == f"{day}T01:30:00+10:30"
    assert found[switch - 1]["end"] == f"{day}T02:30:00+11:00"
    assert found[switch]["start"] == f"{day}T02:30:00+11:00"
    assert len(found) == 47


# ----- the console ----------------------------------------------------------------------------


def test_run_without_a_token_starts_the_console_chat(cli: Cli) -> None:
    done = cli("run", stdin="hi\n1\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "TELEGRAM_BOT_TOKEN is not set" in lines[0] and "console" in lines[0]
    assert "demo agent" in done.stdout
    assert re.search(r"^\s+\[1\] \S", done.stdout, re.MULTILINE), done.stdout  # a choice
    assert "Traceback" not in done.stderr
    assert (cli.cwd / "data" / "x.sqlite3").exists()


def test_console_books_a_meeting_with_a_join_link(cli: Cli) -> None:
    done = cli("console", stdin="/times\n1\n")
    assert done.returncode == 0, done.stderr
    assert "You're booked" in done.stdout, done.stdout
    link = re.search(r"Join link: (https://meet\.jit\.si/\S+)", done.stdout)
    assert link is not None, done.stdout
    when = re.search(r"You're booked with .+? on \w+ (\d{1,2} \w+ \d{4}), (\d\d:\d\d) \(UTC\)",
                     done.stdout)
    assert when is not None, done.stdout

    (agent,) = cli.json("agents", "list")
    assert "demo" in agent["name"] and agent["timezone"] == "UTC" and agent["active"]

    # The same database: the booked time is no longer free.
    booked = datetime.strptime(" ".join(when.groups()), "%d %B %Y %H:%M")
    free = slots_of(cli, agent["id"], booked.date())
    assert f"{booked.isoformat()}+00:00" not in [item["start"] for item in free]
    assert free, "the rest of that working day should still be free"


def test_the_console_lead_can_opt_out_and_be_forgotten(cli: Cli) -> None:
    done = cli("console", stdin="hi, I'm Maria\n/stop\nany times tomorrow?\nstart\n/forget\n")
    assert done.returncode == 0, done.stderr
    assert "won't send you any more messages" in done.stdout
    assert "keeping quiet" in done.stdout and "Welcome back" in done.stdout
    assert "deleted your name" in done.stdout and "Traceback" not in done.stderr
