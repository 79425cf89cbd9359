"""The data directory's write lock (graph/datafiles/lock.py): one writer at a time, bounded waits, nothing left behind."""

from __future__ import annotations

import threading
import time

import pytest

from crossplan.graph.datafiles import lock
from crossplan.graph.datafiles.lock import data_dir_lock
from crossplan.graph.errors import DataDirBusyError


def test_a_second_writer_waits_then_says_the_directory_is_busy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    held, release = threading.Event(), threading.Event()

    def hold():
        with data_dir_lock(tmp_path / "data"):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        with pytest.raises(DataDirBusyError, match=r"^data: the data directory is busy .* over 0\.3 s\); try again$"):
            with data_dir_lock(tmp_path / "data", timeout=0.3):
                pass
        assert 0.3 <= time.monotonic() - started < 3
    finally:
        release.set()
        holder.join()
    with data_dir_lock(tmp_path / "data", timeout=0.3):  # free again
        pass


def test_writers_take_turns_and_each_sees_the_last_one_s_change(tmp_path):
    counter = tmp_path / "count"
    counter.write_text("0")

    def add_one():
        for _ in range(20):
            with data_dir_lock(tmp_path):
                value = int(counter.read_text())
                time.sleep(0.001)
                counter.write_text(str(value + 1))

    threads = [threading.Thread(target=add_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.read_text() == "80"


def test_the_lock_is_reentrant_in_a_thread_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.2)
    with data_dir_lock(tmp_path):
        with data_dir_lock(tmp_path):  # a review accepting links takes it again: no deadlock
            pass
    assert list(tmp_path.iterdir()) == []  # the directory itself is locked: no lock file left in the data


def test_a_missing_directory_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Exception, match=r"^nowhere: cannot open the data directory \(No such file or directory\)$"):
        with data_dir_lock(tmp_path / "nowhere"):
            pass
