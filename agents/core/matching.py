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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH, ORTH
from spacy.language import Language
from spacy.tokens import Doc

from agents.core.kb import Alias
from agents.core.languages import (
    CHARACTER_LANGUAGES,
    SPACED_CHARACTER_LANGUAGES,
    tokenizer_language,
)
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


def _proper_reading(doc: Doc, i: int, length: int, function_words: frozenset[str]) -> str:
    """How a proper alias (Jordan, Chad, Turkey) at doc[i:i+length] is used: as a place name, in
    lower case ("turkey", "того"), or inside a longer proper name with a capitalised neighbour
    (Michael Jordan, Jordan Belfort, Turkey Point). A capitalised function word before it does
    not make a longer name: "The", and in its own language "La" (La Nato), "Die", "En"."""
    if not doc[i].text[:1].isupper():
        return LOWER_CASE
    after = _neighbour(doc, i + length, step=1)
    if after is not None and _is_capitalised_word(after):
        return LONGER_NAME
    before = _neighbour(doc, i - 1, step=-1)
    if before and _is_capitalised_word(before) and before.lower() not in function_words:
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


def _spaced_otherwise(surface: str, aliases: tuple[Alias, ...]) -> bool:
    """Korean is matched by character but spaced by word: 중국 (China) is not in "집중 국면",
    nor 러시아 in "러시 아". A name's characters stand apart only where its alias has a space."""
    parts = [len(part) for part in surface.split()]
    return len(parts) > 1 and all(
        [len(part) for part in alias.text.split()] != parts for alias in aliases
    )


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


_ORTH_COLUMN = "newsmon.orth"  # Doc.user_data key of the memo below


def orth_column(doc: Doc) -> np.ndarray[Any, Any]:
    """The Doc's token hashes, read once per Doc: the entity matcher and the topic scanner both
    need them, and ``to_array`` is a sizeable part of a topic scan. Our Docs are never
    retokenised, so the memo cannot go stale."""
    column = doc.user_data.get(_ORTH_COLUMN)
    if column is None:
        column = doc.user_data[_ORTH_COLUMN] = doc.to_array(ORTH)
    return column


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
        self._spaced = lang in SPACED_CHARACTER_LANGUAGES
        self._function_words = _FUNCTION_WORDS | {w.lower() for w in self.nlp.Defaults.stop_words}
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
        orths = orth_column(doc).tolist()
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
                or (self._spaced and _spaced_otherwise(surface, aliases))
            ):
                continue
            if any(alias.proper for alias in aliases):
                reading = _proper_reading(doc, i, length, self._function_words)
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
TERM_SLOTS = 1 << 18  # key cache slots per lexicon (2 MB)
_LOW = np.uint64(TERM_SLOTS - 1)  # the orth bits that choose a slot
_ONE = np.uint64(1)
PAIR_SLOTS = 1 << 16  # hashed first two keys of longer terms (~1,500 a lexicon): few false hits


def _pair_slot(first: Any, second: Any) -> Any:
    """The bitmap slot of a pair of key ids (ints or arrays of them); the prime spreads the
    pairs of one first key."""
    return (first * 4099 + second) & (PAIR_SLOTS - 1)


@dataclass(frozen=True)
class TermMatches:
    """A batch's term matches by Doc, then in text order: the Doc (its place in the batch),
    first token, end token and lexicon entry of each."""

    doc: np.ndarray[Any, Any]
    first: np.ndarray[Any, Any]
    end: np.ndarray[Any, Any]
    entry: np.ndarray[Any, Any]

    def kept(self, keep: np.ndarray[Any, Any]) -> TermMatches:
        """The matches where the boolean mask ``keep`` is true."""
        return TermMatches(self.doc[keep], self.first[keep], self.end[keep], self.entry[keep])


