"""Raw article -> enriched article: language, canonical entities and IPTC topic tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.core.clock import now_iso
from agents.core.entities import EntityExtractor
from agents.core.kb import KnowledgeBase
from agents.core.langid import detect_language
from agents.core.ner import EnglishNER, NamedSpan
from agents.core.topics import TopicTagger

ENRICHED_SCHEMA = "enriched_article.v1"
# Matchers built at start-up; other languages are built on their first article.
WARM_LANGUAGES = ("en", "hi", "ru", "zh", "de", "fr", "es", "ar")


class Enricher:
    """Everything expensive (knowledge base, matchers, NER model) is built here, once."""

    def __init__(
        self,
        kb: KnowledgeBase,
        ner: EnglishNER | None = None,
        warm: Sequence[str] = WARM_LANGUAGES,
        with_topics: bool = True,
    ) -> None:
        self.extractor = EntityExtractor(kb, warm)
        self.ner = ner
        self.with_topics = with_topics  # off only to measure what tagging costs
        self.topics = TopicTagger.default(kb, lambda lang: self.extractor.matcher_for(lang).nlp)
        for lang in warm:
            self.topics.matcher_for(lang)

    def enrich_many(
        self, articles: Sequence[dict[str, Any]], ingested_at: Sequence[str | None] | None = None
    ) -> list[dict[str, Any]]:
        """Enrich a batch; English NER runs over the batch's English texts in one pipe."""
        guesses = [detect_language(a["text"], a.get("lang")) for a in articles]
        named: list[list[NamedSpan]] = [[] for _ in articles]
        if self.ner is not None:
            english = [i for i, guess in enumerate(guesses) if guess.lang == "en"]
            for i, spans in zip(
                english, self.ner.find_many(articles[i]["text"] for i in english), strict=True
            ):
                named[i] = spans
        times = ingested_at or [None] * len(articles)
        return [
            self._enriched(article, guess.lang, guess.score, spans, ingested)
            for article, guess, spans, ingested in zip(articles, guesses, named, times, strict=True)
        ]

    def enrich(self, article: dict[str, Any], ingested_at: str | None = None) -> dict[str, Any]:
        return self.enrich_many([article], [ingested_at])[0]

    def _enriched(
        self,
        article: dict[str, Any],
        lang: str,
        score: float,
        named: list[NamedSpan],
        ingested_at: str | None,
    ) -> dict[str, Any]:
        text = article["text"]
        doc = self.extractor.tokenize(text, lang)
        entities = [item.to_dict() for item in self.extractor.extract(text, lang, named, doc)]
        return {
            **article,
            "schema": ENRICHED_SCHEMA,
            "lang": lang,
            "lang_score": round(score, 4),
            "lang_declared": article.get("lang"),
            "ingested_at": article.get("ingested_at") or ingested_at,
            "enriched_at": now_iso(),
            "entities": entities,
            "topics": self.topics.tag(text, lang, entities, doc) if self.with_topics else [],
        }
