"""The story mirror must give exactly the alerts of reading every story of the rule.

The oracle below is the linear directory scan the mirror replaced (agents/core/alerting.py
before the mirror), kept here verbatim in substance. Random match sequences exercise what can
differ: similarities around the 0.5 cut, replays (with the same or an edited text), event
times that go backwards, expiry, the caps on stories and remembered ids, and rebuilds of the
mirror after a rebalance.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from agents.core import alerting, storydirectory
from agents.core.alerting import UPDATE, AlertFolder, _story_alert
from agents.core.detect import alert_id
from agents.core.rules import parse_rules
from agents.core.stories import SAME_STORY, similarity
from agents.core.storydirectory import StoryDirectory
from agents.core.storyindex import StoryMirror

LENGTH = 64


def linear_fold(store: dict[str, Any], match: dict[str, Any], rule: Any) -> list[dict]:
    """The pre-mirror algorithm: every story of the rule, in directory order."""
    now = float(match["event_time"])
    article_id = match["alert"]["article"]["id"]
    directory_key = f"{rule.id}|stories"
    story_ids: list[str] = list(store.get(directory_key, ()))
    kept = []
    best = None
    for story_id in story_ids:
        story = store.get(f"{rule.id}|story|{story_id}")
        if story is None or story["last_seen"] < now - rule.story_window:
            store.pop(f"{rule.id}|story|{story_id}", None)
            continue
        kept.append(story_id)
        if article_id in story["article_ids"]:
            return []
        score = similarity(match["signature"], story["signature"])
        if score >= SAME_STORY and (best is None or score > best[0]):
            best = (score, story_id, story)
    if best is not None:
        _, story_id, story = best
        story["copies"] += 1
        story["last_seen"] = max(story["last_seen"], now)
        if match["source"] not in story["outlets"]:
            story["outlets"].append(match["source"])
        story["article_ids"] = [*story["article_ids"], article_id][-alerting.MAX_IDS :]
        store[f"{rule.id}|story|{story_id}"] = story
        if kept != story_ids:
            store[directory_key] = kept
        return [_story_alert(story, UPDATE, best[0])]
    new_id = alert_id(rule.id, article_id)
    story = {
        "alert_id": new_id,
        "signature": match["signature"],
        "first_seen": now,
        "last_seen": now,
        "copies": 1,
        "outlets": [match["source"]],
        "article_ids": [article_id],
        "alert": match["alert"],
    }
    kept.append(new_id)
    for old in kept[: -alerting.MAX_STORIES]:
        store.pop(f"{rule.id}|story|{old}", None)
    store[f"{rule.id}|story|{new_id}"] = story
    store[directory_key] = kept[-alerting.MAX_STORIES :]
    return [_story_alert(story, alerting.NEW, None)]


def _variant(rng: random.Random, base: list[int], keep: float) -> list[int]:
    return [v if rng.random() < keep else rng.randrange(1000) for v in base]


def _matches(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    bases = [[rng.randrange(1000) for _ in range(LENGTH)] for _ in range(rng.randint(1, 6))]
    sent: list[tuple[str, list[int]]] = []
    now = 1_700_000_000.0
    found = []
    for n in range(count):
        now += rng.choice([-3000.0, -900.0, 0.0, 60.0, 300.0, 1800.0, 5000.0])
        roll = rng.random()
        if sent and roll < 0.15:
            article_id, signature = rng.choice(sent)  # a replay, same text
        elif sent and roll < 0.2:
            article_id = rng.choice(sent)[0]  # a replay of an edited text
            signature = _variant(rng, rng.choice(bases), rng.random())
        else:
            article_id = f"a{n}"
            # keep 35-75% of a base story: similarities spread around the 0.5 cut
            signature = _variant(rng, rng.choice(bases), rng.uniform(0.35, 1.0))
        sent.append((article_id, signature))
        found.append(
            {
                "rule_id": "r",
                "event_time": now,
                "source": rng.choice(["a.example", "b.example", "c.example"]),
                "signature": signature,
                "alert": {"article": {"id": article_id}, "timestamps": {}, "reason": ""},
            }
        )
    return found


def _comparable(alerts: list[dict[str, Any]]) -> list[tuple]:
    return [(a["alert_id"], a["status"], a["revision"], repr(a["story"])) for a in alerts]


@pytest.fixture(scope="module")
def story_rule(kb):
    return parse_rules(
        "r.yaml", "rules:\n  - id: r\n    all_of: [Chile]\n    story_window: 1h\n", kb
    ).rules[0]


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), forget_every=st.integers(0, 7), legacy_at=st.integers(-1, 59)
)
# found by this test in CI: a story dropped by a replay but still listed went unnoticed by the
# expiry bound (17 of 12,008 sequences failed before the fix)
@example(seed=393985519, forget_every=0, legacy_at=-1)
# found while chunking the directory: a story listed twice, capped once, is still listed
@example(seed=4125806693, forget_every=4, legacy_at=2)
def test_the_mirror_gives_the_alerts_of_the_linear_scan(
    story_rule, monkeypatch_caps, seed: int, forget_every: int, legacy_at: int
) -> None:
    """``legacy_at``: after that match the directory is put back in the layout written before
    chunks (one list), as an older worker left it; -1: never."""
    linear_store: dict[str, Any] = {}
    mirror_store: dict[str, Any] = {}
    folder = AlertFolder(mirror_store)
    for n, match in enumerate(_matches(seed, 60)):
        expected = linear_fold(linear_store, _copy(match), story_rule)
        got = folder.fold(_copy(match), story_rule)
        assert _comparable(got) == _comparable(expected), f"match {n} of seed {seed}"
        if forget_every and n % forget_every == 0:
            folder.mirrors.forget()  # a rebalance: rebuilt from the store
        if n == legacy_at:
            _to_layout_before_chunks(mirror_store, "r")
    assert StoryDirectory(mirror_store, "r").read() == linear_store.get("r|stories", [])


def _to_layout_before_chunks(store: dict[str, Any], rule_id: str) -> None:
    ids = StoryDirectory(store, rule_id).read()
    for key in [k for k in store if k.startswith(f"{rule_id}|stories")]:
        del store[key]
    store[f"{rule_id}|stories"] = ids


@pytest.fixture(scope="module")
def monkeypatch_caps():
    """Small caps, so that 60 matches reach them, and chunks of two ids, so that the directory
    spans several."""
    saved = alerting.MAX_STORIES, alerting.MAX_IDS, storydirectory.CHUNK
    alerting.MAX_STORIES, alerting.MAX_IDS, storydirectory.CHUNK = 4, 3, 2
    yield
    alerting.MAX_STORIES, alerting.MAX_IDS, storydirectory.CHUNK = saved


def _copy(match: dict[str, Any]) -> dict[str, Any]:
    return {**match, "alert": {**match["alert"], "timestamps": {}}}


def test_a_mirror_rebuilds_when_the_directory_changed_underneath() -> None:
    stories = {"s1": {"signature": [1] * LENGTH, "last_seen": 10.0, "article_ids": ["x"]}}
    mirror = StoryMirror.build(["s1", "gone"], stories.get)
    assert mirror.story_of("x") == "s1"
    assert mirror.similar([1] * 32 + [2] * 32, 0.5) == [(0.5, "s1")]
    assert mirror.similar([1] * 31 + [2] * 33, 0.5) == []
    assert mirror.expired(0.0) == ["gone"]  # listed without a record: dropped like an expired one


@pytest.mark.parametrize(
    "text",
    [
        "Chile and Peru signed a fisheries agreement on Monday, officials said.",
        "中国和俄罗斯外长通电话，讨论了双边关系。" * 3,
        "भारत और चीन के विदेश मंत्रियों ने फोन पर बातचीत की।",
        "Two words",
        "",
    ],
)
def test_signatures_keep_the_values_stored_in_rule_state(text: str) -> None:
    """Open stories keep their first signature in the rule state: a faster signature must
    give the values of the reference formula (CRC-32 of each shingle's UTF-8 bytes)."""
    from agents.core import stories

    assert stories.signature(text) == reference_signature(text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.sampled_from("ab cß  \t\nÄé\u0301中国俄ロシアभारत्ि-.'_0\u00a0\u3000"), max_size=60)
)
def test_signatures_of_any_text_keep_the_reference_values(text: str) -> None:
    """Words with combining marks, case folding that changes length (ß), non-breaking and
    ideographic spaces, digits and underscores: the bytes the faster path splits must be the
    bytes of each shingle."""
    from agents.core import stories

    assert stories.signature(text) == reference_signature(text)


