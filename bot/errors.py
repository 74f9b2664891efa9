"""The project's one error tree.

    BotError
    ├── ConfigError                 a bad setting; the message names the variable
    ├── StorageError                the database cannot be opened or written
    ├── IntegrationError            an outbound service failed (the vendor's message is kept)
    │   ├── Unavailable             down, timed out, 5xx, connection refused
    │   ├── AuthError               credentials refused (401/403)
    │   ├── RateLimited             429; ``retry_after`` seconds when the vendor said
    │   ├── AlreadyExists           409 (e.g. an event id that already exists)
    │   └── CalendarsUnreadable     free/busy answered, but not for some calendars
    │                               (``failed``: id -> reason; ``answered``: the others)
    └── DomainError                 the request is understood but cannot be done
        ├── SlotTaken               somebody else holds or booked the time
        │   └── DayFull             the agent's day already has its most meetings
        ├── TooSoon                 the time is closer than the agent's minimum notice
        ├── OfferExpired            a button that is stale, forged or not this lead's
        │                           (``reason``: an ``ExpiryReason``)
        ├── NotFound                no such agent, lead or appointment
        ├── BookingFailed           a step of the booking failed and was undone
        └── Refused                 (bot.team.access) a team control that cannot be done;
                                    str() is what the agent is told

Adapters wrap transport errors with ``raise ... from err`` so the core only sees these.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from bot.domain import Interval

T = TypeVar("T")


class BotError(Exception):
    """Root of every error the project raises on purpose."""


class ConfigError(BotError):
    """A configuration value is missing or wrong; str() is one line for the operator."""


class StorageError(BotError):
    """The database cannot be opened, read or written; str() is one line for the operator."""


class IntegrationError(BotError):
    """An outbound service failed."""

    def __init__(self, service: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.status = status


class Unavailable(IntegrationError):
    """The service is down, slow past its timeout, or answered 5xx."""


class AuthError(IntegrationError):
    """The service refused our credentials."""


class RateLimited(IntegrationError):
    """The service answered 429."""

    def __init__(
        self, service: str, message: str, *, status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(service, message, status=status)
        self.retry_after = retry_after


class AlreadyExists(IntegrationError):
    """The service answered 409: the thing already exists (not PTB's polling ``Conflict``)."""


class CalendarsUnreadable(IntegrationError):
    """A free/busy query answered, but some calendars in it could not be read (not found, not
    shared, a backend error). Callers that need every calendar treat it as any failure; the slot
    search keeps the calendars that answered and leaves the others' agents out."""

    def __init__(self, service: str, failed: Mapping[str, str],
                 answered: Mapping[str, list[Interval]]) -> None:
        reasons = "; ".join(f"{cal}: {why}" for cal, why in failed.items())
        super().__init__(service, f"freeBusy failed for {reasons}")
        self.failed = dict(failed)
        self.answered = dict(answered)


class DomainError(BotError):
    """The request is understood but cannot be done."""


class SlotTaken(DomainError):
    """The time is no longer free."""


class DayFull(SlotTaken):
    """The agent already has as many meetings that day as they take."""


class TooSoon(DomainError):
    """The time is closer than the agent's minimum notice."""


class ExpiryReason(StrEnum):
    """Why an offer can no longer be booked."""

    UNKNOWN = "unknown"
    """No such offer, or another lead's."""
    USED = "used"
    """This offer, or another of its batch, was tapped already."""
    EXPIRED = "expired"
    """Past its lifetime, retired by a newer batch, or its time has come."""
    AGENT_GONE = "agent gone"
    """The agent no longer takes bookings."""


class OfferExpired(DomainError):
    """An offer that is stale, unknown, used, or belongs to someone else; ``str()`` is the
    reason's value."""

    def __init__(self, reason: ExpiryReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class NotFound(DomainError):
    """No such record."""


class BookingFailed(DomainError):
    """A booking step failed; whatever had been created was undone."""


def require(found: T | None, what: str) -> T:
    """``found``, or ``NotFound`` naming ``what`` when a record that must exist is missing."""
    if found is None:
        raise NotFound(f"no such {what}")
    return found
