"""What the scenarios send: real news articles, syndicated copies of some, and hostile input.

Every message is described by a ``Sent`` entry, so the ledger can say where each one ended up:
an article must come out enriched (found by its id), anything unusable must reach the dead-letter
topic (found by its source partition and offset).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from agents.evaluation.corpora import WMT_DIR, load_wmt
from agents.settings import REPO_ROOT

SAMPLES = REPO_ROOT / "config" / "samples" / "articles.jsonl"
OUTLETS = ("wire.example", "daily.example", "herald.example", "post.example", "gazette.example")


@dataclass(frozen=True)
class Message:
    key: bytes
    value: bytes
    article_id: str | None  # None: not an article we expect to come out enriched
    story: str | None = None  # the story this article is a copy of (ground truth for alerts)
    kind: str = "article"


def _article(article_id: str, text: str, title: str, source: str, lang: str | None) -> bytes:
    document = {"id": article_id, "title": title, "text": text, "source": source}
    if lang:
        document["lang"] = lang
    return orjson.dumps(document)


def news_articles(shared: Path, limit: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(lang, text, origin id) of real news documents: WMT test sets in 11 languages plus the
    founding Hindi sample, shuffled with a fixed seed so every language is in every slice."""
    records = [r for r in load_wmt(shared / WMT_DIR) if r.domain == "news" and len(r.text) > 400]
    random.Random(seed).shuffle(records)
    sample = orjson.loads(SAMPLES.read_text(encoding="utf-8").splitlines()[0])
    found = [("hi", sample["text"], sample["id"])]
    found.extend((r.lang, r.text, r.id) for r in records[: max(0, limit - 1)])
    return found


def articles(
    run: str, news: Sequence[tuple[str, str, str]], copies_every: int = 5, copies: int = 3
) -> list[Message]:
    """One message per news document, and ``copies`` syndicated copies of every
    ``copies_every``-th document (another outlet, headline and footer: the same story)."""
    messages = []
    for n, (lang, text, _) in enumerate(news):
        story = f"{run}-{n}"
        messages.append(
            Message(
                story.encode(),
                _article(story, text, f"Report {n}", OUTLETS[0], lang),
                story,
                story,
            )
        )
        if copies_every and n % copies_every == 0:
            for c in range(1, copies + 1):
                copy_id = f"{story}-copy{c}"
                footer = f"\n\n(Distributed by {OUTLETS[c % len(OUTLETS)]}, item {c}.)"
                messages.append(
                    Message(
                        copy_id.encode(),
                        _article(
                            copy_id, text + footer, f"Copy {c}: report {n}", OUTLETS[c % 5], lang
                        ),
                        copy_id,
                        story,
                    )
                )
    return messages


def originals_and_copies(messages: Sequence[Message]) -> tuple[list[Message], list[Message]]:
    """Split so that copies can be sent after a crash: the restarted worker must fold them into
    the stories its table recovered, not open new ones."""
    originals = [m for m in messages if m.article_id == m.story]
    copies = [m for m in messages if m.article_id != m.story]
    return originals, copies


def hostile(run: str, big_bytes: int = 20_000_000) -> list[Message]:
    """One message of each kind of bad or awkward input. Those that are still articles (HTML,
    mixed scripts, escaped control characters) must come out enriched; the rest dead-lettered."""
    bad: list[tuple[str, bytes]] = [
        ("empty", b""),
        ("whitespace", b"   \n"),
        ("not_json", b"{this is not json"),
        ("truncated", b'{"id": "x", "text": "cut off'),
        ("not_utf8", b'{"id": "x", "text": "\xff\xfe bad bytes"}'),
        ("array", b'[{"id": "x", "text": "y"}]'),
        ("number", b"42"),
        ("missing_text", b'{"id": "no-text"}'),
        ("missing_id", b'{"text": "no id here"}'),
        ("wrong_type_id", b'{"id": 17, "text": "id is a number"}'),
        ("wrong_type_text", b'{"id": "x", "text": ["a", "list"]}'),
        ("null_text", b'{"id": "x", "text": null}'),
        ("deep", b'{"id": "x", "text": "t", "extra": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("raw_control", b'{"id": "x", "text": "bell \x07 inside a string"}'),
        ("huge", b'{"id": "huge", "text": "' + b"word " * (big_bytes // 5) + b'"}'),
    ]
    messages = [
        Message(f"{run}-bad-{name}".encode(), value, None, None, name) for name, value in bad
    ]
    awkward = {
        "html": "<html><body><p>Talks in <b>Beijing</b> &amp; Moscow</p><script>x()</script>"
        "<div>Chinese and Russian diplomats met on Monday.</div></body></html>",
        "mixed": "Путин met 习近平 in Moscow; मोदी and Erdoğan spoke on the phone; "
        "طهران was mentioned too.",
        "controls": "Tab\tand\u0000nul\u0007bell\u001bescape in an article about Germany.",
        "emoji": "🇨🇳🤝🇷🇺 China and Russia sign an energy deal 🛢️⚡ " * 3,
    }
    for name, text in awkward.items():
        article_id = f"{run}-odd-{name}"
        messages.append(
            Message(
                article_id.encode(),
                orjson.dumps({"id": article_id, "text": text}),
                article_id,
                article_id,
                name,
            )
        )
    return messages


def interleave(good: Sequence[Message], bad: Sequence[Message], seed: int = 11) -> list[Message]:
    """Bad messages spread through the good ones, in a fixed order."""
    rng = random.Random(seed)
    slots = sorted(rng.sample(range(len(good) + len(bad)), len(bad)))
    out: list[Message] = []
    bad_iter: Iterator[Message] = iter(bad)
    good_iter: Iterator[Message] = iter(good)
    for position in range(len(good) + len(bad)):
        source = bad_iter if slots and position == slots[0] else good_iter
        if source is bad_iter:
            slots.pop(0)
        out.append(next(source))
    assert not list(itertools.chain(bad_iter, good_iter))
    return out
