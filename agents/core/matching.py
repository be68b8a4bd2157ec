"""Find knowledge-base aliases in text, one language at a time.

Each language gets a blank spaCy tokenizer and a key function (fold + stem or lemma). Aliases are
reduced to key sequences once at start-up; an article is tokenised, each token reduced to its key,
and the longest alias whose keys start at a token wins. Offsets come from the tokens, so mentions
point into the original, unnormalised text.

Patterns are tokenised with a *separate* tokenizer: spaCy's tokenizer cache holds 10,000 chunks
and never evicts, so filling it with alias chunks would leave the news stream uncached and make
tokenising ten times slower (the "tokenizer cache trap").
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH, ORTH
from spacy.language import Language
from spacy.tokens import Doc

from agents.core.kb import Alias
from agents.core.languages import CHARACTER_LANGUAGES, tokenizer_language
from agents.core.normalize import fold
from agents.core.stemming import KeyFunction, key_function

log = logging.getLogger(__name__)

TOKENIZER_CACHE_SIZE = 200_000
_HYPHEN_BETWEEN_LETTERS = r"(?<=[^\W\d_])-(?=[^\W\d_])"
KEY_CACHE_SIZE = 500_000
CUE_WINDOW = 2  # tokens after a weak alias searched for a context cue (चीनी [सरकार])
_Entry = tuple[tuple[str, ...], tuple[Alias, ...]]  # (keys after the first, the aliases they name)
_ExactEntry = tuple[tuple[str, ...], Alias]  # (folded forms of all words, the alias)


# Capitalised words that may stand before a place name without making a longer name of it.
_FUNCTION_WORDS = frozenset(
    [
        "the",
        "in",
        "to",
        "from",
        "for",
        "at",
        "on",
        "and",
        "but",
        "with",
        "by",
        "of",
        "as",
        "if",
        "when",
        "while",
        "after",
        "before",
        "both",
        "between",
        "including",
        "into",
        "via",
        "across",
        "against",
        "near",
        "under",
        "over",
        "said",
        "says",
    ]
)


PLACE, LOWER_CASE, LONGER_NAME = "place", "lower case", "longer name"


def _proper_reading(doc: Doc, i: int, length: int) -> str:
    """How a proper alias (Jordan, Chad, Turkey) at doc[i:i+length] is used: as a place name, in
    lower case ("turkey", "того"), or inside a longer proper name with a capitalised neighbour
    (Michael Jordan, Jordan Belfort, Turkey Point)."""
    if not doc[i].text[:1].isupper():
        return LOWER_CASE
    after = _neighbour(doc, i + length, step=1)
    if after is not None and _is_capitalised_word(after):
        return LONGER_NAME
    before = _neighbour(doc, i - 1, step=-1)
    if before and _is_capitalised_word(before) and before.lower() not in _FUNCTION_WORDS:
        return LONGER_NAME
    return PLACE


def _neighbour(doc: Doc, index: int, step: int) -> str | None:
    """The nearest token text from ``index`` on, skipping line breaks (wrapped wire copy)."""
    while 0 <= index < len(doc):
        if not doc[index].is_space:
            return doc[index].text
        index += step
    return None


def _preferred(alias: Alias) -> tuple[bool, bool]:
    """Of two aliases with one key for one entity, keep the strong one, then the one without a
    case constraint (French russe over Russes, so that "russes" still matches)."""
    return (not alias.weak, alias.adjective or not alias.text[:1].isupper())


def _is_katakana(ch: str) -> bool:
    return "\u30a0" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f"


def _whole_latin_word(text: str, start: int, end: int, aliases: tuple[Alias, ...]) -> bool:
    """In text matched character by character (Chinese, Japanese), a Latin alias such as "UN" must
    be a whole word with its exact case, not the letters u, n inside "Francisco" or "hakobune";
    a katakana name likewise (タイ, Thailand, is not the タイ of タイトル, title)."""
    surface = text[start:end]
    if surface and all(_is_katakana(ch) for ch in surface):
        before, after = text[start - 1 : start], text[end : end + 1]
        return not ((before and _is_katakana(before)) or (after and _is_katakana(after)))
    if not any("a" <= ch.lower() <= "z" for ch in surface):
        return True
    before = text[start - 1 : start]
    after = text[end : end + 1]
    if (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
        return False
    return any(alias.text == surface for alias in aliases)


NAME_DOTS = "·・‧•"  # between the parts of a foreign name written in Chinese or Japanese


def _inside_foreign_name(text: str, start: int, end: int, reach: int = 2) -> bool:
    """In Chinese and Japanese a foreign name's parts stand between dots: 理查德·诺兰德 (Richard
    Norland) holds 查德 (Chad), 埃马纽埃尔·马克龙 (Emmanuel Macron) holds 纽埃 (Niue). A match
    that ends at most ``reach`` letters before such a dot, or starts one to ``reach`` letters
    after it, is part of the name. Right after the dot it is a surname (·普京) and stays."""
    after = text[end : end + reach + 1]
    for offset, ch in enumerate(after):
        if ch in NAME_DOTS:
            return True
        if not ch.isalpha() or offset == reach:
            break
    before = text[max(0, start - reach - 1) : start]
    for offset, ch in enumerate(reversed(before)):
        if ch in NAME_DOTS:
            return offset > 0
        if not ch.isalpha():
            break
    return False


def _arabic_name_particle(doc: Doc, i: int) -> bool:
    """A match right after "al-" or "el-" in Latin-script text is a family name (al-Masri)."""
    return i >= 2 and doc[i - 1].text == "-" and doc[i - 2].text.lower() in ("al", "el")


def _is_capitalised_word(word: str) -> bool:
    return word[:1].isupper() and word.isalpha()


@dataclass(frozen=True)
class Mention:
    entity_id: str
    text: str
    start: int
    end: int
    weak: bool
    alias: str = ""  # the knowledge-base alias this mention matched, if any


def blank_pipeline(lang: str) -> spacy.language.Language:
    """A tokenizer-only pipeline for ``lang`` whose cache works for a news stream.

    Three changes: a larger cache; no special-case rules, because spaCy 3.8 stops caching the
    rest of a document after the first special-case chunk ("U.S.", "Mr.", "it's": spaCy issue
    #13950), which made tokenising news three times slower; and hyphens between letters always
    split, so that German "US-Streitkräfte" and Hindi "रूस-चीन" show their names. Aliases are
    cut by the same tokenizer, so matching stays consistent.
    """
    nlp = spacy.blank(tokenizer_language(lang))
    raise_cache_size(nlp)
    tokenizer: Any = nlp.tokenizer
    tokenizer.rules = {}
    infixes = [*(nlp.Defaults.infixes or ()), _HYPHEN_BETWEEN_LETTERS]
    tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    return nlp


def raise_cache_size(nlp: spacy.language.Language) -> None:
    """spaCy's default cache (10,000 chunks, never evicted) is too small for a news stream."""
    tokenizer: Any = nlp.tokenizer
    tokenizer.max_cache_size = TOKENIZER_CACHE_SIZE


class LanguageMatcher:
    """Longest-match alias lookup over one language's token keys."""

    def __init__(
        self,
        lang: str,
        aliases: Iterable[Alias],
        cues: Iterable[str] = (),
        nlp: Language | None = None,
        key: KeyFunction | None = None,
    ) -> None:
        self.lang = lang
        self.nlp = nlp or blank_pipeline(lang)  # shared: two matchers can read one Doc
        self.key: KeyFunction = key or (fold if lang in CHARACTER_LANGUAGES else key_function(lang))
        self._index, self._exact = self._build_indexes(aliases)
        self._cues = frozenset(self.key(word) for word in cues)
        self._character_level = lang in CHARACTER_LANGUAGES
        self._key_cache: dict[int, str] = {}
        self._start_orths: set[int] = set()  # hashes of cached tokens whose key starts an alias
        self._start_array: np.ndarray[Any, Any] | None = None  # the same, for numpy

    def token_key(self, word: str) -> str:
        """Short all-capital words keep their case: US, WHO, ВОЗ are not us, who, воз (cart)."""
        if 1 < len(word) <= 4 and word.isupper() and word.isalpha():
            return "^" + word
        return self.key(word)

    def _build_indexes(
        self, aliases: Iterable[Alias]
    ) -> tuple[dict[str, list[_Entry]], dict[str, list[_ExactEntry]]]:
        """The stem index (first key -> entries), and the exact-form index for aliases whose
        stems collide."""
        pattern_tokenizer = blank_pipeline(self.lang).tokenizer  # keeps self.nlp's cache free
        stop_keys = {self.key(word) for word in self.nlp.Defaults.stop_words}
        by_keys: dict[tuple[str, ...], dict[str, Alias]] = defaultdict(dict)
        for alias in aliases:
            keys = tuple(self.token_key(token.text) for token in pattern_tokenizer(alias.text))
            if len(keys) == 1 and keys[0] in stop_keys:
                if not alias.text[:1].isupper():
                    continue  # Spanish finés stems to "fin" (end): nothing can tell them apart
                # Russian Того (Togo) lemmatises like того (that), Czech Mali stems like malý:
                # such a name counts only written as a name and corroborated (see entities.py)
                alias = replace(alias, proper=True, weak=True)
            if keys and any(keys):
                current = by_keys[keys].get(alias.entity_id)
                if current is None or _preferred(alias) > _preferred(current):
                    by_keys[keys][alias.entity_id] = alias
        index: dict[str, list[_Entry]] = defaultdict(list)
        collided: list[Alias] = []
        for keys, candidates in by_keys.items():
            named = tuple(candidates.values())
            if len(named) > 1 and not all(alias.compound for alias in named):
                collided.extend(named)  # one stem sequence, two entities: try the exact forms
                continue
            index[keys[0]].append((keys[1:], named))
        for entries in index.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        return dict(index), self._build_exact_index(collided, pattern_tokenizer)

    def _build_exact_index(
        self, aliases: list[Alias], pattern_tokenizer: Any
    ) -> dict[str, list[_ExactEntry]]:
        """Aliases whose stems collide (Italian Libano and Libia both stem to "lib") are matched
        on their exact folded forms instead, keyed by the stem of their first word."""
        by_form: dict[tuple[str, ...], dict[str, Alias]] = defaultdict(dict)
        first_stem: dict[tuple[str, ...], str] = {}
        for alias in aliases:
            tokens = [token.text for token in pattern_tokenizer(alias.text)]
            form = tuple(fold(token) for token in tokens)
            by_form[form][alias.entity_id] = alias
            first_stem[form] = self.token_key(tokens[0])
        exact: dict[str, list[_ExactEntry]] = defaultdict(list)
        for form, candidates in by_form.items():
            if len(candidates) == 1:  # still two entities for one exact form: undecidable
                exact[first_stem[form]].append((form, next(iter(candidates.values()))))
        for entries in exact.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        log.debug(
            "lang=%s %d colliding aliases, %d kept by exact form",
            self.lang,
            len(aliases),
            sum(len(v) for v in exact.values()),
        )
        return dict(exact)

    def tokenize(self, text: str) -> Doc:
        return self.nlp.make_doc(text)

    def _cache_keys(self, orths: list[int]) -> None:
        cache = self._key_cache
        missing = set(orths).difference(cache)
        if not missing:
            return
        if len(cache) + len(missing) > KEY_CACHE_SIZE:  # a stream never stops bringing words
            cache.clear()
            self._start_orths.clear()
            self._start_array = None
            missing = set(orths)
        strings = self.nlp.vocab.strings
        index, exact = self._index, self._exact
        for orth in missing:
            key = cache[orth] = self.token_key(strings[orth])
            if key in index or key in exact:
                self._start_orths.add(orth)
                self._start_array = None  # rebuilt on the next find_terms

    def find_terms(self, doc: Doc) -> list[tuple[int, int, int, tuple[Alias, ...]]]:
        """Plain longest-match lookup for common words (topic lexicons): (start char, end char,
        first token, aliases) per match, without the name rules of ``find_in`` and without
        making Token objects; the candidate starts are found by numpy."""
        table = doc.to_array([ORTH, IDX, LENGTH])
        orths = table[:, 0].tolist()
        self._cache_keys(orths)
        starts = self._start_array
        if starts is None:
            starts = np.sort(np.fromiter(self._start_orths, dtype=np.uint64))
            self._start_array = starts
        cache, index = self._key_cache, self._index
        found: list[tuple[int, int, int, tuple[Alias, ...]]] = []
        if not len(starts):
            return found
        column = table[:, 0]
        places = np.minimum(np.searchsorted(starts, column), len(starts) - 1)
        resume = 0
        for i in np.flatnonzero(starts[places] == column).tolist():
            if i < resume:
                continue
            entries = index[cache[orths[i]]]
            longest = len(entries[0][0])  # entries are sorted longest first
            following = tuple(cache[o] for o in orths[i + 1 : i + 1 + longest]) if longest else ()
            for rest, aliases in entries:
                if following[: len(rest)] != rest:
                    continue
                end = i + 1 + len(rest)
                end_char = int(table[end - 1, 1] + table[end - 1, 2])
                found.append((int(table[i, 1]), end_char, i, aliases))
                resume = end
                break
        return found

    def find(self, text: str) -> list[Mention]:
        return self.find_in(self.tokenize(text), text)

    def find_in(self, doc: Doc, text: str) -> list[Mention]:
        orths = doc.to_array(ORTH).tolist()
        self._cache_keys(orths)
        start_orths = self._start_orths
        starts = [i for i, orth in enumerate(orths) if orth in start_orths]
        mentions: list[Mention] = []
        if not starts:
            return mentions
        cache = self._key_cache
        keys = [cache[orth] for orth in orths]
        other_senses: set[str] = set()  # proper aliases seen inside a longer name in this text
        resume = 0
        for i in starts:  # few tokens start an alias
            if i < resume:
                continue
            matched = self._match_at(keys, i) or self._match_exact_at(doc, keys, i)
            if matched is None:
                continue
            length, aliases = matched
            resume = i + length
            last = doc[i + length - 1]
            start, end = doc[i].idx, last.idx + len(last)
            surface = text[start:end]
            if self._character_level and (
                not _whole_latin_word(text, start, end, aliases)
                or _inside_foreign_name(text, start, end)
            ):
                continue
            if any(alias.proper for alias in aliases):
                reading = _proper_reading(doc, i, length)
                if reading == LONGER_NAME:
                    other_senses.add(fold(surface))
                if reading != PLACE:
                    continue
            if _arabic_name_particle(doc, i):
                continue  # Abu Hajar al-Iraqi: a nisba, part of a personal name
            cued = any(key in self._cues for key in keys[i + length : i + length + CUE_WINDOW])
            for alias in aliases:
                if alias.text[:1].isupper() and not alias.adjective and not surface[:1].isupper():
                    continue  # a capitalised name written in lower case is another word (sám)
                weak = alias.weak and not cued
                mentions.append(Mention(alias.entity_id, surface, start, end, weak, alias.text))
        if other_senses:  # one sense per text: after "Michael Jordan", a bare "Jordan" is him
            mentions = [m for m in mentions if fold(m.text) not in other_senses]
        return mentions

    def _match_at(self, keys: list[str], i: int) -> tuple[int, tuple[Alias, ...]] | None:
        for rest, aliases in self._index.get(keys[i], ()):
            if tuple(keys[i + 1 : i + 1 + len(rest)]) == rest:
                return 1 + len(rest), aliases
        return None

    def _match_exact_at(
        self, doc: Doc, keys: list[str], i: int
    ) -> tuple[int, tuple[Alias, ...]] | None:
        for form, alias in self._exact.get(keys[i], ()):
            if i + len(form) <= len(doc) and all(
                fold(doc[i + j].text) == part for j, part in enumerate(form)
            ):
                return len(form), (alias,)
        return None


_TERMINAL = -1  # the trie key under which a node keeps the entry that ends there
TERM_SLOTS = 1 << 17  # key-id cache slots per lexicon (2 MB)


class TermScanner:
    """``LanguageMatcher.find_terms`` with less Python per token, for topic lexicons.

    The same longest-match, left-to-right matches over the same keys (the matcher's tokenizer,
    key function and index), but each token's key is reduced to a small integer once and read
    back with numpy (a direct-mapped cache indexed by the orth hash's low bits), candidate starts
    are found by numpy too (first key, and second key where a term needs two), and only those
    few are walked in a trie of key ids. A match is (first token, end token, entry), where
    ``entries[entry]`` is the tuple of aliases the matcher keeps for that key sequence.
    """

    def __init__(self, matcher: LanguageMatcher) -> None:
        self.matcher = matcher
        self.entries: list[tuple[Alias, ...]] = []
        key_ids: dict[str, int] = {}
        self._trie: dict[int, Any] = {}
        for first, entries in matcher._index.items():
            for rest, aliases in entries:
                node = self._trie
                for key in (first, *rest):
                    node = node.setdefault(key_ids.setdefault(key, len(key_ids) + 1), {})
                node[_TERMINAL] = len(self.entries)
                self.entries.append(aliases)
        self._key_ids = key_ids
        size = len(key_ids) + 1
        self._starts = np.zeros(size, dtype=bool)  # key id -> starts a term
        self._alone = np.zeros(size, dtype=bool)  # key id -> is a whole one-token term
        pairs: list[int] = []
        for first_id, node in self._trie.items():
            self._starts[first_id] = True
            self._alone[first_id] = _TERMINAL in node
            pairs.extend(first_id * size + second for second in node if second != _TERMINAL)
        self._size = size
        self._pairs = np.unique(np.array(pairs, dtype=np.int64))  # valid first two key ids
        # a direct-mapped cache of key ids by orth hash, read with one numpy gather per Doc
        self._slot_orth = np.zeros(TERM_SLOTS, dtype=np.uint64)
        self._slot_id = np.zeros(TERM_SLOTS, dtype=np.int64)
        self._known: dict[int, int] = {}  # behind it: every orth seen -> key id (0: in no term)

    def _key_ids_of(self, column: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        slots = (column & np.uint64(TERM_SLOTS - 1)).astype(np.intp)
        ids = self._slot_id[slots]
        missed = np.flatnonzero(self._slot_orth[slots] != column)
        if len(missed):
            known = self._known
            if len(known) + len(missed) > KEY_CACHE_SIZE:  # a stream never stops bringing words
                known.clear()
            strings, token_key, key_ids = (
                self.matcher.nlp.vocab.strings,
                self.matcher.token_key,
                self._key_ids,
            )
            for i in missed.tolist():
                orth = int(column[i])
                found = known.get(orth)
                if found is None:
                    found = known[orth] = key_ids.get(token_key(strings[orth]), 0)
                ids[i] = self._slot_id[slots[i]] = found
                self._slot_orth[slots[i]] = orth
        return ids

    def scan(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(first token, end token, entry) per match, in text order."""
        column = doc.to_array(ORTH)
        if not len(column):
            return []
        ids = self._key_ids_of(column)
        starts = self._starts[ids]
        if not starts.any():
            return []
        pairs = ids[:-1] * self._size + ids[1:]
        places = np.minimum(np.searchsorted(self._pairs, pairs), max(0, len(self._pairs) - 1))
        paired = np.zeros(len(ids), dtype=bool)
        if len(self._pairs):
            paired[:-1] = self._pairs[places] == pairs
        candidates = np.flatnonzero(starts & (self._alone[ids] | paired)).tolist()
        keys = ids.tolist()
        walk = paired.tolist()
        trie, n = self._trie, len(keys)
        found: list[tuple[int, int, int]] = []
        resume = 0
        for i in candidates:
            if i < resume:
                continue
            node = trie[keys[i]]
            if not walk[i]:  # a one-token term that no longer one continues here
                found.append((i, i + 1, node[_TERMINAL]))
                continue
            entry, end, j = node.get(_TERMINAL, -1), i + 1, i + 1
            while j < n:
                node = node.get(keys[j])
                if node is None:
                    break
                j += 1
                if _TERMINAL in node:
                    entry, end = node[_TERMINAL], j
            if entry >= 0:
                found.append((i, end, entry))
                resume = end
        return found