def reference_signature(text: str) -> list[int]:
    """The signature as first written: each shingle joined as text, then encoded."""
    import re
    import zlib

    import numpy as np

    from agents.core import stories

    folded = text.casefold()
    if len(stories._CHARACTERS.findall(folded)) > len(folded) / 3:
        letters = "".join(ch for ch in folded if not ch.isspace())
        grams = {letters[i : i + 4].encode() for i in range(max(1, len(letters) - 3))}
    else:
        words = re.findall(r"\w+", folded)
        grams = (
            {" ".join(words).encode()}
            if len(words) < 3
            else {" ".join(words[i : i + 3]).encode() for i in range(len(words) - 2)}
        )
    hashes = np.fromiter((zlib.crc32(g) for g in grams), dtype=np.uint64)
    return [
        int(v) for v in ((hashes[:, None] * stories._A + stories._B) % stories._PRIME).min(axis=0)
    ]


def test_expiry_skips_the_scan_only_while_no_story_can_have_expired() -> None:
    stories = {
        "a": {"signature": [1] * LENGTH, "last_seen": 10.0, "article_ids": ["x"]},
        "b": {"signature": [2] * LENGTH, "last_seen": 20.0, "article_ids": ["y"]},
    }
    mirror = StoryMirror.build(["a", "b"], stories.get)
    assert mirror.expired(5.0) == []
    assert mirror.earliest == 10.0  # learnt by that scan
    assert mirror.expired(15.0) == ["a"]
    mirror.counted("a", 30.0, ["x", "z"])  # later than the bound: the bound stays low, and safe
    assert mirror.expired(15.0) == []
    mirror.opened("c", [3] * LENGTH, 1.0, "w")  # an event time in the past lowers the bound
    mirror.directory.append("c")
    assert mirror.earliest == 1.0
    assert mirror.expired(15.0) == ["c"]
    mirror.counted("b", 0.5, ["y"])  # never done by the folder, but the bound follows it
    assert mirror.expired(15.0) == ["b", "c"]
    mirror.counted("b", 40.0, ["y"])
    mirror.counted("c", 40.0, ["w"])
    assert mirror.expired(15.0) == []
    mirror.removed(["a"], still_listed=True)  # a replay drops only what precedes its story
    assert mirror.expired(15.0) == ["a"]  # listed but gone reads as expired
    mirror.directory.remove("a")
    assert mirror.expired(15.0) == []
    mirror.removed(["b"])  # dropped from the directory too: no scan needed for it
    mirror.directory.remove("b")
    assert mirror.earliest == 40.0
    assert mirror.expired(15.0) == []
