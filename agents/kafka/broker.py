"""A real single-node Apache Kafka (KRaft) assembled from Maven Central and run with ``java``.

No Docker and no release tarball can be had here, so deploy/kafka/pom.xml lists the broker's
runtime classpath; Maven fetches it once (cached in ~/.m2) and copies the jars under the home
folder. ``start`` formats the storage on first use, launches the broker detached, and waits until
a client gets metadata from it; ``stop`` ends it with SIGTERM (SIGKILL after a grace period).
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from agents.errors import BrokerError
from agents.processes import ended_with_parent
from agents.settings import REPO_ROOT

log = logging.getLogger(__name__)

POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"
LOG4J_CONFIG = """\
Configuration:
  Appenders:
    RollingFile:
      name: File
      fileName: "${sys:kafka.logs.dir}/server.log"
      filePattern: "${sys:kafka.logs.dir}/server.log.%i"
      PatternLayout: {pattern: "[%d] %p %m (%c)%n"}
      Policies: {SizeBasedTriggeringPolicy: {size: 20MB}}
      DefaultRolloverStrategy: {max: 2}
  Loggers:
    Root: {level: INFO, AppenderRef: [{ref: File}]}
"""


@dataclass(frozen=True)
class LocalBroker:
    home: Path
    port: int = 9092
    controller_port: int = 9093
    heap: str = "512m"
    libs_dir: Path | None = None  # share one set of jars between several brokers (tests)
    # (user, password) pairs: clients must then log in with SASL/PLAIN (the security test)
    sasl_users: tuple[tuple[str, str], ...] = ()
    ends_with_parent: bool = False  # SIGTERM when the starting process dies (test sessions)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def libs(self) -> Path:
        return self.libs_dir or self.home / "libs"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "server.log"

    # --- assembling -------------------------------------------------------------------------
    def fetch(self) -> None:
        """Copy the broker's jars into ``libs`` (a no-op when they are already there)."""
        if (self.libs / ".complete").exists():
            return
        if shutil.which("mvn") is None or shutil.which("java") is None:
            raise BrokerError(
                "the local Kafka needs Java 17+ and Maven on PATH (apt-get install maven)"
            )
        log.info("fetching Kafka jars from Maven Central into %s", self.libs)
        self.libs.mkdir(parents=True, exist_ok=True)
        command = ["mvn", "-q", "-B", "-f", str(POM), "package", f"-Dkafka.libs.dir={self.libs}"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BrokerError(
                f"maven could not assemble Kafka:\n{result.stdout[-3000:]}{result.stderr[-2000:]}"
            )
        (self.libs / ".complete").touch()

    def _write_config(self) -> Path:
        config_dir = self.home / "config"
        config_dir.mkdir(parents=True, exist_ok=True)
        properties = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(self.home / "data"),
            "num.partitions": "4",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
            "message.max.bytes": "25000000",
            "log.retention.hours": "168",
        }
        if self.sasl_users:
            properties.update(self._sasl_properties())
        path = config_dir / "server.properties"
        path.write_text("".join(f"{key}={value}\n" for key, value in properties.items()))
        (config_dir / "log4j2.yaml").write_text(LOG4J_CONFIG)
        return path

    def _sasl_properties(self) -> dict[str, str]:
        """The client listener speaks SASL_PLAINTEXT with PLAIN logins; the first user is also
        the broker's own login on that listener."""
        first_user, first_password = self.sasl_users[0]
        users = " ".join(f'user_{user}="{password}"' for user, password in self.sasl_users)
        return {
            "listeners": f"SASL_PLAINTEXT://127.0.0.1:{self.port},"
            f"CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"SASL_PLAINTEXT://127.0.0.1:{self.port}",
            "listener.security.protocol.map": "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "SASL_PLAINTEXT",
            "sasl.enabled.mechanisms": "PLAIN",
            "sasl.mechanism.inter.broker.protocol": "PLAIN",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config": (
                "org.apache.kafka.common.security.plain.PlainLoginModule required "
                f'username="{first_user}" password="{first_password}" {users};'
            ),
        }

    def _java(self, main_class: str, *args: str) -> list[str]:
        return [
            "java",
            f"-Xmx{self.heap}",
            f"-Xms{self.heap}",
            "-XX:+UseG1GC",
            f"-Dkafka.logs.dir={self.home / 'logs'}",
            f"-Dlog4j2.configurationFile={self.home / 'config' / 'log4j2.yaml'}",
            "-cp",
            f"{self.libs}/*",
            main_class,
            *args,
        ]

    def _format(self, config: Path) -> None:
        if (self.home / "data" / "meta.properties").exists():
            return
        cluster = new_cluster_id()
        command = self._java("kafka.tools.StorageTool", "format", "-t", cluster, "-c", str(config))
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BrokerError(f"formatting Kafka storage failed:\n{result.stdout}{result.stderr}")

    # --- running ----------------------------------------------------------------------------
    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def is_listening(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def start(self, timeout: float = 90.0) -> bool:
        """Start the broker unless it runs already; returns True if this call started it."""
        if self.pid() is not None:
            self.wait_ready(timeout)
            return False
        if self.is_listening():
            raise BrokerError(
                f"port {self.port} is taken by another process: stop it, or set "
                "NEWSMON_BROKER=127.0.0.1:<free port>"
            )
        self.fetch()
        config = self._write_config()
        self._format(config)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.home / "logs" / "stdout.log", "ab") as out:
            process = subprocess.Popen(
                self._java("kafka.Kafka", str(config)),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal is ours to handle, not the JVM's
                preexec_fn=ended_with_parent() if self.ends_with_parent else None,
            )
        self.pid_file.write_text(str(process.pid))
        try:
            self.wait_ready(timeout, process)
        except BrokerError:
            self.stop()
            raise
        return True

    def wait_ready(self, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
        from agents.kafka.admin import broker_answers

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise BrokerError(
                    f"Kafka exited with code {process.returncode}; see {self.log_file}"
                )
            if self.is_listening() and broker_answers(self.bootstrap):
                return
            time.sleep(0.5)
        raise BrokerError(
            f"Kafka did not answer on {self.bootstrap} within {timeout:.0f}s; see {self.log_file}"
        )

    def stop(self, grace: float = 30.0) -> bool:
        """Stop the broker if it runs; returns True if there was one to stop."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self.pid() is not None:
            _reap(pid)
            time.sleep(0.2)
        if self.pid() is not None:
            os.kill(pid, signal.SIGKILL)
            _reap(pid)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> str:
        pid = self.pid()
        if pid is None:
            return f"stopped (home {self.home})"
        state = "ready" if self.is_listening() else "starting"
        return f"{state}: pid {pid}, bootstrap {self.bootstrap}, log {self.log_file}"


def new_cluster_id() -> str:
    """A random KRaft cluster id. Like Kafka's own Uuid.randomUuid, never one that starts with
    '-': the storage tool would read it as an option (1 start in 64 did, failing a test run)."""
    while True:
        cluster = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster.startswith("-"):
            return cluster


def _reap(pid: int) -> None:
    """Collect our own child's exit status so that it does not linger as a zombie."""
    with suppress(ChildProcessError):  # not our child: its parent reaps it
        os.waitpid(pid, os.WNOHANG)
