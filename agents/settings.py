"""Runtime settings, read once from NEWSMON_* environment variables (see README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from agents.errors import ConfigError
from agents.kafka.security import KafkaSecurity, security_from_env

REPO_ROOT = Path(__file__).resolve().parents[1]
RESTARTS_ENV = "NEWSMON_RESTARTS_IN_PLACE"


@dataclass(frozen=True)
class Topics:
    raw: str = "news.articles.raw"
    enriched: str = "news.articles.enriched"
    alerts: str = "news.alerts"
    dead_letters: str = "news.deadletter"
    matches: str = "news.rule-matches"  # internal: rule matches keyed by rule id
    webhook_dead_letters: str = "news.webhook.deadletter"
    webhook_outbox: str = "news.webhook.outbox"  # internal: alerts of rules with a webhook
    rules: str = "news.rules"  # compacted, one partition: the rule set in force

    def all(self) -> tuple[str, ...]:
        """The partitioned data topics (the rules topic is created apart, compacted)."""
        return (
            self.raw,
            self.enriched,
            self.alerts,
            self.dead_letters,
            self.matches,
            self.webhook_dead_letters,
            self.webhook_outbox,
        )


@dataclass(frozen=True)
class Settings:
    broker: str = "127.0.0.1:9092"
    app_id: str = "newsmon"
    rules_path: Path = REPO_ROOT / "config" / "rules.yaml"
    entities_path: Path = REPO_ROOT / "config" / "entities.yaml"
    home: Path = REPO_ROOT / ".newsmon"
    topics: Topics = field(default_factory=Topics)
    partitions: int = 4
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    with_ner: bool = True
    batch_size: int = 32
    batch_seconds: float = 0.05
    max_message_bytes: int = 2_000_000
    # a member that stops heart-beating this long is dropped and its partitions reassigned
    session_timeout: float = 15.0
    # committed offsets stuck this long with work waiting: restart the worker in place (0: off)
    stall_seconds: float = 120.0
    kafka: KafkaSecurity = field(default_factory=KafkaSecurity)
    fault_hang_after: int = 0  # reliability scenarios only: see agents/app.py
    restarts_in_place: int = 0  # set by agents.worker.restart_in_place for the next process

    @property
    def broker_url(self) -> str:
        """Faust wants ``kafka://host:port``; kafka-python wants ``host:port``."""
        return "kafka://" + self.broker


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(
            "environment", None, name, f"expected a whole number, got {raw!r}"
        ) from None


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise ConfigError("environment", None, name, f"expected seconds (>= 0), got {raw!r}")
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError("environment", None, name, f"expected true or false, got {raw!r}")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    defaults = Settings()
    prefix = env.get("NEWSMON_TOPIC_PREFIX", "")
    base = Topics()
    topics = Topics(**{name: prefix + getattr(base, name) for name in base.__dataclass_fields__})
    return Settings(
        broker=env.get("NEWSMON_BROKER", defaults.broker).removeprefix("kafka://"),
        app_id=env.get("NEWSMON_APP_ID", defaults.app_id),
        rules_path=Path(env.get("NEWSMON_RULES", str(defaults.rules_path))),
        entities_path=Path(env.get("NEWSMON_ENTITIES", str(defaults.entities_path))),
        home=Path(env.get("NEWSMON_HOME", str(defaults.home))),
        topics=topics,
        partitions=_int(env, "NEWSMON_PARTITIONS", defaults.partitions),
        web_host=env.get("NEWSMON_WEB_HOST", defaults.web_host),
        web_port=_int(env, "NEWSMON_WEB_PORT", defaults.web_port),
        with_ner=_bool(env, "NEWSMON_NER", defaults.with_ner),
        batch_size=_int(env, "NEWSMON_BATCH_SIZE", defaults.batch_size),
        max_message_bytes=_int(env, "NEWSMON_MAX_MESSAGE_BYTES", defaults.max_message_bytes),
        session_timeout=_seconds(env, "NEWSMON_SESSION_TIMEOUT", defaults.session_timeout),
        stall_seconds=_seconds(env, "NEWSMON_STALL_SECONDS", defaults.stall_seconds),
        kafka=security_from_env(env),
        fault_hang_after=_int(env, "NEWSMON_FAULT_HANG_AFTER", 0),
        restarts_in_place=_int(env, RESTARTS_ENV, 0),
    )
