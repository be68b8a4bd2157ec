"""A test per language: country names, inflected as news writes them, in 37 languages."""

from __future__ import annotations

import pytest

from agents.core.entities import EntityExtractor
from tests.unit.languages_cases import CASES


@pytest.fixture(scope="module")
def extractor(kb) -> EntityExtractor:
    return EntityExtractor(kb)


def test_at_least_thirty_languages_are_covered() -> None:
    assert len({lang for lang, _, _ in CASES}) >= 30


@pytest.mark.parametrize(("lang", "text", "expected"), CASES, ids=[case[0] for case in CASES])
def test_countries_found(extractor, lang: str, text: str, expected: set[str]) -> None:
    found = extractor.extract(text, lang)
    assert {f.entity.country for f in found if f.entity.type == "country"} == expected
    for item in found:
        for mention in item.mentions:
            assert text[mention.start : mention.end] == mention.text
