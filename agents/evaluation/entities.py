"""``newsmon eval entities``: how well the entity layer finds countries, people, organisations
and places in real news, in several languages, and how fast.

Every figure is recomputed from the shared corpora (read in place, never copied) so that a change
to the knowledge base or the matcher can be judged by re-running one command.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from agents.core.enrich import Enricher
from agents.core.kb import KnowledgeBase, load_knowledge_base
from agents.core.langid import detect_language
from agents.core.ner import EnglishNER
from agents.evaluation import corpora
from agents.evaluation.corpora import WmtRecord
from agents.evaluation.predictions import article
from agents.evaluation.reuters import HEADING as REUTERS_HEADING
from agents.evaluation.reuters import reuters_section
from agents.evaluation.spans import (
    CONLL_TYPES,
    FACTRUEVAL_TYPES,
    HINER_TYPES,
    qid_agreement,
    qid_table,
    span_section,
)
from agents.evaluation.speed import measure, speed_table
from agents.evaluation.wmt import AGREEMENT_HEADING, GOLD_HEADING, wmt_sections

REPO = Path(__file__).resolve().parents[2]
GOLD_COUNTRIES = REPO / "bench" / "gold" / "wmt_en_countries.tsv"
CONLL_HEADING = "## 3. CoNLL-2003 English: PER / ORG / LOC spans"
FACTRUEVAL_HEADING = "## 4. factRuEval-2016 Russian: Person / Org / Location spans"
QID_HEADING = "### 4b. factRuEval-2016: Wikidata ids on overlapping mentions"
HINER_HEADING = "## 5. HiNER Hindi: PERSON / ORGANIZATION / LOCATION spans"
SPEED_HEADING = "## 6. Speed of the entity layer without statistical NER"
NER_SPEED_HEADING = "## 6b. Speed of English with statistical NER"
HEADINGS = (
    AGREEMENT_HEADING,
    GOLD_HEADING,
    REUTERS_HEADING,
    CONLL_HEADING,
    FACTRUEVAL_HEADING,
    QID_HEADING,
    HINER_HEADING,
    SPEED_HEADING,
    NER_SPEED_HEADING,
)


def run(shared: Path, docs_out: Path, limit: int | None = None, with_ner: bool = True) -> int:
    """Evaluate, print the Markdown report and write it to ``docs_out``; 2 if no corpora."""
    started = time.monotonic()
    if not (shared / "corpora").is_dir():
        print(f"newsmon eval entities: no corpora folder under {shared}", file=sys.stderr)
        return 2
    _progress("loading the knowledge base and models")
    kb = load_knowledge_base()
    enricher = Enricher(kb, EnglishNER() if with_ner else None, with_topics=False)
    records = corpora.load_wmt(shared / corpora.WMT_DIR)
    speed = speed_sections(kb, enricher if with_ner else None, records, limit)  # caches cold
    sections = [
        *wmt_sections(enricher, records, GOLD_COUNTRIES, limit),
        _reuters(enricher, kb, shared, limit),
        *_ner_corpora(enricher, shared, limit),
        *speed,
    ]
    header = report_header(shared, docs_out, limit, with_ner, time.monotonic() - started, kb)
    report = "\n\n".join([header, *sections]) + "\n"
    print(report)
    docs_out.parent.mkdir(parents=True, exist_ok=True)
    docs_out.write_text(report, encoding="utf-8")
    return 0


def _progress(message: str) -> None:
    print(f"[eval entities] {message}", file=sys.stderr, flush=True)


def regenerate_command(shared: Path, docs_out: Path, limit: int | None, with_ner: bool) -> str:
    """The command line, with paths relative to the working directory where they can be."""
    command = f"newsmon eval entities --shared {_relative(shared)} --out {_relative(docs_out)}"
    command += f" --limit {limit}" if limit is not None else ""
    return command + ("" if with_ner else " --no-ner")


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(os.path.abspath(path), Path.cwd())  # keeps symlinks as given
    except ValueError:  # another drive
        return str(path)


def report_header(
    shared: Path,
    docs_out: Path,
    limit: int | None,
    with_ner: bool,
    seconds: float,
    kb: KnowledgeBase,
) -> str:
    countries = sum(1 for e in kb.entities.values() if e.type == "country")
    lines = [
        "# Entity layer evaluation",
        f"Regenerate with `{regenerate_command(shared, docs_out, limit, with_ner)}`. "
        f"Generated on {date.today().isoformat()} in {seconds / 60:.1f} min (wall clock).",
        f"Corpora are read in place from `{_relative(shared)}/corpora` (formats and licences in "
        "each "
        "`PROVENANCE.md`); this report holds only counts, scores and ISO / Wikidata codes. "
        f"Knowledge base: {len(kb.entities):,} entities ({countries:,} countries), "
        f"{len(kb.aliases):,} aliases. English statistical NER: {'on' if with_ner else 'off'}.",
    ]
    if limit is not None:
        lines.append(f"**Quick run: at most {limit} documents (or groups) per corpus.**")
    return "\n\n".join(lines)


def _missing(heading: str, path: Path) -> str | None:
    return None if path.exists() else f"{heading}\n\n_Skipped: {path} not found._"


def _reuters(enricher: Enricher, kb: KnowledgeBase, shared: Path, limit: int | None) -> str:
    path = shared / corpora.REUTERS_FILE
    _progress("Reuters-21578")
    return _missing(REUTERS_HEADING, path) or reuters_section(enricher, kb, path, limit)


def _ner_corpora(enricher: Enricher, shared: Path, limit: int | None) -> list[str]:
    return [
        _conll(enricher, shared, limit),
        *_factrueval(enricher, shared, limit),
        _hiner(enricher, shared, limit),
    ]


def _conll(enricher: Enricher, shared: Path, limit: int | None) -> str:
    folder = shared / corpora.CONLL_DIR
    _progress("CoNLL-2003")
    if skipped := _missing(CONLL_HEADING, folder):
        return skipped
    docs = corpora.load_entity_docs(sorted(folder.glob("*.docs.jsonl")), CONLL_TYPES, limit)
    intro = "eng.testb (Reuters, December 1996), whole documents; gold MISC is not scored."
    return span_section(CONLL_HEADING, intro, enricher, docs, {})[0]


def _factrueval(enricher: Enricher, shared: Path, limit: int | None) -> list[str]:
    folder = shared / corpora.FACTRUEVAL_DIR
    _progress("factRuEval-2016")
    if skipped := _missing(FACTRUEVAL_HEADING, folder):
        return [skipped, f"{QID_HEADING}\n\n_Skipped._"]
    docs = corpora.load_factrueval(sorted(folder.glob("*.jsonl")), FACTRUEVAL_TYPES, limit)
    intro = (
        "Test and dev sets; LOC is Location plus LocOrg (a state acting as an organisation). "
        "Project and Facility are not scored. The corpus marks names only, so our country "
        "adjectives (российский) count as false positives here."
    )
    names = {"PER": "PER (Person)", "ORG": "ORG (Org)", "LOC": "LOC (Location, LocOrg)"}
    section, enriched = span_section(FACTRUEVAL_HEADING, intro, enricher, docs, names)
    qid = qid_agreement(docs, enriched)
    qid_intro = (
        "Our entities with a Wikidata id (QID) against the QID of a gold mention they overlap. "
        "PROVENANCE counts 1,134 entities with a `wikidata` attribute, but in this copy it is "
        "empty (or a word) on all but a few, so only those few mentions can be compared."
    )
    return [section, "\n\n".join([QID_HEADING, qid_intro, qid_table(qid)])]


def _hiner(enricher: Enricher, shared: Path, limit: int | None) -> str:
    path = shared / corpora.HINER_FILE
    _progress("HiNER")
    if skipped := _missing(HINER_HEADING, path):
        return skipped
    docs = corpora.load_entity_docs([path], HINER_TYPES, limit)
    intro = (
        "Validation split, one sentence per document; NUMEX, TIMEX, LANGUAGE, MISC, GAME, "
        "RELIGION, LITERATURE and FESTIVAL are not scored."
    )
    names = {"PER": "PERSON", "ORG": "ORGANIZATION", "LOC": "LOCATION"}
    return span_section(HINER_HEADING, intro, enricher, docs, names)[0]


def wmt_articles(
    records: Sequence[WmtRecord], limit: int | None
) -> dict[str, list[dict[str, Any]]]:
    """All WMT documents per language (every domain), English first, ``limit`` per language."""
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if limit is None or len(by_lang[r.lang]) < limit:
            by_lang[r.lang].append(article(r.id, r.text, r.lang))
    return dict(sorted(by_lang.items(), key=lambda item: (item[0] != "en", item[0])))


def speed_sections(
    kb: KnowledgeBase,
    ner_enricher: Enricher | None,
    records: Sequence[WmtRecord],
    limit: int | None,
) -> list[str]:
    """Measured before anything else runs, so the first pass meets cold caches."""
    _progress("speed")
    detect_language("A warm-up sentence loads the language model outside the timings.")
    by_lang = wmt_articles(records, limit)
    plain = Enricher(kb, None, warm=tuple(by_lang), with_topics=False)  # topics: eval topics
    results = [measure(plain, lang, articles) for lang, articles in by_lang.items()]
    intro = (
        "`Enricher(kb, None, with_topics=False)` (language ID + gazetteer matching; what topic "
        "tagging adds is in docs/topic-evaluation.md) over every WMT document of each "
        "language, in batches of 32. CPU seconds (`time.process_time`); cold = first pass on "
        "fresh caches, warm = second pass over the same documents. For zh and ja, words are "
        "non-space characters. The last column joins the same text into 500-word articles "
        "(500 characters for zh and ja) and times them warm, the unit of the 1,000 articles/s "
        f"target. Machine: {os.cpu_count()} CPUs; other load on it shows as noise."
    )
    sections = ["\n\n".join([SPEED_HEADING, intro, speed_table(results)])]
    if ner_enricher is None or "en" not in by_lang:
        return [*sections, f"{NER_SPEED_HEADING}\n\n_Skipped: run without NER._"]
    ner = measure(ner_enricher, "en", by_lang["en"])
    ner_intro = "The same English documents with en_core_web_sm NER, cold then warm."
    return [*sections, "\n\n".join([NER_SPEED_HEADING, ner_intro, speed_table([ner])])]
