"""Running citeshelf in subprocesses, as racing users and killed imports do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LEFTOVER_PREFIXES = (".tmp-", ".staging-", ".journal")


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "CITESHELF_INDEX_DIR": str(tmp_path / "index"), **extra}


def argv(lib: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "citeshelf", "--library", str(lib), *args]


def run(lib: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv(lib, *args), capture_output=True, text=True, env=env, timeout=120)


def start(lib: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        argv(lib, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def record(lib: Path, key: str) -> dict:
    return json.loads((lib / f"{key}.json").read_text(encoding="utf-8"))


def leftovers(lib: Path) -> list[str]:
    return sorted(n for n in os.listdir(lib) if n.startswith(LEFTOVER_PREFIXES))


def keys(lib: Path) -> set[str]:
    return {n[:-5] for n in os.listdir(lib) if n.endswith(".json") and not n.startswith(".")}


def write_bib(path: Path, n: int, *, prefix: str = "e", title: str = "Title") -> Path:
    """A .bib file of ``n`` books with keys prefix0..prefixN-1."""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(
                f"@book{{{prefix}{i},\n  title = {{{title} {prefix} {i}}},\n"
                f"  author = {{Doe, Jane}},\n  year = {{2001}},\n  publisher = {{P}}\n}}\n\n"
            )
    return path
