"""Start-up of a worker: validate config, build the core once, make sure topics exist, run Faust."""

from __future__ import annotations

import logging

from agents.core.detect import Detector
from agents.core.enrich import Enricher
from agents.core.kb import KnowledgeBase, load_knowledge_base
from agents.core.ner import EnglishNER
from agents.core.pipeline import DetectStage, EnrichStage
from agents.core.rules import load_rules
from agents.settings import Settings

log = logging.getLogger(__name__)


def build_enricher(settings: Settings, kb: KnowledgeBase, with_ner: bool = True) -> Enricher:
    """The enricher the worker and the batch command share: NER only if settings allow it."""
    return Enricher(kb, EnglishNER() if settings.with_ner and with_ner else None)


def build_stages(
    settings: Settings, kb: KnowledgeBase | None = None
) -> tuple[EnrichStage, DetectStage]:
    """Everything expensive, once. A bad rule file raises here, before any consumer starts."""
    kb = kb or load_knowledge_base(settings.entities_path)
    rules = load_rules(settings.rules_path, kb)
    enricher = build_enricher(settings, kb)
    log.info(
        "rules loaded path=%s version=%s active=%d",
        rules.source,
        rules.version,
        len(rules.active()),
    )
    return (
        EnrichStage(enricher, settings.max_message_bytes),
        DetectStage(Detector(rules), settings.max_message_bytes),
    )


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    import faust

    from agents.app import create_app
    from agents.kafka.admin import ensure_topics

    enrich_stage, detect_stage = build_stages(settings)
    created = ensure_topics(settings.broker, settings.topics.all(), settings.partitions)
    if created:
        log.info("created topics %s", ", ".join(created))
    app = create_app(settings, enrich_stage, detect_stage)
    faust.Worker(app, loglevel=loglevel).execute_from_commandline()
