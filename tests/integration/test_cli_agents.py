"""``python -m bot agents ...`` and the numeric bounds, run as a subprocess as an operator would;
the whole matrix of bad arguments in process (``main(argv)``: the same parser, no start-up)."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from bot.cli import main
from tests.integration.test_cli import AGENT, Cli, cli, one_line

__all__ = ["cli"]  # the fixture, shared with test_cli

DANA = ("--name", "Dana", "--telegram-id", "501", "--calendar-id", "dana@example.com",
        "--timezone", "Europe/Berlin")


def agent_json(cli: Cli, agent_id: int) -> dict[str, object]:
    (found,) = [a for a in cli.json("agents", "list") if a["id"] == agent_id]
    assert isinstance(found, dict)
    return found


# ----- agents edit ----------------------------------------------------------------------------


def test_agents_edit_changes_what_is_given_and_keeps_the_rest(cli: Cli) -> None:
    dana = cli.add_agent(*DANA, "--max-per-day", "4")
    before = agent_json(cli, dana)
    done = cli("agents", "edit", str(dana), "--name", "Dana B", "--hours", "mon-thu 10-16",
               "--timezone", "America/Chicago", "--slot-minutes", "45", "--buffer-minutes",
               "15", "--notice-minutes", "0", "--horizon-days", "365", "--max-per-day", "100")
    assert done.returncode == 0, done.stderr
    assert "Dana B" in one_line(done.stdout) and done.stderr == ""
    assert agent_json(cli, dana) == before | {
        "name": "Dana B", "working_hours": "mon-thu 10:00-16:00", "timezone": "America/Chicago",
        "slot_minutes": 45, "buffer_minutes": 15, "notice_minutes": 0, "horizon_days": 365,
        "max_per_day": 100}

    assert cli("agents", "edit", str(dana), "--max-per-day", "none").returncode == 0
    assert cli("agents", "edit", str(dana), "--calendar-id", "db@example.com").returncode == 0
    after = agent_json(cli, dana)
    assert after["max_per_day"] is None and after["calendar_id"] == "db@example.com"
    assert after["slot_minutes"] == 45


@pytest.mark.parametrize(("option", "value"), [
    ("--horizon-days", "0"), ("--horizon-days", "366"), ("--horizon-days", "99999999"),
    ("--slot-minutes", "4"), ("--slot-minutes", "481"), ("--buffer-minutes", "241"),
    ("--buffer-minutes", "-1"), ("--notice-minutes", "43201"), ("--max-per-day", "0"),
    ("--max-per-day", "101"), ("--hours", "moon 9-5"), ("--timezone", "Mars/Phobos"),
    ("--name", " "), ("--calendar-id", ""), ("--slot-minutes", "٣٠"),
])
def test_agents_edit_validates_like_add(
    capsys: pytest.CaptureFixture[str], option: str, value: str,
) -> None:
    add = ["agents", "add", "--name", "N", "--telegram-id", "7", "--calendar-id", "c@x.org",
           "--timezone", "UTC"]
    for argv in (["agents", "edit", "1"], add):
        with pytest.raises(SystemExit) as stopped:
            main([*argv, f"{option}={value}"])
        assert stopped.value.code == 2, argv
        out, err = capsys.readouterr()
        assert out == "" and option in one_line(err), (argv, err)


def test_a_bad_edit_changes_nothing_and_is_one_line_from_the_shell(cli: Cli) -> None:
    dana = cli.add_agent(*DANA)
    before = agent_json(cli, dana)
    done = cli("agents", "edit", str(dana), "--hours", "mon 9-17", "--horizon-days", "99999999")
    assert done.returncode == 2 and done.stdout == ""
    assert "--horizon-days" in one_line(done.stderr) and "Traceback" not in done.stderr
    assert cli.json("agents", "list") == [before]


def test_agents_edit_needs_something_to_change(cli: Cli) -> None:
    dana = cli.add_agent(*DANA)
    done = cli("agents", "edit", str(dana))
    assert done.returncode == 2 and "nothing to change" in one_line(done.stderr)


def test_an_unknown_agent_id_is_one_line_and_exit_1(cli: Cli) -> None:
    for verb in ("edit", "activate", "deactivate", "remove"):
        done = cli("agents", verb, "99", *(("--name", "X") if verb == "edit" else ()))
        assert done.returncode == 1 and done.stdout == "", verb
        assert "no agent with id 99" in one_line(done.stderr)


@pytest.mark.parametrize("verb", ["edit", "activate", "deactivate", "remove"])
def test_an_agent_id_must_be_a_positive_number(
    capsys: pytest.CaptureFixture[str], verb: str,
) -> None:
    for bad in ("0", "-3", "x", "99999999999999999999"):
        with pytest.raises(SystemExit) as stopped:
            main(["agents", verb, bad])
        assert stopped.value.code == 2
        assert "ID" in one_line(capsys.readouterr().err), bad


# ----- activate, deactivate, remove -----------------------------------------------------------


def test_a_deactivated_agent_is_not_listed_in_slots_until_activated(cli: Cli) -> None:
    dana = cli.add_agent(*DANA, "--notice-minutes", "0")
    eli = cli.add_agent("--name", "Eli", "--telegram-id", "502", "--calendar-id", "e@x.org",
                        "--timezone", "UTC", "--notice-minutes", "0")
    monday = date.today() + timedelta(days=7 - date.today().weekday())

    def listed() -> set[object]:
        return {s["agent_id"] for s in cli.json("slots", "--from", monday.isoformat())}

    assert listed() == {dana, eli}
    done = cli("agents", "deactivate", str(dana))
    assert done.returncode == 0 and "inactive" in one_line(done.stdout)
    assert agent_json(cli, dana)["active"] is False
    assert "(inactive)" in cli("agents", "list").stdout
    assert listed() == {eli}
    done = cli("agents", "activate", str(dana))
    assert done.returncode == 0 and "active" in one_line(done.stdout)
    assert listed() == {dana, eli}


def test_remove_takes_an_agent_out_and_its_telegram_id_brings_it_back(cli: Cli) -> None:
    dana = cli.add_agent(*DANA)
    eli = cli.add_agent("--name", "Eli", "--telegram-id", "502", "--calendar-id", "e@x.org",
                        "--timezone", "UTC")
    done = cli("agents", "remove", str(dana))
    assert done.returncode == 0 and "removed" in one_line(done.stdout), done.stderr
    assert [a["id"] for a in cli.json("agents", "list")] == [eli]
    gone = cli("slots", "--agent", str(dana))
    assert gone.returncode == 1 and f"no agent with id {dana}" in one_line(gone.stderr)
    assert cli("agents", "remove", str(dana)).returncode == 1

    # The same Telegram account again is the same person: the old row (and history) returns.
    again = cli.add_agent("--name", "Dana C", "--telegram-id", "501", "--calendar-id",
                          "dc@example.com", "--timezone", "UTC")
    assert again == dana
    assert agent_json(cli, dana)["name"] == "Dana C"


def test_remove_is_refused_while_the_agent_has_an_upcoming_meeting(cli: Cli) -> None:
    booked = cli("console", stdin="/times\n1\n")
    assert "You're booked" in booked.stdout, booked.stdout
    (demo,) = cli.json("agents", "list")
    assert demo["console_only"] is True
    assert "(console only)" in cli("agents", "list").stdout

    done = cli("agents", "remove", str(demo["id"]))
    assert done.returncode == 1 and done.stdout == ""
    line = one_line(done.stderr)
    assert "1 upcoming meeting" in line and f"agents deactivate {demo['id']}" in line
    assert "Traceback" not in done.stderr
    assert cli.json("agents", "list") == [demo]

    # Deactivating is allowed: the booked meeting stays.
    assert cli("agents", "deactivate", str(demo["id"])).returncode == 0


# ----- numeric bounds (bot.scheduling.limits) ---------------------------------------------------


@pytest.mark.parametrize(("args", "named"), [
    (("agents", "add", *AGENT, "--timezone", "UTC", "--horizon-days", "99999999"),
     ("--horizon-days", "1-365")),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--horizon-days", "0"), ("--horizon-days",)),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--slot-minutes", "481"),
     ("--slot-minutes", "5-480")),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--slot-minutes", "4"), ("--slot-minutes",)),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--buffer-minutes", "241"),
     ("--buffer-minutes", "0-240")),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--notice-minutes", "43201"),
     ("--notice-minutes", "0-43200")),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--max-per-day", "101"),
     ("--max-per-day", "1-100")),
    (("agents", "add", *AGENT, "--timezone", "UTC", "--max-per-day", "0"), ("--max-per-day",)),
    (("agents", "add", "--name", "N", "--telegram-id", "99999999999999999999", "--calendar-id",
      "c", "--timezone", "UTC"), ("--telegram-id",)),
    (("agents", "add", "--name", "N", "--telegram-id", "-5", "--calendar-id", "c",
      "--timezone", "UTC"), ("--telegram-id",)),
    (("slots", "--days", "0"), ("--days", "1-366")),
    (("slots", "--days", "367"), ("--days",)),
    (("slots", "--agent", "0"), ("--agent",)),
    (("slots", "--agent", "99999999999999999999"), ("--agent",)),
    (("slots", "--from", "9999-12-30"), ("--from", "9999-12-30", "5 years")),
    (("slots", "--from", "0001-01-01"), ("--from", "0001-01-01")),
])
def test_every_numeric_argument_is_bounded_with_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], named: tuple[str, ...],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    line = one_line(err)
    for word in named:
        assert word in line, line


def test_the_reported_overflows_are_one_line_and_exit_2_from_the_shell(cli: Cli) -> None:
    for args in (("agents", "add", *AGENT, "--timezone", "UTC", "--horizon-days", "99999999"),
                 ("slots", "--from", "9999-12-30")):
        done = cli(*args)
        assert done.returncode == 2, done
        assert done.stdout == "" and "Traceback" not in done.stderr
        assert args[-2] in one_line(done.stderr)
    assert not (cli.cwd / "data").exists()  # refused before anything was written


def test_the_bounds_themselves_are_accepted(cli: Cli) -> None:
    cli.add_agent(*AGENT, "--timezone", "UTC", "--horizon-days", "365", "--slot-minutes", "480",
                  "--buffer-minutes", "240", "--notice-minutes", "43200", "--max-per-day", "100")
    low = cli.add_agent("--name", "L", "--telegram-id", "8", "--calendar-id", "l@x.org",
                        "--timezone", "UTC", "--horizon-days", "1", "--slot-minutes", "5",
                        "--buffer-minutes", "0", "--notice-minutes", "0", "--max-per-day", "1")
    far = (date.today() + timedelta(days=5 * 365)).isoformat()
    done = cli("slots", "--agent", str(low), "--from", far, "--days", "366")
    assert done.returncode == 0, done.stderr
    assert "no free slots" in done.stdout  # beyond the one-day horizon, and no crash


def test_slots_survive_an_agent_stored_out_of_range_by_an_older_version(cli: Cli) -> None:
    agent = cli.add_agent(*AGENT, "--timezone", "UTC", "--notice-minutes", "0")
    with sqlite3.connect(cli.cwd / "data" / "x.sqlite3") as conn:
        conn.execute("UPDATE agents SET horizon_days = 99999999, slot_minutes = 0, "
                     "buffer_minutes = -5 WHERE id = ?", (agent,))
    conn.close()
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    done = cli("slots", "--agent", str(agent), "--from", monday.isoformat(), "--json")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert '"start"' in done.stdout  # 5-minute slots, the nearest sane grid


# ----- MEETING_URL_TEMPLATE -------------------------------------------------------------------


@pytest.mark.parametrize("command", [("agents", "list"), ("doctor",), ("slots",), ("run",)])
def test_a_meeting_link_template_with_another_placeholder_stops_every_command(
    cli: Cli, command: tuple[str, ...],
) -> None:
    done = cli(*command, env={"MEETING_URL_TEMPLATE": "https://x/{room}/{name}"})
    assert done.returncode == 2 and done.stdout == ""
    line = one_line(done.stderr)
    assert "MEETING_URL_TEMPLATE" in line and "{name}" in line
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("verb", ["edit", "activate", "deactivate", "remove"])
def test_the_new_agent_commands_have_help(capsys: pytest.CaptureFixture[str], verb: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["agents", verb, "--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m bot agents {verb}") and "ID" in out
    if verb == "edit":
        assert "5-480 minutes" in out and "1-365 days" in out and "none: no cap" in out
