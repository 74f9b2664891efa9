"""PostgreSQL behind the same repositories as SQLite (``DATABASE_URL=postgresql://...``)."""

from storage.postgres.database import PostgresDatabase

__all__ = ["PostgresDatabase"]
