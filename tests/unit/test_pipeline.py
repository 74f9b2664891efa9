"""The pipeline's transitions: what each happening does to each status."""

from __future__ import annotations

import pytest

from bot.domain import LeadStatus as S
from bot.pipeline import Step, advance


@pytest.mark.parametrize(("current", "step", "expected"), [
    (S.NEW, Step.ENGAGED, S.ENGAGED),
    (S.ENGAGED, Step.QUALIFIED, S.QUALIFIED),
    (S.QUALIFIED, Step.ENGAGED, S.QUALIFIED),      # writing again does not unqualify
    (S.QUALIFIED, Step.BOOKED, S.BOOKED),
    (S.BOOKED, Step.ENGAGED, S.BOOKED),            # a booked lead who writes stays booked
    (S.BOOKED, Step.HELD, S.HELD),
    (S.BOOKED, Step.NO_SHOW, S.NO_SHOW),
    (S.NO_SHOW, Step.BOOKED, S.BOOKED),            # rebooked after a no-show
    (S.NO_SHOW, Step.ENGAGED, S.ENGAGED),
    (S.BOOKED, Step.CANCELLED, S.CANCELLED),
    (S.ENGAGED, Step.CANCELLED, S.ENGAGED),        # nothing booked, nothing to cancel
    (S.CANCELLED, Step.ENGAGED, S.ENGAGED),
    (S.ENGAGED, Step.LOST, S.LOST),
    (S.BOOKED, Step.LOST, S.BOOKED),               # a booked meeting is not lost
    (S.LOST, Step.ENGAGED, S.ENGAGED),
    (S.BOOKED, Step.OPTED_OUT, S.OPTED_OUT),
    (S.OPTED_OUT, Step.ENGAGED, S.OPTED_OUT),      # only opting in ends an opt-out
    (S.OPTED_OUT, Step.BOOKED, S.OPTED_OUT),
    (S.OPTED_OUT, Step.OPTED_IN, S.ENGAGED),
    (S.ENGAGED, Step.OPTED_IN, S.ENGAGED),
    (S.HELD, Step.NO_SHOW, S.NO_SHOW),             # marked late, within the hour after
])
def test_each_step_moves_a_lead_as_a_sales_team_expects(current: S, step: Step,
                                                        expected: S) -> None:
    assert advance(current, step) is expected


def test_every_step_leaves_every_status_somewhere_valid() -> None:
    for current in S:
        for step in Step:
            assert advance(current, step) in S

