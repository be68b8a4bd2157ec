"""The knowledge base of canonical entities and their names in many languages.

Countries come from CLDR (via Babel): every ISO 3166-1 country's name in each supported language,
plus, for countries whose language carries their name, that language's name as the adjective
(Hindi चीनी, German chinesisch). Curated files in ``agents/data/kb`` add what CLDR lacks: short
forms (中方, U.S.), demonyms, people and organisations. Each alias is one line with its language,
so that a reviewer can read and correct it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from babel import Locale

from agents.core.languages import BABEL_LOCALES, SUPPORTED
from agents.core.normalize import fold
from agents.errors import ConfigError

ANY_LANGUAGE = "*"
CURATED_ALIAS_FILES = ("aliases.tsv", "demonyms.tsv")
ALIAS_FLAGS = frozenset({"weak", "proper"})
ENTITY_TYPES = ("country", "person", "organization", "location", "other")
# Languages in which a country adjective is also a common noun (Hindi चीनी "sugar", रूसी
# "dandruff"; Urdu/Persian چینی "sugar"): there the adjective alone does not prove the country.
WEAK_ADJECTIVE_LANGUAGES = frozenset({"hi", "ur", "fa", "bn", "mr", "ne"})
# Languages whose CLDR language names are nouns, not adjectives: 中文 is "Chinese text", Czech
# čínština and Turkish Çince "the Chinese language", Vietnamese "Tiếng Trung" likewise.
NO_ADJECTIVE_LANGUAGES = frozenset({"zh", "ja", "ko", "th", "cs", "sk", "tr", "vi"})


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    type: str
    country: str | None


@dataclass(frozen=True)
class Alias:
    entity_id: str
    lang: str
    text: str
    weak: bool = False
    proper: bool = False  # also a personal or other proper name (Jordan, Chad): see matching.py
    adjective: bool = False  # from a CLDR language name: its capital letter says nothing
    compound: bool = False  # one word naming several entities at once (中俄 = China + Russia)


@dataclass
class KnowledgeBase:
    entities: dict[str, Entity] = field(default_factory=dict)
    aliases: list[Alias] = field(default_factory=list)
    by_country_code: dict[str, str] = field(default_factory=dict)
    context_cues: dict[str, frozenset[str]] = field(default_factory=dict)  # lang -> words

    def add_entity(self, entity: Entity) -> None:
        self.entities[entity.id] = entity
        if entity.type == "country" and entity.country:
            self.by_country_code[entity.country] = entity.id

    def aliases_for(self, lang: str) -> Iterator[Alias]:
        return (a for a in self.aliases if a.lang in (lang, ANY_LANGUAGE))

    def resolve(self, ref: str) -> Entity | None:
        """Find an entity by id, ISO country code, or any of its names in any language."""
        if ref in self.entities:
            return self.entities[ref]
        if ref.upper() in self.by_country_code and len(ref) == 2:
            return self.entities[self.by_country_code[ref.upper()]]
        wanted = fold(ref)
        found = {a.entity_id for a in self.aliases if fold(a.text) == wanted}
        return self.entities[found.pop()] if len(found) == 1 else None


def _data_file(name: str) -> Path:
    return Path(str(resources.files("agents") / "data" / "kb" / name))


def _read_tsv(path: Path, columns: int) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row or row[0].startswith("#"):
                continue
            if len(row) < columns:
                raise ConfigError(
                    str(path), number, "row", f"expected {columns} columns, got {len(row)}"
                )
            yield number, [cell.strip() for cell in row]


def _load_countries(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Countries with their QIDs; returns country -> languages whose name is its adjective."""
    path = _data_file("countries.tsv")
    adjective_languages: dict[str, list[str]] = {}
    for _, (code, qid, name, languages) in _read_tsv(path, 4):
        kb.add_entity(Entity(id=qid, name=name, type="country", country=code))
        adjective_languages[code] = languages.split(",") if languages else []
    return adjective_languages


