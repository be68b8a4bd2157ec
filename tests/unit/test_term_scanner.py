"""The topic layer's batch machinery: a batch scan finds what the plain matcher finds Doc by Doc,
the key cache never answers for another word, and a batch is tagged as its articles one by one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agents.core.kb import Alias
from agents.core.matching import LanguageMatcher, TermScanner, orth_column
from agents.core.stemming import word_key_function

# One-word terms, terms that start inside others, and terms that share a first word.
TERMS = [
    "alpha",
    "alpha beta",
    "alpha beta gamma delta",
    "beta gamma",
    "gamma",
    "delta epsilon",
    "beta",
    "zeta eta theta",
    "eta",
    "Theta Zeta",
]
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "Theta", "other"]


@pytest.fixture(scope="module")
def scanner() -> TermScanner:
    aliases = [Alias(f"t{n}", "en", text, compound=True) for n, text in enumerate(TERMS)]
    return TermScanner(LanguageMatcher("en", aliases, key=word_key_function("en")))


def _expected(matcher: LanguageMatcher, doc) -> list[tuple[int, int, tuple[Alias, ...]]]:
    """(first token, end character, aliases) of each match, by the plain matcher."""
    return [(first, end, aliases) for _, end, first, aliases in matcher.find_terms(doc)]


def _found(scanner: TermScanner, doc, matches) -> list[tuple[int, int, tuple[Alias, ...]]]:
    return [
        (first, doc[end - 1].idx + len(doc[end - 1]), scanner.entries[entry])
        for first, end, entry in matches
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=14), min_size=1, max_size=6))
@example([["alpha", "beta", "gamma", "delta", "epsilon"], ["alpha", "beta", "gamma"]])  # inside
@example([["zeta", "eta", "theta", "eta"], ["Theta", "Zeta", "eta", "theta"]])
@example([["other", "alpha"], ["beta", "gamma"], [], ["delta"], ["epsilon"]])  # not across Docs
def test_a_batch_scan_finds_what_the_matcher_finds_doc_by_doc(scanner, texts) -> None:
    matcher = scanner.matcher
    docs = [matcher.tokenize(" ".join(words)) for words in texts]
    found = scanner.scan_many(docs)
    for n, doc in enumerate(docs):
        mine = [
            (int(first), int(end), int(entry))
            for d, first, end, entry in zip(
                found.doc, found.first, found.end, found.entry, strict=True
            )
            if d == n
        ]
        assert _found(scanner, doc, mine) == _expected(matcher, doc)
        assert scanner.scan(doc) == mine


def _codes(scanner: TermScanner, column: np.ndarray) -> list[int]:
    """Each token's code computed from scratch: key id << 1 | starts a term."""
    strings, token_key = scanner.matcher.nlp.vocab.strings, scanner.matcher.token_key
    ids = [scanner._key_ids.get(token_key(strings[orth]), 0) for orth in column.tolist()]
    return [key_id << 1 | (key_id in scanner._starts) for key_id in ids]


def test_the_key_cache_never_answers_for_another_word(scanner) -> None:
    doc = scanner.matcher.tokenize("alpha beta gamma other words delta epsilon Theta Zeta alpha")
    column = orth_column(doc)
    expected = _codes(scanner, column)
    assert any(expected)
    assert scanner._codes_of(column).tolist() == expected  # filled
    assert scanner._codes_of(column).tolist() == expected  # read back
    slots = (column & np.uint64(len(scanner._slots) - 1)).astype(np.intp)
    # each slot now holds another word (same slot bits, other high bits) with a live code
    scanner._slots[slots] = (column ^ np.uint64(1 << 40)) ^ np.uint64(0b111)
    assert scanner._codes_of(column).tolist() == expected
    scanner._slots[slots] = slots.astype(np.uint64)  # unused slots
    assert scanner._codes_of(column).tolist() == expected


def test_a_batch_is_tagged_as_its_articles_one_by_one(enricher, hindi_article) -> None:
    texts = [
        "The ambassador met the foreign minister for bilateral talks on the nuclear deal.",
        hindi_article["text"],
        "中国外交部长王毅与俄罗斯外长拉夫罗夫通电话，讨论核能合作与疫情。",
        "",
        "Nothing here is about anything at all.",
        "Die Regierung und das Parlament stimmten über den Haushalt und die Steuern ab.",
    ]
    langs = ["en", "hi", "zh", "en", "en", "de"]
    extractor, tagger = enricher.extractor, enricher.topics
    docs = [extractor.tokenize(text, lang) for text, lang in zip(texts, langs, strict=True)]
    entities = [
        [found.to_dict() for found in extractor.extract(text, lang, (), doc)]
        for text, lang, doc in zip(texts, langs, docs, strict=True)
    ]
    one_by_one = [
        tagger.tag(text, lang, found, doc)
        for text, lang, found, doc in zip(texts, langs, entities, docs, strict=True)
    ]
    assert any(one_by_one)
    assert tagger.tag_many(texts, langs, entities, docs) == one_by_one
    assert tagger.tag_many(texts, langs, entities, [None] * len(texts)) == one_by_one
