"""One worker, one large backlog: its drain rate and CPU per article, split by thread.

    .venv/bin/python bench/drain.py --shared ../shared --articles 5000 [--repeat 3]
    .venv/bin/python bench/drain.py --shared ../shared --py-spy spy.txt   # and a py-spy profile
    .venv/bin/python bench/drain.py --shared ../shared --per-language 1000  # new stories only

(py-spy is not a dependency: ``.venv/bin/pip install py-spy`` first.)

For comparing two versions of the worker, where bench/throughput.py's shorter drain (about
2,000 articles) is too noisy: the NLP thread's CPU per article alone varies by about 10% from run
to run on this machine. Threads: "event loop" is the main thread (Faust's agents, the producer,
the alert agent); the others are listed by thread id, busiest first: the NLP thread (the enrich
batches) is the busy one, Faust's consumer thread the next.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR.parent), str(BENCH_DIR)]

import e2e  # noqa: E402

from agents.core.detect import Detector  # noqa: E402
from agents.core.enrich import Enricher  # noqa: E402
from agents.core.kb import load_knowledge_base  # noqa: E402
from agents.core.ner import EnglishNER  # noqa: E402
from agents.core.rules import load_rules  # noqa: E402
from agents.evaluation import bench  # noqa: E402
from agents.harness import Cluster  # noqa: E402

RULES = BENCH_DIR / "rules.yaml"


def thread_seconds(pid: int) -> dict[int, float]:
    """CPU seconds so far of each thread of ``pid``, by thread id."""
    return {
        int(task.name): e2e.cpu_seconds_of(pid, int(task.name))
        for task in Path(f"/proc/{pid}/task").iterdir()
    }


def one_run(plan: e2e.Plan, count: int, spy: Path | None) -> str:
    cluster = Cluster.create(
        Path(tempfile.mkdtemp(prefix="newsmon-drain-")), partitions=4, NEWSMON_RULES=str(RULES)
    )
    try:
        cluster.start()
        cluster.add_worker()
        cluster.wait_shared(180.0)
        watch = e2e.Watch(cluster, cluster.topics.alerts, alerts=True)
        pid = cluster.workers[0].pid
        processes = e2e.Processes({"worker": pid})
        batch, expected = plan.batch("warm", len(plan.articles))
        e2e.drain(cluster, watch, batch, expected, processes, plan.timeout)
        time.sleep(5)
        batch, expected = plan.batch("drain", count)
        profiler = None
        if spy is not None:
            command = ["py-spy", "record", "--pid", str(pid), "--nonblocking", "--threads"]
            command += ["--gil", "--format", "raw", "-o", str(spy), "--duration", "25"]
            profiler = subprocess.Popen(command)
        before = thread_seconds(pid)
        drained = e2e.drain(cluster, watch, batch, expected, processes, plan.timeout)
        after = thread_seconds(pid)
        if profiler is not None:
            profiler.wait()
        watch.close()
        used = {tid: 1000 * (after[tid] - before.get(tid, 0.0)) / drained.count for tid in after}
        others = sorted((ms, tid) for tid, ms in used.items() if tid != pid and ms >= 0.01)
        threads = ", ".join(
            [f"event loop {used.get(pid, 0.0):.2f}"]
            + [f"thread {tid} {ms:.2f}" for ms, tid in reversed(others)]
        )
        worker_ms = 1000 * drained.cpu["worker"] / drained.count
        return (
            f"{drained.count} articles, {drained.per_second:.1f}/s, worker {worker_ms:.2f} "
            f"CPU ms/article ({threads})"
        )
    finally:
        cluster.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--articles", type=int, default=5000, help="backlog size")
    parser.add_argument(
        "--per-language",
        type=int,
        default=30,
        help="distinct articles per language (2,664 in all with 1000: more than a rule's cap of "
        "open stories, so that every match of the backlog is a new story at the cap)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--py-spy", type=Path, default=None, help="raw py-spy output (25 s)")
    args = parser.parse_args(argv)
    articles = bench.bench_articles(args.shared, args.per_language)
    kb = load_knowledge_base()
    detector = Detector(load_rules(RULES, kb))
    enricher = Enricher(kb, EnglishNER())  # as in the worker, so the expected alerts match
    alerting = {str(a["id"]) for a in bench.alerting_articles(enricher, detector, articles)}
    plan = e2e.Plan(articles, alerting, drain_seconds=0.0, paced_seconds=0.0)
    for run in range(args.repeat):
        print(f"run {run + 1}: {one_run(plan, args.articles, args.py_spy)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
