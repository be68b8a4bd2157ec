"""docs/benchmarks.md from the measurements of one bench/throughput.py run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from e2e import Run

from agents.evaluation import markdown
from agents.evaluation.bench import CoreSpeed, FoldCost, Profile, StageCosts

P99_TARGET_MS = 500.0
RESIDENT_TARGET_KIB = 1024 * 1024  # 1 GB (read as GiB) per worker
SHARE_TARGET = 0.85
NAIVE_TARGET = 4.0


@dataclass(frozen=True)
class Measurements:
    command: str
    machine: list[str]
    articles: str  # a paragraph on the article set
    words_per_article: float
    core: list[CoreSpeed]  # (a): [without NER, with NER]
    stages: StageCosts  # the worker's two stages in one thread, with NER
    profile: Profile
    folds: list[FoldCost]
    newsmon: list[Run]
    naive: list[Run]
    started: str
    minutes: float

    @property
    def ner_rate(self) -> float:
        return self.core[1].articles_per_second


def num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A pipe table, every column but the first right-aligned (the cells are formatted text)."""
    return markdown.table(headers, rows, right_after_first=True)


def mib(kib: float) -> str:
    return num(kib / 1024)


def core_table(m: Measurements) -> str:
    rows = [
        [
            c.label,
            num(c.articles),
            num(c.words),
            num(c.cold_seconds, 2),
            num(c.warm_seconds, 2),
            num(c.articles_per_second, 1),
            num(c.words_per_second),
        ]
        for c in m.core
    ]
    headers = ["(a) pure core, one process", "articles", "words", "cold CPU s", "warm CPU s"]
    return table([*headers, "articles/s (warm)", "words/s (warm)"], rows)


def cpu_ms(run: Run, name: str) -> float:
    """CPU milliseconds per drained article of a process ('worker': of all the workers)."""
    picked = [v for k, v in run.drain.cpu.items() if k == name or k.startswith(name + ":")]
    return 1000 * sum(picked) / run.drain.count if run.drain.count else 0.0


def throughput_table(m: Measurements) -> str:
    naive = {run.processes: run.drain.per_second for run in m.naive}
    rows = []
    for run in [*m.newsmon, *m.naive]:
        rate = run.drain.per_second
        ours = run in m.newsmon
        rows.append(
            [
                run.label,
                num(run.drain.count),
                num(run.drain.seconds, 1),
                num(rate, 1),
                num(rate * m.words_per_article),
                f"{rate / (m.ner_rate * run.processes):.0%}" if ours else "–",
                f"{rate / naive[run.processes]:.1f}x" if ours and naive.get(run.processes) else "–",
                num(cpu_ms(run, "worker"), 1),
                num(cpu_ms(run, "worker") * rate / 1000, 2),
                f"{1000 / m.ner_rate / cpu_ms(run, 'worker'):.0%}" if ours else "–",
                num(cpu_ms(run, "broker"), 1),
                ", ".join(mib(k) for k in run.peak_kib),
            ]
        )
    headers = ["(b), (c) through Kafka: backlog drained", "articles", "seconds", "articles/s"]
    headers += ["words/s", "of (a) with NER x processes", "x naive, same processes"]
    headers += ["worker CPU ms/article", "cores the worker(s) used", "(a) CPU / worker CPU"]
    headers += ["broker CPU ms/article", "peak RSS per process, MiB"]
    return table(headers, rows)


def latency_table(m: Measurements) -> str:
    rows = [
        [
            run.label,
            f"{p.load:.0%}",
            num(p.per_second, 1),
            num(p.count / p.sent_seconds, 1) if p.sent_seconds else "–",
            num(p.latency.count),
            num(p.missing),
            num(p.latency.p50),
            num(p.latency.p95),
            num(p.latency.p99),
            num(p.latency.max),
        ]
        for run in m.newsmon
        for p in run.paced
    ]
    headers = ["(b) ingest -> alert, fixed rate", "load", "rate/s", "sent/s", "alerts", "missing"]
    return table([*headers, "p50 ms", "p95 ms", "p99 ms", "max ms"], rows)


