"""Per-record work of a whole-library command, in forked worker processes.

Public API::

    with Workers(make, n) as workers:      # make: list of items -> list of results
        take = workers.ask(items)          # begun now
        results = take()                   # in the order of ``items``
        for part, kept, results in workers.ahead(parts, lookup): ...

A reference list of 100,000 records reads, validates and formats each
record: a few hundred microseconds each, one record independent of the
others. With ``n`` records or more to do (:data:`PARALLEL_MIN`) on a machine
of two cores or more, ``make`` runs in worker processes forked the first
time many items are asked at once (:data:`FORK_AT`; one per core, at most
4), each given a share of the items asked; the caller asks for the next items before taking the results of the
ones before, so that it takes in and writes while they work. Otherwise
``make`` runs here when the results are taken. The results are the same
either way: ``make`` must depend only on its items and on what the process
held when it forked (the library, the index's snapshot of the files), and
leave to the caller anything that writes (the index, the output).

Forked workers inherit the caller's open files and its SQLite connection;
they use neither (``make`` reads record files only) and leave with
``os._exit`` as multiprocessing's forked workers do, so no finaliser of the
caller's runs in them.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

__all__ = ["PARALLEL_MIN", "Workers"]

#: From this many records on, workers do the work (a fork costs tens of ms).
PARALLEL_MIN = 2000
#: Parts asked of the workers ahead of the one taken in (:meth:`Workers.ahead`).
AHEAD = 2
#: Workers are forked when this many items are first asked at once (an
#: export whose entries are kept but a few asks for a few: none is forked).
FORK_AT = 100
#: The ``make`` of the workers being forked (set in the caller just before).
_FORKED: list[Callable[[list[Any]], list[Any]]] = []


class Workers:
    """Worker processes for ``make`` over ``n`` items (see the module docstring)."""

    def __init__(self, make: Callable[[list[Any]], list[Any]], n: int) -> None:
        self.make = make
        self.n = n
        self.pool: Any = None
        self.count = 1
        self.forked = False

    def __enter__(self) -> Workers:
        return self

    def _fork(self) -> None:
        """Fork the workers, once: when the first many items are asked."""
        self.forked = True
        cores = os.cpu_count() or 1
        if self.n < PARALLEL_MIN or cores < 2:
            return
        import multiprocessing

        if "fork" not in multiprocessing.get_all_start_methods():
            return
        _FORKED[:] = [self.make]
        try:
            self.count = min(cores, 4)
            self.pool = multiprocessing.get_context("fork").Pool(self.count)
        finally:
            _FORKED.clear()

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def ask(self, items: list[Any]) -> Callable[[], list[Any]]:
        """Begin ``make`` of ``items``; the call returned gives the results."""
        if not items:
            return list
        if not self.forked and len(items) >= FORK_AT:
            self._fork()
        if self.pool is None:
            return lambda: self.make(items)
        size = -(-len(items) // self.count)
        asked = [
            self.pool.apply_async(_run, (items[i : i + size],)) for i in range(0, len(items), size)
        ]
        return lambda: [result for a in asked for result in a.get()]

    def ahead(
        self, parts: Iterable[list[Any]], lookup: Callable[[list[Any]], Mapping[str, Any]]
    ) -> Iterator[tuple[list[Any], Mapping[str, Any], list[Any]]]:
        """For each part, in order: (part, what ``lookup`` found kept of it,
        ``make`` of its items not found), the items of :data:`AHEAD` parts
        being made while the caller takes in the one before. An item is
        found by its ``key`` attribute, or is itself the key."""
        asked: deque[tuple[list[Any], Mapping[str, Any], Callable[[], list[Any]]]] = deque()
        for part in parts:
            kept = lookup(part)
            todo = [item for item in part if getattr(item, "key", item) not in kept]
            asked.append((part, kept, self.ask(todo)))
            if len(asked) > AHEAD:
                done, found, take = asked.popleft()
                yield done, found, take()
        while asked:
            done, found, take = asked.popleft()
            yield done, found, take()


def _run(items: list[Any]) -> list[Any]:
    """In a worker: the forked ``make`` of ``items``."""
    return _FORKED[0](items)
