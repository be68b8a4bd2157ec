"""Rules against enriched articles: which rules match, with the evidence, as rule-match records.

Matching is stateless and runs wherever the article is. Whether a match becomes an alert (first
copy of a story, a threshold crossed, a spike) is decided by ``alerting.AlertFolder``, which keeps
per-rule state; the worker routes matches to it keyed by rule id.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from agents.core.clock import now_iso
from agents.core.rulematch import ArticleView, RuleMatch, evidence_items, match_rule
from agents.core.rules import Rule, RuleSet
from agents.core.stories import signature

ALERT_SCHEMA = "alert.v1"
MATCH_SCHEMA = "rule_match.v1"
ARTICLE_FIELDS = ("id", "url", "title", "source", "lang", "published_at")


def alert_id(rule_id: str, *parts: str) -> str:
    """Deterministic: the same rule firing on the same story or window always gives the same
    id, so any sink can drop a replayed duplicate."""
    return hashlib.sha256("\x00".join((rule_id, *parts)).encode()).hexdigest()[:32]


class RuleBook:
    """The rule set in force. A live reload swaps it whole; readers take one consistent set."""

    def __init__(self, rules: RuleSet) -> None:
        self._rules = rules

    @property
    def current(self) -> RuleSet:
        return self._rules

    def replace(self, rules: RuleSet) -> None:
        self._rules = rules


class Detector:
    """Turns an enriched article into rule-match records, one per matching rule."""

    def __init__(self, rules: RuleSet | RuleBook) -> None:
        self.book = rules if isinstance(rules, RuleBook) else RuleBook(rules)

    @property
    def rules(self) -> RuleSet:
        return self.book.current

    def matches_for(self, article: dict[str, Any]) -> list[dict[str, Any]]:
        rules = self.book.current
        view = ArticleView(article)
        records = []
        story_signature: list[int] | None = None
        by_id = {e["id"]: e for e in view.entities}
        for rule in rules.active():
            match = match_rule(rule, view)
            if match is None:
                continue
            if story_signature is None:
                story_signature = signature(view.text)
            body = _alert_body(rule, rules.version, article, view, match)
            body["matched"] = [by_id[i] for i in match.entity_ids]
            records.append(
                {
                    "schema": MATCH_SCHEMA,
                    "rule_id": rule.id,
                    "rule_version": rule.version,
                    "ruleset_version": rules.version,
                    "event_time": event_time(article),
                    "source": article.get("source") or article.get("url") or "unknown",
                    "signature": story_signature,
                    "alert": body,
                }
            )
        return records


def _alert_body(
    rule: Rule, ruleset_version: str, article: dict[str, Any], view: ArticleView, match: RuleMatch
) -> dict[str, Any]:
    return {
        "schema": ALERT_SCHEMA,
        "rule": {
            "id": rule.id,
            "description": rule.description,
            "severity": rule.severity,
            "owner": rule.owner,
            "kind": rule.kind,
            "version": rule.version,
            "ruleset_version": ruleset_version,
        },
        "article": {key: article.get(key) for key in ARTICLE_FIELDS},
        "reason": match.reason,
        "topics": [
            {key: tag[key] for key in ("qcode", "label", "score")}
            for tag in article.get("topics") or ()
        ],
        "evidence": evidence_items(view, match),
        "timestamps": {
            "published_at": article.get("published_at"),
            "ingested_at": article.get("ingested_at"),
            "enriched_at": article.get("enriched_at"),
            "matched_at": now_iso(),
        },
    }


def event_time(article: dict[str, Any]) -> float:
    """When the article entered the pipeline (the raw record's Kafka timestamp), as epoch
    seconds: the clock windows and spikes are measured on."""
    for key in ("ingested_at", "published_at"):
        value = article.get(key)
        if value:
            try:
                return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
    return datetime.now().timestamp()
