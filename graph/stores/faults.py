"""Faults of the store itself, worded as such (``StoreError``): damaged database files name the store and
``crossplan build --rebuild``; a full disk during a build says the half-written generation was removed; a store that
cannot be written (a read-only cache) is told apart from other failures, so it can be answered from memory instead.
"""

from __future__ import annotations

import errno
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


def write_fault(path: Path, error: Exception) -> StoreError:
    """Word a failed write to the store: a full disk as such (the half-written build is gone by now)."""
    if is_disk_full(error):
        return StoreError(
            f"{display_path(path)}: the disk is full (no space left on device) while building the "
            "store; the half-written build was removed and the store is as it was: free some space "
            "and run the command again"
        )
    return StoreError(
        f"{display_path(path)}: cannot write the store ({fault_reason(error)}); the half-written build was "
        "removed and the store is as it was"
    )


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


def store_fault_message(error: Exception, app: Any = None) -> str | None:
    """Word a database error that escaped a question (a damaged file read late, a full disk); None if it is neither.

    ``app`` is what the CLI knows of the store (``store_path`` and ``data_dir``), to name it.
    """
    path = getattr(app, "store_path", None)
    if path is None and app is not None:
        data_dir = getattr(app, "data_dir", None)
        path = default_store_path(Path(data_dir) if data_dir is not None else shipped_data_dir())
    if is_damage(error):
        return damaged_store_message(path, error)
    if is_disk_full(error):
        where = display_path(path) + ": " if path is not None else ""
        return f"{where}the disk is full (no space left on device): free some space and run the command again"
    return None
