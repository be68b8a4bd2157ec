"""Topic tags on the IPTC Media Topics standard, in every language the entity layer reads.

Two kinds of evidence, both reviewable data files rather than a trained model:
- per-language lexicons (agents/data/topics/lexicon/LANG.tsv): words and phrases with a weight,
  matched by the entity layer's own matcher, so they get its folding, lemmas and stems and cost
  no second tokenisation (the matcher reads the same Doc);
- entity cues (agents/data/topics/entity_cues.tsv): the Taliban signal armed conflict, the IAEA
  nuclear policy, a foreign minister diplomacy, in any script the entity layer reads.
A topic's score is the weight of its distinct evidence plus that of its descendants; a topic is
tagged when its score reaches a threshold that grows slowly with the article's length, and
every ancestor of a tagged topic is tagged with it (a rule asking for politics sees diplomacy).
"""

from __future__ import annotations

import csv
import math
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from spacy.language import Language
from spacy.tokens import Doc

from agents.core.kb import Alias, KnowledgeBase
from agents.core.languages import CHARACTER_LANGUAGES
from agents.core.matching import LanguageMatcher
from agents.core.normalize import fold
from agents.core.stemming import word_key_function
from agents.errors import ConfigError

BASE_THRESHOLD = 3.0  # one decisive term, or a strong and a supporting one
SHORT_TEXT = 300  # words; beyond this the threshold grows: long texts meet incidental words
LENGTH_STEP = 600  # words per extra point of threshold
MAX_EVIDENCE = 5
REPEAT_BONUS = 0.25  # of a term's weight, per repetition
REPEAT_CAP = 2.0
RELATIVE_CUT = 0.25  # of the main subject's score: weaker subjects are incidental mentions
MAX_SUBJECTS = 4
COUNTED = 5  # a score sums a topic's strongest five pieces of evidence
LOCALES = (
    "en-GB",
    "en-US",
    "de",
    "fr",
    "es",
    "pt-PT",
    "pt-BR",
    "ar",
    "zh-Hans",
    "dk",
    "no-NB",
    "se",
)


@dataclass(frozen=True)
class Concept:
    qcode: str
    level: int
    parent: str | None
    label: str  # English (en-GB)
    names: dict[str, str] = field(default_factory=dict, compare=False)


