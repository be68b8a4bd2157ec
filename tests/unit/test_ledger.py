"""The scenario ledger must catch what it exists to catch: a lost message, a replayed record, a
story alerted under two ids, an expected alert that never came."""

import orjson

from agents.reliability.ledger import account
from agents.reliability.workload import Message, hostile, interleave


def _article(article_id: str, story: str | None = None) -> Message:
    return Message(article_id.encode(), b"{}", article_id, story or article_id)


def _enriched(article_id: str) -> bytes:
    return orjson.dumps({"id": article_id})


def _letter(partition: int, offset: int) -> bytes:
    return orjson.dumps({"source": {"partition": partition, "offset": offset}})


def _alert(alert_id: str, rule: str, first_article: str, revision: int = 1) -> bytes:
    return orjson.dumps(
        {
            "alert_id": alert_id,
            "revision": revision,
            "rule": {"id": rule, "kind": "article"},
            "article": {"id": first_article},
        }
    )


def test_every_message_accounted_for() -> None:
    bad = Message(b"k", b"", None, None, "empty")
    sent = [(_article("a"), (0, 0)), (bad, (0, 1)), (_article("b"), (1, 0))]
    row = account("t", sent, [_enriched("a"), _enriched("b")], [_letter(0, 1)])
    assert (row.sent, row.enriched, row.dead_letters, row.lost, row.duplicates) == (3, 2, 1, 0, 0)
    assert row.accounted


def test_a_missing_article_is_lost_and_a_replay_is_a_duplicate() -> None:
    sent = [(_article("a"), (0, 0)), (_article("b"), (0, 1))]
    row = account("t", sent, [_enriched("a"), _enriched("a")], [])
    assert (row.enriched, row.lost, row.duplicates) == (1, 1, 1)
    assert not row.accounted
    assert "b" in row.notes[0]


def test_a_story_under_two_alert_ids_is_doubled_and_a_missing_one_lost() -> None:
    sent = [
        (_article("s1"), (0, 0)),
        (_article("s1-copy", story="s1"), (0, 1)),
        (_article("s2"), (0, 2)),
    ]
    enriched = [_enriched(i) for i in ("s1", "s1-copy", "s2")]
    alerts = [_alert("A", "r", "s1"), _alert("A", "r", "s1", 2), _alert("B", "r", "s1-copy")]
    row = account("t", sent, enriched, [], alerts, expected_stories={("r", "s1"), ("r", "s2")})
    assert row.doubled == 1  # s1 alerted as A and again as B
    assert row.lost == 1  # ("r", "s2") never alerted
    assert row.alerts == 2 and row.duplicates == 0


def test_hostile_input_is_interleaved_without_losing_any() -> None:
    good = [_article(f"g{n}") for n in range(30)]
    bad = hostile("x", big_bytes=1000)
    mixed = interleave(good, bad)
    assert sorted(m.key for m in mixed) == sorted(m.key for m in good + bad)
    assert mixed != good + bad
