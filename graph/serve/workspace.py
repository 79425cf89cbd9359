"""What the server answers from: the current generation of the store, swapped whole when the data changes.

A *generation* is a complete, immutable graph: the on-disk store's current generation, copied into memory when it
fits (an in-memory Oxigraph answers a query faster than its RocksDB twin, and the copy is made once per change).
Every request takes the current generation once, at its start, and answers wholly from it. When a data file
changes, a watcher thread runs the incremental build of ``open_store`` (which writes a new on-disk generation and
commits it atomically), copies it, and only then replaces the reference: a request never sees half a build. A
build that fails (a file saved half-way, a broken reference) leaves the previous generation serving, and the
problem is shown on every page until the next change fixes it.

Edits (accept or reject from the review queue) take a lock, write through ``graph.review`` and reload at once,
so the answer to the edit already comes from the new generation.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..datafiles.loading import data_files
from ..datafiles.rejections import REJECTIONS_FILE
from ..errors import CrossplanError, DataError
from ..resources import shipped_data_dir
from ..stores.protocol import ServedGraph
from ..stores.served import open_served

MEMORY_LIMIT = 5_000_000
"""Most quads copied into memory; a larger store is answered from disk."""

WATCH_SECONDS = 1.0
"""How often the data directory is looked at."""


class AnswerCache:
    """Answers worked out from one generation (pages, question answers, SPARQL results), kept while it serves.

    A generation never changes, so an answer never goes stale; the cache goes with its generation. An answer larger
    than ``largest`` characters (or bytes) is not kept, and past ``budget`` in all the oldest answers go first.
    """

    def __init__(self, budget: int = 128_000_000, largest: int = 8_000_000) -> None:
        self.budget = budget
        self.largest = largest
        self._entries: OrderedDict = OrderedDict()  # key -> (value, size)
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key, value, size: int) -> None:
        if size > self.largest:
            return
        with self._lock:
            if key in self._entries:
                self._size -= self._entries.pop(key)[1]
            self._entries[key] = (value, size)
            self._size += size
            while self._size > self.budget:
                self._size -= self._entries.popitem(last=False)[1][1]


@dataclass
class Generation:
    """One complete graph the server answers from, and when it was made."""

    number: int
    store: ServedGraph
    loaded: float
    quads: int
    in_memory: bool
    answers: AnswerCache = field(default_factory=AnswerCache)
    pool: Any = None  # the worker processes forked to answer from this generation (graph.sparql.workers)


def load_generation(data_dir: Path | None, store_path: Path | None, number: int) -> Generation:
    """Open (building what changed) the store of a data directory and copy it into memory if it fits.

    Raises DataError when the data has problems, StoreError when the store cannot be used.
    """
    store, quads, in_memory = open_served(data_dir, store_path, MEMORY_LIMIT)
    return Generation(number, store, time.time(), quads, in_memory)


def _signature(data_dir: Path) -> tuple:
    """Name, size and mtime of every data file (and of the rejections file): what a change is judged by."""
    entries = []
    for relpath in [*data_files(data_dir), REJECTIONS_FILE]:
        try:
            info = os.stat(data_dir / relpath)
        except OSError:
            continue
        entries.append((relpath, info.st_size, info.st_mtime_ns))
    return tuple(entries)


class Workspace:
    """The served data directory: the current generation, the watcher that replaces it, and the edit lock."""

    def __init__(
        self,
        data_dir: Path | None,
        store_path: Path | None,
        allow_edits: bool = False,
        watch_seconds: float = WATCH_SECONDS,
        start_pool: Callable[[Generation], Any] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else shipped_data_dir()
        self.store_path = store_path
        self.allow_edits = allow_edits
        self.watch_seconds = watch_seconds
        self.problem: str | None = None  # why the last reload failed (the previous generation still serves)
        self._reload_lock = threading.Lock()
        self.edit_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._signature = _signature(self.data_dir)
        self._start_pool = start_pool
        self.current = self._started(load_generation(self.data_dir, store_path, 1))

    def _started(self, generation: Generation) -> Generation:
        if self._start_pool is not None:
            generation.pool = self._start_pool(generation)
        return generation

    def reload(self, force: bool = False) -> bool:
        """Build a new generation if the data changed (or ``force``) and swap it in; return whether it was swapped."""
        with self._reload_lock:
            signature = _signature(self.data_dir)
            if signature == self._signature and not force:
                return False
            try:
                generation = self._started(load_generation(self.data_dir, self.store_path, self.current.number + 1))
            except DataError as error:
                self._signature = signature  # wait for the next change rather than rebuild the same broken files
                self.problem = "; ".join(str(problem) for problem in error.problems[:3])
                return False
            except CrossplanError as error:
                self.problem = str(error)
                return False
            self._signature = signature
            self.problem = None
            previous, self.current = self.current, generation  # readers see the old or the new, never a mix
            if previous.pool is not None:
                previous.pool.close()  # its idle workers now, its busy ones when their answer is sent
            return True

    def start_watching(self) -> None:
        """Look at the data directory every ``watch_seconds`` in a daemon thread and reload on change."""

        def watch():
            while not self._stop.wait(self.watch_seconds):
                try:
                    self.reload()
                except Exception as error:  # noqa: BLE001 - the watcher must outlive one bad reload; the page says what happened
                    self.problem = f"reload failed: {type(error).__name__}: {error}"

        self._watcher = threading.Thread(target=watch, name="crossplan-watch", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        """Stop watching and kill the current generation's workers."""
        self._stop.set()
        if self.current.pool is not None:
            self.current.pool.close(now=True)
