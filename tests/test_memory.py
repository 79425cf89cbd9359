"""The collector paused over a piece of work (graph.memory): off inside, as it was after (an error too), and with
``leave`` what is alive at the end frozen."""

import gc

import pytest

from crossplan.graph.memory import collector_paused


def test_the_collector_is_off_inside_and_as_it_was_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller's collector left off stays off
    finally:
        gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


def test_what_is_left_is_frozen_when_the_process_ends_with_the_work():
    try:
        with collector_paused(leave=True):
            kept = [[number] for number in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
