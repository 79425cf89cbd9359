"""The rejections file of a data directory: suggested links a person rejected, read, checked and recorded.

Rejected links are remembered in ``suggestions/rejected.yaml`` in the data directory (beside ``plans/``), a file
the loader does not read as data::

    # Suggested links a person rejected: `crossplan suggest` never proposes them again.
    rejected:
      - from: hmip-resettlement/r8          # global ids of the two plan items (either way round)
        to: yj-blueprint/prevention-2
        date: "2024-05-02"                  # when it was rejected (YYYY-MM-DD)
        note: "Different subjects."         # optional: why
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ..errors import CrossplanError, DataError, Problem
from ..files import write_text_atomically
from ..text import did_you_mean, display_path
from .append import Written, add_list_entry
from .lock import data_dir_lock
from .yamlfile import YamlList, YamlMapping, read_yaml

REJECTIONS_FILE = "suggestions/rejected.yaml"
"""Where, inside a data directory, rejected suggestions are remembered."""

_REJECTIONS_HEADER = "# Suggested links a person rejected: `crossplan suggest` never proposes them again.\nrejected:\n"
_REJECTION_KEYS = ("from", "to", "date", "note")
_ITEM_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Rejection:
    """A suggested link a person rejected."""

    source_id: str
    target_id: str
    date: str | None = None
    note: str | None = None


def record_rejection(data_dir: Path | str, rejection: Rejection) -> Written:
    """Add a rejection to ``suggestions/rejected.yaml`` (made if missing); refuse one that is already there.

    The data directory's lock is held from reading the file to renaming the new one, so that rejections
    recorded at the same time are all kept. Raises CrossplanError, DataError or DataDirBusyError.
    """
    path = Path(data_dir) / REJECTIONS_FILE
    with data_dir_lock(data_dir):
        known = find_rejection(data_dir, rejection.source_id, rejection.target_id)
        if known is not None:
            raise CrossplanError(f"{rejection.source_id} -> {rejection.target_id} is already rejected ({known})")
        text = path.read_text(encoding="utf-8") if path.is_file() else _REJECTIONS_HEADER
        entry = {
            "from": rejection.source_id,
            "to": rejection.target_id,
            "date": rejection.date,
            "note": rejection.note,
        }
        text, line = add_list_entry(path, text, "rejected", {k: v for k, v in entry.items() if v})
        path.parent.mkdir(exist_ok=True)
        write_text_atomically(path, text)
    return Written(path, line, f"{rejection.source_id} -> {rejection.target_id}")


def find_rejection(data_dir: Path | str, source_id: str, target_id: str) -> str | None:
    """Return where (``file:line``) the pair is rejected, either way round, or None. Raises DataError."""
    problems: list[Problem] = []
    lines: list[int] = []
    found = _parse_rejections(Path(data_dir), problems, None, lines)
    if problems:
        raise DataError(problems)
    pair = {source_id, target_id}
    for rejection, line in zip(found, lines, strict=True):
        if {rejection.source_id, rejection.target_id} == pair:
            return f"{display_path(Path(data_dir) / REJECTIONS_FILE)}:{line}"
    return None


def read_rejections(data_dir: Path | str, item_ids: Collection[str] | None = None) -> list[Rejection]:
    """Read ``suggestions/rejected.yaml`` of a data directory (no file: no rejections).

    With ``item_ids`` (the global ids of plan items), ids that name no item are problems too.
    Raises DataError listing every problem with its line.
    """
    problems: list[Problem] = []
    rejections = _parse_rejections(Path(data_dir), problems, item_ids)
    if problems:
        raise DataError(problems)
    return rejections


def check_rejections(data_dir: Path | str, item_ids: Collection[str] | None) -> list[Problem]:
    """Return the problems of a data directory's rejections file (for validation)."""
    problems: list[Problem] = []
    _parse_rejections(Path(data_dir), problems, item_ids)
    return problems


def _parse_rejections(
    data_dir: Path, problems: list[Problem], item_ids: Collection[str] | None, lines: list[int] | None = None
) -> list[Rejection]:
    path = data_dir / REJECTIONS_FILE
    if not path.exists():
        return []
    where = display_path(path)

    def report(line: int, message: str) -> None:
        problems.append(Problem(where, line, message))

    try:
        document = read_yaml(path, where)
    except DataError as error:
        problems.extend(error.problems)
        return []
    if document is None:
        return []
    if not isinstance(document, YamlMapping) or set(document) - {"rejected"}:
        report(getattr(document, "line", 1), "the file must hold one key, 'rejected:', a list of links")
        return []
    entries = document.get("rejected")
    if entries is None:
        return []
    if not isinstance(entries, YamlList):
        report(document.line_of("rejected"), "'rejected' must be a list of links (from, to, date, note)")
        return []
    out = []
    for entry, line in zip(entries, entries.item_lines, strict=False):
        if not isinstance(entry, YamlMapping):
            report(line, "each rejected link must be a mapping with 'from' and 'to'")
            continue
        found = len(problems)
        for key in entry:
            if key not in _REJECTION_KEYS:
                hint = did_you_mean(key, _REJECTION_KEYS)
                report(entry.line_of(key), f"unknown key '{key}' in a rejected link{hint}")
        ids: list[str] = []
        for key in ("from", "to"):
            value = entry.get(key)
            value = value.strip() if isinstance(value, str) else value
            if not isinstance(value, str) or not _ITEM_ID.fullmatch(value):
                report(entry.line_of(key), f"'{key}' must be the global id of a plan item (plan/item)")
                continue
            if item_ids is not None and value not in item_ids:
                report(entry.line_of(key), f"'{key}' '{value}' is not an item of a plan{did_you_mean(value, item_ids)}")
            ids.append(value)
        date, note = entry.get("date"), entry.get("note")
        if date is not None and not (isinstance(date, str) and _DAY.fullmatch(date.strip())):
            report(entry.line_of("date"), f"invalid date {date!r}: write YYYY-MM-DD")
        if note is not None and not isinstance(note, str):
            report(entry.line_of("note"), "'note' must be text")
        if len(problems) == found:
            out.append(Rejection(ids[0], ids[1], date.strip() if date else None, note))
            if lines is not None:
                lines.append(line)
    return out
