"""citeshelf reindex: rebuild the library's search index from the record files."""

from __future__ import annotations

import click

from .common import get_library, json_option


@click.command("reindex")
@click.option("--where", "show_path", is_flag=True, help="Only print where the index file is.")
@json_option
def command(show_path: bool, as_json: bool) -> None:
    """Rebuild the search index of the library from its record files.

    The record files are the only source of truth. 'list' and 'chapters'
    answer from an index kept in the per-user cache folder
    ($CITESHELF_INDEX_DIR, else $XDG_CACHE_HOME/citeshelf/index), which every
    command updates by itself when record files are added, edited or removed.
    You never need this command for correct results; use it after moving the
    cache, or to check the index. Deleting the index file loses nothing.

    \b
    Examples:
      citeshelf reindex
      citeshelf reindex --where
    """
    import time

    from .. import render
    from ..library.index import Index, rebuild_index

    library = get_library()
    if show_path:
        path = Index(library.path).path
        if as_json:
            render.print_json({"index": str(path)})
        else:
            render.print_line(str(path))
        return
    start = time.perf_counter()
    built = rebuild_index(library.path, progress=lambda n: render.progress(n, "Indexing records"))
    index, stats, count, problems = built, built.stats, built.count, built.problems
    seconds = time.perf_counter() - start
    if as_json:
        render.print_json(
            {
                "index": str(index.path),
                "records": count - len(problems),
                "problems": len(problems),
                "read": stats["read"],
                "seconds": round(seconds, 3),
            }
        )
        return
    n = count - len(problems)
    render.print_line(
        f"Indexed {n} record{'s' if n != 1 else ''} of {library.path} in {seconds:.1f} s"
    )
    render.print_line(f"Index: {index.path}")
    if problems:
        render.warn(
            f"skipped {len(problems)} unreadable record file{'s' if len(problems) != 1 else ''}:"
        )
        for p in problems:
            render.print_line(f"  {p.reason}", err=True)
