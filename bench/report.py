"""The one table: scenario, count, p50, p95, p99, floor/target, verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.options import TELEGRAM_LIMIT, Options

OVERHEAD_TARGET_MS = 20.0
FLOOR_RATIO_TARGET = 1.05
SPEEDUP_TARGET = 1.3
DB_TARGET_MS = 2.0
THROUGHPUT_TOLERANCE = 0.10
RSS_TARGET_MB = 200.0
HEADERS = ("scenario", "count", "p50", "p95", "p99", "floor / target", "verdict")


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table; ``verdict`` is ok, MISSED, or - where there is no target."""

    scenario: str
    count: str
    p50: str
    p95: str
    p99: str
    target: str
    verdict: str

    def cells(self) -> tuple[str, ...]:
        return (self.scenario, self.count, self.p50, self.p95, self.p99, self.target,
                self.verdict)


def _ms(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f} ms"


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("ok" if ok else "MISSED")


def _booking(result: dict[str, Any]) -> list[Row]:
    seq, ours = result["sequential_ms"], result["ours_ms"]
    floor, ratio = result["floor_ms"], result["ours_over_floor_p95"]
    speedup = result["ratio_p50"]
    failed = f" ({result['failed']} failed)" if result["failed"] else ""
    return [
        Row("1 booking, seed's sequential flow", f"{seq['count']}{failed}", _ms(seq["p50"], 0),
            _ms(seq["p95"], 0), _ms(seq["p99"], 0),
            f"fb+zoom+insert = {result['sequential_floor_ms']:.0f} ms", "-"),
        Row("1 booking, ours (fb || zoom)", str(ours["count"]), _ms(ours["p50"], 0),
            _ms(ours["p95"], 0), _ms(ours["p99"], 0),
            f"floor {floor:.0f} ms; p95/floor {_num(ratio, 3)} (<= {FLOOR_RATIO_TARGET})",
            _verdict(None if ratio is None else ratio <= FLOOR_RATIO_TARGET)),
        Row("1 booking speed-up, sequential/ours", str(min(seq["count"], ours["count"])),
            f"{_num(speedup, 2)}x", f"{_num(result['ratio_p95'], 2)}x", "",
            f">= {SPEEDUP_TARGET}x at p50",
            _verdict(None if speedup is None else speedup >= SPEEDUP_TARGET)),
    ]


