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
# Slavic languages without a Snowball stemmer: cut the common case endings, then trailing vowels,
# so that Rosja / Rosji / Rosję and Chiny / Chin / Chinach meet (Polish), Rusko / Ruska (Czech).
_SLAVIC_ENDINGS = (
    "ovi",  # Czech and Slovak masculine dative: Putinovi, Lavrovovi
    "owi",  # Polish likewise: Putinowi
    "ího",  # Czech soft adjectives: Mezinárodního trestního soudu
    "ímu",
    "yj",  # Czech transcriptions of -ий names: Zelenskyj beside Zelenského
    "ami",
    "ach",
    "ych",
    "ymi",
    "ich",
    "imi",
    "ego",
    "emu",
    "ému",
    "ého",
    "ých",
    "ým",
    "om",
    "ów",
    "ech",
    "ích",
    "ách",
    "ům",
    "em",
    "ym",
    "im",
    "ej",
    "ou",
    "ами",
    "ах",
    "ом",
    "ой",
    "ей",
    "ою",
    "ів",
    "ых",
    "ими",
)
_SLAVIC_VOWELS = set("aeiouyąęóáéíýůěаеиоуыяюіїєёйъ")
_BENGALI_SUFFIXES = ("দের", "ের", "কে", "তে", "র", "ে")
# Snowball's Greek stemmer treats Ρωσία and Ρωσίας differently; case endings are enough here.
# (Written with σ: case folding turns the final ς into σ.)
_GREEK_SUFFIXES = ("ων", "ου", "ασ", "εσ", "ησ", "οσ", "ουσ", "α", "ε", "η", "ο", "σ")
_ARABIC_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_HEBREW_PREFIXES = ("וה", "שה", "מה", "בה", "לה", "ה", "ו", "ב", "ל", "מ", "ש", "כ")
_CACHE_SIZE = 200_000

KeyFunction = Callable[[str], str]
SLAVIC_LIGHT = frozenset({"pl", "cs", "sk", "hr", "sl", "sr", "bg", "mk"})
# word_key_function: no Snowball stemmer here, and a lemma dictionary of moderate size (Polish's
# takes 400 MB in memory, Czech's 50, Icelandic's 25, Hindi's 9)
LEMMA_FIRST = (SLAVIC_LIGHT - {"pl"}) | {"el", "hi", "is"}


def _strip_prefixes(word: str, prefixes: tuple[str, ...], keep: int = 3) -> str:
    for prefix in prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= keep:
            return word[len(prefix) :]
    return word


def _german_genitive(word: str) -> bool:
    return len(word) > 4 and word[0].isupper() and word.endswith("s") and word[-2] in "aoue"


def _pymorphy(lang: str) -> KeyFunction:
    import pymorphy3

    analyzer = pymorphy3.MorphAnalyzer(lang=lang)

    @lru_cache(maxsize=_CACHE_SIZE)
    def key(word: str) -> str:
        folded = fold(word)
        if not any("а" <= ch <= "я" or ch in "іїєґ" for ch in folded):
            return folded
        return fold(analyzer.parse(folded)[0].normal_form)

    return key


# Words arrive folded (no diacritics), so the endings are matched folded, longest first.
_FOLDED_SLAVIC_ENDINGS = tuple(sorted({fold(e) for e in _SLAVIC_ENDINGS}, key=len, reverse=True))
_FOLDED_SLAVIC_VOWELS = frozenset(fold(v) for v in _SLAVIC_VOWELS)


def slavic_stem(word: str) -> str:
    """Light stemming for Slavic languages that Snowball lacks: one case ending, then one final
    vowel (keeps at least 3 letters). The plural -ští of -ský adjectives (britští, britský) is
    brought back to -sk first."""
    if word.endswith("sti") and len(word) > 5:
        return word[:-3] + "sk"
    for ending in _FOLDED_SLAVIC_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if len(word) > 3 and word[-1] in _FOLDED_SLAVIC_VOWELS:  # one vowel: Samoa is not sám
        word = word[:-1]
    return word


# Icelandic case and number endings and the suffixed article, folded (no accents): the longest
# that leaves four letters is cut (Bandaríkjanna, Bandaríkjunum -> bandarikj; kosningarnar,
# kosningar -> kosning)
# fmt: off
_ICELANDIC_ENDINGS = (
    "arnir", "arnar", "irnir", "irnar", "urnar", "unnar", "innar", "anna", "unum", "inum", "unni",
    "inni", "ins", "inn", "inu", "ina", "num", "nar", "nir", "ið", "ar", "ir", "ur", "um", "an",
    "ri", "ra", "na", "in", "a", "i", "u", "s",
)
# fmt: on


def _prefix_stem(word: str) -> str:
    """Icelandic has no stemmer here and inflects names heavily (Bandaríkin, Bandaríkjunum,
    Bandaríkjanna): the first six letters are the key, a classic fallback for such languages.
    A name of six letters or fewer loses its case ending first, or its genitive would be
    another key (Pútín, Pútíns; Íran, Írans)."""
    if len(word) <= 6:
        return _strip_icelandic_ending(word)
    return word[:6]


def _suffix_stripped(strip: Callable[[str], str]) -> KeyFunction:
    @lru_cache(maxsize=_CACHE_SIZE)
    def key(word: str) -> str:
        return strip(fold(word))

    return key


def _strip_suffix(suffixes: tuple[str, ...], keep: int) -> Callable[[str], str]:
    ordered = sorted(suffixes, key=len, reverse=True)

    def strip(word: str) -> str:
        for suffix in ordered:
            if word.endswith(suffix) and len(word) - len(suffix) >= keep:
                return word[: -len(suffix)]
        return word

    return strip


