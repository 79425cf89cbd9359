"""The mapping matrix as data: one row per FROM recommendation, one column per TO workstream.

``build_matrix(store, from_plan, to_plan)`` turns ``questions.find_mapping`` into a ``Matrix`` whose every
cross-plan link has a number (1, 2, 3… in matrix order); the cells name the linked TO items with relation,
basis and that number, and ``Matrix.links`` holds each link once with its quote(s) and source. The report's
heat map and appendix use the same numbers. ``write_matrix`` writes it as CSV, JSON or a formatted ``.xlsx``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CrossplanError
from ..files import write_atomically
from ..questions.mapping import Mapping, MappingLink, find_mapping
from ..questions.owners import RolledOwner, owner_labels
from .export import spreadsheet_safe

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore

OTHER_COLUMN = "(other)"
"""The column of links that land on no workstream (the TO plan as a whole, or a plan without workstreams)."""

# One colour per relation, shared by the spreadsheet and the report (light fills that keep black text readable).
RELATION_COLOURS = {
    "feeds-into": "C6E0B4",
    "delegated-to": "FFE699",
    "duplicate-of": "F8CBAD",
    "supersedes": "D9D2E9",
    "references": "DDEBF7",
    "related-to": "BDD7EE",
}


@dataclass
class MatrixEntry:
    """A mark in a cell: the TO item a FROM recommendation (or one of its parts) is linked to."""

    link: int
    to_node: str
    relation: str
    basis: str
    direction: str


@dataclass
class MatrixRow:
    recommendation: str
    number: str | None
    label: str
    status: str | None
    response: str | None
    text: str | None = None
    cells: dict[str, list[MatrixEntry]] = field(default_factory=dict)
    owners: list[RolledOwner] = field(default_factory=list)


@dataclass
class Matrix:
    """FROM's recommendations × TO's workstreams; ``columns`` are (id, title) pairs, ``OTHER_COLUMN`` last if used."""

    from_plan: str
    from_title: str
    to_plan: str
    to_title: str
    columns: list[tuple[str, str]]
    rows: list[MatrixRow]
    links: list[MappingLink]

    def as_dict(self) -> dict:
        """Return the matrix as plain JSON-ready data (what ``--format json`` prints)."""
        data = asdict(self)
        data["columns"] = [{"id": column, "title": title} for column, title in self.columns]
        return data


def _short(global_id: str) -> str:
    return global_id.rsplit("/", 1)[-1]


def entry_text(entry: MatrixEntry | dict) -> str:
    """Return how one mark reads in a cell: ``resettlement-4 related-to (judged) [3]`` (``←`` when inbound).

    >>> entry_text(MatrixEntry(3, "yj/resettlement-4", "related-to", "judged", "out"))
    'resettlement-4 related-to (judged) [3]'
    """
    if isinstance(entry, dict):
        entry = MatrixEntry(**entry)
    arrow = "← " if entry.direction == "in" else ""
    return f"{arrow}{_short(entry.to_node)} {entry.relation} ({entry.basis}) [{entry.link}]"


def cell_text(entries: list[MatrixEntry] | list[dict]) -> str:
    """Return a whole cell: one mark a line."""
    return "\n".join(entry_text(entry) for entry in entries)


def build_matrix(store: GraphStore, from_plan: str, to_plan: str, mapping: Mapping | None = None) -> Matrix:
    """Return FROM's recommendations × TO's workstreams, every cross-plan link numbered once.

    Raises CrossplanError when a plan is unknown or both are the same (as ``find_mapping``).
    """
    mapping = mapping or find_mapping(store, from_plan, to_plan)
    columns = list(mapping.workstreams)
    known = {column for column, _title in columns}
    links: list[MappingLink] = []
    rows: list[MatrixRow] = []
    used_other = False

    def number(link: MappingLink) -> MappingLink:
        link.number = len(links) + 1
        links.append(link)
        return link

    for mapping_row in mapping.rows:
        row = MatrixRow(
            mapping_row.recommendation,
            mapping_row.number,
            mapping_row.label,
            mapping_row.status,
            mapping_row.response,
            mapping_row.text,
            owners=mapping_row.owners,
        )
        for link in mapping_row.links:
            number(link)
            column = link.workstream if link.workstream in known else OTHER_COLUMN
            used_other |= column == OTHER_COLUMN
            row.cells.setdefault(column, []).append(
                MatrixEntry(len(links), link.to_node, link.relation, link.basis, link.direction)
            )
        rows.append(row)
    for link in mapping.other_links:  # from FROM's plan or workstreams: listed, numbered, not in a row
        number(link)
    if used_other:
        columns.append((OTHER_COLUMN, "Other" if mapping.workstreams else f"{mapping.to_title} (no workstreams)"))
    return Matrix(mapping.from_plan, mapping.from_title, mapping.to_plan, mapping.to_title, columns, rows, links)


# -- writing -----------------------------------------------------------------------------------------

_ROW_HEADERS = ["recommendation", "number", "text", "status", "response"]
LINK_HEADERS = [
    "link",
    "from recommendation",
    "from item",
    "relation",
    "basis",
    "direction",
    "to item",
    "to label",
    "to workstream",
    "quote",
    "target quote",
    "source",
    "source title",
]


def link_cells(link: MappingLink) -> list:
    """Return one link as the row of the links sheet / table (the order of ``LINK_HEADERS``)."""
    return [
        link.number,
        link.from_recommendation,
        link.from_node,
        link.relation,
        link.basis,
        link.direction,
        link.to_node,
        link.to_label,
        link.workstream,
        link.quote,
        link.target_quote,
        link.source,
        link.source_title,
    ]


def _matrix_rows(matrix: Matrix) -> tuple[list[str], list[list]]:
    headers = _ROW_HEADERS + [title for _column, title in matrix.columns] + ["owners"]
    rows = [
        [row.recommendation, row.number, row.text or row.label, row.status, row.response]
        + [cell_text(row.cells.get(column, [])) for column, _title in matrix.columns]
        + [owner_labels(row.owners)]
        for row in matrix.rows
    ]
    return headers, rows


def matrix_csv(matrix: Matrix) -> bytes:
    """Return the matrix as CSV (UTF-8 with a byte-order mark, formula-like text made inert)."""
    headers, rows = _matrix_rows(matrix)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(header) for header in headers])
    for row in rows:
        writer.writerow([spreadsheet_safe("" if value is None else value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def matrix_json(matrix: Matrix) -> bytes:
    """Return the matrix as JSON: columns, rows with their cells, and every numbered link."""
    return (json.dumps(matrix.as_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _xlsx_value(value):
    """A cell value Excel will neither run (formula-like text made inert) nor refuse (control characters dropped)."""
    return spreadsheet_safe(value)  # control characters dropped first, then formula-like text made inert


def matrix_xlsx(matrix: Matrix) -> bytes:
    """Return the matrix as an Excel workbook: a ``matrix`` sheet and a ``links`` sheet, cross-linked.

    The header row is frozen and filtered, text wraps, a cell is filled with the colour of its (first)
    relation, and each cell links to its first mark's row on the ``links`` sheet, which links back.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "matrix"
    links_sheet = workbook.create_sheet("links")
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    fills = {relation: PatternFill("solid", fgColor=colour) for relation, colour in RELATION_COLOURS.items()}
    headers, rows = _matrix_rows(matrix)
    sheet.append([_xlsx_value(header) for header in headers])
    link_home: dict[int, str] = {}
    for row_number, (row, values) in enumerate(zip(matrix.rows, rows, strict=False), start=2):
        sheet.append([_xlsx_value(value) for value in values])
        for offset, (column, _title) in enumerate(matrix.columns):
            entries = row.cells.get(column, [])
            cell = sheet.cell(row=row_number, column=len(_ROW_HEADERS) + 1 + offset)
            if entries:
                cell.fill = fills.get(entries[0].relation, PatternFill())
                cell.hyperlink = Hyperlink(
                    ref=cell.coordinate, location=f"'links'!A{entries[0].link + 1}", tooltip="the link and its quote"
                )
                for entry in entries:
                    link_home.setdefault(entry.link, f"'matrix'!{cell.coordinate}")
    for cell in sheet[1]:
        cell.font = bold
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = wrap
    widths = [18, 8, 50, 12, 14] + [28] * len(matrix.columns) + [30]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "D2"
    sheet.auto_filter.ref = sheet.dimensions

    links_sheet.append(LINK_HEADERS)
    for link in matrix.links:
        links_sheet.append([_xlsx_value(value) for value in link_cells(link)])
        row_number = links_sheet.max_row
        links_sheet.cell(row=row_number, column=4).fill = fills.get(link.relation, PatternFill())
        if link.number in link_home:
            home = links_sheet.cell(row=row_number, column=1)
            home.hyperlink = Hyperlink(
                ref=home.coordinate, location=link_home[link.number], tooltip="back to the matrix"
            )
    for cell in links_sheet[1]:
        cell.font = bold
    for row in links_sheet.iter_rows():
        for cell in row:
            cell.alignment = wrap
    for index, width in enumerate([6, 22, 22, 13, 10, 9, 24, 40, 20, 60, 40, 24, 30], start=1):
        links_sheet.column_dimensions[get_column_letter(index)].width = width
    links_sheet.freeze_panes = "B2"
    links_sheet.auto_filter.ref = links_sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class MatrixFormat:
    name: str
    suffix: str
    binary: bool
    render: Callable[[Matrix], bytes]


