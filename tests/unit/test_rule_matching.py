"""Scopes, proximity, filters and explanations, on enriched articles."""

from __future__ import annotations

from agents.core.rulematch import ArticleView, evidence_items, explain_miss, match_rule
from agents.core.rules import parse_rules


def _rule(kb, body: str):
    return parse_rules("r.yaml", "rules:\n  - id: r\n" + body, kb).rules[0]


def _view(enricher, text: str, lang: str = "en", topics=None, **extra) -> ArticleView:
    enriched = enricher.enrich({"id": "a", "text": text, "lang": lang, **extra})
    if topics is not None:  # given tags instead of the tagger's
        enriched["topics"] = topics
    return ArticleView(enriched)


PARAGRAPHS = (
    "Russia's foreign minister Sergey Lavrov spoke in Moscow on Monday.\n\n"
    "He said nothing about the alliance. Officials in Brussels were silent.\n\n"
    "NATO later announced new exercises in the Baltic."
)


def test_paragraph_scope(kb, enricher) -> None:
    rule = _rule(kb, "    scope: paragraph\n    all_of: [NATO, {type: person, country: RU}]\n")
    assert match_rule(rule, _view(enricher, PARAGRAPHS)) is None
    together = PARAGRAPHS.replace("on Monday.", "on Monday. NATO was his subject.")
    match = match_rule(rule, _view(enricher, together))
    assert match is not None
    assert match.entity_ids == ("Q7184", "newsmon:sergey-lavrov")
    assert "in one paragraph" in match.reason


def test_within_tokens_counts_words_and_cjk_characters(kb, enricher) -> None:
    rule = _rule(kb, "    within_tokens: 5\n    all_of: [India, Pakistan]\n")
    near = "India and Pakistan agreed to talk."
    far = "India said on Monday that after many long months of tension it would talk to Pakistan."
    assert match_rule(rule, _view(enricher, near)) is not None
    miss = _view(enricher, far)
    assert match_rule(rule, miss) is None
    assert explain_miss(rule, miss) == "the entities are never within 5 tokens of each other"
    match = match_rule(rule, _view(enricher, near))
    assert match is not None and match.reason.endswith("within 2 tokens (limit 5)")
    chinese = _rule(kb, "    within_tokens: 4\n    all_of: [China, Russia]\n")
    assert match_rule(chinese, _view(enricher, "中国和俄罗斯举行会谈。", "zh")) is not None
    apart = "中国外交部长今天在北京表示将继续发展同俄罗斯的关系。"
    assert match_rule(chinese, _view(enricher, apart, "zh")) is None


def test_language_source_and_topic_filters(kb, enricher) -> None:
    rule = _rule(
        kb,
        "    all_of: [China]\n    languages: [en]\n    sources: [reuters.com]\n"
        "    topics: [medtop:11000000]\n    exclude_topics: [sport]\n",
    )
    politics = [{"qcode": "medtop:20000621", "label": "diplomacy", "parents": ["medtop:11000000"]}]
    good = _view(enricher, "China spoke.", source="www.reuters.com", topics=politics)
    assert match_rule(rule, good) is not None
    wrong_source = _view(enricher, "China spoke.", source="example.org", topics=politics)
    assert explain_miss(rule, wrong_source) == "source 'example.org' is not listed"
    no_topic = _view(enricher, "China spoke.", source="reuters.com")
    assert explain_miss(rule, no_topic) == "none of the topics politics (medtop:11000000)"
    sport = [*politics, {"qcode": "medtop:15000000", "label": "sport"}]
    excluded = _view(enricher, "China spoke.", source="reuters.com", topics=sport)
    assert explain_miss(rule, excluded) == "excluded topic sport (medtop:15000000)"
    french = _view(enricher, "La Chine a parlé.", "fr", source="reuters.com", topics=politics)
    assert explain_miss(rule, french) == "language fr is not one of en"


def test_min_mentions_and_none_of_explained(kb, enricher) -> None:
    rule = _rule(kb, "    all_of: [Iran]\n    none_of: [Israel]\n    min_mentions: 2\n")
    once = _view(enricher, "Iran held elections.")
    assert explain_miss(rule, once) == "missing Iran at least 2 times"
    twice = _view(enricher, "Iran held elections. Turnout in Iran was low.")
    assert match_rule(rule, twice) is not None
    vetoed = _view(enricher, "Iran held elections. Turnout in Iran was low, Israel said.")
    assert explain_miss(rule, vetoed) == "mentions Israel (none_of)"


def test_evidence_marks_mentions_with_offsets_into_the_article(kb, enricher) -> None:
    rule = _rule(kb, "    scope: sentence\n    all_of: [US, Iran]\n")
    text = "Markets were calm. Washington and Tehran exchanged notes, the US said of Iran."
    view = _view(enricher, text)
    match = match_rule(rule, view)
    assert match is not None
    [item] = evidence_items(view, match)
    assert item["marked"] == "⟦Washington⟧ and ⟦Tehran⟧ exchanged notes, the ⟦US⟧ said of ⟦Iran⟧."
    for mention in item["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    assert item["entity_ids"] == ["Q30", "Q794"]
