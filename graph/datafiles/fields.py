"""Typed access to the keys of one YAML mapping (text, ids, references, dates, owners), with problems at their line.

Used by the file reader: a Fields reports through the reader (the ``FileContext`` it is given), so a wrong value
becomes ``file:line: what is wrong (and a likely fix)``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any, Protocol

from ..model.nodes import SLUG, NodeType, Owner, TargetDate
from ..text import did_you_mean, normalise_space
from .yamlfile import YamlList, YamlMapping, written_form

GLOBAL_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class FileContext(Protocol):
    """What typed field access needs from the reader of a file: report a problem, resolve and record references."""

    def problem(self, line: int, message: str) -> None: ...

    def resolve(self, ref: str) -> str: ...

    def refer(self, line: int, target: str, expected: tuple[NodeType, ...], field_name: str) -> None: ...

    def fields(
        self,
        mapping: Any,
        where: str,
        allowed: tuple[str, ...],
        required: tuple[str, ...] = (),
        line: int | None = None,
    ) -> Fields | None: ...


def kind_of(value: object) -> str:
    """Name the kind of a YAML value as a message says it ('text', 'a list', 'nothing'...)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _unquoted(key: str, value: object, written: str, item: bool = False) -> str:
    """Say that a text was written so that YAML reads it as something else, and how to quote it."""
    kind = "a date" if isinstance(value, str) else "true/false" if isinstance(value, bool) else "a number"
    name = key if item else f"'{key}'"
    fix = f'- "{written}"' if item else f'{key}: "{written}"'
    changed = (
        ""
        if isinstance(value, str) or str(value) == written or isinstance(value, bool)
        else f" ({str(value)} after reading)"
    )
    return f"{name} must be text, but {written} unquoted is read as {kind}{changed}: quote it, as in {fix}"


