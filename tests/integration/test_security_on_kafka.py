"""Security on the real broker: a SASL-protected Kafka that refuses a wrong password and serves a
worker logging in with the NEWSMON_KAFKA_* settings; and what the worker writes to its log."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from agents.harness import Cluster, running_cluster
from agents.kafka import security
from agents.kafka.admin import broker_answers
from agents.kafka.security import KafkaSecurity

pytestmark = pytest.mark.integration
USER, PASSWORD = "newsmon", "sasl-test-password-4711"
BODY_MARK = "Zanzibar-lighthouse-keepers-unique-phrase"


@pytest.fixture(scope="module")
def sasl_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    logged_in = KafkaSecurity("SASL_PLAINTEXT", "PLAIN", USER, PASSWORD)
    security.use(logged_in)
    try:
        with running_cluster(
            tmp_path_factory.mktemp("sasl"),
            sasl_users=((USER, PASSWORD),),
            NEWSMON_KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
            NEWSMON_KAFKA_SASL_MECHANISM="PLAIN",
            NEWSMON_KAFKA_SASL_USERNAME=USER,
            NEWSMON_KAFKA_SASL_PASSWORD=PASSWORD,
        ) as cluster:
            yield cluster
    finally:
        security.use(KafkaSecurity())


def test_the_broker_refuses_a_wrong_password_and_plaintext(sasl_cluster: Cluster) -> None:
    assert broker_answers(sasl_cluster.bootstrap)  # the right login works
    security.use(KafkaSecurity("SASL_PLAINTEXT", "PLAIN", USER, "wrong"))
    try:
        assert not broker_answers(sasl_cluster.bootstrap)
    finally:
        security.use(KafkaSecurity("SASL_PLAINTEXT", "PLAIN", USER, PASSWORD))
    security.use(KafkaSecurity())
    try:
        assert not broker_answers(sasl_cluster.bootstrap)
    finally:
        security.use(KafkaSecurity("SASL_PLAINTEXT", "PLAIN", USER, PASSWORD))


def test_a_worker_logs_in_with_sasl_and_keeps_bodies_and_secrets_out_of_its_log(
    sasl_cluster: Cluster,
) -> None:
    worker = sasl_cluster.add_worker()
    text = (
        f"China and Russia signed an energy agreement in Moscow on Monday. {BODY_MARK} "
        "Officials from both countries attended."
    )
    good = orjson.dumps({"id": "sasl-1", "text": text, "lang": "en"})
    broken = b'{"id": "sasl-2", "text": "' + BODY_MARK.encode() + b'" broken json'
    sasl_cluster.produce([(b"a", good), (b"b", broken)])
    topics = sasl_cluster.topics
    out = sasl_cluster.read_until(
        [topics.enriched, topics.dead_letters, topics.alerts],
        lambda v: (
            bool(v[topics.enriched]) and bool(v[topics.dead_letters]) and bool(v[topics.alerts])
        ),
        timeout=180,
    )
    assert [orjson.loads(v)["id"] for v in out[topics.enriched]] == ["sasl-1"]
    assert orjson.loads(out[topics.dead_letters][0])["reason"] == "not_json"
    assert out[topics.alerts], worker.tail()
    time.sleep(1)
    log = Path(worker.log).read_text(errors="replace")
    assert "dead letter" in log  # it did log the rejection ...
    assert BODY_MARK not in log  # ... but not the article's words
    assert PASSWORD not in log
