"""`newsmon report`: the dashboards' panels drawn from a running Prometheus into one PNG, so
that the README can show what Grafana shows (and anyone can check a deployment without it)."""

from __future__ import annotations

import json
import math
import re
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agents.dashboards import DASHBOARDS
from agents.errors import NewsmonError

_LEGEND = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def query_range(prometheus: str, expr: str, start: float, end: float, step: int) -> list[dict]:
    params = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": step})
    try:
        with urllib.request.urlopen(f"{prometheus}/api/v1/query_range?{params}", timeout=30) as r:
            answer = json.loads(r.read())
    except OSError as exc:
        raise NewsmonError(f"cannot query Prometheus at {prometheus}: {exc}") from exc
    if answer.get("status") != "success":
        raise NewsmonError(f"Prometheus refused {expr!r}: {answer.get('error')}")
    result: list[dict] = answer["data"]["result"]
    return result


def legend_for(legend: str, labels: dict[str, Any]) -> str:
    """Grafana's "{{label}}" legend format, filled in."""
    return _LEGEND.sub(lambda m: str(labels.get(m.group(1), "")), legend)


def render(prometheus: str, out: Path, minutes: int = 30) -> int:
    """Draw every panel of both dashboards over the last ``minutes``; return the panel count."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    end = time.time()
    start = end - minutes * 60
    step = max(5, minutes * 60 // 240)
    window = f"{max(1, minutes // 6)}m"
    panels = [(title, panel) for _, title, dashboard in DASHBOARDS for panel in dashboard]
    columns = 3
    rows = math.ceil(len(panels) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(6 * columns, 3.2 * rows), squeeze=False)
    for slot, (board, (name, unit, targets)) in zip(axes.flat, panels, strict=False):
        for expr, legend in targets:
            expr = expr.replace("$__rate_interval", window).replace("$__range", window)
            for series in query_range(prometheus, expr, start, end, step):
                label = legend_for(legend, series["metric"])
                times = [datetime.fromtimestamp(float(t), UTC) for t, _ in series["values"]]
                values = [float(v) for _, v in series["values"]]
                slot.plot(times, values, label=label[:28])
        slot.set_title(f"{name}\n({board.removeprefix('newsmon: ')}, {unit})", fontsize=9)
        slot.tick_params(labelsize=7)
        if slot.lines:
            slot.legend(fontsize=6, loc="upper left")
        else:
            slot.text(0.5, 0.5, "no data", ha="center", va="center", transform=slot.transAxes)
    for slot in list(axes.flat)[len(panels) :]:
        slot.axis("off")
    stamp = datetime.fromtimestamp(end, UTC).strftime("%Y-%m-%d %H:%M UTC")
    figure.suptitle(f"newsmon dashboards, last {minutes} min to {stamp} ({prometheus})")
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=80)
    plt.close(figure)
    return len(panels)
