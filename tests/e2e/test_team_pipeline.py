"""The pipeline and an agent's own availability from Telegram, and who may do what, through
the real PTB application: /leads (grouped, paged), /lead, /hours, /away, and the access rules.

The agent works mon-fri 09:00-17:00 UTC; the clock stands on Monday 7 Dec 2026, 07:00 UTC.
"""

from __future__ import annotations

from pathlib import Path

from bot.domain import LeadStatus
from bot.scheduling.hours import HoursError, parse_hours
from tests.e2e.harness import ADMIN_ID, AGENT_ID, Bot, running_bot
from tests.e2e.team import LEAD, agent_says, book, lead_of, offer_buttons
from tests.fakes.telegram import Record
from tests.world import add_agent

OTHER_LEAD = 5402
REFUSED = "Sorry, that command is not available."


async def offers_for(bot: Bot, lead: int = LEAD) -> list[str]:
    tg = bot.telegram
    mark = tg.mark()
    tg.push_text(lead, "show me times")
    offers = await tg.wait_for(lambda r: r["chat_id"] == lead and bool(offer_buttons(r)),
                               after=mark)
    return [label for label, _ in offer_buttons(offers)]


async def says(bot: Bot, user: int, text: str) -> Record:
    tg = bot.telegram
    mark = tg.mark()
    tg.push_text(user, text)
    return await tg.wait_for(lambda r: r["chat_id"] == user, after=mark)


async def test_hours_change_the_offered_times_at_once(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        assert all(label.endswith(("09:00 (UTC)", "12:00 (UTC)")) for label in
                   await offers_for(bot))
        reply = await agent_says(bot, "/hours mon-fri 13:00-15:00")
        assert "mon-fri 13:00-15:00" in reply["text"]
        labels = await offers_for(bot)
        assert labels and all(label.split(", ")[1][:5] in ("13:00", "13:30", "14:00", "14:30")
                              for label in labels), labels
        assert (await bot.services.store.agents.get(bot.agent.id)).working_hours == \
            "mon-fri 13:00-15:00"  # type: ignore[union-attr]


async def test_bad_hours_get_the_command_lines_error_and_change_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        try:
            parse_hours("mon-fri 09:00-25:00")
        except HoursError as err:
            expected = str(err)
        reply = await agent_says(bot, "/hours mon-fri 09:00-25:00")
        assert expected in reply["text"] and "Usage: /hours" in reply["text"]
        assert (await agent_says(bot, "/hours"))["text"].startswith("Usage: /hours")
        agent = await bot.services.store.agents.get(bot.agent.id)
        assert agent is not None and agent.working_hours == "mon-fri 09:00-17:00"


async def test_away_blocks_the_days_and_off_clears_it(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        mark = tg.mark()
        tg.push_text(LEAD, "show me times")
        shown = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(offer_buttons(r)),
                                  after=mark)
        reply = await agent_says(bot, "/away 2026-12-07 2026-12-08")
        assert "away from Mon 07 Dec 2026 to Tue 08 Dec 2026" in reply["text"]
        # A Monday time offered before is not booked: the lead gets times after the days off.
        label, data = offer_buttons(shown)[0]
        assert label.startswith("Mon 7 Dec")
        mark = tg.mark()
        tg.push_callback(LEAD, data, message_id=shown["message_id"])
        fresh = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(offer_buttons(r)),
                                  after=mark)
        assert fresh["text"].startswith("Sorry, that time was just taken.")
        assert await bot.services.store.appointments.for_lead((await lead_of(bot)).id) == []
        labels = await offers_for(bot)
        assert labels and not any(label.startswith(("Mon 7 Dec", "Tue 8 Dec"))
                                  for label in labels), labels
        for bad, problem in (("/away 2026-12-08 2026-12-07", "comes before"),
                             ("/away 2026-13-01", "is not a date"),
                             ("/away 2025-01-01 2025-01-02", "over already"),
                             ("/away", "Usage: /away")):
            assert problem in (await agent_says(bot, bad))["text"]
        assert "no longer away" in (await agent_says(bot, "/away off"))["text"]
        assert (await offers_for(bot))[0].startswith("Mon 7 Dec")


