"""What the system said about a document, in the shapes the metrics compare."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from agents.core.enrich import Enricher
from agents.evaluation.metrics import Span
from agents.evaluation.speed import enrich_in_batches

# Our entity types in the common NER scheme; "other" has no counterpart and is not scored.
OUR_TYPES = {"person": "PER", "organization": "ORG", "country": "LOC", "location": "LOC"}
SCORED_TYPES = ("PER", "ORG", "LOC")


def article(doc_id: str, text: str, lang: str) -> dict[str, Any]:
    """A raw article as the worker gets it; ``lang`` is the corpus's declared language."""
    return {"id": doc_id, "text": text, "lang": lang}


def enrich(enricher: Enricher, articles: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return enrich_in_batches(enricher, articles)


def countries_of(enriched: Mapping[str, Any]) -> set[str]:
    """ISO alpha-2 codes of the country entities found (a person's country does not count)."""
    return {
        e["country"]
        for e in enriched.get("entities", ())
        if e["type"] == "country" and e["country"]
    }


def spans_of(enriched: Mapping[str, Any], types: Mapping[str, str] = OUR_TYPES) -> list[Span]:
    """Every mention of a scored entity as a typed span, duplicates removed."""
    found = {
        Span(m["start"], m["end"], types[e["type"]])
        for e in enriched.get("entities", ())
        if e["type"] in types
        for m in e["mentions"]
    }
    return sorted(found)


def qid_mentions(enriched: Mapping[str, Any]) -> list[tuple[Span, str, str]]:
    """(span, QID, our name) for mentions of entities linked to Wikidata (ids "Q...")."""
    found = {
        (Span(m["start"], m["end"], e["type"]), e["id"], e["name"])
        for e in enriched.get("entities", ())
        if str(e["id"]).startswith("Q")
        for m in e["mentions"]
    }
    return sorted(found)


def language_mismatches(enriched: Iterable[Mapping[str, Any]], declared: str) -> int:
    """Documents the enricher read as another language than the corpus declares: those were
    matched with the other language's names (and English NER did not run on them)."""
    return sum(1 for e in enriched if e.get("lang") != declared)
