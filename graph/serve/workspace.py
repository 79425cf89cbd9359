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
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CrossplanError, DataError
from ..loading import data_files
from ..review import REJECTIONS_FILE
from ..store import CrossplanStore, open_store

MEMORY_LIMIT = 5_000_000
"""Most quads copied into memory; a larger store is answered from disk."""

WATCH_SECONDS = 1.0
"""How often the data directory is looked at."""


class ServedStore(CrossplanStore):
    """A store generation held by the server: what is slow to work out is remembered in memory for its life."""

    def __init__(self, oxigraph, data_dir: Path | None, origin: CrossplanStore | None = None):
        super().__init__(oxigraph, data_dir, None)
        self._origin = origin  # keeps the on-disk generation (and its shared lock) alive when answered from disk
        self._memory: dict = {}
        self._memory_lock = threading.Lock()

    def remembered(self, name: str, compute, keep=lambda value: True):
        with self._memory_lock:
            if name in self._memory:
                return self._memory[name]
        value = compute()
        if keep(value):
            with self._memory_lock:
                self._memory.setdefault(name, value)
        return value


@dataclass
class Generation:
    """One complete graph the server answers from, and when it was made."""

    number: int
    store: ServedStore
    loaded: float
    quads: int
    in_memory: bool
    pages: dict = field(default_factory=dict)  # rendered pages of this generation (they never change)


def load_generation(data_dir: Path | None, store_path: Path | None, number: int) -> Generation:
    """Open (building what changed) the store of a data directory and copy it into memory if it fits.

    Raises DataError when the data has problems, StoreError when the store cannot be used.
    """
    from pyoxigraph import Store

    on_disk = open_store(data_dir, store_path)
    quads = len(on_disk.oxigraph)
    if quads <= MEMORY_LIMIT:
        memory = Store()
        memory.extend(on_disk.oxigraph.quads_for_pattern(None, None, None, None))
        store = ServedStore(memory, on_disk.data_dir)
        in_memory = True
    else:
        store = ServedStore(on_disk.oxigraph, on_disk.data_dir, origin=on_disk)
        in_memory = False
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

    def __init__(self, data_dir: Path | None, store_path: Path | None, allow_edits: bool = False,
                 watch_seconds: float = WATCH_SECONDS):
        from ..resources import shipped_data_dir

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
        self.current = load_generation(self.data_dir, store_path, 1)

    def reload(self, force: bool = False) -> bool:
        """Build a new generation if the data changed (or ``force``) and swap it in; return whether it was swapped."""
        with self._reload_lock:
            signature = _signature(self.data_dir)
            if signature == self._signature and not force:
                return False
            try:
                generation = load_generation(self.data_dir, self.store_path, self.current.number + 1)
            except DataError as error:
                self._signature = signature  # wait for the next change rather than rebuild the same broken files
                self.problem = "; ".join(str(problem) for problem in error.problems[:3])
                return False
            except CrossplanError as error:
                self.problem = str(error)
                return False
            self._signature = signature
            self.problem = None
            self.current = generation  # one reference assignment: readers see the old or the new, never a mix
            return True

    def start_watching(self) -> None:
        """Look at the data directory every ``watch_seconds`` in a daemon thread and reload on change."""
        def watch():
            while not self._stop.wait(self.watch_seconds):
                try:
                    self.reload()
                except Exception as error:  # the watcher must outlive one bad reload; the page says what happened
                    self.problem = f"reload failed: {type(error).__name__}: {error}"

        self._watcher = threading.Thread(target=watch, name="crossplan-watch", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
