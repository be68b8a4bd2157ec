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

import numpy as np
import orjson
from spacy.language import Language
from spacy.tokens import Doc

from agents.core.kb import Alias, KnowledgeBase
from agents.core.languages import CHARACTER_LANGUAGES
from agents.core.matching import LanguageMatcher, TermScanner
from agents.core.normalize import fold
from agents.core.stemming import word_key_function
from agents.errors import ConfigError

BASE_THRESHOLD = 3.0  # one decisive term, or a strong and a supporting one
SHORT_TEXT = 300  # words; beyond this the threshold grows: long texts meet incidental words
LENGTH_STEP = 600  # words per extra point of threshold
MAX_EVIDENCE = 5
REPEAT_BONUS = 0.25  # of a term's weight, per repetition
REPEAT_CAP = 2.0
RELATIVE_CUT = 0.5  # of the main subject's score: weaker subjects are incidental mentions...
SECONDARY_CUT = 0.3  # ...unless this strong and
DISCUSSED = 4  # mentioned this many times (its terms' occurrences)
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


def _repeated(occurrences: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A term's weight, up to twice that when it recurs: an article that says "nuclear power"
    four times is about it; one passing word repeated is still one word."""
    return np.minimum(REPEAT_CAP, 1 + REPEAT_BONUS * (occurrences - 1))


@dataclass(frozen=True)
class _Lexicon:
    """One language's lexicon, compiled: the scanner's entries as rows of weights per concept."""

    scanner: TermScanner
    weights: np.ndarray[Any, Any]  # entry x concept: the entry's weight for it or a descendant


class TopicTagger:
    """Built once; ``tag`` is called per article with the entity layer's Doc and entities.

    Every piece of evidence (a lexicon entry, an entity cue) is a precomputed row of weights over
    the concepts it supports, itself and its ancestors; an article's scores are a few numpy
    operations over the rows it matched, with no Python work per concept.
    """

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
        used = {t.qcode for terms in lexicons.values() for t in terms}
        used |= {q for cues in entity_cues.values() for q, _ in cues}
        self.columns = sorted({c for q in used for c in vocabulary.lineage(q)})
        self._column = {qcode: i for i, qcode in enumerate(self.columns)}
        self._top_of = np.array([self._column[vocabulary.lineage(q)[-1]] for q in self.columns])
        self._is_top = np.array([vocabulary.is_top(q) for q in self.columns])
        self._cues = {
            entity: self._row([(q, w) for q, w in cues]) for entity, cues in entity_cues.items()
        }
        self._compiled: dict[str, _Lexicon | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def default(cls, kb: KnowledgeBase, nlp_for: Callable[[str], Language]) -> TopicTagger:
        vocabulary = default_vocabulary()
        return cls(vocabulary, load_lexicons(vocabulary), load_entity_cues(vocabulary, kb), nlp_for)

    def _row(self, weighted: Iterable[tuple[str, float]]) -> np.ndarray[Any, Any]:
        """Weights over the concepts: each concept keeps the strongest weight given to it or to
        one of its descendants (one term counts once for a parent, however many children)."""
        row = np.zeros(len(self.columns))
        for qcode, weight in weighted:
            for covered in self.vocabulary.lineage(qcode):
                column = self._column[covered]
                row[column] = max(row[column], weight)
        return row

    def matcher_for(self, lang: str) -> LanguageMatcher | None:
        compiled = self._lexicon_for(lang)
        return compiled.scanner.matcher if compiled else None

    def _lexicon_for(self, lang: str) -> _Lexicon | None:
        if lang not in self._compiled:
            with self._lock:
                if lang not in self._compiled:
                    self._compiled[lang] = self._compile(lang)
        return self._compiled[lang]

    def _compile(self, lang: str) -> _Lexicon | None:
        terms = self.lexicons.get(lang)
        if not terms:
            return None
        matcher = LanguageMatcher(
            lang,
            # compound: one term may signal several topics, each keeps it
            (Alias(t.qcode, lang, t.text, compound=True) for t in terms),
            nlp=self._nlp_for(lang),
            key=None if lang in CHARACTER_LANGUAGES else word_key_function(lang),
        )
        scanner = TermScanner(matcher)
        weights = self._weights
        rows = [
            self._row((a.entity_id, weights.get((lang, a.entity_id, a.text), 1.0)) for a in entry)
            for entry in scanner.entries
        ]
        matrix = np.array(rows) if rows else np.zeros((0, len(self.columns)))
        return _Lexicon(scanner, matrix)

    def tag(
        self, text: str, lang: str, entities: Sequence[dict[str, Any]], doc: Doc | None = None
    ) -> list[dict[str, Any]]:
        rows: list[np.ndarray[Any, Any]] = []
        occurrences: list[int] = []
        places: list[tuple[int, int] | str] = []  # per row: first (start, end) token, or entity
        compiled = self._lexicon_for(lang)
        if compiled is not None:
            doc = doc if doc is not None else compiled.scanner.matcher.tokenize(text)
            matches = compiled.scanner.scan(doc)
            if matches:
                first: dict[int, tuple[int, int]] = {}
                counted: dict[int, int] = {}
                for start, end, entry in matches:
                    if entry in counted:
                        counted[entry] += 1
                    else:
                        counted[entry] = 1
                        first[entry] = (start, end)
                rows.append(compiled.weights[list(first)])
                occurrences.extend(counted.values())
                places.extend(first.values())
        cued = [(e, self._cues[e["id"]]) for e in entities if e["id"] in self._cues]
        if cued:
            rows.append(np.array([row for _, row in cued]))
            occurrences.extend(1 for _ in cued)
            places.extend(e["name"] for e, _ in cued)
        if not rows:
            return []
        matrix = np.concatenate(rows) if len(rows) > 1 else rows[0]
        counts = np.array(occurrences, dtype=float)
        tagged = self._decide(matrix * _repeated(counts)[:, None], counts, text)
        items: dict[int, tuple[int, dict[str, Any]]] = {}  # row -> (text position, item)
        for _, _, shown in tagged:
            for row in shown:
                if row not in items:
                    items[row] = _evidence_item(places[row], text, doc)
        return [self._tag(q, score, [items[row] for row in shown]) for q, score, shown in tagged]

    def _decide(
        self, pieces: np.ndarray[Any, Any], counts: np.ndarray[Any, Any], text: str
    ) -> list[tuple[int, float, list[int]]]:
        """``pieces``: evidence x concept, each piece's effective weight for each concept.
        (concept column, score, the pieces to show) per tagged concept, strongest first."""
        if len(pieces) > COUNTED:  # the strongest few pieces: not bigger for having more words
            totals = -np.partition(-pieces, COUNTED - 1, axis=0)[:COUNTED].sum(axis=0)
        else:
            totals = pieces.sum(axis=0)
        threshold = BASE_THRESHOLD + max(0, _word_count(text) - SHORT_TEXT) / LENGTH_STEP
        passing = totals >= threshold
        subjects = np.flatnonzero(passing & self._is_top)
        if not len(subjects):
            return []
        subjects = subjects[np.argsort(-totals[subjects], kind="stable")]
        strongest = totals[subjects[0]]
        mentions = counts @ (pieces[:, subjects] > 0)  # occurrences of each subject's evidence
        kept = np.zeros(len(self.columns), dtype=bool)
        for place, subject in enumerate(subjects[:MAX_SUBJECTS].tolist()):
            total = totals[subject]
            # a subject far weaker than the article's main one is incidental, unless the
            # article keeps coming back to it
            kept[subject] = total >= RELATIVE_CUT * strongest or (
                total >= SECONDARY_CUT * strongest and mentions[place] >= DISCUSSED
            )
        tagged = np.flatnonzero(passing & kept[self._top_of])
        tagged = tagged[np.argsort(-totals[tagged], kind="stable")]
        weights = pieces[:, tagged]
        order = np.argsort(-weights, axis=0, kind="stable")[:MAX_EVIDENCE].T.tolist()
        shown = (weights > 0).T.tolist()
        return [
            (
                column,
                round(1 - math.exp(-float(totals[column]) / (2 * threshold)), 3),
                [i for i in strongest_first if shown[n][i]],
            )
            for n, (column, strongest_first) in enumerate(zip(tagged.tolist(), order, strict=True))
        ]

    def _tag(
        self, column: int, score: float, items: list[tuple[int, dict[str, Any]]]
    ) -> dict[str, Any]:
        qcode = self.columns[column]
        concept = self.vocabulary.concepts[qcode]
        return {
            "qcode": qcode,
            "label": concept.label,
            "level": concept.level,
            "score": score,
            "parents": list(self.vocabulary.lineage(qcode)[1:]),
            "evidence": [item for _, item in sorted(items, key=lambda item: item[0])],
        }


def _evidence_item(
    place: tuple[int, int] | str, text: str, doc: Doc | None
) -> tuple[int, dict[str, Any]]:
    """(text position, item): an entity cue (first) or a term with its character offsets."""
    if isinstance(place, str) or doc is None:
        return -1, {"entity": str(place)}
    start, last = doc[place[0]].idx, doc[place[1] - 1]
    end = last.idx + len(last)
    return start, {"term": text[start:end], "start": start, "end": end}


def _word_count(text: str) -> int:
    spaces = text.count(" ")
    return spaces + 1 if spaces > len(text) / 20 else len(text) // 2  # zh, ja: ~2 chars a word
