"""How the parts of a name join, without Pydantic (the display helpers use it too).

* a particle ending in an apostrophe or a hyphen joins what follows without a
  space ("d'" + "Alembert" -> "d'Alembert"), as citeproc-js joins it;
* a name in a CJK script (Han, kana, hangul) is written family then given,
  without a space ("毛" + "泽东" -> "毛泽东"), as CSL's processors write it.
"""

from __future__ import annotations

import re

__all__ = ["family_given", "is_cjk", "join_particle"]

_GLUED = ("'", "\u2019", "-")
#: the CJK scripts' letters, as a character class
_CJK_CLASS = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
#: compiled when first needed (a few milliseconds, which every ``list`` would pay)
_PATTERNS: list[re.Pattern[str]] = []


def _patterns() -> list[re.Pattern[str]]:
    """A CJK letter; a letter outside the CJK scripts."""
    if not _PATTERNS:
        _PATTERNS.append(re.compile(f"[{_CJK_CLASS}]"))
        _PATTERNS.append(re.compile(f"(?![{_CJK_CLASS}])[^\\W\\d_]"))
    return _PATTERNS


def is_cjk(text: str) -> bool:
    """True if every letter of ``text`` is in a CJK script (Han, kana, hangul)."""
    if text.isascii():
        return False
    cjk, other = _patterns()
    return cjk.search(text) is not None and other.search(text) is None


def join_particle(particle: str | None, rest: str | None) -> str:
    """ "van" + "Gogh" -> "van Gogh"; "d'" + "Alembert" -> "d'Alembert"."""
    if not particle:
        return rest or ""
    if not rest:
        return particle
    if particle.endswith(_GLUED):
        return particle + rest
    return f"{particle} {rest}"


def family_given(family: str, given: str | None) -> str:
    """A name written family first: "Mao Zedong"; "毛泽东" (CJK: no space)."""
    if not given:
        return family
    sep = "" if is_cjk(family) and is_cjk(given) else " "
    return family + sep + given
