"""Title Case -> sentence case, keeping what must stay capitalised.

Crossref (and publishers generally) often give titles in Title Case
("Collective Security Treaty Organization and the Politics of Eurasia");
citeshelf stores titles in sentence case. :func:`sentence_case` lower-cases
every word except:

* the first word, and the first word after a colon, question mark,
  exclamation mark or full stop;
* acronyms and words with a capital after the first letter or a digit
  ("NATO", "OSCE", "iPhone", "McDonald", "COVID-19");
* proper nouns it knows: continents, countries, peoples and languages,
  months and days (:data:`PROPER_NOUNS`), and any phrase in ``keep``
  (e.g. the title's protected phrases), which is matched as a whole.

A title that is not in Title Case (most of its longer words already lower
case) is returned unchanged: it was written in sentence case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["PROPER_NOUNS", "is_title_case", "sentence_case"]

# fmt: off
PROPER_NOUNS = frozenset(
    """
    Africa African Americas America American Antarctica Arctic Asia Asian Atlantic Australia
    Australian Eurasia Eurasian Europe European Pacific Mediterranean Balkan Balkans Baltic
    Caribbean Caucasus Scandinavia Scandinavian Siberia Arab Arabic Latin Nordic Sahara
    Afghanistan Albania Algeria Argentina Armenia Austria Azerbaijan Bangladesh Belarus Belgium
    Bolivia Bosnia Brazil Britain British Bulgaria Cambodia Cameroon Canada Canadian Chile China
    Chinese Colombia Croatia Cuba Cyprus Czech Denmark Danish Egypt Egyptian England English
    Estonia Ethiopia Finland Finnish France French Georgia Germany German Ghana Greece Greek
    Hungary Hungarian Iceland India Indian Indonesia Iran Iranian Iraq Ireland Irish Israel
    Israeli Italy Italian Japan Japanese Jordan Kazakhstan Kenya Korea Korean Kosovo Kyrgyzstan
    Latvia Lebanon Libya Lithuania Macedonia Malaysia Mexico Mexican Moldova Mongolia Montenegro
    Morocco Netherlands Dutch Nigeria Norway Norwegian Pakistan Palestine Peru Philippines Poland
    Polish Portugal Portuguese Romania Russia Russian Rwanda Scotland Scottish Serbia Slovakia
    Slovenia Somalia Spain Spanish Sudan Sweden Swedish Switzerland Swiss Syria Taiwan
    Tajikistan Tanzania Thailand Tunisia Turkey Turkish Turkmenistan Uganda Ukraine Ukrainian
    Uzbekistan Venezuela Vietnam Wales Welsh Yemen Yugoslavia Zimbabwe Soviet Ottoman Roman Rome
    Byzantine Christian Christianity Catholic Protestant Islam Islamic Muslim Jewish Judaism
    Buddhist Hindu God Marx Marxist Marxism Darwin Darwinian Newton Newtonian Einstein Bayes
    Bayesian Gaussian Euclidean Markov Fourier Boolean Lagrangian Hamiltonian Riemann
    Washington London Paris Berlin Moscow Beijing Tokyo Brussels Geneva Vienna Helsinki
    January February March April June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
# fmt: on

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_END = re.compile(r"[:?!.]\s*$|[—–]\s*$")


def is_title_case(text: str) -> bool:
    """True if most words of four letters or more start with a capital."""
    words = [w for w in _WORD.findall(text) if len(w) >= 4 and w.isalpha()]
    if len(words) < 2:
        return False
    capital = sum(1 for w in words if w[0].isupper())
    return capital >= 0.8 * len(words)


def _keep(word: str) -> bool:
    if any(c.isdigit() for c in word):
        return True
    if word.isupper() and (len(word) > 1 or word != "A"):
        return True  # an acronym, a letter ("vitamin D")
    if any(c.isupper() for c in word[1:]):
        return True  # McDonald, iPhone
    return word in PROPER_NOUNS or word.rstrip("s’'") in PROPER_NOUNS


def _kept_spans(text: str, keep: Iterable[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for phrase in sorted({p for p in keep if p}, key=len, reverse=True):
        for m in re.finditer(re.escape(phrase), text):
            if not any(a < m.end() and m.start() < b for a, b in spans):
                spans.append((m.start(), m.end()))
    return spans


def sentence_case(text: str, keep: Iterable[str] = ()) -> str:
    """``text`` in sentence case (see the module docstring)."""
    if not text or not is_title_case(text):
        return text
    spans = _kept_spans(text, keep)
    out: list[str] = []
    pos = 0
    start_of_sentence = True
    for m in _WORD.finditer(text):
        a, b = m.span()
        between = text[pos:a]
        out.append(between)
        if pos and _SENTENCE_END.search(text[:a]):
            start_of_sentence = True
        word = m.group(0)
        inside = any(s <= a and b <= e for s, e in spans)
        if start_of_sentence or inside or _keep(word):
            out.append(word)
        else:
            out.append(word.lower())
        start_of_sentence = False
        pos = b
    out.append(text[pos:])
    return "".join(out)
