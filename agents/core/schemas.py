"""The JSON Schemas of the wire formats (schemas/*.json), loaded once and validated against."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

SCHEMA_NAMES = (
    "raw_article.v1",
    "entity.v1",
    "enriched_article.v1",
    "alert.v1",
    "dead_letter.v1",
    "rule_match.v1",
    "ruleset.v1",
)


def schema_dir() -> Path:
    """schemas/ at the top of the repository (NEWSMON_SCHEMA_DIR overrides, e.g. in an image)."""
    override = os.environ.get("NEWSMON_SCHEMA_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "schemas"


@cache
def _registry() -> tuple[Registry, dict[str, dict[str, Any]]]:
    schemas = {
        name: orjson.loads((schema_dir() / f"{name}.json").read_bytes()) for name in SCHEMA_NAMES
    }
    resources = [(s["$id"], Resource.from_contents(s)) for s in schemas.values()]
    resources += [(f"{name}.json", Resource.from_contents(s)) for name, s in schemas.items()]
    return Registry().with_resources(resources), schemas


@cache
def validator(name: str) -> Draft202012Validator:
    registry, schemas = _registry()
    return Draft202012Validator(schemas[name], registry=registry)


@cache
def fast_validator(name: str) -> Any:
    """The same schema compiled by jsonschema-rs: about 150x faster on an enriched article
    (0.006 ms against 0.9), which every stage checks every message against."""
    _, schemas = _registry()
    resources = [(s["$id"], s) for s in schemas.values()]
    resources += [(f"{other}.json", s) for other, s in schemas.items()]
    return jsonschema_rs.validator_for(schemas[name], registry=jsonschema_rs.Registry(resources))


def first_error(name: str, document: Any) -> str | None:
    """A one-line description of the most relevant schema violation, or None if valid. Valid
    documents (nearly all) take the compiled path; an invalid one is described by jsonschema,
    whose messages the dead letters and the rule errors have always carried."""
    if fast_validator(name).is_valid(document):
        return None
    errors = sorted(validator(name).iter_errors(document), key=lambda e: e.path)
    return _describe(errors[0]) if errors else None


def _describe(error: ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(document)"
    message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
    return f"{where}: {message}"