def _num(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _response(result: dict[str, Any]) -> list[Row]:
    rows = []
    for level in sorted(result["levels"].values(), key=lambda r: r["leads"]):
        o, bare = level["overhead_ms"], level["overhead_without_rate_limit_wait_ms"]
        name = f"2 reply overhead, {level['leads']} lead{'s' if level['leads'] > 1 else ''}"
        lost = f" ({level['lost']} lost)" if level["lost"] else ""
        rows.append(Row(
            name, f"{o['count']}{lost}", _ms(o["p50"]), _ms(o["p95"]), _ms(o["p99"]),
            f"p95 <= {OVERHEAD_TARGET_MS:.0f} ms; w/o rate-limit wait p95 {_ms(bare['p95'])}",
            _verdict(None if o["p95"] is None else o["p95"] <= OVERHEAD_TARGET_MS)))
    return rows


def _history(result: dict[str, Any]) -> list[Row]:
    missing = result["without_latest_message"]
    return [Row("2 AI request ends with the lead's message", str(result["ai_requests"]),
                f"{missing} not", "", "", "every one (a stale read would miss it)",
                _verdict(missing == 0))]


def _db(result: dict[str, Any]) -> list[Row]:
    rows = []
    names = {"last_15_messages": "last 15 messages of a lead",
             "lead_by_phone_status": "lead by phone + status",
             "appointments_by_lead_agent_status": "appointments by lead/agent/status",
             "slot_hold": "slot hold (overlap, cap, notice + insert)"}
    size = result["rows"]
    for key, label in names.items():
        q = result["queries"][key]
        a, b = q["indexed_ms"], q["without_seed_indexes_ms"]
        rows.append(Row(f"3 DB {label}", str(a["count"]), _ms(a["p50"], 3), _ms(a["p95"], 3),
                        _ms(a["p99"], 3),
                        f"p95 <= {DB_TARGET_MS:.0f} ms ({size['messages']:,} msgs, "
                        f"{size['leads']:,} leads)",
                        _verdict(None if a["p95"] is None else a["p95"] <= DB_TARGET_MS)))
        rows.append(Row("  same, without the seed's 3 indexes", str(b["count"]),
                        _ms(b["p50"], 3), _ms(b["p95"], 3), _ms(b["p99"], 3),
                        f"{_num(q['slowdown_p50'], 1)}x slower at p50", "-"))
    return rows


def _throughput(result: dict[str, Any]) -> list[Row]:
    share = result["of_limit"]
    ok = None if share is None else abs(share - 1.0) <= THROUGHPUT_TOLERANCE
    rss = result["peak_rss_mb"]
    return [
        Row(f"4 throughput, {result['leads']} leads, AI busy", str(result["messages_answered"]),
            f"{result['answered_per_min']:.0f} answers/min", "", "",
            f"{result['telegram_calls_per_s']:.1f} Telegram calls/s = "
            f"{result['telegram_calls_per_min']:.0f}/min vs {TELEGRAM_LIMIT:.0f}/s "
            f"(within {THROUGHPUT_TOLERANCE:.0%})", _verdict(ok)),
        Row(f"4 answers a minute, {result['leads']} leads", str(result["messages_answered"]),
            f"{result['answered_per_min']:.0f}/min", "", "",
            f">= {ANSWERS_SHARE_TARGET:.0%} of Telegram's {TELEGRAM_LIMIT * 60:.0f} messages/min "
            f"(got {_num(result.get('answers_of_telegram_limit'), 3)}); "
            f"429s {result.get('refused_429', 'n/a')}, lost {result['lost']}",
            _verdict(None if result.get("answers_of_telegram_limit") is None
                     else result["answers_of_telegram_limit"] >= ANSWERS_SHARE_TARGET)),
        Row(f"4 CPU per message, {result['leads']} leads", str(result["messages_answered"]),
            _ms(result.get("cpu_ms_per_message"), 2), "", "",
            f"<= {CPU_TARGET_MS:g} ms (whole process: bot + fakes)",
            _verdict(None if result.get("cpu_ms_per_message") is None
                     else result["cpu_ms_per_message"] <= CPU_TARGET_MS)),
        Row("4 peak memory (RSS, whole process)", "", f"{rss:.0f} MB", "", "",
            f"< {RSS_TARGET_MB:.0f} MB", _verdict(rss < RSS_TARGET_MB)),
    ]


def _caches(result: dict[str, Any]) -> list[Row]:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"
    agent_n = result["agent_hits"] + result["agent_misses"]
    fb_n = result["freebusy_hits"] + result["freebusy_misses"]
    per_offer = result["freebusy_requests_per_offer"]
    return [
        Row("5 agent cache hit rate", str(agent_n), pct(result["agent_hit_rate"]), "", "",
            "TTL 5 min", "-"),
        Row("5 free/busy cache hit rate", str(fb_n), pct(result["freebusy_hit_rate"]), "", "",
            "TTL 60 s, per calendar", "-"),
        Row("5 free/busy requests per offer", str(result["offers_made"]),
            _num(per_offer, 2), "", "",
            f"{result['freebusy_requests']} requests / {result['offers_made']} offers", "-"),
    ]


BURST_SLACK_S = 0.2
BURST_RATIO = {60: 1.1}
"""p95 <= ratio x floor (+ slack for the 60-lead burst); other sizes 1.2 x floor."""
ANSWERS_SHARE_TARGET = 0.9
CPU_TARGET_MS = 6.0


def _burst(result: dict[str, Any]) -> list[Row]:
    out = []
    for size in sorted(result.values(), key=lambda r: r["leads"]):
        got, floor, leads = size["reply_s"], size["floor_s"], size["leads"]
        ratio = BURST_RATIO.get(leads, 1.2)
        slack = BURST_SLACK_S if leads in BURST_RATIO else 0.0
        bound = ratio * floor["p95"] + slack
        ok = size["lost"] == 0 and got["p95"] is not None and got["p95"] <= bound \
            and size["retried_429"] >= size["refused_429"]
        target = f"p95 <= {ratio}x floor" + (f" + {slack:g} s" if slack else "")
        out.append(Row(
            f"7 burst, {leads} leads at once, AI {size['ai_s']:g} s",
            f"{size['answered']}/{leads}", _s(got["p50"]), _s(got["p95"]), _s(got["p99"]),
            f"floor p95 {_s(floor['p95'])}; p95/floor {_num(size['p95_over_floor'], 2)} "
            f"({target}); 429s {size['refused_429']}, lost {size['lost']}", _verdict(ok)))
        cpu = size["cpu_ms_per_message"]
        out.append(Row(f"7 CPU per message, {leads}-lead burst", str(size["answered"]),
                       _ms(cpu, 2), "", "",
                       f"<= {CPU_TARGET_MS:g} ms (whole process: bot + fakes)",
                       _verdict(None if cpu is None else cpu <= CPU_TARGET_MS)))
    return out


def _s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def rows(results: dict[str, Any], options: Options) -> list[Row]:
    """The table's rows for whatever scenarios ran, in scenario order."""
    scenarios = results["scenarios"]
    out: list[Row] = []
    if "booking" in scenarios:
        out += _booking(scenarios["booking"])
    if "response" in scenarios:
        out += _response(scenarios["response"])
    if "ai_history" in scenarios:
        out += _history(scenarios["ai_history"])
    if "db" in scenarios:
        out += _db(scenarios["db"])
    if "burst" in scenarios:
        out += _burst(scenarios["burst"])
    if "throughput" in scenarios:
        out += _throughput(scenarios["throughput"])
    if "caches" in scenarios:
        out += _caches(scenarios["caches"])
    if "parse" in scenarios:
        out += _parse(scenarios["parse"])
    return out


PARSE_TARGET_MS = 0.2


def _parse(result: dict[str, Any]) -> list[Row]:
    p95 = result["p95"]
    return [Row(f"6 reading when, per message ({result['phrases']} phrases)",
                str(result["count"]), _ms(result["p50"], 3), _ms(p95, 3), _ms(result["p99"], 3),
                f"p95 < {PARSE_TARGET_MS} ms", _verdict(None if p95 is None
                                                        else p95 < PARSE_TARGET_MS))]


def table(lines: list[Row]) -> str:
    """A plain-text table, columns padded, one header rule."""
    cells = [HEADERS, *(r.cells() for r in lines)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    right = {1, 2, 3, 4}

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(HEADERS), rule, *(fmt(r) for r in cells[1:])])


def markdown(lines: list[Row]) -> str:
    """The same table in Markdown, for the README."""
    out = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    out += ["| " + " | ".join(c.strip().replace("|", "\\|") for c in r.cells()) + " |"
            for r in lines]
    return "\n".join(out)
