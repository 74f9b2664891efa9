"""/stats after real traffic: every figure measured, percentiles in order, admins only."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.harness import ADMIN_ID, running_bot
from tests.e2e.test_lead_journey import buttons

FIGURES = ("Response", "Booking", "DB query", "AI", "Free/busy", "Zoom create", "Event insert")
_ROW = re.compile(r"^ all: ([\d.]+)(ms|s)/([\d.]+)(ms|s)/([\d.]+)(ms|s) avg [\d.]+m?s \((\d+)\)")


def _seconds(value: str, unit: str) -> float:
    return float(value) / (1000 if unit == "ms" else 1)


async def test_stats_shows_every_figure_after_real_traffic(tmp_path: Path) -> None:
    async with running_bot(tmp_path, with_openai=True) as bot:
        assert bot.openai is not None
        tg = bot.telegram
        for lead in (9001, 9002):
            bot.openai.script("Here you go.", tool_calls=[("find_slots", {"day": "tomorrow"})])
            tg.push_text(lead, "any time tomorrow?")
            offers = await tg.wait_for(lambda r, c=lead: r["chat_id"] == c and bool(buttons(r)))
            tg.push_callback(lead, buttons(offers)[lead - 9001][1],
                             message_id=offers["message_id"])
            await tg.wait_for(lambda r, c=lead: r["chat_id"] == c
                              and r["method"] == "sendDocument")
        tg.push_command(9001, "/stats")
        refusal = await tg.wait_for_text(9001, "not available")
        assert "Response" not in refusal["text"]

        tg.push_command(ADMIN_ID, "/stats")
        report = (await tg.wait_for_text(ADMIN_ID, "Throughput"))["text"]
        assert len(report) < 4096
        lines = report.splitlines()
        for figure in FIGURES:
            header = next(i for i, line in enumerate(lines) if line.startswith(figure + " ")
                          or line == figure)
            row = next(line for line in lines[header + 1:header + 4] if line.startswith(" all"))
            match = _ROW.match(row)
            assert match, row
            p50, p95, p99 = (_seconds(match[i], match[i + 1]) for i in (1, 3, 5))
            assert 0 < p50 <= p95 <= p99, (figure, row)
            assert int(match[7]) > 0
        assert "Bookings 24h: booked 2" in report
        assert re.search(r"Throughput: [\d.]+ msg/min \(5m\), [1-9]\d* since start", report)
        assert "Cache freebusy:" in report and "Cache agent:" in report
        assert "Zoom quota today: 2/100" in report
