"""Safe YAML loading that remembers where each value came from, for errors that point at it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from agents.errors import ConfigError

_STANDARD_TAGS = tuple(
    f"tag:yaml.org,2002:{name}"
    for name in (
        "map",
        "seq",
        "str",
        "int",
        "float",
        "bool",
        "null",
        "timestamp",
        "binary",
        "merge",
    )
)


@dataclass(frozen=True)
class Located:
    """A plain Python value with the 1-based line it started on."""

    value: Any
    line: int


def load_located(path: str, text: str) -> Located:
    """Parse ``text`` with the safe loader; every node becomes a ``Located``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(path, line, "yaml", str(getattr(exc, "problem", exc))) from exc
    if node is None:
        return Located({}, 1)
    return _convert(path, node)


def _convert(path: str, node: yaml.Node) -> Located:
    line = node.start_mark.line + 1
    if node.tag not in _STANDARD_TAGS:
        raise ConfigError(
            path, line, "yaml", f"tag {node.tag!r} is not allowed: rule files are data"
        )
    if isinstance(node, yaml.MappingNode):
        return Located(
            {str(_convert(path, k).value): _convert(path, v) for k, v in node.value}, line
        )
    if isinstance(node, yaml.SequenceNode):
        return Located([_convert(path, item) for item in node.value], line)
    value = yaml.SafeLoader(  # resolve the scalar's type (int, bool, ...) the safe way
        ""
    ).construct_object(node)
    return Located(value, line)


def plain(located: Located) -> Any:
    """Strip the line numbers again."""
    value = located.value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
