"""IPTC topic tags: the vocabulary, the tagger's evidence and thresholds, and rule filters."""

from __future__ import annotations

import pytest

from agents.core.rules import parse_rules
from agents.core.topics import Term, TopicTagger, default_vocabulary
from agents.errors import ConfigErrors

DIPLOMACY, INTERNATIONAL_RELATIONS, POLITICS = (
    "medtop:20000639",
    "medtop:20000638",
    "medtop:11000000",
)
HEALTH_ORGANISATION, HEALTH = "medtop:20000463", "medtop:07000000"


def test_vocabulary_resolves_qcodes_and_names_in_iptc_locales() -> None:
    vocabulary = default_vocabulary()
    assert vocabulary.resolve("medtop:20000639") == DIPLOMACY
    assert vocabulary.resolve("20000639") == DIPLOMACY
    assert vocabulary.resolve("diplomacy") == DIPLOMACY
    assert vocabulary.resolve("Diplomatie") == DIPLOMACY  # de, fr
    assert vocabulary.resolve("外交") == DIPLOMACY  # zh-Hans
    assert vocabulary.resolve("no such topic") is None
    assert vocabulary.ancestors(DIPLOMACY) == [INTERNATIONAL_RELATIONS, POLITICS]
    assert len([c for c in vocabulary.concepts.values() if c.level == 1]) == 17


@pytest.fixture(scope="module")
def small_tagger(enricher) -> TopicTagger:
    """A tagger with a hand-made lexicon, so these tests do not depend on the shipped one."""
    lexicon = {
        "en": [
            Term(DIPLOMACY, "en", "ambassador", 2),
            Term(DIPLOMACY, "en", "bilateral talks", 3),
            Term("medtop:20000344", "en", "economy", 1),
        ]
    }
    cues = {"Q7817": [(HEALTH_ORGANISATION, 3.0)]}
    extractor = enricher.extractor
    return TopicTagger(
        default_vocabulary(), lexicon, cues, lambda lang: extractor.matcher_for(lang).nlp
    )


def test_tags_carry_evidence_scores_and_every_ancestor(small_tagger) -> None:
    text = "The ambassadors met for bilateral talks. The ambassador left."
    tags = {tag["qcode"]: tag for tag in small_tagger.tag(text, "en", [])}
    assert set(tags) == {DIPLOMACY, INTERNATIONAL_RELATIONS, POLITICS}
    assert tags[DIPLOMACY]["parents"] == [INTERNATIONAL_RELATIONS, POLITICS]
    assert [e["term"] for e in tags[DIPLOMACY]["evidence"]] == ["ambassadors", "bilateral talks"]
    assert tags[POLITICS]["evidence"], "a parent shows its children's evidence"
    assert 0 < tags[DIPLOMACY]["score"] < 1


def test_one_weak_word_is_not_a_topic_and_repetition_does_not_count(small_tagger) -> None:
    assert small_tagger.tag("The economy grew. The economy, the economy!", "en", []) == []
    assert small_tagger.tag("An ambassador. Another ambassador.", "en", []) == []


def test_entity_cues_work_in_any_language(small_tagger) -> None:
    who = [{"id": "Q7817", "name": "World Health Organization"}]
    tags = {tag["qcode"] for tag in small_tagger.tag("विश्व स्वास्थ्य संगठन ने कहा", "hi", who)}
    assert {HEALTH_ORGANISATION, HEALTH} <= tags


def test_rules_name_topics_by_qcode_or_name_and_refuse_unknown_ones(kb) -> None:
    rule = parse_rules(
        "r.yaml",
        "rules:\n  - id: r\n    all_of: [China]\n    topics: [Diplomatie, medtop:07000000]\n"
        "    exclude_topics: [sport]\n",
        kb,
    ).rules[0]
    assert rule.topics == (DIPLOMACY, HEALTH)
    assert rule.exclude_topics == ("medtop:15000000",)
    with pytest.raises(ConfigErrors) as caught:
        parse_rules("r.yaml", "rules:\n  - id: r\n    all_of: [China]\n    topics: [gossip]\n", kb)
    assert str(caught.value) == (
        "r.yaml:4: [rule 'r' field 'topics'] 'gossip' is not an IPTC Media Topic qcode or name "
        "(see agents/data/iptc)"
    )


def test_the_hindi_sample_gets_its_subjects(enricher, hindi_article) -> None:
    tags = {tag["qcode"] for tag in enricher.enrich(hindi_article)["topics"]}
    assert DIPLOMACY in tags
    assert tags & {"medtop:20000056", "medtop:20000053"}  # armed conflict, act of terror
    assert HEALTH in tags and "medtop:20000449" in tags  # epidemic: the virus's origin
    assert "medtop:20000265" in tags  # nuclear power


def test_a_rule_filters_on_a_parent_topic(default_rules, detector, enricher, hindi_article):
    from agents.core.alerting import LocalAlerts

    rule = default_rules.get("china-russia-energy")
    assert rule is not None and rule.topics == ("medtop:20000256",)
    enriched = enricher.enrich(hindi_article)
    fired = {alert["rule"]["id"] for alert in LocalAlerts(detector).alerts_for(enriched)}
    assert "china-russia-energy" in fired  # tagged nuclear power, a child of energy
    talks = enricher.enrich(
        {"id": "t", "text": "China and Russia held talks on Syria.", "lang": "en"}
    )
    fired = {alert["rule"]["id"] for alert in LocalAlerts(detector).alerts_for(talks)}
    assert "china-russia" in fired and "china-russia-energy" not in fired


def test_the_term_scanner_finds_what_find_terms_finds(enricher) -> None:
    from agents.core.matching import TermScanner

    matcher = enricher.topics.matcher_for("en")
    scanner = TermScanner(matcher)
    text = "Bilateral talks on the budget deficit; the ambassador met election officials."
    doc = matcher.tokenize(text)
    expected = [(first, aliases) for _, _, first, aliases in matcher.find_terms(doc)]
    assert expected
    assert [(first, scanner.entries[entry]) for first, _, entry in scanner.scan(doc)] == expected
