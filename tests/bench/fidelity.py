"""Source-level fidelity benchmark: what biber and pandoc see before and after citeshelf.

For each of TeX Live's .bib files below, import it into a new library
(``--skip-invalid``, so every entry is either imported or reported) and:

* **BibLaTeX**: export it as BibLaTeX and compare ``biber --tool
  --output-resolve`` of the original with that of the export, field by field
  (``tests/biber_fidelity.py``: its normalisations apply);
* **CSL-JSON**: convert the original with pandoc (``pandoc FILE -t csljson``),
  import that into another new library, export CSL-JSON and compare item by
  item, variable by variable (:data:`CSL_NORMALISATIONS` apply; an empty
  variable, ``""`` or ``[]``, carries nothing and is not counted).

Run by hand (a minute or two): ``python tests/bench/fidelity.py [-v] [--csl] [NAME.bib...]``;
``-v`` lists every difference, ``--csl`` runs the CSL-JSON half alone (no
biber; the BibLaTeX columns are left empty). A file that is not installed is
shown as absent.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from citeshelf.formats.csljson import DATE_VARIABLES, NAME_VARIABLES
from tests.biber_fidelity import biber_resolved, compare

FILES = (
    "xampl.bib",
    "biblatex-examples.bib",
    "tugboat.bib",
    "texbook3.bib",
    "typeset.bib",
    "biblatex-gost-examples.bib",
    "dates-test.bib",
)

CLI = [sys.executable, "-m", "citeshelf"]
_DOC = Path("/usr/share/doc/texlive-doc")


def locate(name: str, workdir: Path) -> Path | None:
    """``name`` from kpsewhich, else TeX Live's documentation tree (where
    biblatex-gost's and biblatex-chicago's example files sit, gzipped)."""
    if shutil.which("kpsewhich"):
        found = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
        if found:
            return Path(found)
    for root in (_DOC, Path("/usr/share/texlive"), Path("/usr/share/texmf")):
        if not root.is_dir():
            continue
        for candidate in sorted(root.rglob(name + "*")):
            if candidate.name == name:
                return candidate
            if candidate.name == name + ".gz":
                out = workdir / name
                out.write_bytes(gzip.decompress(candidate.read_bytes()))
                return out
    return None


def count_entries(text: str) -> int:
    """Entries of a .bib file: every ``@type{`` outside an entry, but not
    ``@string``, ``@preamble`` or ``@comment``, nor biblatex's ``@xdata``
    sets (no work: data merged into the entries that name them, as biber
    merges them; biblatex-gost-examples.bib has 4)."""
    n = 0
    for m in re.finditer(r"@\s*(\w+)\s*[{(]", text):
        if m.group(1).lower() not in ("string", "preamble", "comment", "xdata"):
            n += 1
    return n


@dataclass
class Import:
    imported: int = 0
    reported: list[str] = field(default_factory=list)
    warnings: int = 0


def import_file(path: Path, lib: Path, fmt: str) -> Import:
    subprocess.run([*CLI, "init", str(lib)], check=True, capture_output=True)
    run = subprocess.run(
        [*CLI, "-L", str(lib), "import", str(path), "--format", fmt, "--skip-invalid", "--json"],
        capture_output=True,
        text=True,
    )
    if not run.stdout.strip():
        raise SystemExit(f"{path}: import failed: {run.stderr.strip()}")
    data = json.loads(run.stdout)
    result = Import(imported=len(data["imported"]), warnings=len(data["warnings"]))
    for dup in data["duplicates"]:
        result.reported.append(f"duplicate: {json.dumps(dup, ensure_ascii=False)}")
    for bad in data["invalid"]:
        result.reported.append(f"invalid: {json.dumps(bad, ensure_ascii=False)}")
    return result


def export(lib: Path, fmt: str, out: Path) -> None:
    subprocess.run(
        [*CLI, "-L", str(lib), "export", "--format", fmt, "-o", str(out)],
        check=True,
        capture_output=True,
    )


@dataclass
class Row:
    name: str
    entries: int = 0
    imp: Import = field(default_factory=Import)
    fields: int = 0
    changed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    csl_items: int = 0
    csl_imp: Import = field(default_factory=Import)
    csl_fields: int = 0
    csl_changed: list[str] = field(default_factory=list)
    csl_lost: list[str] = field(default_factory=list)
    csl_added: list[str] = field(default_factory=list)
    csl_failed: str = ""  # pandoc's message when it cannot read the file
    absent: bool = False


def biblatex_row(row: Row, path: Path, work: Path) -> None:
    row.entries = count_entries(path.read_text(encoding="utf-8", errors="replace"))
    lib = work / "bib-records"
    row.imp = import_file(path, lib, "bibtex")
    exported = work / "exported.bib"
    export(lib, "biblatex", exported)
    original = biber_resolved(path, work)
    again = biber_resolved(exported, work)
    result = compare(original, again, path.read_text(encoding="utf-8", errors="replace"))
    row.fields = result.fields
    row.changed = [f"{k}.{f}: {a!r} -> {b!r}" for k, f, a, b in result.changed]
    row.lost = [f"{k}.{f}: {v!r}" for k, f, v in result.lost]
    row.lost += [f"{k}: whole entry" for k in result.entries_lost]
    row.added = [f"{k}.{f}: {v!r}" for k, f, v in result.added]


def _csl_value(value: object) -> object:
    """A CSL-JSON value compared as text would be, not as written: pandoc
    writes numbers as strings or numbers indifferently."""
    if isinstance(value, int | float):
        return str(value)
    return value


_DASHES = re.compile(r"\s*[-\u2010-\u2015]+\s*")
_SEASON_MONTHS = {**{13 + i: i + 1 for i in range(4)}, **{21 + i: i + 1 for i in range(4)}}


def _names_ws(people: object) -> object:
    if not isinstance(people, list):
        return people
    return [
        {k: re.sub(r"\s+", " ", v).strip() if isinstance(v, str) else v for k, v in p.items()}
        if isinstance(p, dict)
        else p
        for p in people
    ]


def _full_range(text: str) -> str:
    """A page range with both ends in full and a hyphen: 141–61 -> 141-161."""
    ends = _DASHES.split(text)
    if len(ends) != 2 or not all(e.isdigit() for e in ends):
        return text
    first, last = ends
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return f"{first}-{last}"


def _season_date(value: object) -> object:
    """CSL's date-parts with a season as the month (citeproc-js's 13-16, EDTF's
    21-24) as CSL's ``season``."""
    if not isinstance(value, dict) or "season" in value:
        return value
    parts = value.get("date-parts")
    if isinstance(parts, list) and len(parts) == 1 and len(parts[0]) == 2:
        season = _SEASON_MONTHS.get(int(parts[0][1]))
        if season:
            return {**value, "date-parts": [parts[0][:1]], "season": season}
    return value


