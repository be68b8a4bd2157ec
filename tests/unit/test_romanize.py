from __future__ import annotations

import pytest

from agents.core.matching import blank_pipeline
from agents.core.romanize import RomanizedNameLinker, skeleton


@pytest.mark.parametrize(
    "forms",
    [
        ["Lavrov", "Лавров", "लावरोव", "Lawrow"],
        ["Biden", "Байден", "बाइडेन", "بايدن"],
        ["Guterres", "Гутерриш", "गुटेरेस"],
    ],
)
def test_one_skeleton_across_scripts(forms: list[str]) -> None:
    assert len({skeleton(form) for form in forms}) == 1


@pytest.fixture(scope="module")
def linker(kb) -> RomanizedNameLinker:
    return RomanizedNameLinker(kb)


def _links(linker: RomanizedNameLinker, lang: str, text: str) -> list[tuple[str, str]]:
    return [(m.entity_id, m.text) for m in linker.find(blank_pipeline(lang).make_doc(text))]


def test_full_name_in_an_unlisted_transcription_is_linked(linker) -> None:
    # "Sergej Lawrow" is curated; "Sergei Lawrov" is not, nor is the Polish "Siergiej Ławrow"
    assert _links(linker, "pl", "Minister Siergiej Ławrow powiedział") == [
        ("newsmon:sergey-lavrov", "Siergiej Ławrow")
    ]


def test_bare_surname_only_after_the_full_name(linker) -> None:
    assert _links(linker, "ru", "Лавров заявил.") == []
    links = _links(linker, "ru", "Сергей Лавров заявил, что Лавров и потом Путин.")
    assert [text for _, text in links] == ["Сергей Лавров", "Лавров"]


def test_sound_alike_common_words_are_not_names(linker) -> None:
    # потом/путем share Putin's skeleton "ptn" but are not capitalised; Hindi has no case,
    # so the whole romanised name must resemble the English name too
    assert _links(linker, "ru", "Владимир Путин приехал, а потом уехал путем.") == [
        ("Q7747", "Владимир Путин")
    ]
    assert _links(linker, "hi", "महिला यौनकर्मी वोट देती हैं") == []
