"""The feed list (config/feeds.yaml): read with the safe YAML loader, every mistake reported with
its file, line and field, so a bad file stops start-up before anything is fetched."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from agents.core.durations import parse_duration
from agents.core.yamlsource import Located, load_located
from agents.errors import ConfigError, ConfigErrors
from agents.settings import REPO_ROOT

FEEDS_ENV = "NEWSMON_FEEDS"
DEFAULT_FEEDS = REPO_ROOT / "config" / "feeds.yaml"
TOP_FIELDS = ("defaults", "feeds")
TIMING_FIELDS = ("interval", "timeout", "max_backoff")
FEED_FIELDS = ("name", "url", "source", "lang", "enabled", *TIMING_FIELDS)
DEFAULT_TIMING = {"interval": 900.0, "timeout": 20.0, "max_backoff": 21600.0}


@dataclass(frozen=True)
class FeedSpec:
    name: str
    url: str
    interval: float = DEFAULT_TIMING["interval"]
    timeout: float = DEFAULT_TIMING["timeout"]
    max_backoff: float = DEFAULT_TIMING["max_backoff"]
    source: str | None = None  # the outlet's name on the articles; else the feed's own title
    lang: str | None = None  # a hint when detection is unsure; else the feed's declared language
    line: int | None = None


def feeds_path(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ if env is None else env)
    return Path(env.get(FEEDS_ENV) or DEFAULT_FEEDS)


def load_feeds(path: Path) -> list[FeedSpec]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, "file", f"cannot read feed file: {exc}") from exc
    return parse_feeds(str(path), text)


def parse_feeds(source: str, text: str) -> list[FeedSpec]:
    """The enabled feeds; raise ConfigErrors listing every problem in the file."""
    parser = _FeedParser(source)
    feeds = parser.document(load_located(source, text))
    if parser.problems:
        raise ConfigErrors(parser.problems)
    return feeds


def _seconds(value: Any) -> float | None:
    if isinstance(value, float) and value > 0:
        return value
    seconds = parse_duration(value)
    return float(seconds) if seconds is not None else None


class _FeedParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[ConfigError] = []

    def problem(self, line: int | None, place: str, what: str) -> None:
        self.problems.append(ConfigError(self.source, line, place, what))

    def document(self, root: Located) -> list[FeedSpec]:
        if not isinstance(root.value, dict):
            self.problem(root.line, "file", "expected a mapping with a 'feeds' list")
            return []
        self.unknown(root.value, TOP_FIELDS, "file")
        timing = dict(DEFAULT_TIMING)
        defaults = root.value.get("defaults")
        if defaults is not None:
            timing = self.timing(defaults, "defaults", timing)
        listed = root.value.get("feeds")
        if listed is None or not isinstance(listed.value, list):
            line = listed.line if listed is not None else root.line
            self.problem(line, "file", "'feeds' must be a list of feeds")
            return []
        feeds = [self.feed(node, index, timing) for index, node in enumerate(listed.value)]
        self.duplicates([feed for feed in feeds if feed is not None])
        return [feed for feed in feeds if feed is not None and feed.name != ""]

    def unknown(self, mapping: dict[str, Located], allowed: tuple[str, ...], place: str) -> None:
        for key, node in mapping.items():
            if key not in allowed:
                self.problem(node.line, place, f"unknown field {key!r}; known: {allowed}")

    def timing(self, node: Located, place: str, base: dict[str, float]) -> dict[str, float]:
        if not isinstance(node.value, dict):
            self.problem(node.line, place, "expected a mapping")
            return base
        self.unknown(node.value, TIMING_FIELDS, place)
        return {**base, **self.durations(node.value, place)}

    def durations(self, mapping: dict[str, Located], place: str) -> dict[str, float]:
        found = {}
        for name in TIMING_FIELDS:
            if name in mapping:
                seconds = _seconds(mapping[name].value)
                if seconds is None:
                    got = mapping[name].value
                    what = f"expected a positive duration (90s, 15m, 1h), got {got!r}"
                    self.problem(mapping[name].line, f"{place} field '{name}'", what)
                else:
                    found[name] = seconds
        return found

    def feed(self, node: Located, index: int, timing: dict[str, float]) -> FeedSpec | None:
        place = f"feed {index + 1}"
        if not isinstance(node.value, dict):
            self.problem(node.line, place, "expected a mapping with at least 'name' and 'url'")
            return None
        fields = node.value
        name = self.text(fields, "name", place, node.line, required=True)
        place = f"feed '{name}'" if name else place
        self.unknown(fields, FEED_FIELDS, place)
        url = self.text(fields, "url", place, node.line, required=True)
        if url and urlsplit(url).scheme not in ("http", "https"):
            self.problem(fields["url"].line, f"{place} field 'url'", f"not an http(s) URL: {url!r}")
        enabled = fields.get("enabled")
        if enabled is not None and not isinstance(enabled.value, bool):
            self.problem(enabled.line, f"{place} field 'enabled'", "expected true or false")
        merged = {**timing, **self.durations(fields, place)}
        spec = FeedSpec(
            name=name or "",
            url=url or "",
            source=self.text(fields, "source", place, node.line),
            lang=self.text(fields, "lang", place, node.line),
            line=node.line,
            **merged,
        )
        return spec if enabled is None or enabled.value is not False else None

    def text(
        self, fields: dict[str, Located], key: str, place: str, line: int, required: bool = False
    ) -> str | None:
        node = fields.get(key)
        if node is None:
            if required:
                self.problem(line, place, f"missing required field '{key}'")
            return None
        if not isinstance(node.value, str) or not node.value.strip():
            self.problem(node.line, f"{place} field '{key}'", "expected a non-empty string")
            return None
        return node.value.strip()

    def duplicates(self, feeds: list[FeedSpec]) -> None:
        seen: set[str] = set()
        for feed in feeds:
            if feed.name and feed.name in seen:
                self.problem(feed.line, f"feed '{feed.name}'", "duplicate feed name")
            seen.add(feed.name)
