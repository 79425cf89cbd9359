"""The mapping matrix as data: one row per FROM recommendation, one column per TO workstream.

``build_matrix(store, from_plan, to_plan)`` turns ``questions.find_mapping`` into a ``Matrix`` whose every
cross-plan link has a number (1, 2, 3… in matrix order); the cells name the linked TO items with relation,
basis and that number, and ``Matrix.links`` holds each link once with its quote(s) and source. The report's
heat map and appendix use the same numbers. ``write_matrix`` writes it as CSV, JSON or a formatted ``.xlsx``.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CrossplanError
from ..files import write_atomically
from ..model.nodes import BASIS_WORDS, RELATION_MEANINGS
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


@dataclass(frozen=True)
class MatrixAbout:
    """What the spreadsheet says about itself on its About sheet: the answer in words, when and from what data."""

    headline: str = ""
    as_of: str = ""
    fingerprint: str = ""


def _entry_label(entry: MatrixEntry, labels: dict[str, str]) -> str:
    """Return a mark as a person reads it: ``1 · Adopt the YJB's proposal… — overlaps (judged)``."""
    meaning = RELATION_MEANINGS.get(entry.relation)
    words = (meaning.forward if entry.direction != "in" else meaning.backward) if meaning else entry.relation
    target = labels.get(entry.to_node) or _short(entry.to_node)
    return f"{target} — {words} ({entry.basis})"


def _unique(headers: list[str]) -> list[str]:
    """Excel tables need distinct header texts: a repeated one gets ``(2)``, ``(3)``…"""
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        out.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    return out


