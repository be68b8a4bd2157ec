"""The reliability scenarios of issue 7, each on its own throwaway cluster (real broker, real
worker processes), each ending in a ledger row: sent, enriched, dead letters, alerts,
duplicates, lost.

A scenario sends its messages, makes something go wrong mid-stream (a SIGKILL, a second worker
killed, the broker stopped), then reads the output topics until every message is accounted for
or a deadline passes; whatever is missing then is reported as lost, never retried away.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from agents.core.alerting import LocalAlerts
from agents.core.detect import Detector
from agents.core.kb import load_knowledge_base
from agents.core.rules import load_rules
from agents.harness import Cluster, resident_kib, running_cluster
from agents.reliability import workload
from agents.reliability.ledger import Row, account, story_alert_ids
from agents.reliability.workload import Message
from agents.settings import REPO_ROOT

log = logging.getLogger(__name__)
Sent = list[tuple[Message, tuple[int, int]]]
RULES = REPO_ROOT / "config" / "rules.yaml"


@dataclass(frozen=True)
class Options:
    shared: Path  # ../shared, for the real news articles
    home: Path  # scratch space for the brokers and workers
    articles: int = 200  # news documents per scenario (copies come on top)
    timeout: float = 600.0  # per wait for output
    big_bytes: int = 20_000_000  # the oversized article of the bad-input scenario


class Progress:
    """Incremental view of the output topics while a scenario waits: which article ids came out
    enriched and which source offsets were dead-lettered."""

    def __init__(self, enriched_topic: str, dead_topic: str) -> None:
        self.enriched_topic = enriched_topic
        self.dead_topic = dead_topic
        self.enriched: set[str] = set()
        self.dead: set[tuple[int, int]] = set()
        self._read = {enriched_topic: 0, dead_topic: 0}

    def update(self, values: dict[str, list[bytes]]) -> None:
        for value in values[self.enriched_topic][self._read[self.enriched_topic] :]:
            self.enriched.add(str(orjson.loads(value)["id"]))
        for value in values[self.dead_topic][self._read[self.dead_topic] :]:
            source = orjson.loads(value)["source"]
            self.dead.add((source["partition"], source["offset"]))
        self._read = {topic: len(found) for topic, found in values.items()}

    def missing(self, sent: Sent) -> int:
        return sum(
            1
            for message, position in sent
            if position not in self.dead and message.article_id not in self.enriched
        )


def send(cluster: Cluster, messages: Sequence[Message]) -> Sent:
    positions = cluster.produce((m.key, m.value) for m in messages)
    return list(zip(messages, positions, strict=True))


def wait_accounted(
    cluster: Cluster,
    sent: Sent,
    timeout: float,
    during: Callable[[Progress], None] | None = None,
) -> dict[str, list[bytes]]:
    """Read enriched and dead-letter records until every sent message is in one of them (plus a
    few quiet seconds for late duplicates), calling ``during`` after each poll."""
    topics = cluster.topics
    progress = Progress(topics.enriched, topics.dead_letters)

    def done(values: dict[str, list[bytes]]) -> bool:
        progress.update(values)
        if during is not None:
            during(progress)
        return progress.missing(sent) == 0

    return cluster.read_until([topics.enriched, topics.dead_letters], done, timeout, idle=3.0)


@cache
def _shipped_rules() -> Detector:
    """The worker's rule file, loaded once for all scenarios (the detector keeps no state)."""
    return Detector(load_rules(RULES, load_knowledge_base()))


def expected_story_alerts(enriched_values: Sequence[bytes], sent: Sent) -> set[tuple[str, str]]:
    """The (rule, story) pairs the batch path (same rules, same folding code, one process)
    alerts on for the articles the cluster enriched: what the stream must deliver once each."""
    local = LocalAlerts(_shipped_rules())
    seen: set[str] = set()
    alerts: list[dict[str, Any]] = []
    for value in enriched_values:
        article = orjson.loads(value)
        if article["id"] not in seen:
            seen.add(article["id"])
            alerts.extend(local.alerts_for(article))
    stories = {m.article_id: m.story for m, _ in sent if m.article_id and m.story}
    return set(story_alert_ids(alerts, stories))


def wait_alerts(
    cluster: Cluster, sent: Sent, expected: set[tuple[str, str]], timeout: float
) -> list[bytes]:
    stories = {m.article_id: m.story for m, _ in sent if m.article_id and m.story}

    def done(values: dict[str, list[bytes]]) -> bool:
        found = story_alert_ids((orjson.loads(v) for v in values[cluster.topics.alerts]), stories)
        return expected <= set(found)

    return cluster.read_until([cluster.topics.alerts], done, timeout, idle=5.0)[
        cluster.topics.alerts
    ]


def settle(name: str, cluster: Cluster, sent: Sent, options: Options, **kwargs: Any) -> Row:
    """Wait for everything, then account for it."""
    outputs = wait_accounted(cluster, sent, options.timeout, **kwargs)
    enriched, dead = outputs[cluster.topics.enriched], outputs[cluster.topics.dead_letters]
    expected = expected_story_alerts(enriched, sent)
    alerts = wait_alerts(cluster, sent, expected, options.timeout)
    return account(name, sent, enriched, dead, alerts, expected)


