"""Field-by-field comparison of two .bib files as biber sees them.

``biber --tool --output-resolve --output-format=bibtex`` reads a file the way
biblatex would (macros, crossref/xdata inheritance, LaTeX decoded to UTF-8)
and writes it out again; :func:`compare` runs it on both files and counts the
fields of the first that the second lost or changed. Used by
``tests/test_bibtex_fidelity.py``; run by hand as
``python tests/biber_fidelity.py ORIGINAL.bib`` (imports the file with
citeshelf, exports it as BibLaTeX and prints every difference).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Differences that are not changes, applied to both sides before comparing
#: (each with its reason; the README lists them):
NORMALISATIONS: tuple[tuple[re.Pattern[str], Any, str], ...] = (
    (
        re.compile(r"\\(?:l?dots|textellipsis)(?![A-Za-z])(?:\{\}|[ ]*)"),
        "\u2026",
        "\\dots, \\ldots and \\textellipsis are the ellipsis, which citeshelf stores and "
        "writes as the character \u2026 (biblatex prints it as \\textellipsis)",
    ),
    (
        re.compile(r"(\\[A-Za-z]+)[ ]*(\{\})?(?=(.?))|\\[^A-Za-z](?:\{\})?|\{\}"),
        lambda m: _control_word(m),
        "the spaces after a control word, and an empty group {} after it or between "
        "letters, print nothing (\\TeX{}, is \\TeX,; \\emdash {}Er is \\emdash{}Er; "
        "G\u00f6{}del is G\u00f6del); {} stays where it keeps the next letter or space",
    ),
    (
        re.compile(r"\{([^\x00-\x7f])\}"),
        r"\1",
        "biber decodes {\\ss} to {ß}: braces around one letter that an accent macro "
        "needed; citeshelf writes the letter (UTF-8) without them",
    ),
    (
        re.compile(r"(?<!\\)&"),
        r"\\&",
        "an unescaped & (TeX's alignment character) is written \\&",
    ),
    (
        re.compile(r"^(\w+)--\1$"),
        r"\1",
        "a page range whose ends are the same page (1--1) is that page (1)",
    ),
    (
        re.compile(r"^https?://(dx\.)?doi\.org/"),
        "",
        "a DOI is stored without its resolver (biblatex adds https://doi.org/ itself)",
    ),
    (
        re.compile("\u0131([\u0300-\u036f])"),
        lambda m: unicodedata.normalize("NFC", "i" + m.group(1)),
        "biber gives {\\'\\i} (\\={\\i}, \\`\\i) as a dotless i and a combining accent; "
        "citeshelf writes the letter (í, ī, ì)",
    ),
    (
        re.compile(r"^(\d{4})\\unskip--$"),
        r"\1--",
        "a year written 1989\\unskip-- (TeX's trick for an open range; \\unskip prints "
        "nothing here) is the open range 1989/.., which citeshelf stores as a date and "
        "writes date = {1989/}: biblatex prints 1989– for both",
    ),
    (
        re.compile(r"^(\d{4})-(\d{4})$"),
        r"\1/\2",
        "a year range written with a hyphen (year = {2005-2016}) is the range 2005/2016, "
        "which citeshelf stores as a date (biblatex prints it with an en dash)",
    ),
    (
        re.compile(r"^\{\}$"),
        "",
        "a field of empty braces (pages = {{}}) carries nothing: biblatex prints nothing, "
        "and the record holds no such field (a field whose value is empty is not counted)",
    ),
    (
        re.compile(r".*\{\{.*", re.DOTALL),
        lambda m: _one_pair(m.group(0)),
        "a group in two pairs of braces ({{Title}}, {{CDC {\\TeX}}}, {{pdf\\TeX}}) protects as "
        "one pair does, unless it opens with a command ({{\\TeX Live}}: one pair around a "
        "command is BibTeX's special character, whose words a style re-cases)",
    ),
    (
        re.compile(r"---|--|``|''"),
        lambda m: _LIGATURES[m.group(0)],
        "TeX's ligatures --- -- `` '' are the characters \u2014 \u2013 \u201c \u201d, "
        "which citeshelf stores (and writes as the ligatures where the text had them)",
    ),
)

_LIGATURES = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d"}

#: Fields whose value is normalised as a whole, each with its reason:
FIELD_NORMALISATIONS: dict[str, tuple[Any, str]] = {
    "options": (
        lambda v: ",".join(sorted(p.strip() for p in v.split(","))),
        "biber writes an entry's options in no fixed order (its hash order, which "
        "differs from one run to the next): compared as a set",
    ),
}


def _control_word(m: re.Match[str]) -> str:
    """A control word with its spaces and ``{}`` as it prints (see NORMALISATIONS)."""
    word = m.group(1)
    if word is None:
        return m.group(0) if m.group(0) != "{}" else ""
    after = m.group(3)
    if m.group(2) and after == " ":
        return word + "{}"
    return word + "{}" if after.isalpha() else word


def _one_pair(text: str) -> str:
    """``text`` with each ``{{X}}`` as ``{X}`` unless X opens with a command."""
    i = text.find("{{")
    while i >= 0:
        end = _group_end(text, i)
        if (
            text[i - 1 : i] != "\\"
            and _group_end(text, i + 1) == end - 1
            and not re.match(r"\\[A-Za-z]", text[i + 2 :])
        ):
            text = text[:i] + text[i + 1 : end] + text[end + 1 :]
        else:
            i += 1
        i = text.find("{{", i)
    return text


# -- structural normalisations (crossref, parents, dates, entry types) ------------------

#: Entry types whose entries are not compared, each with its reason:
UNCOMPARED_TYPES: dict[str, str] = {
    "xdata": "an @xdata set is no work: citeshelf merges its fields into the entries "
    "that name them, as biber does, and keeps no entry of its own for it",
}

# -- end of the structural normalisations -----------------------------------------------


#: Why a duplicate's field is not compared where the entry kept has another value.
DUPLICATE_FIELDS = (
    "a duplicate in one file (the same work under two keys) is imported as the entry "
    "kept, which names the other key in ids and takes the fields it lacked from it; "
    "where both entries give a field, the kept entry's value is the record's (compared "
    "under its own key)"
)

#: Why a field a crossref's parent takes from @xdata is not counted as added.
XDATA_FIRST = (
    "biber --tool resolves a crossref before the parent's xdata, so a child of a parent "
    "that takes its location from an @xdata set gets none; biber compiling a document "
    "resolves xdata first and the child prints the parent's location, as it does from "
    "the export, where the parent holds the set's fields"
)


def biber_resolved(path: Path, workdir: Path) -> str:
    """biber's resolved BibTeX text of ``path``."""
    out = workdir / (path.stem + ".resolved.bib")
    subprocess.run(
        [
            "biber",
            "--tool",
            "--output-resolve",
            "--output-format=bibtex",
            "--quiet",
            f"--output-file={out}",
            str(path),
        ],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    return out.read_text(encoding="utf-8")


def parents_xdata(source: str) -> dict[str, list[str]]:
    """Of a .bib source: each entry with a ``crossref`` (lower case) -> the
    ``@xdata`` sets its parent names (see :data:`XDATA_FIRST`)."""
    import bibtexparser
    from bibtexparser import model as bm

    library = bibtexparser.parse_string(source)
    by_key: dict[str, dict[str, str]] = {}
    for block in library.blocks:
        if isinstance(block, bm.DuplicateFieldKeyBlock):
            # an entry with a repeated field: bibtexparser puts it among the
            # failed blocks, and its middlewares leave the values enclosed
            block = block.ignore_error_block
            if isinstance(block, bm.Entry):
                by_key[block.key.lower()] = {
                    f.key.lower(): _unenclosed(f.value) for f in block.fields
                }
        elif isinstance(block, bm.Entry):
            by_key[block.key.lower()] = {f.key.lower(): f.value for f in block.fields}

    def refs(fields: dict[str, str], name: str) -> list[str]:
        value = fields.get(name)
        return [r.strip().lower() for r in value.split(",") if r.strip()] if value else []

    out = {}
    for key, fields in by_key.items():
        for parent in refs(fields, "crossref")[:1]:
            sets = refs(by_key.get(parent, {}), "xdata")
            if sets:
                out[key] = sets
    return out


def _unenclosed(value: object) -> str:
    """A field's raw value without its enclosing braces or quotes."""
    text = str(value).strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("{", "}"), ('"', '"')):
        return text[1:-1]
    return text


