"""The benchmark's generated libraries, for the tests of what the index keeps
(``tests/bench/bench.py`` writes them; its generator has a fixed seed)."""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
#: an hour ago: a file with this time is not "racy" (modified within a clock
#: tick of a command's start), so what the index keeps of it is kept
OLD_NS = time.time_ns() - 3600 * 10**9


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", HERE / "bench" / "bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def age(path: Path, ns: int = OLD_NS) -> None:
    os.utime(path, ns=(ns, ns))


def generated_library(folder: Path, n: int) -> Path:
    """``n`` generated records (books, their chapters, articles ...) in
    ``folder``, with old file times."""
    bench = bench_module()
    bench.write_records(bench.generate(n), folder)
    for p in folder.iterdir():
        age(p)
    return folder
