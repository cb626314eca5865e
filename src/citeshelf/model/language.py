"""What a record's ``language`` field says: the one rule for "is it English?".

Title case (styles, ``check``'s Title Case finding, ``export --title-case``)
applies to English titles only. Imports nothing heavy.
"""

from __future__ import annotations

__all__ = ["is_english"]

_ENGLISH_NAMES = frozenset({"english", "american", "british"})
_ENGLISH_CODES = frozenset({"en", "eng"})


def is_english(language: str | None) -> bool:
    """ "en", "en-GB", "eng", "English", "british" ... and a record without a
    language (counted as English, as CSL styles do) -> True."""
    if not language:
        return True
    lang = language.strip().lower()
    return lang in _ENGLISH_NAMES or lang.replace("_", "-").split("-")[0] in _ENGLISH_CODES
