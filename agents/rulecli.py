"""`newsmon rules list | apply | test`: what analysts run while writing rules."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO, Any

import orjson

from agents.core.alerting import LocalAlerts
from agents.core.decode import DEFAULT_MAX_BYTES, Rejection, decode_article
from agents.core.detect import Detector
from agents.core.durations import format_duration
from agents.core.enrich import Enricher
from agents.core.rulematch import ArticleView, explain_miss
from agents.core.rules import Rule, RuleSet
from agents.errors import NewsmonError


def describe(rule: Rule) -> str:
    """One line per rule: what it watches and how it fires."""
    parts = [" + ".join(ref.label for ref in rule.all_of)]
    if rule.any_of:
        parts.append("any of " + " / ".join(ref.label for ref in rule.any_of))
    if rule.none_of:
        parts.append("not " + " / ".join(ref.label for ref in rule.none_of))
    where = f"within {rule.within_tokens} tokens" if rule.scope == "tokens" else rule.scope
    how = "one alert per story"
    if rule.threshold:
        t = rule.threshold
        how = f">= {t.articles} articles from >= {t.sources} sources in {format_duration(t.window)}"
    elif rule.spike:
        s = rule.spike
        how = (
            f"spike: {format_duration(s.window)} rate >= {s.factor:g}x the "
            f"{format_duration(s.baseline)} baseline"
        )
    state = "" if rule.enabled else "  (disabled)"
    watched = ", ".join(p for p in parts if p)
    return f"{rule.id:<26} {rule.severity:<8} {rule.version}  {where}: {watched}; {how}{state}"


def listing(rules: RuleSet, origin: str) -> str:
    lines = [f"rule set {rules.version} from {origin}: {len(rules.rules)} rules"]
    lines.extend(describe(rule) for rule in rules.rules)
    return "\n".join(lines)


@dataclass
class TestSummary:
    articles: int = 0
    rejected: int = 0
    matched: int = 0
    new: int = 0
    updates: int = 0

    def line(self, rule_id: str) -> str:
        return (
            f"rule {rule_id}: {self.articles} articles, {self.matched} matched, "
            f"{self.new} new alerts, {self.updates} story updates, {self.rejected} lines rejected"
        )


def _articles(source: IO[bytes], errors: IO[str], summary: TestSummary) -> Iterator[dict[str, Any]]:
    for number, raw in enumerate(source, 1):
        if not raw.strip():
            continue
        try:
            looks_enriched = "entities" in orjson.loads(raw)
        except orjson.JSONDecodeError:
            looks_enriched = False
        schema = "enriched_article.v1" if looks_enriched else "raw_article.v1"
        document = decode_article(raw.rstrip(b"\r\n"), schema, DEFAULT_MAX_BYTES)
        if isinstance(document, Rejection):
            summary.rejected += 1
            print(f"line {number}: {document.reason}: {document.message}", file=errors)
            continue
        yield document


def test_rule(
    rules: RuleSet,
    rule_id: str,
    enricher: Enricher,
    source: IO[bytes],
    out: IO[str] = sys.stdout,
    errors: IO[str] = sys.stderr,
) -> TestSummary:
    """Run one rule (enabled or not) over the articles in order, as the worker would, and say
    for each article whether it matched, why or why not, and what alert it gave."""
    rule = rules.get(rule_id)
    if rule is None:
        raise NewsmonError(f"no rule {rule_id!r} in {rules.source}")
    only = RuleSet((replace(rule, enabled=True),), rules.source, rules.version, rules.text)
    local = LocalAlerts(Detector(only))
    summary = TestSummary()
    for article in _articles(source, errors, summary):
        summary.articles += 1
        enriched = article if "entities" in article else enricher.enrich(article)
        view = ArticleView(enriched)
        matches = local.detector.matches_for(enriched)
        title = enriched.get("title") or ""
        print(f"{enriched['id']} [{enriched.get('lang')}] {title}".rstrip(), file=out)
        if not matches:
            print(f"  no match: {explain_miss(only.rules[0], view)}", file=out)
            continue
        summary.matched += 1
        match = matches[0]
        print(f"  MATCH  {match['alert']['reason']}", file=out)
        for item in match["alert"]["evidence"]:
            print(f"    {item['marked']}", file=out)
        alerts = local.folder.fold(match, only.rules[0])
        _report_alerts(alerts, out, summary)
    return summary


def _report_alerts(alerts: Iterable[dict[str, Any]], out: IO[str], summary: TestSummary) -> None:
    shown = False
    for alert in alerts:
        shown = True
        if alert["status"] == "update":
            summary.updates += 1
            story = alert["story"]
            print(
                f"  folded into alert {alert['alert_id'][:12]}: copy {story['copies']} of the "
                f"story, {story['outlets']} outlets (similarity {story['similarity']:.2f})",
                file=out,
            )
        else:
            summary.new += 1
            print(f"  ALERT  {alert['alert_id'][:12]}: {alert['reason']}", file=out)
    if not shown:
        print("  no alert yet: counted toward the rule's threshold or spike window", file=out)