class Vocabulary:
    """The IPTC Media Topics concepts newsmon ships (agents/data/iptc, CC BY 4.0, IPTC)."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = {concept.qcode: concept for concept in concepts}
        self._lineage: dict[str, tuple[str, ...]] = {}
        self._by_name: dict[str, set[str]] = defaultdict(set)
        for concept in self.concepts.values():
            for name in (concept.label, *concept.names.values()):
                self._by_name[fold(name)].add(concept.qcode)

    def lineage(self, qcode: str) -> tuple[str, ...]:
        """The concept, its parent, ..., its top-level subject (cached)."""
        chain = self._lineage.get(qcode)
        if chain is None:
            parents = []
            parent = self.concepts[qcode].parent
            while parent is not None and parent in self.concepts:
                parents.append(parent)
                parent = self.concepts[parent].parent
            chain = self._lineage[qcode] = (qcode, *parents)
        return chain

    def ancestors(self, qcode: str) -> list[str]:
        """Parent first, up to the top-level subject."""
        return list(self.lineage(qcode)[1:])

    def is_top(self, qcode: str) -> bool:
        return self.concepts[qcode].level == 1

    def resolve(self, ref: str) -> str | None:
        """A qcode (medtop:20000639, or just 20000639) or a name in any IPTC locale."""
        ref = ref.strip()
        for candidate in (ref, f"medtop:{ref}"):
            if candidate in self.concepts:
                return candidate
        found = self._by_name.get(fold(ref), set())
        return next(iter(found)) if len(found) == 1 else None


@cache
def default_vocabulary() -> Vocabulary:
    return load_vocabulary()


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    path = path or _data("iptc", "mediatopics.jsonl")
    concepts = []
    for line in path.read_bytes().splitlines():
        row = orjson.loads(line)
        names = row["names"]
        label = names.get("en-GB") or names.get("en-US") or row["qcode"]
        concepts.append(Concept(row["qcode"], row["level"], row.get("parent"), label, names))
    return Vocabulary(concepts)


@dataclass(frozen=True)
class Term:
    qcode: str
    lang: str
    text: str
    weight: float


def load_lexicons(vocabulary: Vocabulary, directory: Path | None = None) -> dict[str, list[Term]]:
    directory = directory or _data("topics", "lexicon")
    lexicons: dict[str, list[Term]] = {}
    for path in sorted(directory.glob("*.tsv")):
        lang = path.stem
        lexicons[lang] = [
            Term(qcode, lang, text, weight)
            for _, qcode, text, weight in _rows(path, vocabulary, term_column=True)
        ]
    return lexicons


def load_entity_cues(
    vocabulary: Vocabulary, kb: KnowledgeBase, path: Path | None = None
) -> dict[str, list[tuple[str, float]]]:
    """Entity id -> [(qcode, weight)]."""
    path = path or _data("topics", "entity_cues.tsv")
    by_name = {entity.name: entity for entity in kb.entities.values()}
    cues: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for number, ref, qcode, weight in _rows(path, vocabulary, term_column=False):
        entity = kb.entities.get(ref) or by_name.get(ref) or kb.resolve(ref)
        if entity is None:
            raise ConfigError(str(path), number, f"cue {ref!r}", "unknown entity")
        cues[entity.id].append((qcode, weight))
    return dict(cues)


def _rows(
    path: Path, vocabulary: Vocabulary, term_column: bool
) -> list[tuple[int, str, str, float]]:
    """(line number, first column, second column, weight); the qcode column is checked."""
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row or not row[0].strip() or row[0].startswith("#"):
                continue
            if len(row) < 3:
                raise ConfigError(str(path), number, "row", "expected 3 tab-separated columns")
            first, second, weight = (cell.strip() for cell in row[:3])
            qcode = second if not term_column else first
            if qcode not in vocabulary.concepts:
                raise ConfigError(str(path), number, "qcode", f"{qcode!r} is not in the vocabulary")
            try:
                value = float(weight)
            except ValueError:
                raise ConfigError(
                    str(path), number, "weight", f"{weight!r} is not a number"
                ) from None
            rows.append((number, first, second, value))
    return rows


def _data(*parts: str) -> Path:
    return Path(str(resources.files("agents").joinpath("data", *parts)))


# one piece of evidence: [weight, occurrences, start, end, entity name or None]
_Hit = list[Any]


def _effective(hit: _Hit) -> float:
    """A term's weight, up to twice that when it recurs: an article that says "nuclear power"
    four times is about it; one passing word repeated is still one word."""
    weight: float = hit[0]
    return weight * min(REPEAT_CAP, 1 + REPEAT_BONUS * (hit[1] - 1))


def _evidence_item(text: str, hit: _Hit) -> dict[str, Any]:
    if hit[4] is not None:
        return {"entity": hit[4]}
    return {"term": text[hit[2] : hit[3]], "start": hit[2], "end": hit[3]}


class TopicTagger:
    """Built once; ``tag`` is called per article with the entity layer's Doc and entities."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        lexicons: dict[str, list[Term]],
        entity_cues: dict[str, list[tuple[str, float]]],
        nlp_for: Callable[[str], Language],
    ) -> None:
        self.vocabulary = vocabulary
        self.lexicons = lexicons
        self.entity_cues = entity_cues
        self._nlp_for = nlp_for
        self._weights = {  # looked up by the matched alias, exactly as the lexicon writes it
            (term.lang, term.qcode, term.text): term.weight
            for terms in lexicons.values()
            for term in terms
        }
        self._matchers: dict[str, LanguageMatcher | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def default(cls, kb: KnowledgeBase, nlp_for: Callable[[str], Language]) -> TopicTagger:
        vocabulary = default_vocabulary()
        return cls(vocabulary, load_lexicons(vocabulary), load_entity_cues(vocabulary, kb), nlp_for)

    def matcher_for(self, lang: str) -> LanguageMatcher | None:
        if lang not in self._matchers:
            with self._lock:
                if lang not in self._matchers:
                    terms = self.lexicons.get(lang)
                    self._matchers[lang] = (
                        LanguageMatcher(
                            lang,
                            # compound: one term may signal several topics, each keeps it
                            (Alias(t.qcode, lang, t.text, compound=True) for t in terms),
                            nlp=self._nlp_for(lang),
                            key=None if lang in CHARACTER_LANGUAGES else word_key_function(lang),
                        )
                        if terms
                        else None
                    )
        return self._matchers[lang]

    def tag(
        self, text: str, lang: str, entities: Sequence[dict[str, Any]], doc: Doc | None = None
    ) -> list[dict[str, Any]]:
        hits: dict[str, dict[str, _Hit]] = {}  # qcode -> evidence key -> hit
        matcher = self.matcher_for(lang)
        if matcher is not None:
            doc = doc if doc is not None else matcher.tokenize(text)
            weights = self._weights
            for start, end, _, aliases in matcher.find_terms(doc):
                for alias in aliases:
                    per = hits.get(alias.entity_id)
                    if per is None:
                        per = hits[alias.entity_id] = {}
                    hit = per.get(alias.text)
                    if hit is None:
                        weight = weights.get((lang, alias.entity_id, alias.text), 1.0)
                        per[alias.text] = [weight, 1, start, end, None]
                    else:
                        hit[1] += 1
        for entity in entities:
            for qcode, weight in self.entity_cues.get(entity["id"], ()):
                per = hits.setdefault(qcode, {})
                per.setdefault("entity:" + entity["id"], [weight, 1, -1, -1, entity["name"]])
        return self._decide(hits, text, _word_count(text))

    def _decide(
        self, hits: dict[str, dict[str, _Hit]], text: str, words: int
    ) -> list[dict[str, Any]]:
        vocabulary = self.vocabulary
        # a topic scores its own evidence and its descendants', each term or entity once
        collected: dict[str, dict[str, float]] = defaultdict(dict)
        for qcode, per in hits.items():
            effective = {key: _effective(hit) for key, hit in per.items()}
            for covered in vocabulary.lineage(qcode):
                bucket = collected[covered]
                for key, weight in effective.items():
                    if weight > bucket.get(key, 0.0):
                        bucket[key] = weight
        totals = {  # the strongest few pieces: a subject is not bigger for having more words
            qcode: sum(sorted(bucket.values(), reverse=True)[:COUNTED])
            for qcode, bucket in collected.items()
        }
        threshold = BASE_THRESHOLD + max(0, words - SHORT_TEXT) / LENGTH_STEP
        subjects = sorted(
            (q for q, total in totals.items() if total >= threshold and vocabulary.is_top(q)),
            key=lambda q: (-totals[q], q),
        )
        if not subjects:
            return []
        strongest = totals[subjects[0]]
        kept = {  # a subject far weaker than the article's main one is incidental
            q for q in subjects[:MAX_SUBJECTS] if totals[q] >= RELATIVE_CUT * strongest
        }
        tagged = [
            q
            for q, total in totals.items()
            if total >= threshold and vocabulary.lineage(q)[-1] in kept
        ]
        items = self._evidence_by_concept(hits, text, set(tagged))
        tags = []
        for qcode in sorted(tagged, key=lambda q: (-totals[q], q)):
            concept = vocabulary.concepts[qcode]
            tags.append(
                {
                    "qcode": qcode,
                    "label": concept.label,
                    "level": concept.level,
                    "score": round(1 - math.exp(-totals[qcode] / (2 * threshold)), 3),
                    "parents": list(vocabulary.lineage(qcode)[1:]),
                    "evidence": items[qcode],
                }
            )
        return tags

    def _evidence_by_concept(
        self, hits: dict[str, dict[str, _Hit]], text: str, tagged: set[str]
    ) -> dict[str, list[dict[str, Any]]]:
        """Each tagged topic's own evidence first (in text order), then its descendants'."""
        items: dict[str, list[dict[str, Any]]] = {q: [] for q in tagged}
        for qcode in sorted(hits, key=lambda q: -self.vocabulary.concepts[q].level):
            ordered = sorted(hits[qcode].values(), key=lambda hit: hit[2])
            for covered in self.vocabulary.lineage(qcode):
                if covered in items and len(items[covered]) < MAX_EVIDENCE:
                    room = MAX_EVIDENCE - len(items[covered])
                    items[covered].extend(_evidence_item(text, hit) for hit in ordered[:room])
        return items


def _word_count(text: str) -> int:
    spaces = text.count(" ")
    return spaces + 1 if spaces > len(text) / 20 else len(text) // 2  # zh, ja: ~2 chars a word
