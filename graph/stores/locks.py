"""File locks of the store directory (``fcntl.flock``: released by the operating system when a process dies, so a
crash never leaves one behind).

Builders take the store's ``lock`` in turn (``exclusive_lock``); readers hold a shared lock on the generation they
opened (``shared_lock``), so that a build deletes a generation only once nobody has it open (``try_lock``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..errors import StoreError
from ..text import display_path

LOCK_TIMEOUT = 600.0  # seconds to wait for another process's build


@contextmanager
def exclusive_lock(lock_path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the build lock, waiting for another process's build to finish (StoreError after ``timeout``)."""
    handle = lock_path.open("a+b")
    try:
        deadline = time.monotonic() + timeout
        while not _flock(handle, exclusive=True, wait=False):
            if time.monotonic() > deadline:
                raise StoreError(
                    f"{display_path(lock_path.parent)}: another crossplan process has been building "
                    f"this store for over {timeout:.0f} s; try again later"
                )
            time.sleep(0.05)
        yield
    finally:
        handle.close()


@contextmanager
def try_lock(lock_path: Path, create: bool = True) -> Iterator[bool]:
    """Yield True while holding an exclusive lock taken without waiting, False if someone else holds it."""
    try:
        handle = lock_path.open("a+b" if create else "r+b")
    except OSError:
        yield not create and not lock_path.exists()
        return
    try:
        yield _flock(handle, exclusive=True, wait=False)
    finally:
        handle.close()


def shared_lock(lock_path: Path) -> IO[bytes] | None:
    """Return an open file holding a shared lock on ``lock_path``, or None if the file is gone."""
    try:
        handle = lock_path.open("rb")
    except OSError:
        return None
    _flock(handle, exclusive=False, wait=True)
    return handle


def _flock(handle: IO[bytes], exclusive: bool, wait: bool) -> bool:
    """Take an flock on an open file; return False if ``wait`` is False and someone else holds it."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no cross-process locking, as before
        return True
    operation = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB)
    try:
        fcntl.flock(handle.fileno(), operation)
    except BlockingIOError:
        return False
    return True
