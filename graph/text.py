"""Text helpers shared by every layer: whitespace, paths as a user sees them, and did-you-mean hints."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space and strip.

    >>> normalise_space("  two\\n  lines ")
    'two lines'
    """
    return " ".join(text.split())


def display_path(path: Path) -> str:
    """Return a path as a user should see it: relative to the working directory when inside it, else from ``~``
    when inside the home directory, else whole."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
        return relative
    home = os.path.expanduser("~")
    absolute = os.path.abspath(path)
    if home not in ("", "/", "~") and absolute.startswith(home.rstrip("/") + "/"):
        return "~/" + absolute[len(home.rstrip("/")) + 1 :]
    return str(path)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    candidates = list(candidates)
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not matches and "/" in word:
        tail = word.rsplit("/", 1)[1]
        matches = [c for c in candidates if c.endswith("/" + tail)][:1]
    if not matches:
        lowered = {c.rsplit("/", 1)[-1]: c for c in candidates}
        close = difflib.get_close_matches(word.rsplit("/", 1)[-1], list(lowered), n=1, cutoff=0.75)
        matches = [lowered[c] for c in close]
    return f" (did you mean '{matches[0]}'?)" if matches else ""
