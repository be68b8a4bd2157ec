"""End to end on a throwaway cluster (agents.harness): a real broker, real worker processes.

Rates and latencies come from Kafka record timestamps (CreateTime, set by the producer: the
bench's producer for raw articles, the worker's for alerts and the naive app's for its output),
all on this machine's clock, so polling delays of the bench itself do not count.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaConsumer, TopicPartition

from agents.evaluation.bench import Latency, alerted_article, latencies_ms, messages, rate
from agents.harness import Cluster, free_port, resident_kib
from agents.kafka.admin import ensure_topics

Messages = list[tuple[str, bytes, bytes]]  # (article id, key, value)
BENCH_DIR = Path(__file__).resolve().parent


def cpu_seconds_of(pid: int, thread: int | None = None) -> float:
    """User + system CPU seconds a process (or one of its threads) has used so far (Linux)."""
    stat = Path(f"/proc/{pid}/stat") if thread is None else Path(f"/proc/{pid}/task/{thread}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def send(cluster: Cluster, topic: str, batch: Messages, per_second: float = 0.0) -> dict[str, int]:
    """Produce ``batch`` (all at once, or paced at ``per_second``); the CreateTime in ms of each
    article id, as the broker stored it."""
    producer = cluster.producer()
    futures = []
    started = time.monotonic()
    try:
        for n, (article_id, key, value) in enumerate(batch):
            if per_second > 0:
                delay = started + n / per_second - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            futures.append((article_id, producer.send(topic, key=key, value=value)))
        producer.flush()
        return {article_id: future.get(timeout=120).timestamp for article_id, future in futures}
    finally:
        producer.close()


class Watch:
    """Reads an output topic from its start, keeping the first record timestamp per article
    id (alerts: the story's latest article; the naive output: its ``id``)."""

    def __init__(self, cluster: Cluster, topic: str, alerts: bool) -> None:
        self.consumer: KafkaConsumer = cluster.reader(topic)
        self.alerts = alerts
        self.seen: dict[str, int] = {}
        self.records = 0

    def wait_for(self, ids: Sequence[str], timeout: float) -> dict[str, int]:
        """Until every one of ``ids`` has a record (or ``timeout``); their timestamps."""
        missing = set(ids) - set(self.seen)
        deadline = time.monotonic() + timeout
        while missing and time.monotonic() < deadline:
            for records in self.consumer.poll(timeout_ms=500).values():
                for record in records:
                    self._take(record.value, record.timestamp)
            missing -= set(self.seen)
        return {i: self.seen[i] for i in ids if i in self.seen}

    def end(self) -> int:
        """Records on the topic now (the sum of its partitions' end offsets): a metadata
        request, not a read, so waiting on it costs the machine nothing during a drain."""
        topic = next(iter(self.consumer.subscription() or ()))
        partitions = [TopicPartition(topic, p) for p in self.consumer.partitions_for_topic(topic)]
        return sum(self.consumer.end_offsets(partitions).values())

    def wait_end(self, count: int, timeout: float) -> bool:
        """Until the topic holds ``count`` records (or ``timeout``)."""
        deadline = time.monotonic() + timeout
        while self.end() < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def _take(self, value: bytes, timestamp: int) -> None:
        self.records += 1
        document: dict[str, Any] = orjson.loads(value)
        article_id = alerted_article(document) if self.alerts else document.get("id")
        if article_id is not None:
            self.seen.setdefault(str(article_id), timestamp)

    def close(self) -> None:
        self.consumer.close()


@dataclass
class Drain:
    """A backlog produced at once and drained: the sustained rate."""

    count: int
    seconds: float  # first raw record's timestamp to the last output's
    complete: int  # outputs found for the articles that should have one
    expected: int
    cpu: dict[str, float]  # CPU seconds per process during the drain

    @property
    def per_second(self) -> float:
        return rate(self.count, self.seconds)


@dataclass
class Paced:
    load: float  # fraction of the sustained rate
    per_second: float  # the rate sent at
    sent_seconds: float
    count: int
    latency: Latency
    missing: int


@dataclass
class Run:
    label: str
    processes: int
    warm_up: Drain
    drain: Drain
    paced: list[Paced] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)  # VmHWM of each worker process
    idle: dict[str, float] = field(default_factory=dict)  # cores used per process, no traffic


