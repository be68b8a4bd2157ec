"""Evaluating watch rules on an enriched article and shaping the alert."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agents.core.clock import now_iso
from agents.core.rules import Rule, RuleSet
from agents.core.sentences import Sentence, sentence_index, split_sentences

ALERT_SCHEMA = "alert.v1"
MAX_EVIDENCE_SENTENCES = 5


@dataclass(frozen=True)
class RuleMatch:
    rule: Rule
    entity_ids: tuple[str, ...]
    sentences: tuple[int, ...]  # indexes of the evidence sentences, in text order


def alert_id(rule_id: str, article_id: str) -> str:
    """Deterministic: a sink that sees the same rule fire on the same article twice can drop it."""
    return hashlib.sha256(f"{rule_id}\x00{article_id}".encode()).hexdigest()[:32]


def evaluate(
    rule: Rule, entity_sentences: dict[str, set[int]], sentence_count: int
) -> RuleMatch | None:
    """Match ``rule`` against where each entity occurs (entity id -> sentence indexes)."""
    if any(entity in entity_sentences for entity in rule.none_of):
        return None
    if rule.scope == "sentence":
        hits = [
            i for i in range(sentence_count) if _satisfied(rule, _in_sentence(entity_sentences, i))
        ]
        if not hits:
            return None
        found = set().union(*(_in_sentence(entity_sentences, i) for i in hits))
        matched = _matched_entities(rule, found)
        return RuleMatch(rule, matched, tuple(hits[:MAX_EVIDENCE_SENTENCES]))
    present = set(entity_sentences)
    if not _satisfied(rule, present):
        return None
    matched = _matched_entities(rule, present)
    return RuleMatch(rule, matched, _evidence_sentences(matched, entity_sentences))


def _in_sentence(entity_sentences: dict[str, set[int]], index: int) -> set[str]:
    return {entity for entity, where in entity_sentences.items() if index in where}


def _satisfied(rule: Rule, present: set[str]) -> bool:
    if not all(entity in present for entity in rule.all_of):
        return False
    return not rule.any_of or any(entity in present for entity in rule.any_of)


def _matched_entities(rule: Rule, present: set[str]) -> tuple[str, ...]:
    return tuple(e for e in (*rule.all_of, *rule.any_of) if e in present)


def _evidence_sentences(
    matched: tuple[str, ...], entity_sentences: dict[str, set[int]]
) -> tuple[int, ...]:
    """Prefer sentences where matched entities occur together; make sure each one is shown."""
    score: dict[int, int] = {}
    for entity in matched:
        for index in entity_sentences[entity]:
            score[index] = score.get(index, 0) + 1
    ranked = sorted(score, key=lambda i: (-score[i], i))
    chosen: list[int] = []
    for entity in matched:
        if not any(i in entity_sentences[entity] for i in chosen):
            chosen.append(next(i for i in ranked if i in entity_sentences[entity]))
    together = [i for i in ranked if score[i] > 1 and i not in chosen]
    chosen = together[: max(0, MAX_EVIDENCE_SENTENCES - len(chosen))] + chosen
    return tuple(sorted(chosen[:MAX_EVIDENCE_SENTENCES]))


class Detector:
    """Holds a validated rule set; turns enriched articles into alerts."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def alerts_for(self, article: dict[str, Any]) -> list[dict[str, Any]]:
        text: str = article["text"]
        sentences = split_sentences(text)
        entity_sentences = _locate(article["entities"], sentences)
        alerts = []
        for rule in self.rules.active():
            match = evaluate(rule, entity_sentences, len(sentences))
            if match is not None:
                alerts.append(self._alert(article, match, sentences))
        return alerts

    def _alert(
        self, article: dict[str, Any], match: RuleMatch, sentences: list[Sentence]
    ) -> dict[str, Any]:
        entities = {entity["id"]: entity for entity in article["entities"]}
        evidence = []
        for index in match.sentences:
            sentence = sentences[index]
            inside = [e for e in match.entity_ids if _mentioned_in(entities[e], sentence)]
            evidence.append(
                {
                    "text": article["text"][sentence.start : sentence.end],
                    "start": sentence.start,
                    "end": sentence.end,
                    "entity_ids": inside,
                }
            )
        rule = match.rule
        return {
            "schema": ALERT_SCHEMA,
            "alert_id": alert_id(rule.id, article["id"]),
            "rule": {
                "id": rule.id,
                "description": rule.description,
                "severity": rule.severity,
                "version": self.rules.version,
            },
            "article": {key: article.get(key) for key in ("id", "url", "title", "source", "lang")},
            "matched": [entities[e] for e in match.entity_ids],
            "evidence": evidence,
            "timestamps": {
                "published_at": article.get("published_at"),
                "ingested_at": article.get("ingested_at"),
                "enriched_at": article.get("enriched_at"),
                "alerted_at": now_iso(),
            },
        }


def _locate(entities: Iterable[dict[str, Any]], sentences: list[Sentence]) -> dict[str, set[int]]:
    return {
        entity["id"]: {sentence_index(sentences, m["start"]) for m in entity["mentions"]}
        for entity in entities
    }


def _mentioned_in(entity: dict[str, Any], sentence: Sentence) -> bool:
    return any(sentence.start <= m["start"] < sentence.end for m in entity["mentions"])
