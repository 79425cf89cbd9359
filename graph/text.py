"""Text helpers shared by every layer: whitespace, paths as a user sees them, did-you-mean hints, and text made
clean, then safe, for each target.

Text is **clean before it is made safe**: ``clean_text`` removes what no writer can carry (control characters,
lone surrogates, the non-characters U+FFFE/U+FFFF), and only then does a target's maker neutralise what is
dangerous there: ``spreadsheet_text`` (a formula becomes text), ``xml_text`` (escaped, and refusing anything XML
1.0 cannot hold), ``terminal_text`` (escape sequences, bidi overrides and line separators shown, never obeyed).
The data files refuse unclean text when they are read (``unclean_character``), so cleaning matters for text that
did not come through them (a SPARQL server's answers, an imported table).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .errors import CrossplanError

_UNCLEAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What a terminal could obey: C0 and C1 controls, DEL, line and paragraph separators, bidi embeddings, overrides and
# isolates (U+202E turns the rest of a line around), lone surrogates (which cannot even be encoded).
_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_TERMINAL_ESCAPES = {"\t": "\\t", "\r": "\\r", "\n": "\\n"}


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space and strip.

    >>> normalise_space("  two\\n  lines ")
    'two lines'
    """
    return " ".join(text.split())


def display_path(path: Path) -> str:
    """Return a path as a user should see it: relative to the working directory when inside it, else from ``~``
    when inside the home directory, else whole; a byte of a name that is not UTF-8 shown as ``\\xff``."""
    return shown_name(_display_path(path))


def shown_name(text: str) -> str:
    """Return a file name or path as text that can be written anywhere: a byte that is not UTF-8 (which
    ``os.fsdecode`` keeps as a lone surrogate) shown as ``\\xff``.

    >>> shown_name("plan\\udcff.csv")
    'plan\\\\xff.csv'
    """
    if text.isprintable() or not any(0xDC80 <= ord(character) <= 0xDCFF for character in text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _display_path(path: Path) -> str:
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


def join_surrogate_pairs(text: str) -> str:
    """Return ``text`` with each pair of surrogates (as a JSON-style ``"\\ud83d\\ude00"`` escape gives) made the
    one character it stands for; lone surrogates stay.

    >>> join_surrogate_pairs("\\ud83d\\ude00") == "\\U0001f600"
    True
    """
    return _SURROGATE_PAIR.sub(
        lambda pair: chr(0x10000 + ((ord(pair.group()[0]) - 0xD800) << 10) + ord(pair.group()[1]) - 0xDC00), text
    )


def unclean_character(text: str) -> str | None:
    """Return the first character of ``text`` that no writer can carry (a control character other than tab, line
    feed and carriage return; a lone surrogate; U+FFFE or U+FFFF), or None.

    >>> unclean_character("tab\\tand line\\n"), unclean_character("a\\x01b")
    (None, '\\x01')
    """
    found = _UNCLEAN.search(text)
    return found.group() if found else None


def describe_character(character: str) -> str:
    """Name a character by its code point, as a message shows it.

    >>> describe_character("\\x1b")
    'U+001B'
    """
    return f"U+{ord(character):04X}"


def clean_text(text: str) -> str:
    """Return ``text`` with what no writer can carry removed: the first step before any target's maker.

    Removed: control characters (C0 but tab, line feed and carriage return; DEL; C1), lone surrogates (a pair is
    first joined into its character) and the non-characters U+FFFE and U+FFFF.

    >>> clean_text("\\x01=cmd"), clean_text("a \\ud800 b"), clean_text("line\\tone\\n")
    ('=cmd', 'a  b', 'line\\tone\\n')
    """
    if _UNCLEAN.search(text) is None:
        return text
    return _UNCLEAN.sub("", join_surrogate_pairs(text))


def spreadsheet_text(value: object) -> object:
    """Return a cell value, cleaned, that a spreadsheet (CSV or xlsx) shows as text and never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (after cleaning) gets a leading ``'``
    (OWASP CSV injection); numbers and None are returned as they are.

    >>> spreadsheet_text("\\x01=HYPERLINK(1)"), spreadsheet_text("-1"), spreadsheet_text(3), spreadsheet_text("plain")
    ("'=HYPERLINK(1)", "'-1", 3, 'plain')
    """
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def xml_text(text: str, *, quotes: bool = True) -> str:
    """Return ``text`` cleaned and escaped for XML 1.0 (element text, and attribute values when ``quotes``).

    Raises CrossplanError for a character XML 1.0 cannot hold that cleaning left (there is none: a safeguard).

    >>> xml_text('<a href="x">\\x07 & b</a>')
    '&lt;a href=&quot;x&quot;&gt; &amp; b&lt;/a&gt;'
    """
    text = clean_text(text)
    left = _UNCLEAN.search(text)
    if left is not None:  # pragma: no cover - clean_text leaves none
        raise CrossplanError(f"XML 1.0 cannot hold the character {describe_character(left.group())}")
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace('"', "&quot;").replace("'", "&#39;") if quotes else escaped


def terminal_text(text: str, keep_newlines: bool = False) -> str:
    r"""Return ``text`` as a terminal may print it: control characters, bidi controls, line separators and lone
    surrogates shown as escapes (``\n``, ``\t``, ``\x1b``, ``\u202e``…), never obeyed. The one escaping function of
    tables and messages.

    >>> print(terminal_text("red \x1b[31m and\ttab \u202eevil"))
    red \x1b[31m and\ttab \u202eevil
    """
    # the common case, nothing to escape: every character _TERMINAL matches is unprintable, and isprintable is quick
    if text.isprintable() or _TERMINAL.search(text) is None:
        return text
    if keep_newlines:
        return "\n".join(_TERMINAL.sub(_terminal_escape, line) for line in text.split("\n"))
    return _TERMINAL.sub(_terminal_escape, text)


def _terminal_escape(match: re.Match) -> str:
    character = match.group()
    if character in _TERMINAL_ESCAPES:
        return _TERMINAL_ESCAPES[character]
    if 0xDC80 <= ord(character) <= 0xDCFF:  # a byte of a file name that is not UTF-8 (os.fsdecode's escape)
        return f"\\x{ord(character) - 0xDC00:02x}"
    return f"\\x{ord(character):02x}" if ord(character) < 0x100 else f"\\u{ord(character):04x}"
