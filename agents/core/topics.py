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
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from spacy.language import Language
from spacy.tokens import Doc

from agents.core.kb import Alias, KnowledgeBase
from agents.core.languages import CHARACTER_LANGUAGES, SPACED_CHARACTER_LANGUAGES
from agents.core.matching import LanguageMatcher, TermMatches, TermScanner, blank_pipeline
from agents.core.normalize import fold
from agents.core.stemming import dictionary_knows, word_key_function
from agents.errors import ConfigError

BASE_THRESHOLD = 3.0  # one decisive term, or a strong and a supporting one
SHORT_TEXT = 300  # words; beyond this the threshold grows: long texts meet incidental words
LENGTH_STEP = 600  # words per extra point of threshold
MAX_EVIDENCE = 5
REPEAT_BONUS = 0.25  # of a term's weight, per repetition
REPEAT_CAP = 2.0
RELATIVE_CUT = 0.5  # of the main subject's score: weaker subjects are incidental mentions...
SECONDARY_STRENGTH = 2.5  # ...and a further subject needs this many thresholds
MAX_SUBJECTS = 4
COMPOUND_PART = 2  # characters on each side of a space a Korean term may cross
COMPOUNDING = ("de", "is")  # a long word the lexicon lacks counts as its first part
MIN_COMPOUND, MIN_MODIFIER, MIN_REST = 8, 5, 4  # letters: the word, its first part, the rest
LEMMATISED = ("ru", "uk")  # languages whose word keys are lemmas (agents/core/stemming.py)
COUNTED = 5  # a score sums a topic's strongest five pieces of evidence
MASS_REPEATS = 4  # the evidence mass counts a term's occurrences up to this many
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


# A lexicon term written =word is matched in that form only, not by its stem (where words are
# matched by character, zh, ja, ko, th, there are no stems and the marker changes nothing).
EXACT = "="


@dataclass(frozen=True)
class Term:
    qcode: str
    lang: str
    text: str
    weight: float
    exact: bool = False  # its words are matched as written (case aside), not by their stems


def load_lexicons(vocabulary: Vocabulary, directory: Path | None = None) -> dict[str, list[Term]]:
    directory = directory or _data("topics", "lexicon")
    lexicons: dict[str, list[Term]] = {}
    for path in sorted(directory.glob("*.tsv")):
        lang = path.stem
        lexicons[lang] = [
            _term(path, number, qcode, lang, text, weight)
            for number, qcode, text, weight in _rows(path, vocabulary, term_column=True)
        ]
    return lexicons


def _term(path: Path, number: int, qcode: str, lang: str, text: str, weight: float) -> Term:
    words = text.removeprefix(EXACT).strip()
    if not words:
        raise ConfigError(str(path), number, "term", f"{text!r} has no words to match")
    return Term(qcode, lang, words, weight, text.startswith(EXACT))


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


def silence_cued_names(
    lexicons: dict[str, list[Term]],
    cues: dict[str, list[tuple[str, float]]],
    kb: KnowledgeBase,
    vocabulary: Vocabulary,
) -> dict[str, list[Term]]:
    """The lexicons with the terms that name an entity with a cue for the same field weighing
    nothing: the entity layer finds the IAEA, the WHO or ООН in every language and its cue
    counts them, so a lexicon row for the name counted them twice, and only in the languages
    that list it. The row stays, so that the name is still read whole and a shorter term
    inside it (Hindi स्वास्थ्य संगठन, health organisation, in the WHO's name) finds nothing."""
    fields = {
        entity: {column for qcode, _ in weighted for column in vocabulary.lineage(qcode)}
        for entity, weighted in cues.items()
    }
    silenced = {}
    for lang, terms in lexicons.items():
        named: dict[str, set[str]] = defaultdict(set)
        for alias in kb.aliases_for(lang):
            if alias.entity_id in fields:
                named[fold(alias.text)] |= fields[alias.entity_id]
        silenced[lang] = [
            replace(term, weight=0.0)
            if named.get(fold(term.text), set()) & set(vocabulary.lineage(term.qcode))
            else term
            for term in terms
        ]
    return silenced


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


