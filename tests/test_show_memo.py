"""`show KEY` printed again from what an earlier `show` of the same bytes kept
(citeshelf.ops.showmemo), and `citeshelf --help` from what an earlier one at
the same width printed (citeshelf.cli.start): byte for byte the same output,
without loading Click or the data model, and never once a file has changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bench"))

PROBE = r"""
import json, sys
from citeshelf.cli.start import main
sys.argv = ["citeshelf", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
sys.stdout.flush()
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"pydantic", "click", "rich"})
print(json.dumps([code, heavy]), file=sys.stderr)
"""


def run(args: list[str], cache: Path, **env_vars: str) -> tuple[int, str, str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITESHELF_")}
    env.update({"CITESHELF_INDEX_DIR": str(cache), "NO_COLOR": "1", **env_vars})
    p = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120
    )
    *err, last = p.stderr.splitlines()
    code, heavy = json.loads(last)
    return code, p.stdout, "\n".join(err), heavy


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    """The project's records and the benchmark's generated ones (every type)."""
    import bench

    folder = tmp_path / "records"
    bench.write_records(bench.generate(60), folder)
    for f in (ROOT / "records").glob("*.json"):
        shutil.copy(f, folder / f.name)
    return folder


def _keys(lib: Path) -> list[str]:
    return sorted(f.stem for f in lib.glob("*.json"))


def test_a_remembered_show_is_the_same_bytes_without_click_or_the_model(
    lib: Path, tmp_path: Path
) -> None:
    types = set()
    for key in _keys(lib):
        types.add(json.loads((lib / f"{key}.json").read_text(encoding="utf-8"))["type"])
        for extra in ([], ["--json"]):
            args = ["--library", str(lib), "show", key, *extra]
            # a cache of its own: each run is the first, the model's output
            first = run(args, tmp_path / f"fresh-{key}{extra}")
            assert first[0] == 0 and "pydantic" in first[3]
            again = run(args, tmp_path / f"fresh-{key}{extra}")
            assert again[:3] == first[:3]
            assert again[3] == []
    assert {"book", "chapter", "article", "report", "thesis", "webpage", "paper"} <= types


def test_json_before_the_key_and_library_equals_form(lib: Path, tmp_path: Path) -> None:
    key = "aris2014collective"
    cache = tmp_path / "cache"
    first = run(["--library", str(lib), "show", key, "--json"], cache)
    again = run([f"--library={lib}", "show", "--json", key], cache)
    assert again[:3] == first[:3] and again[3] == []


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text[:-3],  # no longer JSON
        lambda text: text.replace('"title": "Collective', '"title": 3, "x": "Collective'),
        lambda text: text.replace('"chapter": "30"', '"chapter": "30", "colour": "red"'),
        lambda text: text.replace('"key": "aris2014collective"', '"key": "aris2014other"'),
    ],
)
def test_a_file_changed_since_is_read_and_validated_again(
    lib: Path, tmp_path: Path, change
) -> None:
    key = "aris2014collective"
    cache = tmp_path / "cache"
    args = ["--library", str(lib), "show", key]
    for extra in ([], ["--json"]):
        assert run([*args, *extra], cache)[0] == 0  # remembered
    path = lib / f"{key}.json"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    for extra in ([], ["--json"]):
        code, out, err, heavy = run([*args, *extra], cache)
        expected = run([*args, *extra], tmp_path / "never-shown")
        assert (code, out, err) == expected[:3]
        assert code != 0 and out == "" and err.startswith("citeshelf: error: ")
        assert len(err.splitlines()) == 1 and "pydantic" in heavy


def test_the_book_changed_since_is_shown_as_it_is_now(lib: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    args = ["--library", str(lib), "show", "aris2014collective"]
    assert "Handbook of governance and security" in run(args, cache)[1]
    book = lib / "sperling2014handbook.json"
    text = book.read_text(encoding="utf-8")
    book.write_text(text.replace("Handbook of governance", "Handbook of statecraft"), "utf-8")
    code, out, _err, heavy = run(args, cache)
    assert code == 0 and "Handbook of statecraft and security" in out
    assert "pydantic" in heavy
    assert run(args, cache)[1] == out and run(args, cache)[3] == []


def test_a_missing_key_and_other_command_lines_go_through_click(lib: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code, out, err, heavy = run(["--library", str(lib), "show", "aris2014colective"], cache)
    assert code == 3 and "did you mean 'aris2014collective'?" in err and "click" in heavy
    run(["--library", str(lib), "show", "aris2014collective"], cache)
    for args in (
        ["--library", str(lib), "show", "aris2014collective", "--help"],
        ["--library", str(lib), "show", "aris2014collective", "cottey2014nato"],
        ["--library", str(lib / "aris2014collective.json"), "show", "aris2014collective"],
    ):
        assert "click" in run(args, cache)[3]


def test_the_help_is_printed_again_at_the_width_it_was_made_for(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    seen = {}
    for columns in ("60", "80", "140"):
        first = run(["--help"], cache, COLUMNS=columns)
        assert first[0] == 0 and first[1].startswith("Usage: citeshelf") and "click" in first[3]
        for args in (["--help"], ["-h"], []):
            again = run(args, cache, COLUMNS=columns)
            assert again[:3] == first[:3] and again[3] == []
        seen[columns] = first[1]
    assert len(set(seen.values())) == 3  # each width its own text
    # what Click makes for each width, with nothing kept
    for columns, text in seen.items():
        assert run(["--help"], tmp_path / f"fresh-{columns}", COLUMNS=columns)[1] == text
    assert max(len(line) for line in seen["140"].splitlines()) <= 98


def test_a_help_kept_by_other_code_is_not_printed(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run(["--help"], cache, COLUMNS="80")
    kept = cache / "help" / "78.txt"
    stamp, _, text = kept.read_text(encoding="utf-8").partition("\n")
    assert text + "\n" == first[1]
    kept.write_text("0" * len(stamp) + "\nsomething else", encoding="utf-8")
    again = run(["--help"], cache, COLUMNS="80")
    assert again[1] == first[1] and "click" in again[3]


def test_nothing_is_kept_when_the_index_is_off(lib: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITESHELF_")}
    env.update({"CITESHELF_INDEX_DIR": "off", "NO_COLOR": "1"})
    for args in (["--library", str(lib), "show", "aris2014collective"], ["--help"]):
        outs = []
        for _ in range(2):
            p = subprocess.run(
                [sys.executable, "-c", PROBE, *args],
                capture_output=True,
                text=True,
                env=env,
                cwd=work,
                timeout=120,
            )
            code, heavy = json.loads(p.stderr.splitlines()[-1])
            assert code == 0 and "click" in heavy
            outs.append(p.stdout)
        assert outs[0] == outs[1] and outs[0]
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("columns", [None, "72", "0", "abc", "300"])
def test_the_help_width_is_shutils_without_shutil(monkeypatch, columns) -> None:
    """A kept --help is found by the width Click wraps to, which comes from
    shutil.get_terminal_size: the start-up path computes the same columns
    without importing shutil."""
    import shutil as sh

    from citeshelf.cli import helptext

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.delenv("LINES", raising=False)
    assert helptext._terminal_columns() == sh.get_terminal_size().columns


def test_a_kept_help_is_printed_without_pathlib_or_shutil(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run(["--help"], cache, COLUMNS="80")
    probe = PROBE.replace(
        '{"pydantic", "click", "rich"}', '{"pydantic", "click", "rich", "pathlib", "shutil"}'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITESHELF_")}
    env.update({"CITESHELF_INDEX_DIR": str(cache), "NO_COLOR": "1", "COLUMNS": "80"})
    p = subprocess.run(
        [sys.executable, "-c", probe, "--help"], capture_output=True, text=True, env=env
    )
    assert json.loads(p.stderr.splitlines()[-1]) == [0, []]
    assert p.stdout.startswith("Usage: citeshelf")


@pytest.mark.parametrize("command", ["show", "cite"])
def test_a_kept_show_or_cite_is_printed_without_typing_or_pathlib(
    lib: Path, tmp_path: Path, command: str
) -> None:
    """``typing`` (with ``contextlib`` and the rest it loads) costs a kept
    ``show`` or ``cite`` a few milliseconds, ``pathlib`` (with ``urllib.parse``,
    ``fnmatch`` and ``ntpath``) about 5 ms: neither imports them."""
    cache = tmp_path / "cache"
    args = ["--library", str(lib), command, "aris2014collective"]
    first = run(args, cache)
    assert first[0] == 0 and first[1]
    probe = PROBE.replace(
        '{"pydantic", "click", "rich"}', '{"pydantic", "click", "rich", "typing", "pathlib"}'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITESHELF_")}
    env.update({"CITESHELF_INDEX_DIR": str(cache), "NO_COLOR": "1"})
    p = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert json.loads(p.stderr.splitlines()[-1]) == [0, []]
    assert p.stdout == first[1]
