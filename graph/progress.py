"""Progress bars on stderr for long work, shown only to a person watching a terminal.

A bar is drawn only when its stream is a terminal, the ``CI`` environment variable is unset and
``CROSSPLAN_PROGRESS`` is not ``0`` (``CROSSPLAN_PROGRESS=1`` forces bars on, e.g. under a pager), and only
once the work has taken longer than ``delay`` seconds, so quick commands never flicker. Otherwise every call
is a no-op that costs next to nothing, which is why library code may call it freely::

    from crossplan.graph.progress import progress_bar, track

    with progress_bar("Loading triples", total=len(quads), unit="triples") as bar:
        for chunk in chunks:
            load(chunk)
            bar.advance(len(chunk))

    for path in track(paths, "Parsing YAML", unit="files"):
        parse(path)

The bar erases itself when the work ends, so the command's own output is unchanged.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from .settings import PROGRESS

T = TypeVar("T")

DEFAULT_DELAY = 0.5  # seconds of work before a bar appears
_REDRAW = 0.1  # seconds between redraws
_WIDTH = 28  # characters of the bar itself


def progress_enabled(stream: TextIO | None = None) -> bool:
    """Return whether bars should be drawn on ``stream`` (default: stderr).

    >>> import io
    >>> progress_enabled(io.StringIO())
    False
    """
    forced = PROGRESS.value()
    if forced is not None:
        return forced
    if os.environ.get("CI"):
        return False
    stream = stream if stream is not None else sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """One bar: ``advance(n)`` as work is done; ``close()`` (or leaving the ``with`` block) erases it."""

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        unit: str = "",
        stream: TextIO | None = None,
        enabled: bool | None = None,
        delay: float | None = None,
    ):
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = progress_enabled(self.stream) if enabled is None else enabled
        self.delay = DEFAULT_DELAY if delay is None else delay
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._width = 0

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def advance(self, amount: int = 1) -> None:
        """Record ``amount`` more units of work done, redrawing at most ten times a second."""
        self.done += amount
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started >= self.delay and now - self._drawn_at >= _REDRAW:
            self._draw(now)

    def set_total(self, total: int | None) -> None:
        """Change the expected total (for work whose size is learnt on the way)."""
        self.total = total

    def line(self, now: float | None = None) -> str:
        """Return the text of the bar as it would be drawn now.

        >>> bar = ProgressBar("Parsing YAML", total=4, unit="files", enabled=False)
        >>> bar.advance(1)
        >>> bar.started = 1000.0  # a whole-number clock, so that 65 s is exactly 65 s
        >>> bar.line(now=1065.0)
        'Parsing YAML [#######.....................]  25%  1/4 files  1:05'
        """
        elapsed = (now if now is not None else time.monotonic()) - self.started
        clock = f"{int(elapsed) // 60}:{int(elapsed) % 60:02d}"
        unit = f" {self.unit}" if self.unit else ""
        if self.total:
            fraction = min(self.done / self.total, 1.0)
            filled = int(fraction * _WIDTH)
            bar = "#" * filled + "." * (_WIDTH - filled)
            return f"{self.label} [{bar}] {fraction:4.0%}  {self.done:,}/{self.total:,}{unit}  {clock}"
        return f"{self.label}  {self.done:,}{unit}  {clock}"

    def _draw(self, now: float) -> None:
        text = self.line(now)
        padding = " " * max(self._width - len(text), 0)
        try:
            self.stream.write("\r" + text + padding)
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False
            return
        self._width = len(text)
        self._drawn_at = now

    def close(self) -> None:
        """Erase the bar (if one was drawn) so that the next output starts on a clean line."""
        if self.enabled and self._width:
            try:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()
            except (OSError, ValueError):
                pass
        self._width = 0
        self.enabled = False


def progress_bar(
    label: str,
    total: int | None = None,
    *,
    unit: str = "",
    stream: TextIO | None = None,
    enabled: bool | None = None,
    delay: float | None = None,
) -> ProgressBar:
    """Return a progress bar for work of ``total`` units (None when unknown); use it as a context manager."""
    return ProgressBar(label, total, unit=unit, stream=stream, enabled=enabled, delay=delay)


def track(
    items: Iterable[T],
    label: str,
    total: int | None = None,
    *,
    unit: str = "",
    stream: TextIO | None = None,
    enabled: bool | None = None,
    delay: float | None = None,
) -> Iterator[T]:
    """Yield ``items`` one by one, advancing a bar by one per item (``total`` defaults to ``len(items)``).

    >>> list(track([1, 2, 3], "Counting", enabled=False))
    [1, 2, 3]
    """
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress_bar(label, total, unit=unit, stream=stream, enabled=enabled, delay=delay) as bar:
        for item in items:
            yield item
            bar.advance(1)
