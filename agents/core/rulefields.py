"""Reading one rule's fields with errors that name the rule and the field.

Each reader returns a usable default after reporting a problem, so that one pass over the file
lists every mistake at once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

from agents.core.durations import parse_duration
from agents.core.languages import SUPPORTED
from agents.core.yamlsource import Located

if TYPE_CHECKING:
    from agents.core.rules import Delivery, Spike, Threshold

_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class _Reporter(Protocol):
    def problem(self, line: int, place: str, what: str) -> None: ...


class FieldReader:
    def __init__(
        self, reporter: _Reporter, place: str, fields: dict[str, Located], line: int = 0
    ) -> None:
        self.reporter = reporter
        self.place = place
        self.fields = fields
        self.line = line  # where the mapping starts, for "needs 'x'"

    def fail(self, node: Located, what: str, name: str | None = None) -> None:
        where = f"{self.place} field '{name}'" if name else self.place
        self.reporter.problem(node.line, where, what)

    def rule_id(self) -> str | None:
        node = self.fields.get("id")
        if node is None or not isinstance(node.value, str) or not _RULE_ID.match(node.value):
            line = node.line if node is not None else 0
            self.reporter.problem(
                line,
                f"{self.place} field 'id'",
                "required: lower-case letters, digits, '.', '_' or '-' (at most 64)",
            )
            return None
        return node.value

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        node = self.fields.get(name)
        if node is None:
            return default
        if node.value not in allowed:
            self.fail(node, f"{node.value!r} is not one of {', '.join(allowed)}", name)
            return default
        return str(node.value)

    def text(self, name: str) -> str | None:
        node = self.fields.get(name)
        if node is None or node.value is None:
            return None
        if not isinstance(node.value, str):
            self.fail(node, "expected text", name)
            return None
        return node.value.strip()

    def flag(self, name: str) -> bool:
        node = self.fields.get(name)
        if node is None:
            return True
        if not isinstance(node.value, bool):
            self.fail(node, "expected true or false", name)
            return True
        return node.value

    def positive_int(self, name: str) -> int | None:
        node = self.fields.get(name)
        if node is None:
            return None
        if isinstance(node.value, bool) or not isinstance(node.value, int) or node.value < 1:
            self.fail(node, "expected a whole number of at least 1", name)
            return None
        return node.value

    def number(self, name: str, default: float) -> float:
        node = self.fields.get(name)
        if node is None:
            return default
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 1:
            self.fail(node, "expected a number greater than 1", name)
            return default
        return float(value)

    def strings(self, name: str) -> list[str]:
        node = self.fields.get(name)
        if node is None:
            return []
        items = node.value if isinstance(node.value, list) else None
        if items is None or not all(isinstance(i.value, str) and i.value.strip() for i in items):
            self.fail(node, "expected a list of names", name)
            return []
        return [item.value.strip() for item in items]

    def languages(self) -> list[str]:
        codes = self.strings("languages")
        unknown = [code for code in codes if code not in SUPPORTED]
        if unknown:
            self.fail(
                self.fields["languages"],
                f"unsupported language codes {unknown} (ISO 639-1, see `newsmon kb stats`)",
                "languages",
            )
        return [code for code in codes if code in SUPPORTED]

    def topics(self, name: str) -> list[str]:
        """IPTC topics by qcode or by name in any IPTC locale, resolved to qcodes."""
        from agents.core.topics import default_vocabulary

        vocabulary = default_vocabulary()
        qcodes = []
        for ref in self.strings(name):
            qcode = vocabulary.resolve(ref)
            if qcode is None:
                self.fail(
                    self.fields[name],
                    f"{ref!r} is not an IPTC Media Topic qcode or name (see agents/data/iptc)",
                    name,
                )
            else:
                qcodes.append(qcode)
        return qcodes

    def duration(self, name: str, default: int) -> int:
        node = self.fields.get(name)
        if node is None:
            return default
        seconds = parse_duration(node.value)
        if seconds is None:
            self.fail(node, f"{node.value!r} is not a duration such as 90s, 30m, 6h or 2d", name)
            return default
        return seconds

    def section(self, name: str, allowed: tuple[str, ...]) -> FieldReader | None:
        """A nested mapping (threshold, spike, delivery) read with its own field names."""
        node = self.fields.get(name)
        if node is None:
            return None
        if not isinstance(node.value, dict):
            self.fail(node, f"expected a mapping with {', '.join(allowed)}", name)
            return None
        inner: dict[str, Located] = node.value
        for key in sorted(set(inner) - set(allowed)):
            self.fail(inner[key], f"unknown field; allowed: {', '.join(allowed)}", f"{name}.{key}")
        return FieldReader(self.reporter, f"{self.place} field '{name}'", inner, node.line)

    def threshold(self) -> Threshold | None:
        from agents.core.rules import Threshold

        section = self.section("threshold", ("articles", "sources", "window"))
        if section is None:
            return None
        articles = section.required_int("articles")
        window = section.required_duration("window")
        if articles is None or window is None:
            return None
        return Threshold(articles, section.positive_int("sources") or 1, window)

    def spike(self) -> Spike | None:
        from agents.core.rules import Spike

        section = self.section("spike", ("window", "baseline", "factor", "min_articles"))
        if section is None:
            return None
        window = section.duration("window", 3600)
        baseline = section.duration("baseline", 24 * 3600)
        if baseline < 2 * window:
            self.fail(self.fields["spike"], "the baseline must span at least two windows", "spike")
        factor = section.number("factor", 3.0)
        return Spike(window, baseline, factor, section.positive_int("min_articles") or 3)

    def delivery(self) -> Delivery:
        from agents.core.rules import Delivery, Webhook

        section = self.section("delivery", ("topic", "webhook"))
        if section is None:
            return Delivery()
        topic = section.text("topic")
        if topic is not None and not _TOPIC_NAME.match(topic):
            section.fail(
                section.fields["topic"], f"{topic!r} is not a valid Kafka topic name", "topic"
            )
            topic = None
        hook = section.section("webhook", ("url", "secret_env"))
        webhook = None
        if hook is not None:
            url = hook.text("url")
            secret = hook.text("secret_env")
            if not url or not url.startswith(("http://", "https://")):
                hook.fail(
                    section.fields["webhook"], "needs a url starting with http:// or https://"
                )
            elif secret is not None and not _ENV_NAME.match(secret):
                hook.fail(
                    hook.fields["secret_env"], f"{secret!r} is not an environment variable name"
                )
            else:
                webhook = Webhook(url, secret)
        return Delivery(topic, webhook)

    def required_int(self, name: str) -> int | None:
        if name not in self.fields:
            self.reporter.problem(self.line, self.place, f"needs '{name}'")
            return None
        return self.positive_int(name)

    def required_duration(self, name: str) -> int | None:
        if name not in self.fields:
            self.reporter.problem(self.line, self.place, f"needs '{name}'")
            return None
        return self.duration(name, 0) or None
