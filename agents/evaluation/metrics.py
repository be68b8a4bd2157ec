"""Precision, recall, F1 and set agreement: the arithmetic behind every evaluation table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class Counts:
    """True/false positives and false negatives; micro averages come from adding these up."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        """None when nothing was predicted: undefined, which a report must not show as 0."""
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


def set_counts(predicted: Iterable[str], gold: Iterable[str]) -> Counts:
    """Counts for one document whose labels are a set (countries, places)."""
    ours, theirs = set(predicted), set(gold)
    return Counts(len(ours & theirs), len(ours - theirs), len(theirs - ours))


@dataclass
class SetScores:
    """Micro counts over documents with label sets, and which labels were missed or added."""

    docs: int = 0
    counts: Counts = field(default_factory=Counts)
    missed: Counter[str] = field(default_factory=Counter)
    added: Counter[str] = field(default_factory=Counter)

    def add(self, predicted: Iterable[str], gold: Iterable[str]) -> None:
        ours, truth = set(predicted), set(gold)
        self.docs += 1
        self.counts += set_counts(ours, truth)
        self.missed.update(truth - ours)
        self.added.update(ours - truth)


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """|a ∩ b| / |a ∪ b|; two empty sets agree perfectly (both say "no country")."""
    left, right = set(a), set(b)
    union = left | right
    return len(left & right) / len(union) if union else 1.0


@dataclass
class Agreement:
    """Running agreement of label sets with a reference set (a translation with its original).

    Pairs where the reference is empty are also counted apart, since "both empty" inflates the
    mean for short, country-free documents.
    """

    docs: int = 0
    identical: int = 0
    jaccard_sum: float = 0.0
    empty_reference: int = 0
    nonempty_jaccard_sum: float = 0.0

    def add(self, labels: Iterable[str], reference: Iterable[str]) -> None:
        ours, ref = set(labels), set(reference)
        score = jaccard(ours, ref)
        self.docs += 1
        self.identical += ours == ref
        self.jaccard_sum += score
        if ref:
            self.nonempty_jaccard_sum += score
        else:
            self.empty_reference += 1

    @property
    def mean_jaccard(self) -> float | None:
        return self.jaccard_sum / self.docs if self.docs else None

    @property
    def identical_share(self) -> float | None:
        return self.identical / self.docs if self.docs else None

    @property
    def mean_jaccard_nonempty(self) -> float | None:
        nonempty = self.docs - self.empty_reference
        return self.nonempty_jaccard_sum / nonempty if nonempty else None


@dataclass(frozen=True, order=True)
class Span:
    """A typed character span; equality is the exact-match criterion."""

    start: int
    end: int
    type: str

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


def match_spans(predicted: Iterable[Span], gold: Iterable[Span], relaxed: bool = False) -> Counts:
    """Exact matches first; with ``relaxed``, then any same-type overlap, one gold span per
    prediction, so one long gold span cannot be credited to several fragments."""
    ours, theirs = sorted(set(predicted)), set(gold)
    exact = set(ours) & theirs
    tp = len(exact)
    if relaxed:
        left = sorted(theirs - exact)
        for span in (s for s in ours if s not in exact):
            hit = next((g for g in left if g.type == span.type and g.overlaps(span)), None)
            if hit is not None:
                left.remove(hit)
                tp += 1
    return Counts(tp, len(ours) - tp, len(theirs) - tp)


def match_by_type(
    predicted: Sequence[Span], gold: Sequence[Span], types: Sequence[str], relaxed: bool = False
) -> dict[str, Counts]:
    """Per-type counts; spans of types outside ``types`` are left out on both sides."""
    return {
        kind: match_spans(
            [s for s in predicted if s.type == kind], [s for s in gold if s.type == kind], relaxed
        )
        for kind in types
    }


def drop_overlapping(spans: Sequence[Span], blockers: Sequence[Span]) -> tuple[list[Span], int]:
    """Remove predictions lying on a gold span of an unscored type (CoNLL MISC "Chinese"): the
    gold there says "not PER/ORG/LOC by our guidelines", which is not an error of ours to count."""
    kept = [s for s in spans if not any(s.overlaps(b) for b in blockers)]
    return kept, len(spans) - len(kept)
