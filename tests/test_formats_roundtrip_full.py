"""Round trips over the whole model: a record of any type, with any field and
every kind of name, date and rich text, survives record -> CSL-JSON -> record
unchanged, and record -> RIS -> record for what RIS can hold."""

from __future__ import annotations

import typing

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeshelf.formats import ris
from citeshelf.formats.csljson import record_from_csl, record_to_csl
from citeshelf.formats.ris import parse_ris, write_ris
from citeshelf.model import WORK_TYPES, parse_record
from citeshelf.model.record import NAME_LISTS
from citeshelf.model.types import TYPE_NAMES

from .test_formats_roundtrip import cap_word, isbns, keywordish, pages, rich, text

#: every kind of name: particles of both kinds, suffix, organisation, a name
#: written family first, a name in a CJK script, an annotation, a mononym
name = st.one_of(
    st.builds(
        lambda fam, giv, part, drop, suf, ann: {
            k: v
            for k, v in {
                "family": fam,
                "given": giv,
                "particle": part,
                "dropping_particle": drop,
                "suffix": suf,
                "annotation": ann,
            }.items()
            if v
        },
        cap_word,
        st.one_of(st.none(), cap_word, st.just("J. R.")),
        st.one_of(st.none(), st.sampled_from(["van", "de la", "d’"])),
        st.one_of(st.none(), st.sampled_from(["von", "de"])),
        st.one_of(st.none(), st.sampled_from(["Jr.", "III"])),
        st.one_of(st.none(), st.just("corresponding")),
    ),
    st.builds(
        lambda fam, giv: {"family": fam, "given": giv, "static_ordering": True}, cap_word, cap_word
    ),
    st.sampled_from([{"family": "毛", "given": "泽东"}, {"literal": "Plato"}]),
    st.builds(lambda t: {"literal": t}, text.filter(lambda t: t.strip().lower() != "others")),
)
names = st.lists(name, min_size=1, max_size=3)
year = st.integers(1000, 2099).map(str)
point = st.one_of(
    year,
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()[:7]),
)
#: every kind of date: a day, month or year, a season, approximate and
#: uncertain, ranges (closed and open), and a date that is only text
edtf = st.one_of(
    point,
    st.builds(lambda y, s: f"{y}-{s}", year, st.integers(21, 24)),
    st.builds(lambda p, q: p + q, point, st.sampled_from(["~", "?", "%"])),
    st.tuples(st.integers(1000, 2000), st.integers(1, 50)).map(lambda t: f"{t[0]}/{t[0] + t[1]}"),
    # a range within one month (its first day before the 28th: an end before its start is refused)
    st.dates().filter(lambda d: d.day < 28).map(lambda d: f"{d.isoformat()}/{d.isoformat()[:8]}28"),
    year.map(lambda y: f"{y}/.."),
    st.just({"literal": "1947(民国三十六年)"}),
)

#: values for the fields no annotation says enough about
SPECIAL = {
    "pages": pages,
    "isbn": isbns,
    "keywords": keywordish,
    "tags": keywordish,
    "doi": st.from_regex(r"10\.[0-9]{4,6}/[a-z0-9.()_-]{1,12}", fullmatch=True),
    "url": st.from_regex(r"https://example\.org/[a-z0-9_%~/-]{0,12}", fullmatch=True),
    "issn": st.sampled_from(["0378-5955", "2049-3630"]),
    "status": st.sampled_from(["in press", "forthcoming", "submitted"]),
    "language": st.sampled_from(["en", "de-DE", "fr-CA"]),
    "pmid": st.from_regex(r"[1-9][0-9]{3,7}", fullmatch=True),
    "pmcid": st.from_regex(r"PMC[1-9][0-9]{3,6}", fullmatch=True),
    "degree": st.sampled_from(["phd", "masters", "Habilitation"]),
    "parent": st.sampled_from(["sperling2014handbook", "b-1"]),
}
#: not written by an import: bookkeeping, and what has tests of its own
SKIP = {"type", "key", "extra", "added", "modified", "related", "authors_et_al", "editors_et_al"}


def _strategy(field: str, annotation: object) -> st.SearchStrategy | None:
    if field in SPECIAL:
        return SPECIAL[field]
    if field in NAME_LISTS:
        return names
    args = typing.get_args(annotation)
    shown = str(annotation)
    if "Date" in shown:
        return edtf
    if annotation is str or str in args:
        return rich
    return None


@st.composite
def full_records(draw, types=tuple(TYPE_NAMES)):
    rtype = draw(st.sampled_from(sorted(types)))
    data: dict = {"type": rtype, "key": draw(st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True))}
    fields = {
        f: info.annotation
        for f, info in WORK_TYPES[rtype].model_fields.items()
        if f not in SKIP and (rtype == "chapter" or f != "parent")
    }
    chosen = draw(st.sets(st.sampled_from(sorted(fields)), max_size=12))
    for f in sorted(chosen | {"title"}):
        strategy = _strategy(f, fields[f])
        if strategy is not None:
            data[f] = draw(strategy)
    if rtype == "chapter":
        data.setdefault("parent", "b-1")
    return parse_record(data)


SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(full_records())
def test_any_record_survives_csl_json(record):
    item = record_to_csl(record)
    assert record_from_csl(item) == record, item


RIS_TYPES = ("article", "book", "chapter", "report", "thesis", "paper", "webpage", "misc")
ris_dates = st.one_of(
    st.integers(1000, 2099).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()[:7]),
)
ris_names = st.lists(
    st.builds(lambda f, g: {"family": f, "given": g}, cap_word, cap_word), min_size=1, max_size=3
)
plain = text.filter(lambda t: "<" not in t and "&" not in t)


def ris_held(rtype: str) -> list[str]:
    """The record fields RIS's field table (:data:`citeshelf.formats.ris.FIELDS`)
    has a tag for in a record of ``rtype``: SN is a book's or chapter's ISBN
    and the ISSN of the rest; PB is a report's or thesis's institution."""
    held = {row.record for row in ris.FIELDS if rtype in row.types and row.kind != "extra"}
    held.add("isbn" if rtype in ("book", "chapter") else "issn")
    if rtype in ("book", "chapter"):
        held.discard("issn")
    if rtype in ("report", "thesis"):
        held.discard("publisher")
        held.add("institution")
    return sorted(held)


@st.composite
def ris_records(draw):
    rtype = draw(st.sampled_from(RIS_TYPES))
    data: dict = {"type": rtype, "key": draw(st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True))}
    data["title"] = draw(plain)
    for f in draw(st.sets(st.sampled_from(ris_held(rtype)), max_size=12)):
        if f in NAME_LISTS:
            data[f] = draw(ris_names)
        elif f in ("issued", "accessed"):
            data[f] = draw(ris_dates)
        elif f in SPECIAL:
            data[f] = draw(SPECIAL[f])
        else:
            data[f] = draw(plain)
    if rtype == "chapter":
        data.setdefault("container_title", draw(plain))
    return parse_record(data)


@SETTINGS
@given(ris_records())
def test_what_ris_can_hold_survives_ris(record):
    text = write_ris([record])
    parsed = parse_ris(text)
    assert not parsed.invalid, text
    [back] = [e.record for e in parsed.entries]
    expected = record.model_copy(
        update={"keywords": list(dict.fromkeys(record.keywords + record.tags)), "tags": []}
    )
    assert back == expected, text
