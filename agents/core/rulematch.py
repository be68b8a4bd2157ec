"""Does one rule match one enriched article, and where? Pure functions over plain dicts.

The article is looked at once (``ArticleView``: sentences, paragraphs, token positions, topic
names) and every rule is checked against that view, so a hundred rules cost little more than one.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from agents.core.rules import EntityRef, Rule
from agents.core.sentences import Sentence, sentence_index, split_sentences
from agents.core.topics import default_vocabulary

MAX_EVIDENCE = 5
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_CHARACTER_SCRIPTS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


@dataclass(frozen=True)
class Mention:
    entity_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class RuleMatch:
    rule: Rule
    entity_ids: tuple[str, ...]  # the matched entities, in rule order
    evidence: tuple[Sentence, ...]  # spans of text that show the match, in text order
    reason: str  # one line: what matched where


class ArticleView:
    """An enriched article prepared once for all rules."""

    def __init__(self, article: dict[str, Any]) -> None:
        self.article = article
        self.text: str = article.get("text") or ""
        self.entities: list[dict[str, Any]] = list(article.get("entities") or ())
        self.mentions: dict[str, list[Mention]] = {
            entity["id"]: [
                Mention(entity["id"], m["start"], m["end"], m["text"]) for m in entity["mentions"]
            ]
            for entity in self.entities
        }

    @cached_property
    def sentences(self) -> list[Sentence]:
        return split_sentences(self.text) or [Sentence(0, len(self.text))]

    @cached_property
    def paragraphs(self) -> list[Sentence]:
        if _PARAGRAPH_BREAK.search(self.text):
            breaks = list(_PARAGRAPH_BREAK.finditer(self.text))
        else:  # one paragraph per line, as most feeds and wires deliver them
            breaks = list(re.finditer(r"\n+", self.text))
        spans, position = [], 0
        for found in breaks:
            spans.append(Sentence(position, found.start()))
            position = found.end()
        spans.append(Sentence(position, len(self.text)))
        return [span for span in spans if span.end > span.start] or [Sentence(0, len(self.text))]

    @cached_property
    def token_starts(self) -> list[int]:
        """Character offsets of the tokens; in Chinese, Japanese, Korean and Thai every
        character counts as a token (they are written without spaces)."""
        starts: list[int] = []
        for token in _TOKEN.finditer(self.text):
            if _CHARACTER_SCRIPTS.search(token.group()):
                starts.extend(range(token.start(), token.end()))
            else:
                starts.append(token.start())
        return starts

    def token_at(self, offset: int) -> int:
        return max(0, bisect_right(self.token_starts, offset) - 1)

    @cached_property
    def topic_codes(self) -> frozenset[str]:
        """The qcodes of the article's tags; the tagger tags every ancestor of a tagged topic
        too, so a rule naming a parent topic covers its children."""
        codes: set[str] = set()
        for tag in self.article.get("topics") or ():
            codes.add(str(tag.get("qcode")))
            codes.update(str(parent) for parent in tag.get("parents") or ())
        return frozenset(codes)


def match_rule(rule: Rule, view: ArticleView) -> RuleMatch | None:
    if not passes_filters(rule, view):
        return None
    eligible = [e for e in view.entities if len(view.mentions[e["id"]]) >= rule.min_mentions]
    if any(_any_matches(rule.none_of, entity) for entity in view.entities):
        return None
    wanted = [e for e in eligible if _any_matches((*rule.all_of, *rule.any_of), e)]
    if not wanted or not _satisfied(rule, wanted):
        return None
    if rule.scope == "article":
        return _article_match(rule, view, wanted)
    if rule.scope == "tokens":
        return _proximity_match(rule, view, wanted)
    units = view.sentences if rule.scope == "sentence" else view.paragraphs
    return _unit_match(rule, view, wanted, units)


def passes_filters(rule: Rule, view: ArticleView) -> bool:
    article = view.article
    if rule.languages and article.get("lang") not in rule.languages:
        return False
    if rule.sources and not _source_listed(str(article.get("source") or ""), rule.sources):
        return False
    codes = view.topic_codes
    if rule.topics and not any(topic in codes for topic in rule.topics):
        return False
    return not any(topic in codes for topic in rule.exclude_topics)


def _source_listed(source: str, listed: Iterable[str]) -> bool:
    """ "bbc.co.uk" lists www.bbc.co.uk too; names compare without case."""
    source = source.casefold()
    return any(source == s.casefold() or source.endswith("." + s.casefold()) for s in listed)


def _any_matches(refs: Sequence[EntityRef], entity: dict[str, Any]) -> bool:
    return any(ref.matches(entity) for ref in refs)


def _satisfied(rule: Rule, present: Sequence[dict[str, Any]]) -> bool:
    if not all(any(ref.matches(e) for e in present) for ref in rule.all_of):
        return False
    return not rule.any_of or any(_any_matches(rule.any_of, e) for e in present)


def _matched_ids(rule: Rule, present: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    ordered: list[str] = []
    for ref in (*rule.all_of, *rule.any_of):
        for entity in present:
            if ref.matches(entity) and entity["id"] not in ordered:
                ordered.append(entity["id"])
    return tuple(ordered)


def _names(view: ArticleView, ids: Iterable[str]) -> str:
    by_id = {e["id"]: e["name"] for e in view.entities}
    return ", ".join(by_id[i] for i in ids)


def _article_match(rule: Rule, view: ArticleView, wanted: list[dict[str, Any]]) -> RuleMatch:
    ids = _matched_ids(rule, wanted)
    where: dict[str, set[int]] = {
        eid: {sentence_index(view.sentences, m.start) for m in view.mentions[eid]} for eid in ids
    }
    chosen = _evidence_sentences(ids, where)
    evidence = tuple(view.sentences[i] for i in chosen)
    return RuleMatch(rule, ids, evidence, f"{_names(view, ids)} in the same article")


def _evidence_sentences(ids: Sequence[str], where: dict[str, set[int]]) -> list[int]:
    """Prefer sentences where matched entities occur together; make sure each one is shown."""
    score: dict[int, int] = {}
    for eid in ids:
        for index in where[eid]:
            score[index] = score.get(index, 0) + 1
    ranked = sorted(score, key=lambda i: (-score[i], i))
    chosen: list[int] = []
    for eid in ids:
        if not any(i in where[eid] for i in chosen):
            chosen.append(next(i for i in ranked if i in where[eid]))
    together = [i for i in ranked if score[i] > 1 and i not in chosen]
    chosen = together[: max(0, MAX_EVIDENCE - len(chosen))] + chosen
    return sorted(chosen[:MAX_EVIDENCE])


def _unit_match(
    rule: Rule, view: ArticleView, wanted: list[dict[str, Any]], units: list[Sentence]
) -> RuleMatch | None:
    hits: list[Sentence] = []
    ids: list[str] = []
    for unit in units:
        inside = [e for e in wanted if _mentioned_within(view, e["id"], unit.start, unit.end)]
        if inside and _satisfied(rule, inside):
            hits.append(unit)
            ids.extend(i for i in _matched_ids(rule, inside) if i not in ids)
    if not hits:
        return None
    ordered = tuple(i for i in _matched_ids(rule, wanted) if i in ids)
    reason = f"{_names(view, ordered)} in one {rule.scope} ({len(hits)} such {rule.scope}s)"
    return RuleMatch(rule, ordered, tuple(hits[:MAX_EVIDENCE]), reason)


def _mentioned_within(view: ArticleView, entity_id: str, start: int, end: int) -> bool:
    return any(start <= m.start < end for m in view.mentions[entity_id])


def _proximity_match(
    rule: Rule, view: ArticleView, wanted: list[dict[str, Any]]
) -> RuleMatch | None:
    """All required entities within ``within_tokens`` tokens of each other."""
    limit = rule.within_tokens or 0
    by_id = {e["id"]: e for e in wanted}
    placed = sorted((view.token_at(m.start), m) for e in wanted for m in view.mentions[e["id"]])
    hits: list[Sentence] = []
    ids: list[str] = []
    closest: int | None = None
    for first, (position, mention) in enumerate(placed):
        group: dict[str, dict[str, Any]] = {}
        for later_position, later in placed[first:]:
            if later_position - position > limit:
                break
            group[later.entity_id] = by_id[later.entity_id]
            present = list(group.values())
            if not _satisfied(rule, present):
                continue
            span = Sentence(_sentence_start(view, mention.start), _sentence_end(view, later.end))
            if span not in hits:
                hits.append(span)
            ids.extend(i for i in _matched_ids(rule, present) if i not in ids)
            distance = later_position - position
            closest = distance if closest is None else min(closest, distance)
            break
    if not hits:
        return None
    ordered = tuple(i for i in _matched_ids(rule, wanted) if i in ids)
    reason = f"{_names(view, ordered)} within {closest} tokens (limit {limit})"
    return RuleMatch(rule, ordered, tuple(hits[:MAX_EVIDENCE]), reason)


def _sentence_start(view: ArticleView, offset: int) -> int:
    return view.sentences[sentence_index(view.sentences, offset)].start


def _sentence_end(view: ArticleView, offset: int) -> int:
    return view.sentences[sentence_index(view.sentences, max(0, offset - 1))].end


def evidence_items(view: ArticleView, match: RuleMatch) -> list[dict[str, Any]]:
    """The quoted spans, each with the matched mentions inside it (offsets into the article)
    and a copy of the text with those mentions marked ⟦like this⟧."""
    items = []
    for span in match.evidence:
        inside = sorted(
            (
                m
                for eid in match.entity_ids
                for m in view.mentions[eid]
                if span.start <= m.start and m.end <= span.end
            ),
            key=lambda m: m.start,
        )
        marked, position = [], span.start
        for mention in inside:
            if mention.start < position:
                continue  # overlapping mentions: mark the first
            marked.append(view.text[position : mention.start])
            marked.append(f"⟦{view.text[mention.start : mention.end]}⟧")
            position = mention.end
        marked.append(view.text[position : span.end])
        items.append(
            {
                "text": view.text[span.start : span.end],
                "start": span.start,
                "end": span.end,
                "entity_ids": sorted({m.entity_id for m in inside}, key=match.entity_ids.index),
                "mentions": [
                    {"entity_id": m.entity_id, "text": m.text, "start": m.start, "end": m.end}
                    for m in inside
                ],
                "marked": "".join(marked),
            }
        )
    return items


def _topic_name(qcode: str) -> str:
    concept = default_vocabulary().concepts.get(qcode)
    return f"{concept.label} ({qcode})" if concept else qcode


def explain_miss(rule: Rule, view: ArticleView) -> str:
    """Why ``rule`` does not match: the first condition that fails, in words."""
    article = view.article
    if rule.languages and article.get("lang") not in rule.languages:
        return f"language {article.get('lang')} is not one of {', '.join(sorted(rule.languages))}"
    if rule.sources and not _source_listed(str(article.get("source") or ""), rule.sources):
        return f"source {article.get('source')!r} is not listed"
    if rule.topics and not any(t in view.topic_codes for t in rule.topics):
        return f"none of the topics {', '.join(_topic_name(t) for t in rule.topics)}"
    excluded = [t for t in rule.exclude_topics if t in view.topic_codes]
    if excluded:
        return f"excluded topic {_topic_name(excluded[0])}"
    vetoes = [e["name"] for e in view.entities if _any_matches(rule.none_of, e)]
    if vetoes:
        return f"mentions {vetoes[0]} (none_of)"
    eligible = [e for e in view.entities if len(view.mentions[e["id"]]) >= rule.min_mentions]
    missing = [ref.label for ref in rule.all_of if not any(ref.matches(e) for e in eligible)]
    if rule.any_of and not any(_any_matches(rule.any_of, e) for e in eligible):
        missing.append("one of " + " / ".join(ref.label for ref in rule.any_of))
    if missing:
        extra = f" at least {rule.min_mentions} times" if rule.min_mentions > 1 else ""
        return "missing " + ", ".join(missing) + extra
    if rule.scope == "tokens":
        return f"the entities are never within {rule.within_tokens} tokens of each other"
    return f"the entities never occur together in one {rule.scope}"
