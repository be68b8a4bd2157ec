from __future__ import annotations

from pathlib import Path

import pytest

from agents.core.entities import EntityExtractor
from agents.core.kb import load_knowledge_base
from agents.core.rules import parse_rules
from agents.errors import ConfigErrors
from tests.conftest import REPO


def test_shipped_example_entities_are_found_and_usable_in_rules() -> None:
    kb = load_knowledge_base(REPO / "config" / "entities.yaml")
    extractor = EntityExtractor(kb)
    found = extractor.extract("Бойцы ЧВК Вагнер покинули Мали, сообщили в России.", "ru")
    assert {f.entity.id for f in found} >= {"newsmon:user:wagner-group", "Q159"}
    rules = parse_rules("r.yaml", "rules:\n  - id: w\n    all_of: [Wagner Group, Mali]\n", kb)
    assert rules.rules[0].entity_ids("all_of") == ("Q912", "newsmon:user:wagner-group")


def test_weak_user_alias_needs_the_full_name(tmp_path: Path) -> None:
    kb = load_knowledge_base(REPO / "config" / "entities.yaml")
    extractor = EntityExtractor(kb)
    assert not extractor.extract("Wagner's operas were played.", "en")
    names = {
        f.entity.name for f in extractor.extract("The Wagner Group left. Wagner said so.", "en")
    }
    assert names == {"Wagner Group"}


def test_mistakes_point_at_file_line_entity_and_field(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text(
        "entities:\n"
        "  - id: acme\n"
        "    name: ACME Shipping\n"
        "    type: company\n"
        "  - id: ok-one\n"
        "    name: OK\n"
        "    type: organization\n"
        "    country: XX\n"
        "    aliases:\n"
        "      klingon: [Qapla]\n"
    )
    with pytest.raises(ConfigErrors) as caught:
        load_knowledge_base(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:4: [entity 'acme' field 'type'] required: one of "
        "country, person, organization, location, other",
        f"{path}:8: [entity 'ok-one' field 'country'] 'XX' is not an ISO 3166-1 alpha-2 code",
        f"{path}:10: [entity 'ok-one' field 'aliases'.klingon] unsupported language 'klingon'",
    ]


def test_ids_may_not_shadow_built_in_entities(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text("entities:\n  - id: Q148\n    name: Not China\n    type: other\n")
    with pytest.raises(ConfigErrors, match="already in the knowledge base"):
        load_knowledge_base(path)
