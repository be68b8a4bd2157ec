"""The entity evaluation: metric arithmetic, corpus loaders on tiny files, and one quick run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from agents.core.kb import Alias, Entity, KnowledgeBase
from agents.evaluation import corpora, entities, wmt
from agents.evaluation.markdown import cell, table, top_counts
from agents.evaluation.metrics import (
    Agreement,
    Counts,
    SetScores,
    Span,
    drop_overlapping,
    jaccard,
    match_by_type,
    match_spans,
    set_counts,
)
from agents.evaluation.places import map_places, place_table, slug
from agents.evaluation.predictions import countries_of, qid_mentions, spans_of
from agents.evaluation.spans import QidAgreement
from agents.evaluation.speed import word_count
from tests.conftest import SHARED


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    return path


# --- metrics -------------------------------------------------------------------------------


def test_counts_give_precision_recall_f1() -> None:
    counts = Counts(tp=3, fp=1, fn=2)
    assert counts.precision == pytest.approx(0.75)
    assert counts.recall == pytest.approx(0.6)
    assert counts.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert counts + Counts(1, 1, 1) == Counts(4, 2, 3)


def test_undefined_ratios_are_none_not_zero() -> None:
    assert Counts(0, 0, 2).precision is None
    assert Counts(0, 0, 2).f1 is None
    assert Counts(0, 2, 0).recall is None
    assert Counts(0, 1, 1).f1 == 0.0


def test_set_counts_and_jaccard() -> None:
    assert set_counts({"US", "CN"}, {"US", "RU"}) == Counts(1, 1, 1)
    assert jaccard({"US", "CN"}, {"US", "RU"}) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 1.0
    assert jaccard({"US"}, set()) == 0.0


def test_set_scores_collect_missed_and_added_codes() -> None:
    scores = SetScores()
    scores.add({"US", "TG"}, {"US", "RU"})
    scores.add(set(), {"RU"})
    assert (scores.docs, scores.counts) == (2, Counts(1, 1, 2))
    assert scores.missed == Counter({"RU": 2})
    assert scores.added == Counter({"TG": 1})


def test_agreement_separates_empty_references() -> None:
    agreement = Agreement()
    agreement.add({"US"}, {"US"})
    agreement.add({"US", "CN"}, {"US"})
    agreement.add(set(), set())
    assert agreement.docs == 3
    assert agreement.identical_share == pytest.approx(2 / 3)
    assert agreement.mean_jaccard == pytest.approx((1 + 0.5 + 1) / 3)
    assert agreement.mean_jaccard_nonempty == pytest.approx(0.75)
    assert Agreement().mean_jaccard is None


def test_exact_and_overlap_span_matching_is_one_to_one() -> None:
    gold = [Span(0, 10, "PER"), Span(20, 25, "LOC")]
    predicted = [Span(0, 4, "PER"), Span(5, 10, "PER"), Span(20, 25, "LOC"), Span(30, 35, "ORG")]
    assert match_spans(predicted, gold) == Counts(1, 3, 1)
    # two fragments of one gold name: only one is credited
    assert match_spans(predicted, gold, relaxed=True) == Counts(2, 2, 0)
    assert match_spans([Span(0, 10, "ORG")], gold, relaxed=True) == Counts(0, 1, 2)


def test_overlap_prefers_exact_matches_first() -> None:
    gold = [Span(0, 5, "LOC"), Span(3, 9, "LOC")]
    predicted = [Span(3, 9, "LOC"), Span(0, 4, "LOC")]
    assert match_spans(predicted, gold, relaxed=True) == Counts(2, 0, 0)


def test_match_by_type_and_dropping_unscored_spans() -> None:
    gold = [Span(0, 5, "PER"), Span(10, 15, "LOC")]
    predicted = [Span(0, 5, "PER"), Span(10, 15, "ORG"), Span(20, 27, "LOC")]
    kept, dropped = drop_overlapping(predicted, [Span(20, 27, "MISC")])
    assert dropped == 1
    by_type = match_by_type(kept, gold, ("PER", "ORG", "LOC"))
    assert by_type == {"PER": Counts(1, 0, 0), "ORG": Counts(0, 1, 0), "LOC": Counts(0, 0, 1)}


# --- markdown ------------------------------------------------------------------------------


def test_table_formats_numbers_and_undefined_values() -> None:
    rendered = table(["lang", "docs", "P"], [["en", 1234, 0.5], ["ru", 2, None]])
    assert rendered.splitlines()[1] == "|---|---:|---:|"
    assert "| en | 1,234 | 0.500 |" in rendered
    assert "| ru | 2 | – |" in rendered
    assert cell("a|b") == "a\\|b"
    assert top_counts(Counter({"US": 3, "GB": 1})) == "US 3, GB 1"


# --- loaders -------------------------------------------------------------------------------


def test_read_jsonl_skips_blank_lines_and_honours_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": 1}\n\n{"id": 2}\n{"id": 3}\n', encoding="utf-8")
    assert [r["id"] for r in corpora.read_jsonl(path)] == [1, 2, 3]
    assert [r["id"] for r in corpora.read_jsonl(path, limit=2)] == [1, 2]


def _wmt(doc_id: str, group: str, lang: str, original: bool, domain: str = "news") -> dict:
    return {
        "id": doc_id,
        "group_id": group,
        "lang": lang,
        "text": f"text {doc_id}",
        "is_original": original,
        "labels": {"domain": domain},
    }


def test_wmt_groups_keep_english_original_news_only(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "x.docs.jsonl",
        [
            _wmt("g1/en", "g1", "en", True),
            _wmt("g1/ru", "g1", "ru", False),
            _wmt("g1/de", "g1", "de", False),
            _wmt("g2/ru", "g2", "ru", True),  # Russian original: no English reference
            _wmt("g2/en", "g2", "en", False),
            _wmt("g3/en", "g3", "en", True, domain="social"),
            _wmt("g3/zh", "g3", "zh", False, domain="social"),
        ],
    )
    records = corpora.load_wmt(tmp_path)
    groups = corpora.english_original_groups(records)
    assert [g.group_id for g in groups] == ["g1"]
    assert groups[0].original.id == "g1/en"
    assert [r.lang for r in groups[0].translations] == ["ru", "de"]


def test_country_gold_reads_codes_and_linked_groups(tmp_path: Path) -> None:
    path = tmp_path / "gold.tsv"
    path.write_text(
        "# comment\n"
        "group_id\tdoc_id\tcountries\tnote\n"
        "g1\tg1/en\tDE,RU\tlangs=en,ru (+hi in separate group wmt14/hi-en/g1: no more); x\n"
        "g2\tg2/en\t\tlangs=en,de\n",
        encoding="utf-8",
    )
    rows = corpora.load_country_gold(path)
    assert rows[0] == corpora.GoldCountries(
        "g1", "g1/en", frozenset({"DE", "RU"}), ("wmt14/hi-en/g1",)
    )
    assert rows[1].countries == frozenset() and rows[1].linked_groups == ()


def test_gold_scores_translations_and_linked_groups_against_english_labels() -> None:
    records = [
        corpora.WmtRecord("g1/en", "g1", "en", "", True, "news"),
        corpora.WmtRecord("g1/ru", "g1", "ru", "", False, "news"),
        corpora.WmtRecord("h1/en", "h1", "en", "", True, "news"),  # unlabelled English copy
        corpora.WmtRecord("h1/hi", "h1", "hi", "", False, "news"),
        corpora.WmtRecord("g2/kk", "g2", "kk", "", False, "news"),  # Kazakh: no matcher
    ]
    index = corpora.by_group(records)
    row = corpora.GoldCountries("g1", "g1/en", frozenset({"US", "RU"}), ("h1",))
    assert [r.id for r in wmt.gold_records(row, index)] == ["g1/en", "g1/ru", "h1/hi"]
    found = {"g1/en": {"US", "RU"}, "g1/ru": {"US", "TG"}, "h1/hi": set()}
    scores = wmt.score_gold([row], index, found)
    assert list(scores) == ["en", "hi", "ru"]
    assert scores["ru"].counts == Counts(1, 1, 1) and scores["hi"].counts == Counts(0, 0, 2)
    assert wmt.unsupported_note(records).endswith(": kk.")


def test_agreement_by_language_compares_with_the_original() -> None:
    original = corpora.WmtRecord("g/en", "g", "en", "", True, "news")
    ru = corpora.WmtRecord("g/ru", "g", "ru", "", False, "news")
    group = corpora.WmtGroup("g", original, (ru,))
    result = wmt.agreement_by_language([group], {"g/en": {"US", "CN"}, "g/ru": {"US"}})
    assert result["ru"].mean_jaccard == pytest.approx(0.5)


def test_reuters_joins_headline_and_body(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "r1", "title": "HEAD", "text": "Body.", "labels": {"places": ["usa", "uk"]}},
            {"id": "r2", "title": "BRIEF ONLY", "text": "", "labels": {"places": []}},
        ],
    )
    docs = corpora.load_reuters(path)
    assert docs[0] == corpora.ReutersDoc("r1", "HEAD\n\nBody.", ("usa", "uk"))
    assert docs[1].text == "BRIEF ONLY"


def test_entity_docs_map_types_and_keep_unscored_spans(tmp_path: Path) -> None:
    entities_ = [
        {"start": 0, "end": 5, "type": "PER"},
        {"start": 6, "end": 13, "type": "MISC"},
    ]
    record = {"id": "d1", "lang": "en", "text": "Smith Chinese", "labels": {"entities": entities_}}
    path = write_jsonl(tmp_path / "c.docs.jsonl", [record, {**record, "id": "d2"}])
    docs = corpora.load_entity_docs([path], {"PER": "PER"}, limit=1)
    assert len(docs) == 1
    assert docs[0].gold == [Span(0, 5, "PER")]
    assert docs[0].unscored == [Span(6, 13, "MISC")]


def test_factrueval_links_mentions_to_wikidata(tmp_path: Path) -> None:
    labels = {
        "mentions": [
            {"id": "1", "type": "LocOrg", "start": 0, "end": 6},
            {"id": "2", "type": "Person", "start": 7, "end": 12},
            {"id": "3", "type": "Project", "start": 13, "end": 15},
        ],
        "entities": [
            {"id": "e1", "mentions": ["1"], "attributes": {"wikidata": ["Q159"]}},
            {"id": "e2", "mentions": ["2"], "attributes": {"wikidata": [""]}},
        ],
    }
    path = write_jsonl(
        tmp_path / "f.jsonl", [{"id": "f1", "lang": "ru", "text": "x" * 20, "labels": labels}]
    )
    types = {"Person": "PER", "LocOrg": "LOC"}
    (doc,) = corpora.load_factrueval([path], types)
    assert doc.gold == [Span(0, 6, "LOC"), Span(7, 12, "PER")]
    assert doc.unscored == [Span(13, 15, "Project")]
    assert doc.qids == {Span(0, 6, "LOC"): "Q159"}


# --- predictions, places, QIDs -------------------------------------------------------------

ENRICHED = {
    "lang": "en",
    "entities": [
        {
            "id": "Q159",
            "name": "Russia",
            "type": "country",
            "country": "RU",
            "mentions": [{"start": 0, "end": 6}, {"start": 30, "end": 37}],
        },
        {
            "id": "Q7747",
            "name": "Vladimir Putin",
            "type": "person",
            "country": "RU",
            "mentions": [{"start": 10, "end": 15}],
        },
        {
            "id": "newsmon:other:x",
            "name": "x",
            "type": "other",
            "country": None,
            "mentions": [{"start": 40, "end": 41}],
        },
    ],
}


def test_predictions_countries_spans_and_qids() -> None:
    assert countries_of(ENRICHED) == {"RU"}  # a person's country is not a country mention
    assert spans_of(ENRICHED) == [Span(0, 6, "LOC"), Span(10, 15, "PER"), Span(30, 37, "LOC")]
    assert [q for _, q, _ in qid_mentions(ENRICHED)] == ["Q159", "Q7747", "Q159"]


def test_qid_agreement_counts_overlapping_mentions() -> None:
    doc = corpora.SpanDoc(
        "d", "ru", "x", qids={Span(0, 6, "LOC"): "Q159", Span(8, 15, "PER"): "Q1"}
    )
    agreement = QidAgreement()
    agreement.add(doc, qid_mentions(ENRICHED))
    assert (agreement.ours, agreement.compared, agreement.agreed) == (3, 2, 1)
    assert (agreement.gold, agreement.gold_found) == (2, 1)
    assert agreement.disagreements == Counter({"Q7747 Vladimir Putin vs Q1": 1})


def test_reuters_places_map_by_name_and_overrides() -> None:
    kb = KnowledgeBase()
    kb.add_entity(Entity("Q884", "South Korea", "country", "KR"))
    kb.add_entity(Entity("Q30", "United States", "country", "US"))
    kb.aliases = [Alias("Q30", "en", "USA")]
    table_ = place_table(kb)
    assert slug("Côte d’Ivoire") == "cote-d-ivoire"
    assert table_["south-korea"] == "KR" and table_["usa"] == "US"
    assert table_["west-germany"] == "DE" and table_["ussr"] is None
    mapped, ignored = map_places(["usa", "ussr", "atlantis"], table_)
    assert mapped == {"US"} and ignored == ["ussr", "atlantis"]


def test_word_count_uses_characters_for_unspaced_scripts() -> None:
    assert word_count("two  words\n", "en") == 2
    assert word_count("中俄 外长", "zh") == 4


def test_regenerate_command_names_every_option() -> None:
    command = entities.regenerate_command(Path("../shared"), Path("docs/e.md"), 3, False)
    assert command == "newsmon eval entities --shared ../shared --out docs/e.md --limit 3 --no-ner"


# --- one quick run on the real corpora ------------------------------------------------------


def test_quick_run_writes_every_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "docs" / "entity-evaluation.md"
    assert entities.run(SHARED, out, limit=3) == 0
    report = out.read_text(encoding="utf-8")
    for heading in entities.HEADINGS:
        assert heading in report
    numbers = ["## 1a.", "## 1b.", "## 2.", "## 3.", "## 4.", "### 4b.", "## 5.", "## 6.", "## 6b."]
    assert [n for n in numbers if f"\n{n} " not in report] == []
    assert "Regenerate with `newsmon eval entities --shared" in report
    assert "--limit 3" in report
    assert report.strip() in capsys.readouterr().out


def test_run_without_corpora_fails_cleanly(tmp_path: Path) -> None:
    assert entities.run(tmp_path, tmp_path / "out.md", limit=1) == 2
    assert not (tmp_path / "out.md").exists()


def test_five_hundred_word_articles_join_and_cut() -> None:
    from agents.evaluation.speed import five_hundred_word_articles

    docs = [{"text": " ".join(["w"] * 300)}, {"text": " ".join(["x"] * 450)}]
    made = five_hundred_word_articles(docs, "en")
    assert [len(a["text"].split()) for a in made] == [500]  # 750 words: one article, 250 left
    assert five_hundred_word_articles([{"text": "中" * 1200}], "zh")[1]["text"] == "中" * 500


def test_wmt_groups_split_into_dev_and_held_out_releases() -> None:
    from agents.evaluation.topics import wmt_split

    assert wmt_split("wmt14/newstest2014/1016-latimes") == "dev"
    assert wmt_split("wmt21/newstest2021/en-de/abc") == "dev"
    assert wmt_split("wmt22/wmttest2022/x") == "held-out"
    assert wmt_split("wmt24/wmttest2024/x") == "held-out"
