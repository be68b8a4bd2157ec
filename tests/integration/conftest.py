"""A real Kafka broker and a real worker process, started by the test session itself.

The broker runs on free ports in a temporary home, so a developer's own `make run` broker is left
alone. Nothing here skips: without Java or Maven these tests fail, as they should in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from kafka import KafkaConsumer, KafkaProducer

from agents.harness import KAFKA_LIBS, free_port
from agents.kafka.admin import ensure_topics
from agents.kafka.broker import LocalBroker
from agents.processes import ended_with_parent
from agents.settings import Topics, load_settings
from tests.conftest import REPO

pytestmark = pytest.mark.integration
WEBHOOK_SECRET_ENV = "NEWSMON_TEST_WEBHOOK_SECRET"
WEBHOOK_SECRET = "integration-test-secret"
INGEST_TOKEN = "integration-ingest-token"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    port = free_port()
    controller = free_port()
    local = LocalBroker(
        tmp_path_factory.mktemp("kafka"),
        port=port,
        controller_port=controller,
        libs_dir=KAFKA_LIBS,
        ends_with_parent=True,
    )
    local.start(timeout=120)
    yield local
    local.stop()


@dataclass
class Worker:
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    bootstrap: str
    topics: Topics

    def kill_and_restart(self) -> None:
        """SIGKILL, as a crash would, then start again with the same group and state topics."""
        self.process.kill()
        self.process.wait(30)
        self.process = start_worker(self.env, self.log)

    def produce(self, topic: str, values: list[bytes]) -> list[tuple[int, int]]:
        producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        futures = [producer.send(topic, value=value, key=b"test") for value in values]
        producer.flush()
        metadata = [future.get(timeout=30) for future in futures]
        producer.close()
        return [(m.partition, m.offset) for m in metadata]

    def reader(self, topic: str) -> KafkaConsumer:
        """A group-less consumer of ``topic`` from its first record."""
        return KafkaConsumer(
            topic,
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
        )

    def collect(
        self, topic: str, done: Callable[[list[dict]], bool], timeout: float = 120.0
    ) -> list[dict]:
        consumer = self.reader(topic)
        seen: list[dict] = []
        deadline = time.monotonic() + timeout
        try:
            while not done(seen):
                assert self.process.poll() is None, "worker died:\n" + self.log.read_text()[-3000:]
                assert time.monotonic() < deadline, (
                    f"timed out on {topic}; got {len(seen)}:\n" + self.log.read_text()[-3000:]
                )
                for records in consumer.poll(timeout_ms=500).values():
                    seen.extend(orjson.loads(r.value) for r in records)
        finally:
            consumer.close()
        return seen


@pytest.fixture(scope="session")
def worker(broker: LocalBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    home = tmp_path_factory.mktemp("worker")
    prefix = f"it{uuid.uuid4().hex[:6]}."
    env = {
        **os.environ,
        "NEWSMON_BROKER": broker.bootstrap,
        "NEWSMON_APP_ID": f"newsmon-it-{uuid.uuid4().hex[:6]}",
        "NEWSMON_TOPIC_PREFIX": prefix,
        "NEWSMON_WEB_PORT": str(free_port()),
        "NEWSMON_HOME": str(home),
        "NEWSMON_RULES": str(REPO / "config" / "rules.yaml"),
        WEBHOOK_SECRET_ENV: WEBHOOK_SECRET,
        "NEWSMON_INGEST_TOKEN": INGEST_TOKEN,
    }
    topics = load_settings(env).topics
    ensure_topics(broker.bootstrap, topics.all(), 4)
    log = home / "worker.log"
    running = Worker(env, start_worker(env, log), log, broker.bootstrap, topics)
    yield running
    running.process.terminate()
    try:
        running.process.wait(30)
    except subprocess.TimeoutExpired:
        running.process.kill()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "agents", "worker"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=str(log.parent),
            preexec_fn=ended_with_parent(),
        )
