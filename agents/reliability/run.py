"""``newsmon scenarios``: run the reliability scenarios and write docs/reliability.md."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from agents.errors import NewsmonError
from agents.reliability import NAMES

if TYPE_CHECKING:
    from agents.reliability.ledger import Row
    from agents.reliability.scenarios import SoakResult
from agents.settings import REPO_ROOT

COMMAND = "newsmon scenarios --shared ../shared --out docs/reliability.md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", help=f"some of {', '.join(NAMES)} (default: all)")
    parser.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared")
    parser.add_argument("--articles", type=int, default=200, help="news documents per scenario")
    parser.add_argument("--soak-minutes", type=float, default=10.0, help="0 skips the soak")
    parser.add_argument("--soak-load", type=float, default=0.8, help="share of the max rate")
    parser.add_argument("--out", type=Path, default=None, help="Markdown report")


def run(args: argparse.Namespace) -> int:
    from agents.reliability.scenarios import SCENARIOS, Options, soak

    unknown = [name for name in args.names if name not in NAMES]
    if unknown:
        raise NewsmonError(f"unknown scenario {', '.join(unknown)}; known: {', '.join(NAMES)}")
    started = time.monotonic()
    rows: list[Row] = []
    soaked: SoakResult | None = None
    with tempfile.TemporaryDirectory(prefix="newsmon-scenarios-") as scratch:
        options = Options(args.shared, Path(scratch), articles=args.articles)
        for name in args.names or NAMES:
            print(f"scenario {name} ...", flush=True)
            rows.append(SCENARIOS[name](options))
            print(rows[-1], flush=True)
        if args.soak_minutes > 0:
            print(f"soak {args.soak_minutes:g} min ...", flush=True)
            soaked = soak(options, args.soak_minutes, args.soak_load)
            rows.append(soaked.row)
    text = report(rows, soaked, (time.monotonic() - started) / 60)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0 if all(row.lost == 0 and row.doubled == 0 for row in rows) else 1


def report(rows: list[Row], soaked: SoakResult | None, minutes: float) -> str:
    from agents.reliability.report import notes_list, rows_table, soak_section

    parts = [
        "# Reliability scenarios on the real broker\n",
        f"Regenerate with `{COMMAND}` ({minutes:.0f} min on this machine, 2 cores). Each "
        "scenario starts its own Kafka broker and real `newsmon worker` processes "
        "(agents/harness.py), sends real news from the WMT test sets (plus the founding Hindi "
        "sample) with syndicated copies of every fifth story, breaks something mid-stream, and "
        "then accounts for every message (agents/reliability/ledger.py).\n",
        "- **enriched**: distinct articles on the enriched topic; **dead letters**: distinct "
        "source offsets on the dead-letter topic. Every sent message must be one or the other.",
        "- **alerts**: distinct alert ids. The expected (rule, story) pairs come from the batch "
        "path (same rules and folding code, one process) over the articles the cluster "
        "enriched; **lost** counts messages in neither topic plus expected story alerts that "
        "never came; **doubled** counts stories alerted under more than one alert id.",
        "- **duplicates**: extra records of an id already delivered. Delivery is at-least-once: "
        "a crash replays the batch in flight, and alert ids are deterministic so a sink can drop "
        "the replay.\n",
        "- When a record arrives past the offset it expected, the worker reads the skipped "
        "records from the broker itself and processes them first (agents/core/offsets.py, "
        "agents/kafka/gaps.py); `news_offsets_skipped_total` counts them. Without a guard the "
        "hung-agent scenario lost two records in one of five development runs; seeking Faust's "
        "consumer back, the first guard, still lost two in one run.\n",
        rows_table(rows),
        "\n## Notes per scenario\n",
        notes_list(rows),
    ]
    if soaked is not None:
        parts += ["\n## Soak: lag and memory over time\n", soak_section(soaked)]
    return "\n".join(parts)
