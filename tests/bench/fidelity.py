"""Source-level fidelity benchmark: what biber and pandoc see before and after citeshelf.

For each of TeX Live's .bib files below, import it into a new library
(``--skip-invalid``, so every entry is either imported or reported) and:

* **BibLaTeX**: export it as BibLaTeX and compare ``biber --tool
  --output-resolve`` of the original with that of the export, field by field
  (``tests/biber_fidelity.py``: its normalisations apply);
* **CSL-JSON**: convert the original with pandoc (``pandoc FILE -t csljson``),
  import that into another new library, export CSL-JSON and compare item by
  item, variable by variable.

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
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.biber_fidelity import biber_resolved, compare, entries

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
    """Entries of a .bib file as BibTeX counts them: every ``@type{`` outside
    an entry, but not ``@string``, ``@preamble`` or ``@comment``."""
    n = 0
    for m in re.finditer(r"@\s*(\w+)\s*[{(]", text):
        if m.group(1).lower() not in ("string", "preamble", "comment"):
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
    absent: bool = False


def biblatex_row(row: Row, path: Path, work: Path) -> None:
    row.entries = count_entries(path.read_text(encoding="utf-8", errors="replace"))
    lib = work / "bib-records"
    row.imp = import_file(path, lib, "bibtex")
    exported = work / "exported.bib"
    export(lib, "biblatex", exported)
    original = biber_resolved(path, work)
    again = biber_resolved(exported, work)
    result = compare(original, again)
    row.fields = result.fields
    row.changed = [f"{k}.{f}: {a!r} -> {b!r}" for k, f, a, b in result.changed]
    row.lost = [f"{k}.{f}: {v!r}" for k, f, v in result.lost]
    row.lost += [f"{k}: whole entry" for k in result.entries_lost]
    a, b = entries(original), entries(again)
    for key, fields in b.items():
        theirs = a.get(key, {})
        row.added += [f"{key}.{name}: {v!r}" for name, v in fields.items() if name not in theirs]


#: CSL-JSON variables compared as text would be, not as written: pandoc
#: writes numbers as strings or numbers indifferently.
def _csl_value(value: object) -> object:
    if isinstance(value, int | float):
        return str(value)
    return value


def csl_row(row: Row, path: Path, work: Path) -> None:
    if shutil.which("pandoc") is None:
        return
    source = work / "pandoc.json"
    run = subprocess.run(
        ["pandoc", str(path), "-t", "csljson", "-o", str(source)], capture_output=True, text=True
    )
    if run.returncode != 0:
        row.csl_changed.append(f"pandoc failed: {run.stderr.strip()[:200]}")
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
            row.csl_fields += 1
            if name not in other:
                row.csl_lost.append(f"{item['id']}.{name}: {value!r}")
            elif _csl_value(other[name]) != _csl_value(value):
                row.csl_changed.append(f"{item['id']}.{name}: {value!r} -> {other[name]!r}")
        row.csl_added += [f"{item['id']}.{n}: {v!r}" for n, v in other.items() if n not in item]


def main(argv: list[str]) -> int:
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
        print(
            f"| {r.name} | {r.entries} | {r.imp.imported} | {len(r.imp.reported)} | {r.fields} "
            f"| {len(r.changed)} | {len(r.lost)} | {len(r.added)} | {r.csl_items} "
            f"| {r.csl_items - r.csl_imp.imported} | {r.csl_fields} | {len(r.csl_changed)} "
            f"| {len(r.csl_lost)} | {len(r.csl_added)} |"
        )
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
            ):
                for line in lines:
                    print(f"{r.name}: {label}: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
