"""Reuters-21578: our country sets against the editors' PLACES codes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from agents.core.enrich import Enricher
from agents.core.kb import KnowledgeBase
from agents.evaluation.corpora import ReutersDoc, load_reuters
from agents.evaluation.markdown import prf, table, top_counts
from agents.evaluation.metrics import SetScores
from agents.evaluation.places import ignored_summary, map_places, place_table
from agents.evaluation.predictions import article, countries_of, enrich, language_mismatches

HEADING = "## 2. Reuters-21578: countries against the editors' PLACES"
RELEVANCE_NOTE = (
    "PLACES tag relevance, not mentions: editors assigned the countries a story is *about* "
    "(often only the dateline country, usually `usa`), not every country the text names. So a "
    "country we find that is mentioned in passing counts as a false positive, and a place the "
    "editors inferred (a dateline, a company's home country) but the text never names counts as "
    "a miss. Precision here measures how far our mentions coincide with aboutness; neither "
    "figure is a mention-detection error rate."
)


def reuters_section(enricher: Enricher, kb: KnowledgeBase, path: Path, limit: int | None) -> str:
    docs = load_reuters(path, limit)
    enriched = enrich(enricher, [article(d.id, d.text, "en") for d in docs])
    scored, ignored, skipped = score_places(
        docs, [countries_of(e) for e in enriched], place_table(kb)
    )
    c = scored.counts
    headers = ["docs scored", "docs skipped", "labels", "predicted", "TP", "P", "R", "F1"]
    rows = [[scored.docs, skipped, c.gold, c.predicted, c.tp, *prf(c)]]
    return "\n\n".join(
        [
            HEADING,
            f"`{path.name}` ({len(docs):,} documents, headline + body). Reuters 1987 place codes "
            "are mapped to ISO alpha-2 by English country name, plus the hand-made table "
            "`PLACE_OVERRIDES` in `agents/evaluation/places.py`. Documents with no mappable "
            "place are skipped.",
            table(headers, rows),
            f"Place labels ignored as no present-day country: {sum(ignored.values()):,} "
            f"({ignored_summary(ignored)}). Most often missed: {top_counts(scored.missed)}; most "
            f"often added: {top_counts(scored.added)}. Read as another language than English: "
            f"{language_mismatches(enriched, 'en'):,} documents.",
            RELEVANCE_NOTE,
        ]
    )


def score_places(
    docs: Sequence[ReutersDoc], predicted: Sequence[set[str]], places: Mapping[str, str | None]
) -> tuple[SetScores, Counter[str], int]:
    """(micro scores, ignored codes, documents skipped for want of a mappable place)."""
    scored, ignored, skipped = SetScores(), Counter[str](), 0
    for doc, ours in zip(docs, predicted, strict=True):
        gold, left_out = map_places(doc.places, places)
        ignored.update(left_out)
        if gold:
            scored.add(ours, gold)
        else:
            skipped += 1
    return scored, ignored, skipped
