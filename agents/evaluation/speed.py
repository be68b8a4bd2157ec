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


def measure(enricher: Enricher, lang: str, articles: Sequence[dict[str, Any]]) -> SpeedResult:
    """Cold pass then warm pass over the same articles of one language."""
    cold = cpu_seconds(enricher, articles)
    warm = cpu_seconds(enricher, articles)
    words = sum(word_count(a["text"], lang) for a in articles)
    return SpeedResult(lang, len(articles), words, cold, warm)


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
            whole(_per_500_words(rate(r.words, r.warm_seconds))),
        ]
        for r in results
    ]
    headers = ["lang", "articles", "words/article", "cold art/s", "cold words/s"]
    # The target is stated for 500-word articles: warm words/s / 500 is a conservative estimate
    # (fixed per-article costs weigh less on longer articles).
    return table([*headers, "warm art/s", "warm words/s", "≈ art/s at 500 words"], rows)


def _per_500_words(words_per_second: float | None) -> float | None:
    return None if words_per_second is None else words_per_second / 500
