"""Faults of the store itself, worded as such (``StoreError``): damaged database files name the store and
``crossplan build --rebuild``; a full disk during a build says the half-written generation was removed; a store that
cannot be written (a read-only cache) is told apart from other failures, so it can be answered from memory instead.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..resources import shipped_data_dir
from ..text import display_path
from .manifest import default_store_path


def is_read_only(error: Exception) -> bool:
    """Whether an error says the store cannot be written (a read-only file system, no permission)."""
    return (
        getattr(error, "errno", None) in (errno.EROFS, errno.EACCES, errno.EPERM)
        or "Read-only file system" in str(error)
        or "Permission denied" in str(error)
    )


def is_disk_full(error: Exception) -> bool:
    """Whether an error says the disk (or the user's quota) is full."""
    return (
        getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
        or "No space left" in str(error)
        or "quota exceeded" in str(error).lower()
    )


def fault_reason(error: Exception) -> str:
    """The operating system's words for an error, else its message."""
    return getattr(error, "strerror", None) or str(error)


def damaged_store_message(path: Path | None, error: Exception) -> str:
    """Return the message for a store whose files are damaged (RocksDB "Corruption", a truncated file…)."""
    where = display_path(path) if path is not None else "the store"
    return (
        f"{where}: the store is damaged ({str(error).strip() or type(error).__name__}); "
        "`crossplan build --rebuild` restores it from the data files"
    )


def is_damage(error: Exception) -> bool:
    """Whether an error from the database says its files are damaged (not a missing or busy store)."""
    text = str(error)
    return any(
        word in text
        for word in (
            "Corruption",
            "corrupt",
            "truncated",
            "checksum mismatch",
            "Bad table magic",
            "bad block",
            "missing files",
            "No such file or directory: While open a file",
        )
    )


def _disk_full(path: Path | None, error: Exception) -> str:
    where = display_path(path) + ": " if path is not None else ""
    return f"{where}the disk is full (no space left on device): free some space and run the command again"


def _failed_build(path: Path | None, error: Exception) -> str:
    """A failed write while building: the half-written generation is gone by the time this is read."""
    where = display_path(path) if path is not None else "the store"
    if is_disk_full(error):
        return (
            f"{where}: the disk is full (no space left on device) while building the store; the half-written build "
            "was removed and the store is as it was: free some space and run the command again"
        )
    return (
        f"{where}: cannot write the store ({fault_reason(error)}); the half-written build was removed and the store "
        "is as it was"
    )


_Words = Callable[[Path | None, Exception], str]
#: (is it this fault?, its words while reading, its words while building: None lets it pass); the first match wins
_FAULTS: tuple[tuple[Callable[[Exception], bool], _Words | None, _Words | None], ...] = (
    (is_damage, damaged_store_message, damaged_store_message),
    (is_disk_full, _disk_full, _failed_build),
    (lambda error: isinstance(error, OSError) and not is_read_only(error), None, _failed_build),
)


def fault_message(error: Exception, path: Path | None, *, building: bool = False) -> str | None:
    """Word a database error as a fault of the store at ``path`` (``_FAULTS``); None if it is not one."""
    for matches, reading, writing in _FAULTS:
        if matches(error):
            words = writing if building else reading
            return words(path, error) if words is not None else None
    return None


@contextmanager
def store_faults(path: Path | None, *, building: bool = False) -> Iterator[None]:
    """Turn a database error that is a fault of the store (damaged files, a full disk; while ``building``, any
    failed write but to a read-only store) into a StoreError naming it; let every other error pass."""
    try:
        yield
    except (OSError, RuntimeError) as error:
        message = fault_message(error, path, building=building)
        if message is None:
            raise
        raise StoreError(message) from None


def store_fault_message(error: Exception, app: Any = None) -> str | None:
    """Word a database error that escaped a question (a damaged file read late, a full disk); None if it is neither.

    ``app`` is what the CLI knows of the store (``store_path`` and ``data_dir``), to name it.
    """
    path = getattr(app, "store_path", None)
    if path is None and app is not None:
        data_dir = getattr(app, "data_dir", None)
        path = default_store_path(Path(data_dir) if data_dir is not None else shipped_data_dir())
    return fault_message(error, path)