async def test_leads_are_grouped_by_status_and_lead_shows_the_whole_picture(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await book(bot)
        await offers_for(bot, OTHER_LEAD)
        listing = (await agent_says(bot, "/leads"))["text"]
        engaged, booked = listing.index("Engaged (1)"), listing.index("Booked (1)")
        assert engaged < booked  # in the pipeline's order
        lead, other = await lead_of(bot), await lead_of(bot, OTHER_LEAD)
        assert f"#lead{lead.id}" in listing[booked:]
        assert f"#lead{other.id}" in listing[engaged:booked]
        detail = (await agent_says(bot, f"/lead {lead.id}"))["text"]
        assert detail.startswith(f"Ann (#lead{lead.id}): Booked")
        (appointment,) = await bot.services.store.appointments.for_lead(lead.id)
        assert f"meeting {appointment.id}: Mon 7 Dec, 09:00 (UTC), booked" in detail
        assert "Status history:" in detail and ": Booked" in detail
        assert "Lead: show me times" in detail and "Bot: Here are the next free times" in detail


async def test_leads_page_within_one_telegram_message(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        store = bot.services.store
        for n in range(150):
            lead = await store.leads.get_or_create(90_000 + n, 90_000 + n, f"Lead number {n:03}")
            await store.leads.update(lead.id, status=LeadStatus.ENGAGED,
                                     phone_number=f"+1212555{n:04}")
        first = (await agent_says(bot, "/leads"))["text"]
        assert first.startswith("Engaged (150)")
        total = int(first.rsplit("Page 1/", 1)[1].split(":")[0])
        assert total > 1 and first.endswith(f"Page 1/{total}: /leads 2 for more.")
        pages = [first] + [(await agent_says(bot, f"/leads {n}"))["text"]
                           for n in range(2, total + 1)]
        assert all(len(page) <= 4096 for page in pages)
        assert pages[-1].endswith(f"Page {total}/{total}")
        shown = [n for n in range(150) if any(f"Lead number {n:03}" in p for p in pages)]
        assert len(shown) == 150
        assert first.index("Lead number 149") < first.index("Lead number 148")  # newest first


async def test_a_lead_is_refused_every_agent_command_and_learns_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await book(bot)
        lead = await lead_of(bot)
        appointment = (await bot.services.store.appointments.for_lead(lead.id))[0]
        for command in (f"/takeover {lead.id}", "/handback", f"/noshow {appointment.id}",
                        "/leads", f"/lead {lead.id}", "/hours mon 09:00-10:00",
                        "/away 2026-12-24 2026-12-26"):
            assert (await says(bot, OTHER_LEAD, command))["text"] == REFUSED, command
        assert (await lead_of(bot)).taken_over_by is None
        agent = await bot.services.store.agents.get(bot.agent.id)
        assert agent is not None and agent.working_hours == "mon-fri 09:00-17:00"
        assert agent.away_from is None


async def test_an_agent_acts_on_their_own_leads_and_an_admin_on_all(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await book(bot)
        lead = await lead_of(bot)
        # Bob is an agent and an admin; Carol only an agent; the lead is Alice's.
        await add_agent(bot.services, name="Bob Admin", telegram_id=ADMIN_ID,
                        calendar_id="bob@example.com")
        await add_agent(bot.services, name="Carol Agent", telegram_id=4343,
                        calendar_id="carol@example.com")
        for command in (f"/lead {lead.id}", f"/takeover {lead.id}"):
            assert (await says(bot, 4343, command))["text"] == \
                "There is no lead with that number among yours."
        assert f"#lead{lead.id}" not in (await says(bot, 4343, "/leads"))["text"]
        assert f"#lead{lead.id}" in (await says(bot, ADMIN_ID, "/leads"))["text"]
        assert (await agent_says(bot, f"/takeover {lead.id}"))["text"].startswith("You are now")
        refused = await says(bot, ADMIN_ID, f"/takeover {lead.id}")
        assert refused["text"] == f"Ann (#lead{lead.id}) is already taken over by Alice Agent."
        assert (await lead_of(bot)).taken_over_by == bot.agent.id
        assert AGENT_ID != ADMIN_ID