def _group_end(text: str, i: int) -> int:
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


_ENTRY = re.compile(r"^@(\w+)\{([^,\s]+),\s*$", re.M)
_STRING = re.compile(r'^@STRING\{(\S+) = "(.*)"\}\s*$', re.M)
_FIELD = re.compile(r"\s*([A-Za-z0-9_+:.-]+) = ")


def entries(text: str) -> dict[str, dict[str, str]]:
    """The entries of biber's output: key (lower case) -> field -> value
    (``@string`` macros expanded, white space runs as one space); the entry
    type under ``@type``."""
    macros = {m.group(1).lower(): m.group(2) for m in _STRING.finditer(text)}
    out: dict[str, dict[str, str]] = {}
    for m in _ENTRY.finditer(text):
        fields = {"@type": m.group(1).lower()}
        i = m.end()
        while True:
            f = _FIELD.match(text, i)
            if not f:
                break
            j = f.end()
            if text[j] == "{":
                end = _group_end(text, j)
                value = text[j + 1 : end]
                i = end + 1
            else:
                end = text.index(",\n", j)
                parts = [p.strip() for p in text[j:end].split("#")]
                value = "".join(
                    p[1:-1] if p.startswith('"') else macros.get(p.lower(), p) for p in parts
                )
                i = end
            if text.startswith(",", i):
                i += 1
            fields[f.group(1).lower()] = " ".join(value.split())
        out[m.group(2).lower()] = fields
    return out


