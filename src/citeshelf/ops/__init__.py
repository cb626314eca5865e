"""The operations behind the commands, as plain functions over a Library.

Each use case is a function that takes a :class:`citeshelf.library.Library`
(and plain values: keys, a query, options) and returns a result object; a
failure the user can fix raises a :class:`citeshelf.errors.CiteshelfError`.
Nothing here imports Click or Rich, prints, or prompts: the command line
(:mod:`citeshelf.cli`) parses options, calls one operation and renders what
it returns. Long jobs take an optional progress factory
(:data:`citeshelf.progress.ProgressFactory`).

Modules (each imported on demand)::

    adding     add_record, prepare_add -> Draft, save_new -> Added
    editing    set_fields -> Edited, check_parent, parse_edited
    removing   plan_removal, remove_records
    importing  import_files -> ImportResult (staged), commit_import
    lookup     lookup_identifiers -> ImportResult (staged): records fetched by
               DOI, ISBN, arXiv id or PMID (citeshelf.sources)
    exporting  prepare_export -> ExportPlan, write_export, open_atomically
    citing     cite, bibliography -> Citations; load_resolved, library_suffixes
    citing_help Shelf (keys, completion, references for an editor), rank_candidates
    checking   check_library -> Checked (RULES: code, severity, fix)
    duplicates Existing (the duplicate rule), duplicate_of, find_duplicates
    merging    plan_merge -> MergePlan, merge_records
    showing    show_record -> Shown
    chapters   book_chapters -> BookChapters, chapter_rows_from_index
    listing    list_rows -> Listing, find_records -> Found
    tagging    tag_records -> Tagged, count_tags(path) -> TagCounts
    rekeying   plan_rekey -> RekeyPlan, apply_rekey, preview_keys -> KeyPreview
    configuring config_for, change_setting -> Changed, key_formula
    wording    first_few (the start of a list, for a message)
    watching   watch_export -> Watching, then a Rewrite per export (export --watch)
    syncing    setup_git -> GitSetup, merge_files (git's merge driver),
               sync_library -> Synced (team libraries on git)

Example::

    from citeshelf.library import Library
    from citeshelf.ops import add_record, cite

    lib = Library("records")
    key = add_record(lib, "book", title="Handbook", editors=["Sperling, James"],
                     year="2014").record.key
    print(cite(lib, [key]).items[0].text)
"""

from __future__ import annotations

from ..model.lazy import lazy_exports
from .options import ON_DUPLICATE

TYPE_CHECKING = False  # typing itself is not imported at start-up

_EXPORTS = {
    "add_record": "adding",
    "prepare_add": "adding",
    "save_new": "adding",
    "set_fields": "editing",
    "plan_removal": "removing",
    "remove_records": "removing",
    "import_files": "importing",
    "commit_import": "importing",
    "prepare_export": "exporting",
    "write_export": "exporting",
    "cite": "citing",
    "bibliography": "citing",
    "check_library": "checking",
    "show_record": "showing",
    "book_chapters": "chapters",
    "find_records": "listing",
}

__all__ = [
    "ON_DUPLICATE",
    "add_record",
    "bibliography",
    "book_chapters",
    "check_library",
    "cite",
    "commit_import",
    "find_records",
    "import_files",
    "plan_removal",
    "prepare_add",
    "prepare_export",
    "remove_records",
    "save_new",
    "set_fields",
    "show_record",
    "write_export",
]

if TYPE_CHECKING:  # pragma: no cover
    from .adding import add_record, prepare_add, save_new
    from .chapters import book_chapters
    from .checking import check_library
    from .citing import bibliography, cite
    from .editing import set_fields
    from .exporting import prepare_export, write_export
    from .importing import commit_import, import_files
    from .listing import find_records
    from .removing import plan_removal, remove_records
    from .showing import show_record


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