def matrix_xlsx(matrix: Matrix, about: MatrixAbout | None = None) -> bytes:
    """Return the matrix as an Excel workbook for people: an ``About`` sheet, the ``matrix`` and its ``links``.

    The matrix names things by their labels (ids in a column of their own, each a link to its first mark on the
    ``links`` sheet); counts are numbers, with a total per row and per workstream; both data sheets are Excel
    tables, print landscape fitted to the page width with the header row repeated. Text stays text: nothing
    that looks like a formula is written as one.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.table import Table, TableStyleInfo

    about = about or MatrixAbout()
    workbook = Workbook()
    intro = workbook.active
    intro.title = "About"
    sheet = workbook.create_sheet("matrix")
    links_sheet = workbook.create_sheet("links")
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    fills = {relation: PatternFill("solid", fgColor=colour) for relation, colour in RELATION_COLOURS.items()}
    labels = {link.to_node: link.to_label for link in matrix.links if link.to_label}
    title = f"How {matrix.from_title} maps onto {matrix.to_title}"

    # -- the matrix: one row per FROM recommendation, one column per TO workstream, labels in the cells
    fixed = ["No.", "Recommendation", "Id", "Status", "Response"]
    headers = _unique(fixed + [column_title for _column, column_title in matrix.columns] + ["Owners", "Links"])
    sheet.append([_xlsx_value(header) for header in headers])
    link_row = {link.number: index for index, link in enumerate(matrix.links, start=2)}
    link_home: dict[int, str] = {}
    totals = [0] * len(matrix.columns)
    for row_number, row in enumerate(matrix.rows, start=2):
        number: int | str | None = int(row.number) if row.number and row.number.isdigit() else row.number
        values: list = [number, row.text or row.label, row.recommendation, row.status, row.response]
        count = 0
        for offset, (column, _title) in enumerate(matrix.columns):
            entries = row.cells.get(column, [])
            values.append("\n".join(_entry_label(entry, labels) for entry in entries) or None)
            totals[offset] += len(entries)
            count += len(entries)
        values.append(owner_labels(row.owners) or None)
        values.append(count)
        sheet.append([_xlsx_value(value) for value in values])
        first = min((entry.link for entries in row.cells.values() for entry in entries), default=None)
        if first is not None:
            id_cell = sheet.cell(row=row_number, column=3)
            id_cell.hyperlink = Hyperlink(
                ref=id_cell.coordinate, location=f"'links'!A{link_row[first]}", tooltip="its links"
            )
            id_cell.font = Font(color="0057A0", underline="single")
        # Labels stay plain wrapped text (a hyperlinked cell does not wrap in every program): the id and the
        # count link to the row's first link on the links sheet, and each link there back to the id.
        for offset, (column, _title) in enumerate(matrix.columns):
            entries = row.cells.get(column, [])
            cell = sheet.cell(row=row_number, column=len(fixed) + 1 + offset)
            if entries:
                cell.fill = fills.get(entries[0].relation, PatternFill())
                for entry in entries:
                    link_home.setdefault(entry.link, f"'matrix'!C{row_number}")
        if first is not None:
            count_cell = sheet.cell(row=row_number, column=len(headers))
            count_cell.hyperlink = Hyperlink(
                ref=count_cell.coordinate, location=f"'links'!A{link_row[first]}", tooltip="the links and their quotes"
            )
    last_row = sheet.max_row
    sheet.append(["Total", f"{len(matrix.rows)} recommendations", None, None, None, *totals, None, sum(totals)])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row_cells in sheet.iter_rows():
        for cell in row_cells:
            cell.alignment = wrap
    widths = [6, 45, 20, 11, 13] + [26] * len(matrix.columns) + [24, 7]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    _fit_rows(sheet, widths)
    sheet.freeze_panes = "C2"
    table = Table(displayName="Matrix", ref=f"A1:{get_column_letter(len(headers))}{max(last_row, 2)}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    sheet.add_table(table)
    _print_setup(sheet)

    # -- the links: each once, with its quotes and source
    links_sheet.append([header.capitalize() for header in LINK_HEADERS])
    for link in matrix.links:
        links_sheet.append([_xlsx_value(value) for value in link_cells(link)])
        row_number = links_sheet.max_row
        links_sheet.cell(row=row_number, column=4).fill = fills.get(link.relation, PatternFill())
        if link.number in link_home:
            home = links_sheet.cell(row=row_number, column=1)
            home.hyperlink = Hyperlink(
                ref=home.coordinate, location=link_home[link.number], tooltip="back to the matrix"
            )
    for row_cells in links_sheet.iter_rows():
        for cell in row_cells:
            cell.alignment = wrap
    link_widths = [6, 22, 22, 13, 10, 9, 24, 40, 20, 60, 40, 24, 30]
    for index, width in enumerate(link_widths, start=1):
        links_sheet.column_dimensions[get_column_letter(index)].width = width
    _fit_rows(links_sheet, link_widths)
    links_sheet.freeze_panes = "B2"
    if matrix.links:
        links_table = Table(displayName="Links", ref=f"A1:{get_column_letter(len(LINK_HEADERS))}{links_sheet.max_row}")
        links_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        links_sheet.add_table(links_table)
    _print_setup(links_sheet)

    # -- what it is and how to read it
    rows = [
        (
            "What it is",
            f"{title}: each row is a recommendation of {matrix.from_title}; each column a workstream of "
            f"{matrix.to_title}; a cell names the items of that workstream the recommendation links to.",
        ),
        ("The answer", about.headline or f"{sum(totals)} links."),
        ("As of", about.as_of),
        (
            "Data",
            about.fingerprint + " (a hash of the data files: the same hash, the same data)"
            if about.fingerprint
            else "",
        ),
        (
            "How to read it",
            "A cell reads 'item — how it links (basis)'; its colour is the relation's. Click a recommendation's id "
            "(or its count of links) for the quotes and sources on the links sheet; click a link's number to come back. "
            "Links counts a row's links; the Total row counts each workstream's.",
        ),
    ]
    intro.append([_xlsx_value(title)])
    intro["A1"].font = Font(bold=True, size=14)
    intro.append([])
    for name, text in rows:
        intro.append([name, _xlsx_value(text)])
    intro.append([])
    intro.append(["Relation", "Class", "Reads", "Colour"])
    heading_row = intro.max_row
    for relation, meaning in RELATION_MEANINGS.items():
        if relation in RELATION_COLOURS:
            intro.append([relation, meaning.relation_class.value, f"A {meaning.forward} B", ""])
            intro.cell(row=intro.max_row, column=4).fill = fills[relation]
    intro.append([])
    intro.append(["Basis", "Means"])
    basis_row = intro.max_row
    for basis, words in BASIS_WORDS.items():
        intro.append([basis, words])
    for row_number in (heading_row, basis_row, *range(3, 3 + len(rows))):
        intro.cell(row=row_number, column=1).font = bold
    for cell in intro[heading_row] + intro[basis_row]:
        cell.font = bold
    for row_cells in intro.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = wrap
    for index, width in enumerate([16, 90, 28, 10], start=1):
        intro.column_dimensions[get_column_letter(index)].width = width
    _fit_rows(intro, [16, 90, 28, 10])
    intro.row_dimensions[1].height = 22
    _print_setup(intro, repeat=False)
    workbook.active = 1
    properties = workbook.properties
    properties.title = _xlsx_value(title)
    properties.subject = _xlsx_value(about.headline[:250]) if about.headline else "Mapping matrix"
    properties.creator = "crossplan"
    properties.keywords = "crossplan, mapping, matrix"
    properties.description = _xlsx_value(f"As of {about.as_of}; data {about.fingerprint}") if about.as_of else None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fit_rows(sheet, widths: list[int]) -> None:
    """Give each row the height its wrapped text needs (spreadsheet programs do not measure on opening)."""
    for row_cells in sheet.iter_rows():
        lines = 1
        for cell, width in zip(row_cells, widths, strict=False):
            if isinstance(cell.value, str):
                lines = max(
                    lines, sum(-(-len(part) // max(1, int(width * 1.1))) or 1 for part in cell.value.split("\n"))
                )
        sheet.row_dimensions[row_cells[0].row].height = 15 * lines


def _print_setup(sheet, repeat: bool = True) -> None:
    """Landscape, fitted to the page's width (as many pages down as it takes), the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if repeat:
        sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = False
    sheet.oddFooter.center.text = "&A · page &P of &N"


