"""NER corpora with gold spans (CoNLL-2003, factRuEval-2016, HiNER): span-level P/R/F1.

Our entities are mapped to the common scheme (person -> PER, organization -> ORG,
country/location -> LOC). Predictions lying on a gold span of an unscored type (CoNLL MISC,
HiNER LANGUAGE, ...) are dropped first: our country adjectives ("Chinese") are MISC there, and
that is a difference of guidelines, not a false positive.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.core.enrich import Enricher
from agents.evaluation.corpora import SpanDoc
from agents.evaluation.markdown import prf, table
from agents.evaluation.metrics import Counts, Span, drop_overlapping, match_by_type
from agents.evaluation.predictions import (
    SCORED_TYPES,
    article,
    enrich,
    language_mismatches,
    qid_mentions,
    spans_of,
)

CONLL_TYPES = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}
FACTRUEVAL_TYPES = {"Person": "PER", "Org": "ORG", "Location": "LOC", "LocOrg": "LOC"}
HINER_TYPES = {"PERSON": "PER", "ORGANIZATION": "ORG", "LOCATION": "LOC"}


@dataclass
class SpanScores:
    exact: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    overlap: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    dropped: int = 0

    def add(self, predicted: Sequence[Span], doc: SpanDoc) -> None:
        kept, dropped = drop_overlapping(predicted, doc.unscored)
        self.dropped += dropped
        for kind, counts in match_by_type(kept, doc.gold, SCORED_TYPES).items():
            self.exact[kind] += counts
        for kind, counts in match_by_type(kept, doc.gold, SCORED_TYPES, relaxed=True).items():
            self.overlap[kind] += counts


def score_spans(docs: Sequence[SpanDoc], enriched: Sequence[Mapping[str, Any]]) -> SpanScores:
    scores = SpanScores()
    for doc, result in zip(docs, enriched, strict=True):
        scores.add(spans_of(result), doc)
    return scores


def span_table(scores: SpanScores, names: Mapping[str, str]) -> str:
    """One row per type and a micro-averaged "all" row; ``names`` gives the gold type names."""
    rows = []
    for kind in (*SCORED_TYPES, "all"):
        exact = _total(scores.exact) if kind == "all" else scores.exact[kind]
        overlap = _total(scores.overlap) if kind == "all" else scores.overlap[kind]
        label = names.get(kind, kind)
        rows.append([label, exact.gold, exact.predicted, *prf(exact), *prf(overlap)])
    headers = ["type", "gold", "predicted", "exact P", "exact R", "exact F1"]
    return table([*headers, "overlap P", "overlap R", "overlap F1"], rows)


def _total(per_type: Mapping[str, Counts]) -> Counts:
    return sum(per_type.values(), Counts())


def span_section(
    heading: str, intro: str, enricher: Enricher, docs: Sequence[SpanDoc], names: Mapping[str, str]
) -> tuple[str, list[dict[str, Any]]]:
    """The section's Markdown, and the enriched documents for any further table."""
    lang = docs[0].lang if docs else ""
    enriched = enrich(enricher, [article(d.id, d.text, d.lang) for d in docs])
    scores = score_spans(docs, enriched)
    notes = (
        f"{len(docs):,} documents. Exact: same start, end and type. Overlap: same type and any "
        "shared character, each gold span credited once. Predictions dropped because they lie on "
        f"a gold span of an unscored type: {scores.dropped:,}. Read as another language than "
        f"`{lang}`: {language_mismatches(enriched, lang):,} documents."
    )
    return "\n\n".join([heading, intro, span_table(scores, names), notes]), enriched


@dataclass
class QidAgreement:
    """Our Wikidata links against the corpus's, on overlapping mentions."""

    ours: int = 0
    compared: int = 0
    agreed: int = 0
    gold: int = 0
    gold_found: int = 0
    disagreements: Counter[str] = field(default_factory=Counter)

    def add(self, doc: SpanDoc, mentions: Sequence[tuple[Span, str, str]]) -> None:
        self.ours += len(mentions)
        self.gold += len(doc.qids)
        for span, qid, name in mentions:
            theirs = {q for g, q in doc.qids.items() if g.overlaps(span)}
            if theirs:
                self.compared += 1
                self.agreed += qid in theirs
                if qid not in theirs:
                    self.disagreements[f"{qid} {name} vs {min(theirs)}"] += 1
        for g, q in doc.qids.items():
            self.gold_found += any(qid == q and span.overlaps(g) for span, qid, _ in mentions)


def qid_agreement(docs: Sequence[SpanDoc], enriched: Sequence[Mapping[str, Any]]) -> QidAgreement:
    result = QidAgreement()
    for doc, output in zip(docs, enriched, strict=True):
        result.add(doc, qid_mentions(output))
    return result


def qid_table(q: QidAgreement) -> str:
    headers = ["our QID mentions", "on a gold mention with a QID", "same QID", "share"]
    headers += ["gold QID mentions", "found with the same QID", "share"]
    share = q.agreed / q.compared if q.compared else None
    found = q.gold_found / q.gold if q.gold else None
    row = [q.ours, q.compared, q.agreed, share, q.gold, q.gold_found, found]
    worst = ", ".join(f"{pair} ({n})" for pair, n in q.disagreements.most_common(5)) or "none"
    return table(headers, [row]) + f"\n\nMost frequent disagreements (ours vs gold): {worst}."
