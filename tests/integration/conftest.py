"""Fixtures shared by the client tests."""

from __future__ import annotations

import pytest

from bot.observability.metrics import Metrics
from tests.fakes.clocks import RecordingSleep


@pytest.fixture
def sleep() -> RecordingSleep:
    """A sleep that records the delays asked for and returns at once."""
    return RecordingSleep()


@pytest.fixture
def metrics() -> Metrics:
    """A fresh metrics registry."""
    return Metrics()
