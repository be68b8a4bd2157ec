"""Ambiguous names decided from context, on real sentences from the evaluation corpora.

The sentences are read from ../shared at test time (never copied into the repository):
चीनी is "sugar" in a recipe and "Chinese" before विदेश मंत्रालय; Turkey is a bird in lower case
and a plant in "Turkey Point"; Jordan is a basketball player or a trade union leader; Georgia is
a US state next to Atlanta and a country in a list of countries.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import orjson
import pytest

from agents.core.entities import EntityExtractor
from agents.core.sentences import split_sentences
from tests.conftest import SHARED

CORPORA = SHARED / "corpora"
REUTERS = CORPORA / "reuters-21578" / "reuters21578_lewis-test.jsonl"
CONLL = CORPORA / "conll2003-en" / "conll2003_eng_testb.docs.jsonl"
HINER = CORPORA / "hindi-ner" / "hiner-original.validation.sentences.jsonl"
WMT14 = CORPORA / "wmt-newstest" / "jsonl" / "wmt14.docs.jsonl"
WMT21 = CORPORA / "wmt-newstest" / "jsonl" / "wmt21.docs.jsonl"


@cache
def _documents(path: Path) -> dict[str, str]:
    return {doc["id"]: doc["text"] for doc in map(orjson.loads, path.read_bytes().splitlines())}


def document(path: Path, doc_id: str) -> str:
    return _documents(path)[doc_id]


def sentence(path: Path, doc_id: str, containing: str) -> str:
    text = document(path, doc_id)
    for span in split_sentences(text):
        if containing in text[span.start : span.end]:
            return text[span.start : span.end]
    raise AssertionError(f"{containing!r} not in {doc_id}")


@pytest.fixture(scope="module")
def extractor(kb) -> EntityExtractor:
    return EntityExtractor(kb)


def countries(extractor: EntityExtractor, text: str, lang: str) -> set[str]:
    return {
        f.entity.country or "" for f in extractor.extract(text, lang) if f.entity.type == "country"
    }


CASES = [
    # (corpus, doc id, sentence containing / None for the whole document, lang, country, expected)
    (HINER, "hiner-original.validation/01871", "चीनी", "hi", "CN", False),  # sugar in a recipe
    (HINER, "hiner-original.validation/06985", "चीनी", "hi", "CN", False),  # sugar in a sweet
    (HINER, "hiner-original.validation/05893", "चीनी", "hi", "CN", True),  # Chinese ministry
    (REUTERS, "reuters21578/15254", "turkeys", "en", "TR", False),  # poultry
    (REUTERS, "reuters21578/15200", "Turkey said today", "en", "TR", True),
    (REUTERS, "reuters21578/20760", None, "en", "TR", False),  # the Turkey Point plant
    (REUTERS, "reuters21578/15835", "Atlanta, Georgia", "en", "GE", False),
    (WMT14, "wmt14/newstest2014/ru-en/2140-fakty.ua/en", "Kazakhstan, Georgia", "en", "GE", True),
    (WMT14, "wmt14/newstest2014/en-*/1918-foxnews/en", None, "en", "GE", False),  # a US teen
    (REUTERS, "reuters21578/15911", "wheat to Jordan", "en", "JO", True),
    (CONLL, "conll2003/eng.testb/doc106", None, "en", "JO", False),  # Bill Jordan of the ICFTU
    (WMT21, "wmt21/newstest2021/ru-en/rt-russian.73321/en/B", None, "en", "JO", False),  # NBA
    (WMT14, "wmt14/newstest2014/fr-en/1762-lefigaro/en", "Jordan Belfort", "en", "JO", False),
    (CONLL, "conll2003/eng.testb/doc083", "Mali and Chad", "en", "TD", True),
    (REUTERS, "reuters21578/17490", "Georgia Power", "en", "GE", False),
]


@pytest.mark.parametrize(
    ("corpus", "doc_id", "containing", "lang", "country", "expected"),
    CASES,
    ids=[
        f"{case[1].split('/')[-2] if case[1].endswith('/en') else case[1].split('/')[-1]}-{case[4]}"
        for case in CASES
    ],
)
def test_ambiguous_name_in_real_text(
    extractor,
    corpus: Path,
    doc_id: str,
    containing: str | None,
    lang: str,
    country: str,
    expected: bool,
) -> None:
    text = document(corpus, doc_id) if containing is None else sentence(corpus, doc_id, containing)
    assert (country in countries(extractor, text, lang)) is expected, text[:300]
