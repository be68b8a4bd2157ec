"""The worker's start-up leaves what it built out of the cyclic collector's full passes."""

from __future__ import annotations

import gc

from agents.core.kb import KnowledgeBase
from agents.settings import Settings
from agents.worker import build_enricher


def test_the_enricher_and_its_knowledge_base_are_frozen_once_built(kb: KnowledgeBase) -> None:
    gc.unfreeze()
    assert any(obj is kb for obj in gc.get_objects())  # walked by every full collection
    try:
        enricher = build_enricher(Settings(), kb, with_ner=False)
        walked = gc.get_objects()
        assert gc.get_freeze_count() > 100_000  # the matchers and lexicons too, not just a few
        assert not any(obj is kb or obj is enricher for obj in walked)
    finally:
        gc.unfreeze()  # other tests measure nothing by it, but keep the process as it was
