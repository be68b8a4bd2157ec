"""Accounting for every message a scenario sent: enriched, dead-lettered, or lost; and for every
(rule, story): alerted once, alerted under two ids (doubled), or never (lost).

Pure: it reads record values already collected from the topics, so the unit tests can feed it
made-up outcomes and watch it catch a loss or a doubled alert.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from agents.reliability.workload import Message


@dataclass
class Row:
    scenario: str
    sent: int = 0
    enriched: int = 0  # distinct articles that came out enriched
    dead_letters: int = 0  # distinct source offsets in the dead-letter topic
    alerts: int = 0  # distinct alert ids
    duplicates: int = 0  # extra records of an id already seen (at-least-once replays)
    lost: int = 0  # messages neither enriched nor dead-lettered, and story alerts never sent
    doubled: int = 0  # (rule, story) pairs alerted under more than one alert id
    notes: list[str] = field(default_factory=list)

    @property
    def accounted(self) -> bool:
        return (
            self.lost == 0 and self.doubled == 0 and self.sent == self.enriched + self.dead_letters
        )


def _loads(values: Iterable[bytes]) -> list[dict[str, Any]]:
    return [orjson.loads(value) for value in values]


def account(
    scenario: str,
    sent: Sequence[tuple[Message, tuple[int, int]]],
    enriched_values: Iterable[bytes],
    dead_letter_values: Iterable[bytes],
    alert_values: Iterable[bytes] = (),
    expected_stories: Iterable[tuple[str, str]] | None = None,
) -> Row:
    """``sent`` pairs each message with the (partition, offset) the broker gave it.
    ``expected_stories`` are the (rule id, story) pairs the batch path alerts on for the same
    enriched articles; story alerts outside it are reported as notes, those missing as lost."""
    enriched = _loads(enriched_values)
    letters = _loads(dead_letter_values)
    alerts = _loads(alert_values)
    row = Row(scenario, sent=len(sent))

    enriched_ids = Counter(str(record["id"]) for record in enriched)
    letter_offsets = Counter(
        (record["source"]["partition"], record["source"]["offset"]) for record in letters
    )
    alert_revisions = Counter((a["alert_id"], a.get("revision", 1)) for a in alerts)
    row.duplicates = (
        sum(n - 1 for n in enriched_ids.values())
        + sum(n - 1 for n in letter_offsets.values())
        + sum(n - 1 for n in alert_revisions.values())
    )
    row.alerts = len({a["alert_id"] for a in alerts})

    missing = []
    for message, position in sent:
        if position in letter_offsets:
            row.dead_letters += 1
        elif message.article_id is not None and message.article_id in enriched_ids:
            row.enriched += 1
        else:
            missing.append(f"{message.article_id or message.kind}@{position[0]}:{position[1]}")
    row.lost = len(missing)
    if missing:
        row.notes.append("not accounted for: " + ", ".join(missing[:8]))

    stories = {m.article_id: m.story for m, _ in sent if m.article_id and m.story}
    ids_per_story = story_alert_ids(alerts, stories)
    row.doubled = sum(1 for ids in ids_per_story.values() if len(ids) > 1)
    if expected_stories is not None:
        expected = set(expected_stories)
        never = expected - set(ids_per_story)
        row.lost += len(never)
        if never:
            row.notes.append("story alerts never sent: " + ", ".join(map(str, sorted(never)[:5])))
        unexpected = set(ids_per_story) - expected
        if unexpected:
            row.notes.append(f"{len(unexpected)} story alerts the batch path does not give")
    return row


def story_alert_ids(
    alerts: Iterable[Mapping[str, Any]], stories: Mapping[str, str]
) -> dict[tuple[str, str], set[str]]:
    """(rule id, story) -> the alert ids seen for it, for per-article (story) rules only:
    threshold and spike alerts are about windows, not stories."""
    found: dict[tuple[str, str], set[str]] = {}
    for alert in alerts:
        if alert["rule"].get("kind", "article") != "article":
            continue
        story = stories.get(alert["article"]["id"], alert["article"]["id"])
        found.setdefault((alert["rule"]["id"], story), set()).add(alert["alert_id"])
    return found
