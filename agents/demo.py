"""``make run``: the whole pipeline on the embedded default, alerts printed as they arrive.

Starts the local Kafka (unless one runs), a worker process, feeds the bundled sample articles to
the raw topic and prints every alert and dead letter until Ctrl-C, then stops what it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import orjson
from kafka import KafkaConsumer, TopicPartition

from agents.display import format_alert
from agents.errors import NewsmonError
from agents.kafka.admin import ensure_topics, produce
from agents.kafka.broker import LocalBroker
from agents.kafka.security import client_options
from agents.processes import ended_with_parent
from agents.settings import REPO_ROOT, Settings

SAMPLES = REPO_ROOT / "config" / "samples" / "articles.jsonl"


def local_broker(settings: Settings) -> LocalBroker:
    host, _, port = settings.broker.rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        raise NewsmonError(f"the embedded Kafka runs on 127.0.0.1, not {settings.broker}")
    return LocalBroker(settings.home / "kafka", port=int(port), controller_port=int(port) + 1)


def _consumer_at_end(settings: Settings, topics: list[str]) -> KafkaConsumer:
    """A consumer positioned at the current end, so we show what this run produces."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.broker, enable_auto_commit=False, **client_options()
    )
    partitions = [
        TopicPartition(topic, p)
        for topic in topics
        for p in sorted(consumer.partitions_for_topic(topic) or ())
    ]
    consumer.assign(partitions)
    consumer.seek_to_end(*partitions)
    for partition in partitions:
        consumer.position(partition)  # resolve now, before the samples go in
    return consumer


def this_run(samples: bytes, stamp: str) -> list[bytes]:
    """The sample lines, each article under an id of this run. The worker remembers the articles
    it has counted into a story, so a second ``make run`` sending the same ids would show
    nothing; under new ids the same texts come out as updates of the first run's alerts. A line
    that is not an article object is sent as it is (the worker dead-letters it)."""
    lines = []
    for line in samples.splitlines():
        if not line.strip():
            continue
        try:
            article = orjson.loads(line)
        except orjson.JSONDecodeError:
            lines.append(line)
            continue
        if isinstance(article, dict) and isinstance(article.get("id"), str):
            line = orjson.dumps({**article, "id": f"{article['id']}@{stamp}"})
        lines.append(line)
    return lines


def _start_worker(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEWSMON_BROKER": settings.broker,
        "NEWSMON_RULES": str(settings.rules_path),
    }
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "agents", "worker"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            preexec_fn=ended_with_parent(),  # a killed demo leaves no worker polling on
        )


def _stop(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _say(text: str) -> None:
    """Print, surviving a closed terminal or pipe (``make run | tee`` after Ctrl-C)."""
    with suppress(OSError):  # BrokenPipeError is an OSError
        print(text, flush=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_demo(settings: Settings, samples: Path = SAMPLES, colour: bool = True) -> int:
    # Closing the terminal also cleans up. SIGINT is set too: a shell without job control
    # starts a background command with SIGINT ignored, and Python then installs no handler of
    # its own, so Ctrl-C (or a test's SIGINT) would be ignored and leave Kafka running.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    broker = local_broker(settings)
    _say(f"starting Kafka at {broker.bootstrap} (first run fetches its jars) ...")
    started_broker = broker.start()
    worker: subprocess.Popen[bytes] | None = None
    consumer: KafkaConsumer | None = None
    try:
        ensure_topics(settings.broker, settings.topics.all(), settings.partitions)
        consumer = _consumer_at_end(
            settings, [settings.topics.alerts, settings.topics.dead_letters]
        )
        log_path = settings.home / "worker.log"
        worker = _start_worker(settings, log_path)
        _say(f"worker started (pid {worker.pid}, log {log_path})")
        lines = this_run(samples.read_bytes(), time.strftime("%Y%m%dT%H%M%S"))
        sent = produce(settings.broker, settings.topics.raw, ((None, line) for line in lines))
        _say(
            f"sent {sent} sample articles from {samples} to {settings.topics.raw}; "
            "alerts follow (Ctrl-C to stop)\n"
        )
        return _print_until_interrupted(consumer, worker, settings, log_path, colour)
    except KeyboardInterrupt:
        return 0
    finally:
        _say("\nstopping ...")
        if consumer is not None:  # before the broker goes: it would log every failed reconnect
            consumer.close()
        if worker is not None:
            _stop(worker)
        if started_broker:
            broker.stop()
        _say("stopped the worker" + (" and Kafka" if started_broker else ""))


def _print_until_interrupted(
    consumer: KafkaConsumer,
    worker: subprocess.Popen[bytes],
    settings: Settings,
    log_path: Path,
    colour: bool,
) -> int:
    while True:
        for records in consumer.poll(timeout_ms=500).values():
            for record in records:
                document = orjson.loads(record.value)
                if record.topic == settings.topics.alerts:
                    _say(format_alert(document, colour) + "\n")
                else:
                    source = document["source"]
                    _say(
                        f"DEAD LETTER {document['reason']}: {document['message']} "
                        f"(partition {source['partition']}, offset {source['offset']})\n"
                    )
        if worker.poll() is not None:
            tail = log_path.read_text(errors="replace").splitlines()[-20:]
            _say("the worker stopped unexpectedly; last lines of its log:\n" + "\n".join(tail))
            return 1
        time.sleep(0.05)