def _news(options: Options, run: str) -> list[Message]:
    return workload.articles(run, workload.news_articles(options.shared, options.articles))


# --- the scenarios ----------------------------------------------------------------------------


def bad_input(options: Options) -> Row:
    """Hostile and awkward messages among real articles: every one ends enriched or
    dead-lettered with a reason, and the worker never restarts."""
    with running_cluster(options.home / "bad-input") as cluster:
        worker = cluster.add_worker()
        messages = workload.interleave(
            _news(options, "bad"), workload.hostile("bad", options.big_bytes)
        )
        sent = send(cluster, messages)
        row = settle("bad input", cluster, sent, options)
        row.notes.append(f"{len(workload.hostile('x', 1))} kinds of bad or awkward input")
        if not worker.alive():
            row.notes.append("the worker died")
        return row


def crash(options: Options) -> Row:
    """SIGKILL mid-stream, restart; then copies of the stories already alerted on, which the
    restarted worker must fold into the old alerts (its table recovered from the changelog)."""
    with running_cluster(options.home / "crash") as cluster:
        worker = cluster.add_worker()
        originals, copies = workload.originals_and_copies(_news(options, "crash"))
        sent = send(cluster, originals)
        killed_at: list[int] = []

        def kill_midway(progress: Progress) -> None:
            if not killed_at and len(progress.enriched) >= len(originals) // 3:
                killed_at.append(len(progress.enriched))
                worker.kill()
                worker.start()

        wait_accounted(cluster, sent, options.timeout, during=kill_midway)
        sent += send(cluster, copies)
        row = settle("SIGKILL mid-stream", cluster, sent, options)
        row.notes.append(
            f"killed after {killed_at[0] if killed_at else '?'} of {len(originals)} enriched; "
            f"{len(copies)} copies sent after the restart"
        )
        return row


def scale_out(options: Options) -> Row:
    """Two workers in one group share four partitions; one is SIGKILLed mid-stream and the
    other takes its partitions over."""
    with running_cluster(options.home / "scale-out") as cluster:
        first = cluster.add_worker()
        second = cluster.add_worker()
        cluster.wait_shared()
        sent = send(cluster, _news(options, "scale"))
        shares: dict[str, float] = {}

        def kill_second(progress: Progress) -> None:
            if not shares and len(progress.enriched) >= len(sent) // 2:
                shares.update(
                    {
                        w.name: w.metric_sum("news_articles_in_total", agent="enrich")
                        for w in cluster.workers
                    }
                )
                second.kill()

        row = settle("two workers, one killed", cluster, sent, options, during=kill_second)
        shares_after = first.metric_sum("news_articles_in_total", agent="enrich")
        row.notes.append(
            "enrich consumed before the kill: "
            + ", ".join(f"{name} {int(n)}" for name, n in shares.items())
            + f"; the survivor's total at the end: {int(shares_after)}"
        )
        return row


def broker_restart(options: Options, down_seconds: float = 10.0) -> Row:
    """The broker is stopped mid-stream and started again while the worker runs; nobody touches
    the worker."""
    with running_cluster(options.home / "broker-restart") as cluster:
        worker = cluster.add_worker()
        messages = _news(options, "restart")
        half = len(messages) // 2
        sent = send(cluster, messages[:half])
        restarted: list[bool] = []

        def restart_midway(progress: Progress) -> None:
            if not restarted and len(progress.enriched) >= half // 3:
                restarted.append(True)
                cluster.broker.stop()
                time.sleep(down_seconds)
                cluster.broker.start()

        wait_accounted(cluster, sent, options.timeout, during=restart_midway)
        sent += send(cluster, messages[half:])
        row = settle("broker restart", cluster, sent, options)
        row.notes.append(
            f"broker down {down_seconds:.0f} s; worker process "
            + ("kept running, never restarted by hand" if worker.alive() else "DIED")
        )
        return row


def frozen(options: Options, frozen_seconds: float = 30.0) -> Row:
    """The worker process is frozen (SIGSTOP) for longer than the session timeout with records
    waiting, then let go: the group has moved on without it, and it must rejoin and finish the
    work without anyone touching it."""
    with running_cluster(options.home / "frozen") as cluster:
        worker = cluster.add_worker()
        pid = worker.pid
        sent = send(cluster, _news(options, "frozen"))
        stopped: list[bool] = []

        def freeze_midway(progress: Progress) -> None:
            if not stopped and len(progress.enriched) >= len(sent) // 4:
                stopped.append(True)
                os.kill(pid, signal.SIGSTOP)
                time.sleep(frozen_seconds)
                os.kill(pid, signal.SIGCONT)

        row = settle("worker frozen 30 s", cluster, sent, options, during=freeze_midway)
        row.notes.append(
            f"SIGSTOP for {frozen_seconds:.0f} s (session timeout 15 s), then SIGCONT; "
            + ("it rejoined by itself" if worker.alive() else "the worker DIED")
        )
        return row


