"""An exported .bib compiles: BibTeX (natbib) and biblatex with biber accept it without
warnings about missing or malformed entries. Skips, saying why, where the TeX tools are
missing (CI installs them: see .ci/run)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BIB = HERE / "fixtures" / "bib"


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not installed (Debian: texlive-binaries, texlive-base, "
            "texlive-latex-base, biber)"
        )


def need_sty(name: str, package: str) -> None:
    need("kpsewhich")
    found = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
    if not found:
        pytest.skip(f"{name} not installed (Debian package {package})")


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        encoding="utf-8",
        errors="replace",
    )


def natbib_document(keys: str) -> str:
    return (
        "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage[T1]{fontenc}\n"
        "\\usepackage{natbib}\n\\usepackage{url}\n\\begin{document}\n"
        f"Text \\citep{{{keys}}}.\n\\bibliographystyle{{plainnat}}\n\\bibliography{{refs}}\n"
        "\\end{document}\n"
    )


def biblatex_document(keys: str) -> str:
    return (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n"
        "\\usepackage[backend=biber,style=authoryear]{biblatex}\n"
        "\\addbibresource{refs.bib}\n\\begin{document}\n"
        f"Text \\parencite{{{keys}}}.\n\\printbibliography\n\\end{{document}}\n"
    )


def compile_bibtex(folder: Path) -> tuple[str, str]:
    first = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"], folder)
    assert first.returncode == 0, first.stdout[-2000:]
    bib = run(["bibtex", "paper"], folder)
    blg = (folder / "paper.blg").read_text(encoding="utf-8", errors="replace")
    assert bib.returncode == 0, blg
    for _ in range(2):
        tex = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"], folder)
        assert tex.returncode == 0, tex.stdout[-2000:]
    return blg, (folder / "paper.log").read_text(encoding="utf-8", errors="replace")


def compile_biber(folder: Path) -> tuple[str, str]:
    first = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"], folder)
    assert first.returncode == 0, first.stdout[-2000:]
    biber = run(["biber", "paper"], folder)
    assert biber.returncode == 0, biber.stdout
    for _ in range(2):
        tex = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"], folder)
        assert tex.returncode == 0, tex.stdout[-2000:]
    return biber.stdout, (folder / "paper.log").read_text(encoding="utf-8", errors="replace")


def latex_citation_warnings(log: str) -> list[str]:
    return [
        line
        for line in log.splitlines()
        if re.search(
            r"(Citation|Reference) .* undefined|entry could not be found|There were undefined", line
        )
    ]


# -- the handbook: a paper citing chapters 30 and 35 --------------------------------


def export_handbook_paper(cs, handbook_lib, folder: Path, fmt: str) -> str:
    folder.mkdir()
    tex = folder / "paper.tex"
    keys = "aris2014collective,galbreath2014organization"
    tex.write_text(
        natbib_document(keys) if fmt == "bibtex" else biblatex_document(keys), encoding="utf-8"
    )
    r = cs(
        handbook_lib,
        "export",
        "--cited-in",
        str(tex),
        "--format",
        fmt,
        "-o",
        str(folder / "refs.bib"),
    )
    assert r.exit_code == 0, r.stderr
    return (folder / "refs.bib").read_text(encoding="utf-8")


def test_handbook_chapters_compile_with_bibtex(cs, handbook_lib, tmp_path):
    need("pdflatex", "bibtex")
    bib = export_handbook_paper(cs, handbook_lib, tmp_path / "paper", "bibtex")
    assert bib.count("@book{sperling2014handbook,") == 1
    assert bib.index("@book{sperling2014handbook") > bib.index(
        "@incollection{galbreath2014organization"
    )
    blg, log = compile_bibtex(tmp_path / "paper")
    assert "Warning--" not in blg and "error message" not in blg, blg
    assert latex_citation_warnings(log) == []
    bbl = (tmp_path / "paper" / "paper.bbl").read_text(encoding="utf-8")
    assert "\\bibitem[Aris(2014)]{aris2014collective}" in bbl
    assert "Handbook of governance and security" in bbl
    assert "656--670" in bbl
    # the same export twice gives the same bytes
    again = export_handbook_paper(cs, handbook_lib, tmp_path / "again", "bibtex")
    assert again == bib


def test_handbook_chapters_compile_with_biblatex_and_biber(cs, handbook_lib, tmp_path):
    need("pdflatex", "biber")
    need_sty("biblatex.sty", "texlive-bibtex-extra")
    need_sty("etoolbox.sty", "texlive-latex-recommended")
    bib = export_handbook_paper(cs, handbook_lib, tmp_path / "paper", "biblatex")
    assert bib.count("@book{sperling2014handbook,") == 1
    out, log = compile_biber(tmp_path / "paper")
    assert not re.search(r"^(WARN|ERROR)", out, re.MULTILINE), out
    assert latex_citation_warnings(log) == []
    bbl = (tmp_path / "paper" / "paper.bbl").read_text(encoding="utf-8")
    aris = bbl[bbl.index("\\entry{aris2014collective}") :]
    aris = aris[: aris.index("\\endentry")]
    assert "isbn" not in aris and "doi" not in aris  # never the book's identifiers
    assert "\\field{booktitle}{Handbook of governance and security}" in aris


# -- the whole corpus, imported then exported ---------------------------------------


def corpus_library(cs, tmp_path: Path) -> Path:
    lib = tmp_path / "records"
    lib.mkdir()
    for name in ("accents.bib", "strings.bib", "crossref.bib", "biblatex.bib", "nocrossref.bib"):
        r = cs(lib, "import", str(BIB / name), "--on-duplicate", "skip")
        assert r.exit_code == 0, r.stderr
    return lib


def test_imported_corpus_compiles_with_bibtex_in_ascii(cs, tmp_path):
    need("pdflatex", "bibtex")
    lib = corpus_library(cs, tmp_path)
    folder = tmp_path / "paper"
    folder.mkdir()
    (folder / "paper.tex").write_text(
        natbib_document("*").replace("\\citep{*}", "\\nocite{*}"), encoding="utf-8"
    )
    r = cs(lib, "export", "--ascii", "-o", str(folder / "refs.bib"))
    assert r.exit_code == 0, r.stderr
    blg, log = compile_bibtex(folder)
    malformed = [
        line
        for line in blg.splitlines()
        if re.search(
            r"I was expecting|isn't style-file defined|Repeated entry|didn't find|"
            r"I'm ignoring|---line \d+|Illegal",
            line,
        )
    ]
    assert malformed == [], blg


def test_imported_corpus_compiles_with_biber_in_utf8(cs, tmp_path):
    need("pdflatex", "biber")
    need_sty("biblatex.sty", "texlive-bibtex-extra")
    need_sty("etoolbox.sty", "texlive-latex-recommended")
    lib = corpus_library(cs, tmp_path)
    folder = tmp_path / "paper"
    folder.mkdir()
    (folder / "paper.tex").write_text(
        biblatex_document("*").replace("\\parencite{*}", "\\nocite{*}"), encoding="utf-8"
    )
    r = cs(lib, "export", "--format", "biblatex", "-o", str(folder / "refs.bib"))
    assert r.exit_code == 0, r.stderr
    out, log = compile_biber(folder)
    assert not re.search(r"^(WARN|ERROR)", out, re.MULTILINE), out
