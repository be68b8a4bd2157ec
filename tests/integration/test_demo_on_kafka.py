"""The README's first command (``make run`` = ``newsmon demo``) from start to Ctrl-C: the Hindi
sample raises its China–Russia alert, and Ctrl-C stops what the demo started, quietly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents.harness import KAFKA_LIBS, free_port
from agents.kafka.broker import LocalBroker
from agents.processes import ended_with_parent

pytestmark = pytest.mark.integration
HINDI_ALERT = ("ALERT HIGH china-russia", "article  hi-wang-yi-lavrov-call@")


def two_free_ports() -> int:
    """A port whose next one is free too: the demo's controller listens on port + 1."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise AssertionError("no two consecutive free ports")


def _start_demo(home: Path) -> tuple[subprocess.Popen[bytes], Path, int]:
    """``newsmon demo`` with its own Kafka under ``home``: the process, its output, the port."""
    (home / "kafka").mkdir()
    (home / "kafka" / "libs").symlink_to(KAFKA_LIBS)
    port = two_free_ports()
    env = {
        **os.environ,
        "NEWSMON_HOME": str(home),
        "NEWSMON_BROKER": f"127.0.0.1:{port}",
        "NEWSMON_WEB_PORT": str(free_port()),
    }
    output = home / "demo.out"
    with open(output, "wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "agents", "demo"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # a process group of its own, as a terminal gives it
            preexec_fn=_as_a_background_job,
        )
    return demo, output, port


def test_the_demo_alerts_on_the_hindi_sample_and_stops_cleanly_on_ctrl_c(
    broker: LocalBroker, tmp_path: Path
) -> None:
    del broker  # only for its jars, fetched into KAFKA_LIBS once per session
    demo, output, port = _start_demo(tmp_path)
    try:
        deadline = time.monotonic() + 240
        text = ""
        while time.monotonic() < deadline and demo.poll() is None:
            text = output.read_text(errors="replace")
            if all(part in text for part in HINDI_ALERT) and text.count("ALERT ") >= 7:
                break
            time.sleep(1)
        assert demo.poll() is None, text[-3000:]
        assert all(part in text for part in HINDI_ALERT), text[-3000:]
        time.sleep(2)  # the last alerts' batch
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
        assert demo.wait(90) == 0
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            _kill_broker(tmp_path)  # its own session: the demo would have stopped it
    text = output.read_text(errors="replace")
    after = text[text.index("stopping ...") :]
    assert after.rstrip().endswith("stopped the worker and Kafka"), after
    assert " ERROR " not in after and "Traceback" not in after, after
    worker = _worker_pid(text)
    assert not _alive(worker)
    broker_pid = tmp_path / "kafka" / "broker.pid"
    assert not broker_pid.exists() or not _alive(int(broker_pid.read_text()))
    assert not LocalBroker(tmp_path / "kafka", port=port).is_listening()


def test_a_killed_demo_leaves_no_worker_behind(broker: LocalBroker, tmp_path: Path) -> None:
    """The worker runs in a session of its own (Ctrl-C in the terminal is the demo's to
    handle); if the demo itself is killed, the worker is told to stop rather than poll on."""
    del broker
    demo, output, _ = _start_demo(tmp_path)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and "worker started (pid " not in output.read_text():
            time.sleep(0.5)
        text = output.read_text()
        worker = _worker_pid(text)
        os.killpg(demo.pid, signal.SIGKILL)
        demo.wait(30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _alive(worker):
            time.sleep(0.5)
        assert not _alive(worker)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
        _kill_broker(tmp_path)


def _as_a_background_job() -> None:
    """Started as a shell without job control starts ``make run &`` (CI scripts do): with
    SIGINT ignored, which Python keeps, installing no handler of its own; the demo must set
    one itself for Ctrl-C to stop it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop_with_parent = ended_with_parent()
    if stop_with_parent is not None:
        stop_with_parent()


def _worker_pid(output: str) -> int:
    """The pid the demo printed in "worker started (pid N, log ...)"."""
    return int(output.split("worker started (pid ", 1)[1].split(",", 1)[0])


def _kill_broker(home: Path) -> None:
    pid_file = home / "kafka" / "broker.pid"
    if pid_file.exists() and _alive(pid := int(pid_file.read_text())):
        os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