MATRIX_FORMATS = {
    "csv": MatrixFormat("csv", ".csv", False, matrix_csv),
    "json": MatrixFormat("json", ".json", False, matrix_json),
    "xlsx": MatrixFormat("xlsx", ".xlsx", True, matrix_xlsx),
}


def write_matrix(
    store: GraphStore, from_plan: str, to_plan: str, format_name: str, output: Path | str | None = None
) -> bytes | None:
    """Write the FROM × TO matrix in ``format_name`` to ``output`` atomically, or return its bytes when None.

    Raises CrossplanError for an unknown format or plan, or an output that cannot be written.
    """
    chosen = MATRIX_FORMATS.get(format_name)
    if chosen is None:
        raise CrossplanError(f"unknown matrix format '{format_name}' (one of: {', '.join(MATRIX_FORMATS)})")
    content = chosen.render(build_matrix(store, from_plan, to_plan))
    if output is None:
        return content
    write_output(Path(output), content)
    return None


def write_output(path: Path, content: bytes) -> None:
    """Write bytes to ``path`` atomically; raise CrossplanError (one line, naming the file) when that fails."""
    if path.is_dir():
        raise CrossplanError(f"{path} is a directory: give a file name")
    try:
        write_atomically(path, lambda stream: stream.write(content))
    except PermissionError:
        raise CrossplanError(f"{path}: cannot write there (permission denied)") from None
    except OSError as error:
        raise CrossplanError(f"{path}: cannot write there ({error.strerror or error})") from None
