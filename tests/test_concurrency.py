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
