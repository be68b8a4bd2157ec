"""Per-language reduction of an inflected word to a matching key.

Russian needs a real lemmatiser (Китая, Китаю, Китаем -> китай; Snowball mangles names), the
European languages and Turkish are served well by Snowball, Arabic and Hebrew by stripping the
clitic prefixes written onto the word (وروسيا = and-Russia). Languages without an entry are
matched on the folded form alone. Every function here is memoised: news repeats its words.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import snowballstemmer

from agents.core.normalize import fold

_SNOWBALL = {
    "en": "english",
    "da": "danish",
    "de": "german",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nb": "norwegian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "sv": "swedish",
    "tr": "turkish",
    "ca": "catalan",
    "lt": "lithuanian",
    "id": "indonesian",
    "el": "greek",
    "sr": "serbian",
}
_ARABIC_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_HEBREW_PREFIXES = ("וה", "שה", "מה", "בה", "לה", "ה", "ו", "ב", "ל", "מ", "ש", "כ")
_CACHE_SIZE = 200_000

KeyFunction = Callable[[str], str]


def _strip_prefixes(word: str, prefixes: tuple[str, ...], keep: int = 3) -> str:
    for prefix in prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= keep:
            return word[len(prefix) :]
    return word


def _russian() -> KeyFunction:
    import pymorphy3

    analyzer = pymorphy3.MorphAnalyzer(lang="ru")

    @lru_cache(maxsize=_CACHE_SIZE)
    def key(word: str) -> str:
        folded = fold(word)
        if not any("а" <= ch <= "я" for ch in folded):
            return folded
        return fold(analyzer.parse(folded)[0].normal_form)

    return key


def _snowball(algorithm: str, cut_apostrophe: bool) -> KeyFunction:
    stemmer = snowballstemmer.stemmer(algorithm)

    @lru_cache(maxsize=_CACHE_SIZE)
    def key(word: str) -> str:
        folded = fold(word)
        if cut_apostrophe and "'" in folded:  # Turkish suffixes follow an apostrophe: Rusya'ya
            folded = folded.split("'", 1)[0]
        return str(stemmer.stemWord(folded))

    return key


def _prefixed(prefixes: tuple[str, ...]) -> KeyFunction:
    @lru_cache(maxsize=_CACHE_SIZE)
    def key(word: str) -> str:
        return _strip_prefixes(fold(word), prefixes)

    return key


def _folded() -> KeyFunction:
    return lru_cache(maxsize=_CACHE_SIZE)(fold)


def key_function(lang: str) -> KeyFunction:
    """Build the word -> key function for ``lang`` (expensive for Russian: call once)."""
    if lang == "ru":
        return _russian()
    if lang in _SNOWBALL:
        return _snowball(_SNOWBALL[lang], cut_apostrophe=lang == "tr")
    if lang in ("ar", "fa", "ur"):
        return _prefixed(_ARABIC_PREFIXES if lang == "ar" else ())
    if lang == "he":
        return _prefixed(_HEBREW_PREFIXES)
    return _folded()
