#!/usr/bin/env python3
"""Time ``citeshelf import`` of a zotero.sqlite of N items (run by hand).

    python tests/bench/zotero_bench.py            # 1,000 items, 3 runs
    python tests/bench/zotero_bench.py --items 10000 --runs 3

Builds the database with tests/zotero_db.py (Zotero's table layout): books,
chapters of those books (same ISBN), articles and theses, each with an
author, a tag and a collection, half the citation keys in the citationKey
field and half in Extra. Each run imports it into an empty library as a whole
process and checks that every citation key became a record key; the median
wall time is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.zotero_db import ZoteroDB


def build(path: Path, n: int) -> list[str]:
    z = ZoteroDB(path)
    z.collection("All")
    keys = []
    for i in range(n):
        year = 2000 + i % 20
        key = f"author{i:05d}_{year}"
        keys.append(key)
        kind = ("book", "bookSection", "journalArticle", "thesis")[i % 4]
        fields = {"title": f"Title number {i}", "date": f"{year}-00-00 {year}"}
        if kind == "bookSection":
            fields["bookTitle"] = f"Title number {i - 1}"
        if kind == "journalArticle":
            fields["publicationTitle"] = "Journal of Tests"
        if i % 2:
            fields["citationKey"] = key
        else:
            fields["extra"] = f"Citation Key: {key}"
        z.add(
            kind,
            f"K{i:07d}",
            fields,
            [("author", "Ann", f"Author{i}")],
            tags=[f"t{i % 7}"],
            collections=["All"],
        )
    z.close()
    return keys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "zotero.sqlite"
        keys = build(db, args.items)
        for run in range(args.runs):
            lib = Path(tmp) / f"lib{run}"
            lib.mkdir()
            env = {**os.environ, "CITESHELF_INDEX_DIR": str(Path(tmp) / f"index{run}")}
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "citeshelf", "--library", str(lib), "import", str(db)],
                check=True,
                capture_output=True,
                env=env,
            )
            times.append(time.perf_counter() - start)
            got = {p.stem for p in lib.rglob("*.json")}
            missing = [k for k in keys if k not in got]
            if missing:
                print(f"run {run + 1}: {len(missing)} keys lost, e.g. {missing[:3]}")
                return 1
    print(
        f"{args.items} items: import {statistics.median(times):.2f} s (median of {args.runs}); "
        "every citation key kept"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
