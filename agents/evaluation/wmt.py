"""WMT news translations: do all language versions of a document yield the same countries?

Two views. Agreement (1a) needs no labels: a translation names the countries its English original
names, so our country set on each side should match. The gold comparison (1b) scores the
English originals against hand labels, and every translation against its original's labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from agents.core.enrich import Enricher
from agents.core.languages import SUPPORTED
from agents.evaluation.corpora import (
    GoldCountries,
    WmtGroup,
    WmtRecord,
    by_group,
    english_original_groups,
    load_country_gold,
)
from agents.evaluation.markdown import prf, table, top_counts
from agents.evaluation.metrics import Agreement, SetScores
from agents.evaluation.predictions import article, countries_of, enrich

AGREEMENT_HEADING = "## 1a. WMT: country agreement of translations with their English original"
GOLD_HEADING = "## 1b. WMT: countries against the hand-made gold (bench/gold)"


def wmt_sections(
    enricher: Enricher, records: Sequence[WmtRecord], gold_path: Path, limit: int | None
) -> list[str]:
    groups = english_original_groups(records)[:limit]
    gold = load_country_gold(gold_path)[:limit] if gold_path.is_file() else []
    index = by_group(records)
    needed = {r.id: r for g in groups for r in (g.original, *g.translations)}
    needed |= {r.id: r for row in gold for r in gold_records(row, index)}
    found = predict_countries(enricher, list(needed.values()))
    note = unsupported_note(records)
    sections = [agreement_section(groups, found), gold_section(gold, index, found, gold_path)]
    return [f"{section}\n\n{note}" if note else section for section in sections]


def unsupported_note(records: Iterable[WmtRecord]) -> str:
    """Languages without their own matcher get only language-independent aliases: their
    near-zero scores say "unsupported", not "broken"."""
    outside = sorted({r.lang for r in records} - SUPPORTED)
    if not outside:
        return ""
    return (
        f"Not supported by the matcher (language-independent aliases only): {', '.join(outside)}."
    )


def predict_countries(enricher: Enricher, records: Sequence[WmtRecord]) -> dict[str, set[str]]:
    enriched = enrich(enricher, [article(r.id, r.text, r.lang) for r in records])
    return {r.id: countries_of(e) for r, e in zip(records, enriched, strict=True)}


def gold_records(row: GoldCountries, index: Mapping[str, list[WmtRecord]]) -> list[WmtRecord]:
    """The labelled English original and every translation of it, in linked groups too (the
    English copies of linked groups are not labelled rows, so they are left out)."""
    members = [r for r in index.get(row.group_id, []) if r.id == row.doc_id or r.lang != "en"]
    for group_id in row.linked_groups:
        members += [r for r in index.get(group_id, []) if r.lang != "en"]
    return members


def agreement_by_language(
    groups: Iterable[WmtGroup], found: Mapping[str, set[str]]
) -> dict[str, Agreement]:
    per_lang: dict[str, Agreement] = defaultdict(Agreement)
    for group in groups:
        reference = found[group.original.id]
        for record in group.translations:
            per_lang[record.lang].add(found[record.id], reference)
    return dict(sorted(per_lang.items()))


def agreement_section(groups: Sequence[WmtGroup], found: Mapping[str, set[str]]) -> str:
    per_lang = agreement_by_language(groups, found)
    rows = [_agreement_row(lang, a) for lang, a in per_lang.items()]
    rows.append(_agreement_row("all", _pooled(per_lang.values())))
    headers = ["lang", "docs", "EN set empty", "identical", "mean Jaccard", "Jaccard, EN non-empty"]
    return "\n\n".join(
        [
            AGREEMENT_HEADING,
            f"Our country set of each translation against our set of its English original, over "
            f"the {len(groups):,} news groups whose English text is the original "
            f"({_releases(groups)}). No labels are involved: a difference means one language "
            "version found a country the other missed. Two empty sets count as identical "
            "(Jaccard 1); the last column leaves out documents whose English side found none.",
            table(headers, rows),
        ]
    )


def _releases(groups: Iterable[WmtGroup]) -> str:
    return ", ".join(sorted({g.group_id.split("/", 1)[0] for g in groups})) or "none"


def _agreement_row(lang: str, a: Agreement) -> list[object]:
    shares = [a.identical_share, a.mean_jaccard, a.mean_jaccard_nonempty]
    return [lang, a.docs, a.empty_reference, *shares]


def _pooled(parts: Iterable[Agreement]) -> Agreement:
    total = Agreement()
    for part in parts:
        total.docs += part.docs
        total.identical += part.identical
        total.jaccard_sum += part.jaccard_sum
        total.empty_reference += part.empty_reference
        total.nonempty_jaccard_sum += part.nonempty_jaccard_sum
    return total


def score_gold(
    gold: Iterable[GoldCountries],
    index: Mapping[str, list[WmtRecord]],
    found: Mapping[str, set[str]],
) -> dict[str, SetScores]:
    per_lang: dict[str, SetScores] = defaultdict(SetScores)
    for row in gold:
        for record in gold_records(row, index):
            per_lang[record.lang].add(found[record.id], row.countries)
    return dict(sorted(per_lang.items(), key=lambda item: (item[0] != "en", item[0])))


def gold_section(
    gold: Sequence[GoldCountries],
    index: Mapping[str, list[WmtRecord]],
    found: Mapping[str, set[str]],
    gold_path: Path,
) -> str:
    if not gold:
        return f"{GOLD_HEADING}\n\n_Skipped: no gold rows in {gold_path}._"
    per_lang = score_gold(gold, index, found)
    rows = [_gold_row(lang, s) for lang, s in per_lang.items()]
    headers = ["lang", "docs", "gold", "predicted", "TP", "P", "R", "F1"]
    headers += ["missed most", "added most"]
    return "\n\n".join(
        [
            GOLD_HEADING,
            f"Micro precision, recall and F1 of country sets against `{gold_path.name}` "
            f"({len(gold):,} English originals, ISO alpha-2 per document). Translations are scored "
            "against the labels of their English original, since a translation names the same "
            "countries. `missed most` / `added most`: the codes most often missed (false "
            "negatives) and wrongly added (false positives).",
            table(headers, rows),
        ]
    )


def _gold_row(lang: str, s: SetScores) -> list[object]:
    c = s.counts
    errors = [top_counts(s.missed), top_counts(s.added)]
    return [lang, s.docs, c.gold, c.predicted, c.tp, *prf(c), *errors]
