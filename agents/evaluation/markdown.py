"""Markdown pieces for evaluation reports: tables and number formats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from agents.evaluation.metrics import Counts

NOT_DEFINED = "–"  # a ratio with a zero denominator: shown as undefined, never as 0


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], right_after_first: bool = False
) -> str:
    """A pipe table; numbers are right-aligned so columns compare at a glance (every column
    but the first with ``right_after_first``, for cells already formatted as text)."""
    numeric = [
        (right_after_first and i > 0)
        or (all(_is_number(row[i]) for row in rows) if rows else False)
        for i in range(len(headers))
    ]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if right else "---" for right in numeric) + "|",
    ]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def cell(value: object) -> str:
    if value is None:
        return NOT_DEFINED
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def prf(counts: Counts) -> list[object]:
    """The P, R, F1 cells of one row."""
    return [counts.precision, counts.recall, counts.f1]


def top_counts(counter: Counter[str], n: int = 4) -> str:
    """``US 3, GB 2``: the most frequent codes of an error list."""
    return ", ".join(f"{code} {count}" for code, count in counter.most_common(n)) or NOT_DEFINED


def rate(amount: float, seconds: float) -> float | None:
    return amount / seconds if seconds > 0 else None


def _is_number(value: object) -> bool:
    return value is None or isinstance(value, int | float)
