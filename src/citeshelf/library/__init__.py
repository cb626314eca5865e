"""A library of records: the records/ folder, its index, parent resolution and queries.

* :mod:`.store`: ``RecordStore``, one JSON file per record, written atomically
  (``RecordProblem`` for a file that cannot be read, ``dumps_record``).
* :mod:`.front`: ``Library``, the store with its index, as every command uses it.
* :mod:`.index`: the SQLite index (a cache), with :mod:`.schema` (where it lives,
  its tables), :mod:`.scan` (freshness), :mod:`.jsondata` and :mod:`.terms`
  (what a record contributes, read from its JSON data).
* :mod:`.query`: the query language (``Query``, ``select``).
* :mod:`.parents`: what a chapter takes from its book.
* :mod:`.fields`: record data from command-line fields; :mod:`.locate`: which
  library a command uses.

Key generation lives in :mod:`citeshelf.model.keys`, the display texts in
:mod:`citeshelf.model.display`.

Names are imported on first use (PEP 562), so that importing a light
submodule such as ``citeshelf.library.locate`` or ``citeshelf.library.index``
does not load Pydantic.
"""

from __future__ import annotations

from ..model.lazy import lazy_exports

TYPE_CHECKING = False  # typing itself is not imported at start-up

_EXPORTS = {
    "ENV_VAR": "locate",
    "find_library": "locate",
    "user_library_dir": "locate",
    "parent_of": "parents",
    "resolve": "parents",
    "resolve_many": "parents",
    "Library": "front",
    "RecordStore": "store",
    "RecordProblem": "store",
    "dumps_record": "store",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from .front import Library
    from .locate import ENV_VAR, find_library, user_library_dir
    from .parents import parent_of, resolve, resolve_many
    from .store import RecordProblem, RecordStore, dumps_record


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
