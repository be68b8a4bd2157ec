"""The compiled validator (jsonschema-rs) must agree with jsonschema on what is valid, since
first_error trusts it for every valid message."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.core import schemas

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _agree(name: str, document: Any) -> None:
    slow = not any(True for _ in schemas.validator(name).iter_errors(document))
    assert schemas.fast_validator(name).is_valid(document) == slow, (name, document)


@pytest.fixture(scope="module")
def enriched(enricher, hindi_article) -> dict[str, Any]:
    return enricher.enrich(hindi_article)


def test_they_agree_on_real_documents_and_their_mutations(enriched, hindi_article) -> None:
    for name, document in (("enriched_article.v1", enriched), ("raw_article.v1", hindi_article)):
        _agree(name, document)
        for key in list(document):
            for value in (None, 3, "x", [], {}, [{"id": 1}]):
                mutated = copy.deepcopy(document)
                mutated[key] = value
                _agree(name, mutated)
            dropped = copy.deepcopy(document)
            del dropped[key]
            _agree(name, dropped)
    entity = copy.deepcopy(enriched)
    entity["entities"][0]["type"] = "planet"
    _agree("enriched_article.v1", entity)
    assert schemas.first_error("enriched_article.v1", entity) is not None


@settings(max_examples=300, deadline=None)
@given(document=JSON, name=st.sampled_from(schemas.SCHEMA_NAMES))
def test_they_agree_on_arbitrary_json(document: Any, name: str) -> None:
    _agree(name, document)
