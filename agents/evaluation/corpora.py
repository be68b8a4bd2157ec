"""Loaders for the shared evaluation corpora (formats: each corpus folder's PROVENANCE.md).

Everything is read in place and kept in memory only; loaders return small typed records so the
evaluation code never depends on a corpus's JSON layout.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from agents.evaluation.metrics import Span

WMT_DIR = Path("corpora/wmt-newstest/jsonl")
REUTERS_FILE = Path("corpora/reuters-21578/reuters21578_lewis-test.jsonl")
CONLL_DIR = Path("corpora/conll2003-en")
FACTRUEVAL_DIR = Path("corpora/factrueval-2016-ru")
HINER_FILE = Path("corpora/hindi-ner/hiner-original.validation.sentences.jsonl")
_LINKED_GROUP = re.compile(r"separate group (\S+?)[:;,)]?(?:\s|$)")


def read_jsonl(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """One dict per non-blank line, at most ``limit`` of them."""
    with path.open("rb") as handle:
        lines = (line for line in handle if line.strip())
        for line in islice(lines, limit):
            yield orjson.loads(line)


def read_jsonl_files(paths: Iterable[Path], limit: int | None = None) -> list[dict[str, Any]]:
    """Records of several files in order, ``limit`` over all of them together."""
    records = (record for path in paths for record in read_jsonl(path))
    return list(islice(records, limit))


@dataclass(frozen=True)
class WmtRecord:
    id: str
    group_id: str
    lang: str
    text: str
    is_original: bool
    domain: str


@dataclass(frozen=True)
class WmtGroup:
    """An English original and its translations (the same document in other languages)."""

    group_id: str
    original: WmtRecord
    translations: tuple[WmtRecord, ...]


def load_wmt(folder: Path) -> list[WmtRecord]:
    return [
        WmtRecord(
            id=r["id"],
            group_id=r["group_id"],
            lang=r["lang"],
            text=r["text"],
            is_original=bool(r.get("is_original")),
            domain=(r.get("labels") or {}).get("domain", "unknown"),
        )
        for path in sorted(folder.glob("*.jsonl"))
        for r in read_jsonl(path)
    ]


def by_group(records: Iterable[WmtRecord]) -> dict[str, list[WmtRecord]]:
    groups: dict[str, list[WmtRecord]] = defaultdict(list)
    for record in records:
        groups[record.group_id].append(record)
    return dict(groups)


def english_original_groups(records: Iterable[WmtRecord], domain: str = "news") -> list[WmtGroup]:
    """Groups whose English text is the original, in corpus order: the reference side of the
    cross-language agreement."""
    found = []
    for group_id, members in by_group(records).items():
        originals = [r for r in members if r.lang == "en" and r.is_original]
        if len(originals) != 1 or originals[0].domain != domain:
            continue
        others = tuple(r for r in members if r.lang != "en")
        found.append(WmtGroup(group_id, originals[0], others))
    return found


@dataclass(frozen=True)
class GoldCountries:
    """One row of bench/gold/wmt_en_countries.tsv (see its README)."""

    group_id: str
    doc_id: str
    countries: frozenset[str]
    linked_groups: tuple[str, ...] = ()  # groups holding further translations (wmt14 en-hi)


def load_country_gold(path: Path) -> list[GoldCountries]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row or row[0].startswith("#") or row[0] == "group_id":
                continue
            group_id, doc_id, codes = row[0], row[1], row[2] if len(row) > 2 else ""
            note = row[3] if len(row) > 3 else ""
            countries = frozenset(c.strip() for c in codes.split(",") if c.strip())
            linked = tuple(_LINKED_GROUP.findall(note))
            rows.append(GoldCountries(group_id, doc_id, countries, linked))
    return rows


@dataclass(frozen=True)
class ReutersDoc:
    id: str
    text: str
    places: tuple[str, ...]


def load_reuters(path: Path, limit: int | None = None) -> list[ReutersDoc]:
    """Headline and body as one text: 702 BRIEF items have only a headline, and editors
    assigned PLACES having read both."""
    docs = []
    for r in read_jsonl(path, limit):
        parts = [part for part in (r.get("title"), r.get("text")) if part]
        places = tuple((r.get("labels") or {}).get("places") or ())
        docs.append(ReutersDoc(r["id"], "\n\n".join(parts), places))
    return docs


@dataclass
class SpanDoc:
    """A text with gold spans of the scored types, spans of unscored types, and Wikidata ids of
    gold mentions where the corpus links them."""

    id: str
    lang: str
    text: str
    gold: list[Span] = field(default_factory=list)
    unscored: list[Span] = field(default_factory=list)
    qids: dict[Span, str] = field(default_factory=dict)


def span_doc(
    record: Mapping[str, Any], items: Iterable[Mapping[str, Any]], types: Mapping[str, str]
) -> SpanDoc:
    """Gold items with a type in ``types`` are renamed to the common scheme (PER/ORG/LOC)."""
    doc = SpanDoc(record["id"], record.get("lang") or "", record["text"])
    for item in items:
        kind = types.get(item["type"])
        target = doc.gold if kind else doc.unscored
        target.append(Span(int(item["start"]), int(item["end"]), kind or item["type"]))
    return doc


def load_entity_docs(
    paths: Iterable[Path], types: Mapping[str, str], limit: int | None = None
) -> list[SpanDoc]:
    """CoNLL-2003 and HiNER JSONL: ``labels.entities`` with character offsets."""
    return [
        span_doc(r, (r.get("labels") or {}).get("entities") or (), types)
        for r in read_jsonl_files(paths, limit)
    ]


def load_factrueval(
    paths: Iterable[Path], types: Mapping[str, str], limit: int | None = None
) -> list[SpanDoc]:
    """factRuEval: typed mentions, plus the Wikidata id their coreference entity carries."""
    docs = []
    for record in read_jsonl_files(paths, limit):
        labels = record.get("labels") or {}
        mentions = labels.get("mentions") or []
        doc = span_doc(record, mentions, types)
        qid_of = _mention_qids(labels.get("entities") or [])
        for mention in mentions:
            qid = qid_of.get(str(mention["id"]))
            if qid:
                kind = types.get(mention["type"], mention["type"])
                doc.qids[Span(int(mention["start"]), int(mention["end"]), kind)] = qid
        docs.append(doc)
    return docs


def _mention_qids(entities: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Mention id -> Wikidata QID; the corpus also holds empty strings and stray words there."""
    found = {}
    for entity in entities:
        qids = [q for q in (entity.get("attributes") or {}).get("wikidata", []) if _is_qid(q)]
        for mention_id in entity.get("mentions") or []:
            if qids:
                found[str(mention_id)] = qids[0]
    return found


def _is_qid(value: object) -> bool:
    return isinstance(value, str) and value.startswith("Q") and value[1:].isdigit()