def stall(options: Options, limit: float = 10.0) -> Row:
    """The enrich agent hangs for good after two batches (fault injection,
    NEWSMON_FAULT_HANG_AFTER) while records keep waiting: the stall watch must see that no
    offset moves and restart the worker in place (same pid), and nothing may be lost."""
    with running_cluster(options.home / "stall") as cluster:
        worker = cluster.add_worker(
            NEWSMON_STALL_SECONDS=f"{limit:g}", NEWSMON_FAULT_HANG_AFTER="2", NEWSMON_BATCH_SIZE="4"
        )
        pid = worker.pid
        sent = send(cluster, _news(options, "stall"))
        row = settle("hung agent (stall watch)", cluster, sent, options)
        restarts = worker.tail(500_000).count("restarting the worker in place")
        row.notes.append(
            f"agent hung after 2 batches, stall limit {limit:g} s; the worker restarted itself in "
            f"place {restarts} time(s), pid {'unchanged' if worker.pid == pid else 'CHANGED'}"
            + ("" if worker.alive() else "; the worker DIED")
        )
        return row


@dataclass
class SoakResult:
    row: Row
    max_rate: float  # articles/s the worker drained a backlog at, just before the soak
    rate: float  # the rate the soak was sent at
    samples: list[tuple[float, float, int]]  # (elapsed s, summed consumer lag, resident KiB)


def _numbered(
    news: Sequence[tuple[str, str, str]], prefix: str, first: int, count: int
) -> list[Message]:
    messages = []
    for n in range(first, first + count):
        lang, text, _ = news[n % len(news)]
        article_id = f"{prefix}-{n}"
        value = orjson.dumps({"id": article_id, "text": text, "lang": lang})
        messages.append(Message(article_id.encode(), value, article_id, article_id))
    return messages


def measure_max_rate(cluster: Cluster, news: Sequence[tuple[str, str, str]], count: int) -> float:
    """Articles/s one worker drains a backlog of ``count`` at (after a warm-up batch)."""
    warm = send(cluster, _numbered(news, "warm", 0, min(count, 50)))
    wait_accounted(cluster, warm, 600)
    backlog = _numbered(news, "max", 0, count)
    started = time.monotonic()
    sent = send(cluster, backlog)
    progress = Progress(cluster.topics.enriched, cluster.topics.dead_letters)
    finished: list[float] = []

    def done(values: dict[str, list[bytes]]) -> bool:
        progress.update(values)
        if progress.missing(sent) == 0 and not finished:
            finished.append(time.monotonic())
        return bool(finished)

    cluster.read_until([cluster.topics.enriched, cluster.topics.dead_letters], done, 900)
    return count / ((finished[0] if finished else time.monotonic()) - started)


def soak(options: Options, minutes: float, load: float = 0.8) -> SoakResult:
    """Measure the worker's maximum rate, then send at ``load`` x that rate for ``minutes``,
    sampling the consumer lag and the worker's resident memory every 5 s."""
    with running_cluster(options.home / "soak") as cluster:
        worker = cluster.add_worker()
        news = workload.news_articles(options.shared, options.articles)
        max_rate = measure_max_rate(cluster, news, min(len(news) * 2, 400))
        rate = load * max_rate
        producer = cluster.producer()
        messages: list[Message] = []
        futures = []
        samples: list[tuple[float, float, int]] = []
        started = time.monotonic()
        next_sample = started
        while (elapsed := time.monotonic() - started) < minutes * 60:
            due = int(elapsed * rate) - len(messages)
            for message in _numbered(news, "soak", len(messages), max(0, due)):
                messages.append(message)
                futures.append(
                    producer.send(cluster.topics.raw, key=message.key, value=message.value)
                )
            if time.monotonic() >= next_sample:
                lag = worker.metric_sum("news_consumer_lag", topic=cluster.topics.raw)
                samples.append((elapsed, lag, resident_kib(worker.pid)[0]))
                next_sample += 5.0
            time.sleep(0.02)
        producer.flush()
        positions = [(m.partition, m.offset) for m in (f.get(timeout=60) for f in futures)]
        producer.close()
        sent = list(zip(messages, positions, strict=True))
        outputs = wait_accounted(cluster, sent, options.timeout)
        row = account(
            f"soak: {minutes:g} min at {rate:.0f}/s ({load:.0%} of {max_rate:.0f}/s)",
            sent,
            outputs[cluster.topics.enriched],
            outputs[cluster.topics.dead_letters],
        )
        return SoakResult(row, max_rate, rate, samples)


SCENARIOS: dict[str, Callable[[Options], Row]] = {
    "bad-input": bad_input,
    "crash": crash,
    "scale-out": scale_out,
    "broker-restart": broker_restart,
    "frozen": frozen,
    "stall": stall,
}