@dataclass(frozen=True)
class MatrixFormat:
    name: str
    suffix: str
    binary: bool
    render: Callable[[Matrix, MatrixAbout], bytes]


MATRIX_FORMATS = {
    "csv": MatrixFormat("csv", ".csv", False, lambda matrix, _about: matrix_csv(matrix)),
    "json": MatrixFormat("json", ".json", False, lambda matrix, _about: matrix_json(matrix)),
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
    mapping = find_mapping(store, from_plan, to_plan)
    about = MatrixAbout()
    if chosen.binary:  # only the workbook says where it comes from
        about = MatrixAbout(mapping.summary.headline, datetime.date.today().isoformat(), data_fingerprint(store))
    content = chosen.render(build_matrix(store, from_plan, to_plan, mapping), about)
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


def data_fingerprint(store: GraphStore) -> str:
    """Return a content hash of the data behind the store: of its data files, else of its sorted statements.

    The same data gives the same hash wherever it lies; any change to a plan, registry or source text changes it.
    A file whose SHA-256 the store recorded when it was built (``file_digests``: every plan and registry of an
    on-disk store) is not read again; the others (source texts) are.
    """
    digest = hashlib.sha256()
    data_dir = store.data_dir
    if data_dir is not None and Path(data_dir).is_dir():
        recorded = store.file_digests()
        for path in sorted(Path(data_dir).rglob("*")):
            relpath = path.relative_to(data_dir).as_posix()
            if (
                path.is_file()
                and path.suffix in (".yaml", ".yml", ".txt", ".md")
                and not any(part.startswith(".") for part in path.relative_to(data_dir).parts)
            ):
                digest.update(relpath.encode("utf-8") + b"\0")
                known = recorded.get(relpath)
                digest.update(bytes.fromhex(known) if known else hashlib.sha256(path.read_bytes()).digest())
        return "sha256:" + digest.hexdigest()[:16]
    # a SPARQL server or an in-memory graph: the statements themselves, in a fixed order
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    for line in sorted(f"{row['s']}\t{row['p']}\t{row['o']}" for row in rows):
        digest.update(line.encode("utf-8") + b"\n")
    return "sha256:" + digest.hexdigest()[:16]