class Processes:
    """pids whose CPU is counted during a drain: workers, the broker and this bench."""

    def __init__(self, named: dict[str, int]) -> None:
        self.named = named

    def snapshot(self) -> dict[str, float]:
        """CPU seconds per process; for a worker also its main thread's ('loop:NAME': Faust's
        event loop, where the alert agent runs; the NLP batches run in another thread)."""
        found = {name: cpu_seconds_of(pid) for name, pid in self.named.items()}
        for name, pid in self.named.items():
            if name.startswith("worker:"):
                found["loop:" + name.removeprefix("worker:")] = cpu_seconds_of(pid, pid)
        return found

    def since(self, before: dict[str, float]) -> dict[str, float]:
        now = self.snapshot()
        return {name: now[name] - before[name] for name in now}

    def idle(self, seconds: float = 10.0) -> dict[str, float]:
        """Cores each process uses with no traffic (polling, heartbeats, timers)."""
        before = self.snapshot()
        time.sleep(seconds)
        return {name: used / seconds for name, used in self.since(before).items()}


def drain(
    cluster: Cluster,
    watch: Watch,
    batch: Messages,
    expected: set[str],
    processes: Processes,
    timeout: float,
) -> Drain:
    wanted = [article_id for article_id, _, _ in batch if article_id in expected]
    start = watch.end()
    before = processes.snapshot()
    sent = send(cluster, cluster.topics.raw, batch)
    # every wanted article gives one output record: count them during the drain, and decode
    # them only after it, so that the bench's own reading does not compete with the workers
    watch.wait_end(start + len(wanted), timeout)
    cpu = processes.since(before)
    found = watch.wait_for(wanted, 30.0)
    last = max(found.values(), default=min(sent.values()))
    return Drain(len(batch), (last - min(sent.values())) / 1000, len(found), len(wanted), cpu)


def paced(
    cluster: Cluster,
    watch: Watch,
    batch: Messages,
    expected: set[str],
    load: float,
    per_second: float,
    timeout: float,
) -> Paced:
    started = time.monotonic()
    sent = send(cluster, cluster.topics.raw, batch, per_second)
    sent_seconds = time.monotonic() - started
    wanted = {i: t for i, t in sent.items() if i in expected}
    found = watch.wait_for(list(wanted), timeout)
    values = latencies_ms(wanted, found)
    return Paced(
        load, per_second, sent_seconds, len(batch), Latency.of(values), len(wanted) - len(found)
    )


@dataclass(frozen=True)
class Plan:
    articles: list[dict[str, Any]]  # the bench articles (each cycled under new ids)
    alerting: set[str]  # ids of those on which the bench rule matches (in-process)
    drain_seconds: float  # aimed length of the backlog drain
    paced_seconds: float  # length of each fixed-rate phase
    loads: tuple[float, ...] = (0.5, 0.9)
    timeout: float = 300.0

    def batch(self, prefix: str, count: int) -> tuple[Messages, set[str]]:
        found = messages(self.articles, prefix, count)
        expected = {
            article_id
            for n, (article_id, _, _) in enumerate(found)
            if self.articles[n % len(self.articles)]["id"] in self.alerting
        }
        return found, expected


def backlog_size(warm: Drain, seconds: float, floor: int) -> int:
    """Articles for a drain of about ``seconds``, from the warm-up's rate (which is lower:
    its first batches build matchers), never fewer than ``floor``."""
    return max(floor, int(warm.per_second * 1.5 * seconds))


