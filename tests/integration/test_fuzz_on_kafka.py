"""Seeded fuzz through the real broker and worker: random bytes, byte-mutated articles and
articles of random Unicode. Every message must come out enriched or dead-lettered, exactly as
the decoder run here classifies it (in = enriched + dead letters), and the worker keeps going."""

from __future__ import annotations

import random

import orjson

from agents.core.decode import Rejection, decode_article
from tests.integration.conftest import Worker

SEED = 20261129


def _random_text(rng: random.Random, size: int) -> str:
    chars = []
    while len(chars) < size:
        code = rng.choice(
            [
                rng.randrange(0, 0x80),
                rng.randrange(0x80, 0x3000),
                rng.randrange(0x4E00, 0x9FFF),
                rng.randrange(0x1F300, 0x1FAFF),
            ]
        )
        if not 0xD800 <= code <= 0xDFFF:
            chars.append(chr(code))
    return "".join(chars)


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(buffer))
        action = rng.random()
        if action < 0.4:
            buffer[position] = rng.randrange(256)
        elif action < 0.7:
            del buffer[position]
        else:
            buffer.insert(position, rng.randrange(256))
    return bytes(buffer)


def _payloads() -> list[bytes]:
    rng = random.Random(SEED)
    payloads = [rng.randbytes(rng.randrange(0, 300)) for _ in range(40)]
    for n in range(40):
        # text that no shipped rule fires on: the alert topic is shared with other tests
        article = {"id": f"fuzz-m{n}", "text": "The harbour reopened after the storm. " * 3}
        payloads.append(_mutate(rng, orjson.dumps(article)))
    for n in range(20):
        text = _random_text(rng, rng.randrange(1, 400))
        payloads.append(orjson.dumps({"id": f"fuzz-u{n}", "text": text, "title": text[:20]}))
    return payloads


def test_fuzzed_messages_all_end_enriched_or_dead_lettered(worker: Worker) -> None:
    payloads = _payloads()
    positions = worker.produce(worker.topics.raw, payloads)
    expected: dict[tuple[int, int], str] = {}  # position -> article id, or "" for a dead letter
    for payload, position in zip(payloads, positions, strict=True):
        decoded = decode_article(payload)
        expected[position] = "" if isinstance(decoded, Rejection) else str(decoded["id"])
    ids = {article_id for article_id in expected.values() if article_id}
    dead_positions = {p for p, article_id in expected.items() if not article_id}
    assert len(ids) >= 20 and len(dead_positions) >= 40  # both paths are exercised

    def ours(letter: dict) -> bool:
        source = letter["source"]
        return source["topic"] == worker.topics.raw and (
            (source["partition"], source["offset"]) in expected
        )

    letters = worker.collect(
        worker.topics.dead_letters,
        lambda seen: (
            {(s["source"]["partition"], s["source"]["offset"]) for s in seen if ours(s)}
            >= dead_positions
        ),
        timeout=180,
    )
    enriched = worker.collect(
        worker.topics.enriched, lambda seen: {a["id"] for a in seen} >= ids, timeout=180
    )
    lettered = {(s["source"]["partition"], s["source"]["offset"]) for s in letters if ours(s)}
    assert lettered == dead_positions  # nothing a decoder accepts was dead-lettered
    assert ids <= {a["id"] for a in enriched}
    assert len(lettered) + len(ids) == len(payloads)
    assert worker.process.poll() is None
