"""Start-up of a worker: validate config, build the core once, make sure topics exist, run Faust."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, NoReturn

import orjson

from agents.core.detect import Detector, RuleBook
from agents.core.enrich import Enricher
from agents.core.kb import KnowledgeBase, load_knowledge_base
from agents.core.ner import EnglishNER
from agents.core.pipeline import EnrichStage
from agents.core.rules import RuleSet, load_rules, parse_rules
from agents.errors import ConfigError, ConfigErrors
from agents.heap import freeze_startup_heap
from agents.settings import RESTARTS_ENV, Settings

if TYPE_CHECKING:
    from agents.kafka.rulesync import RuleFollower

log = logging.getLogger(__name__)


def build_enricher(settings: Settings, kb: KnowledgeBase, with_ner: bool = True) -> Enricher:
    """The enricher the worker and the batch command share: NER only if settings allow it."""
    enricher = Enricher(kb, EnglishNER() if settings.with_ner and with_ner else None)
    freeze_startup_heap()
    return enricher


def build_stage(settings: Settings, kb: KnowledgeBase | None = None) -> EnrichStage:
    """Everything expensive, once. A bad rule file raises here, before any consumer starts."""
    kb = kb or load_knowledge_base(settings.entities_path)
    rules = load_rules(settings.rules_path, kb)
    check_delivery(rules)
    enricher = build_enricher(settings, kb)
    log.info(
        "rules loaded path=%s version=%s active=%d",
        rules.source,
        rules.version,
        len(rules.active()),
    )
    return EnrichStage(enricher, Detector(rules), settings.max_message_bytes)


def check_delivery(rules: RuleSet, env: Mapping[str, str] | None = None) -> None:
    """A webhook rule whose secret is not in the environment would fail every delivery: refuse
    it at start-up (or at a live apply), naming the rule and the variable."""
    env = os.environ if env is None else env
    problems = [
        ConfigError(
            rules.source,
            rule.line,
            f"rule '{rule.id}' field 'delivery.webhook.secret_env'",
            f"environment variable {rule.delivery.webhook.secret_env} is not set",
        )
        for rule in rules.rules
        if rule.enabled
        and rule.delivery.webhook is not None
        and rule.delivery.webhook.secret_env
        and not env.get(rule.delivery.webhook.secret_env)
    ]
    if problems:
        raise ConfigErrors(problems)


def delivery_topics(rules: RuleSet) -> list[str]:
    return sorted({rule.delivery.topic for rule in rules.rules if rule.delivery.topic})


def follow_rules(settings: Settings, kb: KnowledgeBase, book: RuleBook) -> RuleFollower:
    """Switch to the last applied rule set now, before any agent runs, then follow the rules
    topic: each version applied there replaces the rules in force, after the same checks as
    at start-up. Until something is applied, the rule file (NEWSMON_RULES) is in force."""
    from agents.kafka.admin import ensure_topics
    from agents.kafka.rulesync import RULES_KEY, RuleFollower, latest_rules_at

    def apply(source: str, text: str) -> None:
        rules = parse_rules(source, text, kb)
        check_delivery(rules)
        ensure_topics(settings.broker, delivery_topics(rules), settings.partitions)
        book.replace(rules)

    latest, end = latest_rules_at(settings.broker, settings.topics.rules)
    follower = RuleFollower(settings.broker, settings.topics.rules, apply, offset=end)
    if latest is not None:
        follower.consider(end - 1, RULES_KEY, orjson.dumps(latest))
    follower.start()
    return follower


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    import faust

    from agents.app import create_app
    from agents.kafka.admin import ensure_topics

    kb = load_knowledge_base(settings.entities_path)
    enrich_stage = build_stage(settings, kb)
    assert enrich_stage.detector is not None
    book = enrich_stage.detector.book
    wanted = [*settings.topics.all(), *delivery_topics(book.current)]
    created = ensure_topics(settings.broker, wanted, settings.partitions)
    if created:
        log.info("created topics %s", ", ".join(created))
    follow_rules(settings, kb, book)
    app = create_app(settings, enrich_stage, book=book, on_fatal=restart_in_place)
    freeze_startup_heap()  # and the app, the rules and the topic clients built since
    faust.Worker(app, loglevel=loglevel).execute_from_commandline()


def restart_in_place(reason: str) -> NoReturn:
    """Replace this process with a fresh worker (same pid, same arguments): the cure for a
    consumer that hangs and for a batch that cannot be delivered. Nothing is acknowledged past
    the last commit, so the new process takes up exactly where the old one stopped; the old
    group member is dropped by the broker after the session timeout."""
    restarts = int(os.environ.get(RESTARTS_ENV) or 0) + 1
    log.critical("restarting the worker in place (restart %d): %s", restarts, reason)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    env = {**os.environ, RESTARTS_ENV: str(restarts)}
    os.execve(sys.executable, [sys.executable, "-m", "agents", *sys.argv[1:]], env)
