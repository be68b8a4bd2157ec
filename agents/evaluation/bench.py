"""The throughput benchmark's pieces that need no broker (bench/throughput.py runs them).

The article set, the messages sent to Kafka, the in-process speed of the pure core (cold pass,
then warm pass, in the worker's batches of 32, CPU seconds), where that CPU goes (cProfile),
and the arithmetic of rates and latency percentiles.
"""

from __future__ import annotations

import cProfile
import math
import pstats
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from agents.core import alerting
from agents.core.deadletter import SourceRecord
from agents.core.detect import Detector
from agents.core.enrich import Enricher
from agents.core.pipeline import MATCHES, AlertStage, EnrichStage
from agents.core.schemas import first_error
from agents.core.stories import PERMUTATIONS
from agents.evaluation.corpora import WMT_DIR, load_wmt
from agents.evaluation.speed import cpu_seconds, five_hundred_word_articles, word_count

LANGUAGES = ("en", "cs", "de", "es", "fr", "hi", "is", "ja", "ru", "uk", "zh")  # WMT's eleven


# --- the articles -------------------------------------------------------------------------


def bench_articles(shared: Path, per_language: int) -> list[dict[str, Any]]:
    """500-word articles (500 characters in zh and ja) cut from each language's WMT news
    documents in corpus order, at most ``per_language`` each, interleaved language by
    language so that every slice of the list has every language."""
    records = [r for r in load_wmt(shared / WMT_DIR) if r.domain == "news"]
    by_lang = {
        lang: five_hundred_word_articles(
            [{"text": r.text} for r in records if r.lang == lang], lang
        )[:per_language]
        for lang in LANGUAGES
    }
    articles: list[dict[str, Any]] = []
    for n in range(max(len(found) for found in by_lang.values())):
        for lang, found in by_lang.items():
            if n < len(found):
                articles.append({"id": f"bench-{lang}-{n}", "text": found[n]["text"], "lang": lang})
    return articles


def words(articles: Iterable[dict[str, Any]]) -> int:
    return sum(word_count(a["text"], a["lang"]) for a in articles)


def message(article: dict[str, Any], article_id: str) -> tuple[bytes, bytes]:
    """(key, value) of a raw-article record: the article under a new id."""
    return article_id.encode(), orjson.dumps({**article, "id": article_id, "source": "bench"})


def messages(
    articles: Sequence[dict[str, Any]], prefix: str, count: int
) -> list[tuple[str, bytes, bytes]]:
    """``count`` records cycling through ``articles``: (article id, key, value)."""
    found = []
    for n in range(count):
        article_id = f"{prefix}-{n}"
        found.append((article_id, *message(articles[n % len(articles)], article_id)))
    return found


# --- the pure core in one process -----------------------------------------------------------


@dataclass(frozen=True)
class CoreSpeed:
    label: str
    articles: int
    words: int
    cold_seconds: float  # CPU seconds of the first pass (fresh caches)
    warm_seconds: float  # CPU seconds of the second pass over the same articles

    @property
    def articles_per_second(self) -> float:
        return rate(self.articles, self.warm_seconds)

    @property
    def words_per_second(self) -> float:
        return rate(self.words, self.warm_seconds)


def core_speed(label: str, enricher: Enricher, articles: Sequence[dict[str, Any]]) -> CoreSpeed:
    cold = cpu_seconds(enricher, articles)
    warm = cpu_seconds(enricher, articles)
    return CoreSpeed(label, len(articles), words(articles), cold, warm)


def alerting_articles(
    enricher: Enricher, detector: Detector, articles: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The articles on which ``detector``'s rules match (in-process, same code as the worker)."""
    return [a for a in articles if detector.matches_for(enricher.enrich(a))]


# --- where the worker's CPU goes ---------------------------------------------------------------

# (share name, functions whose cumulative time it is), in the order of the pipeline
PROFILE_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("English statistical NER (spaCy pipe)", ("ner.py:find_many",)),
    ("language ID", ("langid.py:detect_language",)),
    ("tokenising + gazetteer matching", ("entities.py:tokenize", "entities.py:extract")),
    ("topic tagging", ("topics.py:tag_many",)),  # tag() goes through it too
    ("JSON schema checks (jsonschema)", ("schemas.py:first_error",)),
    ("JSON parse and write (orjson)", ("<orjson.loads>", "<orjson.dumps>")),
    ("rule evaluation", ("detect.py:matches_for",)),
    ("alert folding (story similarity)", ("alerting.py:fold",)),
)
STAGES = ("enrich", "alert")


@dataclass
class StageCosts:
    """CPU seconds of each stage over a run, and of the schema check of each stage's input."""

    articles: int = 0
    alerts: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    schema: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    matches: list[bytes] = field(default_factory=list)  # the enrich stage's rule matches

    def per_article_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.articles if self.articles else 0.0


SCHEMAS = {"enrich": "raw_article.v1", "alert": "rule_match.v1"}


def run_stages(
    enrich: EnrichStage,
    alert: AlertStage,
    values: Sequence[bytes],
    batch_size: int = 32,
    schema_costs: bool = True,
) -> StageCosts:
    """The worker's two stages (enrich with its rules, then alert) in one thread on raw values,
    in its batches, with a dict for the table; each stage's CPU seconds, then what checking its
    inputs' schema alone costs."""
    costs = StageCosts(articles=len(values))
    store: dict[str, Any] = {}
    inputs: dict[str, list[bytes]] = {stage: [] for stage in STAGES}
    clock = time.process_time
    for first in range(0, len(values), batch_size):
        raw = [record(v) for v in values[first : first + batch_size]]
        started = clock()
        matches = [o.value for o in enrich.process(raw) if o.destination == MATCHES]
        costs.seconds["enrich"] += (middle := clock()) - started
        for match in matches:
            costs.alerts += len(alert.process(record(match), store))
        costs.seconds["alert"] += clock() - middle
        inputs["enrich"] += values[first : first + batch_size]
        inputs["alert"] += matches
    costs.matches = inputs["alert"]
    for stage, schema in SCHEMAS.items() if schema_costs else ():
        documents = [orjson.loads(v) for v in inputs[stage]]
        started = clock()
        for document in documents:
            first_error(schema, document)
        costs.schema[stage] = clock() - started
    return costs


