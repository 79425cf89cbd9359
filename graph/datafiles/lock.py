"""The one lock of a data directory: every writer holds it from reading a file to renaming the new one into place.

Two people accepting links at once must not lose each other's work: each writer takes the lock, reads the file as
it is on disk *now*, applies its change, validates and renames. The lock is an ``fcntl.flock`` on the data
directory itself (nothing is written to take it; where the file system cannot lock a directory, on a
``.crossplan.lock`` file in it), released by the operating system when a process dies (a crash never leaves one
behind). It is re-entrant within a thread (a review that accepts several links takes it once per link),
and a writer waits for it a bounded time, then fails with "the data directory is busy".
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import CrossplanError, DataDirBusyError
from ..files import disk_full
from ..text import display_path

try:
    import fcntl
except ImportError:  # not a POSIX system: writers are not serialised across processes there
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".crossplan.lock"
"""The lock file, at the top of the data directory, where the directory itself cannot be locked (never data)."""

WAIT_SECONDS = 60.0
"""How long a writer waits for another one before giving up."""

_held = threading.local()  # the data directories this thread holds the lock of, with a count each


@contextmanager
def data_dir_lock(data_dir: Path | str, timeout: float | None = None) -> Iterator[None]:
    """Hold the data directory's write lock, waiting up to ``timeout`` seconds (default ``WAIT_SECONDS``).

    Raises DataDirBusyError when another writer holds it all that time, and CrossplanError when the directory
    cannot be opened (or, where a directory cannot be locked, its lock file cannot be made).
    """
    key = os.path.realpath(data_dir)
    counts: dict[str, int] = _held.__dict__.setdefault("counts", {})
    if counts.get(key):
        counts[key] += 1
        try:
            yield
        finally:
            counts[key] -= 1
        return
    descriptor = _open_lock(Path(data_dir)) if fcntl is not None else None
    try:
        if descriptor is not None:
            _acquire(descriptor, Path(data_dir), WAIT_SECONDS if timeout is None else timeout)
        counts[key] = 1
        try:
            yield
        finally:
            counts.pop(key, None)
    finally:
        if descriptor is not None:
            os.close(descriptor)  # releases the lock


def _open_lock(data_dir: Path) -> int:
    """Open what is locked: the directory, or its lock file where a directory cannot be locked (some NFS)."""
    assert fcntl is not None
    try:
        descriptor = os.open(data_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as error:
        raise CrossplanError(f"{display_path(data_dir)}: cannot open the data directory ({error.strerror})") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)  # probe: can this file system lock a directory?
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return descriptor
    except BlockingIOError:
        return descriptor  # it can: someone holds it now
    except OSError:
        os.close(descriptor)
    path = data_dir / LOCK_FILE
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise disk_full(path, error) from None
        raise CrossplanError(
            f"{display_path(path)}: cannot write to the data directory ({error.strerror or error})"
        ) from None


def _acquire(descriptor: int, data_dir: Path, timeout: float) -> None:
    assert fcntl is not None
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise DataDirBusyError(
                    f"{display_path(data_dir)}: the data directory is busy (another crossplan command or a "
                    f"reviewer of `crossplan serve` has been writing to it for over {timeout:g} s); try again"
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
