"""Faults of the store worded as such: a read-only cache, a full disk, damaged database files."""

from __future__ import annotations

import errno
from pathlib import Path
from types import SimpleNamespace

import pytest

from crossplan.graph.errors import StoreError
from crossplan.graph.stores.faults import (
    damaged_store_message,
    fault_reason,
    is_damage,
    is_disk_full,
    is_read_only,
    store_fault_message,
    store_faults,
)
from crossplan.graph.stores.manifest import default_store_path

CORRUPTION = RuntimeError("Corruption: block checksum mismatch: stored = 1, computed = 2 in 000011.sst")
FULL = RuntimeError("IO error: No space left on device: While appending to file: 000012.sst")


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    """Paths in messages are shown relative to the working directory: work beside them."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EROFS, "Read-only file system"),
        PermissionError(errno.EACCES, "Permission denied"),
        OSError(errno.EPERM, "Operation not permitted"),
        RuntimeError("IO error: While open a file for appending: /x/LOCK: Read-only file system"),
        RuntimeError("IO error: /x/000001.log: Permission denied"),
    ],
)
def test_what_says_the_store_cannot_be_written(error):
    assert is_read_only(error)
    assert not is_disk_full(error)


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EDQUOT, "Disk quota exceeded"),
        FULL,
        RuntimeError("IO error: Quota exceeded while writing"),
    ],
)
def test_what_says_the_disk_is_full(error):
    assert is_disk_full(error)
    assert not is_read_only(error)


def test_an_ordinary_error_is_neither_read_only_nor_a_full_disk_nor_damage():
    error = RuntimeError("IO error: lock held by another process")
    assert not is_read_only(error) and not is_disk_full(error) and not is_damage(error)
    assert store_fault_message(error, SimpleNamespace(store_path=Path("store"))) is None


def test_the_reason_is_the_operating_systems_words_else_the_message():
    assert fault_reason(OSError(errno.EROFS, "Read-only file system")) == "Read-only file system"
    assert fault_reason(RuntimeError("the database said no")) == "the database said no"


def test_a_failed_write_while_building_says_the_half_written_build_was_removed():
    with pytest.raises(StoreError) as disk, store_faults(Path("store"), building=True):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert str(disk.value) == (
        "store: the disk is full (no space left on device) while building the store; the half-written build was "
        "removed and the store is as it was: free some space and run the command again"
    )
    with pytest.raises(StoreError) as other, store_faults(Path("store"), building=True):
        raise OSError(errno.EIO, "Input/output error")
    assert str(other.value) == (
        "store: cannot write the store (Input/output error); the half-written build was removed and the store is "
        "as it was"
    )


def test_what_is_no_fault_of_the_store_passes_through_unchanged():
    read_only = OSError(errno.EROFS, "Read-only file system")
    with pytest.raises(OSError) as caught, store_faults(Path("store"), building=True):
        raise read_only  # answered from memory by the caller
    assert caught.value is read_only
    with pytest.raises(OSError), store_faults(Path("store")):
        raise OSError(errno.EIO, "Input/output error")  # while reading, only damage and a full disk are the store's
    with pytest.raises(StoreError, match="^store: the store is damaged"), store_faults(Path("store")):
        raise CORRUPTION


def test_a_damaged_store_names_itself_and_the_command_that_restores_it():
    assert damaged_store_message(Path("store"), CORRUPTION) == (
        "store: the store is damaged (Corruption: block checksum mismatch: stored = 1, computed = 2 in 000011.sst); "
        "`crossplan build --rebuild` restores it from the data files"
    )
    assert damaged_store_message(None, RuntimeError("  ")) == (
        "the store: the store is damaged (RuntimeError); `crossplan build --rebuild` restores it from the data files"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Corruption: bad record length",
        "file is truncated",
        "Bad table magic number: expected 9863518390377041911",
        "IO error: No such file or directory: While open a file for random read: /s/000009.sst",
    ],
)
def test_what_says_the_files_are_damaged(text):
    assert is_damage(RuntimeError(text))


def test_a_fault_during_a_question_names_the_store_the_cli_knows():
    app = SimpleNamespace(store_path=Path("mine"), data_dir=None)
    assert store_fault_message(CORRUPTION, app).startswith("mine: the store is damaged (Corruption: block checksum")
    assert store_fault_message(FULL, app) == (
        "mine: the disk is full (no space left on device): free some space and run the command again"
    )


def test_without_a_store_path_the_data_directorys_cache_is_named(tmp_path):
    data = tmp_path / "data"
    message = store_fault_message(CORRUPTION, SimpleNamespace(store_path=None, data_dir=str(data)))
    cache = default_store_path(data)
    assert message.startswith(f"{cache}: the store is damaged (Corruption")


def test_without_anything_known_of_the_store_it_is_said_plainly():
    assert store_fault_message(CORRUPTION).startswith("the store: the store is damaged (Corruption")
    assert (
        store_fault_message(FULL)
        == "the disk is full (no space left on device): free some space and run the command again"
    )
