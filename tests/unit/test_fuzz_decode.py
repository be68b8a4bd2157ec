"""Property-based fuzzing of the enrich stage's decoding and validation: whatever bytes arrive,
the stage never raises and every record ends enriched or dead-lettered with its original
bytes and a reason (in = enriched + dead letters, exactly)."""

from __future__ import annotations

import base64

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.core.deadletter import SourceRecord
from agents.core.enrich import Enricher
from agents.core.pipeline import DEAD_LETTERS, ENRICHED, EnrichStage
from agents.core.schemas import first_error

safe_integers = st.integers(min_value=-(2**53), max_value=2**53)  # what JSON carries exactly
json_values = st.recursive(
    st.none() | st.booleans() | safe_integers | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
texts = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Zs", "Lo", "Mn", "P"])),
    st.sampled_from(
        [
            "<p>China &amp; <b>Russia</b> met</p><script>alert(1)</script>",
            "Китай и Россия 中国和俄罗斯 चीन और रूस الصين وروسيا",
            "\x00\x01\x1b[31m control \u202e reversed \ufeff",
            "",
            " " * 50,
        ]
    ),
)
articles = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=20), "text": texts},
    optional={
        "lang": st.one_of(st.sampled_from(["en", "hi", "zz", ""]), safe_integers),
        "title": st.one_of(st.none(), st.text(max_size=30), safe_integers),
        "url": st.one_of(st.none(), st.text(max_size=30)),
        "published_at": st.one_of(st.none(), st.text(max_size=25), safe_integers),
        "extra": json_values,
    },
)
payloads = st.one_of(
    st.binary(max_size=300),
    json_values.map(orjson.dumps),
    articles.map(orjson.dumps),
    articles.map(lambda a: orjson.dumps(a)[:-3]),  # cut short
    st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n),  # deep
    st.integers(min_value=1, max_value=3000).map(
        lambda n: b'{"id": "d", "text": "x", "x": ' + b'{"a": ' * n + b"1" + b"}" * n + b"}"
    ),
)


@pytest.fixture(scope="module")
def stage(kb) -> EnrichStage:
    return EnrichStage(Enricher(kb, None, warm=("en",)), max_bytes=1_000_000)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(payloads, min_size=1, max_size=5))
def test_every_message_ends_enriched_or_dead_lettered(stage, batch) -> None:
    records = [SourceRecord("raw", 0, offset, value) for offset, value in enumerate(batch)]
    outputs = stage.process(records)
    assert len(outputs) == len(records)  # in = enriched + dead letters
    for record, out in zip(records, outputs, strict=True):
        assert out.destination in (ENRICHED, DEAD_LETTERS)
        if out.destination == DEAD_LETTERS:
            letter = out.document
            assert first_error("dead_letter.v1", letter) is None
            assert base64.b64decode(letter["original_base64"]) == record.value
            assert letter["source"]["offset"] == record.offset
        else:
            assert first_error("enriched_article.v1", out.document) is None


def test_deep_nesting_is_refused_not_a_crash(stage) -> None:
    deep = b'{"id": "d", "text": "x", "x": ' + b'{"a": ' * 254 + b"1" + b"}" * 254 + b"}"
    [out] = stage.process([SourceRecord("raw", 0, 0, deep)])  # orjson reads it, cannot write it
    assert (out.destination, out.document["reason"]) == (DEAD_LETTERS, "too_deep")


def test_size_limit_is_configurable_and_a_20_mb_article_is_refused(kb) -> None:
    enricher = Enricher(kb, None, warm=())
    huge = orjson.dumps({"id": "big", "text": "China and Russia. " * 1_200_000})
    assert len(huge) > 20_000_000
    [letter] = EnrichStage(enricher, max_bytes=2_000_000).process([SourceRecord("raw", 0, 0, huge)])
    assert (letter.destination, letter.document["reason"]) == (DEAD_LETTERS, "too_large")
    big = orjson.dumps({"id": "big", "text": "China and Russia met in Moscow. " * 8_000})
    [out] = EnrichStage(enricher, max_bytes=1_000_000).process([SourceRecord("raw", 0, 1, big)])
    assert out.destination == ENRICHED
    assert {"Q148", "Q159"} <= {e["id"] for e in out.document["entities"]}
