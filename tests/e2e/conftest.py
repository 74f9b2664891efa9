"""Fixtures for end-to-end tests of the real PTB Application."""

from collections.abc import AsyncIterator

import pytest

from tests.fakes.telegram import FakeTelegram


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started fake Bot API server, closed after the test."""
    async with FakeTelegram() as fake:
        yield fake
