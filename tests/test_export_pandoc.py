"""pandoc's citeproc accepts what ``export --cited-in draft.md`` writes: every citation of
the Markdown draft is found, in CSL-JSON and in BibLaTeX. Skips, saying why, without
pandoc (the csl extra's pypandoc-binary ships one)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

MS = Path(__file__).resolve().parent / "fixtures" / "manuscripts"


def pandoc() -> str:
    found = shutil.which("pandoc")
    if found:
        return found
    try:
        import pypandoc
    except ImportError:
        pytest.skip("pandoc not installed (pip install pypandoc-binary, or the system's pandoc)")
    try:
        return pypandoc.get_pandoc_path()
    except OSError:
        pytest.skip("pypandoc is installed but finds no pandoc executable")


@pytest.mark.parametrize("fmt, name", [("csl-json", "refs.json"), ("biblatex", "refs.bib")])
def test_pandoc_citeproc_finds_every_citation(cs, handbook_lib, tmp_path, fmt, name):
    exe = pandoc()
    refs = tmp_path / name
    r = cs(
        handbook_lib, "export", "--cited-in", str(MS / "draft.md"), "--format", fmt, "-o", str(refs)
    )
    assert r.exit_code == 0, r.stderr
    out = subprocess.run(
        [
            exe,
            str(MS / "draft.md"),
            "--citeproc",
            "--bibliography",
            str(refs),
            "-t",
            "plain",
            "--wrap=none",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "WARNING" not in out.stderr, out.stderr
    text = out.stdout
    assert "Galbreath, David J., and Aynur Seidyusif. 2014." in text
    assert (
        "Handbook of Governance and Security" in text
        or "Handbook of governance and security" in text
    )
    assert "656–70" in text or "656–670" in text
