"""The store's file locks: one builder at a time, readers that hold a generation, and a lock that is not forced."""

from __future__ import annotations

import pytest

from crossplan.graph.errors import StoreError
from crossplan.graph.stores.locks import exclusive_lock, shared_lock, try_lock


@pytest.fixture
def lock(tmp_path, monkeypatch):
    """A lock file's path in a store directory named ``store``, with the working directory beside it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "store").mkdir()
    return tmp_path / "store" / "lock"


def test_the_build_lock_is_created_and_free_again_once_released(lock):
    with exclusive_lock(lock):
        assert lock.exists()
        with try_lock(lock) as locked:
            assert locked is False
    with try_lock(lock) as locked:
        assert locked is True


def test_a_second_builder_gives_up_after_the_timeout_naming_the_store(lock):
    with exclusive_lock(lock):
        with pytest.raises(StoreError) as caught:
            with exclusive_lock(lock, timeout=0.1):
                pytest.fail("two builders held the lock at once")
    assert str(caught.value) == (
        "store: another crossplan process has been building this store for over 0 s; try again later"
    )


def test_the_build_lock_is_released_when_the_build_fails(lock):
    with pytest.raises(RuntimeError):
        with exclusive_lock(lock):
            raise RuntimeError("build failed")
    with exclusive_lock(lock, timeout=0.1):
        pass


def test_readers_share_a_generation_and_keep_it_from_being_deleted(lock):
    lock.touch()
    first, second = shared_lock(lock), shared_lock(lock)
    assert first is not None and second is not None
    with try_lock(lock, create=False) as locked:
        assert locked is False
    first.close()
    with try_lock(lock, create=False) as locked:
        assert locked is False  # the second reader still has it open
    second.close()
    with try_lock(lock, create=False) as locked:
        assert locked is True


def test_a_shared_lock_on_a_file_that_is_gone_is_none(lock):
    assert shared_lock(lock) is None
    assert not lock.exists()


def test_a_generation_whose_lock_file_is_gone_may_be_deleted_and_the_file_is_not_made_again(lock):
    with try_lock(lock, create=False) as locked:
        assert locked is True
    assert not lock.exists()


def test_try_lock_creates_the_lock_file_by_default(lock):
    with try_lock(lock) as locked:
        assert locked is True
        assert lock.exists()


def test_a_lock_in_a_directory_that_cannot_hold_it_is_not_taken(tmp_path):
    missing = tmp_path / "no-such-directory" / "lock"
    with try_lock(missing) as locked:
        assert locked is False
    with pytest.raises(OSError):
        with exclusive_lock(missing):
            pass
