"""The rule language: groups, classes, scopes, filters, windows, delivery; its error messages."""

from __future__ import annotations

import pytest

from agents.core.rules import DEFAULT_STORY_WINDOW, Spike, Threshold, parse_rules
from agents.errors import ConfigError, ConfigErrors
from tests.conftest import DEFAULT_RULES


def _one(kb, body: str, groups: str = ""):
    return parse_rules("r.yaml", groups + "rules:\n" + body, kb).rules[0]


def _problems(kb, text: str) -> list[str]:
    with pytest.raises(ConfigErrors) as caught:
        parse_rules("r.yaml", text, kb)
    return [str(problem) for problem in caught.value.problems]


def test_the_shipped_rule_file_has_every_kind_of_rule(default_rules) -> None:
    kinds = {rule.kind for rule in default_rules.rules}
    scopes = {rule.scope for rule in default_rules.rules}
    assert kinds == {"article", "threshold", "spike"}
    assert scopes == {"article", "sentence", "paragraph", "tokens"}
    assert default_rules.get("china-russia") is not None
    assert len(default_rules.rules) >= 6
    assert all(rule.description and rule.owner for rule in default_rules.rules)
    assert default_rules.source == str(DEFAULT_RULES)


def test_groups_and_classes_resolve(kb) -> None:
    groups = "groups:\n  leaders: [Владимир Путин, 习近平, Joe Biden]\n"
    rule = _one(
        kb,
        "  - id: r\n    all_of: ['@leaders', {type: organization}]\n"
        "    any_of: [{type: person, country: Россия}, {country: CN}]\n",
        groups,
    )
    leaders, organisation = rule.all_of
    assert leaders.ids == {"Q7747", "Q15031", "Q6279"}
    assert (organisation.type, organisation.country, organisation.ids) == (
        "organization",
        None,
        frozenset(),
    )
    russian_person, chinese = rule.any_of
    assert (russian_person.type, russian_person.country) == ("person", "RU")
    assert russian_person.matches({"id": "Q7747", "type": "person", "country": "RU"})
    assert not russian_person.matches({"id": "Q6279", "type": "person", "country": "US"})
    assert chinese.matches({"id": "Q148", "type": "country", "country": "CN"})


def test_fields_with_their_defaults_and_values(kb) -> None:
    plain = _one(kb, "  - id: r\n    all_of: [China]\n")
    assert (plain.kind, plain.scope, plain.min_mentions) == ("article", "article", 1)
    assert plain.story_window == DEFAULT_STORY_WINDOW
    assert plain.delivery.topic is None and plain.delivery.webhook is None
    full = _one(
        kb,
        "  - id: r\n    all_of: [China, Russia]\n    within_tokens: 12\n"
        "    languages: [hi, ru]\n    sources: [reuters.com]\n    topics: [diplomacy]\n"
        "    exclude_topics: [sport]\n    min_mentions: 2\n    story_window: 6h\n"
        "    threshold: {articles: 5, sources: 2, window: 30m}\n"
        "    delivery: {topic: alerts.r, webhook: {url: 'https://h.example/x', secret_env: S}}\n",
    )
    assert (full.scope, full.within_tokens) == ("tokens", 12)
    assert full.languages == {"hi", "ru"} and full.sources == {"reuters.com"}
    assert full.topics == ("medtop:20000639",)  # diplomacy, resolved to its qcode
    assert (full.exclude_topics, full.min_mentions) == (("medtop:15000000",), 2)
    assert full.story_window == 6 * 3600
    assert full.threshold == Threshold(articles=5, sources=2, window=1800)
    assert full.kind == "threshold"
    assert full.delivery.topic == "alerts.r"
    assert full.delivery.webhook is not None and full.delivery.webhook.secret_env == "S"
    spike = _one(kb, "  - id: s\n    all_of: [Iran]\n    spike: {window: 1h, baseline: 1d}\n")
    assert spike.spike == Spike(window=3600, baseline=86400, factor=3.0, min_articles=3)


