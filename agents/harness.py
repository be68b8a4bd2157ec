"""A throwaway local cluster: one real Kafka broker in a temporary home and newsmon worker
processes, for the reliability scenarios, the benchmarks and the integration tests.

Everything runs on free ports with its own topic prefix, so a developer's `make run` broker and
other test sessions are left alone. Workers are real ``newsmon worker`` processes, so a SIGKILL
here is the crash a user would see.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from kafka import KafkaConsumer, KafkaProducer

from agents.kafka.admin import ensure_topics
from agents.kafka.broker import LocalBroker
from agents.kafka.security import client_options
from agents.settings import REPO_ROOT, Topics, load_settings

KAFKA_LIBS = REPO_ROOT / ".newsmon" / "kafka" / "libs"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def resident_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident set of a process in KiB, from /proc (Linux)."""
    values = {"VmRSS": 0, "VmHWM": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in values:
                values[name] = int(rest.split()[0])
    except (OSError, ValueError):
        pass
    return values["VmRSS"], values["VmHWM"]


@dataclass
class WorkerProcess:
    """One ``newsmon worker`` child process with its own web port and log file."""

    name: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    @property
    def port(self) -> int:
        return int(self.env["NEWSMON_WEB_PORT"])

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "agents", "worker"],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=str(self.log.parent),
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no commit, no leaving the group — a crash."""
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def stop(self, grace: float = 30.0) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)

    def restart(self) -> None:
        self.kill()
        self.restarts += 1
        self.start()

    def metrics(self) -> dict[str, float]:
        """This worker's Prometheus page as {'name{labels}': value}; empty if it does not answer."""
        text = ""
        for _ in range(3):  # a worker deep in a batch can be slow to answer
            try:
                with urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as page:
                    text = page.read().decode()
                break
            except (URLError, OSError):
                time.sleep(0.5)
        values: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                try:
                    values[name] = float(value)
                except ValueError:
                    continue
        return values

    def metric_sum(self, prefix: str, **labels: str) -> float:
        wanted = [f'{key}="{value}"' for key, value in labels.items()]
        return sum(
            value
            for name, value in self.metrics().items()
            if re.match(re.escape(prefix) + r"(\{|$)", name) and all(w in name for w in wanted)
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Until the worker serves metrics and has been given partitions at least once."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"worker {self.name} exited:\n{self.tail()}")
            if self.metric_sum("news_rebalances_total") >= 1:
                return
            time.sleep(0.5)
        raise RuntimeError(f"worker {self.name} not ready in {timeout:.0f}s:\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


@dataclass
class Cluster:
    """A broker plus workers sharing one app id (one consumer group) and one topic prefix."""

    home: Path
    broker: LocalBroker
    partitions: int = 4
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: list[WorkerProcess] = field(default_factory=list)
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    @classmethod
    def create(
        cls,
        home: Path,
        partitions: int = 4,
        sasl_users: tuple[tuple[str, str], ...] = (),
        **extra_env: str,
    ) -> Cluster:
        broker = LocalBroker(
            home / "kafka",
            port=free_port(),
            controller_port=free_port(),
            libs_dir=KAFKA_LIBS,
            sasl_users=sasl_users,
        )
        return cls(home, broker, partitions, dict(extra_env))

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap

    def base_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "NEWSMON_BROKER": self.bootstrap,
            "NEWSMON_APP_ID": f"newsmon-{self.tag}",
            "NEWSMON_TOPIC_PREFIX": f"{self.tag}.",
            "NEWSMON_PARTITIONS": str(self.partitions),
            "NEWSMON_RULES": str(REPO_ROOT / "config" / "rules.yaml"),
            **self.extra_env,
        }

    @property
    def topics(self) -> Topics:
        return load_settings(self.base_env()).topics

    def start(self, timeout: float = 120.0) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.broker.start(timeout=timeout)
        ensure_topics(self.bootstrap, self.topics.all(), self.partitions)

    def add_worker(self, ready: bool = True, **env: str) -> WorkerProcess:
        name = f"w{len(self.workers) + 1}"
        home = self.home / name
        home.mkdir(parents=True, exist_ok=True)
        worker_env = {
            **self.base_env(),
            "NEWSMON_WEB_PORT": str(free_port()),
            "NEWSMON_HOME": str(home),
            **env,
        }
        worker = WorkerProcess(name, worker_env, home / "worker.log")
        worker.start()
        self.workers.append(worker)
        if ready:
            worker.wait_ready()
        return worker

    def wait_shared(self, timeout: float = 120.0) -> None:
        """Until every worker reports lag for some raw partitions and together they own all
        of them: the group has rebalanced to every worker."""
        deadline = time.monotonic() + timeout
        raw = self.topics.raw
        while time.monotonic() < deadline:
            owned = [
                sum(
                    1
                    for name in w.metrics()
                    if name.startswith("news_consumer_lag{") and raw in name
                )
                for w in self.workers
            ]
            if all(owned) and sum(owned) == self.partitions:
                return
            time.sleep(1.0)
        raise RuntimeError("the workers did not share the raw partitions in time")

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.broker.stop()

    # --- traffic ------------------------------------------------------------------------------
    def producer(self) -> KafkaProducer:
        return KafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            linger_ms=5,
            retries=100,
            retry_backoff_ms=500,
            max_request_size=25_000_000,
            request_timeout_ms=30_000,
            **client_options(),
        )

    def produce(
        self, values: Iterable[tuple[bytes, bytes]], topic: str | None = None
    ) -> list[tuple[int, int]]:
        """Send (key, value) pairs to the raw topic; (partition, offset) of each, in order."""
        producer = self.producer()
        try:
            futures = [
                producer.send(topic or self.topics.raw, key=key, value=value)
                for key, value in values
            ]
            producer.flush()
            metadata = [future.get(timeout=120) for future in futures]
        finally:
            producer.close()
        return [(m.partition, m.offset) for m in metadata]

    def reader(self, *topics: str) -> KafkaConsumer:
        """A group-less consumer of ``topics`` from their first records."""
        return KafkaConsumer(
            *topics,
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
            max_partition_fetch_bytes=26_000_000,
            fetch_max_bytes=52_000_000,
            **client_options(),
        )

    def read_until(
        self,
        topics: Sequence[str],
        done: Callable[[dict[str, list[bytes]]], bool],
        timeout: float,
        idle: float = 0.0,
        on_poll: Callable[[], None] | None = None,
    ) -> dict[str, list[bytes]]:
        """Record values per topic until ``done`` holds (then ``idle`` more quiet seconds, to
        catch duplicates that arrive late) or until ``timeout``; never raises on timeout."""
        consumer = self.reader(*topics)
        values: dict[str, list[bytes]] = {topic: [] for topic in topics}
        deadline = time.monotonic() + timeout
        quiet_until: float | None = None
        try:
            while time.monotonic() < deadline:
                batch = consumer.poll(timeout_ms=500)
                got = 0
                for tp, records in batch.items():
                    values[tp.topic].extend(record.value for record in records)
                    got += len(records)
                if on_poll is not None:
                    on_poll()
                if quiet_until is None and done(values):
                    quiet_until = time.monotonic() + idle
                if quiet_until is not None:
                    if got:
                        quiet_until = time.monotonic() + idle
                    elif time.monotonic() >= quiet_until:
                        break
        finally:
            consumer.close()
        return values


@contextmanager
def running_cluster(
    home: Path,
    partitions: int = 4,
    sasl_users: tuple[tuple[str, str], ...] = (),
    **extra_env: str,
) -> Iterator[Cluster]:
    cluster = Cluster.create(home, partitions, sasl_users, **extra_env)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
