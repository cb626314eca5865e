"""Configuration: a TOML file per user and, optionally, one in the library.

* The user's file: ``citeshelf/config.toml`` in the platform's config folder
  (``$XDG_CONFIG_HOME``, else ``~/.config``; on macOS ``~/Library/Application
  Support``, on Windows ``%APPDATA%``), or the file ``$CITESHELF_CONFIG`` names.
* The library's file: ``citeshelf.toml`` in the records folder. What it sets
  wins over the user's file.
* Environment variables win over both (:data:`SETTINGS` names them), and a
  command's options win over everything.

Settings (:data:`SETTINGS`)::

    editor = "vim"                                # after $VISUAL, $EDITOR
    manuscripts = ["paper.tex"]                   # their keys are pinned
    [keys]
    formula = "[auth:lower][year][title:nostop:1:lower]"
    [cite]
    style = "chicago"
    edition = 17
    [lookup]
    mailto = "me@example.org"                     # after $CITESHELF_MAILTO

Public API::

    load_config(library_dir=None, env=None) -> Config
        ``Config.get(name, default)``, ``Config.source(name)``, ``Config.items()``;
        ``InvalidData`` naming the file and line for a file that is not valid
        TOML or holds an unknown setting or a wrong type.
    user_config_path(env=None), library_config_path(library_dir)
    set_value(path, name, text) / unset_value(path, name)
        Change one setting in a file, keeping its comments and the rest of
        it; the file is replaced atomically.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidData, UsageError
from ..paths import CONFIG_ENV, LIBRARY_CONFIG, library_config_path, user_config_path

__all__ = [
    "LIBRARY_FILE",
    "SETTINGS",
    "Config",
    "Setting",
    "library_config_path",
    "load_config",
    "set_value",
    "unset_value",
    "user_config_path",
]

LIBRARY_FILE = LIBRARY_CONFIG
ENV_FILE = CONFIG_ENV


def _check_formula(value: Any) -> None:
    from ..model.keyformula import parse_formula

    parse_formula(value)


def _check_mailto(value: Any) -> None:
    if "@" not in value or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an e-mail address")


def _check_edition(value: Any) -> None:
    if value <= 0:
        raise ValueError("an edition is a positive number")


@dataclass(frozen=True)
class Setting:
    name: str
    kind: type
    help: str
    env: tuple[str, ...] = ()
    check: Callable[[Any], None] | None = None


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("editor", str, "The editor 'edit' opens.", ("VISUAL", "EDITOR")),
        Setting(
            "manuscripts",
            list,
            "Manuscripts (relative to the file) whose cited keys 'rekey --all' leaves alone.",
        ),
        Setting("keys.formula", str, "The key formula new keys are made with.", (), _check_formula),
        Setting("cite.style", str, "The default style of 'cite' and 'bibliography'."),
        Setting("cite.edition", int, "The default edition of the style.", (), _check_edition),
        Setting(
            "lookup.mailto",
            str,
            "The contact address sent with identifier lookups.",
            ("CITESHELF_MAILTO",),
            _check_mailto,
        ),
    )
}


@dataclass
class Config:
    """The settings in force: name -> (value, where it came from)."""

    values: dict[str, tuple[Any, str]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def get(self, name: str, default: Any = None) -> Any:
        if name not in SETTINGS:
            raise UsageError(f"unknown setting {name!r}: settings are {', '.join(SETTINGS)}")
        got = self.values.get(name)
        return default if got is None else got[0]

    def source(self, name: str) -> str | None:
        got = self.values.get(name)
        return None if got is None else got[1]

    def items(self) -> Iterator[tuple[str, Any, str]]:
        for name in SETTINGS:
            if name in self.values:
                value, source = self.values[name]
                yield name, value, source


def load_config(
    library_dir: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Config:
    """The configuration in force for the library at ``library_dir``."""
    env = os.environ if env is None else env
    config = Config()
    paths = [user_config_path(env)]
    if library_dir is not None:
        paths.append(library_config_path(library_dir))
    for path in paths:
        data = read_file(path)
        if data is None:
            continue
        config.files.append(path)
        for name, value in data.items():
            config.values[name] = (value, str(path))
    for name, setting in SETTINGS.items():
        for var in setting.env:
            if env.get(var):
                config.values[name] = (env[var], f"${var}")
                break
    return config


# -- reading ----------------------------------------------------------------------


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib


def read_file(path: Path) -> dict[str, Any] | None:
    """The settings in one file (dotted names), or None if there is no file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InvalidData(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidData(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return _settings(path, text)


def _settings(path: Path | str, text: str) -> dict[str, Any]:
    tomllib = _toml()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", msg)
        if m:
            msg = msg[: m.start()]
            raise InvalidData(f"{path}, line {m.group(1)}: {msg} (column {m.group(2)})") from None
        m = re.search(r"\s*\(at end of document\)$", msg)
        if m:
            msg = msg[: m.start()]
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
            raise InvalidData(f"{path}, line {max(line, 1)}: {msg}") from None
        raise InvalidData(f"{path}: {msg}") from None
    out: dict[str, Any] = {}
    for name, value in _flatten(data):
        setting = SETTINGS.get(name)
        where = f"{path}, line {_line_of(text, name)}"
        if setting is None:
            raise InvalidData(
                f"{where}: unknown setting {name!r}: settings are {', '.join(SETTINGS)}"
            )
        try:
            out[name] = _check(setting, value)
        except ValueError as exc:
            raise InvalidData(f"{where}: {name}: {exc}") from None
    return out


def _flatten(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        name = prefix + key
        if isinstance(value, dict) and name not in SETTINGS:
            yield from _flatten(value, name + ".")
        else:
            yield name, value


def _check(setting: Setting, value: Any) -> Any:
    kind = setting.kind
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"takes a number, not {value!r}")
    if kind is str and not isinstance(value, str):
        raise ValueError(f"takes a text in quotes, not {value!r}")
    if kind is list and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
        raise ValueError(f'takes a list of texts, e.g. ["paper.tex"], not {value!r}')
    if setting.check is not None:
        setting.check(value)
    return value


_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$")


def _assignment(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(name)}\s*=")


def _line_of(text: str, name: str) -> int:
    """The line (from 1) that sets the dotted ``name``, as well as it can be told."""
    table, _, last = name.rpartition(".")
    current = ""
    for n, line in enumerate(text.splitlines(), 1):
        m = _TABLE.match(line)
        if m:
            current = m.group(1)
            if current == name:
                return n
            continue
        if _assignment(last).match(line) and current == table:
            return n
        if _assignment(name).match(line) and current == "":
            return n
    return 1


# -- writing -----------------------------------------------------------------------


def parse_value(name: str, text: str) -> Any:
    """The value of setting ``name`` from the command line's text."""
    setting = SETTINGS.get(name)
    if setting is None:
        raise UsageError(f"unknown setting {name!r}: settings are {', '.join(SETTINGS)}")
    value: Any = text
    if setting.kind is int:
        if not text.strip().isdigit():
            raise UsageError(f"{name} takes a number, not {text!r}")
        value = int(text)
    elif setting.kind is list:
        value = [v.strip() for v in text.split(",") if v.strip()]
    try:
        return _check(setting, value)
    except ValueError as exc:
        raise UsageError(f"{name}: {exc}") from None


def _toml_value(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    out = ['"']
    for c in str(value):
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _edit_text(text: str, name: str, line: str | None) -> str:
    """``text`` with the setting ``name`` replaced by ``line`` (None: removed)."""
    table, _, last = name.rpartition(".")
    lines = text.splitlines(keepends=True)
    current = ""
    last_in_table: int | None = None
    first_table: int | None = None
    for i, raw in enumerate(lines):
        m = _TABLE.match(raw)
        if m:
            current = m.group(1)
            if first_table is None:
                first_table = i
            if current == table:
                last_in_table = i
            continue
        if current == table:
            if _assignment(last).match(raw):
                if line is None:
                    del lines[i]
                else:
                    lines[i] = line + "\n"
                return "".join(lines)
            if raw.strip() and not raw.lstrip().startswith("#"):
                last_in_table = i
    if line is None:
        return text
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if table == "":
        at = first_table if first_table is not None else len(lines)
        lines.insert(at, line + "\n")
    elif last_in_table is not None:
        lines.insert(last_in_table + 1, line + "\n")
    else:
        if lines and lines[-1].strip():
            lines.append("\n")
        lines += [f"[{table}]\n", line + "\n"]
    return "".join(lines)


def set_value(path: Path, name: str, text: str) -> Any:
    """Set ``name`` in the file ``path`` (made if missing) from ``text``; the
    value set. Nothing is written if the file is not valid to begin with."""
    value = parse_value(name, text)
    _rewrite(path, name, f"{name.rpartition('.')[2]} = {_toml_value(value)}", value)
    return value


def unset_value(path: Path, name: str) -> bool:
    """Remove ``name`` from the file ``path``; whether it was set there."""
    if name not in SETTINGS:
        raise UsageError(f"unknown setting {name!r}: settings are {', '.join(SETTINGS)}")
    current = read_file(path)
    if not current or name not in current:
        return False
    _rewrite(path, name, None, None)
    return True


def _rewrite(path: Path, name: str, line: str | None, value: Any) -> None:
    before = read_file(path)  # refuses a file that is not valid as it is
    old = path.read_text(encoding="utf-8") if before is not None else ""
    new = _edit_text(old, name, line)
    after = _settings(path, new)
    expected = dict(before or {})
    if line is None:
        expected.pop(name, None)
    else:
        expected[name] = value
    if after != expected:
        raise InvalidData(f"{path}: cannot change {name} in this file safely: edit it by hand")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".citeshelf-", suffix=".toml.part", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(new)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
