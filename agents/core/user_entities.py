"""Entities that users add in config/entities.yaml (a company, a ship, a militia), no code needed.

Validated like rule files: a mistake stops start-up with the file, line, entity and field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from agents.core.kb import ANY_LANGUAGE, ENTITY_TYPES, Alias, Entity, KnowledgeBase
from agents.core.languages import SUPPORTED
from agents.core.yamlsource import Located, load_located
from agents.errors import ConfigError, ConfigErrors

FIELDS = ("id", "name", "type", "country", "aliases", "weak_aliases")
_ID = re.compile(r"^(Q[1-9][0-9]*|[a-z0-9][a-z0-9._-]{0,63})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def add_user_entities(kb: KnowledgeBase, path: Path) -> int:
    """Add the entities of ``path`` to ``kb``; return how many. Raises ConfigErrors."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, "file", f"cannot read entity file: {exc}") from exc
    document = load_located(str(path), text)
    problems: list[ConfigError] = []
    entries = _entries(str(path), document, problems)
    added = 0
    for index, entry in enumerate(entries):
        parsed = _parse(str(path), index, entry, kb, problems)
        if parsed is not None:
            entity, aliases = parsed
            kb.add_entity(entity)
            kb.aliases.extend(aliases)
            added += 1
    if problems:
        raise ConfigErrors(problems)
    return added


def _entries(path: str, document: Located, problems: list[ConfigError]) -> list[Located]:
    if document.value == {}:
        return []
    value = document.value
    if not isinstance(value, dict) or set(value) != {"entities"}:
        problems.append(ConfigError(path, document.line, "file", "expected one key, 'entities'"))
        return []
    entries = value["entities"]
    if entries.value is None:
        return []
    if not isinstance(entries.value, list):
        problems.append(ConfigError(path, entries.line, "entities", "expected a list"))
        return []
    return list(entries.value)


def _parse(
    path: str, index: int, entry: Located, kb: KnowledgeBase, problems: list[ConfigError]
) -> tuple[Entity, list[Alias]] | None:
    def problem(node: Located, place: str, what: str) -> None:
        problems.append(ConfigError(path, node.line, place, what))

    if not isinstance(entry.value, dict):
        problem(entry, f"entities[{index}]", "expected a mapping")
        return None
    fields: dict[str, Located] = entry.value
    raw_id = fields.get("id")
    if raw_id is None or not isinstance(raw_id.value, str) or not _ID.match(raw_id.value):
        problem(
            raw_id or entry,
            f"entities[{index}] field 'id'",
            "required: a Wikidata QID or lower-case letters, digits, '.', '_', '-'",
        )
        return None
    entity_id = raw_id.value if raw_id.value.startswith("Q") else f"newsmon:user:{raw_id.value}"
    place = f"entity '{raw_id.value}'"
    if entity_id in kb.entities:
        problem(raw_id, place, f"id {entity_id} is already in the knowledge base")
    for unknown in sorted(set(fields) - set(FIELDS)):
        allowed = ", ".join(FIELDS)
        problem(fields[unknown], f"{place} field '{unknown}'", f"unknown field; allowed: {allowed}")
    name = fields.get("name")
    if name is None or not isinstance(name.value, str) or not name.value.strip():
        problem(name or entry, f"{place} field 'name'", "required: the English name")
        return None
    kind = fields.get("type")
    if kind is None or kind.value not in ENTITY_TYPES:
        problem(
            kind or entry, f"{place} field 'type'", f"required: one of {', '.join(ENTITY_TYPES)}"
        )
        return None
    country = fields.get("country")
    if country is not None and (
        not isinstance(country.value, str)
        or not _COUNTRY.match(country.value)
        or country.value not in kb.by_country_code
    ):
        problem(
            country,
            f"{place} field 'country'",
            f"{country.value!r} is not an ISO 3166-1 alpha-2 code",
        )
        country = None
    entity = Entity(entity_id, name.value.strip(), kind.value, country.value if country else None)
    aliases = [Alias(entity_id, "en", entity.name)]
    for field_name, weak in (("aliases", False), ("weak_aliases", True)):
        aliases += _aliases(
            fields.get(field_name), entity_id, weak, f"{place} field '{field_name}'", problem
        )
    return entity, aliases


def _aliases(
    node: Located | None, entity_id: str, weak: bool, place: str, problem: Any
) -> list[Alias]:
    if node is None:
        return []
    if not isinstance(node.value, dict):
        problem(node, place, "expected a mapping of language -> list of names")
        return []
    found = []
    for lang, names in node.value.items():
        if lang != ANY_LANGUAGE and lang not in SUPPORTED:
            problem(names, f"{place}.{lang}", f"unsupported language {lang!r}")
            continue
        values = names.value if isinstance(names.value, list) else [names]
        for item in values:
            if not isinstance(item.value, str) or not item.value.strip():
                problem(item, f"{place}.{lang}", "expected a name (text)")
                continue
            found.append(Alias(entity_id, lang, item.value.strip(), weak=weak))
    return found
