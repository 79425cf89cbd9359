"""Add one entry to a top-level YAML list of a data file, adding lines only (comments and formatting stay as written).

The one appender of the data files: an accepted suggested link goes into a plan's ``links:``, a rejected one into
``suggestions/rejected.yaml``, and the organisations ``crossplan import`` adds into ``organisations.yaml``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CrossplanError, DataError
from ..text import describe_character, display_path, unclean_character

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq


@dataclass(frozen=True)
class Written:
    """What was added to a data file: where (its path and the entry's first line), and a one-line description."""

    path: Path
    line: int
    description: str


def add_list_entry(
    path: Path, text: str, key: str, entry: dict[str, Any], comment: str | None = None
) -> tuple[str, int]:
    """Return ``text`` with ``entry`` added at the end of the top-level block list ``key``, and the entry's line.

    ``comment``, if given, is written on its own line above the entry. A list value is written inline
    (``abbreviations: [YCS]``); an empty file is a mapping with no keys yet.

    Only lines are added: nothing else of the text changes (a full YAML round trip would re-wrap long texts).
    ``ruamel.yaml`` finds where the list ends and writes the entry; the result is parsed again to check that
    exactly this entry was added. Raises DataError when the file is not valid YAML or ``key`` is not a block list.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    where = display_path(path)
    _refuse_unclean(entry)
    round_trip = YAML(typ="rt", pure=True)
    try:
        document = round_trip.load(text) if text.strip() else CommentedMap()
    except RecursionError:
        raise DataError.at(where, 1, "lists or mappings are nested too deep to add to the file") from None
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or error
        raise DataError.at(where, mark.line + 1 if mark else 1, f"invalid YAML: {problem}") from None
    if not isinstance(document, CommentedMap):  # what a round trip reads a mapping as
        raise DataError.at(where, 1, f"the file must be a mapping with a '{key}:' list")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    empty = _empty_inline_list(document, key, lines)
    if empty is not None:  # `organisations: []`, as `crossplan init` writes it: the one line becomes `organisations:`
        lines[empty] = f"{key}:{lines[empty].split(']', 1)[1]}"
        document = round_trip.load("".join(lines))
    existing = document.get(key)
    before = list(existing) if isinstance(existing, list) else []  # anything else is refused by _list_end
    if key not in document:
        lines += (["\n"] if lines else []) + [f"{key}:\n"]
        insert_at, indent, blank = len(lines), "  ", False
    else:
        insert_at, indent, blank = _list_end(document, key, lines, where)
    rendered = _render_entry(entry, indent)
    if comment is not None:
        rendered = f"{indent}# {comment}\n" + rendered
    if blank:
        rendered = "\n" + rendered
    lines.insert(insert_at, rendered)
    new_text = "".join(lines)
    after = round_trip.load(new_text).get(key) or []
    if [dict(item) for item in after[:-1]] != [dict(item) for item in before] or dict(after[-1]) != entry:
        raise CrossplanError(f"{where}: could not add the entry without changing other lines; add it by hand")
    # every line before the insertion point is one item of ``lines``
    return new_text, insert_at + 1 + blank + (comment is not None)


def _empty_inline_list(document: CommentedMap, key: str, lines: list[str]) -> int | None:
    """Return the index of the line ``key: []`` (an empty list written inline, nothing else on the line), or None."""
    value = document.get(key)
    if not isinstance(value, list) or value:
        return None
    line = document.lc.key(key)[0]
    return line if re.fullmatch(rf"{re.escape(key)}:[ \t]*\[[ \t]*\][ \t]*(?:#.*)?\n", lines[line]) else None


def _refuse_unclean(entry: dict[str, Any]) -> None:
    """Refuse text the data files cannot hold (a control character, a lone surrogate) before anything is written."""
    for key, value in entry.items():
        for text in value if isinstance(value, list) else [value]:
            character = unclean_character(text) if isinstance(text, str) else None
            if character is not None:
                what = (
                    "a lone surrogate (half of a character)"
                    if 0xD800 <= ord(character) <= 0xDFFF
                    else "the control character"
                )
                raise CrossplanError(
                    f"the {key} holds {what} {describe_character(character)}: remove it (nothing was written)"
                )


def _list_end(document: CommentedMap, key: str, lines: list[str], where: str) -> tuple[int, str, bool]:
    """Return (index of the line to insert before, indentation of the list's dashes, whether to add a blank line)."""
    from ruamel.yaml.comments import CommentedSeq

    key_line: int = document.lc.key(key)[0]
    value = document[key]
    if value is None:
        return key_line + 1, "  ", False
    if (
        not isinstance(value, CommentedSeq)
        or getattr(value.fa, "_flow_style", False)
        or (value and _is_flow(lines, value))
    ):
        raise DataError.at(where, key_line + 1, f"'{key}:' must be a block list (one '- ' entry per item) to add to it")
    if not value:
        raise DataError.at(where, key_line + 1, f"'{key}: []' is empty and written inline: replace it with '{key}:'")
    keys = list(document)
    following = [document.lc.key(k)[0] for k in keys[keys.index(key) + 1 :]]
    end = min(following) if following else len(lines)
    while end > key_line + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    last_line = value.lc.item(len(value) - 1)[0]
    match = re.match(r"(\s*)-\s", lines[last_line])
    indent = match.group(1) if match else "  "
    above = last_line - 1
    while above > key_line and lines[above].lstrip().startswith("#"):
        above -= 1
    blank = len(value) > 1 and above > key_line and not lines[above].strip()
    return end, indent, blank


def _is_flow(lines: list[str], value: CommentedSeq) -> bool:
    line, column = value.lc.line, value.lc.col
    return line < len(lines) and lines[line][column : column + 1] == "["


def _render_entry(entry: dict[str, Any], indent: str) -> str:
    """Write one list entry as block YAML (long texts on one line, in double quotes; lists inline), indented."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    quoted = ("quote", "target-quote", "note", "date", "method")

    def written(key: str, value: Any) -> Any:
        if isinstance(value, list):
            inline = CommentedSeq(value)
            inline.fa.set_flow_style()
            return inline
        return DoubleQuotedScalarString(value) if key in quoted else value

    mapping = CommentedMap((k, written(k, v)) for k, v in entry.items())
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 1 << 16
    yaml.indent(mapping=2, sequence=2, offset=0)
    buffer = io.StringIO()
    yaml.dump([mapping], buffer)
    return "".join(indent + line if line.strip() else line for line in buffer.getvalue().splitlines(keepends=True))