def _degree(text: object) -> object:
    from citeshelf.model.degrees import degree_name

    return (degree_name(text) or text) if isinstance(text, str) else text


#: What the CSL-JSON comparison does not count, each with its reason:
#: (variables it applies to, None for all; how a value is normalised; reason).
CSL_NORMALISATIONS: tuple[tuple[frozenset[str] | None, Callable[[object], object], str], ...] = (
    (
        None,
        lambda v: v.strip() if isinstance(v, str) else v,
        "white space at either end of a text: pandoc leaves the space beside a macro it "
        "cannot read (`{\\TeX} Election Notice` -> ' Election Notice'); a record's text "
        "fields hold no such space",
    ),
    (
        NAME_VARIABLES,
        _names_ws,
        "white space inside a name part: a run of spaces, a no-break or a thin space is "
        "one space (names are split on white space and joined by a space)",
    ),
    (
        frozenset(["page"]),
        lambda v: re.sub(r"^(.+)-\1$", r"\1", _full_range(v)) if isinstance(v, str) else v,
        "a page range is stored with both ends in full and written with CSL's hyphen "
        "(141-61 -> 141-161, 3—52 -> 3-52); a range whose ends are the same page (67-67) "
        "is that page",
    ),
    (
        frozenset(["DOI"]),
        lambda v: (
            re.sub(r"^https?://(dx\.)?doi\.org/", "", v, flags=re.I) if isinstance(v, str) else v
        ),
        "a DOI is stored and written without its resolver (https://doi.org/), "
        "as CSL's DOI variable is defined",
    ),
    (
        frozenset(["type"]),
        lambda v: v or "document",
        "an empty type (pandoc's, for an entry type it does not map) is written as CSL's "
        "document: CSL requires a type",
    ),
    (
        DATE_VARIABLES,
        _season_date,
        "a season given as a month (13-16, 21-24) is written as CSL's season",
    ),
    (
        frozenset(["genre"]),
        _degree,
        "a thesis's genre is its degree, stored as a name of the vocabulary "
        "(model/degrees.py) and written in its CSL wording: Master’s Thesis -> "
        "Master's thesis",
    ),
)


def csl_normalised(name: str, value: object) -> object:
    value = _csl_value(value)
    for names, normalise, _ in CSL_NORMALISATIONS:
        if names is None or name in names:
            value = normalise(value)
    return value