def test_rule_versions_follow_the_rule_not_the_file(kb) -> None:
    first = parse_rules("r.yaml", "rules:\n  - id: a\n    all_of: [China]\n", kb)
    second = parse_rules(
        "r.yaml",
        "rules:\n  - id: a\n    all_of: [China]\n  - id: b\n    all_of: [Iran]\n",
        kb,
    )
    changed = parse_rules("r.yaml", "rules:\n  - id: a\n    all_of: [Chine]\n", kb)
    assert first.version != second.version
    assert first.rules[0].version == second.rules[0].version
    assert changed.rules[0].version != first.rules[0].version


def test_each_mistake_is_reported_with_line_rule_and_field(kb) -> None:
    text = (
        "groups:\n"  # 1
        "  g: [China, Narnia]\n"  # 2
        "rules:\n"  # 3
        "  - id: a\n"  # 4
        "    all_of: ['@nope', {type: ship}]\n"  # 5
        "    scope: sentence\n"  # 6
        "    within_tokens: 0\n"  # 7
        "    languages: [hi, klingon]\n"  # 8
        "    threshold: {articles: 3, window: soon}\n"  # 9
        "    delivery: {topic: 'bad topic', webhook: {url: ftp://x}}\n"  # 10
        "  - id: b\n"  # 11
        "    any_of: [{type: person, country: Atlantis}]\n"  # 12
        "    spike: {window: 1h, baseline: 1h, factor: 1}\n"  # 13
        "    threshold: {window: 1h}\n"  # 14
    )
    assert _problems(kb, text) == [
        "r.yaml:2: [group 'g' item 1] unknown entity 'Narnia': not an id, ISO code or name in "
        "the knowledge base (or a name two entities share)",
        "r.yaml:5: [rule 'a' field 'all_of[0]'] unknown group 'nope' (groups: g)",
        "r.yaml:5: [rule 'a' field 'all_of[1]'] type 'ship' is not one of country, person, "
        "organization, location, other",
        "r.yaml:4: [rule 'a'] needs 'all_of' or 'any_of' with at least one entity",
        "r.yaml:9: [rule 'a' field 'threshold' field 'window'] 'soon' is not a duration such as "
        "90s, 30m, 6h or 2d",
        "r.yaml:7: [rule 'a' field 'within_tokens'] expected a whole number of at least 1",
        "r.yaml:8: [rule 'a' field 'languages'] unsupported language codes ['klingon'] "
        "(ISO 639-1, see `newsmon kb stats`)",
        "r.yaml:10: [rule 'a' field 'delivery' field 'topic'] 'bad topic' is not a valid Kafka "
        "topic name",
        "r.yaml:10: [rule 'a' field 'delivery' field 'webhook'] needs a url starting with "
        "http:// or https://",
        "r.yaml:12: [rule 'b' field 'any_of[0]'] 'Atlantis' is not a country",
        "r.yaml:11: [rule 'b'] needs 'all_of' or 'any_of' with at least one entity",
        "r.yaml:14: [rule 'b' field 'threshold'] needs 'articles'",
        "r.yaml:13: [rule 'b' field 'spike'] the baseline must span at least two windows",
        "r.yaml:13: [rule 'b' field 'spike' field 'factor'] expected a number greater than 1",
    ]


def test_rule_files_are_data_not_code(kb) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rules("r.yaml", "rules: !!python/object/apply:os.system ['true']\n", kb)
    assert "is not allowed: rule files are data" in str(caught.value)


def test_no_scope_and_within_tokens_together(kb) -> None:
    problems = _problems(
        kb, "rules:\n  - id: a\n    all_of: [China]\n    scope: sentence\n    within_tokens: 5\n"
    )
    assert problems == ["r.yaml:4: [rule 'a' field 'scope'] give either scope or within_tokens"]
