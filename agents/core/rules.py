"""Watch rules: a YAML file analysts edit, validated before anything runs.

A rule names entities in any language or by id (``China``, ``चीन``, ``Q148``, ``CN``); each name is
resolved against the knowledge base at load time, so a typo stops start-up with the file, line,
rule and field instead of silently never firing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from agents.core.kb import KnowledgeBase
from agents.core.yamlsource import Located, load_located
from agents.errors import ConfigError, ConfigErrors

SEVERITIES = ("info", "low", "medium", "high", "critical")
SCOPES = ("article", "sentence")
ENTITY_FIELDS = ("all_of", "any_of", "none_of")
RULE_FIELDS = ("id", "description", "severity", "scope", "enabled", *ENTITY_FIELDS)
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str = "medium"
    scope: str = "article"
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    description: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    source: str
    version: str

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
    return RuleSet(tuple(rules), source, version)


class _RuleParser:
    def __init__(self, source: str, kb: KnowledgeBase) -> None:
        self.source = source
        self.kb = kb
        self.problems: list[ConfigError] = []

    def problem(self, line: int, place: str, what: str) -> None:
        self.problems.append(ConfigError(self.source, line, place, what))

    def parse_document(self, document: Located) -> list[Rule]:
        if not isinstance(document.value, dict) or "rules" not in document.value:
            self.problem(document.line, "file", "expected a mapping with a 'rules' list")
            return []
        extra = set(document.value) - {"rules"}
        if extra:
            self.problem(document.line, "file", f"unknown top-level keys {sorted(extra)}")
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

    def parse_rule(self, index: int, entry: Located) -> Rule | None:
        if not isinstance(entry.value, dict):
            self.problem(entry.line, f"rules[{index}]", "expected a mapping")
            return None
        fields: dict[str, Located] = entry.value
        rule_id = fields.get("id")
        if (
            rule_id is None
            or not isinstance(rule_id.value, str)
            or not _RULE_ID.match(rule_id.value)
        ):
            self.problem(
                (rule_id or entry).line,
                f"rules[{index}] field 'id'",
                "required: lower-case letters, digits, '.', '_' or '-' (at most 64)",
            )
            return None
        place = f"rule '{rule_id.value}'"
        for name in sorted(set(fields) - set(RULE_FIELDS)):
            self.problem(
                fields[name].line,
                f"{place} field '{name}'",
                f"unknown field; allowed: {', '.join(RULE_FIELDS)}",
            )
        entity_lists = {
            name: self.entity_list(place, name, fields.get(name)) for name in ENTITY_FIELDS
        }
        if not entity_lists["all_of"] and not entity_lists["any_of"]:
            self.problem(entry.line, place, "needs 'all_of' or 'any_of' with at least one entity")
        return Rule(
            id=rule_id.value,
            severity=self.choice(place, "severity", fields.get("severity"), SEVERITIES, "medium"),
            scope=self.choice(place, "scope", fields.get("scope"), SCOPES, "article"),
            description=self.text(place, "description", fields.get("description")),
            enabled=self.flag(place, "enabled", fields.get("enabled")),
            **entity_lists,
        )

    def entity_list(self, place: str, name: str, node: Located | None) -> tuple[str, ...]:
        if node is None:
            return ()
        if not isinstance(node.value, list):
            self.problem(
                node.line, f"{place} field '{name}'", "expected a list of entity names or ids"
            )
            return ()
        ids: list[str] = []
        for position, item in enumerate(node.value):
            where = f"{place} field '{name}[{position}]'"
            if not isinstance(item.value, str) or not item.value.strip():
                self.problem(item.line, where, "expected an entity name or id (a string)")
                continue
            entity = self.kb.resolve(item.value.strip())
            if entity is None:
                self.problem(
                    item.line,
                    where,
                    f"unknown entity {item.value!r}: not an id, ISO code "
                    "or name in the knowledge base (or a name two entities share)",
                )
            elif entity.id not in ids:
                ids.append(entity.id)
        return tuple(ids)

    def choice(
        self, place: str, name: str, node: Located | None, allowed: tuple[str, ...], default: str
    ) -> str:
        if node is None:
            return default
        if node.value not in allowed:
            self.problem(
                node.line,
                f"{place} field '{name}'",
                f"{node.value!r} is not one of {', '.join(allowed)}",
            )
            return default
        return str(node.value)

    def text(self, place: str, name: str, node: Located | None) -> str | None:
        if node is None or node.value is None:
            return None
        if not isinstance(node.value, str):
            self.problem(node.line, f"{place} field '{name}'", "expected text")
            return None
        return node.value.strip()

    def flag(self, place: str, name: str, node: Located | None) -> bool:
        if node is None:
            return True
        if not isinstance(node.value, bool):
            self.problem(node.line, f"{place} field '{name}'", "expected true or false")
            return True
        return node.value
