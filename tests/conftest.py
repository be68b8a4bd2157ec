"""Shared fixtures: the core is expensive to build, so tests share one instance per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agents.core.detect import Detector
from agents.core.enrich import Enricher
from agents.core.kb import KnowledgeBase, load_knowledge_base
from agents.core.ner import EnglishNER
from agents.core.rules import RuleSet, load_rules

REPO = Path(__file__).resolve().parents[1]
# The evaluation corpora: ../shared beside the clone, as on developer machines and in CI.
SHARED = Path(os.environ.get("NEWSMON_SHARED", REPO.parent / "shared"))
HINDI_SAMPLE = REPO / "config" / "samples" / "articles.jsonl"
DEFAULT_RULES = REPO / "config" / "rules.yaml"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def english_ner() -> EnglishNER:
    return EnglishNER()


@pytest.fixture(scope="session")
def enricher(kb: KnowledgeBase, english_ner: EnglishNER) -> Enricher:
    return Enricher(kb, english_ner)


@pytest.fixture(scope="session")
def default_rules(kb: KnowledgeBase) -> RuleSet:
    return load_rules(DEFAULT_RULES, kb)


@pytest.fixture(scope="session")
def detector(default_rules: RuleSet) -> Detector:
    return Detector(default_rules)


@pytest.fixture(scope="session")
def hindi_article() -> dict[str, object]:
    import orjson

    first = HINDI_SAMPLE.read_bytes().splitlines()[0]
    article = orjson.loads(first)
    assert article["id"] == "hi-wang-yi-lavrov-call"
    return article
