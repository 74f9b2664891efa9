"""``python -m bench [--quick] [--ai S] [--freebusy S] [--zoom S] [--insert S] [--out PATH]``."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

from bench.options import Options, parse
from bench.runner import render, run


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write the JSON; 0 even when a target is missed."""
    args = sys.argv[1:] if argv is None else argv
    options = parse(args)
    # Everything stays on 127.0.0.1: no proxy may capture the loopback fakes' traffic.
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    results = (_profiled(options, args, options.profile) if options.profile
               else asyncio.run(run(options, args)))
    print(render(results, options))
    return 0


def _profiled(options: Options, args: list[str], profile: Path) -> dict[str, Any]:
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("--profile needs pyinstrument: .venv/bin/pip install pyinstrument"
                         ) from None
    profiler = Profiler(async_mode="enabled", interval=0.0005)
    profiler.start()
    try:
        results = asyncio.run(run(options, args))
    finally:
        profiler.stop()
        profile.write_text(profiler.output_text(unicode=True, show_all=False))
    return results


if __name__ == "__main__":
    raise SystemExit(main())