def _cldr_aliases(kb: KnowledgeBase, adjective_languages: dict[str, list[str]]) -> Iterable[Alias]:
    for qid in kb.by_country_code.values():
        yield Alias(qid, "en", kb.entities[qid].name)
    for lang in sorted(SUPPORTED):
        names: dict[str, set[str]] = defaultdict(set)
        adjectives: dict[str, set[str]] = defaultdict(set)
        for locale_name in BABEL_LOCALES[lang]:
            locale = Locale.parse(locale_name)
            for code, qid in kb.by_country_code.items():
                if code in locale.territories:
                    names[locale.territories[code]].add(qid)
                if lang in NO_ADJECTIVE_LANGUAGES:
                    continue
                for language_code in adjective_languages.get(code, []):
                    if language_code in locale.languages:
                        adjectives[locale.languages[language_code]].add(qid)
        for text, qids in names.items():
            if len(qids) == 1:  # a name two countries share in this language decides nothing
                yield Alias(next(iter(qids)), lang, text)
        for text, qids in adjectives.items():
            if len(qids) == 1:
                weak = lang in WEAK_ADJECTIVE_LANGUAGES
                yield Alias(next(iter(qids)), lang, text, weak=weak, adjective=True)


def _load_entities(kb: KnowledgeBase, path: Path) -> None:
    for number, (qid, kind, name, country) in _read_tsv(path, 4):
        if kind not in ENTITY_TYPES:
            raise ConfigError(str(path), number, f"entity {qid}", f"unknown type {kind!r}")
        kb.add_entity(Entity(id=qid, name=name, type=kind, country=country or None))


def _load_aliases(kb: KnowledgeBase, path: Path) -> Iterable[Alias]:
    for number, row in _read_tsv(path, 3):
        ref, lang, text = row[:3]
        flags = set(row[3].split(",")) if len(row) > 3 and row[3] else set()
        place = f"alias {text!r}"
        if lang != ANY_LANGUAGE and lang not in SUPPORTED:
            raise ConfigError(str(path), number, place, f"unsupported language {lang!r}")
        if flags - ALIAS_FLAGS:
            raise ConfigError(
                str(path), number, place, f"unknown flags {sorted(flags - ALIAS_FLAGS)}"
            )
        refs = ref.split("+")  # "CN+RU": a compound naming both
        for part in refs:
            entity_id = kb.by_country_code.get(part, part)
            if entity_id not in kb.entities:
                raise ConfigError(str(path), number, place, f"unknown entity {part!r}")
            yield Alias(
                entity_id,
                lang,
                text,
                weak="weak" in flags,
                proper="proper" in flags,
                compound=len(refs) > 1,
            )


def load_knowledge_base(user_entities: Path | None = None) -> KnowledgeBase:
    """Assemble the knowledge base from CLDR, the curated files and the user's own entity file
    (about a second)."""
    kb = KnowledgeBase()
    adjective_languages = _load_countries(kb)
    _load_entities(kb, _data_file("entities.tsv"))
    curated = [
        alias for name in CURATED_ALIAS_FILES for alias in _load_aliases(kb, _data_file(name))
    ]
    kb.aliases = _merge(_cldr_aliases(kb, adjective_languages), curated)
    kb.context_cues = _load_cues(_data_file("context_cues.tsv"))
    if user_entities is not None:
        from agents.core.user_entities import add_user_entities

        add_user_entities(kb, user_entities)
    return kb


def _load_cues(path: Path) -> dict[str, frozenset[str]]:
    cues: dict[str, set[str]] = defaultdict(set)
    for _, (lang, word) in _read_tsv(path, 2):
        cues[lang].add(word)
    return {lang: frozenset(words) for lang, words in cues.items()}


def _merge(generated: Iterable[Alias], curated: Iterable[Alias]) -> list[Alias]:
    """One alias per (entity, language, folded text); a curated line overrides a generated one,
    so a reviewer can mark an ambiguous CLDR name (Georgia, Jordan) weak."""
    best: dict[tuple[str, str, str], Alias] = {}
    for alias in generated:
        slot = _slot(alias)
        if slot not in best or (best[slot].weak and not alias.weak):
            best[slot] = alias
    for alias in curated:
        best[_slot(alias)] = alias
    return list(best.values())


def _slot(alias: Alias) -> tuple[str, str, str]:
    """Aliases that differ only in case are one alias, except acronyms (OTAN is not Otan)."""
    text = alias.text if alias.text.isupper() else fold(alias.text)
    return (alias.entity_id, alias.lang, text)
