"""The assembled knowledge base as reviewable data: a deterministic JSONL snapshot and counts.

The knowledge base is rebuilt at every start-up from CLDR (Babel, a pinned dependency) and the
curated files; ``newsmon kb build`` writes the same result to a file, so that a change in either
source shows up as a diff, and ``newsmon kb stats`` summarises it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from agents.core.kb import Alias, KnowledgeBase


def snapshot(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    """One record per entity, with its aliases grouped by language, in a stable order."""
    by_entity: dict[str, list[Alias]] = defaultdict(list)
    for alias in kb.aliases:
        by_entity[alias.entity_id].append(alias)
    for entity_id in sorted(kb.entities):
        entity = kb.entities[entity_id]
        aliases: dict[str, list[str]] = defaultdict(list)
        for alias in sorted(by_entity[entity_id], key=lambda a: (a.lang, a.text)):
            flags = [f for f, on in (("weak", alias.weak), ("proper", alias.proper)) if on]
            aliases[alias.lang].append(alias.text + (f" [{','.join(flags)}]" if flags else ""))
        yield {
            "id": entity.id,
            "name": entity.name,
            "type": entity.type,
            "country": entity.country,
            "aliases": dict(aliases),
        }


def statistics(kb: KnowledgeBase) -> dict[str, Any]:
    types = Counter(entity.type for entity in kb.entities.values())
    per_language = Counter(alias.lang for alias in kb.aliases)
    people_languages = Counter(
        alias.lang for alias in kb.aliases if kb.entities[alias.entity_id].type == "person"
    )
    return {
        "entities": dict(sorted(types.items())),
        "aliases": len(kb.aliases),
        "weak aliases": sum(alias.weak for alias in kb.aliases),
        "languages": len(per_language),
        "aliases per language": dict(sorted(per_language.items())),
        "person aliases per language": dict(sorted(people_languages.items())),
    }
