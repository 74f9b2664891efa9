"""The repositories over one database, opened and closed together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock
from bot.observability.metrics import Metrics
from storage.agents import AgentRepository
from storage.answers import AnswerRepository
from storage.appointments import AppointmentRepository
from storage.db import Database
from storage.funnel import FunnelRepository
from storage.jobs import JobRepository
from storage.leads import LeadRepository
from storage.leases import LeaseRepository
from storage.messages import MessageRepository
from storage.offers import OfferRepository
from storage.outbox import OutboxRepository
from storage.postgres import PostgresDatabase
from storage.postgres.database import where
from storage.privacy import PrivacyRepository
from storage.sql import SqlDatabase
from storage.updates import UpdateRepository


@dataclass(frozen=True, slots=True)
class Store:
    """One repository per aggregate, sharing a ``Database``."""

    db: SqlDatabase
    agents: AgentRepository
    leads: LeadRepository
    messages: MessageRepository
    appointments: AppointmentRepository
    offers: OfferRepository
    updates: UpdateRepository
    jobs: JobRepository
    outbox: OutboxRepository
    privacy: PrivacyRepository
    funnel: FunnelRepository
    answers: AnswerRepository
    leases: LeaseRepository

    @classmethod
    async def open(cls, path: Path | str, metrics: Metrics, clock: Clock) -> Store:
        """Open (creating and migrating if needed) the database at ``path``: a SQLite file, or
        PostgreSQL when ``path`` is a ``postgresql://`` URL."""
        db: SqlDatabase
        if is_postgres_url(path):
            db = PostgresDatabase(str(path), metrics)
        else:
            db = Database(path, metrics)
        await db.open()
        return cls(db, AgentRepository(db), LeadRepository(db), MessageRepository(db, clock),
                   AppointmentRepository(db), OfferRepository(db), UpdateRepository(db, clock),
                   JobRepository(db), OutboxRepository(db), PrivacyRepository(db),
                   FunnelRepository(db), AnswerRepository(db), LeaseRepository(db))

    async def close(self) -> None:
        await self.db.close()


def is_postgres_url(location: Path | str) -> bool:
    """Whether ``location`` names a PostgreSQL server rather than a SQLite file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def describe(location: Path | str) -> str:
    """The database for an operator's eyes: the file, or the server without credentials."""
    return where(str(location)) if is_postgres_url(location) else str(location)
