"""Reuters-21578 PLACES codes (1987, e.g. ``usa``, ``west-germany``) -> ISO 3166-1 alpha-2.

Most codes are an English country name with hyphens (``south-korea``), so they are mapped by
name through the knowledge base's English names. ``PLACE_OVERRIDES`` holds the rest, each
decided by hand: a renamed state maps to today's code, while a state with no single present-day
continuation (the USSR, the two Germanys' eastern half, Czechoslovakia, Yugoslavia, the two
Yemens, the Netherlands Antilles) maps to None and is left out of the scores, as the WMT gold's
guideline G5 leaves out historical states.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from agents.core.kb import KnowledgeBase
from agents.core.normalize import fold

PLACE_OVERRIDES: dict[str, str | None] = {
    "antigua": "AG",  # Antigua and Barbuda
    "burma": "MM",  # Myanmar since 1989
    "congo": "CG",  # in 1987 Congo-Brazzaville; Congo-Kinshasa was Zaire
    "ivory-coast": "CI",  # Côte d'Ivoire
    "kampuchea": "KH",  # Cambodia
    "swaziland": "SZ",  # Eswatini since 2018
    "us-virgin-islands": "VI",
    "vatican": "VA",
    "west-germany": "DE",  # the Federal Republic continues as Germany
    "western-samoa": "WS",  # Samoa
    "zaire": "CD",  # DR Congo
    "czechoslovakia": None,  # dissolved 1993 into CZ and SK
    "east-germany": None,  # joined the Federal Republic 1990
    "netherlands-antilles": None,  # dissolved 2010 into CW, SX, BQ
    "ussr": None,  # dissolved 1991 into fifteen states
    "yemen-arab-republic": None,  # North Yemen, merged 1990
    "yemen-demo-republic": None,  # South Yemen, merged 1990
    "yugoslavia": None,  # dissolved 1991-2006
}


def slug(name: str) -> str:
    """``South Korea`` -> ``south-korea``: the shape of a Reuters place code."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def place_table(kb: KnowledgeBase) -> dict[str, str | None]:
    """Code -> ISO alpha-2 (or None) from every English name of a KB country, plus overrides.

    A slug naming two countries is dropped: the name cannot decide.
    """
    names: dict[str, set[str]] = {}
    for entity in kb.entities.values():
        if entity.type == "country" and entity.country:
            names.setdefault(slug(entity.name), set()).add(entity.country)
    for alias in kb.aliases_for("en"):
        entity = kb.entities[alias.entity_id]
        if entity.type == "country" and entity.country:
            names.setdefault(slug(alias.text), set()).add(entity.country)
    table: dict[str, str | None] = {
        code: next(iter(codes)) for code, codes in names.items() if len(codes) == 1
    }
    return {**table, **PLACE_OVERRIDES}


def map_places(
    places: Iterable[str], table: Mapping[str, str | None]
) -> tuple[set[str], list[str]]:
    """(ISO codes, codes left out): a code is left out when it is no present-day country."""
    mapped, ignored = set(), []
    for place in places:
        code = table.get(place)
        if code:
            mapped.add(code)
        else:
            ignored.append(place)
    return mapped, ignored


def ignored_summary(ignored: Counter[str]) -> str:
    return ", ".join(f"{code} {count}" for code, count in ignored.most_common()) or "none"
