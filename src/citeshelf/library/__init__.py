"""The records/ store, key generation, parent resolution and queries."""

from .keys import base_key, unique_key
from .locate import ENV_VAR, find_library, user_library_dir
from .resolve import INHERITED, merge_parent, parent_of, resolve
from .store import Library, RecordProblem, dumps_record

__all__ = [
    "ENV_VAR", "INHERITED", "Library", "RecordProblem", "base_key", "dumps_record",
    "find_library", "merge_parent", "parent_of", "resolve", "unique_key", "user_library_dir",
]
