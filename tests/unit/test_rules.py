from __future__ import annotations

import pytest

from agents.core.rules import RULE_FIELDS, parse_rules
from agents.errors import ConfigError, ConfigErrors


def test_default_rules_resolve_names_in_any_language(kb) -> None:
    text = "rules:\n  - id: pair\n    all_of: [चीन, Россия]\n"
    rule = parse_rules("r.yaml", text, kb).rules[0]
    assert [ref.ids for ref in rule.all_of] == [{"Q148"}, {"Q159"}]
    assert (rule.scope, rule.severity, rule.enabled) == ("article", "medium", True)


def test_ids_codes_and_names_are_equivalent(kb) -> None:
    text = "rules:\n  - id: a\n    all_of: [Q148, RU, United States]\n"
    rule = parse_rules("r.yaml", text, kb).rules[0]
    assert [ref.ids for ref in rule.all_of] == [{"Q148"}, {"Q159"}, {"Q30"}]


def test_errors_name_file_line_rule_and_field(kb) -> None:
    text = (
        "rules:\n"
        "  - id: china-russia\n"
        "    all_of: [China, Chnia]\n"
        "    severity: urgent\n"
        "    colour: red\n"
        "  - id: Bad Id\n"
        "    all_of: [China]\n"
    )
    with pytest.raises(ConfigErrors) as caught:
        parse_rules("config/rules.yaml", text, kb)
    messages = [str(problem) for problem in caught.value.problems]
    assert messages == [
        "config/rules.yaml:5: [rule 'china-russia' field 'colour'] unknown field; allowed: "
        + ", ".join(RULE_FIELDS),
        "config/rules.yaml:3: [rule 'china-russia' field 'all_of[1]'] unknown entity 'Chnia': "
        "not an id, ISO code or name in the knowledge base (or a name two entities share)",
        "config/rules.yaml:4: [rule 'china-russia' field 'severity'] 'urgent' is not one of "
        "info, low, medium, high, critical",
        "config/rules.yaml:6: [rules[1] field 'id'] required: lower-case letters, digits, "
        "'.', '_' or '-' (at most 64)",
    ]


def test_yaml_syntax_error_points_at_the_line(kb) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rules("x.yaml", "rules:\n  - id: a\n    all_of: [China\n", kb)
    assert caught.value.path == "x.yaml"
    assert caught.value.line == 4


def test_duplicate_ids_and_empty_rules_are_refused(kb) -> None:
    text = "rules:\n  - id: a\n    all_of: [China]\n  - id: a\n    all_of: [China]\n  - id: b\n"
    with pytest.raises(ConfigErrors) as caught:
        parse_rules("r.yaml", text, kb)
    assert [(p.line, p.problem) for p in caught.value.problems] == [
        (4, "duplicate rule id"),
        (6, "needs 'all_of' or 'any_of' with at least one entity"),
    ]


def test_yaml_tags_cannot_run_code(kb) -> None:
    text = "rules:\n  - id: a\n    all_of: !!python/object/apply:os.system ['echo hi']\n"
    with pytest.raises(ConfigError) as caught:
        parse_rules("r.yaml", text, kb)
    assert caught.value.line == 3
    assert "is not allowed" in caught.value.problem


def test_version_changes_with_the_file(kb) -> None:
    one = parse_rules("r.yaml", "rules:\n  - id: a\n    all_of: [China]\n", kb)
    two = parse_rules("r.yaml", "rules:\n  - id: a\n    all_of: [Russia]\n", kb)
    assert one.version != two.version