class Fields:
    """Typed access to the keys of one YAML mapping, reporting problems at the key's line."""

    def __init__(self, reader: FileContext, mapping: YamlMapping, where: str) -> None:
        self.reader = reader
        self.mapping = mapping
        self.where = where

    def line(self, key: str) -> int:
        return self.mapping.line_of(key)

    def raw_text(self, key: str, required: bool = False) -> str | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        if required and isinstance(value, str) and not value.strip():
            self.reader.problem(self.line(key), f"'{key}' is empty")
            return None
        if isinstance(value, (list, dict)):
            self.reader.problem(self.line(key), f"'{key}' must be text, not {kind_of(value)}")
            return None
        written = written_form(value)
        if written is not None:
            self.reader.problem(self.line(key), _unquoted(key, value, written))
            return None
        return str(value)

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.raw_text(key, required)
        return normalise_space(value) if value is not None else None

    def pieces(self, key: str) -> list[str]:
        """Read a text written whole, or as a list of pieces where the source prints it interrupted."""
        value = self.mapping.get(key)
        if isinstance(value, YamlList):
            pieces = []
            for item, line in zip(value, value.item_lines, strict=False):
                written = written_form(item)
                if written is not None and not isinstance(item, str):
                    self.reader.problem(line, _unquoted(f"each piece of '{key}'", item, written, item=True))
                elif isinstance(item, str) and item.strip():
                    pieces.append(normalise_space(item))
                else:
                    self.reader.problem(line, f"each piece of '{key}' must be non-empty text")
            return pieces
        text = self.text(key)
        return [text] if text else []

    def slug(self, key: str, required: bool = False) -> str | None:
        value = self.raw_text(key, required)
        if value is None:
            return None
        if not SLUG.fullmatch(value):
            suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
            self.reader.problem(
                self.line(key), f"id '{value}' must be lower-case letters, digits and hyphens (e.g. '{suggestion}')"
            )
            return None
        return value

    def text_list(self, key: str) -> list[str]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [normalise_space(value)]
        if not isinstance(value, YamlList):
            self.reader.problem(self.line(key), f"'{key}' must be a list of text, not {kind_of(value)}")
            return []
        out = []
        for item, line in zip(value, value.item_lines, strict=False):
            written = written_form(item)
            if written is not None:
                self.reader.problem(line, _unquoted(f"each of '{key}'", item, written, item=True))
            elif isinstance(item, str):
                out.append(normalise_space(item))
            else:
                self.reader.problem(line, f"each of '{key}' must be text, not {kind_of(item)}")
        return out

    def list_of(self, key: str, required: bool = False) -> list[tuple[object, int]]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, YamlList):
            self.reader.problem(self.line(key), f"'{key}' must be a list, not {kind_of(value)}")
            return []
        return list(zip(value, value.item_lines, strict=False))

    def _check_id(self, line: int, value: str, key: str) -> str | None:
        if not GLOBAL_ID.fullmatch(value):
            self.reader.problem(
                line,
                f"'{key}' value '{value}' is not an id (lower-case letters, digits and hyphens, optionally <plan>/<item>)",
            )
            return None
        return value

    def reference(self, key: str, expected: tuple[NodeType, ...]) -> str | None:
        value = self.raw_text(key)
        if value is None:
            return None
        value = value.strip()
        if self._check_id(self.line(key), value, key) is None:
            return None
        resolved = self.reader.resolve(value)
        self.reader.refer(self.line(key), resolved, expected, key)
        return resolved

    def references(self, key: str, expected: tuple[NodeType, ...]) -> list[str]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            values, lines = [value], [self.line(key)]
        elif isinstance(value, YamlList):
            values, lines = list(value), value.item_lines
        else:
            self.reader.problem(self.line(key), f"'{key}' must be an id or a list of ids, not {kind_of(value)}")
            return []
        out = []
        for item, line in zip(values, lines, strict=False):
            if not isinstance(item, str):
                self.reader.problem(line, f"each of '{key}' must be an id, not {kind_of(item)}")
                continue
            if self._check_id(line, item.strip(), key) is None:
                continue
            resolved = self.reader.resolve(item.strip())
            self.reader.refer(line, resolved, expected, key)
            out.append(resolved)
        return out

    def choice(self, key: str, enum: Any) -> Any:
        value = self.raw_text(key)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            spellings = enum.spellings()
            hint = (
                did_you_mean(value.strip().lower().replace(" ", "-").replace("_", "-"), spellings)
                or f" (one of: {', '.join(spellings)})"
            )
            self.reader.problem(self.line(key), f"unknown {key} '{value}'{hint}")
            return None

    def date(self, key: str, mapping: YamlMapping | None = None) -> str | None:
        mapping = mapping if mapping is not None else self.mapping
        value = mapping.get(key)
        if value is None:
            return None
        return parse_date(value, lambda message: self.reader.problem(mapping.line_of(key), message))

    def owners(self, key: str) -> list[Owner]:
        owners = []
        for item, line in self.list_of(key):
            if isinstance(item, str):
                resolved = self.reader.resolve(item.strip())
                if self._check_id(line, item.strip(), key) is not None:
                    self.reader.refer(line, resolved, (NodeType.ORGANISATION,), "owner")
                    owners.append(Owner(None, resolved))
                continue
            fields = self.reader.fields(item, "an owner", ("text", "organisation"), line=line)
            if fields is None:
                continue
            text = fields.text("text")
            organisation = fields.reference("organisation", (NodeType.ORGANISATION,))
            if text is None and organisation is None:
                self.reader.problem(line, "an owner needs 'text' (as printed) or 'organisation' (an id)")
                continue
            owners.append(Owner(text, organisation))
        return owners

    def import_marks(self) -> None:
        """Check what ``crossplan import`` adds to an item: ``page`` (a page number) and ``review`` (a list of text)."""
        page = self.mapping.get("page")
        if page is not None and (isinstance(page, bool) or not isinstance(page, int) or page < 1):
            self.reader.problem(self.line("page"), f"'page' must be a page number (1 or more), not {kind_of(page)}")
        self.text_list("review")

    def target_dates(self, key: str) -> list[TargetDate]:
        targets = []
        for item, line in self.list_of(key):
            fields = self.reader.fields(item, "a target date", ("text", "date"), line=line)
            if fields is None:
                continue
            text = fields.text("text")
            date = fields.date("date")
            if text is None and date is None:
                self.reader.problem(line, "a target date needs 'text' (as printed) or 'date'")
                continue
            targets.append(TargetDate(text, date))
        return targets


def parse_date(value: object, report: Callable[[str], None]) -> str | None:
    """Check a date written as YYYY, YYYY-MM or YYYY-MM-DD and return it as text (or None, reporting why)."""
    if isinstance(value, (datetime.date,)):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        report(f"invalid date {value!r}: write YYYY, YYYY-MM or YYYY-MM-DD")
        return None
    text = value.strip()
    match = _DATE.fullmatch(text)
    if not match:
        report(f"invalid date '{text}': write YYYY, YYYY-MM or YYYY-MM-DD")
        return None
    year, month, day = match.groups()
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        report(f"invalid date '{text}': {error}")
        return None
    return text
