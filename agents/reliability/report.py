"""docs/reliability.md: one ledger row per scenario, and the soak's lag and memory over time."""

from __future__ import annotations

from collections.abc import Sequence

from agents.evaluation.markdown import table
from agents.reliability.ledger import Row
from agents.reliability.scenarios import SoakResult

COLUMNS = [
    "scenario",
    "sent",
    "enriched",
    "dead letters",
    "alerts",
    "duplicates",
    "lost",
    "doubled",
]


def rows_table(rows: Sequence[Row]) -> str:
    return table(
        COLUMNS,
        [
            [
                r.scenario,
                r.sent,
                r.enriched,
                r.dead_letters,
                r.alerts,
                r.duplicates,
                r.lost,
                r.doubled,
            ]
            for r in rows
        ],
    )


def soak_section(result: SoakResult) -> str:
    samples = result.samples
    if not samples:
        return "No soak samples were taken.\n"
    lags = [lag for _, lag, _ in samples]
    memory = [kib / 1024 for _, _, kib in samples]
    half = len(samples) // 2
    per_minute = [s for s in samples if int(s[0]) % 60 < 5]
    lines = [
        f"Maximum drain rate of one worker, measured on a backlog just before: "
        f"**{result.max_rate:.1f} articles/s**; soak rate {result.rate:.1f}/s.",
        "",
        f"- consumer lag on the raw topic: max {max(lags):.0f}, mean {sum(lags) / len(lags):.1f}, "
        f"last {lags[-1]:.0f} records",
        f"- worker resident memory: first {memory[0]:.0f} MiB, max {max(memory):.0f} MiB, "
        f"last {memory[-1]:.0f} MiB; mean of the second half "
        f"{sum(memory[half:]) / max(1, len(memory) - half):.0f} MiB vs the first half "
        f"{sum(memory[:half]) / max(1, half):.0f} MiB",
        "",
        table(
            ["elapsed (s)", "raw lag (records)", "resident (MiB)"],
            [[f"{t:.0f}", f"{lag:.0f}", f"{kib / 1024:.0f}"] for t, lag, kib in per_minute],
        ),
    ]
    return "\n".join(lines) + "\n"


def notes_list(rows: Sequence[Row]) -> str:
    return "".join(f"- **{r.scenario}**: {'; '.join(r.notes)}\n" for r in rows if r.notes)
