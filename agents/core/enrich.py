"""Raw article -> enriched article: language, canonical entities and IPTC topic tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc

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
        """Enrich a batch; English NER runs over the batch's English texts in one pipe, topic
        tagging over the whole batch at once."""
        guesses = [detect_language(a["text"], a.get("lang")) for a in articles]
        named: list[list[NamedSpan]] = [[] for _ in articles]
        if self.ner is not None:
            english = [i for i, guess in enumerate(guesses) if guess.lang == "en"]
            for i, spans in zip(
                english, self.ner.find_many(articles[i]["text"] for i in english), strict=True
            ):
                named[i] = spans
        parsed = [
            self._parse(article["text"], guess.lang, spans)
            for article, guess, spans in zip(articles, guesses, named, strict=True)
        ]
        topics = self._topics(articles, [guess.lang for guess in guesses], parsed)
        times = ingested_at or [None] * len(articles)
        return [
            self._enriched(article, guess.lang, guess.score, entities, tags, ingested)
            for article, guess, (_, entities), tags, ingested in zip(
                articles, guesses, parsed, topics, times, strict=True
            )
        ]

    def enrich(self, article: dict[str, Any], ingested_at: str | None = None) -> dict[str, Any]:
        return self.enrich_many([article], [ingested_at])[0]

    def _parse(
        self, text: str, lang: str, named: list[NamedSpan]
    ) -> tuple[Doc, list[dict[str, Any]]]:
        """The article's Doc (the topic tagger reads the same tokens) and its entities."""
        doc = self.extractor.tokenize(text, lang)
        return doc, [item.to_dict() for item in self.extractor.extract(text, lang, named, doc)]

    def _topics(
        self,
        articles: Sequence[dict[str, Any]],
        langs: list[str],
        parsed: list[tuple[Doc, list[dict[str, Any]]]],
    ) -> list[list[dict[str, Any]]]:
        if not self.with_topics:
            return [[] for _ in articles]
        texts = [article["text"] for article in articles]
        entities = [found for _, found in parsed]
        return self.topics.tag_many(texts, langs, entities, [doc for doc, _ in parsed])

    def _enriched(
        self,
        article: dict[str, Any],
        lang: str,
        score: float,
        entities: list[dict[str, Any]],
        topics: list[dict[str, Any]],
        ingested_at: str | None,
    ) -> dict[str, Any]:
        return {
            **article,
            "schema": ENRICHED_SCHEMA,
            "lang": lang,
            "lang_score": round(score, 4),
            "lang_declared": article.get("lang"),
            "ingested_at": article.get("ingested_at") or ingested_at,
            "enriched_at": now_iso(),
            "entities": entities,
            "topics": topics,
        }
