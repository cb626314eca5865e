"""biblatex's own example documents, compiled against biblatex-examples.bib and
against citeshelf's BibLaTeX export of it: do the two print the same?

For each example document TeX Live ships (``texmf-dist/doc/latex/biblatex/examples``)
that reads ``biblatex-examples.bib`` alone: import the .bib into a new library,
export it as BibLaTeX, then compile the document twice, once with the original
and once with the export in its place (pdflatex, biber, pdflatex, pdflatex),
and compare ``pdftotext`` of the two PDFs line by line. Each document gets
``same`` or the lines that differ.

Run by hand (several minutes: each document is compiled twice):
``python tests/bench/examples.py [-v] [--jobs N] [NAME ...]`` (NAME: a document's
name, ``01-introduction``; all by default). ``-v`` prints the differing lines.
Needs pdflatex, biber, pdftotext and TeX Live's biblatex documentation
(Debian: texlive-bibtex-extra, texlive-latex-extra for csquotes, biber, poppler-utils;
the documents come with the biblatex documentation TeX Live installs).
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.biber_fidelity import export_with_citeshelf

EXAMPLES = Path("/usr/share/texlive/texmf-dist/doc/latex/biblatex/examples")
BIB = "biblatex-examples.bib"


def documents(folder: Path) -> dict[str, str]:
    """name -> text of the example documents that use biber and read only
    biblatex-examples.bib."""
    out = {}
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".tex"):
            text = path.read_text(encoding="utf-8")
        elif path.name.endswith(".tex.gz"):
            text = gzip.decompress(path.read_bytes()).decode("utf-8")
        else:
            continue
        resources = re.findall(r"\\addbibresource(?:\[[^]]*\])?\{([^}]*)\}", text)
        if resources == [BIB] and "backend=biber" in text:
            out[path.name.split(".tex")[0]] = text
    return out


def compile_text(text: str, bib: Path, work: Path) -> list[str]:
    """The lines ``pdftotext`` gives of ``text`` compiled with ``bib``."""
    work.mkdir(parents=True)
    (work / "doc.tex").write_text(text, encoding="utf-8")
    shutil.copy(bib, work / BIB)
    for helper in EXAMPLES.glob("*.dbx"):
        shutil.copy(helper, work / helper.name)
    quiet = {"cwd": work, "capture_output": True, "timeout": 300}
    latex = ["pdflatex", "-interaction=nonstopmode", "doc"]
    subprocess.run(latex, **quiet)  # type: ignore[call-overload]
    subprocess.run(["biber", "doc"], **quiet)  # type: ignore[call-overload]
    subprocess.run(latex, **quiet)  # type: ignore[call-overload]
    subprocess.run(latex, **quiet)  # type: ignore[call-overload]
    if not (work / "doc.pdf").exists():
        return ["(no PDF)"]
    subprocess.run(["pdftotext", "doc.pdf"], **quiet)  # type: ignore[call-overload]
    return (work / "doc.txt").read_text(encoding="utf-8", errors="replace").splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="documents to compile (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print differing lines")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    for tool in ("pdflatex", "biber", "pdftotext"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed", file=sys.stderr)
            return 1
    if not EXAMPLES.is_dir():
        print(f"no biblatex examples at {EXAMPLES}", file=sys.stderr)
        return 1
    docs = documents(EXAMPLES)
    unknown = [n for n in args.names if n not in docs]
    if unknown:
        print(f"no such example document: {', '.join(unknown)}", file=sys.stderr)
        return 1
    chosen = {n: docs[n] for n in args.names} if args.names else docs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        original = root / BIB
        gz = EXAMPLES / f"{BIB}.gz"
        kpse = subprocess.run(["kpsewhich", BIB], capture_output=True, text=True).stdout.strip()
        if kpse:
            shutil.copy(kpse, original)
        else:
            original.write_bytes(gzip.decompress(gz.read_bytes()))
        exported = root / "export" / BIB
        exported.parent.mkdir()
        export_with_citeshelf(original, exported)

        def one(name: str) -> tuple[str, list[str]]:
            a = compile_text(chosen[name], original, root / name / "original")
            b = compile_text(chosen[name], exported, root / name / "export")
            diff = [
                line
                for line in difflib.unified_diff(a, b, "original", "export", n=0, lineterm="")
                if line[:1] in "+-" and not line.startswith(("+++", "---"))
            ]
            return name, diff

        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(one, chosen))
    same = 0
    for name, diff in results:
        if diff:
            print(f"{name}: {len(diff)} lines differ")
            if args.verbose:
                print("\n".join(f"    {line}" for line in diff))
        else:
            same += 1
            print(f"{name}: same")
    print(f"{same} of {len(results)} documents print the same")
    return 0 if same == len(results) else 2


if __name__ == "__main__":
    sys.exit(main())
