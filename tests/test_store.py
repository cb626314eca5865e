"""The records/ store: deterministic files, atomic and exclusive writes, key checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from citeshelf.errors import AlreadyExists, InvalidData, NotFound, UsageError
from citeshelf.library import (
    Library,
    RecordStore,
    dumps_record,
    find_library,
    resolve,
)
from citeshelf.model import parse_record
from citeshelf.model.inherit import chapter_view
from citeshelf.model.keys import base_key, unique_key

from .conftest import DEFAULT_LIBRARY, snapshot


def book(key: str = "sperling2014handbook", **extra):
    data = {
        "type": "book",
        "key": key,
        "title": "Handbook of governance and security",
        "editors": [{"family": "Sperling", "given": "James"}],
        "issued": "2014",
        "publisher": "Edward Elgar Publishing",
        "place": "Cheltenham, UK",
        "isbn": ["9781781953167"],
        "doi": "10.1234/book",
        "url": "https://example.org/book",
    }
    data.update(extra)
    return parse_record(data)


def chapter(key: str = "aris2014collective", **extra):
    data = {
        "type": "chapter",
        "key": key,
        "title": "Collective Security Treaty Organization",
        "authors": [{"family": "Aris", "given": "Stephen"}],
        "parent": "sperling2014handbook",
        "chapter": "30",
    }
    data.update(extra)
    return parse_record(data)


def test_record_file_is_deterministic(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    rec = chapter(added="2026-01-01T00:00:00Z")
    lib.create(rec)
    text = (empty_lib / "aris2014collective.json").read_text(encoding="utf-8")
    assert text == (
        "{\n"
        '  "type": "chapter",\n'
        '  "key": "aris2014collective",\n'
        '  "title": "Collective Security Treaty Organization",\n'
        '  "authors": [\n'
        "    {\n"
        '      "family": "Aris",\n'
        '      "given": "Stephen"\n'
        "    }\n"
        "  ],\n"
        '  "parent": "sperling2014handbook",\n'
        '  "chapter": "30",\n'
        '  "added": "2026-01-01T00:00:00Z"\n'
        "}\n"
    )
    assert lib.get("aris2014collective") == rec
    assert dumps_record(lib.get("aris2014collective")) == text


def test_default_library_files_are_in_canonical_form() -> None:
    lib = Library(DEFAULT_LIBRARY)
    for key in lib.keys():
        path = DEFAULT_LIBRARY / f"{key}.json"
        assert dumps_record(lib.get(key)) == path.read_text(encoding="utf-8"), path


def test_create_is_exclusive(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    lib.create(book())
    before = snapshot(empty_lib)
    with pytest.raises(AlreadyExists, match="already exists"):
        lib.create(book(publisher="Someone else"))
    assert snapshot(empty_lib) == before


def test_a_temporary_file_never_overwrites_a_file_of_the_same_name(empty_lib: Path) -> None:
    """Temporary files are named by process id and a counter and created
    exclusively: a file already there under the next name (left by an earlier
    process of the same id, or made by another) is kept and another name taken."""
    from citeshelf.library import store

    records = RecordStore(empty_lib)
    count = store._TEMP_COUNT[0]
    names = [f"{store.TEMP_PREFIX}{os.getpid()}-{count + n}{store.TEMP_SUFFIX}" for n in (1, 2)]
    for name in names:
        (empty_lib / name).write_text("someone else's", encoding="utf-8")
    tmp = records._write_temp("mine")  # (create, update and write_text write through it)
    for name in names:
        assert (empty_lib / name).read_text(encoding="utf-8") == "someone else's"
    assert Path(tmp).name not in names and Path(tmp).read_text(encoding="utf-8") == "mine"
    assert store._TEMP_COUNT[0] == count + 3


def test_a_staged_file_never_overwrites_a_file_of_the_same_name(empty_lib: Path) -> None:
    """Staged files go to a folder of this process's own (made by ``mkdtemp``,
    held while it lives), named by a counter and created exclusively: a file
    another process put there under the next name is kept, and the staging
    fails (nothing is committed; the commit says why)."""
    from citeshelf.library import store

    records = RecordStore(empty_lib)
    first = records.stage(book("first"))
    folder = Path(first).parent
    name = f"{store.TEMP_PREFIX}{os.getpid()}-{store._TEMP_COUNT[0] + 1}{store.TEMP_SUFFIX}"
    (folder / name).write_text("someone else's", encoding="utf-8")
    second = records.stage(book("second"))
    assert Path(second).name == name
    with pytest.raises(FileExistsError):
        records.commit_staged([(first, "first"), (second, "second")])
    assert (folder / name).read_text(encoding="utf-8") == "someone else's"
    assert records.keys() == []
    assert [p.name for p in folder.iterdir()] == [name]  # the staged file is removed


def test_the_staging_thread_writes_nothing_after_an_error(tmp_path: Path) -> None:
    """The thread that writes staged files stops at its first error: the
    files put after it are not written, and it says which (a discard must not
    remove a file of their names: it is not this process's)."""
    from citeshelf.library.store import _StageWriter

    taken = tmp_path / "taken"
    taken.write_text("someone else's", encoding="utf-8")
    writer = _StageWriter()
    for name in ("a", "taken", "b", "c"):
        writer.put(str(tmp_path / name), name.encode())
    writer.close()
    assert isinstance(writer.error, FileExistsError)
    assert writer.unwritten == {str(tmp_path / n) for n in ("taken", "b", "c")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "taken"]
    assert taken.read_text(encoding="utf-8") == "someone else's"
    with pytest.raises(FileExistsError):
        writer.raise_error()


def test_keys_differing_only_in_case_are_refused(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    lib.create(book("Smith2020"))
    with pytest.raises(AlreadyExists, match="differs only in letter case"):
        lib.create(book("smith2020"))
    assert lib.keys() == ["Smith2020"]


def test_update_replaces_atomically_and_leaves_no_temp_files(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    lib.create(book())
    lib.update(book(publisher="Elgar"))
    assert lib.get("sperling2014handbook").publisher == "Elgar"
    assert sorted(os.listdir(empty_lib)) == ["sperling2014handbook.json"]


def test_failed_write_leaves_old_file_whole(
    empty_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library(empty_lib)
    lib.create(book())
    before = snapshot(empty_lib)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        lib.update(book(publisher="Elgar"))
    assert snapshot(empty_lib) == before


def test_record_files_get_normal_permissions(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    path = lib.create(book())
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("key", ["", "a,b", "x\ny", "a" * 129, " x", "a{b}", "50%"])
def test_bad_keys_never_become_paths(empty_lib: Path, key: str) -> None:
    lib = Library(empty_lib)
    with pytest.raises(UsageError, match="not a valid key"):
        lib.get(key)
    with pytest.raises(UsageError):
        lib.delete(key)
    assert key not in lib


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("../x", "%2E.%2Fx.json"),
        ("/etc/passwd", "%2Fetc%2Fpasswd.json"),
        ("baez/article", "baez%2Farticle.json"),
        (".hidden", "%2Ehidden.json"),
        ("x y", "x%20y.json"),
        ("Müller:2020", "M%C3%BCller:2020.json"),
        ("李2020", "%E6%9D%8E2020.json"),
        ("aris2014collective", "aris2014collective.json"),
    ],
)
def test_keys_that_are_no_file_names_get_an_escaped_one(
    empty_lib: Path, key: str, name: str
) -> None:
    lib = Library(empty_lib)
    path = lib.create(book(key=key))
    assert path == empty_lib / name
    assert lib.keys() == [key]
    assert lib.get(key).key == key
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == key


def test_stray_file_names_are_reported_not_read(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    (empty_lib / "x y.json").write_text(json.dumps({"type": "book", "key": "x y"}))
    (empty_lib / "a%2fb.json").write_text("{}")
    assert lib.keys() == []
    _, problems = lib.load_all()
    assert [p.reason for p in problems] == [
        f"{empty_lib / 'a%2fb.json'}: not the file name of a record key",
        f"{empty_lib / 'x y.json'}: not the file name of a record key: its key 'x y' is kept "
        "in 'x%20y.json', rename it so",
    ]


def test_malformed_files_name_file_and_field(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    lib.create(book())
    (empty_lib / "broken.json").write_text("{not json", encoding="utf-8")
    (empty_lib / "badisbn.json").write_text(
        json.dumps({"type": "book", "key": "badisbn", "isbn": ["9781781953168"]}), encoding="utf-8"
    )
    (empty_lib / "renamed.json").write_text(
        json.dumps({"type": "book", "key": "other"}), encoding="utf-8"
    )
    with pytest.raises(InvalidData, match=r"broken\.json: not valid JSON \(line 1, column 2"):
        lib.get("broken")
    with pytest.raises(
        InvalidData, match=r"badisbn\.json: field 'isbn': '9781781953168' is not a valid ISBN"
    ):
        lib.get("badisbn")
    with pytest.raises(InvalidData, match="the file's key is 'other' but its name says 'renamed'"):
        lib.get("renamed")
    records, problems = lib.load_all()
    assert [r.key for r in records] == ["sperling2014handbook"]
    assert sorted(p.key for p in problems) == ["badisbn", "broken", "renamed"]


def test_missing_record_and_library(tmp_path: Path) -> None:
    lib = Library(tmp_path / "nowhere")
    with pytest.raises(NotFound, match="no library at"):
        lib.keys()
    (tmp_path / "lib").mkdir()
    with pytest.raises(NotFound, match="no record 'x'"):
        Library(tmp_path / "lib").get("x")


def test_resolution_inherits_book_data_but_not_identifiers() -> None:
    rec = chapter_view(chapter(doi="10.9999/ch30"), book())
    assert rec.container_title == "Handbook of governance and security"
    assert [p.family for p in rec.editors] == ["Sperling"]
    assert (rec.publisher, rec.place, rec.year, rec.isbn) == (
        "Edward Elgar Publishing",
        "Cheltenham, UK",
        2014,
        ["9781781953167"],
    )
    assert rec.doi == "10.9999/ch30"
    assert chapter_view(chapter(), book()).doi is None
    assert chapter_view(chapter(), book()).url is None


def test_missing_parent_names_both_keys(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    lib.create(chapter(parent="nobook"))
    with pytest.raises(
        NotFound,
        match="chapter 'aris2014collective' names parent 'nobook', which is not in the library",
    ):
        resolve(lib.get("aris2014collective"), lib)


def test_generated_keys() -> None:
    assert base_key(chapter_view(chapter(), book())) == "aris2014collective"
    assert base_key(book()) == "sperling2014handbook"
    org = parse_record(
        {
            "type": "report",
            "key": "x",
            "title": "The state of the world",
            "authors": ["{World Health Organization}"],
        }
    )
    assert base_key(org) == "worldndstate"
    accented = parse_record(
        {
            "type": "book",
            "key": "x",
            "title": "Über die Sicherheit",
            "authors": ["Mérand, Frédéric"],
            "issued": 2014,
        }
    )
    assert base_key(accented) == "merand2014uber"
    taken = {"aris2014collective", "aris2014collectivea"}
    assert unique_key(chapter_view(chapter(), book()), taken.__contains__) == "aris2014collectiveb"


def test_find_library_order(tmp_path: Path) -> None:
    (tmp_path / "paper" / "records").mkdir(parents=True)
    (tmp_path / "paper" / "sections").mkdir()
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    assert find_library("x", env=env, cwd=tmp_path) == (Path("x"), "--library")
    assert find_library(None, env={**env, "CITESHELF_LIBRARY": "/lib"}, cwd=tmp_path)[0] == Path(
        "/lib"
    )
    assert (
        find_library(None, env=env, cwd=tmp_path / "paper" / "sections")[0]
        == tmp_path / "paper" / "records"
    )
    assert (
        find_library(None, env=env, cwd=tmp_path)[0] == tmp_path / "data" / "citeshelf" / "records"
    )


def test_find_library_text_is_find_library_as_text(tmp_path: Path, monkeypatch) -> None:
    """The light twin the kept ``show``/``cite`` use (no pathlib) finds the
    same folder, from an absolute or relative working folder, at any depth."""
    from citeshelf.library.locate import find_library_text

    (tmp_path / "paper" / "records").mkdir(parents=True)
    (tmp_path / "paper" / "a" / "b").mkdir(parents=True)
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    monkeypatch.chdir(tmp_path)
    cwds = [
        tmp_path / "paper" / "a" / "b",
        "paper/a/b",
        "paper/a/b/",
        "paper",
        ".",
        tmp_path,
        "/",
    ]
    for cwd in cwds:
        path, how = find_library(None, env=env, cwd=cwd)
        text, how_text = find_library_text(None, env=env, cwd=cwd)
        assert (Path(text), how_text) == (path, how), cwd
    assert find_library_text(None, env=env, cwd="paper/a/b") == (
        os.path.join("paper", "records"),
        "nearest records/ folder",
    )
    (tmp_path / "records").mkdir()
    assert find_library_text(None, env=env, cwd=".") == ("./records", "nearest records/ folder")
    assert find_library(None, env=env, cwd=".")[0] == Path("records")


def _stage_and_commit(lib: Library, records: list) -> list[Path]:
    """Stage every record, then commit them at once (as the importer does)."""
    return lib.commit_staged([(lib.stage(r), r.key) for r in records])


def test_staged_records_are_committed_all_or_nothing(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    lib.create(book("taken"))
    before = snapshot(empty_lib)
    with pytest.raises(AlreadyExists, match="'taken' already exists; nothing was saved"):
        _stage_and_commit(lib, [book("new1"), book("new2"), book("taken")])
    assert snapshot(empty_lib) == before
    with pytest.raises(AlreadyExists, match="two new records share the key"):
        _stage_and_commit(lib, [book("Dup"), book("dup")])
    with pytest.raises(AlreadyExists, match="differs only in letter case"):
        _stage_and_commit(lib, [book("TAKEN")])
    assert snapshot(empty_lib) == before
    _stage_and_commit(lib, [book("new1"), book("new2")])
    assert lib.keys() == ["new1", "new2", "taken"]
    assert lib.get("new1").added is not None
    assert not [p for p in os.listdir(empty_lib) if p.startswith(".")]


def test_the_store_reads_chapter_keys_from_the_files_and_library_from_the_index(
    handbook_lib: Path, index_dir: Path
) -> None:
    slow = RecordStore(handbook_lib).chapter_keys("sperling2014handbook")
    assert not index_dir.exists()  # the store alone never opens an index
    assert len(slow) == 18 and slow == sorted(slow) and "aris2014collective" in slow
    assert Library(handbook_lib).chapter_keys("sperling2014handbook") == slow
    assert list(index_dir.iterdir())  # Library asked the index


def test_record_files_are_written_as_json_dumps_writes_them(tmp_path) -> None:
    """The fast writer gives json.dumps(indent=2)'s bytes, for every record of
    the default library and for awkward values in extra (floats, huge integers,
    control characters, non-BMP text, empty containers)."""
    import json
    from pathlib import Path

    from citeshelf.library.store import dumps_record
    from citeshelf.model import parse_record

    def want(data: dict) -> str:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    root = Path(__file__).resolve().parents[1] / "records"
    for path in sorted(root.glob("*.json")):
        record = parse_record(json.loads(path.read_text(encoding="utf-8")))
        assert dumps_record(record) == want(record.to_json_dict()) == path.read_text("utf-8")
    odd = {
        "f": 1e16,
        "g": 0.1,
        "big": 2**70,
        "ctl": "a\x1b[31m\x7f\u2028b",
        "emoji": "\U0001f600 李",
        "nested": {"e": [], "d": {}, "l": [1, "x", None, True]},
    }
    for name, value in odd.items():
        record = parse_record({"type": "book", "key": "k", "title": "T", "extra": {name: value}})
        assert dumps_record(record) == want(record.to_json_dict()), name


def test_path_for_keeps_paths_for_its_folder_only(tmp_path: Path) -> None:
    """The paths ``path_for`` keeps are those of the store's folder: a store
    given another folder gives that folder's paths; a bad key is refused
    each time it is asked for."""
    from citeshelf.library.store import PATHS_KEPT, RecordStore

    store = RecordStore(tmp_path / "a")
    assert store.path_for("doe2020") == tmp_path / "a" / "doe2020.json"
    assert store.path_for("doe2020") is store.path_for("doe2020")
    store.path = tmp_path / "b"
    assert store.path_for("doe2020") == tmp_path / "b" / "doe2020.json"
    for _ in range(2):
        with pytest.raises(UsageError):
            store.path_for("")
    for i in range(PATHS_KEPT + 10):  # more than it keeps: the same answers
        assert store.path_for(f"k{i}") == tmp_path / "b" / f"k{i}.json"
    assert len(store._paths) <= PATHS_KEPT
