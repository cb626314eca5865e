"""The ``citeshelf`` executable. Two command lines are answered from what an
earlier run printed, without loading Click or the data model:

* ``show KEY`` (and ``--json``), when the record's and its book's files have
  the same bytes as then (:mod:`citeshelf.ops.showmemo`);
* ``cite ...`` with the same arguments, when no record file, configuration
  file or citeshelf's code changed since (:mod:`citeshelf.ops.citememo`),
  printing to a pipe or a file;
* ``citeshelf --help`` (``-h``, or no arguments), when the terminal has the
  width it had then and citeshelf and Click the same code.

And ``list [QUERY...]`` with no option is printed without loading Click
(:func:`.listview.print_listing`, which the Click command prints through too);
if it fails, the Click group runs it again to say why.

Everything else goes to the Click group (:mod:`.main`), which keeps those
texts when it prints them."""

from __future__ import annotations

import os
import sys

from .helptext import help_remembered

__all__ = ["main"]


#: The command line ``main`` was given (``cite`` keeps its output for it).
MAIN_ARGS: list[str] | None = None


def library_args(args: list[str]) -> tuple[str | None, list[str]] | None:
    """(--library, the rest) of ``[--library DIR] ...``; None for an empty
    --library (Click says why)."""
    library = None
    if args[:1] in (["--library"], ["-L"]) and len(args) > 1:
        library, args = args[1], args[2:]
    elif args[:1] and args[0].startswith("--library="):
        library, args = args[0][len("--library=") :], args[1:]
    if not library and library is not None:
        return None
    return library, args


def _show_args(args: list[str]) -> tuple[str | None, str, bool] | None:
    """(--library, KEY, --json) of exactly ``[--library DIR] show KEY [--json]``
    (--json before or after KEY), else None: Click parses every other command line."""
    split = library_args(args)
    if split is None:
        return None
    library, args = split
    if args[:1] != ["show"]:
        return None
    rest = args[1:]
    as_json = "--json" in rest
    if as_json:
        rest.remove("--json")
    if len(rest) != 1 or rest[0].startswith("-") or "--json" in rest:
        return None
    return library, rest[0], as_json


def show_remembered(args: list[str]) -> bool:
    """Print what ``show KEY`` printed before if its inputs have the same
    bytes as then; False (nothing printed) otherwise."""
    parsed = _show_args(args)
    if parsed is None:
        return False
    library, key, as_json = parsed
    if library is not None and os.path.isfile(library):
        return False  # Click says why
    from .. import render
    from ..library.locate import find_library_text
    from ..ops.showmemo import remembered

    folder, _how = find_library_text(library)
    kept = remembered(folder, key, "json" if as_json else "view")
    if as_json:
        if not isinstance(kept, dict):
            return False
        render.print_json(kept)
        return True
    if not (isinstance(kept, list) and len(kept) == 3):
        return False
    title, fields, footer = kept
    render.print_fields(title, [(label, text) for label, text in fields], footer=footer)
    return True


def cite_remembered(args: list[str]) -> bool:
    """Print what ``cite`` with the same arguments printed before if nothing
    it was made of changed since; False (nothing printed) otherwise."""
    split = library_args(args)
    if split is None or split[1][:1] != ["cite"] or len(split[1]) < 2:
        return False
    library, rest = split
    if library is not None and os.path.isfile(library):
        return False  # Click says why
    from .. import render

    if render.stdout_is_terminal():
        return False
    from ..library.locate import find_library_text
    from ..ops.citememo import remembered

    folder, _how = find_library_text(library)
    kept = remembered(folder, rest)
    if kept is None:
        return False
    how, value = kept
    if how == "json":
        render.print_json(value)
    elif isinstance(value, str):
        render.print_line(value)
    else:
        return False
    return True


def listed(args: list[str]) -> bool:
    """Print ``[--library DIR] list [QUERY...]`` (no option, no word that
    starts with "-") as the Click command would; False, with nothing printed,
    for any other command line or if it fails (the Click group then runs it
    and says why)."""
    split = library_args(args)
    if split is None or split[1][:1] != ["list"]:
        return False
    library, rest = split
    words = rest[1:]
    if any(w.startswith("-") for w in words):
        return False
    if library is not None and os.path.isfile(library):
        return False  # Click says why
    from ..errors import CiteshelfError
    from .listview import join_query, print_listing

    try:
        print_listing(library, join_query(words))
    except BrokenPipeError:  # e.g. `citeshelf list | head`
        sys.stderr.close()
    except (CiteshelfError, OSError):
        return False
    return True


def main() -> None:
    global MAIN_ARGS
    args = sys.argv[1:]
    if help_remembered(args) or show_remembered(args) or cite_remembered(args) or listed(args):
        sys.exit(0)
    MAIN_ARGS = list(args)
    collect_less()
    from .main import main as run

    run()


#: objects allocated (less those freed) between two collections of the
#: youngest generation: Python's 700 makes a command that reads thousands of
#: records collect thousands of times (1,400 times, 1.1 s of a 10,000-entry
#: import, 0.5 s of a first bibliography), for the few cycles they make
GC_THRESHOLD = 50_000


def collect_less() -> None:
    """The command's garbage collection policy: the youngest generation is
    collected after :data:`GC_THRESHOLD` allocations, the older ones as
    usual. (Only the program sets it: the core, used as a library, leaves
    its caller's policy alone.)"""
    import gc

    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, middle, old)
