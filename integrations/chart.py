"""/stats chart: a PNG of the latency percentiles over the last hour, drawn by matplotlib.

The composition root hands ``latency_chart`` to the handlers through ``Services.chart``; run it in
a thread (plotting takes tens of milliseconds). matplotlib is imported on the first chart, not at
start-up: it costs about 40 MB of memory that most processes never need.
"""

from __future__ import annotations

import io

from bot.observability.metrics import Metrics

SERIES = (("response", "Response"), ("booking", "Booking"), ("ai", "AI"), ("db", "DB query"))


def latency_chart(metrics: Metrics) -> bytes:
    """p50 and p95 per minute of the main latencies, last hour, as PNG bytes."""
    import matplotlib  # heavy and rarely used: loaded on demand (see the module docstring)

    matplotlib.use("Agg")  # no screen on a server
    import matplotlib.pyplot as plt

    now = metrics.uptime + metrics.started
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=100)
    try:
        plotted = False
        for name, label in SERIES:
            points = metrics.series(name)
            if not points:
                continue
            minutes = [(t - now) / 60 for t, _ in points]
            line = axes.plot(minutes, [s.p95 * 1000 for _, s in points], marker="o",
                             label=f"{label} p95")[0]
            axes.plot(minutes, [s.p50 * 1000 for _, s in points], linestyle="--",
                      color=line.get_color(), label=f"{label} p50")
            plotted = True
        axes.set_title("Latency over the last hour")
        axes.set_xlabel("minutes ago")
        axes.set_ylabel("milliseconds")
        axes.set_xlim(-60, 0)
        if plotted:
            axes.set_yscale("log")
            axes.legend(fontsize="small", ncol=2)
        else:
            axes.text(0.5, 0.5, "no traffic yet", ha="center", va="center",
                      transform=axes.transAxes)
        axes.grid(True, which="both", alpha=0.3)
        buffer = io.BytesIO()
        figure.tight_layout()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
