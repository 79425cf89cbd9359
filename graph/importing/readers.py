"""Read a .csv, .xlsx or .docx file safely into tables of text cells (the untrusted side of ``crossplan import``).

Spreadsheets are untrusted input: archives are size- and ratio-checked before they are opened, every archive
member is searched for document type and entity declarations, openpyxl parses through defusedxml, formula cells
are reported (never evaluated), and rows and columns are limited. Every refusal is an ImportFileError that names
the file, sheet, row and column.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ImportFileError
from ..text import display_path, normalise_space

MAX_FILE_BYTES = 20_000_000
"""Largest file (as stored on disk) that is imported."""
MAX_UNPACKED_BYTES = 100_000_000
"""Largest total uncompressed size of an .xlsx or .docx archive."""
MAX_COMPRESSION_RATIO = 200
"""Largest uncompressed/compressed ratio of an archive member over 1 MB (zip bombs reach thousands)."""
MAX_ARCHIVE_MEMBERS = 5_000
MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_REPORTED_PROBLEMS = 20

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


@dataclass
class Table:
    """The text cells of one sheet, CSV file or Word table, with 1-based row numbers."""

    display: str
    kind: str  # "csv", "xlsx" or "docx"
    name: str  # sheet name, or "table N"
    rows: list[tuple[int, list[str]]]
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    pages: dict[int, int] = field(default_factory=dict)  # row number -> page of a PDF

    def place(self, row: int, column: int | None = None) -> str:
        """Name a row (and column, 0-based) as ``file:sheet!row:column``, ``file:row:column`` or ``file:table N row M``
        (a Word table's columns are named in the message instead)."""
        if self.kind not in ("csv", "xlsx"):
            return f"{self.display}:{self.name} row {row}"
        where = f"{row}:{column_letter(column)}" if column is not None else f"{row}"
        return f"{self.display}:{self.name}!{where}" if self.kind == "xlsx" else f"{self.display}:{where}"


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index.

    >>> column_letter(0), column_letter(25), column_letter(27)
    ('A', 'Z', 'AB')
    """
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def read_tables(path: Path | str, sheet: str | None = None) -> list[Table]:
    """Read the tables of a .csv, .xlsx or .docx file as text; raise ImportFileError if it cannot be read safely."""
    path = Path(path)
    display = display_path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        kind = f"'{path.suffix}' files" if path.suffix else "files without an extension"
        raise ImportFileError(
            f"{display}: cannot import {kind}: crossplan imports .pdf, .docx, .html, .xlsx and .csv (UTF-8) files"
        )
    check_import_file(path, display)
    return reader(path, display, sheet)


def check_import_file(path: Path, display: str) -> None:
    """Refuse, before anything reads it, a file that is missing or larger than ``MAX_FILE_BYTES``."""
    if not path.is_file():
        raise ImportFileError(f"{display}: no such file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            f"{display}: the file is {_megabytes(size)}; crossplan imports files up to {_megabytes(MAX_FILE_BYTES)}"
        )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _clean(text: str) -> str:
    """Tidy one cell's text: normalise line ends, drop control characters, strip each line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\xa0", " ")
    text = _CONTROL.sub(" ", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip("\n ")


def _read_csv(path: Path, display: str, sheet: str | None) -> list[Table]:
    if sheet is not None:
        raise ImportFileError(f"{display}: --sheet is for .xlsx workbooks and .docx tables, not CSV files")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(f"{display}:{line}: not UTF-8 text (in Excel, save as 'CSV UTF-8')") from None
    try:
        dialect = csv.Sniffer().sniff(text[:16_000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                # blank lines are not kept, but they count: a file of millions of them is refused early
                if number > 2 * MAX_ROWS:
                    raise ImportFileError(
                        f"{display}:{number}: more than {2 * MAX_ROWS:,} lines (blank lines included); "
                        "delete the blank lines or split the table into smaller files"
                    )
                continue
            _check_row_size(
                cells, number, display, lambda column, number=number: f"{display}:{number}:{column_letter(column)}"
            )
            rows.append((number, [_clean(cell) for cell in cells[:MAX_COLUMNS]]))
    except csv.Error as error:
        raise ImportFileError(f"{display}:{reader.line_num}: not a readable CSV file ({error})") from None
    return [Table(display, "csv", path.name, rows)]


def _check_row_size(cells: list, number: int, where: str, place: Callable[..., str]) -> None:
    """Refuse a non-empty row beyond MAX_ROWS (``where`` names the file or sheet) or a cell beyond MAX_COLUMNS."""
    if number > MAX_ROWS and any(cell not in (None, "") for cell in cells):
        raise ImportFileError(f"{where}: more than {MAX_ROWS:,} rows; split the table into smaller files")
    for index in range(MAX_COLUMNS, len(cells)):
        if cells[index] not in (None, ""):
            raise ImportFileError(
                f"{place(index)}: more than {MAX_COLUMNS} columns; delete the columns that are not part of the plan"
            )


def check_archive(path: Path, display: str | None = None) -> None:
    """Refuse an .xlsx/.docx archive that is not a zip file or would unpack to too much data (a zip bomb).

    The sizes are read from the zip directory; Python's zipfile never returns more bytes than a member
    declares, so a lying directory cannot make openpyxl or python-docx read more than is checked here.
    """
    display = display or display_path(path)
    kind = "an Excel .xlsx" if path.suffix.lower() == ".xlsx" else "a Word .docx"
    if not zipfile.is_zipfile(path):
        raise ImportFileError(f"{display}: not {kind} file (it is not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError(f"{display}: not {kind} file that can be read ({error})") from None
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise ImportFileError(f"{display}: the archive holds {len(members):,} files; refusing to open it")
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"{display}: it unpacks to {_megabytes(total)} (more than {_megabytes(MAX_UNPACKED_BYTES)}); refusing to open it"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1_000_000 and ratio > MAX_COMPRESSION_RATIO:
            raise ImportFileError(
                f"{display}: {member.filename} unpacks to {_megabytes(member.file_size)} from "
                f"{_megabytes(member.compress_size)} ({ratio:,.0f} times; a zip bomb?); refusing to open it"
            )
    _refuse_declarations(path, display, members)


# A document type declaration is where entities are declared (and external ones named). Office files never
# carry one. The parsers behind openpyxl and python-docx (lxml) read one without complaint, only leaving its
# entities unexpanded, so every part of the archive is searched for it before they see any, in every encoding
# an XML parser accepts.
_DECLARATIONS = [
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
]


def _refuse_declarations(path: Path, display: str, members: list[zipfile.ZipInfo]) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            for member in members:
                if member.is_dir():
                    continue
                with archive.open(member) as stream:
                    data = stream.read(MAX_UNPACKED_BYTES + 1)
                if any(marker in data for marker in _DECLARATIONS):
                    raise ImportFileError(
                        f"{display}: {member.filename} declares a document type or entities (<!DOCTYPE>/<!ENTITY>), "
                        "which no spreadsheet or document program writes; refusing to open it"
                    )
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as error:
        # a damaged or encrypted member, or a compression method zipfile lacks
        raise ImportFileError(f"{display}: a part of the archive cannot be read ({excerpt(str(error), 120)})") from None


def check_defusedxml() -> None:
    """Raise ImportFileError unless openpyxl parses worksheets through defusedxml."""
    import defusedxml.ElementTree
    from openpyxl.xml import functions

    if functions.iterparse is not defusedxml.ElementTree.iterparse:
        raise ImportFileError(
            "openpyxl is not using defusedxml (is OPENPYXL_DEFUSEDXML set to False?); refusing to read spreadsheets"
        )


def _read_xlsx(path: Path, display: str, sheet: str | None) -> list[Table]:
    import warnings

    check_archive(path, display)
    import openpyxl
    from defusedxml import DefusedXmlException

    check_defusedxml()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
            # the same workbook again for the values the spreadsheet program saved with its formulas
            saved = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types (KeyError, InvalidFileException, lxml errors)
        unsafe = _cause_of_type(error, DefusedXmlException)
        if unsafe is not None:
            raise ImportFileError(f"{display}: refusing unsafe XML in the workbook ({unsafe!r})") from None
        raise ImportFileError(
            f"{display}: not a readable Excel .xlsx file ({type(error).__name__}: {excerpt(str(error), 120)})"
        ) from None
    try:
        worksheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        if sheet is None:
            if not worksheets:
                raise ImportFileError(f"{display}: the workbook has no worksheet")
            worksheet = worksheets[0]
        else:
            names = [ws.title for ws in worksheets]
            if sheet not in names:
                raise ImportFileError(f"{display}: no sheet '{sheet}' (sheets: {', '.join(names)})")
            worksheet = worksheets[names.index(sheet)]
        table = Table(
            display, "xlsx", worksheet.title, [], title=normalise_space(workbook.properties.title or "") or None
        )
        worksheet.reset_dimensions()  # a forged <dimension> must not make openpyxl pad rows to 16,384 columns
        saved_sheet = saved[worksheet.title]
        saved_sheet.reset_dimensions()
        saved_rows = saved_sheet.iter_rows()
        problems = []
        try:
            for number, cells in enumerate(worksheet.iter_rows(), start=1):
                saved_cells = next(saved_rows, ())
                _check_row_size(
                    [cell.value for cell in cells],
                    number,
                    f"{display}:{worksheet.title}",
                    lambda column, number=number: table.place(number, column),
                )
                texts = []
                for index, cell in enumerate(cells[:MAX_COLUMNS]):
                    value = cell.value
                    if cell.data_type == "f":
                        saved_cell = saved_cells[index] if index < len(saved_cells) else None
                        value = saved_cell.value if saved_cell is not None else None
                        if value is not None and getattr(saved_cell, "data_type", None) == "e":
                            problems.append(
                                f"{table.place(number, index)}: the cell holds a formula ({excerpt(str(cell.value))}) "
                                f"whose saved value is an error ({excerpt(str(value))}): correct it in the spreadsheet"
                            )
                            value = None
                        elif value is None:
                            problems.append(
                                f"{table.place(number, index)}: the cell holds a formula ({excerpt(str(cell.value))}); "
                                "crossplan does not evaluate formulas: replace it with its value (Copy, Paste Values)"
                            )
                        else:
                            table.warnings.append(
                                f"{table.place(number, index)}: the cell holds a formula ({excerpt(str(cell.value))}); "
                                f"imported the value saved with it, '{excerpt(_cell_text(value))}' (never evaluated)"
                            )
                    texts.append(_cell_text(value))
                table.rows.append((number, texts))
        except DefusedXmlException as error:
            raise ImportFileError(f"{display}: refusing unsafe XML in sheet '{worksheet.title}' ({error})") from None
        except ImportFileError:
            raise
        except Exception as error:
            raise ImportFileError(
                f"{display}: sheet '{worksheet.title}' cannot be read ({type(error).__name__}: {error})"
            ) from None
        if problems:
            raise problems_error(problems)
        return [table]
    finally:
        workbook.close()
        saved.close()


def _cause_of_type(error: BaseException, kind: type) -> BaseException | None:
    """Return the first exception of ``kind`` in an error's chain of causes (openpyxl wraps what it catches)."""
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return _clean(str(value))


def _read_docx(path: Path, display: str, sheet: str | None) -> list[Table]:
    check_archive(path, display)
    import docx
    from docx.table import Table as WordTable
    from docx.table import _Cell

    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises PackageNotFoundError, KeyError, lxml errors...
        raise ImportFileError(f"{display}: not a readable Word .docx file ({type(error).__name__}: {error})") from None
    tables: list[Table] = []
    total_rows = 0
    heading = normalise_space(document.core_properties.title or "") or None
    for block in document.iter_inner_content():
        if not isinstance(block, WordTable):
            text = normalise_space(block.text)
            if text and len(text) <= 200:
                heading = text  # the last short paragraph before a table is its title
            continue
        table = Table(display, "docx", f"table {len(tables) + 1}", [], title=heading)
        for row_number, tr in enumerate(block._tbl.tr_lst, start=1):
            total_rows += 1
            declared = (tr.grid_before or 0) + sum((tc.grid_span or 1) for tc in tr.tc_lst)
            if declared > MAX_COLUMNS * 4:  # summed before any cell is made: a forged gridSpan is refused
                raise ImportFileError(
                    f"{table.place(row_number)}: the row declares {declared:,} columns; "
                    f"crossplan reads tables of up to {MAX_COLUMNS} columns"
                )
            cells = [""] * (tr.grid_before or 0)
            # Each <w:tc> is read itself: row.cells would repeat a vertically merged cell's text in every row
            # it spans (its continuation cells are empty), making continuation rows look like new recommendations.
            for tc in tr.tc_lst:
                cells.append(_clean("\n".join(_paragraph_text(p) for p in _Cell(tc, block).paragraphs)))
                cells.extend([""] * ((tc.grid_span or 1) - 1))
            _check_row_size(
                cells, total_rows, display, lambda column, table=table, row_number=row_number: table.place(row_number)
            )
            table.rows.append((row_number, cells[:MAX_COLUMNS]))
        tables.append(table)
    if not tables:
        raise ImportFileError(f"{display}: the document has no tables")
    if sheet is not None:
        if not sheet.isdigit() or not 1 <= int(sheet) <= len(tables):
            raise ImportFileError(
                f"{display}: --sheet '{sheet}' is not a table number (the document has {len(tables)} tables)"
            )
        return [tables[int(sheet) - 1]]
    return tables


def _paragraph_text(paragraph: Any) -> str:
    """A Word paragraph's text, with "• " before a bulleted list item (Word keeps the bullet out of the text)."""
    style = (paragraph.style.name or "") if paragraph.style is not None else ""
    bulleted = style.lower().startswith("list bullet")
    return f"• {paragraph.text}" if bulleted and paragraph.text.strip() else paragraph.text


_READERS = {".csv": _read_csv, ".xlsx": _read_xlsx, ".docx": _read_docx}
"""The readers by file extension: each takes (path, display name, sheet) and returns tables of text."""


def excerpt(text: str, width: int = 40) -> str:
    """Return text on one line, cut to ``width`` characters with "..." (for quoting a cell in a message)."""
    text = normalise_space(text)
    return text if len(text) <= width else text[: width - 3] + "..."


def problems_error(problems: list[str]) -> ImportFileError:
    """Return the error for several problems with one file: its message shows the first MAX_REPORTED_PROBLEMS."""
    shown = problems[:MAX_REPORTED_PROBLEMS]
    if len(problems) > len(shown):
        shown.append(f"... and {len(problems) - len(shown)} more problems")
    return ImportFileError("\n".join(shown), problems)
