"""What start-up loads: --help and a plain `list QUERY` from a warm index
import neither Pydantic, Rich nor bibtexparser (checked in a fresh process's
sys.modules, not by timing)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pydantic", "rich", "bibtexparser")

PROBE = r"""
import json, sys
from citeshelf.cli.main import cli
try:
    cli.main(args=sys.argv[1:], prog_name="citeshelf", standalone_mode=True)
except SystemExit:
    pass
sys.stdout.flush()
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"pydantic", "rich", "bibtexparser"})
print(json.dumps(heavy), file=sys.stderr)
"""


def loaded(args: list[str], env: dict[str, str]) -> tuple[list[str], str]:
    p = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120
    )
    return json.loads(p.stderr.strip().splitlines()[-1]), p.stdout


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CITESHELF_LIBRARY", "CITESHELF_INDEX_CHECK")
    }
    env.update({"CITESHELF_INDEX_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"})
    return env


def test_help_loads_nothing_heavy(tmp_path: Path) -> None:
    heavy, out = loaded(["--help"], _env(tmp_path))
    assert "Usage: citeshelf" in out
    assert heavy == []
    heavy, out = loaded(["list", "--help"], _env(tmp_path))
    assert "year:2010..2014" in out and heavy == []


def test_list_from_a_warm_index_loads_nothing_heavy(tmp_path: Path) -> None:
    lib = tmp_path / "records"
    shutil.copytree(ROOT / "records", lib)
    env = _env(tmp_path)
    # the first run builds the index (and validates the files with the model)
    heavy, out = loaded(["--library", str(lib), "list", "author:merand"], env)
    assert out.startswith("bujun2014regional  ") and len(out.splitlines()) == 1
    assert "pydantic" in heavy
    heavy, out = loaded(["--library", str(lib), "list", "author:merand", "OR", "title:nato"], env)
    assert len(out.splitlines()) == 2
    assert heavy == []


def test_tags_from_a_warm_index_loads_nothing_heavy(tmp_path: Path) -> None:
    lib = tmp_path / "records"
    shutil.copytree(ROOT / "records", lib)
    env = _env(tmp_path)
    loaded(["--library", str(lib), "list"], env)  # builds the index
    heavy, out = loaded(["--library", str(lib), "tags"], env)
    assert heavy == []