_Row = tuple[tuple[int, float], ...]  # a piece of evidence: (concept column, weight > 0)
_Array = np.ndarray[Any, Any]
_Passing = tuple[int, float, int, int, float]  # column, score, its pieces, their count, mass
_strength = itemgetter(4, 1)  # mass, then score


@dataclass(frozen=True)
class _Lexicon:
    """One language's lexicon, compiled: its scanner, and where its entries' rows start."""

    scanner: TermScanner
    base: int  # entry n is row base + n of the tagger's rows
    katakana: _Array | None  # per entry, whether it is written in katakana (ja only)
    spaces: list[frozenset[int]] | None  # per entry, where its own text has a space (ko only)


@dataclass(frozen=True, slots=True)
class _Column:
    """A concept as its tags show it, prepared once rather than per article."""

    qcode: str
    label: str
    level: int
    parents: tuple[str, ...]
    top: int  # the column of its top-level subject


class _Rows:
    """Every piece of evidence's weights over the concepts as flat sparse rows, so that a batch's
    pieces become (concept, weight) pairs in a few numpy calls."""

    def __init__(self) -> None:
        self._columns: list[int] = []
        self._weights: list[float] = []
        self._ends: list[int] = []
        self.arrays = self._build()

    def extend(self, rows: Iterable[_Row]) -> int:
        """Appends rows (under the tagger's lock) and returns the number of the first."""
        base = len(self._ends)
        for row in rows:
            self._columns.extend(column for column, _ in row)
            self._weights.extend(weight for _, weight in row)
            self._ends.append(len(self._columns))
        self.arrays = self._build()  # replaced whole: a batch in flight keeps the one it read
        return base

    def _build(self) -> tuple[_Array, _Array, _Array, _Array]:
        """(first pair, number of pairs) per row, and (column, weight) per pair."""
        ends = np.array(self._ends, dtype=np.int64)
        lengths = np.diff(ends, prepend=0)
        columns = np.array(self._columns, dtype=np.int64)
        return ends - lengths, lengths, columns, np.array(self._weights, dtype=float)


@dataclass(frozen=True, slots=True)
class _Pieces:
    """A batch's evidence: one piece per (article, lexicon entry found), then one per (article,
    entity with a cue). A term is shown where it first occurs."""

    article: _Array
    row: _Array
    order: _Array  # between equally strong pieces: the one found first, cues after terms
    count: _Array  # occurrences, as floats
    first: list[int]  # per term piece, the first and end token of its first occurrence
    end: list[int]
    cue_names: list[str]  # per cue piece
    rank: list[int]  # order as evidence: cues first (-1), then terms as the text has them

    def item(self, piece: int, text: str, doc: Doc | None) -> dict[str, Any]:
        """A piece as evidence: the entity, or the term with its character offsets."""
        terms = len(self.first)
        if piece >= terms:
            return {"entity": self.cue_names[piece - terms]}
        assert doc is not None, "terms are found in a Doc"
        first, end = self.first[piece], self.end[piece]
        token = doc[first]
        start = token.idx
        if end > first + 1:  # most terms are one word: one Token object fewer
            token = doc[end - 1]
        end = token.idx + len(token)
        return {"term": text[start:end], "start": start, "end": end}


@dataclass(frozen=True)
class _Groups:
    """Per (article, concept) the batch's evidence supports: its score, the sum of its COUNTED
    strongest pieces, and its pieces strongest first (ties: the piece found first)."""

    key: _Array  # article * concepts + column
    total: _Array
    first: _Array  # where its pieces start in ``pieces``
    size: _Array
    mass: _Array  # all its evidence, damped: see _group
    pieces: _Array


