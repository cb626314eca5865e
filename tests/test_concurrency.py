"""Several citeshelf processes on one library at once never overwrite each other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_parallel_adds_with_the_same_generated_key_all_survive(
    empty_lib: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "CITESHELF_INDEX_DIR": str(tmp_path / "index")}
    args = [
        sys.executable,
        "-m",
        "citeshelf",
        "--library",
        str(empty_lib),
        "add",
        "book",
        "--title",
        "Same title",
        "--author",
        "Doe, Jane",
        "--year",
        "2020",
        "--publisher",
        "P",
        "--no-input",
    ]
    procs = [
        subprocess.Popen(
            args + ["--field", f"note=process {i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(6)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in results]
    keys = sorted(out.strip() for out, _ in results)
    assert keys == [
        "doe2020same",
        "doe2020samea",
        "doe2020sameb",
        "doe2020samec",
        "doe2020samed",
        "doe2020samee",
    ]
    notes = sorted(
        json.loads((empty_lib / f"{k}.json").read_text(encoding="utf-8"))["note"] for k in keys
    )
    assert notes == [f"process {i}" for i in range(6)]
    assert sorted(os.listdir(empty_lib)) == [f"{k}.json" for k in keys]  # no temporary files left


_SAME_KEY = """@book{shared2020,
  title = {Written by process {PROCESS}},
  author = {Doe, Jane},
  year = {2020},
  publisher = {P},
}
@article{own{PROCESS}2020,
  title = {Only in process {PROCESS}},
  author = {Roe, Rick},
  year = {2020},
  journal = {J},
}
"""


def test_parallel_imports_of_the_same_key_never_overwrite_each_other(
    empty_lib: Path, tmp_path: Path
) -> None:
    """Four imports at once, each with a record of the same key: one import
    makes it; every other one either saw it and skipped its entry as a
    duplicate (importing its own record), or found it taken when committing
    and committed nothing (its own record neither), saying why. The record's
    file is one import's, whole; nothing staged is left behind, and the index
    lists exactly what is there."""
    env = {**os.environ, "CITESHELF_INDEX_DIR": str(tmp_path / "index")}
    sources = []
    for i in range(4):
        src = tmp_path / f"p{i}.bib"
        src.write_text(_SAME_KEY.replace("{PROCESS}", str(i)), encoding="utf-8")
        sources.append(src)
    cli = [sys.executable, "-m", "citeshelf", "--library", str(empty_lib)]
    procs = [
        subprocess.Popen(
            [*cli, "import", str(src)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for src in sources
    ]
    results = [p.communicate(timeout=120) for p in procs]
    made = [i for i, (out, _) in enumerate(results) if out.startswith("imported 2,")]
    assert len(made) == 1, results
    kept = []
    for i, (p, (out, err)) in enumerate(zip(procs, results, strict=True)):
        if p.returncode == 0:
            kept.append(i)
            if i not in made:
                assert out.startswith("imported 1, skipped as duplicate 1"), (out, err)
        else:
            assert "already exists; nothing was saved" in err, err
    data = json.loads((empty_lib / "shared2020.json").read_text(encoding="utf-8"))
    assert data["title"] == f"Written by process {made[0]}"
    expected = sorted([*(f"own{i}2020" for i in kept), "shared2020"])
    assert sorted(os.listdir(empty_lib)) == [f"{k}.json" for k in expected]
    listed = subprocess.run(
        [*cli, "list", "--json"], capture_output=True, text=True, env=env, check=True
    )
    assert sorted(r["key"] for r in json.loads(listed.stdout)) == expected