def run_newsmon(
    home: Path,
    workers: int,
    plan: Plan,
    rules: Path,
    log: Any = print,
    env: dict[str, str] | None = None,
) -> Run:
    """Warm-up pass, backlog drain, then fixed-rate phases; on a fresh cluster."""
    cluster = Cluster.create(home, 4, (), NEWSMON_RULES=str(rules), **(env or {}))
    try:
        cluster.start()
        for _ in range(workers):
            cluster.add_worker()
        cluster.wait_shared(180.0)
        log(f"  {workers} worker(s) ready")
        watch = Watch(cluster, cluster.topics.alerts, alerts=True)
        pids = {f"worker:{w.name}": w.pid for w in cluster.workers}
        broker_pid = cluster.broker.pid()
        pids |= {"broker": broker_pid or 0, "bench": os.getpid()}
        processes = Processes(pids)
        batch, expected = plan.batch("warm", len(plan.articles))
        warm = drain(cluster, watch, batch, expected, processes, plan.timeout)
        idle = processes.idle()
        log(f"  warm-up: {warm.count} articles, {warm.per_second:.1f}/s")
        count = backlog_size(warm, plan.drain_seconds, 2 * len(plan.articles))
        batch, expected = plan.batch("drain", count)
        sustained = drain(cluster, watch, batch, expected, processes, plan.timeout)
        log(f"  drain: {sustained.count} articles, {sustained.per_second:.1f}/s")
        run = Run(f"newsmon, {workers} worker(s)", workers, warm, sustained, idle=idle)
        for load in plan.loads if plan.paced_seconds > 0 else ():
            per_second = load * sustained.per_second
            batch, expected = plan.batch(
                f"load{round(load * 100)}", int(per_second * plan.paced_seconds)
            )
            result = paced(cluster, watch, batch, expected, load, per_second, plan.timeout)
            log(f"  {load:.0%} load: {per_second:.1f}/s, p99 {result.latency.p99:.0f} ms")
            run.paced.append(result)
        run.peak_kib = [resident_kib(w.pid)[1] for w in cluster.workers]
        for worker in cluster.workers:
            if not worker.alive() or worker.restarts:
                log(f"  WARNING: worker {worker.name} died or restarted:\n{worker.tail()}")
        watch.close()
        return run
    finally:
        cluster.stop()


# --- the naive baseline ---------------------------------------------------------------------


def start_naive(cluster: Cluster, name: str, output: str, model: str) -> subprocess.Popen[bytes]:
    home = cluster.home / name
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "NAIVE_BROKER": cluster.bootstrap,
        "NAIVE_APP_ID": f"naive-{cluster.tag}",
        "NAIVE_INPUT": cluster.topics.raw,
        "NAIVE_OUTPUT": output,
        "NAIVE_MODEL": model,
    }
    command = [sys.executable, str(BENCH_DIR / "naive_app.py"), "worker", "-l", "info"]
    command += ["--web-port", str(free_port())]
    with open(home / "naive.log", "ab") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(home)
        )


def wait_naive_ready(cluster: Cluster, names: Sequence[str], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logs = [(cluster.home / n / "naive.log").read_text(errors="replace") for n in names]
        if all("Ready" in text for text in logs):
            return
        time.sleep(1.0)
    raise RuntimeError(f"the naive app did not start: {logs[-1][-2000:]}")


def run_naive(home: Path, processes_count: int, plan: Plan, model: str, log: Any = print) -> Run:
    """The same warm-up and backlog drain against ``processes_count`` naive app processes."""
    cluster = Cluster.create(home, partitions=4)
    children: list[subprocess.Popen[bytes]] = []
    try:
        cluster.start()
        output = f"{cluster.tag}.naive.entities"
        ensure_topics(cluster.bootstrap, [output], cluster.partitions)
        names = [f"naive{n + 1}" for n in range(processes_count)]
        children = [start_naive(cluster, name, output, model) for name in names]
        wait_naive_ready(cluster, names)
        time.sleep(5.0)  # let the group settle on all members
        log(f"  {processes_count} naive process(es) ready")
        watch = Watch(cluster, output, alerts=False)
        pids = {f"worker:{n}": c.pid for n, c in zip(names, children, strict=True)}
        pids |= {"broker": cluster.broker.pid() or 0, "bench": os.getpid()}
        processes = Processes(pids)
        warm_count = min(len(plan.articles), 44)
        batch, _ = plan.batch("warm", warm_count)
        everything = {article_id for article_id, _, _ in batch}
        warm = drain(cluster, watch, batch, everything, processes, plan.timeout)
        idle = processes.idle()
        log(f"  warm-up: {warm.count} articles, {warm.per_second:.1f}/s")
        count = backlog_size(warm, plan.drain_seconds, warm_count)
        batch, _ = plan.batch("drain", count)
        everything = {article_id for article_id, _, _ in batch}
        sustained = drain(cluster, watch, batch, everything, processes, plan.timeout)
        log(f"  drain: {sustained.count} articles, {sustained.per_second:.1f}/s")
        run = Run(
            f"naive app, {processes_count} process(es)", processes_count, warm, sustained, idle=idle
        )
        run.peak_kib = [resident_kib(c.pid)[1] for c in children]
        watch.close()
        return run
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(30)
        cluster.stop()
