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


def _short_helps() -> dict[str, str | None]:
    import importlib
    import inspect

    from citeshelf.cli import main

    out: dict[str, str | None] = {}
    for name, module in sorted(main._command_modules().items()):
        command = importlib.import_module(f"citeshelf.cli.{module}").command
        out[name] = (
            None if command.hidden else inspect.cleandoc(command.help or "").split("\n\n")[0]
        )
    return out


def test_the_command_list_is_the_commands_own_help() -> None:
    """``citeshelf --help`` lists the commands from SHORT_HELP without importing
    them: the table is each command's own help, and the list it prints is the
    one Click prints from the commands, at every width."""
    import click

    from citeshelf.cli import main

    assert _short_helps() == main.SHORT_HELP, "run: python tests/test_startup.py --write"
    group = main.cli
    for width in (40, 80, 100, 140):
        fast = click.HelpFormatter(width=width)
        slow = click.HelpFormatter(width=width)
        ctx = click.Context(group)
        group.format_commands(ctx, fast)
        click.Group.format_commands(group, ctx, slow)
        assert fast.getvalue() == slow.getvalue(), width


def test_help_imports_no_command_module(tmp_path: Path) -> None:
    probe = PROBE.replace(
        "print(json.dumps(heavy), file=sys.stderr)",
        'print(json.dumps(sorted(m for m in sys.modules if ".cli.cmd_" in m)), file=sys.stderr)',
    )
    p = subprocess.run(
        [sys.executable, "-c", probe, "--help"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
    )
    assert "Commands:" in p.stdout
    assert json.loads(p.stderr.strip().splitlines()[-1]) == []


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import re

    source = Path(__file__).resolve().parents[1] / "src" / "citeshelf" / "cli" / "main.py"
    rows = "".join(f"    {name!r}: {text!r},\n" for name, text in _short_helps().items())
    text = source.read_text(encoding="utf-8")
    text = re.sub(
        r"(SHORT_HELP: dict\[str, str \| None\] = \{\n).*?(\n\})",
        lambda m: m.group(1) + rows.rstrip("\n") + m.group(2),
        text,
        count=1,
        flags=re.S,
    )
    source.write_text(text, encoding="utf-8")
    print(f"{source}: SHORT_HELP updated")


START_PROBE = r"""
import json, sys
from citeshelf.cli import start
sys.argv = ["citeshelf", *sys.argv[1:]]
try:
    start.main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
print(json.dumps([code, "click" in sys.modules]), file=sys.stderr)
"""


def _start(args: list[str], env: dict[str, str]) -> tuple[int, bool, str, str]:
    p = subprocess.run(
        [sys.executable, "-c", START_PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    *errs, last = p.stderr.strip().splitlines()
    code, click_loaded = json.loads(last)
    return code, click_loaded, p.stdout, "\n".join(errs)


def test_a_plain_list_is_printed_without_click(tmp_path: Path) -> None:
    lib = tmp_path / "records"
    shutil.copytree(ROOT / "records", lib)
    env = _env(tmp_path)
    for query in (["author:merand", "OR", "title:nato"], ["title:security governance"], []):
        code, click_loaded, out, _err = _start(["--library", str(lib), "list", *query], env)
        assert code == 0 and not click_loaded, query
        # the same bytes as the Click command's (--limit keeps it from the short way)
        _code, click_loaded, slow, _ = _start(
            ["--library", str(lib), "list", "--limit", "1000", *query], env
        )
        assert click_loaded and slow == out and out
    # a mistake is reported by the Click group, in its words, with its exit code
    code, click_loaded, out, err = _start(["--library", str(lib), "list", "author:("], env)
    assert code == 2 and click_loaded and out == ""
    assert err == "citeshelf: error: in the query at column 8: this '(' is never closed: add ')'"
    code, click_loaded, out, err = _start(["--library", str(tmp_path / "none"), "list"], env)
    assert code == 3 and click_loaded and err.startswith("citeshelf: error: no library at ")


SLOW_STDLIB = (
    *("dataclasses", "inspect", "hashlib", "_hashlib", "difflib"),
    *("typing", "pathlib", "urllib.parse", "string"),
)
MODULES_PROBE = START_PROBE.replace(
    '"click" in sys.modules]',
    f"sorted(m for m in sys.modules if m in {SLOW_STDLIB!r})]",
)


def test_a_plain_list_imports_none_of_the_slow_standard_modules(tmp_path: Path) -> None:
    # dataclasses (with inspect), hashlib (which loads OpenSSL) and difflib cost
    # a warm `list` about 13 ms of its 50; typing, pathlib and urllib.parse
    # (with ipaddress) about 9 ms of 44 at 1,000 records: the short way takes
    # none of them
    lib = tmp_path / "records"
    shutil.copytree(ROOT / "records", lib)
    env = _env(tmp_path)
    code, _loaded, out, _err = _start(["--library", str(lib), "list", "author:merand"], env)
    assert code == 0 and out.startswith("bujun2014regional  ")  # (builds the index)
    p = subprocess.run(
        [sys.executable, "-c", MODULES_PROBE, "--library", str(lib), "list", "author:merand"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    code, slow = json.loads(p.stderr.strip().splitlines()[-1])
    assert code == 0 and p.stdout.startswith("bujun2014regional  ")
    assert slow == []


def test_the_program_collects_garbage_less_often_than_python_does() -> None:
    """A command that reads thousands of records would otherwise collect
    thousands of times; only the program sets this, not the core."""
    import gc

    from citeshelf.cli import start

    before = gc.get_threshold()
    try:
        start.collect_less()
        assert gc.get_threshold() == (start.GC_THRESHOLD, *before[1:])
        assert 10 * before[0] < start.GC_THRESHOLD
    finally:
        gc.set_threshold(*before)