class TermScanner:
    """``LanguageMatcher.find_terms`` with less Python per token, for topic lexicons.

    The same longest-match, left-to-right matches over the same keys (the matcher's tokenizer,
    key function and index), but each token's key is reduced to a small integer once and read
    back with numpy (a direct-mapped cache indexed by the orth hash's low bits), and the trie of
    key ids is followed with numpy too (``_TrieArrays``). A match is (first token, end token,
    entry), where ``entries[entry]`` is the tuple of aliases the matcher keeps for that key
    sequence.

    A whole batch of Docs is scanned at once: a numpy call costs about as much as a Python loop
    over a few dozen items whatever the array's size, so per-article arrays would spend most of
    the time in those fixed costs. The token hashes are the ones the entity matcher read
    (``orth_column``).
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
        if size << 2 > TERM_SLOTS:
            raise ValueError(f"{size} keys: too many for the key cache's slots")
        self._starts = set(self._trie)  # key ids that start a term
        self._nodes = _TrieArrays(self._trie, size)
        # A direct-mapped cache of token codes (key id << 1 | starts a term) by orth hash, read
        # with one numpy gather per batch. A slot holds orth ^ (code << 1 | 1): XOR-ed with the
        # orth of a token that chooses the slot, it gives code << 1 | 1 for the orth it holds
        # and a number past the slot bits (or 0, for an unused slot) for any other orth.
        self._slots = np.arange(TERM_SLOTS, dtype=np.uint64)
        self._known: dict[int, int] = {}  # behind it: every orth seen -> code (0: in no term)
        self._longer = np.zeros(PAIR_SLOTS, dtype=bool)  # hashed first two keys of longer terms
        for first_id, node in self._trie.items():
            for second in node:
                if second != _TERMINAL:
                    self._longer[_pair_slot(first_id, second)] = True

    def _codes_of(self, column: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Each token's code: key id << 1 | whether that key starts a term (0: in no term)."""
        slots = column & _LOW
        held = self._slots.take(slots)
        held ^= column
        missed = ((held - _ONE) >= _LOW).nonzero()[0]  # not in 1 .. _LOW
        codes = (held >> _ONE).view(np.int64)
        if len(missed):
            self._fill(column, slots, missed, codes)
        return codes

    def _fill(
        self,
        column: np.ndarray[Any, Any],
        slots: np.ndarray[Any, Any],
        missed: np.ndarray[Any, Any],
        codes: np.ndarray[Any, Any],
    ) -> None:
        """Codes of the tokens the slots do not hold (two words of a batch may share one),
        from the dict behind them or, for a word never seen, the key function."""
        known = self._known
        if len(known) + len(missed) > KEY_CACHE_SIZE:  # a stream never stops bringing words
            known.clear()
        orths = column.take(missed)
        found = list(map(known.get, orths.tolist()))
        if None in found:
            strings, token_key = self.matcher.nlp.vocab.strings, self.matcher.token_key
            key_ids, starts = self._key_ids, self._starts
            for n, orth in enumerate(orths.tolist()):
                if found[n] is None:
                    key_id = key_ids.get(token_key(strings[orth]), 0)
                    found[n] = known[orth] = key_id << 1 | (key_id in starts)
        values = np.array(found, dtype=np.int64)
        codes[missed] = values
        self._slots[slots.take(missed)] = orths ^ (values.view(np.uint64) << _ONE | _ONE)

    def scan(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(first token, end token, entry) per match, in text order."""
        found = self.scan_many([doc])
        return list(
            zip(found.first.tolist(), found.end.tolist(), found.entry.tolist(), strict=True)
        )

    def scan_many(self, docs: Sequence[Doc]) -> TermMatches:
        """The matches of every Doc, its tokens read as one array: most terms are one word, and
        the few starts whose next key continues a term are followed key by key, all at once."""
        columns = [orth_column(doc) for doc in docs]
        bounds = np.fromiter(accumulate(map(len, columns), initial=0), np.int64, len(docs) + 1)
        if not bounds[-1]:
            return _no_matches()
        codes = self._codes_of(np.concatenate(columns))
        starts = (codes & 1).nonzero()[0]
        trie = self._nodes
        firsts = codes.take(starts) >> 1
        nexts = codes.take(starts + 1, mode="clip") >> 1
        nodes = trie.first.take(firsts)
        single = trie.terminal.take(nodes)  # a one-word term, unless a longer one starts there
        maybe = self._longer.take(_pair_slot(firsts, nexts)).nonzero()[0]  # hashed: few
        following = trie.children(nodes.take(maybe), nexts.take(maybe))
        at = starts.take(maybe)
        limits = bounds.take(bounds.searchsorted(at, side="right"))  # each one's Doc's end
        longer = ((following >= 0) & (at + 1 < limits)).nonzero()[0]
        if len(longer):
            single[maybe.take(longer)] = -1
        alone = (single >= 0).nonzero()[0]
        position, entry = starts.take(alone), single.take(alone)
        end = position + 1
        if len(longer):
            found = self._longest(
                codes,
                at.take(longer),
                nodes.take(maybe.take(longer)),
                following.take(longer),
                limits.take(longer),
            )
            position, end, entry = _merge(position, end, entry, found, len(codes))
        doc = bounds.searchsorted(position, side="right") - 1
        base = bounds.take(doc)
        return TermMatches(doc, position - base, end - base, entry)

    def _longest(
        self,
        codes: np.ndarray[Any, Any],
        starts: np.ndarray[Any, Any],
        nodes: np.ndarray[Any, Any],
        following: np.ndarray[Any, Any],
        limits: np.ndarray[Any, Any],
    ) -> tuple[list[int], list[int], list[int]]:
        """(position, end, entry) of the longest term at each start whose first two keys begin
        one, followed key by key within its Doc (up to ``limits``) for all the starts at once;
        then, left to right, a start inside an earlier match is dropped."""
        trie = self._nodes
        entry = trie.terminal.take(nodes)  # the one-word term, if the longer ones fail
        end = starts + 1
        alive, node, after = np.arange(len(starts)), following, starts + 2
        while len(alive):
            ending = trie.terminal.take(node)
            done = (ending >= 0).nonzero()[0]
            entry[alive.take(done)] = ending.take(done)
            end[alive.take(done)] = after.take(done)
            go = ((after < limits) & trie.branching.take(node)).nonzero()[0]
            node = trie.children(node.take(go), codes.take(after.take(go)) >> 1)
            found = (node >= 0).nonzero()[0]
            kept = go.take(found)
            alive, node = alive.take(kept), node.take(found)
            after, limits = after.take(kept) + 1, limits.take(kept)
        positions: list[int] = []
        ends: list[int] = []
        entries: list[int] = []
        resume = 0
        for i, stop, term in zip(starts.tolist(), end.tolist(), entry.tolist(), strict=True):
            if i >= resume and term >= 0:
                positions.append(i)
                ends.append(stop)
                entries.append(term)
                resume = stop
        return positions, ends, entries


class _TrieArrays:
    """The lexicon's trie of key ids as arrays, so that all the candidate terms of a batch are
    followed one key at a time together: node -> the entry of the term ending there (-1: none)
    and whether longer terms go on; (node, key) -> child, by binary search."""

    def __init__(self, trie: dict[int, Any], keys: int) -> None:
        self._keys = keys
        self.first = np.full(keys, -1, dtype=np.int64)  # key id -> its node as a first key
        terminal: list[int] = []
        branching: list[bool] = []
        links: list[tuple[int, int]] = []  # (node * keys + key, child)

        def visit(node: dict[int, Any]) -> int:
            number = len(terminal)
            terminal.append(node.get(_TERMINAL, -1))
            branching.append(len(node) > (_TERMINAL in node))
            for key, child in node.items():
                if key != _TERMINAL:
                    links.append((number * keys + key, visit(child)))
            return number

        for key, child in trie.items():
            self.first[key] = visit(child)
        self.terminal = np.array(terminal, dtype=np.int64)
        self.branching = np.array(branching, dtype=bool)
        links.sort()
        last = np.iinfo(np.int64).max  # past every link: keeps searchsorted in range
        self._links = np.array([link for link, _ in links] + [last], dtype=np.int64)
        self._children = np.array([child for _, child in links] + [-1], dtype=np.int64)

    def children(
        self, nodes: np.ndarray[Any, Any], keys: np.ndarray[Any, Any]
    ) -> np.ndarray[Any, Any]:
        """Each node's child by the key beside it; -1 where it has none."""
        links = nodes * self._keys + keys
        places = self._links.searchsorted(links)
        return np.where(self._links.take(places) == links, self._children.take(places), -1)


def _merge(
    position: np.ndarray[Any, Any],
    end: np.ndarray[Any, Any],
    entry: np.ndarray[Any, Any],
    walked: tuple[list[int], list[int], list[int]],
    tokens: int,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The one-word matches not inside a longer match, and the longer ones, in text order."""
    starts, stops, entries = walked
    covered = [k for i, stop in zip(starts, stops, strict=True) for k in range(i + 1, stop)]
    if covered:
        inside = np.zeros(tokens, dtype=bool)
        inside[covered] = True
        outside = ~inside.take(position)
        position, end, entry = position[outside], end[outside], entry[outside]
    position = np.concatenate([position, np.array(starts, dtype=np.int64)])
    order = position.argsort(kind="stable")
    end = np.concatenate([end, np.array(stops, dtype=np.int64)]).take(order)
    entry = np.concatenate([entry, np.array(entries, dtype=np.int64)]).take(order)
    return position.take(order), end, entry


def _no_matches() -> TermMatches:
    empty = np.zeros(0, dtype=np.int64)
    return TermMatches(empty, empty, empty, empty)
