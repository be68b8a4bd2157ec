"""Which languages newsmon matches, and how each one is cut into tokens."""

from __future__ import annotations

# Languages whose text is split into words by spaCy's rule-based blank tokenizer.
WORD_LANGUAGES = frozenset(
    [
        "en",
        "hi",
        "ru",
        "de",
        "fr",
        "es",
        "it",
        "pt",
        "ar",
        "fa",
        "ur",
        "tr",
        "uk",
        "pl",
        "nl",
        "sv",
        "bn",
        "el",
        "he",
        "id",
        "ta",
        "te",
        "mr",
        "cs",
        "ro",
        "hu",
        "fi",
        "da",
        "nb",
        "sr",
        "bg",
        "hr",
        "sk",
        "sl",
        "lt",
        "lv",
        "et",
        "ca",
        "ms",
        "tl",
        "vi",
        "is",
    ]
)
# Languages written without spaces between words: matched character by character. spaCy's
# Japanese, Korean and Thai tokenizers need packages that download dictionaries, so they share
# the character tokenizer of Chinese, which is exact for names written in those scripts.
CHARACTER_LANGUAGES = frozenset({"zh", "ja", "ko", "th"})
# Of those, the ones that write spaces between words: a match must not straddle one.
SPACED_CHARACTER_LANGUAGES = frozenset({"ko"})
SUPPORTED = WORD_LANGUAGES | CHARACTER_LANGUAGES
FALLBACK = "xx"  # spaCy's multi-language tokenizer, for anything else

# Babel locales consulted for each language's country names (zh: both scripts).
BABEL_LOCALES = {lang: (lang,) for lang in SUPPORTED} | {
    "zh": ("zh", "zh_Hant"),
    "sr": ("sr", "sr_Latn"),
}


def tokenizer_language(lang: str) -> str:
    """The spaCy language whose tokenizer serves ``lang``."""
    if lang in CHARACTER_LANGUAGES:
        return "zh"
    if lang == "vi":  # spaCy's Vietnamese tokenizer leaves punctuation on words without pyvi
        return FALLBACK
    return lang if lang in WORD_LANGUAGES else FALLBACK


def base_language(code: str | None) -> str | None:
    """``zh-Hant`` -> ``zh``, ``pt_BR`` -> ``pt``, ``no`` -> ``nb``; ``None`` stays ``None``."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return "nb" if base == "no" else base
