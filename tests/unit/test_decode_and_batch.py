from __future__ import annotations

import io

import orjson
import pytest

from agents.batch import detect_file, enrich_file
from agents.core.deadletter import SourceRecord
from agents.core.decode import MAX_DEPTH, Rejection, _deeper_than, decode_article
from agents.core.detect import Detector
from agents.core.pipeline import DEAD_LETTERS, ENRICHED, MATCHES, EnrichStage


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\xff\xfe{}", "not_utf8"),
        (b"{not json", "not_json"),
        (b"[1, 2]", "not_object"),
        (b'{"id": "x"}', "schema_violation"),
        (b'{"id": 5, "text": "t"}', "schema_violation"),
        (b'{"id": "x", "text": ""}', "schema_violation"),
        (b'{"id": "x", "text": "t", "lang": 7}', "schema_violation"),
    ],
)
def test_rejections_have_stable_reasons(data: bytes, reason: str) -> None:
    result = decode_article(data)
    assert isinstance(result, Rejection)
    assert result.reason == reason


def test_size_limit() -> None:
    big = orjson.dumps({"id": "x", "text": "a" * 1000})
    assert decode_article(big, max_bytes=500) == Rejection(
        "too_large", f"message is {len(big)} bytes, limit is 500"
    )
    assert not isinstance(decode_article(big, max_bytes=5000), Rejection)


def test_schema_message_names_the_field() -> None:
    result = decode_article(b'{"id": "x", "text": 3}')
    assert isinstance(result, Rejection)
    assert result.message.startswith("text: ")


def test_enrich_file_keeps_ids_and_reports_bad_lines(enricher, hindi_article) -> None:
    lines = [
        orjson.dumps(hindi_article),
        b"{broken",
        b"",
        orjson.dumps({"id": "en-1", "text": "China and Russia held talks."}),
        orjson.dumps({"id": "no-text"}),
    ]
    errors = io.StringIO()
    sink = io.BytesIO()
    summary = enrich_file(enricher, io.BytesIO(b"\n".join(lines) + b"\n"), sink, errors)
    out = [orjson.loads(line) for line in sink.getvalue().splitlines()]
    assert [a["id"] for a in out] == ["hi-wang-yi-lavrov-call", "en-1"]
    assert (summary.read, summary.written, summary.rejected) == (4, 2, 2)
    report = errors.getvalue().splitlines()
    assert report[0].startswith("line 2: not_json: ")
    assert report[1].startswith("line 5: schema_violation: ")


def test_detect_file_end_to_end(enricher, detector, hindi_article) -> None:
    enriched = enricher.enrich(hindi_article)
    source = io.BytesIO(orjson.dumps(enriched) + b"\n" + b'{"id": "x", "text": "t"}\n')
    sink, errors = io.BytesIO(), io.StringIO()
    summary = detect_file(detector, source, sink, errors)
    rules = [orjson.loads(line)["rule"]["id"] for line in sink.getvalue().splitlines()]
    assert "china-russia" in rules
    assert summary.rejected == 1
    assert errors.getvalue().startswith("line 2: schema_violation: ")


def test_enrich_stage_publishes_the_article_even_when_its_rules_fail(
    enricher, detector, hindi_article
) -> None:
    """Rules run in the enrich batch: an article whose rule evaluation raises is still
    published enriched, and a dead letter (stage detect) keeps its raw bytes and offset; the
    other articles of the batch get their matches."""

    class Flaky(Detector):
        def matches_for(self, article):
            if article["id"] == "broken":
                raise ValueError("rule engine bug")
            return super().matches_for(article)

    stage = EnrichStage(enricher, Flaky(detector.book))
    broken = orjson.dumps({**hindi_article, "id": "broken"})
    outputs = stage.process(
        [SourceRecord("raw", 0, 7, broken), SourceRecord("raw", 0, 8, orjson.dumps(hindi_article))]
    )
    enriched = [o.document["id"] for o in outputs if o.destination == ENRICHED]
    assert enriched == ["broken", "hi-wang-yi-lavrov-call"]
    [letter] = [o.document for o in outputs if o.destination == DEAD_LETTERS]
    assert (letter["stage"], letter["reason"], letter["source"]["offset"]) == (
        "detect",
        "processing_error",
        7,
    )
    assert "rule engine bug" in letter["message"]
    matched = {o.document["alert"]["article"]["id"] for o in outputs if o.destination == MATCHES}
    assert matched == {"hi-wang-yi-lavrov-call"}


def _nested(depth: int, leaf: object) -> object:
    """``leaf`` inside lists so that it sits at ``depth`` (the outer document is depth 1)."""
    value = leaf
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("depth", "leaf", "deeper"),
    [
        (64, 1, False),  # a scalar at the limit
        (65, 1, True),  # a scalar one level past it
        (64, [], False),  # an empty list at the limit holds nothing deeper
        (64, {}, False),
        (64, {"a": None}, True),  # its value is at 65
        (65, "x", True),
    ],
)
def test_depth_limit_counts_scalars_and_containers_alike(
    depth: int, leaf: object, deeper: bool
) -> None:
    document = {"id": "d", "x": _nested(depth - 1, leaf)}
    assert _deeper_than(document, MAX_DEPTH) is deeper
    assert MAX_DEPTH == 64
