"""Throughput of the entity layer: CPU seconds per article, cold and warm.

``time.process_time`` counts the CPU this process spends (all threads), so a busy machine does
not distort the figures the way wall-clock time would. The first pass runs on fresh tokenizer
and key caches (cold); the second pass over the same articles shows the steady state (warm).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agents.core.enrich import Enricher
from agents.core.languages import CHARACTER_LANGUAGES
from agents.evaluation.markdown import rate, table

BATCH_SIZE = 32  # the worker's default NEWSMON_BATCH_SIZE


@dataclass(frozen=True)
class SpeedResult:
    lang: str
    articles: int
    words: int
    cold_seconds: float
    warm_seconds: float
    articles_500: int = 0  # 500-word articles made of the same text, timed warm
    seconds_500: float = 0.0

    @property
    def mean_words(self) -> float:
        return self.words / self.articles if self.articles else 0.0


def word_count(text: str, lang: str) -> int:
    """Whitespace words; for languages written without spaces (zh, ja) non-space characters,
    which is what their matcher treats as tokens."""
    if lang in CHARACTER_LANGUAGES:
        return sum(1 for ch in text if not ch.isspace())
    return len(text.split())


def enrich_in_batches(
    enricher: Enricher, articles: Sequence[dict[str, Any]], batch_size: int = BATCH_SIZE
) -> list[dict[str, Any]]:
    """The worker's way: ``enrich_many`` per batch, so NER pipes a batch at a time."""
    enriched: list[dict[str, Any]] = []
    for first in range(0, len(articles), batch_size):
        enriched.extend(enricher.enrich_many(articles[first : first + batch_size]))
    return enriched


def cpu_seconds(enricher: Enricher, articles: Sequence[dict[str, Any]]) -> float:
    started = time.process_time()
    enrich_in_batches(enricher, articles)
    return time.process_time() - started


def paired_cpu_seconds(
    first: Enricher, second: Enricher, articles: Sequence[dict[str, Any]]
) -> tuple[float, float]:
    """CPU seconds of two enrichers over the same articles, taking turns batch by batch: a
    slow spell of the machine (they last longer than a batch) falls on both alike, where
    whole runs one after the other compared it with a fast one."""
    seconds = [0.0, 0.0]
    for start in range(0, len(articles), BATCH_SIZE):
        batch = articles[start : start + BATCH_SIZE]
        for n, enricher in enumerate((first, second)):
            started = time.process_time()
            enricher.enrich_many(batch)
            seconds[n] += time.process_time() - started
    return seconds[0], seconds[1]


def measure(enricher: Enricher, lang: str, articles: Sequence[dict[str, Any]]) -> SpeedResult:
    """Cold pass then warm pass over the same articles of one language, then the same text cut
    into 500-word articles (the size the throughput target is stated for)."""
    cold = cpu_seconds(enricher, articles)
    warm = cpu_seconds(enricher, articles)
    words = sum(word_count(a["text"], lang) for a in articles)
    long_articles = five_hundred_word_articles(articles, lang)
    seconds_500 = cpu_seconds(enricher, long_articles) if long_articles else 0.0
    return SpeedResult(lang, len(articles), words, cold, warm, len(long_articles), seconds_500)


def five_hundred_word_articles(
    articles: Sequence[dict[str, Any]], lang: str, size: int = 500
) -> list[dict[str, Any]]:
    """Consecutive documents joined and cut into articles of ``size`` words (characters for
    zh and ja); the remainder shorter than ``size`` is left out."""
    unit_texts: list[str] = []
    for article in articles:
        text = article["text"]
        units = (
            [ch for ch in text if not ch.isspace()] if lang in CHARACTER_LANGUAGES else text.split()
        )
        unit_texts.extend(units)
    joiner = "" if lang in CHARACTER_LANGUAGES else " "
    return [
        {"id": f"500w-{n}", "text": joiner.join(unit_texts[first : first + size]), "lang": lang}
        for n, first in enumerate(range(0, len(unit_texts) - size + 1, size))
    ]


def whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def speed_table(results: Sequence[SpeedResult]) -> str:
    rows = [
        [
            r.lang,
            r.articles,
            whole(r.mean_words),
            whole(rate(r.articles, r.cold_seconds)),
            whole(rate(r.words, r.cold_seconds)),
            whole(rate(r.articles, r.warm_seconds)),
            whole(rate(r.words, r.warm_seconds)),
            whole(rate(r.articles_500, r.seconds_500)),
        ]
        for r in results
    ]
    headers = ["lang", "articles", "words/article", "cold art/s", "cold words/s"]
    return table([*headers, "warm art/s", "warm words/s", "500-word art/s (warm)"], rows)