class TopicTagger:
    """Built once; ``tag_many`` is called per batch with the entity layer's Docs and entities.

    Every piece of evidence (a lexicon entry found, an entity cue) is a precomputed sparse row
    of weights over the concepts it supports, itself and its ancestors. A batch's scores and
    evidence orders come from one sort of all its (article, concept, weight) pairs: numpy's
    fixed cost per call would dominate on one article's few dozen pairs.
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
        self._concepts = [self._describe(qcode) for qcode in self.columns]
        self._level1 = [concept.level == 1 for concept in self._concepts]
        self._named = [qcode in used for qcode in self.columns]  # a lexicon or a cue names it
        self._top = [concept.top for concept in self._concepts]
        self._rows = _Rows()
        base = self._rows.extend(self._row(cues) for cues in entity_cues.values())
        self._cues = {entity: base + n for n, entity in enumerate(entity_cues)}
        self._compiled: dict[str, _Lexicon | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def default(cls, kb: KnowledgeBase, nlp_for: Callable[[str], Language]) -> TopicTagger:
        vocabulary = default_vocabulary()
        cues = load_entity_cues(vocabulary, kb)
        lexicons = silence_cued_names(load_lexicons(vocabulary), cues, kb, vocabulary)
        return cls(vocabulary, lexicons, cues, nlp_for)

    def _describe(self, qcode: str) -> _Column:
        concept, lineage = self.vocabulary.concepts[qcode], self.vocabulary.lineage(qcode)
        return _Column(qcode, concept.label, concept.level, lineage[1:], self._column[lineage[-1]])

    def _row(self, weighted: Iterable[tuple[str, float]]) -> _Row:
        """Weights over the concepts: each concept keeps the strongest weight given to it or to
        one of its descendants (one term counts once for a parent, however many children)."""
        row: dict[int, float] = {}
        for qcode, weight in weighted:
            for covered in self.vocabulary.lineage(qcode):
                column = self._column[covered]
                row[column] = max(row.get(column, 0.0), weight)
        return tuple(sorted((column, weight) for column, weight in row.items() if weight > 0))

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
        nlp = self._nlp_for(lang)
        matcher = LanguageMatcher(
            lang,
            # compound: one term may signal several topics, each keeps it
            (Alias(t.qcode, lang, t.text, compound=True) for t in terms),
            nlp=nlp,
            key=None if lang in CHARACTER_LANGUAGES else _lexicon_key(lang, nlp, terms),
        )
        scanner = TermScanner(matcher)
        weights = self._weights
        base = self._rows.extend(
            self._row((a.entity_id, weights.get((lang, a.entity_id, a.text), 1.0)) for a in entry)
            for entry in scanner.entries
        )
        katakana = spaces = None
        if lang == "ja":
            katakana = np.array([_katakana_word(entry[0].text) for entry in scanner.entries])
        if lang in SPACED_CHARACTER_LANGUAGES:
            tokenizer = blank_pipeline(lang).tokenizer
            spaces = [_space_positions(entry, tokenizer) for entry in scanner.entries]
        return _Lexicon(scanner, base, katakana, spaces)

    def tag(
        self, text: str, lang: str, entities: Sequence[dict[str, Any]], doc: Doc | None = None
    ) -> list[dict[str, Any]]:
        return self.tag_many([text], [lang], [entities], [doc])[0]

    def tag_many(
        self,
        texts: Sequence[str],
        langs: Sequence[str],
        entities: Sequence[Sequence[dict[str, Any]]],
        docs: Sequence[Doc | None],
    ) -> list[list[dict[str, Any]]]:
        """Each article's tags; ``docs``: the entity layer's, or None to tokenise here."""
        known = list(docs)
        pieces = self._pieces(texts, langs, entities, known)
        if not len(pieces.row):
            return [[] for _ in texts]
        groups = _group(pieces, self._rows.arrays, len(self.columns))
        thresholds = self._thresholds(groups, texts)
        passing = self._passing(groups, thresholds)
        order = groups.pieces.tolist()
        return [
            self._tags(passing[n], thresholds[n], order, pieces, text, doc)
            for n, (text, doc) in enumerate(zip(texts, known, strict=True))
        ]

    def _pieces(
        self,
        texts: Sequence[str],
        langs: Sequence[str],
        entities: Sequence[Sequence[dict[str, Any]]],
        docs: list[Doc | None],
    ) -> _Pieces:
        """Distinct lexicon entries per article with their occurrences, then entity cues."""
        article, row, first, end = self._term_matches(texts, langs, docs)
        key = article * len(self._rows.arrays[0]) + row
        _, first_match, count = np.unique(key, return_index=True, return_counts=True)
        cue_article, cue_row, cue_names = [], [], []
        cues = self._cues
        for n, found in enumerate(entities):
            for entity in found:
                cue = cues.get(entity["id"])
                if cue is not None:
                    cue_article.append(n)
                    cue_row.append(cue)
                    cue_names.append(entity["name"])
        after = np.arange(len(key), len(key) + len(cue_row))
        return _Pieces(
            np.concatenate([article.take(first_match), np.array(cue_article, dtype=np.int64)]),
            np.concatenate([row.take(first_match), np.array(cue_row, dtype=np.int64)]),
            np.concatenate([first_match, after]),
            np.concatenate([count, np.ones(len(cue_row), dtype=np.int64)]).astype(float),
            first.take(first_match).tolist(),
            end.take(first_match).tolist(),
            cue_names,
            first_match.tolist() + [-1] * len(cue_names),
        )

    def _term_matches(
        self, texts: Sequence[str], langs: Sequence[str], docs: list[Doc | None]
    ) -> tuple[_Array, _Array, _Array, _Array]:
        """Every lexicon match of the batch, one language at a time: article, row, first and
        end token. Articles without a Doc are tokenised here."""
        found: list[tuple[_Array, _Array, _Array, _Array]] = [(np.zeros(0, np.int64),) * 4]
        by_language: dict[str, list[int]] = defaultdict(list)
        for n, lang in enumerate(langs):
            by_language[lang].append(n)
        for lang, members in by_language.items():
            compiled = self._lexicon_for(lang)
            if compiled is None:
                continue
            batch = []
            for n in members:
                doc = docs[n]
                if doc is None:
                    doc = docs[n] = compiled.scanner.matcher.tokenize(texts[n])
                batch.append(doc)
            matches = compiled.scanner.scan_many(batch)
            if compiled.katakana is not None:
                matches = _whole_katakana_words(matches, compiled.katakana, batch)
            if compiled.spaces is not None:
                matches = _spaces_as_written(matches, compiled.spaces, batch)
            article = np.array(members, dtype=np.int64).take(matches.doc)
            found.append((article, matches.entry + compiled.base, matches.first, matches.end))
        if len(found) == 2:  # one language, as a batch often is
            return found[1]
        article, row, first, end = (np.concatenate(column) for column in zip(*found, strict=True))
        return article, row, first, end

    def _thresholds(self, groups: _Groups, texts: Sequence[str]) -> list[float]:
        """Per article, the score a concept needs; counted only where some score could reach
        it (infinite elsewhere)."""
        hopeful = groups.key[groups.total >= BASE_THRESHOLD] // len(self.columns)
        thresholds = [math.inf] * len(texts)
        for n in np.unique(hopeful).tolist():
            thresholds[n] = _threshold(texts[n])
        return thresholds

    def _passing(self, groups: _Groups, thresholds: list[float]) -> list[list[_Passing]]:
        """Per article, the concepts whose score reaches its threshold, by column."""
        concepts = len(self.columns)
        article = groups.key // concepts
        passing = (groups.total >= np.array(thresholds).take(article)).nonzero()[0]
        found: list[list[_Passing]] = [[] for _ in thresholds]
        for key, total, first, size, mass in zip(
            groups.key.take(passing).tolist(),
            groups.total.take(passing).tolist(),
            groups.first.take(passing).tolist(),
            groups.size.take(passing).tolist(),
            groups.mass.take(passing).tolist(),
            strict=True,
        ):
            n, column = divmod(key, concepts)
            found[n].append((column, total, first, size, mass))
        return found

    def _tags(
        self,
        passing: list[_Passing],
        threshold: float,
        order: list[int],
        pieces: _Pieces,
        text: str,
        doc: Doc | None,
    ) -> list[dict[str, Any]]:
        """One article's tags, the most evidence first (its mass, then its score; ties: by
        column, as the qcodes sort), each with its strongest pieces as evidence, in text order.
        The main subject is the first top-level one."""
        kept = self._subjects(passing, threshold)
        top = self._top
        tagged = sorted([p for p in passing if top[p[0]] in kept], key=_strength, reverse=True)
        concepts = self._concepts
        items: dict[int, dict[str, Any]] = {}  # piece -> its evidence item
        scores: dict[float, float] = {}  # a parent often has its child's score
        rank, double, item = pieces.rank, 2 * threshold, pieces.item
        tags = []
        for column, total, first, size, _ in tagged:
            shown = order[first : first + min(size, MAX_EVIDENCE)]
            for piece in shown:
                if piece not in items:
                    items[piece] = item(piece, text, doc)
            score = scores.get(total)
            if score is None:
                score = scores[total] = round(1 - math.exp(-total / double), 3)
            if len(shown) > 1:
                shown.sort(key=rank.__getitem__)
            concept = concepts[column]
            tags.append(
                {
                    "qcode": concept.qcode,
                    "label": concept.label,
                    "level": concept.level,
                    "score": score,
                    "parents": list(concept.parents),
                    "evidence": list(map(items.__getitem__, shown)),
                }
            )
        return tags

    def _subjects(self, passing: list[_Passing], threshold: float) -> set[int]:
        """The top-level subjects that are tagged, of the at most MAX_SUBJECTS with the most
        evidence: the main one, and those further subjects whose score is both
        SECONDARY_STRENGTH times the threshold and RELATIVE_CUT of the main one's, and which
        are about something specific: one of their deeper topics reaches the threshold itself.

        Two thresholds rather than one (hysteresis): a translation says the same with other
        words, and its scores differ from the original's by a quarter either way; a subject
        at one threshold comes and goes with them. The main subject needs the threshold, so
        that most articles have one; a further one needs far more, so that it is there in
        every language or in none (RELATIVE_CUT alone let through subjects at 0.5 of a main
        one that was itself just above the threshold).

        A further subject also needs a specific topic under it. A field's generic words
        (company, price, production for the economy) turn up in stories about anything, and
        each language uses a different handful of them, so a subject carried by them alone is
        the one that comes and goes between translations; a story that is also about the
        economy names what in it: nuclear power, an oil price, a merger. The topic must be one
        the lexicons or cues name: a node between (products and services, business service)
        only adds up its children's evidence, and reaches the threshold on a ship and a port
        that no specific topic under it has enough of."""
        level1 = self._level1
        subjects = sorted([p for p in passing if level1[p[0]]], key=_strength, reverse=True)
        if not subjects:
            return set()
        main = subjects[0]
        kept = {main[0]}
        top = self._top
        named = self._named
        specific = {top[p[0]] for p in passing if not level1[p[0]] and named[p[0]]}
        needed = max(SECONDARY_STRENGTH * threshold, RELATIVE_CUT * main[1])
        for subject, total, _, _, _ in subjects[1:MAX_SUBJECTS]:
            if total >= needed and subject in specific:
                kept.add(subject)
        return kept


def _group(pieces: _Pieces, rows: tuple[_Array, _Array, _Array, _Array], concepts: int) -> _Groups:
    """Spread the pieces over the concepts they support and sort the (article, concept, weight)
    pairs: each group's strongest pieces come first. A piece's weight is its row's, up to twice
    that when it recurs: an article that says "nuclear power" four times is about it; one
    passing word repeated is still one word. The weights are whole numbers and the repeat
    factor is in quarters, so the sums are exact whatever order they are added in.

    A group's mass is all its evidence, each piece counting the square root of its weight
    times its occurrences (up to MASS_REPEATS): it ranks the subjects. The score, capped at
    COUNTED pieces, saturates on long articles, where two or three subjects often tie and the
    main one is a toss-up between languages; the mass keeps growing with the evidence, and
    the root keeps one word repeated from outweighing several."""
    starts, lengths, columns, weights = rows
    spread = lengths.take(pieces.row)
    owner = np.repeat(np.arange(len(spread)), spread)  # pair -> piece
    skip = starts.take(pieces.row) - (np.cumsum(spread) - spread)
    pair = np.arange(len(owner)) + np.repeat(skip, spread)
    factor = np.minimum(REPEAT_CAP, 1 + REPEAT_BONUS * (pieces.count - 1))
    value = weights.take(pair) * factor.take(owner)
    key = pieces.article.take(owner) * concepts + columns.take(pair)
    order = np.lexsort((pieces.order.take(owner), -value, key))
    key, value, owner = key.take(order), value.take(order), owner.take(order)
    weight = weights.take(pair.take(order))
    new = np.ones(len(key), dtype=bool)
    np.not_equal(key[1:], key[:-1], out=new[1:])
    first = new.nonzero()[0]
    group = np.cumsum(new) - 1
    counted = np.arange(len(key)) - first.take(group) < COUNTED
    total = np.bincount(group[counted], weights=value[counted], minlength=len(first))
    repeats = np.minimum(MASS_REPEATS, pieces.count.take(owner))
    mass = np.bincount(group, weights=np.sqrt(weight * repeats), minlength=len(first))
    size = np.diff(first, append=len(key))
    return _Groups(key.take(first), total, first, size, mass, owner)


def _lexicon_key(lang: str, nlp: Language, terms: Sequence[Term]) -> Callable[[str], str]:
    key = _term_key(lang, nlp.Defaults.stop_words, _exact_forms(terms))
    return _compound_key(lang, key, terms) if lang in COMPOUNDING else key


def _compound_key(
    lang: str, key: Callable[[str], str], terms: Sequence[Term]
) -> Callable[[str], str]:
    """German and Icelandic write as one word what English writes as a phrase: Fußballverein
    is a football club, and English "football club" finds football. A long word the lexicon
    does not know counts as its first part when that part has the key of a one-word term (five
    letters or more) and both parts are words: the first a word of the language's dictionary
    or the term without its last -e, -en or -n (Schul-, Fernseh-), the rest (four letters or
    more, after a linking s) a word too. So Informationen is not Informat-ik (science) plus
    -ionen. A German compound is a noun, written with a capital. Not a compound's last part:
    Zusammenarbeit (cooperation) is no kind of Arbeit (labour); measured on WMT, last parts
    cost agreement and first parts gained it."""
    known = {key(word) for term in terms for word in term.text.split()}
    modifiers: dict[str, list[str]] = defaultdict(list)
    for term in terms:
        if not term.exact and " " not in term.text and len(term.text) >= MIN_MODIFIER:
            modifiers[key(term.text)].append(term.text.lower())
    knows = dictionary_knows(lang)
    capitalised = lang == "de"

    def is_modifier(part: str, found: str) -> bool:
        lower = part.lower()
        return knows(part) or any(
            text.startswith(lower) and text[len(lower) :] in ("e", "en", "n")
            for text in modifiers[found]
        )

    @lru_cache(maxsize=100_000)
    def compound(word: str) -> str:
        found = key(word)
        if found in known or found.startswith(EXACT) or len(word) < MIN_COMPOUND:
            return found
        if capitalised and not word[:1].isupper():
            return found
        for end in range(len(word) - MIN_REST, MIN_MODIFIER - 1, -1):
            part = word[:end]
            for first in (part, part[:-1] if part.endswith("s") else ""):
                if len(first) < MIN_MODIFIER or (modifier := key(first)) not in modifiers:
                    continue
                if is_modifier(first, modifier) and knows(word[end:]):
                    return modifier
        return found

    return compound


def _exact_forms(terms: Iterable[Term]) -> frozenset[str]:
    return frozenset(word.lower() for term in terms if term.exact for word in term.text.split())


def _term_key(
    lang: str, stop_words: Iterable[str], exact: frozenset[str] = frozenset()
) -> Callable[[str], str]:
    """Stems for lexicon terms, except for two kinds of word matched as themselves
    (lower-cased), so that each finds only its own form:
    - the forms the lexicon marks exact (=word), accents and all (French marché is not marche,
      walks): a stem that a common word of another meaning shares, English imports and
      important (import), futures and future, franc and France;
    - a word whose stem is a stop word's, without being one: French environnement stems like
      environ (about), parlement like parle, Spanish partido like par. Matched by stem, such a
      term would fire on the stop word, and the matcher drops it for that. Not where keys are
      lemmas (Russian, Ukrainian): there a shared key means the same word form read two ways,
      смог (smog; could)."""
    stem = word_key_function(lang)
    forms = frozenset(word.lower() for word in stop_words)
    taken = frozenset() if lang in LEMMATISED else frozenset(stem(word) for word in forms)
    if not exact and not taken:
        return stem

    def key(word: str) -> str:
        lower = word.lower()
        if lower in exact:
            return EXACT + lower
        found = stem(word)
        if found in taken and lower not in forms:
            return EXACT + lower
        return found

    return key


def _is_katakana(ch: str) -> bool:
    """Katakana letters and the long-vowel mark; not the middle dot, which separates words."""
    return "\u30a1" <= ch <= "\u30fa" or "\u30fc" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f"


def _katakana_word(text: str) -> bool:
    return bool(text) and all(map(_is_katakana, text))


def _whole_katakana_words(
    matches: TermMatches, katakana: _Array, docs: Sequence[Doc]
) -> TermMatches:
    """Japanese is matched character by character, and a loanword term in katakana is often
    the start of a longer one: フラン (franc) in フランス (France), ガス (gas) in ガスパール. Such
    a term counts only where no katakana letter adjoins it."""
    flagged = katakana.take(matches.entry).nonzero()[0]
    if not len(flagged):
        return matches
    keep = np.ones(len(matches.entry), dtype=bool)
    for i, n, first, end in zip(
        flagged.tolist(),
        matches.doc.take(flagged).tolist(),
        matches.first.take(flagged).tolist(),
        matches.end.take(flagged).tolist(),
        strict=True,
    ):
        doc = docs[n]
        before = doc[first - 1].text[-1:] if first > 0 else ""
        after = doc[end].text[:1] if end < len(doc) else ""
        if _is_katakana(before) or _is_katakana(after):
            keep[i] = False
    return matches.kept(keep)


def _space_positions(entry: Sequence[Alias], tokenizer: Callable[[str], Doc]) -> frozenset[int]:
    """After which of its tokens a term has a space, in any of its spellings."""
    return frozenset(
        k + 1
        for alias in entry
        for k, token in enumerate(tokenizer(alias.text))
        if token.whitespace_
    )


def _spaces_as_written(
    matches: TermMatches, spaces: list[frozenset[int]], docs: Sequence[Doc]
) -> TermMatches:
    """Korean is matched character by character but writes spaces between words, so a term
    would also be read across a word boundary: 의회 (parliament) in "경제의 회복", 재정 (public
    finances) in "현재 정부". A match crosses a space where the term has one itself, or with
    two characters or more on each side: compound nouns are written spaced or not (경제성장,
    경제 성장), while a particle or the end of a word is one syllable."""
    keep = np.ones(len(matches.entry), dtype=bool)
    for i, (n, first, end, entry) in enumerate(
        zip(
            matches.doc.tolist(),
            matches.first.tolist(),
            matches.end.tolist(),
            matches.entry.tolist(),
            strict=True,
        )
    ):
        doc, allowed = docs[n], spaces[entry]
        for token in range(first, end - 1):
            before = token - first + 1
            if not doc[token].whitespace_ or before in allowed:
                continue
            if before < COMPOUND_PART or end - first - before < COMPOUND_PART:
                keep[i] = False
                break
    return matches.kept(keep)


def _threshold(text: str) -> float:
    """Longer texts need more: they meet more incidental words."""
    return BASE_THRESHOLD + max(0, _word_count(text) - SHORT_TEXT) / LENGTH_STEP


def _word_count(text: str) -> int:
    spaces = text.count(" ")
    return spaces + 1 if spaces > len(text) / 20 else len(text) // 2  # zh, ja: ~2 chars a word
