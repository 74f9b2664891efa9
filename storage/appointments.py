"""Appointments: the SQLite hold that makes double booking impossible, and their life cycle."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

from bot.domain import (
    CLEANUP,
    Appointment,
    AppointmentStatus,
    HoldRules,
    Interval,
    Move,
    ReminderKind,
)
from bot.errors import DayFull, SlotTaken, TooSoon
from storage.db import Database, from_db, opt_from_db, to_db

_ACTIVE = "('pending', 'booked')"
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ','now')"
MAX_LENGTH = timedelta(days=1)
"""No meeting is longer: overlap checks scan only appointments starting this close before."""
_REMINDED = {"24h": "reminded_24h_at", "1h": "reminded_1h_at", "10m": "reminded_10m_at"}
# An active appointment of the agent overlapping the slot (± buffer); the one a move replaces
# does not count. Parameters: agent, wide end, wide start - MAX_LENGTH, wide start, replaces.
_CLASH = (f"SELECT id FROM appointments WHERE agent_id = ? AND status IN {_ACTIVE} "
          "AND start_at < ? AND start_at > ? AND end_at > ? AND id IS NOT ? LIMIT 1")
# How many active appointments of the agent start within a day (ended ones count).
# Parameters: agent, day start, day end, replaces.
_DAY_COUNT = (f"SELECT count(*) FROM appointments WHERE agent_id = ? AND status IN {_ACTIVE} "
              "AND start_at >= ? AND start_at < ? AND id IS NOT ?")


def _appointment(row: sqlite3.Row) -> Appointment:
    return Appointment(
        id=row["id"], lead_id=row["lead_id"], agent_id=row["agent_id"],
        start=from_db(row["start_at"]), end=from_db(row["end_at"]),
        status=AppointmentStatus(row["status"]), topic=row["topic"],
        meeting_id=row["meeting_id"], join_url=row["join_url"],
        calendar_event_id=row["calendar_event_id"], failure_reason=row["failure_reason"],
        created_at=opt_from_db(row["created_at"]), updated_at=opt_from_db(row["updated_at"]),
        replaces=row["replaces"], invite_uid=row["invite_uid"],
        invite_sequence=row["invite_sequence"] or 0)


class AppointmentRepository:
    """Holds, books, cancels and finds appointments."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def hold(self, lead_id: int, agent_id: int, slot: Interval, *,
                   buffer: timedelta, topic: str | None = None, now: datetime | None = None,
                   rules: HoldRules | None = None, move: Move | None = None) -> Appointment:
        """Insert a ``pending`` appointment unless it overlaps an active one (± buffer), its
        local day already has ``rules.max_per_day`` meetings, or it starts before
        ``rules.not_before``; the meeting ``move`` replaces counts for none of these.

        The checks and the insert are one statement under ``BEGIN IMMEDIATE``: two leads racing
        for an agent's last slot of a day cannot both get it. Why a hold was refused is asked
        only when it was.
        """
        rules = rules or HoldRules()
        if rules.not_before is not None and slot.start < rules.not_before:
            raise TooSoon(f"{slot.start.isoformat()} is closer than the agent's notice")
        wide = slot.widened(buffer)
        replaces = move.replaces if move is not None else None
        clash = (agent_id, to_db(wide.end), to_db(wide.start - MAX_LENGTH), to_db(wide.start),
                 replaces)
        capped = rules.max_per_day is not None and rules.day is not None
        day = rules.day or slot
        count = (agent_id, to_db(day.start), to_db(day.end), replaces)
        # created_at from the bot's clock when given, so /stats totals use one time line.
        stamp = to_db(now) if now is not None else None
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "INSERT INTO appointments (lead_id, agent_id, start_at, end_at, status, topic, "
                "created_at, replaces, invite_uid, invite_sequence) "
                f"SELECT ?, ?, ?, ?, 'pending', ?, COALESCE(?, {_NOW}), ?, ?, ? "
                f"WHERE NOT EXISTS ({_CLASH}) AND (? = 0 OR ({_DAY_COUNT}) < ?) RETURNING *",
                (lead_id, agent_id, to_db(slot.start), to_db(slot.end), topic, stamp, replaces,
                 move.invite_uid if move else None, move.invite_sequence if move else 0,
                 *clash, int(capped), *count, rules.max_per_day or 0))
            if not rows:
                if await tx.fetchone(_CLASH, clash) is not None:
                    raise SlotTaken(f"agent {agent_id} is taken at {slot.start.isoformat()}")
                raise DayFull(f"agent {agent_id} has {rules.max_per_day} meetings that day")
        return _appointment(rows[0])

    async def get(self, appointment_id: int) -> Appointment | None:
        row = await self._db.fetchone("SELECT * FROM appointments WHERE id = ?",
                                      (appointment_id,))
        return _appointment(row) if row else None

    async def _set(self, appointment_id: int, where: str = "", **fields: Any) -> bool:
        sets = ", ".join(f"{k} = :{k}" for k in fields)
        _, changed = await self._db.execute(
            f"UPDATE appointments SET {sets}, updated_at = {_NOW} WHERE id = :id {where}",
            {**{k: getattr(v, "value", v) for k, v in fields.items()}, "id": appointment_id})
        return changed == 1

    async def set_meeting(self, appointment_id: int, meeting_id: str, join_url: str) -> None:
        """Record the video meeting as soon as it exists, so a crash can undo it."""
        await self._set(appointment_id, meeting_id=meeting_id, join_url=join_url)

    async def set_event(self, appointment_id: int, event_id: str) -> None:
        await self._set(appointment_id, calendar_event_id=event_id)

    async def mark_booked(self, appointment_id: int) -> bool:
        """pending -> booked; False if it was no longer pending (e.g. cancelled meanwhile).

        A move's old meeting is cancelled in the same transaction, noted ``CLEANUP`` until its
        video meeting and event are deleted: a crash can never leave both booked.
        """
        async with self._db.transaction() as tx:
            _, changed = await tx.execute(
                f"UPDATE appointments SET status = 'booked', updated_at = {_NOW} "
                "WHERE id = ? AND status = 'pending'", (appointment_id,))
            if changed == 1:
                await tx.execute(
                    f"UPDATE appointments SET status = 'cancelled', failure_reason = ?, "
                    f"updated_at = {_NOW} WHERE id = (SELECT replaces FROM appointments "
                    f"WHERE id = ?) AND status IN {_ACTIVE}", (CLEANUP, appointment_id))
        return changed == 1

    async def mark_failed(self, appointment_id: int, reason: str) -> None:
        await self._set(appointment_id, status=AppointmentStatus.FAILED, failure_reason=reason)

    async def note_failure(self, appointment_id: int, reason: str | None) -> None:
        """Record (or clear, with None) why an appointment needs attention."""
        await self._set(appointment_id, failure_reason=reason)

    async def with_failure(self, reason: str) -> list[Appointment]:
        rows = await self._db.fetchall(
            "SELECT * FROM appointments WHERE failure_reason = ? ORDER BY id", (reason,))
        return [_appointment(r) for r in rows]

    async def mark_cancelled(self, appointment_id: int) -> bool:
        """Active -> cancelled; False if it was not active."""
        return await self._set(appointment_id, f"AND status IN {_ACTIVE}",
                               status=AppointmentStatus.CANCELLED)

    async def mark_no_show(self, appointment_id: int) -> bool:
        """booked (or held) -> no_show; False if it was neither."""
        return await self._set(appointment_id, "AND status IN ('booked', 'held')",
                               status=AppointmentStatus.NO_SHOW)

    async def mark_held(self, ended_before: datetime) -> list[Appointment]:
        """Booked meetings that ended before ``ended_before`` -> held (idempotent: a second
        run finds none); returns those it changed."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM appointments WHERE status = 'booked' AND end_at < ?",
                (to_db(ended_before),))
            await tx.execute(
                f"UPDATE appointments SET status = 'held', updated_at = {_NOW} "
                "WHERE status = 'booked' AND end_at < ?", (to_db(ended_before),))
        return [_appointment(r) for r in rows]

    async def active_between(self, agent_ids: list[int], start: datetime,
                             end: datetime) -> list[Appointment]:
        """Active (pending or booked) appointments of these agents overlapping [start, end)."""
        if not agent_ids:
            return []
        marks = ", ".join("?" * len(agent_ids))
        rows = await self._db.fetchall(
            f"SELECT * FROM appointments WHERE agent_id IN ({marks}) AND status IN {_ACTIVE} "
            "AND start_at < ? AND start_at > ? AND end_at > ? ORDER BY start_at",
            (*agent_ids, to_db(end), to_db(start - MAX_LENGTH), to_db(start)))
        return [_appointment(r) for r in rows]

    async def for_lead(self, lead_id: int, agent_id: int | None = None,
                       status: AppointmentStatus | None = None) -> list[Appointment]:
        """A lead's appointments, newest start first (on idx_appointments_lead_agent_status)."""
        sql = "SELECT * FROM appointments WHERE lead_id = ?"
        params: list[int | str] = [lead_id]
        if agent_id is not None:
            sql += " AND agent_id = ?"
            params.append(agent_id)
            if status is not None:
                sql += " AND status = ?"
                params.append(status.value)
        elif status is not None:
            sql += " AND status = ?"
            params.append(status.value)
        # "+start_at": an index on start_at must not tempt the planner away from the lead's own
        # rows (it would walk every appointment of the agent or status to skip a tiny sort).
        rows = await self._db.fetchall(sql + " ORDER BY +start_at DESC", params)
        return [_appointment(r) for r in rows]

    async def upcoming_for_lead(self, lead_id: int, now: datetime) -> Appointment | None:
        """The lead's next booked meeting that has not ended."""
        rows = await self._db.fetchall(
            "SELECT * FROM appointments WHERE lead_id = ? AND status = 'booked' AND end_at > ? "
            "ORDER BY +start_at LIMIT 1", (lead_id, to_db(now)))  # "+": see for_lead
        return _appointment(rows[0]) if rows else None

    async def upcoming_for_agent(self, agent_id: int, now: datetime,
                                 limit: int = 10) -> list[Appointment]:
        rows = await self._db.fetchall(
            "SELECT * FROM appointments WHERE agent_id = ? AND status = 'booked' AND end_at > ? "
            "ORDER BY start_at LIMIT ?", (agent_id, to_db(now), limit))
        return [_appointment(r) for r in rows]

    async def by_status(self, status: AppointmentStatus) -> list[Appointment]:
        rows = await self._db.fetchall(
            "SELECT * FROM appointments WHERE status = ? ORDER BY start_at", (status.value,))
        return [_appointment(r) for r in rows]

    async def booked_after(self, moment: datetime) -> list[Appointment]:
        """Booked appointments starting after ``moment`` (reminders are built from these)."""
        rows = await self._db.fetchall(
            "SELECT * FROM appointments WHERE status = 'booked' AND start_at > ? "
            "ORDER BY start_at", (to_db(moment),))
        return [_appointment(r) for r in rows]

    async def reminder_sent(self, appointment_id: int, kind: ReminderKind) -> bool:
        """Claim a reminder: True once per appointment and kind, and only while booked."""
        column = _REMINDED[kind]
        _, changed = await self._db.execute(
            f"UPDATE appointments SET {column} = {_NOW} WHERE id = ? AND status = 'booked' "
            f"AND {column} IS NULL", (appointment_id,))
        return changed == 1

    async def outcomes_since(self, moment: datetime) -> dict[str, int]:
        """Count of appointments created since ``moment`` by status (for /stats totals)."""
        rows = await self._db.fetchall(
            "SELECT status, count(*) FROM appointments WHERE created_at >= ? GROUP BY status",
            (to_db(moment),))
        return {r[0]: int(r[1]) for r in rows}