def alias_keys(resolved: dict[str, dict[str, str]]) -> dict[str, str]:
    """The keys an entry of biber's output names in ``ids`` (lower case) ->
    that entry's key: a \\cite of any of them is that entry."""
    out = {}
    for key, fields in resolved.items():
        for alias in fields.get("ids", "").split(","):
            if alias.strip():
                out.setdefault(alias.strip().lower(), key)
    return out


@dataclass
class Comparison:
    fields: int = 0
    lost: list[tuple[str, str, str]] = field(default_factory=list)
    changed: list[tuple[str, str, str, str]] = field(default_factory=list)
    entries_lost: list[str] = field(default_factory=list)
    #: (key, field, value): a field of ``exported`` that ``original`` does not have
    added: list[tuple[str, str, str]] = field(default_factory=list)

    def report(self) -> str:
        lines = [
            f"{self.fields} fields; {len(self.changed)} changed, {len(self.lost)} lost, "
            f"{len(self.entries_lost)} entries lost, {len(self.added)} added"
        ]
        lines += [f"lost    {k}.{f}: {v!r}" for k, f, v in self.lost]
        lines += [f"changed {k}.{f}: {a!r} -> {b!r}" for k, f, a, b in self.changed]
        lines += [f"entry lost: {k}" for k in self.entries_lost]
        lines += [f"added   {k}.{f}: {v!r}" for k, f, v in self.added]
        return "\n".join(lines)


def normalised(value: str) -> str:
    for pattern, replacement, _ in NORMALISATIONS:
        value = pattern.sub(replacement, value)
    return value


def _field_normalised(name: str, value: str) -> str:
    value = normalised(value)
    rule = FIELD_NORMALISATIONS.get(name)
    return rule[0](value) if rule else value


def compare(original: str, exported: str, source: str | None = None) -> Comparison:
    """The fields of ``original`` (biber's output) that ``exported`` lost,
    changed or added; ``source``, the original's .bib text, tells which
    entries' parents take fields from ``@xdata`` (:data:`XDATA_FIRST`)."""
    a, b = entries(original), entries(exported)
    aliases = alias_keys(b)
    result = Comparison()
    for key, fields in a.items():
        if fields["@type"] in UNCOMPARED_TYPES:
            continue
        other = b.get(key)
        twin: dict[str, str] = {}
        if other is None and key in aliases:
            # a duplicate merged into another entry, which names it in ids
            # (biblatex's aliases: biber resolves a \cite of either key)
            other = {**b[aliases[key]], "ids": fields.get("ids", "")}
            twin = a.get(aliases[key], {})
        if other is None:
            result.entries_lost.append(key)
            continue
        for name, value in fields.items():
            if not normalised(value).strip():
                continue  # carries nothing
            if name in twin and _field_normalised(name, twin[name]) != _field_normalised(
                name, value
            ):
                continue  # see DUPLICATE_FIELDS
            result.fields += 1
            if name not in other:
                result.lost.append((key, name, value))
            elif _field_normalised(name, other[name]) != _field_normalised(name, value):
                result.changed.append((key, name, value, other[name]))
    from_xdata = parents_xdata(source) if source and "xdata" in source.lower() else {}
    for key, fields in b.items():
        theirs = a.get(key, {})
        sets = [a[k] for k in from_xdata.get(key, ()) if k in a]
        twins = [a[k] for k in _ids(fields) if k in a and k not in b]
        for name, value in fields.items():
            if name in theirs:
                continue
            if name == "ids" and twins and len(twins) == len(_ids(fields)):
                continue  # the keys of duplicates merged into it, compared with it
            if any(
                _field_normalised(name, t.get(name, "")) == _field_normalised(name, value)
                for t in twins
            ):
                continue  # taken from a duplicate (DUPLICATE_FIELDS)
            if any(
                _field_normalised(name, t.get(name, "")) == _field_normalised(name, value)
                for t in sets
            ):
                continue  # XDATA_FIRST
            result.added.append((key, name, value))
    return result


def _ids(fields: dict[str, str]) -> list[str]:
    return [k.strip().lower() for k in fields.get("ids", "").split(",") if k.strip()]


def export_with_citeshelf(original: Path, out: Path) -> None:
    """Import ``original`` into a new library and export it as BibLaTeX to ``out``."""
    cli = [sys.executable, "-m", "citeshelf"]
    with tempfile.TemporaryDirectory() as tmp:
        lib = str(Path(tmp) / "records")
        subprocess.run([*cli, "init", lib], check=True, capture_output=True)
        subprocess.run([*cli, "-L", lib, "import", str(original)], check=True, capture_output=True)
        subprocess.run(
            [*cli, "-L", lib, "export", "--format", "biblatex", "-o", str(out)],
            check=True,
            capture_output=True,
        )


def main(argv: list[str]) -> int:
    if shutil.which("biber") is None:
        print("biber is not installed", file=sys.stderr)
        return 1
    original = Path(argv[0]).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        exported = work / "exported.bib"
        export_with_citeshelf(original, exported)
        print(
            compare(
                biber_resolved(original, work),
                biber_resolved(exported, work),
                original.read_text(encoding="utf-8", errors="replace"),
            ).report()
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