def _empty(value: object) -> bool:
    """An empty variable ('' or []), which carries nothing to keep."""
    return value in ("", [], {}, None)


#: What citeshelf itself keeps about a record (when it was added to the
#: library or last changed), carried in ``custom.citeshelf`` so that a CSL-JSON
#: round trip keeps it; it is no field of the source and is not counted as added.
BOOKKEEPING = frozenset(["added", "modified"])


def _bookkeeping_only(custom: object) -> bool:
    return (
        isinstance(custom, dict)
        and set(custom) == {"citeshelf"}
        and isinstance(custom["citeshelf"], dict)
        and set(custom["citeshelf"]) <= BOOKKEEPING
    )


def csl_row(row: Row, path: Path, work: Path) -> None:
    if shutil.which("pandoc") is None:
        return
    source = work / "pandoc.json"
    run = subprocess.run(
        ["pandoc", str(path), "-t", "csljson", "-o", str(source)], capture_output=True, text=True
    )
    if run.returncode != 0:
        row.csl_failed = " ".join(run.stderr.split())[:200]
        return
    items = json.loads(source.read_text(encoding="utf-8"))
    row.csl_items = len(items)
    lib = work / "csl-records"
    row.csl_imp = import_file(source, lib, "csl-json")
    out = work / "exported.json"
    export(lib, "csl-json", out)
    theirs = {item["id"]: item for item in json.loads(out.read_text(encoding="utf-8"))}
    for item in items:
        other = theirs.get(item["id"])
        if other is None:
            row.csl_lost.append(f"{item['id']}: whole item")
            continue
        for name, value in item.items():
            if _empty(value):
                continue  # not counted: nothing to keep
            row.csl_fields += 1
            if name not in other:
                row.csl_lost.append(f"{item['id']}.{name}: {value!r}")
            elif csl_normalised(name, other[name]) != csl_normalised(name, value):
                row.csl_changed.append(f"{item['id']}.{name}: {value!r} -> {other[name]!r}")
        row.csl_added += [
            f"{item['id']}.{n}: {v!r}"
            for n, v in other.items()
            if n not in item and not (n == "custom" and _bookkeeping_only(v))
        ]


def main(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        return 0
    unknown = [a for a in argv if a.startswith("-") and a not in ("-v", "--csl")]
    if unknown:
        print(f"fidelity.py: unknown option {unknown[0]} (see --help)", file=sys.stderr)
        return 2
    verbose = "-v" in argv
    csl_only = "--csl" in argv
    names = [a for a in argv if a not in ("-v", "--csl")] or list(FILES)
    if not csl_only and shutil.which("biber") is None:
        print("biber is not installed", file=sys.stderr)
        return 1
    rows: list[Row] = []
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            row = Row(name)
            rows.append(row)
            path = locate(name, work)
            if path is None:
                row.absent = True
                continue
            if not csl_only:
                biblatex_row(row, path, work)
            csl_row(row, path, work)
    head = (
        "| file | entries | imported | reported | fields | changed | lost | added "
        "| CSL items | refused | CSL fields | changed | lost | added |"
    )
    print(head)
    print("|" + " --- |" * head.count(" | ") + " --- |")
    for r in rows:
        if r.absent:
            print(f"| {r.name} | not installed |" + " |" * 12)
            continue
        csl = (
            "| pandoc cannot read it |" + " |" * 5
            if r.csl_failed
            else f"| {r.csl_items} | {r.csl_items - r.csl_imp.imported} | {r.csl_fields} "
            f"| {len(r.csl_changed)} | {len(r.csl_lost)} | {len(r.csl_added)} |"
        )
        print(
            f"| {r.name} | {r.entries} | {r.imp.imported} | {len(r.imp.reported)} | {r.fields} "
            f"| {len(r.changed)} | {len(r.lost)} | {len(r.added)} " + csl
        )
    status = 0
    for r in rows:
        if not r.absent and r.entries != r.imp.imported + len(r.imp.reported):
            # every entry is imported or reported with its reason
            print(
                f"{r.name}: the counts do not add up: {r.entries} entries, "
                f"{r.imp.imported} imported, {len(r.imp.reported)} reported"
            )
            status = 1
    if verbose:
        for r in rows:
            for label, lines in (
                ("reported", r.imp.reported),
                ("changed", r.changed),
                ("lost", r.lost),
                ("added", r.added),
                ("csl reported", r.csl_imp.reported),
                ("csl changed", r.csl_changed),
                ("csl lost", r.csl_lost),
                ("csl added", r.csl_added),
                ("pandoc failed", [r.csl_failed] if r.csl_failed else []),
            ):
                for line in lines:
                    print(f"{r.name}: {label}: {line}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
