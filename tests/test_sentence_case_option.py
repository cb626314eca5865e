"""APA's titles in sentence case (APA 6.17): a title stored in Title Case
prints as stored with a warning naming it, or in sentence case with
--sentence-case; the record files are never changed by printing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citeshelf import exitcodes

from .conftest import snapshot

WARNING = (
    "citeshelf: warning: titles that look like Title Case print as stored: {keys} (APA wants "
    "sentence case, 6.17: --sentence-case prints them so, 'citeshelf check --fix' stores "
    "them so)\n"
)


@pytest.fixture
def lib(empty_lib: Path) -> Path:
    records = [
        # imported from a .bib: its braced phrases are known (extra.protect)
        {"type": "book", "key": "doe2020alliance", "title": "Alliance Politics and NATO Today",
         "authors": [{"family": "Doe", "given": "Jane"}], "issued": "2020",
         "publisher": "Polity", "extra": {"protect": {"title": ["NATO"]}}},
        {"type": "book", "key": "poe2021balance", "title": "The Balance Of Power In Asia",
         "authors": [{"family": "Poe", "given": "Ann"}], "issued": "2021",
         "publisher": "Polity"},
        {"type": "book", "key": "roe2019small", "title": "Small states and NATO",
         "authors": [{"family": "Roe", "given": "Rick"}], "issued": "2019",
         "publisher": "Polity"},
        {"type": "book", "key": "durand2018securite", "title": "La Sécurité Collective",
         "language": "fr", "authors": [{"family": "Durand", "given": "Marc"}],
         "issued": "2018", "publisher": "PUF"},
    ]  # fmt: skip
    for data in records:
        (empty_lib / f"{data['key']}.json").write_text(json.dumps(data), encoding="utf-8")
    return empty_lib


def test_a_title_case_title_prints_as_stored_with_one_warning(cs, lib: Path) -> None:
    before = snapshot(lib)
    r = cs(lib, "bibliography")
    assert r.exit_code == 0
    assert r.stdout == (
        "Doe, J. (2020). Alliance Politics and NATO Today. Polity.\n"
        "Durand, M. (2018). La Sécurité Collective. PUF.\n"
        "Poe, A. (2021). The Balance Of Power In Asia. Polity.\n"
        "Roe, R. (2019). Small states and NATO. Polity.\n"
    )
    # a French title keeps its capitals and is not named (APA's rule is English's)
    assert r.stderr == WARNING.format(keys="doe2020alliance, poe2021balance")
    r = cs(lib, "cite", "doe2020alliance", "--form", "reference")
    assert r.stderr == WARNING.format(keys="doe2020alliance")
    # an in-text citation of a work gives no title here: no warning
    assert cs(lib, "cite", "doe2020alliance").stderr == ""
    assert snapshot(lib) == before


def test_sentence_case_prints_it_in_sentence_case_and_changes_no_file(cs, lib: Path) -> None:
    before = snapshot(lib)
    for _ in range(2):  # the second from the list kept beside the index
        r = cs(lib, "bibliography", "--sentence-case")
        assert (r.exit_code, r.stderr) == (0, "")
        assert (
            r.stdout.splitlines()[0] == "Doe, J. (2020). Alliance politics and NATO today. Polity."
        )
        assert r.stdout.splitlines()[2] == "Poe, A. (2021). The balance of power in Asia. Polity."
    r = cs(lib, "cite", "doe2020alliance", "--form", "reference", "--sentence-case")
    assert r.stdout == "Doe, J. (2020). Alliance politics and NATO today. Polity.\n"
    # and without the option, the stored capitals again
    r = cs(lib, "bibliography", "doe2020alliance")
    assert r.stdout == "Doe, J. (2020). Alliance Politics and NATO Today. Polity.\n"
    assert snapshot(lib) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bibliography", "-s", "chicago-notes", "--sentence-case"],
         "--sentence-case is for APA: Chicago prints titles in headline style"),
        (["cite", "doe2020alliance", "-s", "chicago-author-date", "--sentence-case"],
         "--sentence-case is for APA: Chicago prints titles in headline style"),
        (["cite", "doe2020alliance", "--csl", "x.csl", "--sentence-case"],
         "--sentence-case is for the built-in styles, not --csl"),
    ],
)  # fmt: skip
def test_sentence_case_elsewhere_is_a_usage_error(cs, lib: Path, args, message) -> None:
    r = cs(lib, *args)
    assert r.exit_code == exitcodes.USAGE
    assert r.stdout == ""
    assert r.stderr == f"citeshelf: error: {message}\n"
