"""`cite` printed again from what an earlier `cite` with the same arguments kept
(citeshelf.ops.citememo): byte for byte the same output, without loading Click
or the data model, and never once a record file, a configuration file or the
environment has changed."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.test_show_memo import ROOT, run

sys.path.insert(0, str(ROOT / "tests" / "bench"))


def _age(folder: Path) -> None:
    """Every file an hour old: none is modified within a clock tick of a scan."""
    old = time.time() - 3600
    for f in [*folder.iterdir(), folder]:
        os.utime(f, (old, old))


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    """The project's records and the benchmark's generated ones."""
    import bench

    folder = tmp_path / "records"
    bench.write_records(bench.generate(60), folder)
    for f in (ROOT / "records").glob("*.json"):
        shutil.copy(f, folder / f.name)
    _age(folder)
    return folder


@pytest.fixture
def own(tmp_path: Path) -> Path:
    """The project's records alone."""
    folder = tmp_path / "own"
    shutil.copytree(ROOT / "records", folder)
    _age(folder)
    return folder


COMMANDS = [
    ["cite", "cottey2014europe"],
    ["cite", "cottey2014europe", "--json"],
    ["cite", "aris2014collective", "cottey2014nato", "--format", "html"],
    ["cite", "aris2014collective", "--form", "reference", "--format", "markdown"],
    ["cite", "aris2014collective", "cottey2014nato", "--form", "reference", "--json"],
    ["cite", "aris2014collective", "--page", "531", "--form", "narrative"],
    ["cite", "sperling2014regime", "-s", "chicago-notes", "-p", "12"],
    ["cite", "sperling2014regime", "-s", "chicago-notes", "--subsequent"],
    ["cite", "cottey2014europe", "-s", "chicago-author-date", "--edition", "17"],
    ["cite", "cottey2014nato", "--subsequent", "--json"],
]


def test_a_remembered_cite_is_the_same_bytes_without_click_or_the_model(
    lib: Path, tmp_path: Path
) -> None:
    import bench

    generated = [r["key"] for r in bench.generate(60)][:8]
    commands = [*COMMANDS, *(["cite", k] for k in generated)]
    commands.append(["cite", *generated[:3], "--form", "reference"])
    for i, command in enumerate(commands):
        args = ["--library", str(lib), *command]
        first = run(args, tmp_path / f"cache-{i}")
        assert first[0] == 0 and first[1] and first[2] == "" and "pydantic" in first[3]
        again = run(args, tmp_path / f"cache-{i}")
        assert again[:3] == first[:3] and again[3] == []
        # the same as a cache that kept nothing
        assert run(args, tmp_path / f"fresh-{i}")[:3] == first[:3]


def _cite(lib: Path, cache: Path, *extra: str, **env: str) -> tuple[int, str, str, list[str]]:
    return run(["--library", str(lib), "cite", "cottey2014europe", *extra], cache, **env)


def _remembered(lib: Path, cache: Path, *extra: str, **env: str) -> str:
    first = _cite(lib, cache, *extra, **env)
    again = _cite(lib, cache, *extra, **env)
    assert again[:3] == first[:3] and again[3] == []
    return first[1]


@pytest.mark.parametrize("in_place", [True, False])
def test_another_record_of_the_same_author_and_year_changes_the_letter(
    own: Path, tmp_path: Path, in_place: bool
) -> None:
    cache = tmp_path / "cache"
    assert _remembered(own, cache) == "(Cottey, 2014a)\n"
    # cottey2014nato (2014b) becomes a work of 2015: cottey2014europe has no letter
    path = own / "cottey2014nato.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["issued"] = {"year": 2015}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if in_place:  # as an editor that does not rename writes it
        with open(path, "r+", encoding="utf-8") as fh:
            fh.write(text)
            fh.truncate()
    else:
        path.unlink()
        (own / "other.json").write_text(text.replace('"cottey2014nato"', '"other"'), "utf-8")
    code, out, _err, heavy = _cite(own, cache)
    assert (code, out) == (0, "(Cottey, 2014)\n") and "pydantic" in heavy
    assert _cite(own, tmp_path / "fresh")[:3] == (0, out, "")


def test_a_record_of_the_same_surname_gives_the_initials(own: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _remembered(own, cache) == "(Cottey, 2014a)\n"
    data = json.loads((own / "aris2014collective.json").read_text(encoding="utf-8"))
    data["key"] = "cottey2001other"
    data["authors"] = [{"family": "Cottey", "given": "Zoë"}]
    data["issued"] = {"year": 2001}
    (own / "cottey2001other.json").write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    code, out, _err, _heavy = _cite(own, cache)
    assert code == 0 and out.startswith("(A. Cottey, 2014a)")
    assert _cite(own, tmp_path / "fresh")[:3] == (0, out, "")


def test_the_cited_record_changed_is_cited_as_it_is_now(own: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _remembered(own, cache, "--json")
    path = own / "cottey2014europe.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"Cottey"', '"Cottez"'), encoding="utf-8")
    code, out, _err, heavy = _cite(own, cache, "--json")
    assert code == 0 and '"text": "(Cottez, 2014)"' in out and "pydantic" in heavy
    path.write_text("{not json", encoding="utf-8")
    code, out, err, _heavy = _cite(own, cache, "--json")
    assert code != 0 and out == "" and err.startswith("citeshelf: error: ")


def test_the_configuration_and_the_environment_are_inputs(own: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    apa = _remembered(own, cache)
    (own / "citeshelf.toml").write_text('[cite]\nstyle = "chicago-author-date"\n', "utf-8")
    _age(own)
    chicago = _remembered(own, cache)
    assert chicago != apa and chicago == _cite(own, tmp_path / "fresh")[1]
    # the user's file, changed between two runs
    user = tmp_path / "user.toml"
    user.write_text("# nothing set\n", "utf-8")
    assert _remembered(own, cache, CITESHELF_CONFIG=str(user)) == chicago
    user.write_text("[cite]\nedition = 17\n", "utf-8")
    code, out, _err, heavy = _cite(own, cache, CITESHELF_CONFIG=str(user))
    assert code == 0 and "pydantic" in heavy
    assert out == _cite(own, tmp_path / "fresh2", CITESHELF_CONFIG=str(user))[1]


def test_what_is_not_remembered(lib: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    # a missing key: Click and the model every time, the same one-line error
    for _ in range(2):
        code, out, err, heavy = run(["--library", str(lib), "cite", "cottey2014eu"], cache)
        assert code == 3 and out == "" and "click" in heavy and len(err.splitlines()) == 1
    # a file of a time to come: the scan cannot vouch for it, so nothing is kept
    soon = time.time() + 60
    os.utime(lib / "aris2014collective.json", (soon, soon))
    for _ in range(2):
        assert "pydantic" in _cite(lib, cache)[3]
    _age(lib)
    _remembered(lib, cache)
    # an interrupted commit to complete, and the index off
    (lib / ".journal").write_text("", "utf-8")
    assert "click" in _cite(lib, cache)[3]
    (lib / ".journal").unlink(missing_ok=True)
    for _ in range(2):
        assert "click" in _cite(lib, cache, CITESHELF_INDEX_DIR="off")[3]


def test_memo_allowed() -> None:
    from citeshelf.ops.citememo import memo_allowed

    assert memo_allowed(["cite", "a", "--json"])
    assert not memo_allowed(["cite", "a", "--csl", "ieee"])
    assert not memo_allowed(["cite", "a", "--csl=ieee"])
    assert not memo_allowed(["cite", "a", "--help"])
