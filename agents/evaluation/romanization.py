"""How precise is cross-script person linking by romanisation? (``newsmon eval romanization``)

Two measurements, neither of which the linker has seen:
1. Held-out aliases: every curated native-script full name of a person (सर्गेई लावरोव, Сергей
   Лавров, ...) is given to the linker, which knows only the English names; a link to the right
   person is correct, to another person wrong, no link a miss.
2. Real text: the linker runs over the HiNER (Hindi) and factRuEval (Russian) gold-annotated
   texts; a link whose span lies on a gold person mention is plausible, any other link is a false
   positive.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import orjson

from agents.core.kb import KnowledgeBase
from agents.core.languages import CHARACTER_LANGUAGES
from agents.core.matching import blank_pipeline
from agents.core.normalize import fold
from agents.core.romanize import RomanizedNameLinker
from agents.evaluation.markdown import table

REAL_TEXT = {
    "hi": ("corpora/hindi-ner/hiner-original.validation.sentences.jsonl", {"PERSON"}),
    "ru": ("corpora/factrueval-2016-ru/factrueval2016_testset.docs.jsonl", {"Person"}),
}


def held_out(kb: KnowledgeBase, linker: RomanizedNameLinker) -> list[list[object]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for alias in kb.aliases:
        entity = kb.entities[alias.entity_id]
        if entity.type != "person" or alias.lang in CHARACTER_LANGUAGES or alias.lang == "*":
            continue
        if len(alias.text.split()) < 2 or fold(alias.text) == fold(entity.name):
            continue  # a bare surname, or the English name itself: nothing to romanise
        doc = blank_pipeline(alias.lang).make_doc(alias.text)
        linked = {m.entity_id for m in linker.find(doc)}
        outcome = "miss" if not linked else "correct" if linked == {entity.id} else "wrong"
        counts[alias.lang][outcome] += 1
    return [_row(lang, c["correct"], c["wrong"], c["miss"]) for lang, c in sorted(counts.items())]


def _row(lang: str, correct: int, wrong: int, miss: int) -> list[object]:
    linked = correct + wrong
    precision = correct / linked if linked else float("nan")
    recall = correct / (linked + miss) if linked + miss else float("nan")
    return [lang, linked + miss, correct, wrong, miss, f"{precision:.3f}", f"{recall:.3f}"]


def real_text(shared: Path, linker: RomanizedNameLinker, limit: int | None) -> list[list[object]]:
    rows: list[list[object]] = []
    for lang, (relative, person_types) in REAL_TEXT.items():
        nlp = blank_pipeline(lang)
        on_person = off_person = 0
        for document in _documents(shared / relative, limit):
            gold = _person_spans(document, person_types)
            for mention in linker.find(nlp.make_doc(document["text"])):
                if any(s < mention.end and mention.start < e for s, e in gold):
                    on_person += 1
                else:
                    off_person += 1
        links = on_person + off_person
        share = f"{on_person / links:.3f}" if links else "n/a"
        rows.append([lang, relative.split("/")[1], links, on_person, off_person, share])
    return rows


def _documents(path: Path, limit: int | None) -> Iterable[dict]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                return
            yield orjson.loads(line)


def _person_spans(document: dict, types: set[str]) -> list[tuple[int, int]]:
    labels = document.get("labels") or {}
    items = labels.get("mentions") or labels.get("entities") or []  # factRuEval, HiNER
    return [(item["start"], item["end"]) for item in items if item["type"] in types]


def report(shared: Path, kb: KnowledgeBase, limit: int | None = None) -> str:
    linker = RomanizedNameLinker(kb)
    held = table(
        ["lang", "aliases", "correct", "wrong", "no link", "precision", "recall"],
        held_out(kb, linker),
    )
    real = table(
        ["lang", "corpus", "links", "on a gold person", "elsewhere", "share on persons"],
        real_text(shared, linker, limit),
    )
    return (
        "# Cross-script person linking by romanisation\n\n"
        "Regenerate with `newsmon eval romanization --out docs/romanization-evaluation.md`. "
        "The linker (agents/core/romanize.py) is the fallback for people whose name in an "
        "article's script is not among the curated aliases.\n\n"
        "### Held-out native-script names (the linker knows only the English names)\n\n"
        f"{held}\n\n### Links made on real annotated text\n\n{real}\n"
    )
