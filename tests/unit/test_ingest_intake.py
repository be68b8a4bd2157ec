"""POST /ingest checks without a web server: token, size, JSON, schema; all or nothing."""

from __future__ import annotations

import orjson
import pytest

from agents.ingest.intake import MAX_PROBLEMS, Answer, Limits, authorize, check_batch

TOKEN = "s3cret-token"
GOOD = {"id": "a1", "text": "China and Russia held talks.", "lang": "en"}


def test_without_a_configured_token_ingest_is_disabled() -> None:
    for token in (None, ""):
        answer = authorize(token, f"Bearer {TOKEN}")
        assert answer is not None and answer.status == 503
        assert answer.body["error"] == "ingest_disabled"


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_a_missing_or_wrong_token_is_401(header: str | None) -> None:
    answer = authorize(TOKEN, header)
    assert answer is not None and answer.status == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_right_token_passes() -> None:
    assert authorize(TOKEN, f"Bearer {TOKEN}") is None
    assert authorize(TOKEN, f"bearer  {TOKEN}") is None


def test_one_article_or_a_batch_becomes_keyed_messages() -> None:
    single = check_batch(orjson.dumps(GOOD), Limits())
    assert single == [(b"a1", orjson.dumps(GOOD))]
    batch = check_batch(orjson.dumps([GOOD, {**GOOD, "id": "a2"}]), Limits())
    assert isinstance(batch, list) and [key for key, _ in batch] == [b"a1", b"a2"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"", 400, "empty"),
        (b"{not json", 400, "not_json"),
        (b"[]", 400, "not_articles"),
        (b'"text"', 400, "not_articles"),
        (b"x" * 101, 413, "too_large"),
    ],
)
def test_bodies_that_are_no_articles(body: bytes, status: int, code: str) -> None:
    answer = check_batch(body, Limits(max_body_bytes=100))
    assert isinstance(answer, Answer)
    assert (answer.status, answer.body["error"]) == (status, code)


def test_too_many_items_is_413() -> None:
    answer = check_batch(orjson.dumps([GOOD] * 3), Limits(max_items=2))
    assert isinstance(answer, Answer) and answer.status == 413


def test_a_bad_item_refuses_the_batch_naming_each_problem() -> None:
    body = orjson.dumps([GOOD, {"id": "no-text"}, 7, {**GOOD, "lang": "English"}])
    answer = check_batch(body, Limits())
    assert isinstance(answer, Answer) and answer.status == 400
    assert answer.body["error"] == "invalid_articles" and answer.body["invalid"] == 3
    problems = answer.body["problems"]
    assert [(p["index"], p["id"], p["reason"]) for p in problems] == [
        (1, "no-text", "schema_violation"),
        (2, None, "not_object"),
        (3, "a1", "schema_violation"),
    ]
    assert "'text' is a required property" in problems[0]["message"]
    assert problems[2]["message"].startswith("lang:")


def test_an_oversized_article_and_long_problem_lists() -> None:
    big = check_batch(orjson.dumps({"id": "big", "text": "w" * 500}), Limits(max_article_bytes=100))
    assert isinstance(big, Answer) and big.body["problems"][0]["reason"] == "too_large"
    many = check_batch(orjson.dumps([{"id": str(i)} for i in range(50)]), Limits())
    assert isinstance(many, Answer)
    assert many.body["invalid"] == 50 and len(many.body["problems"]) == MAX_PROBLEMS
