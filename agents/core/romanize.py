"""Cross-script linking of person names by romanisation: the fallback for names the curated
aliases lack (जयशंकर, Джайшанкар -> Subrahmanyam Jaishankar).

Each name is romanised (anyascii) and reduced to a consonant skeleton that forgets what scripts
and transcriptions disagree on: vowels (Devanagari drops the inherent a), voicing-free classes
(k/g/q/c), m/n (anusvara), v/w. A token whose skeleton equals the skeleton of a known person's
surname is a candidate; it is linked only if the name in front of it also matches that person's
given name closely (rapidfuzz). A bare surname counts only after the full name has been linked
in the same text. Precision is measured by ``newsmon eval romanization``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import spacy
from anyascii import anyascii
from rapidfuzz import fuzz
from spacy.attrs import ORTH
from spacy.strings import StringStore
from spacy.tokens import Doc

from agents.core.kb import KnowledgeBase
from agents.core.matching import Mention

GIVEN_NAME_THRESHOLD = 70.0  # rapidfuzz ratio of given-name skeletons (0-100)
FULL_NAME_THRESHOLD = 55.0  # ratio of the romanised two words and the English name
SURNAME_THRESHOLD = 75.0  # ratio of a bare surname and the surname of the linked full name
MIN_SKELETON = 3  # shorter surnames (Li, Yi, Wu) are too ambiguous for a sound-alike match
# Scripts without letter case (Devanagari, Arabic) give no capital to tell a name from a word:
# there a surname needs a longer skeleton ("मार करने", to hit, sounds like "Mark Carney").
MIN_SKELETON_CASELESS = 4

_DIGRAPHS = (
    ("dzh", "j"),
    ("ph", "f"),
    ("kh", "k"),
    ("gh", "g"),
    ("sh", "s"),
    ("ch", "c"),
    ("zh", "j"),
    ("th", "t"),
    ("ts", "c"),
)
_CLASSES = str.maketrans(
    {"g": "k", "q": "k", "c": "k", "z": "s", "w": "v", "m": "n", "d": "t", "x": "k", "j": "j"}
)
_DROP = re.compile(r"[aeiouyh]")
_NOT_LETTER = re.compile(r"[^a-z]+")


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The consonant skeleton of one word in any script: Лавров, लावरोव, Lavrov -> "lvrv"."""
    latin = _NOT_LETTER.sub("", anyascii(word).lower())
    for digraph, single in _DIGRAPHS:
        latin = latin.replace(digraph, single)
    consonants = _DROP.sub("", latin).translate(_CLASSES)
    return re.sub(r"(.)\1+", r"\1", consonants)


def romanized(text: str) -> str:
    return " ".join(_NOT_LETTER.sub(" ", anyascii(text).lower()).split())


@lru_cache(maxsize=64)
def _stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop-word list of ``lang`` (करने, लेकिन are not names)."""
    try:
        return frozenset(spacy.blank(lang).Defaults.stop_words)
    except ImportError:  # a language spaCy does not know has no list
        return frozenset()


def _caseless(word: str) -> bool:
    first = word[:1]
    return first.upper() == first.lower()


def _looks_like_a_name(word: str) -> bool:
    """In scripts with letter case a name is capitalised (потом is not Путин)."""
    first = word[:1]
    return first.upper() == first.lower() or first.isupper()


@dataclass(frozen=True)
class _Person:
    entity_id: str
    given: str  # skeleton of the given name(s)
    name: str  # the English name, romanised


class RomanizedNameLinker:
    """Finds known people written in a script or transcription their aliases do not cover."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._seen: dict[int, str | None] = {}  # token hash -> surname skeleton or None
        self._hits: set[int] = set()  # the token hashes in _seen that have a surname
        self._by_surname: dict[str, list[_Person]] = defaultdict(list)
        for entity in kb.entities.values():
            parts = entity.name.split()
            if entity.type != "person" or len(parts) < 2:
                continue
            surname = skeleton(parts[-1])
            if len(surname) >= MIN_SKELETON:
                given = "".join(skeleton(part) for part in parts[:-1])
                self._by_surname[surname].append(_Person(entity.id, given, romanized(entity.name)))

    def find(self, doc: Doc) -> list[Mention]:
        """Link the tokens of ``doc``; returns strong mentions of full names and, after one,
        of the bare surname."""
        mentions: list[Mention] = []
        linked: dict[str, tuple[str, str]] = {}  # surname skeleton -> (entity id, surname)
        bare: list[tuple[str, int]] = []
        strings = doc.vocab.strings
        orths = doc.to_array(ORTH).tolist()
        hits = self._surname_hits(set(orths), strings)
        if not hits:
            return mentions  # the usual case: no known surname's sound-alike in the text
        stop_words = _stop_words(doc.vocab.lang)
        for index, orth in enumerate(orths):
            surname = hits.get(orth)
            if surname is None:
                continue
            word = doc[index].text
            if word in stop_words:
                continue
            person = self._full_name_match(self._by_surname[surname], doc, index)
            if person is None:
                bare.append((surname, index))
                continue
            span = doc[index - 1 : index + 1]
            mentions.append(
                Mention(person.entity_id, span.text, span.start_char, span.end_char, False)
            )
            linked[surname] = (person.entity_id, romanized(doc[index].text))
        for surname, index in bare:
            token = doc[index]
            if surname in linked:
                entity_id, seen = linked[surname]
                if fuzz.ratio(romanized(token.text), seen) >= SURNAME_THRESHOLD:
                    end = token.idx + len(token)
                    mentions.append(Mention(entity_id, token.text, token.idx, end, False))
        return mentions

    def _surname_hits(self, orths: set[int], strings: StringStore) -> dict[int, str]:
        """The tokens (by hash) that could be some known person's surname, with its skeleton.
        Memoised per hash; the set operations keep the per-article cost in C."""
        unseen = orths.difference(self._seen)
        if unseen:
            if len(self._seen) + len(unseen) >= 500_000:
                self._seen.clear()
                self._hits.clear()
                unseen = orths
            for orth in unseen:
                found = self._surname_of(strings[orth])
                self._seen[orth] = found
                if found:
                    self._hits.add(orth)
        return {orth: self._seen[orth] or "" for orth in orths.intersection(self._hits)}

    def _surname_of(self, word: str) -> str | None:
        """The skeleton of a word if it could be some known person's surname: written as a name
        and sounding like one."""
        surname = skeleton(word) if _looks_like_a_name(word) else ""
        shortest = MIN_SKELETON_CASELESS if _caseless(word) else MIN_SKELETON
        return surname if len(surname) >= shortest and surname in self._by_surname else None

    @staticmethod
    def _full_name_match(candidates: list[_Person], doc: Doc, index: int) -> _Person | None:
        before = doc[index - 1].text if index else ""
        if not before or not _looks_like_a_name(before) or before in _stop_words(doc.vocab.lang):
            return None
        given = skeleton(doc[index - 1].text)
        if not given:
            return None
        scored = [(fuzz.ratio(given, person.given), person) for person in candidates]
        score, best = max(scored, key=lambda pair: pair[0])
        if score < GIVEN_NAME_THRESHOLD:
            return None
        window = romanized(doc[index - 1 : index + 1].text)
        return best if fuzz.ratio(window, best.name) >= FULL_NAME_THRESHOLD else None