def record(value: bytes) -> SourceRecord:
    return SourceRecord("bench", 0, 0, value, None, int(time.time() * 1000))


# --- folding: a copy of an open story, or a new story --------------------------------------


@dataclass(frozen=True)
class FoldCost:
    label: str
    matches: int
    ms_per_match: float  # CPU of the alert stage per match
    bytes_per_match: float  # table values written, as JSON: what the changelog carries


class _CountingStore(dict[str, Any]):
    def __init__(self) -> None:
        super().__init__()
        self.bytes = 0

    def __setitem__(self, key: str, value: Any) -> None:
        self.bytes += len(orjson.dumps(value))
        super().__setitem__(key, value)


def fold_costs(alert: AlertStage, matches: Sequence[bytes], count: int = 2000) -> list[FoldCost]:
    """The alert stage per match, in process with a dict for the table, on the bench rule's
    matches under new article ids: (1) each a copy of a story the rule has open, as every match
    after the end-to-end bench's warm-up is; (2) each a new story (its signature replaced by
    random values) of a rule already at its cap of open stories, as in a stream of mostly new
    news. Each case runs twice on a fresh table: timed, then counting the bytes written."""
    rng = random.Random(20261130)
    documents = [orjson.loads(m) for m in matches]
    opened = [orjson.dumps(d) for d in documents]

    def copy(n: int, signature: list[int] | None = None) -> bytes:
        document = documents[n % len(documents)]
        alert_body = document["alert"]
        body = {**alert_body, "article": {**alert_body["article"], "id": f"fold-{n}"}}
        return orjson.dumps(
            {**document, "alert": body, "signature": signature or document["signature"]}
        )

    def fresh(n: int) -> bytes:
        return copy(n, [rng.randrange(2**32) for _ in range(PERMUTATIONS)])

    copies = [copy(n) for n in range(count)]
    filling = [fresh(n) for n in range(count, count + alerting.MAX_STORIES)]
    news = [fresh(n) for n in range(count + alerting.MAX_STORIES, 2 * count + alerting.MAX_STORIES)]
    cases = [
        ("a copy of an open story", opened, copies),
        (f"a new story, the rule at its cap of {alerting.MAX_STORIES:,} stories", filling, news),
    ]
    found = []
    for label, before, timed in cases:
        seconds, _ = _fold(alert, before, timed, {})
        _, written = _fold(alert, before, timed, _CountingStore())
        per_match = written / len(timed)
        found.append(FoldCost(label, len(timed), 1000 * seconds / len(timed), per_match))
    return found


def _fold(
    alert: AlertStage, before: Sequence[bytes], timed: Sequence[bytes], store: dict[str, Any]
) -> tuple[float, int]:
    """Fold ``before``, then ``timed`` into a fresh ``store``: the CPU seconds of the second
    part, and the bytes it wrote if the store counts them."""
    alert.mirrors.forget()
    for value in before:
        alert.process(record(value), store)
    written = store.bytes if isinstance(store, _CountingStore) else 0
    started = time.process_time()
    for value in timed:
        alert.process(record(value), store)
    seconds = time.process_time() - started
    if isinstance(store, _CountingStore):
        written = store.bytes - written
    return seconds, written


@dataclass(frozen=True)
class Profile:
    total_seconds: float
    articles: int
    parts: list[tuple[str, float]]  # (share name, seconds)

    @property
    def per_article_ms(self) -> float:
        return 1000 * self.total_seconds / self.articles if self.articles else 0.0


def profile(run: Callable[[], object], articles: int) -> Profile:
    """cProfile ``run`` (already warm) and sum the cumulative time of each PROFILE_PARTS entry."""
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = float(stats.total_tt)  # type: ignore[attr-defined]
    cumulative: dict[str, float] = {}
    for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        name = f"{Path(filename).name}:{function}" if filename != "~" else function
        cumulative[name] = cumulative.get(name, 0.0) + float(row[3])
    parts = [
        (label, sum(cumulative.get(f, 0.0) for f in functions))
        for label, functions in PROFILE_PARTS
    ]
    return Profile(total, articles, parts)


# --- arithmetic -------------------------------------------------------------------------------


def rate(amount: float, seconds: float) -> float:
    return amount / seconds if seconds > 0 else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (the smallest value with at least q% of values at or below it);
    NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Latency:
    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Latency:
        return cls(
            len(values),
            percentile(values, 50),
            percentile(values, 95),
            percentile(values, 99),
            max(values) if values else math.nan,
        )


def latencies_ms(sent_ms: dict[str, int], alerted_ms: dict[str, int]) -> list[float]:
    """Per article id present in both: alert timestamp minus raw-record timestamp."""
    return [float(alerted_ms[i] - sent_ms[i]) for i in sent_ms if i in alerted_ms]


def alerted_article(alert: dict[str, Any]) -> str | None:
    """The article that caused an alert record: the story's latest article (the first one for
    a new alert, the copy that arrived for an update); a threshold or spike alert has none."""
    story = alert.get("story")
    if isinstance(story, dict) and story.get("latest_article_id"):
        return str(story["latest_article_id"])
    article = alert.get("article")
    return str(article["id"]) if isinstance(article, dict) and "id" in article else None
