from __future__ import annotations

from agents.core.kb import load_knowledge_base
from agents.core.kb_export import snapshot, statistics


def test_every_iso_country_has_names_in_many_languages(kb) -> None:
    countries = [e for e in kb.entities.values() if e.type == "country"]
    assert len(countries) >= 249
    languages_per_country: dict[str, set[str]] = {e.id: set() for e in countries}
    for alias in kb.aliases:
        if alias.entity_id in languages_per_country:
            languages_per_country[alias.entity_id].add(alias.lang)
    assert min(len(langs) for langs in languages_per_country.values()) >= 30


def test_country_adjectives_come_from_cldr_language_names(kb) -> None:
    china = {(a.lang, a.text) for a in kb.aliases if a.entity_id == "Q148"}
    assert {("hi", "चीनी"), ("ru", "китайский"), ("fr", "chinois"), ("de", "Chinesisch")} <= china
    assert ("cs", "čínština") not in china  # a language noun, not an adjective


def test_snapshot_is_deterministic_and_complete() -> None:
    first = list(snapshot(load_knowledge_base()))
    second = list(snapshot(load_knowledge_base()))
    assert first == second
    assert {record["id"] for record in first} >= {"Q148", "Q159", "Q7817"}


def test_statistics_count_languages(kb) -> None:
    stats = statistics(kb)
    assert stats["languages"] >= 30
    assert stats["entities"]["country"] >= 249
