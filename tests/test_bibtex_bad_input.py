"""Bad input in a .bib file: each is a warning naming the file, line and field,
and the entry is kept. And on TeX Live's own files, the counts add up: every
entry is imported or reported."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from citeshelf.cli.main import cli
from citeshelf.formats.bibtex import load_bibtex

ENTRY = (
    "@article{{k,\n  author = {{Smith, John}},\n  title = {{T}},\n  journal = {{J}},\n{extra}}}\n"
)


def _read(tmp_path: Path, text: str):
    path = tmp_path / "bad.bib"
    path.write_text(text, encoding="utf-8")
    parsed = load_bibtex(path)
    return path, parsed, [str(w) for w in parsed.warnings]


def test_a_macro_with_unbalanced_braces_is_warned_and_the_entry_kept(tmp_path):
    path, parsed, warnings = _read(
        tmp_path, '@article{k,\n  author = {Smith, John},\n  title = "A \\emph{bold title",\n}\n'
    )
    assert [r.key for r in parsed.records] == ["k"] and parsed.invalid == []
    assert warnings == [
        f"{path}:1: entry 'k': field 'title': unbalanced braces; read as far as they go"
    ]
    assert "bold title" in parsed.records[0].title


def test_an_unknown_entry_type_is_read_as_misc_with_a_warning(tmp_path):
    path, parsed, warnings = _read(tmp_path, "\n@weirdtype{k,\n  title = {T},\n  year = 2019,\n}\n")
    (record,) = parsed.records
    assert record.type == "misc" and record.extra["bibtex_type"] == "weirdtype"
    assert warnings == [
        f"{path}:2: entry 'k': unknown entry type '@weirdtype': read as misc, the type kept"
    ]


def test_a_known_biblatex_type_read_as_misc_is_not_warned(tmp_path):
    _, parsed, warnings = _read(
        tmp_path, "@unpublished{k, title = {T}}\n@software{s, title = {S}}\n"
    )
    assert len(parsed.records) == 2 and warnings == []


def test_a_name_list_with_a_trailing_and_keeps_its_names(tmp_path):
    path, parsed, warnings = _read(
        tmp_path, ENTRY.format(extra="").replace("Smith, John", "Smith, John and Doe, Jane and")
    )
    (record,) = parsed.records
    assert [p.family for p in record.authors] == ["Smith", "Doe"]
    assert warnings == [
        f"{path}:1: entry 'k': field 'author': the name list has an empty name (an 'and' at "
        "its start or end, or two in a row); it is left out"
    ]


def test_a_month_13_is_kept_as_a_literal_date(tmp_path):
    path, parsed, warnings = _read(tmp_path, ENTRY.format(extra="  date = {2019-13},\n"))
    (record,) = parsed.records
    assert record.issued is not None and "2019-13" in str(record.issued.model_dump())
    assert warnings == [
        f"{path}:1: entry 'k': field 'date': month 13 is out of range (1 to 12); kept as "
        "written, as a literal date"
    ]


def test_an_annotation_for_a_name_that_does_not_exist_is_kept_in_extra(tmp_path):
    path, parsed, warnings = _read(
        tmp_path, ENTRY.format(extra="  author+an = {3=corresponding},\n")
    )
    (record,) = parsed.records
    assert record.extra["author+an"] == "3=corresponding"
    assert warnings == [
        f"{path}:1: entry 'k': field 'author+an': an annotation for name 3, but 'author' has "
        "1 name; the field is kept as written"
    ]


# the counts add up ---------------------------------------------------------


def _kpsewhich(name: str) -> str:
    if shutil.which("kpsewhich") is None:
        return ""
    return subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()


def _bibtex_entries(text: str) -> int:
    kinds = re.findall(r"@\s*(\w+)\s*[{(]", text)
    return sum(k.lower() not in ("string", "preamble", "comment") for k in kinds)


@pytest.mark.parametrize(("name", "entries"), [("xampl.bib", 36), ("biblatex-examples.bib", 92)])
def test_every_entry_of_tex_lives_files_is_imported_or_reported(tmp_path, name, entries):
    path = _kpsewhich(name)
    if not path:
        pytest.skip(f"{name} not installed (Debian package texlive-bibtex-extra)")
    assert _bibtex_entries(Path(path).read_text(encoding="utf-8")) == entries
    lib = str(tmp_path / "records")
    runner = CliRunner()
    assert runner.invoke(cli, ["init", lib]).exit_code == 0
    result = runner.invoke(cli, ["-L", lib, "import", path, "--skip-invalid", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    reported = len(data["duplicates"]) + len(data["invalid"])
    assert len(data["imported"]) + reported == entries
    assert reported == 0  # every entry of these two files is a work of its own
    assert len(list((tmp_path / "records").glob("*.json"))) == entries
