"""The top-level help as Click last made it for a terminal width, kept in the
cache folder with a stamp of citeshelf's and Click's code, so that
``citeshelf --help`` (:mod:`.start`) prints it again without loading Click."""

from __future__ import annotations

import os
import sys

__all__ = ["HELP_MAX_WIDTH", "help_remembered", "help_width", "remember_help"]

#: the widest the help is wrapped to (Click's ``max_content_width``)
HELP_MAX_WIDTH = 100
_HELP_ARGS: tuple[list[str], ...] = ([], ["--help"], ["-h"])


def help_width() -> int:
    """The width Click wraps the help to on this terminal (its HelpFormatter's rule)."""
    return max(min(_terminal_columns(), HELP_MAX_WIDTH) - 2, 50)


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (what Click wraps to), without
    importing shutil: $COLUMNS if it is a positive number, else the
    terminal's width, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def _help_file(width: int) -> tuple[str, str] | None:
    """The file the top-level help of ``width`` is kept in, and the stamp of
    the code it was made by (citeshelf's and Click's); None: nothing is kept,
    as no index is."""
    from ..ops.showmemo import blake2b, code_stamp
    from ..paths import index_dir_text, index_off

    if index_off():
        return None
    digest = blake2b(code_stamp())
    for entry in sys.path:
        folder = os.path.join(entry or ".", "click")
        try:
            stats = [os.stat(os.path.join(folder, f"{m}.py")) for m in ("__init__", "core")]
        except OSError:
            continue
        for st in stats:
            digest.update(f"{folder}\0{st.st_mtime_ns}\0{st.st_size}\n".encode())
        break
    return os.path.join(index_dir_text(), "help", f"{width}.txt"), digest.hexdigest()


def remember_help(width: int, text: str) -> None:
    """Keep the top-level help as Click made it for ``width`` (a cache folder
    that cannot be written is left alone)."""
    where = _help_file(width)
    if where is None:
        return
    path, stamp = where
    from pathlib import Path

    from ..ops.showmemo import keep_file

    keep_file(Path(path), f"{stamp}\n{text}")


def help_remembered(args: list[str]) -> bool:
    """Print the top-level help kept for this width and code; False (nothing
    printed) if there is none."""
    if args not in _HELP_ARGS:
        return False
    where = _help_file(help_width())
    if where is None:
        return False
    path, stamp = where
    try:
        with open(path, encoding="utf-8") as f:
            kept = f.read()
    except (OSError, ValueError):
        return False
    head, sep, text = kept.partition("\n")
    if head != stamp or not sep:
        return False
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return True