def time_table(m: Measurements) -> str:
    """Milliseconds of CPU per article: the pure core, the stages, then the processes."""
    plain, ner = (1000 * c.warm_seconds / c.articles for c in m.core)
    s = m.stages
    ms = s.per_article_ms
    stages = sum(s.seconds.values())
    rows = [
        ["language ID, tokenising, gazetteer matching, topics", num(plain, 2)],
        [
            "English statistical NER (spaCy tok2vec + ner, English articles only)",
            num(ner - plain, 2),
        ],
        ["= (a) with NER", num(ner, 2)],
        [
            "enrich stage: (a) + decode, schema check, rule evaluation, orjson "
            f"(of which schema {num(ms(s.schema['enrich']), 2)})",
            num(ms(s.seconds["enrich"]), 2),
        ],
        [
            f"alert stage (of which schema check of the match {num(ms(s.schema['alert']), 2)})",
            num(ms(s.seconds["alert"]), 2),
        ],
        ["= the two stages in one thread, no Kafka", num(ms(stages), 2)],
    ]
    for run in m.newsmon:
        worker = cpu_ms(run, "worker")
        rows += [
            [f"{run.label} during the drain: the worker process(es)", num(worker, 2)],
            [
                "  of which the event loop thread (Faust, aiokafka, sends, the alert agent)",
                num(cpu_ms(run, "loop"), 2),
            ],
            [
                "  of which other threads (the NLP batches, rule follower)",
                num(worker - cpu_ms(run, "loop"), 2),
            ],
            [
                "  worker minus the two stages in one thread (Faust, Kafka clients, table)",
                num(worker - ms(stages), 2),
            ],
            ["  the broker (JVM)", num(cpu_ms(run, "broker"), 2)],
            ["  this bench (producing, reading alerts)", num(cpu_ms(run, "bench"), 2)],
        ]
        idle = run.idle
        if idle:
            workers = sum(v for k, v in idle.items() if k.startswith("worker:"))
            rows.append(
                [
                    "  with no traffic (after the warm-up), cores used by: the worker(s) "
                    f"{workers:.3f}, the broker {idle.get('broker', 0):.3f}",
                    "",
                ]
            )
    return table(["where the CPU goes, per article", "CPU ms/article"], rows)


def profile_table(p: Profile) -> str:
    rows = [
        [label, num(1000 * s / p.articles, 2), f"{s / p.total_seconds:.0%}"] for label, s in p.parts
    ]
    rows.append(["both stages under cProfile", num(p.per_article_ms, 2), "100%"])
    return table(["cProfile of the two stages (cumulative)", "ms/article", "share"], rows)


def fold_table(folds: Sequence[FoldCost]) -> str:
    """The alert stage per match when the match is a copy of an open story (every match of the
    end-to-end runs above after their warm-up) and when it is a new story."""
    rows = [
        [f.label, num(f.matches), num(f.ms_per_match, 3), num(f.bytes_per_match)] for f in folds
    ]
    headers = ["the alert stage per match (in process)", "matches", "CPU ms", "table bytes"]
    return table(headers, rows) + (
        "\n\nThe matches are the bench rule's, under new article ids; for new stories their "
        "signatures are random. Table bytes: the values written, as JSON, which is what the "
        "changelog carries."
    )


def verdicts(m: Measurements) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each of issue 8's targets."""
    found: list[tuple[str, str, bool]] = []
    naive = {run.processes: run.drain.per_second for run in m.naive}
    for run in m.newsmon:
        n, rate = run.processes, run.drain.per_second
        share = rate / (m.ner_rate * n)
        found.append(
            (
                f"{run.label}: >= 85% of (a) with NER x {n}",
                f"{share:.0%} ({num(rate, 1)} of {num(m.ner_rate * n, 1)} articles/s)",
                share >= SHARE_TARGET,
            )
        )
        if naive.get(n):
            ratio = rate / naive[n]
            found.append(
                (f"{run.label}: >= 4x naive with {n}", f"{ratio:.1f}x", ratio >= NAIVE_TARGET)
            )
        for p in run.paced:
            if abs(p.load - 0.5) < 0.01:
                ok = p.latency.p99 <= P99_TARGET_MS and p.missing == 0
                found.append(
                    (
                        f"{run.label}: p99 ingest -> alert <= 500 ms at 50%",
                        f"{num(p.latency.p99)} ms",
                        ok,
                    )
                )
        peak = max(run.peak_kib, default=0)
        found.append(
            (
                f"{run.label}: <= 1 GB resident per worker",
                f"{mib(peak)} MiB peak",
                0 < peak <= RESIDENT_TARGET_KIB,
            )
        )
    return found


def render(m: Measurements, notes: Sequence[str] = ()) -> str:
    """The tables, then ``notes`` (hand-written paragraphs kept from the previous file)."""
    verdict_rows = [[t, v, "yes" if ok else "**no**"] for t, v, ok in verdicts(m)]
    parts = [
        "# Benchmarks: throughput, latency, memory",
        f"Measured {m.started}, one run of {m.minutes:.0f} minutes:\n\n```sh\n{m.command}\n```",
        "## Machine\n\n" + "\n".join(f"- {line}" for line in m.machine),
        "## Articles\n\n" + m.articles,
        "## Results\n\n" + core_table(m),
        throughput_table(m),
        latency_table(m),
        "## Targets (issue 8)\n\n" + table(["target", "measured", "met"], verdict_rows),
        "## Where the time goes\n\n" + time_table(m),
        profile_table(m.profile),
        fold_table(m.folds),
        *notes,
    ]
    return "\n\n".join(parts) + "\n"
