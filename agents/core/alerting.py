"""From rule matches to alerts: one alert per story, thresholds over a window, spikes.

The state lives in any mutable mapping of small JSON-able entries, keyed ``rule|kind|...``: a
plain dict in tests and batch commands, a Faust table (changelogged, so it survives a crash or a
rebalance) in the worker. Everything is measured on the articles' event time, so replaying a
topic gives the same alerts, and a replayed article is recognised and never counted twice.
"""

from __future__ import annotations

import copy
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

from agents.core.clock import now_iso
from agents.core.detect import Detector, alert_id
from agents.core.rules import Rule
from agents.core.stories import SAME_STORY
from agents.core.storydirectory import StoryDirectory
from agents.core.storyindex import StoryMirror, StoryMirrors

Store = MutableMapping[str, Any]
MAX_STORIES = 1000  # per rule; the oldest go first
MAX_IDS = 1000  # article ids remembered per story, threshold or spike (replay protection)
NEW, UPDATE = "new", "update"


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class AlertFolder:
    """Decides, per rule, whether a match is a new alert, an update of one, or nothing."""

    def __init__(self, store: Store, mirrors: StoryMirrors | None = None) -> None:
        self.store = store
        self.mirrors = mirrors or StoryMirrors()

    def fold(self, match: dict[str, Any], rule: Rule) -> list[dict[str, Any]]:
        if rule.kind == "threshold":
            return self._threshold(match, rule)
        if rule.kind == "spike":
            return self._spike(match, rule)
        return self._story(match, rule)

    # -- one alert per story ------------------------------------------------------------
    def _story(self, match: dict[str, Any], rule: Rule) -> list[dict[str, Any]]:
        """Count the match into the most similar open story of its rule, or open a new one.
        The open stories are found through the rule's mirror (agents/core/storyindex.py); the
        result is that of reading every story in directory order, dropping the expired ones."""
        now = float(match["event_time"])
        article_id = match["alert"]["article"]["id"]
        directory = StoryDirectory(self.store, rule.id)
        prefix = f"{rule.id}|story|"
        mirror = self.mirrors.of(
            rule.id, directory.version(), directory.read, lambda s: self.store.get(prefix + s)
        )
        story_ids = list(mirror.directory)
        expired = set(mirror.expired(now - rule.story_window))
        owner = mirror.story_of(article_id)
        if owner is not None and owner not in expired:
            # a replay of an article already counted; the directory scan this replaces had
            # dropped the expired stories listed before that story, and only those
            before = story_ids.index(owner)
            dropped = [s for s in story_ids[:before] if s in expired]
            self._drop(mirror, dropped, prefix, still_listed=True)
            return []
        kept = story_ids
        if expired:
            self._drop(mirror, [s for s in story_ids if s in expired], prefix)
            kept = [s for s in story_ids if s not in expired]
        best: tuple[float, str] | None = None
        for score, story_id in mirror.similar(match["signature"], SAME_STORY):
            if story_id not in expired and (best is None or score > best[0]):
                best = (score, story_id)
        if best is not None:
            score, story_id = best
            story = self.store[prefix + story_id]
            story["copies"] += 1
            story["last_seen"] = max(story["last_seen"], now)
            if match["source"] not in story["outlets"]:
                story["outlets"].append(match["source"])
            story["article_ids"] = [*story["article_ids"], article_id][-MAX_IDS:]
            self.store[prefix + story_id] = story
            mirror.counted(story_id, story["last_seen"], story["article_ids"])
            if kept != story_ids:
                directory.write(kept)
                mirror.directory, mirror.version = list(kept), directory.version()
            return [_story_alert(story, UPDATE, score)]
        new_id = alert_id(rule.id, article_id)
        story = {
            "alert_id": new_id,
            "signature": match["signature"],
            "first_seen": now,
            "last_seen": now,
            "copies": 1,
            "outlets": [match["source"]],
            "article_ids": [article_id],
            "alert": match["alert"],
        }
        kept.append(new_id)
        listed, capped = kept[-MAX_STORIES:], kept[:-MAX_STORIES]
        # an id listed twice (its story reopened) may be capped once and still be listed
        self._drop(mirror, capped, prefix, any(story_id in listed for story_id in capped))
        self.store[prefix + new_id] = story
        directory.write(listed)
        mirror.opened(new_id, story["signature"], now, article_id)
        mirror.directory, mirror.version = listed, directory.version()
        return [_story_alert(story, NEW, None)]

    def _drop(
        self, mirror: StoryMirror, story_ids: list[str], prefix: str, still_listed: bool = False
    ) -> None:
        for story_id in story_ids:
            self.store.pop(prefix + story_id, None)
        mirror.removed(story_ids, still_listed)

    # -- N articles from M sources within T -----------------------------------------------
    def _threshold(self, match: dict[str, Any], rule: Rule) -> list[dict[str, Any]]:
        assert rule.threshold is not None
        window = rule.threshold.window
        key = f"{rule.id}|threshold"
        state = self.store.get(key) or {"events": [], "quiet_until": None}
        now = float(match["event_time"])
        article_id = match["alert"]["article"]["id"]
        if any(event[1] == article_id for event in state["events"]):
            return []
        quiet_until = state["quiet_until"]
        if quiet_until is not None and now < quiet_until:
            return []  # it fired less than one window ago: one alert per window
        events = [e for e in state["events"] if e[0] > now - window]
        events.append([now, article_id, match["source"]])
        events = events[-MAX_IDS:]
        sources = sorted({e[2] for e in events})
        fired = len(events) >= rule.threshold.articles and len(sources) >= rule.threshold.sources
        if not fired:
            self.store[key] = {"events": events, "quiet_until": quiet_until}
            return []
        self.store[key] = {"events": [], "quiet_until": now + window}
        start = min(e[0] for e in events)
        alert = copy.deepcopy(match["alert"])
        alert["alert_id"] = alert_id(rule.id, "threshold", events[0][1], repr(events[0][0]))
        alert["trigger"] = {
            "kind": "threshold",
            "window_seconds": window,
            "window_start": iso(start),
            "window_end": iso(now),
            "articles": len(events),
            "sources": sources,
            "required_articles": rule.threshold.articles,
            "required_sources": rule.threshold.sources,
            "article_ids": [e[1] for e in events][-50:],
        }
        alert["reason"] = (
            f"{len(events)} matching articles from {len(sources)} sources within "
            f"{_span(now - start)} (rule: >= {rule.threshold.articles} from >= "
            f"{rule.threshold.sources} within {_span(window)})"
        )
        return [_finish(alert, NEW, 1)]

    # -- the last window's rate against its trailing baseline ----------------------------
    def _spike(self, match: dict[str, Any], rule: Rule) -> list[dict[str, Any]]:
        assert rule.spike is not None
        spike = rule.spike
        key = f"{rule.id}|spike"
        state = self.store.get(key) or {"buckets": {}, "first": None, "fired": [], "ids": []}
        now = float(match["event_time"])
        article_id = match["alert"]["article"]["id"]
        if article_id in state["ids"]:
            return []
        bucket = int(now // spike.window) * spike.window
        buckets: dict[str, int] = state["buckets"]
        buckets[str(bucket)] = buckets.get(str(bucket), 0) + 1
        oldest = bucket - spike.baseline - spike.window
        buckets = {b: n for b, n in buckets.items() if int(b) >= oldest}
        first = bucket if state["first"] is None else min(state["first"], bucket)
        state.update(
            buckets=buckets,
            first=first,
            ids=[*state["ids"], article_id][-MAX_IDS:],
            fired=[b for b in state["fired"] if b >= oldest],
        )
        count = buckets[str(bucket)]
        previous = [bucket - k * spike.window for k in range(1, spike.baseline // spike.window + 1)]
        history_complete = first <= previous[-1]
        mean = sum(buckets.get(str(b), 0) for b in previous) / len(previous)
        fires = (
            history_complete
            and bucket not in state["fired"]
            and count >= spike.min_articles
            and count >= spike.factor * mean
        )
        if fires:
            state["fired"].append(bucket)
        self.store[key] = state
        if not fires:
            return []
        alert = copy.deepcopy(match["alert"])
        alert["alert_id"] = alert_id(rule.id, "spike", str(bucket))
        alert["trigger"] = {
            "kind": "spike",
            "window_seconds": spike.window,
            "window_start": iso(bucket),
            "articles": count,
            "baseline_mean": round(mean, 3),
            "baseline_windows": len(previous),
            "factor": spike.factor,
            "min_articles": spike.min_articles,
        }
        alert["reason"] = (
            f"{count} matching articles in the window from {iso(bucket)}, against a mean of "
            f"{mean:.2f} per {_span(spike.window)} over the previous {_span(spike.baseline)} "
            f"(rule: >= {spike.factor:g}x and >= {spike.min_articles})"
        )
        return [_finish(alert, NEW, 1)]


def _story_alert(story: dict[str, Any], status: str, score: float | None) -> dict[str, Any]:
    stored = story["alert"]
    # copies of the parts written here and in _finish, so the stored alert never changes (a
    # deep copy of the whole alert cost more than the rest of the fold)
    alert = {**stored, "timestamps": dict(stored["timestamps"])}
    alert["alert_id"] = story["alert_id"]
    alert["story"] = {
        "copies": story["copies"],
        "outlets": len(story["outlets"]),
        "sources": story["outlets"][:50],
        "first_seen": iso(story["first_seen"]),
        "last_seen": iso(story["last_seen"]),
        "latest_article_id": story["article_ids"][-1],
        "similarity": score,
    }
    return _finish(alert, status, story["copies"])


def _finish(alert: dict[str, Any], status: str, revision: int) -> dict[str, Any]:
    alert["status"] = status
    alert["revision"] = revision
    alert["timestamps"]["alerted_at"] = now_iso()
    return alert


def _span(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:g}h"
    if seconds >= 60:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


def fold_all(
    folder: AlertFolder, rules_by_id: dict[str, Rule], matches: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Fold matches in order; a match whose rule has since been removed or disabled is dropped."""
    alerts: list[dict[str, Any]] = []
    for match in matches:
        rule = rules_by_id.get(match["rule_id"])
        if rule is not None and rule.enabled:
            alerts.extend(folder.fold(match, rule))
    return alerts


class LocalAlerts:
    """Matching and folding in one process with the state in a dict: the batch commands,
    ``newsmon rules test`` and the tests use the worker's exact logic this way."""

    def __init__(self, detector: Detector) -> None:
        self.detector = detector
        self.folder = AlertFolder({})

    def alerts_for(self, article: dict[str, Any]) -> list[dict[str, Any]]:
        matches = self.detector.matches_for(article)
        rules = {rule.id: rule for rule in self.detector.rules.rules}
        return fold_all(self.folder, rules, matches)
