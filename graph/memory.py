"""How a long piece of work uses memory: the cyclic garbage collector paused over work whose millions of small
objects hold no cycle worth collecting, and the C library asked to keep the memory numpy frees."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused(*, leave: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector over some work (it would walk the work's objects again and again), and
    restore it after. With ``leave`` (a process that ends with the work), what is alive at the end is frozen
    (``gc.freeze``): the collector never walks it again, at exit either (flushes and exit handlers still run)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if leave:
            gc.freeze()
        if collecting:
            gc.enable()


def keep_freed_memory() -> None:
    """Have the C library keep the memory a process frees for its next arrays, rather than hand it back to the
    system and have every page zeroed again when asked for: ranking every plan allocates and frees hundreds of MB of
    numpy temporaries, and zeroing fresh pages was a tenth of its time at a million triples (this saves about 4%).
    glibc only (``mallopt`` elsewhere is absent or does nothing); peak memory grows by some tens of MB."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(-3, 512 << 20)  # M_MMAP_THRESHOLD: arrays under 512 MiB come from the heap, not a mapping of their own
    mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: up to 1 GiB freed at the heap's top is kept for the next ones
