"""Script-aware folding so that spelling variants of one name compare equal.

Applied identically to knowledge-base aliases and to article tokens, so anything folded here can
never cause a mismatch, only merge variants: Devanagari nukta and virama (अफ़्ग़ानिस्तान = अफगानिस्तान),
Latin and Greek accents (Türkiye = Turkiye, Ρωσία = Ρωσια), Cyrillic ё, Arabic vowel marks and
alef forms.
"""

from __future__ import annotations

import unicodedata

# Nukta (Devanagari, Bengali, Gurmukhi, Gujarati, Oriya) and the Devanagari virama: Hindi writes
# अफ़्ग़ानिस्तान and अफगानिस्तान for one name, differing in both marks.
_NUKTAS = {"\u093c", "\u09bc", "\u0a3c", "\u0abc", "\u0b3c", "\u094d"}
_ARABIC_MARKS = {chr(c) for c in range(0x064B, 0x0653)} | {"\u0670", "\u0640"}  # harakat, tatweel
_ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ي": "ي", "ك": "ك"}
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def _is_latin(ch: str) -> bool:
    """Latin or Greek: scripts whose accents never distinguish one name from another."""
    return (
        ch.isascii()
        or "\u00c0" <= ch <= "\u024f"
        or "\u1e00" <= ch <= "\u1eff"
        or "\u0370" <= ch <= "\u03ff"
    )


# Hindi writes a nasal before a consonant either as anusvara or as the nasal consonant itself
# (मोज़ांबिक / मोजाम्बिक, इंडिया / इण्डिया): the anusvara becomes the nasal of the next consonant's
# class, and with the virama folded away both spellings meet. Candrabindu is dropped.
_NASAL_BY_CLASS = (("कखगघ", "ङ"), ("चछजझ", "ञ"), ("टठडढ", "ण"), ("तथदध", "न"), ("पफबभम", "म"))
_HOMORGANIC = {consonant: nasal for group, nasal in _NASAL_BY_CLASS for consonant in group}


def _fold_anusvara(text: str) -> str:
    if "\u0902" not in text and "\u0901" not in text:
        return text
    out = []
    for index, ch in enumerate(text):
        if ch == "\u0901":
            continue
        if ch == "\u0902":
            following = text[index + 1 : index + 2]
            out.append(_HOMORGANIC.get(following, "\u0902"))
            continue
        out.append(ch)
    return "".join(out)


def fold(text: str) -> str:
    """Return the comparison form of ``text``: NFC, case-folded, variant marks removed."""
    decomposed = unicodedata.normalize("NFD", text.casefold().translate(_APOSTROPHES))
    kept: list[str] = []
    base_is_latin = False
    for ch in decomposed:
        if unicodedata.combining(ch):
            if ch in _NUKTAS or ch in _ARABIC_MARKS or base_is_latin:
                continue
            if ch == "\u0308" and kept and kept[-1] == "е":  # Cyrillic ё -> е
                continue
        else:
            base_is_latin = _is_latin(ch)
            if ch in _ARABIC_MARKS:
                continue
        kept.append(ch)
    return _fold_anusvara(unicodedata.normalize("NFC", "".join(kept))).translate(_ARABIC_LETTERS)
