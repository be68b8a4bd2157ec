"""Watch rules: a YAML file analysts edit, validated before anything runs.

A rule names entities in any language or by id (``China``, ``चीन``, ``Q148``, ``CN``), by a group
defined in the same file (``@g7-leaders``) or by class (``{type: person, country: RU}``). Every
name is resolved against the knowledge base at load time, so a typo stops start-up with the file,
line, rule and field instead of silently never firing. The model is plain data: the detector,
the story/threshold/spike state machines and the CLI all read the same ``Rule``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from agents.core.durations import parse_duration
from agents.core.kb import KnowledgeBase
from agents.core.rulefields import FieldReader
from agents.core.yamlsource import Located, load_located, plain
from agents.errors import ConfigError, ConfigErrors

SEVERITIES = ("info", "low", "medium", "high", "critical")
SCOPES = ("article", "paragraph", "sentence")
ENTITY_FIELDS = ("all_of", "any_of", "none_of")
ENTITY_TYPES = ("country", "person", "organization", "location", "other")
RULE_FIELDS = (
    "id",
    "description",
    "owner",
    "severity",
    "enabled",
    *ENTITY_FIELDS,
    "scope",
    "within_tokens",
    "languages",
    "sources",
    "topics",
    "exclude_topics",
    "min_mentions",
    "threshold",
    "spike",
    "story_window",
    "delivery",
)
TOP_LEVEL_FIELDS = ("rules", "groups")
DEFAULT_STORY_WINDOW = 48 * 3600  # copies of a story seen within this time fold into one alert


@dataclass(frozen=True)
class EntityRef:
    """One item of all_of / any_of / none_of: named entities (one, or a group), or a class."""

    label: str
    ids: frozenset[str] = frozenset()
    type: str | None = None
    country: str | None = None

    def matches(self, entity: dict[str, Any]) -> bool:
        if self.ids:
            return entity["id"] in self.ids
        if self.type is not None and entity.get("type") != self.type:
            return False
        return self.country is None or entity.get("country") == self.country


@dataclass(frozen=True)
class Threshold:
    """Fire once per window when >= articles matching articles from >= sources outlets arrive."""

    articles: int
    sources: int
    window: int  # seconds


@dataclass(frozen=True)
class Spike:
    """Fire when the matches in the last ``window`` reach ``factor`` x the mean per window over
    the trailing ``baseline`` (and at least ``min_articles``)."""

    window: int
    baseline: int
    factor: float
    min_articles: int


@dataclass(frozen=True)
class Webhook:
    url: str
    secret_env: str | None = None  # name of the environment variable holding the HMAC key


@dataclass(frozen=True)
class Delivery:
    topic: str | None = None
    webhook: Webhook | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    all_of: tuple[EntityRef, ...] = ()
    any_of: tuple[EntityRef, ...] = ()
    none_of: tuple[EntityRef, ...] = ()
    severity: str = "medium"
    scope: str = "article"
    within_tokens: int | None = None
    description: str | None = None
    owner: str | None = None
    enabled: bool = True
    languages: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    topics: tuple[str, ...] = ()
    exclude_topics: tuple[str, ...] = ()
    min_mentions: int = 1
    threshold: Threshold | None = None
    spike: Spike | None = None
    story_window: int = DEFAULT_STORY_WINDOW
    delivery: Delivery = field(default_factory=Delivery)
    version: str = ""  # hash of this rule's own definition
    line: int | None = None

    @property
    def kind(self) -> str:
        """article: one alert per story; threshold and spike: one alert per window."""
        if self.threshold is not None:
            return "threshold"
        if self.spike is not None:
            return "spike"
        return "article"

    def entity_ids(self, field_name: str) -> tuple[str, ...]:
        """The named entity ids of one entity field (classes have none)."""
        refs: tuple[EntityRef, ...] = getattr(self, field_name)
        return tuple(sorted({eid for ref in refs for eid in ref.ids}))


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    source: str
    version: str
    text: str = ""  # the YAML it was parsed from: what `rules apply` publishes

    def active(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.enabled)

    def get(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


def load_rules(path: Path, kb: KnowledgeBase) -> RuleSet:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, "file", f"cannot read rule file: {exc}") from exc
    return parse_rules(str(path), text, kb)


def parse_rules(source: str, text: str, kb: KnowledgeBase) -> RuleSet:
    """Parse and check every rule; raise ConfigErrors listing every problem found."""
    document = load_located(source, text)
    parser = _RuleParser(source, kb)
    rules = parser.parse_document(document)
    if parser.problems:
        raise ConfigErrors(parser.problems)
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return RuleSet(tuple(rules), source, version, text)


def _rule_version(node: Located) -> str:
    canonical = orjson.dumps(plain(node), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:12]


class _RuleParser:
    def __init__(self, source: str, kb: KnowledgeBase) -> None:
        self.source = source
        self.kb = kb
        self.problems: list[ConfigError] = []
        self.groups: dict[str, frozenset[str]] = {}

    def problem(self, line: int, place: str, what: str) -> None:
        self.problems.append(ConfigError(self.source, line, place, what))

    def parse_document(self, document: Located) -> list[Rule]:
        if not isinstance(document.value, dict) or "rules" not in document.value:
            self.problem(document.line, "file", "expected a mapping with a 'rules' list")
            return []
        extra = set(document.value) - set(TOP_LEVEL_FIELDS)
        if extra:
            self.problem(document.line, "file", f"unknown top-level keys {sorted(extra)}")
        if "groups" in document.value:
            self.parse_groups(document.value["groups"])
        entries = document.value["rules"]
        if not isinstance(entries.value, list):
            self.problem(entries.line, "rules", "expected a list of rules")
            return []
        rules: list[Rule] = []
        seen: set[str] = set()
        for index, entry in enumerate(entries.value):
            rule = self.parse_rule(index, entry)
            if rule is None:
                continue
            if rule.id in seen:
                self.problem(entry.line, f"rule '{rule.id}'", "duplicate rule id")
            seen.add(rule.id)
            rules.append(rule)
        return rules

    def parse_groups(self, node: Located) -> None:
        if not isinstance(node.value, dict):
            self.problem(node.line, "groups", "expected a mapping of group name to entity list")
            return
        for name, members in node.value.items():
            reader = FieldReader(self, f"group '{name}'", {}, members.line)
            if not isinstance(members.value, list) or not members.value:
                reader.fail(members, "expected a non-empty list of entity names or ids")
                continue
            ids: set[str] = set()
            for position, item in enumerate(members.value):
                entity_id = self.named_entity(item, f"group '{name}' item {position}")
                if entity_id:
                    ids.add(entity_id)
            self.groups[name] = frozenset(ids)

    def parse_rule(self, index: int, entry: Located) -> Rule | None:
        if not isinstance(entry.value, dict):
            self.problem(entry.line, f"rules[{index}]", "expected a mapping")
            return None
        fields: dict[str, Located] = entry.value
        rule_id = FieldReader(self, f"rules[{index}]", fields, entry.line).rule_id()
        if rule_id is None:
            return None
        place = f"rule '{rule_id}'"
        read = FieldReader(self, place, fields, entry.line)
        for name in sorted(set(fields) - set(RULE_FIELDS)):
            read.fail(fields[name], f"unknown field; allowed: {', '.join(RULE_FIELDS)}", name)
        entity_lists = {
            name: self.entity_list(place, name, fields.get(name)) for name in ENTITY_FIELDS
        }
        if not entity_lists["all_of"] and not entity_lists["any_of"]:
            self.problem(entry.line, place, "needs 'all_of' or 'any_of' with at least one entity")
        threshold = read.threshold()
        spike = read.spike()
        if threshold is not None and spike is not None:
            read.fail(fields["spike"], "a rule has a threshold or a spike, not both", "spike")
        within = read.positive_int("within_tokens")
        scope = read.choice("scope", SCOPES, "article")
        if within is not None and "scope" in fields:
            read.fail(fields["scope"], "give either scope or within_tokens", "scope")
        return Rule(
            id=rule_id,
            severity=read.choice("severity", SEVERITIES, "medium"),
            scope="tokens" if within is not None else scope,
            within_tokens=within,
            description=read.text("description"),
            owner=read.text("owner"),
            enabled=read.flag("enabled"),
            languages=frozenset(read.languages()),
            sources=frozenset(read.strings("sources")),
            topics=tuple(read.topics("topics")),
            exclude_topics=tuple(read.topics("exclude_topics")),
            min_mentions=read.positive_int("min_mentions") or 1,
            threshold=threshold,
            spike=spike,
            story_window=read.duration("story_window", DEFAULT_STORY_WINDOW),
            delivery=read.delivery(),
            version=_rule_version(entry),
            line=entry.line,
            **entity_lists,
        )

    def entity_list(self, place: str, name: str, node: Located | None) -> tuple[EntityRef, ...]:
        if node is None:
            return ()
        if not isinstance(node.value, list):
            self.problem(node.line, f"{place} field '{name}'", "expected a list of entities")
            return ()
        refs: list[EntityRef] = []
        for position, item in enumerate(node.value):
            ref = self.entity_ref(item, f"{place} field '{name}[{position}]'")
            if ref is not None and ref not in refs:
                refs.append(ref)
        return tuple(refs)

    def entity_ref(self, item: Located, where: str) -> EntityRef | None:
        if isinstance(item.value, dict):
            return self.class_ref(item, where)
        if isinstance(item.value, str) and item.value.strip().startswith("@"):
            group = item.value.strip()[1:]
            if group not in self.groups:
                known = ", ".join(sorted(self.groups)) or "none defined"
                self.problem(item.line, where, f"unknown group {group!r} (groups: {known})")
                return None
            return EntityRef(label=item.value.strip(), ids=self.groups[group])
        entity_id = self.named_entity(item, where)
        if entity_id is None:
            return None
        return EntityRef(label=self.kb.entities[entity_id].name, ids=frozenset({entity_id}))

    def named_entity(self, item: Located, where: str) -> str | None:
        if not isinstance(item.value, str) or not item.value.strip():
            self.problem(item.line, where, "expected an entity name or id (a string)")
            return None
        entity = self.kb.resolve(item.value.strip())
        if entity is None:
            self.problem(
                item.line,
                where,
                f"unknown entity {item.value!r}: not an id, ISO code "
                "or name in the knowledge base (or a name two entities share)",
            )
            return None
        return entity.id

    def class_ref(self, item: Located, where: str) -> EntityRef | None:
        """``{type: person, country: RU}``: any person of Russia; either key may be left out."""
        fields: dict[str, Located] = item.value
        unknown = set(fields) - {"type", "country"}
        if unknown or not fields:
            self.problem(item.line, where, "an entity class has 'type' and/or 'country'")
            return None
        kind = fields.get("type")
        if kind is not None and kind.value not in ENTITY_TYPES:
            self.problem(
                kind.line, where, f"type {kind.value!r} is not one of {', '.join(ENTITY_TYPES)}"
            )
            return None
        country: str | None = None
        if "country" in fields:
            node = fields["country"]
            entity = self.kb.resolve(str(node.value)) if isinstance(node.value, str) else None
            if entity is None or entity.type != "country" or entity.country is None:
                self.problem(node.line, where, f"{node.value!r} is not a country")
                return None
            country = entity.country
        type_name = kind.value if kind is not None else "entity"
        label = f"any {type_name}" + (f" of {country}" if country else "")
        return EntityRef(label=label, type=kind.value if kind else None, country=country)


__all__ = [
    "Delivery",
    "EntityRef",
    "Rule",
    "RuleSet",
    "Spike",
    "Threshold",
    "Webhook",
    "load_rules",
    "parse_duration",
    "parse_rules",
]
