"""Thesis degrees: a closed vocabulary and each style's and format's wording.

A thesis's ``degree`` holds one of the names of :data:`DEGREES` ("phd",
"masters", "ma", "ms", "bachelors") when it is one of these, and any other
text as it was given ("Habilitation", "PhD thesis"), which styles print as
written. :func:`degree_name` turns what people and files write ("PhD",
"Ph.D.", "doctoral", "Master's", "mathesis", "MA thesis" ...) into the name.

The styles read ``apa`` and ``chicago``; the formats read ``bibtex`` (the
classic entry type), ``bibtex_type`` (its ``type`` field, when the entry
type does not say it all), ``biblatex`` (the ``type`` field of ``@thesis``)
and ``label`` (CSL-JSON ``genre``, RIS ``M3``). Reading a file back, each of
these gives the same name again.

This module imports nothing (not even Pydantic).
"""

from __future__ import annotations

import re

__all__ = ["DEGREES", "Degree", "degree_help", "degree_label", "degree_name"]


class Degree:
    """One degree of the vocabulary and how each style and format words it."""

    __slots__ = ("name", "apa", "chicago", "bibtex", "bibtex_type", "biblatex", "label", "aliases")

    def __init__(
        self,
        name: str,
        *,
        apa: str,
        chicago: str,
        bibtex: str,
        bibtex_type: str | None,
        biblatex: str,
        label: str,
        aliases: tuple[str, ...],
    ) -> None:
        self.name = name
        self.apa = apa
        self.chicago = chicago
        self.bibtex = bibtex
        self.bibtex_type = bibtex_type
        self.biblatex = biblatex
        self.label = label
        self.aliases = aliases


DEGREES: dict[str, Degree] = {
    d.name: d
    for d in (
        Degree(
            "phd",
            apa="Doctoral dissertation",
            chicago="PhD diss.",
            bibtex="phdthesis",
            bibtex_type=None,
            biblatex="phdthesis",
            label="PhD dissertation",
            aliases=(
                "phd",
                "dphil",
                "doctoral",
                "doctorate",
                "doctor of philosophy",
                "phdthesis",
                "phd dissertation",
                "phd diss",
            ),
        ),
        Degree(
            "masters",
            apa="Master's thesis",
            chicago="Master's thesis",
            bibtex="mastersthesis",
            bibtex_type=None,
            biblatex="mathesis",
            label="Master's thesis",
            aliases=("masters", "master", "mathesis", "mastersthesis", "masters thesis"),
        ),
        Degree(
            "ma",
            apa="Master's thesis",
            chicago="MA thesis",
            bibtex="mastersthesis",
            bibtex_type="MA thesis",
            biblatex="MA thesis",
            label="MA thesis",
            aliases=("ma", "master of arts", "ma thesis"),
        ),
        Degree(
            "ms",
            apa="Master's thesis",
            chicago="MS thesis",
            bibtex="mastersthesis",
            bibtex_type="MS thesis",
            biblatex="MS thesis",
            label="MS thesis",
            aliases=("ms", "msc", "master of science", "ms thesis", "msc thesis"),
        ),
        Degree(
            "bachelors",
            apa="Bachelor's thesis",
            chicago="BA thesis",
            bibtex="mastersthesis",
            bibtex_type="Bachelor's thesis",
            biblatex="Bachelor's thesis",
            label="Bachelor's thesis",
            aliases=("bachelors", "bachelor", "ba", "bsc", "bachelors thesis", "ba thesis"),
        ),
    )
}


def _folded(text: str) -> str:
    """ "Ph.D." -> "phd", "Master’s  thesis" -> "masters thesis"."""
    text = re.sub(r"[.'’]", "", text.lower())
    return " ".join(text.split())


_BY_ALIAS: dict[str, str] = {
    _folded(alias): d.name for d in DEGREES.values() for alias in (d.name, *d.aliases)
}


def degree_name(text: str) -> str | None:
    """The vocabulary's name for ``text`` ("PhD" -> "phd"), else None."""
    return _BY_ALIAS.get(_folded(text))


def degree_label(degree: str) -> str:
    """The words files carry for ``degree`` (CSL-JSON ``genre``, RIS ``M3``):
    "phd" -> "PhD dissertation"; other text as it is."""
    known = DEGREES.get(degree)
    return known.label if known else degree


def degree_help() -> str:
    """ "phd, masters, ma, ms, bachelors": the names, for help texts."""
    return ", ".join(DEGREES)