_strip_icelandic_ending = _strip_suffix(_ICELANDIC_ENDINGS, keep=4)


def _snowball(algorithm: str, cut_apostrophe: bool) -> KeyFunction:
    stemmer = snowballstemmer.stemmer(algorithm)
    german = algorithm == "german"
    portuguese = algorithm == "portuguese"

    @lru_cache(maxsize=_CACHE_SIZE)
    def key(word: str) -> str:
        if german and _german_genitive(word):
            word = word[:-1]  # Chinas, Südafrikas, Mexikos: Snowball keeps -s after a vowel
        if portuguese:
            word = _portuguese_singular(word)
        folded = fold(word)
        if cut_apostrophe and "'" in folded:  # Turkish suffixes follow an apostrophe: Rusya'ya
            folded = folded.split("'", 1)[0]
        stem = str(stemmer.stemWord(folded))
        return stem if len(stem) >= 3 else folded  # Hungarian albán -> "al" would match alá

    return key


def _portuguese_singular(word: str) -> str:
    """-ão nouns make their plural in -ões or -ães (eleição, eleições; alemão, alemães), and
    Snowball, which reads the folded word, leaves eleica and eleico apart: one key for both."""
    lower = word.lower()
    for plural in ("ões", "ães"):
        if lower.endswith(plural) and len(lower) > len(plural) + 1:
            return word[: -len(plural)] + "ão"
    return word


def _english_plural(word: str) -> str:
    """English needs only plurals of demonyms (Americans, Britons, Israelis): Snowball's English
    stemmer also cuts names (Frances -> "franc", the key of France)."""
    if len(word) > 4 and word.endswith("s") and word[-2] in "ni" and not word.endswith("ss"):
        return word[:-1]
    return word


def _prefixed(prefixes: tuple[str, ...]) -> KeyFunction:
    @lru_cache(maxsize=_CACHE_SIZE)
    def key(word: str) -> str:
        return _strip_prefixes(fold(word), prefixes)

    return key


def _folded() -> KeyFunction:
    return lru_cache(maxsize=_CACHE_SIZE)(fold)


def word_key_function(lang: str) -> KeyFunction:
    """Keys for common words (topic lexicons): full Snowball stemming in English too, where
    names are not at stake (elections, elected -> elect). Icelandic words are cut at their
    inflectional ending rather than at six letters: its compounds share their first part
    (viðskiptavinir, customers; viðskiptajöfnuður, balance of trade), names seldom do.

    Languages with no Snowball stemmer here (LEMMA_FIRST) have their words brought to their
    dictionary lemma (simplemma) before the light ending cut: the cut cannot join forms that
    change inside the word (Icelandic olía, olíu; Czech válka, válce), and Hindi has no
    stemmer at all. Not Polish, whose dictionary would take 400 MB in every worker. Snowball
    languages keep their stems, Russian and Ukrainian pymorphy3's lemmas; Arabic keeps its
    prefix cut, as its dictionary merges plurals of another sense (عقوبات, sanctions, with
    عقوبة, a penalty)."""
    if lang == "en":
        stem = _snowball("english", cut_apostrophe=True)
    elif lang == "is":
        stem = _suffix_stripped(_strip_icelandic_ending)
    else:
        stem = key_function(lang)
    if lang not in LEMMA_FIRST or lang not in _dictionary_languages():
        return stem
    return _lemma_first(lang, stem)


@lru_cache(maxsize=1)
def _dictionary_languages() -> frozenset[str]:
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    return frozenset(SUPPORTED_LANGUAGES)


def _lemma_first(lang: str, stem: KeyFunction) -> KeyFunction:
    """The stem of the word's dictionary lemma (the word itself where the dictionary lacks it).
    The dictionary is loaded here, when a lexicon is built, not on an article's first word."""
    from simplemma import Lemmatizer

    lemmatizer = Lemmatizer()
    lemmatizer.lemmatize("a", lang)

    @lru_cache(maxsize=_CACHE_SIZE)
    def key(word: str) -> str:
        return stem(str(lemmatizer.lemmatize(word, lang)))

    return key


def key_function(lang: str) -> KeyFunction:
    """Build the word -> key function for ``lang`` (expensive for Russian: call once)."""
    if lang in ("ru", "uk"):
        return _pymorphy(lang)
    if lang == "en":
        return _suffix_stripped(_english_plural)
    if lang in SLAVIC_LIGHT:
        return _suffix_stripped(slavic_stem)
    if lang == "bn":
        return _suffix_stripped(_strip_suffix(_BENGALI_SUFFIXES, keep=2))
    if lang == "is":
        return _suffix_stripped(_prefix_stem)
    if lang == "el":
        return _suffix_stripped(_strip_suffix(_GREEK_SUFFIXES, keep=3))
    if lang in _SNOWBALL:
        return _snowball(_SNOWBALL[lang], cut_apostrophe=lang == "tr")
    if lang in ("ar", "fa", "ur"):
        return _prefixed(_ARABIC_PREFIXES if lang == "ar" else ())
    if lang == "he":
        return _prefixed(_HEBREW_PREFIXES)
    return _folded()


def dictionary_knows(lang: str) -> Callable[[str], bool]:
    """Whether simplemma's dictionary holds a word form, as written or capitalised (German
    nouns): is a piece of a compound a word?"""
    from simplemma import is_known

    is_known("a", lang)  # loads the dictionary now, when a lexicon is built

    @lru_cache(maxsize=_CACHE_SIZE)
    def knows(word: str) -> bool:
        return bool(is_known(word, lang)) or bool(is_known(word.capitalize(), lang))

    return knows
