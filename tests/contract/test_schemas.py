"""The wire formats: schemas are valid Draft 2020-12 with ids; fixtures and outputs conform."""

from __future__ import annotations

import orjson
import pytest
from jsonschema import Draft202012Validator

from agents.core.alerting import LocalAlerts
from agents.core.deadletter import SourceRecord, dead_letter
from agents.core.decode import Rejection, decode_article
from agents.core.schemas import SCHEMA_NAMES, first_error, schema_dir
from tests.conftest import HINDI_SAMPLE


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_and_versioned(name: str) -> None:
    schema = orjson.loads((schema_dir() / f"{name}.json").read_bytes())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/{name}.json")


def test_every_bundled_sample_is_a_valid_raw_article() -> None:
    for line in HINDI_SAMPLE.read_bytes().splitlines():
        assert not isinstance(decode_article(line), Rejection), line[:80]


@pytest.mark.parametrize(
    "document",
    [
        {"text": "no id"},
        {"id": "x"},
        {"id": "", "text": "empty id"},
        {"id": "x", "text": "t", "published_at": 5},
        {"id": "x", "text": "t", "lang": "Hindi language"},
    ],
)
def test_invalid_raw_articles_are_refused(document: dict) -> None:
    assert first_error("raw_article.v1", document) is not None


def test_enriched_and_alert_outputs_conform(enricher, detector) -> None:
    for line in HINDI_SAMPLE.read_bytes().splitlines():
        enriched = enricher.enrich(orjson.loads(line))
        assert first_error("enriched_article.v1", enriched) is None
        for match in detector.matches_for(enriched):
            assert first_error("rule_match.v1", match) is None
        for alert in LocalAlerts(detector).alerts_for(enriched):
            assert first_error("alert.v1", alert) is None


def test_dead_letter_conforms_and_keeps_the_original_bytes() -> None:
    import base64

    record = SourceRecord("news.articles.raw", 3, 42, b"\xff not utf8", b"k", 1_700_000_000_000)
    letter = dead_letter(record, "enrich", "not_utf8", "invalid UTF-8 at byte 0")
    assert first_error("dead_letter.v1", letter) is None
    assert base64.b64decode(letter["original_base64"]) == b"\xff not utf8"
    assert letter["source"] == {
        "topic": "news.articles.raw",
        "partition": 3,
        "offset": 42,
        "timestamp": "2023-11-14T22:13:20.000Z",
        "key_base64": "aw==",
    }
