"""From text to canonical entities: gazetteer matches, corroboration, and linked NER spans."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc

from agents.core.kb import Entity, KnowledgeBase
from agents.core.languages import CHARACTER_LANGUAGES, SUPPORTED
from agents.core.matching import LanguageMatcher, Mention
from agents.core.ner import NamedSpan
from agents.core.normalize import fold
from agents.core.romanize import RomanizedNameLinker

# what separates the items of a list: punctuation, spaces, and the word for "and"/"or"
_LIST_SEPARATOR = re.compile(
    r"[\W_]*(?:(?:and|or|und|oder|et|ou|y|e|o|i|a|og|eða|и|или|і|й|та|або|और|या|व|و|או|ו|ve|veya"
    r"|ja|tai|és|vagy|oraz|lub|nebo|ali|和|与|及|或|と|や)[\W_]*)?",
    re.IGNORECASE,
)
LIST_GAP = 6  # characters between neighbours in a list of countries (", ", " and ")
_NER_PREFIX = re.compile(r"^(the\s+)", re.IGNORECASE)
_NER_SUFFIX = re.compile(r"('s|’s|')$")


@dataclass
class FoundEntity:
    entity: Entity
    mentions: list[Mention] = field(default_factory=list)
    source: str = "gazetteer"

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.entity.id,
            "name": self.entity.name,
            "type": self.entity.type,
            "country": self.entity.country,
            "source": self.source,
            "mentions": [{"text": m.text, "start": m.start, "end": m.end} for m in self.mentions],
        }


class EntityExtractor:
    """Extracts entities per article with one matcher per language.

    A matcher costs about 0.3 s to build, so all 46 would add ~13 s to every start: the languages
    named in ``warm`` are built here, the others on their first article (then kept).
    """

    def __init__(self, kb: KnowledgeBase, warm: Sequence[str] = ()) -> None:
        self.kb = kb
        self.matchers: dict[str, LanguageMatcher] = {}
        self._lock = threading.Lock()
        self._english_names = _name_index(kb, "en")
        self._romanized = RomanizedNameLinker(kb)
        for lang in ("xx", *warm):
            self.matcher_for(lang)

    def matcher_for(self, lang: str) -> LanguageMatcher:
        key = lang if lang in SUPPORTED else "xx"
        matcher = self.matchers.get(key)
        if matcher is None:
            with self._lock:
                matcher = self.matchers.get(key)
                if matcher is None:
                    aliases = self.kb.aliases_for(key)  # "xx": the language-independent ones
                    cues = self.kb.context_cues.get(key, frozenset())
                    matcher = self.matchers[key] = LanguageMatcher(key, aliases, cues)
        return matcher

    def tokenize(self, text: str, lang: str) -> Doc:
        return self.matcher_for(lang).tokenize(text)

    def extract(
        self, text: str, lang: str, named: Sequence[NamedSpan] = (), doc: Doc | None = None
    ) -> list[FoundEntity]:
        """``doc``: ``tokenize(text, lang)`` if the caller has it already (the topic tagger
        reads the same Doc)."""
        matcher = self.matcher_for(lang)
        doc = doc if doc is not None else matcher.tokenize(text)
        mentions = matcher.find_in(doc, text)
        if lang not in CHARACTER_LANGUAGES:  # characters carry no names to romanise
            mentions += _uncovered(self._romanized.find(doc), mentions)
        found = self._group(mentions)
        found = _corroborated(found, text)
        self._link_named_spans(found, named)
        ordered = sorted(found.values(), key=lambda f: f.mentions[0].start)
        return ordered

    def _group(self, mentions: list[Mention]) -> dict[str, FoundEntity]:
        grouped: dict[str, FoundEntity] = {}
        for mention in mentions:
            entity = self.kb.entities[mention.entity_id]
            grouped.setdefault(entity.id, FoundEntity(entity)).mentions.append(mention)
        return grouped

    def _link_named_spans(self, found: dict[str, FoundEntity], named: Sequence[NamedSpan]) -> None:
        """Add NER spans the gazetteer missed: linked to a KB entry by name, or as new entities."""
        covered = [(m.start, m.end) for f in found.values() for m in f.mentions]
        for span in named:
            if any(start < span.end and span.start < end for start, end in covered):
                continue
            entity = self._link(span)
            source = "gazetteer" if entity.id in self.kb.entities else "ner"
            mention = Mention(entity.id, span.text, span.start, span.end, weak=False)
            found.setdefault(entity.id, FoundEntity(entity, source=source)).mentions.append(mention)
            covered.append((span.start, span.end))

    def _link(self, span: NamedSpan) -> Entity:
        name = _NER_SUFFIX.sub("", _NER_PREFIX.sub("", span.text.strip()))
        candidates = self._english_names.get(fold(name), set())
        if len(candidates) == 1:
            return self.kb.entities[next(iter(candidates))]
        slug = re.sub(r"[^\w]+", "-", fold(name)).strip("-") or "unnamed"
        return Entity(id=f"newsmon:{span.type}:{slug}", name=name, type=span.type, country=None)


def _uncovered(extra: list[Mention], mentions: list[Mention]) -> list[Mention]:
    """The mentions of ``extra`` that overlap none of ``mentions``."""
    return [m for m in extra if not any(o.start < m.end and m.start < o.end for o in mentions)]


def _name_index(kb: KnowledgeBase, lang: str) -> dict[str, set[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for alias in kb.aliases_for(lang):
        if not alias.weak:
            index[fold(alias.text)].add(alias.entity_id)
    return index


def _corroborated(found: dict[str, FoundEntity], text: str) -> dict[str, FoundEntity]:
    """Keep an entity seen only through weak aliases (Hindi चीनी is also "sugar", Georgia is also a
    US state, Amman stands for Jordan) when the article corroborates it:
    - a strong mention of a person or organisation of that country (चीनी ... वांग यी);
    - two different weak names of the same entity (Georgia ... Tbilisi);
    - a strong mention of another country right beside it, as in a list of countries
      ("Russia, Kazakhstan, Georgia, Armenia", but not "Atlanta, Georgia"), where only
      punctuation or a conjunction stands between them (Ukrainian "Того дня французькі": no)."""
    strong = {eid for eid, f in found.items() if any(not m.weak for m in f.mentions)}
    affiliated = {
        found[eid].entity.country for eid in strong if found[eid].entity.type != "country"
    }
    country_spans = [
        (m.start, m.end)
        for eid in strong
        if found[eid].entity.type == "country"
        for m in found[eid].mentions
        if not m.weak
    ]
    kept: dict[str, FoundEntity] = {}
    for eid, item in found.items():
        if (
            eid in strong
            or len({m.alias for m in item.mentions}) > 1
            or (
                item.entity.type == "country"
                and (
                    item.entity.country in affiliated
                    or any(_beside(m, country_spans, text) for m in item.mentions)
                )
            )
        ):
            kept[eid] = item
    return kept


def _beside(mention: Mention, spans: list[tuple[int, int]], text: str, gap: int = LIST_GAP) -> bool:
    for start, end in spans:
        if 0 <= mention.start - end <= gap:
            between = text[end : mention.start]
        elif 0 <= start - mention.end <= gap:
            between = text[mention.end : start]
        else:
            continue
        if _LIST_SEPARATOR.fullmatch(between):
            return True
    return False
