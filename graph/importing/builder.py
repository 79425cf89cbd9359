"""Import an action-plan table from a CSV, Excel (.xlsx) or Word (.docx) file as a new plan file.

The reader recognises the common action-plan template by its headers (case, spacing, numbering such as
``1. Rec No`` and bracketed notes are ignored)::

    Rec No | Recommendation | Agreed/Partly Agreed/Not Agreed | Response Action Taken/Planned |
    Responsible Owner | Target Date          (+ Status, Timescale, Workstream, Actions, ID, Notes ...)

and ``--map COLUMN=FIELD`` names any other column (``FIELDS`` lists the fields). How rows become the
YAML model (docs/data-format.md):

- A row whose only text is "X should:" is an addressee row: the organisations it names (matched to the
  registry by name or abbreviation) are ``addressed-to`` of every recommendation below it, until the next one.
- A row with a Rec No (or an id) starts a recommendation (id ``r<number>``, or ``<workstream>-<number>`` when
  there is a workstream column). Without a Rec No or id column, a row with recommendation text starts one.
  Any other row continues the recommendation above it (a merged or page-broken cell).
- Each Response / Action Taken cell becomes an update. A first line such as ``Action Plan Update (December
  2020)`` becomes the update's title and date; a continuation cell without such a heading continues the
  update above it. The row's owners and target dates go on that update (else on the row's one action, else on
  the recommendation). Action cells become actions, one per bullet.
- Status cells (``COMPLETE``, ``ONGOING - Long term``, ``N/A``, ``Removed``) give status, status-text and
  timescale; a recommendation whose text reads "Removed ..." is recorded as removed, and "duplicate of
  recommendation N" there becomes an explicit duplicate-of link.

Spreadsheets are untrusted input: archives are size- and ratio-checked before they are opened, openpyxl
parses through defusedxml, formula cells are reported (never evaluated), and rows and columns are limited.
The new plan is validated with the rest of the data directory before anything is written.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..datafiles.datadir import writable_data_dir
from ..datafiles.loading import PLANS_DIR
from ..errors import CrossplanError, DataError, ImportFileError, Problem
from ..model.nodes import SLUG, NodeType, Response, Status
from ..output import counted
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
HEADER_SEARCH_ROWS = 20
MAX_REPORTED_PROBLEMS = 20

FIELDS = {
    "number": "the recommendation number as printed (Rec No)",
    "id": "the recommendation's id (lower-case letters, digits and hyphens)",
    "text": "the recommendation text",
    "response": "Agreed / Partly Agreed / Not Agreed",
    "update": "the response or progress update (Response Action Taken/Planned)",
    "action": "actions, one per bullet",
    "owner": "responsible owners",
    "target-date": "target dates",
    "status": "status (Complete, Ongoing - timescale, N/A, Removed)",
    "timescale": "timescale as printed",
    "workstream": "workstream, theme or thematic area",
    "addressed-to": "the organisations the recommendation is addressed to",
    "note": "a comment kept as the recommendation's note",
    "ignore": "a column to leave out",
}
"""The fields a column can be mapped to with ``--map COLUMN=FIELD``."""

_HEADER_VARIANTS = {
    "number": [
        "rec no",
        "rec",
        "rec number",
        "recommendation no",
        "recommendation number",
        "rec ref",
        "no",
        "number",
        "ref",
        "ref no",
        "reference",
        "#",
        "recommendation ref",
    ],
    "id": ["id", "rec id", "recommendation id"],
    "text": ["recommendation", "recommendations", "recommendation text", "milestone", "recommendation (milestone)"],
    "response": [
        "agreed/partly agreed/not agreed",
        "agreed/partially agreed/not agreed",
        "agreed/not agreed",
        "agreed/disagreed",
        "agreed",
        "accepted",
        "accepted/partly accepted/not accepted",
        "agreement",
        "response (agreed/partly agreed/not agreed)",
        "accepted/rejected",
    ],
    "update": [
        "response action taken/planned",
        "response/action taken/planned",
        "action taken/planned",
        "actions taken/planned",
        "response",
        "update",
        "updates",
        "progress",
        "progress update",
        "latest update",
        "management response",
        "response and action taken",
        "response/update",
    ],
    "action": [
        "action",
        "actions",
        "action(s)",
        "action(s) include",
        "actions include",
        "planned action",
        "planned actions",
        "key actions",
    ],
    "owner": [
        "responsible owner",
        "responsible owners",
        "owner",
        "owners",
        "lead",
        "leads",
        "action owner",
        "responsible",
        "responsible officer",
        "lead officer",
        "lead owner",
        "owner/lead",
    ],
    "target-date": [
        "target date",
        "target dates",
        "target",
        "date",
        "dates",
        "deadline",
        "due date",
        "completion date",
        "target completion date",
        "due",
    ],
    "status": ["status", "rag", "rag status", "current status", "progress status", "refreshed timescale"],
    "timescale": ["timescale", "timescales", "timeframe", "timeline"],
    "workstream": ["workstream", "work stream", "theme", "thematic area", "area", "strand", "priority area"],
    "addressed-to": ["addressee", "addressees", "addressed to", "recommendation to", "recommendation for"],
    "note": ["note", "notes", "comment", "comments"],
}
_HEADER_FIELDS = {variant: name for name, variants in _HEADER_VARIANTS.items() for variant in variants}
_SINGLE_FIELDS = ("number", "id", "response", "workstream", "addressed-to")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_ADDRESSEE = re.compile(r"(?is)(?P<who>.{2,300}?)\s+should\s*:?\s*")
_REMOVED = re.compile(r"(?i)^\W*(?:recommendation\s+)?(?:removed|deleted|withdrawn)\b")
_DUPLICATE_OF = re.compile(
    r"(?i)duplicate\s+of\s+(?:the\s+)?(?:(?P<group>\w+)\s+)?recommendation\s+(?:no\.?\s*)?(?P<number>[a-z]?\d+[a-z]?)\b"
)
_UPDATE_HEADING = re.compile(
    r"(?P<title>[^.\n]{0,80}\((?P<when>(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Za-z]+\.?\s+\d{4}|\d{4})\))\s*:?"
)
_BULLET = re.compile(r"^\s*(?:[•▪◦●\-*–]|\d+[.)])\s+")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class ImportResult:
    """What an import wrote (or, with ``dry_run``, would write)."""

    plan_id: str
    plan_path: Path
    plan_text: str
    source: str
    tables: str
    recommendations: int
    removed: int
    updates: int
    actions: int
    workstreams: int
    links: int
    unknown_organisations: list[str]
    added_organisations: list[tuple[str, str]]
    organisations_path: Path
    organisations_text: str | None
    written: bool
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Describe the import in a few lines, as the CLI prints it."""
        removed = f" ({self.removed} removed)" if self.removed else ""
        counts = (
            f"{counted(self.recommendations, 'recommendation')}{removed}, {counted(self.updates, 'update')}, "
            f"{counted(self.actions, 'action')}, {counted(self.workstreams, 'workstream')}, {counted(self.links, 'link')}"
        )
        where = display_path(self.plan_path)
        if self.written:
            lines = [f"Imported {counts} from {self.source} ({self.tables}) into {where}"]
        else:
            lines = [f"Dry run: would write {where} with {counts} from {self.source} ({self.tables}); nothing written"]
        organisations = display_path(self.organisations_path)
        if self.added_organisations:
            verb = "Added" if self.written else "Would add"
            added = ", ".join(f"{org_id} ({name})" for org_id, name in self.added_organisations)
            lines.append(f"{verb} {counted(len(self.added_organisations), 'organisation')} to {organisations}: {added}")
        if self.unknown_organisations:
            lines.append(
                f"Not in {organisations} (left out of addressed-to; add them with --add-organisations): "
                + "; ".join(self.unknown_organisations)
            )
        lines += [f"Warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Public entry point


def import_plan(
    source: Path | str,
    plan_id: str,
    data_dir: Path | str | None = None,
    *,
    title: str | None = None,
    mappings: dict[str, str] | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    add_organisations: bool = False,
) -> ImportResult:
    """Import an action-plan table as ``plans/<plan_id>.yaml`` of a data directory.

    ``source`` is a .csv, .xlsx or .docx file; ``mappings`` maps a column header to one of ``FIELDS``;
    ``sheet`` names the worksheet of an .xlsx file (default: the first) or the table number of a .docx file.
    The whole data set is validated with the new plan (and any organisations added with
    ``add_organisations``) before anything is written; ``dry_run`` writes nothing.
    Returns an ImportResult. Raises ImportFileError (naming file, sheet, row and column) when the file cannot
    be read, CrossplanError for a bad plan id, data directory or existing plan, and DataError when the result
    would not validate.
    """
    from ..datafiles.loading import load_dataset
    from ..files import write_text_atomically
    from ..rdf.validation import validate_data

    data_dir = writable_data_dir(
        data_dir,
        refusal="will not import into the shipped data: make a data directory of your own with "
        "`crossplan init DIR` and pass `--data DIR` (or set CROSSPLAN_DATA=DIR)",
    )
    if not SLUG.fullmatch(plan_id or ""):
        suggestion = re.sub(r"[^a-z0-9]+", "-", (plan_id or "").lower()).strip("-") or "my-plan"
        raise CrossplanError(
            f"plan id '{plan_id}' must be lower-case letters, digits and hyphens (e.g. '{suggestion}')"
        )
    plan_relpath = f"{PLANS_DIR}/{plan_id}.yaml"
    plan_path = data_dir / plan_relpath
    if plan_path.exists() and not force:
        raise CrossplanError(f"{display_path(plan_path)} already exists (use --force to replace it)")
    mappings = _check_mappings(mappings or {})
    source = Path(source)
    tables = read_tables(source, sheet)
    dataset = load_dataset(data_dir, strict=False)
    organisations = _OrganisationIndex.from_dataset(dataset, plan_id, add_organisations)
    builder = _PlanBuilder(organisations, mappings)
    builder.read(tables)
    builder.raise_problems()
    plan_title = normalise_space(title or "") or builder.title or _title_from_name(source)
    plan_text = render_plan(plan_id, plan_title, builder, _describe_source(source, tables))

    organisations_path = data_dir / "organisations.yaml"
    overrides = {plan_relpath: plan_text}
    organisations_text = None
    if organisations.added:
        organisations_text = _organisations_text(organisations_path, organisations.added)
        overrides["organisations.yaml"] = organisations_text
    problems = validate_data(data_dir, overrides=overrides)
    if problems:
        raise DataError(_relocate(problems, display_path(plan_path), plan_text, builder.recommendations))
    if not dry_run:
        if organisations_text is not None:
            write_text_atomically(organisations_path, organisations_text)
        plan_path.parent.mkdir(exist_ok=True)
        write_text_atomically(plan_path, plan_text)
    recommendations = builder.recommendations
    return ImportResult(
        plan_id=plan_id,
        plan_path=plan_path,
        plan_text=plan_text,
        source=display_path(source),
        tables=_describe_tables(tables, builder.tables_used),
        recommendations=len(recommendations),
        removed=sum(1 for rec in recommendations if rec.progress.status is Status.REMOVED),
        updates=sum(len(rec.updates) for rec in recommendations),
        actions=sum(len(rec.actions) for rec in recommendations),
        workstreams=len(builder.workstreams),
        links=len(builder.links()),
        unknown_organisations=organisations.unknown,
        added_organisations=[(entry.id, entry.name) for entry in organisations.added],
        organisations_path=organisations_path,
        warnings=[warning for table in tables for warning in table.warnings],
        organisations_text=organisations_text,
        written=not dry_run,
    )


def _check_mappings(mappings: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Return {header key: (field, column as given)}, raising CrossplanError for an unknown field."""
    checked = {}
    for column, name in mappings.items():
        name = name.strip().lower()
        if name not in FIELDS:
            from ..text import did_you_mean

            raise CrossplanError(
                f"--map '{column}={name}': unknown field '{name}'{did_you_mean(name, FIELDS)} "
                f"(fields: {', '.join(FIELDS)})"
            )
        checked[header_key(column)] = (name, column)
    return checked


def parse_mapping(text: str) -> tuple[str, str]:
    """Split a ``COLUMN=FIELD`` option into its column and field.

    >>> parse_mapping("Lead officer = owner")
    ('Lead officer', 'owner')
    """
    column, equals, name = text.rpartition("=")
    if not equals or not column.strip() or not name.strip():
        raise CrossplanError(f"'{text}' is not COLUMN=FIELD (fields: {', '.join(FIELDS)})")
    return column.strip(), name.strip()


# --------------------------------------------------------------------------------------------
# Reading files into tables of text


@dataclass
class _Table:
    """The text cells of one sheet, CSV file or Word table, with 1-based row numbers."""

    display: str
    kind: str  # "csv", "xlsx" or "docx"
    name: str  # sheet name, or "table N"
    rows: list[tuple[int, list[str]]]
    title: str | None = None
    warnings: list[str] = field(default_factory=list)

    def place(self, row: int, column: int | None = None) -> str:
        """Name a row (and column, 0-based) as ``file:sheet!row:column``, ``file:row:column`` or ``file:table N row M``
        (a Word table's columns are named in the message instead)."""
        if self.kind == "docx":
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


def read_tables(path: Path | str, sheet: str | None = None) -> list[_Table]:
    """Read the tables of a .csv, .xlsx or .docx file as text; raise ImportFileError if it cannot be read safely."""
    path = Path(path)
    display = display_path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        kind = f"'{path.suffix}' files" if path.suffix else "files without an extension"
        raise ImportFileError(f"{display}: cannot import {kind}: save the table as .xlsx, .csv (UTF-8) or .docx")
    if not path.is_file():
        raise ImportFileError(f"{display}: no such file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            f"{display}: the file is {_megabytes(size)}; crossplan imports files up to {_megabytes(MAX_FILE_BYTES)}"
        )
    return reader(path, display, sheet)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _clean(text: str) -> str:
    """Tidy one cell's text: normalise line ends, drop control characters, strip each line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\xa0", " ")
    text = _CONTROL.sub(" ", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip("\n ")


def _read_csv(path: Path, display: str, sheet: str | None) -> list[_Table]:
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
            _check_row_size(
                cells, number, display, lambda column, number=number: f"{display}:{number}:{column_letter(column)}"
            )
            rows.append((number, [_clean(cell) for cell in cells[:MAX_COLUMNS]]))
    except csv.Error as error:
        raise ImportFileError(f"{display}:{reader.line_num}: not a readable CSV file ({error})") from None
    return [_Table(display, "csv", path.name, rows)]


def _check_row_size(cells: list, number: int, where: str, place) -> None:
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


def _refuse_declarations(path: Path, display: str, members) -> None:
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
        raise ImportFileError(
            f"{display}: a part of the archive cannot be read ({_excerpt(str(error), 120)})"
        ) from None


def check_defusedxml() -> None:
    """Raise ImportFileError unless openpyxl parses worksheets through defusedxml."""
    import defusedxml.ElementTree
    from openpyxl.xml import functions

    if functions.iterparse is not defusedxml.ElementTree.iterparse:
        raise ImportFileError(
            "openpyxl is not using defusedxml (is OPENPYXL_DEFUSEDXML set to False?); refusing to read spreadsheets"
        )


def _read_xlsx(path: Path, display: str, sheet: str | None) -> list[_Table]:
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
            f"{display}: not a readable Excel .xlsx file ({type(error).__name__}: {_excerpt(str(error), 120)})"
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
        table = _Table(
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
                                f"{table.place(number, index)}: the cell holds a formula ({_excerpt(str(cell.value))}) "
                                f"whose saved value is an error ({_excerpt(str(value))}): correct it in the spreadsheet"
                            )
                            value = None
                        elif value is None:
                            problems.append(
                                f"{table.place(number, index)}: the cell holds a formula ({_excerpt(str(cell.value))}); "
                                "crossplan does not evaluate formulas: replace it with its value (Copy, Paste Values)"
                            )
                        else:
                            table.warnings.append(
                                f"{table.place(number, index)}: the cell holds a formula ({_excerpt(str(cell.value))}); "
                                f"imported the value saved with it, '{_excerpt(_cell_text(value))}' (never evaluated)"
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
            raise _problems_error(problems)
        return [table]
    finally:
        workbook.close()
        saved.close()


def _cause_of_type(error: BaseException, kind: type) -> BaseException | None:
    """Return the first exception of ``kind`` in an error's chain of causes (openpyxl wraps what it catches)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _cell_text(value) -> str:
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


def _read_docx(path: Path, display: str, sheet: str | None) -> list[_Table]:
    check_archive(path, display)
    import docx
    from docx.table import Table, _Cell

    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises PackageNotFoundError, KeyError, lxml errors...
        raise ImportFileError(f"{display}: not a readable Word .docx file ({type(error).__name__}: {error})") from None
    tables: list[_Table] = []
    total_rows = 0
    heading = normalise_space(document.core_properties.title or "") or None
    for block in document.iter_inner_content():
        if not isinstance(block, Table):
            text = normalise_space(block.text)
            if text and len(text) <= 200:
                heading = text  # the last short paragraph before a table is its title
            continue
        table = _Table(display, "docx", f"table {len(tables) + 1}", [], title=heading)
        for row_number, tr in enumerate(block._tbl.tr_lst, start=1):
            total_rows += 1
            cells = [""] * (tr.grid_before or 0)
            # Each <w:tc> is read itself: row.cells would repeat a vertically merged cell's text in every row
            # it spans (its continuation cells are empty), making continuation rows look like new recommendations.
            for tc in tr.tc_lst:
                cells.append(_clean(_Cell(tc, block).text))
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


_READERS = {".csv": _read_csv, ".xlsx": _read_xlsx, ".docx": _read_docx}
"""The readers by file extension: each takes (path, display name, sheet) and returns tables of text."""


def _excerpt(text: str, width: int = 40) -> str:
    text = normalise_space(text)
    return text if len(text) <= width else text[: width - 3] + "..."


def _problems_error(problems: list[str]) -> ImportFileError:
    shown = problems[:MAX_REPORTED_PROBLEMS]
    if len(problems) > len(shown):
        shown.append(f"... and {len(problems) - len(shown)} more problems")
    error = ImportFileError("\n".join(shown))
    error.problems = problems
    return error


# --------------------------------------------------------------------------------------------
# Recognising headers and values


def header_key(header: str) -> str:
    """Normalise a column header for matching: case, spacing, numbering, dots and spaces round '/' go.

    >>> header_key("4.  Response\\nAction Taken/Planned")
    'response action taken/planned'
    >>> header_key("3. Agreed/ Partly Agreed/ Not Agreed")
    'agreed/partly agreed/not agreed'
    """
    text = " ".join(header.split()).lower().replace("’", "'")
    text = re.sub(r"^\d+\s*[.):]?\s+", "", text)
    text = re.sub(r"\s*/\s*", "/", text).replace(".", "")
    return text.strip(" :*-")


def header_label(header: str) -> str:
    """Return a header as a message should name it: one line, without its number.

    >>> header_label("1.\\nRec\\nNo")
    'Rec No'
    """
    return re.sub(r"^\d+\s*[.):]?\s+", "", normalise_space(header))


def field_of_header(header: str) -> str | None:
    """Return the field a template header stands for, or None.

    >>> field_of_header("5. Responsible Owner (including named individuals and their functional role or department)")
    'owner'
    >>> field_of_header("1.\\nRec\\nNo")
    'number'
    """
    key = header_key(header)
    if key in _HEADER_FIELDS:
        return _HEADER_FIELDS[key]
    without_notes = " ".join(re.sub(r"\s\([^)]*\)", " ", key).split()).strip(" :*-")
    return _HEADER_FIELDS.get(without_notes)


def parse_printed_date(text: str) -> str | None:
    """Return ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` when the whole text is a date, else None.

    >>> [parse_printed_date(t) for t in ("March 2020", "31 March 2021", "31/03/2021", "2023", "Q1 2021")]
    ['2020-03', '2021-03-31', '2021-03-31', '2023', None]
    """
    text = normalise_space(text).strip(" .,;")
    try:
        if re.fullmatch(r"\d{4}", text):
            return text
        match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text)
        if match:
            year, month, day = match.groups()
            datetime.date(int(year), int(month), int(day or 1))
            return text
        match = re.fullmatch(r"([A-Za-z]+)\.?,? (\d{4})", text)
        if match and match.group(1).lower() in _MONTHS:
            return f"{match.group(2)}-{_MONTHS[match.group(1).lower()]:02d}"
        match = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+)\.?,? (\d{4})", text)
        if match and match.group(2).lower() in _MONTHS:
            return datetime.date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1))).isoformat()
        match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
        if match:  # day first, as printed in UK documents
            return datetime.date(int(match.group(3)), int(match.group(2)), int(match.group(1))).isoformat()
    except ValueError:
        return None
    return None


def parse_response(text: str) -> Response | None:
    """Read an Agreed / Partly Agreed / Not Agreed cell; None when it is none of them.

    >>> parse_response("Partly Agreed"), parse_response("NOT AGREED"), parse_response("maybe")
    (<Response.PARTLY_AGREED: 'partly-agreed'>, <Response.NOT_AGREED: 'not-agreed'>, None)
    """
    words = " ".join(re.sub(r"[^a-z]+", " ", text.lower()).split())
    if words in ("agreed", "accepted", "agree", "accept"):
        return Response.AGREED
    if words in (
        "partly agreed",
        "partially agreed",
        "part agreed",
        "agreed in part",
        "partly accepted",
        "partially accepted",
        "accepted in part",
    ):
        return Response.PARTLY_AGREED
    if words in ("not agreed", "disagreed", "rejected", "not accepted", "declined"):
        return Response.NOT_AGREED
    return None


def parse_status(text: str) -> tuple[Status, str | None] | None:
    """Read a status cell into a status and the timescale printed after it; None when it is not a status.

    >>> parse_status("ONGOING - Long term (2022/2023+)")
    (<Status.ONGOING: 'ongoing'>, 'Long term (2022/2023+)')
    >>> parse_status("N/A"), parse_status("Amber")
    ((<Status.NOT_APPLICABLE: 'not-applicable'>, None), None)
    """
    text = normalise_space(text)
    parts = re.split(r"\s+[-–—]\s+|:\s*", text, maxsplit=1)
    head = parts[0].strip(" .").lower()
    rest = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
    words = {
        Status.COMPLETE: ("complete", "completed", "closed", "done", "delivered", "achieved"),
        Status.ONGOING: ("ongoing", "on-going", "in progress", "on track", "open", "started", "underway", "delayed"),
        Status.NOT_APPLICABLE: ("n/a", "na", "not applicable"),
        Status.REMOVED: ("removed", "deleted", "withdrawn"),
    }
    for status, spellings in words.items():
        if head in spellings:
            return status, rest
    return None


def _update_heading(line: str) -> tuple[str, str | None] | None:
    """Return (title, date) when a line is an update heading such as ``Action Plan Update (December 2020)``."""
    match = _UPDATE_HEADING.fullmatch(line.strip())
    if not match:
        return None
    return match.group("title").strip(), parse_printed_date(match.group("when"))


def _paragraphs(text: str) -> list[str]:
    """Split a cell at blank lines into whitespace-normalised paragraphs."""
    return [normalise_space(part) for part in re.split(r"\n\s*\n", text) if part.strip()]


def _slug(text: str, width: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "").replace("'", "")).strip("-")
    if len(slug) > width:
        slug = slug[:width].rsplit("-", 1)[0]
    return slug


# --------------------------------------------------------------------------------------------
# Organisations


@dataclass
class _NewOrganisation:
    id: str
    name: str
    abbreviation: str | None


class _OrganisationIndex:
    """Find registry organisations in printed text by name (any case) or abbreviation (exact case)."""

    _STOP_WORDS = {"should", "all", "both", "other", "others", "partners", "etc", "relevant", "agencies"}

    def __init__(self, organisations: list[tuple[str, str, list[str]]], taken_ids: set[str], add: bool):
        self.names: dict[str, str] = {}
        self.abbreviations: dict[str, str] = {}
        for org_id, name, abbreviations in organisations:
            self.names.setdefault(_fold(name).lower(), org_id)
            for abbreviation in abbreviations:
                self.abbreviations.setdefault(_fold(abbreviation), org_id)
        self.taken_ids = set(taken_ids)
        self.add = add
        self.added: list[_NewOrganisation] = []
        self.unknown: list[str] = []
        self._pattern = None

    @classmethod
    def from_dataset(cls, dataset, plan_id: str, add: bool) -> _OrganisationIndex:
        organisations = [
            (node.id, node.label, node.abbreviations)
            for node in dataset.nodes.values()
            if node.type is NodeType.ORGANISATION
        ]
        return cls(organisations, set(dataset.nodes) | {plan_id}, add)

    def _regex(self):
        if self._pattern is None:
            alternatives = [(len(name), f"(?i:{re.escape(name)})") for name in self.names]
            alternatives += [(len(abbreviation), re.escape(abbreviation)) for abbreviation in self.abbreviations]
            alternatives.sort(key=lambda item: -item[0])
            body = "|".join(pattern for _, pattern in alternatives) or r"(?!x)x"
            self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)")
        return self._pattern

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Return (start, end, organisation id) of every organisation named in ``text``, longest names first."""
        folded = _fold(text)
        found = []
        for match in self._regex().finditer(folded):
            org_id = self.abbreviations.get(match.group()) or self.names.get(match.group().lower())
            if org_id:
                found.append((match.start(), match.end(), org_id))
        return found

    def organisation_of_owner(self, text: str) -> str | None:
        """Return the one organisation an owner cell names, or None when it names none or several."""
        ids = {org_id for _, _, org_id in self.find(text)}
        return ids.pop() if len(ids) == 1 else None

    def addressees(self, text: str) -> list[str]:
        """Return the organisation ids named in an addressee text; unknown names are listed (or added)."""
        found = self.find(text)
        ids = []
        leftover = text.replace("\n", " ")  # as printed: unknown names are listed as the table spells them
        for start, end, org_id in found:
            leftover = leftover[:start] + "," + " " * (end - start - 1) + leftover[end:]
            if org_id not in ids:
                ids.append(org_id)
        for segment in re.split(r"\s*(?:,|;|&|\band\b|\bor\b)\s*", leftover):
            name = re.sub(r"(?i)^(?:the|all)\b\s*", "", segment.strip()).strip(" .:;")
            if name.count("(") != name.count(")"):
                name = name.strip("()").strip()
            if not re.search(r"[A-Za-z]{2,}", name) or name.lower() in self._STOP_WORDS:
                continue
            org_id = self._unknown(name)
            if org_id and org_id not in ids:
                ids.append(org_id)
        return ids

    def _unknown(self, name: str) -> str | None:
        if not self.add:
            if name not in self.unknown:
                self.unknown.append(name)
            return None
        match = re.fullmatch(r"(.+?)\s*\(([A-Z][A-Za-z&]{1,11})\)", name)
        full_name, abbreviation = (match.group(1), match.group(2)) if match else (name, None)
        base = _slug(abbreviation or full_name, 40) or "organisation"
        org_id, suffix = base, 2
        while org_id in self.taken_ids:
            org_id, suffix = f"{base}-{suffix}", suffix + 1
        self.taken_ids.add(org_id)
        self.added.append(_NewOrganisation(org_id, full_name, abbreviation))
        self.names[_fold(full_name).lower()] = org_id
        if abbreviation:
            self.abbreviations[_fold(abbreviation)] = org_id
        self._pattern = None
        return org_id


def _fold(text: str) -> str:
    """Make apostrophes and spaces comparable without changing the text's length (spans stay valid)."""
    return text.replace("’", "'").replace("‘", "'").replace("\n", " ")


def _organisations_text(path: Path, added: list[_NewOrganisation]) -> str:
    """Return organisations.yaml with new entries appended, keeping its comments and layout."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    round_trip = _round_trip_yaml()
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    from ruamel.yaml.error import YAMLError

    try:
        document = round_trip.load(text) if text.strip() else None
    except RecursionError:
        raise DataError.at(
            display_path(path), 0, "lists or mappings are nested too deep: fix it before adding organisations"
        ) from None
    except (YAMLError, ValueError, TypeError) as error:
        raise DataError.at(
            display_path(path),
            0,
            f"cannot be read as YAML ({type(error).__name__}): fix it before adding organisations",
        ) from None
    if document is None:
        document = CommentedMap()
    if not isinstance(document, CommentedMap):
        raise CrossplanError(
            f"{display_path(path)}: not a mapping with 'organisations:'; fix it before adding organisations"
        )
    entries = document.get("organisations")
    if entries is None:
        entries = document["organisations"] = CommentedSeq()
    if not isinstance(entries, CommentedSeq):
        raise CrossplanError(f"{display_path(path)}: 'organisations' is not a list; fix it before adding organisations")
    entries.fa.set_block_style()
    for position, organisation in enumerate(added):
        entry = CommentedMap(id=organisation.id, name=organisation.name)
        if organisation.abbreviation:
            entry["abbreviations"] = _flow([organisation.abbreviation])
        entries.append(entry)
        if position == 0:
            entries.yaml_set_comment_before_after_key(len(entries) - 1, before="Added by `crossplan import`", indent=2)
    stream = io.StringIO()
    round_trip.dump(document, stream)
    return stream.getvalue()


def _round_trip_yaml():
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def _flow(items: list):
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


# --------------------------------------------------------------------------------------------
# Building the plan from rows


@dataclass
class _Progress:
    status: Status | None = None
    status_text: str | None = None
    timescale: str | None = None
    owners: list[tuple[str, str | None]] = field(default_factory=list)
    target_dates: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class _Update:
    place: str
    title: str | None
    date: str | None
    lines: list[str]
    progress: _Progress = field(default_factory=_Progress)


@dataclass
class _Action:
    text: str
    progress: _Progress = field(default_factory=_Progress)


@dataclass
class _Recommendation:
    place: str
    id: str
    number: str | None
    workstream: str | None
    addressed_to: list[str]
    addressee_text: str | None
    text: list[str] = field(default_factory=list)
    response: Response | None = None
    progress: _Progress = field(default_factory=_Progress)
    actions: list[_Action] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    single: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (value, place)


class _PlanBuilder:
    """Turn header-mapped rows into recommendations, collecting every problem with its place."""

    def __init__(self, organisations: _OrganisationIndex, mappings: dict[str, tuple[str, str]]):
        self.organisations = organisations
        self.mappings = mappings
        self.problems: list[str] = []
        self.recommendations: list[_Recommendation] = []
        self.workstreams: dict[str, str] = {}
        self.title: str | None = None
        self.tables_used: list[_Table] = []
        self._keys: dict[str, str] = {}
        self._mapped: set[str] = set()
        self._headers_seen: list[str] = []

    def problem(self, place: str, message: str) -> None:
        self.problems.append(f"{place}: {message}")

    def raise_problems(self) -> None:
        if self.problems:
            raise _problems_error(self.problems)

    # -- headers ----------------------------------------------------------------------------

    def read(self, tables: list[_Table]) -> None:
        for table in tables:
            header = self._find_header(table)
            if header is not None:
                self.tables_used.append(table)
                self._read_rows(table, *header)
        if not self.tables_used and not self.problems:
            examples = "'Rec No', 'Recommendation', 'Agreed/Partly Agreed/Not Agreed', 'Response Action Taken/Planned'"
            where = tables[0].display if tables[0].kind == "docx" else tables[0].place(1)
            self.problem(
                where,
                f"no header row found in the first {HEADER_SEARCH_ROWS} rows: expected columns such as "
                f"{examples} (name other columns with --map COLUMN=FIELD)",
            )
        if self.tables_used and not self.recommendations and not self.problems:
            table = self.tables_used[0]
            self.problem(
                table.display if table.kind == "docx" else table.place(1), "no recommendations below the header row"
            )
        for rec in self.recommendations:
            if not rec.text and rec.progress.status is not Status.REMOVED:
                self.problem(
                    rec.place,
                    f"recommendation {rec.number or rec.id} has no text (if it was removed, "
                    "write 'Removed' in its Recommendation or Status cell)",
                )
            for update in rec.updates:
                if not any(line.strip() for line in update.lines):
                    self.problem(update.place, f"the update '{update.title}' has no text below its heading")
        for key, (_, column) in self.mappings.items():
            if key not in self._mapped:
                where = self.tables_used[0].display if self.tables_used else tables[0].display
                columns = ", ".join(f"'{header}'" for header in self._headers_seen)
                self.problem(where, f"--map names a column '{column}' that is not in the header (columns: {columns})")

    def _field(self, header: str) -> str | None:
        key = header_key(header)
        return self.mappings[key][0] if key in self.mappings else field_of_header(header)

    def _find_header(self, table: _Table):
        candidates = table.rows[:HEADER_SEARCH_ROWS]
        chosen = None
        # A header names at least two known columns, or the Recommendation / Rec No column and one other.
        for rule in (
            lambda fields, filled: len(fields) >= 2,
            lambda fields, filled: bool(fields & {"text", "number"}) and filled >= 2,
        ):
            for position, (_, cells) in enumerate(candidates):
                fields = {self._field(cell) for cell in cells if cell} - {None, "ignore"}
                if rule(fields, sum(1 for cell in cells if cell)):
                    chosen = position
                    break
            if chosen is not None:
                break
        if chosen is None:
            return None
        row_number, headers = candidates[chosen]
        self._headers_seen.extend(normalise_space(header) for header in headers if header)
        self._mapped.update(header_key(header) for header in headers if header)
        fields: list[str | None] = []
        first_column: dict[str, int] = {}
        for index, header in enumerate(headers):
            name = self._field(header) if header else None
            if header and name is None:
                name = "ignore"  # reported once here, not again for each row
                self.problem(
                    table.place(row_number, index),
                    f"unknown column '{normalise_space(header)}': name it with --map '{normalise_space(header)}=FIELD' "
                    f"(FIELD one of: {', '.join(FIELDS)})",
                )
            elif name and name != "ignore":
                if name in first_column:
                    other = normalise_space(headers[first_column[name]])
                    self.problem(
                        table.place(row_number, index),
                        f"columns '{other}' and '{normalise_space(header)}' are both {name}: "
                        f"leave one out with --map '{normalise_space(header)}=ignore'",
                    )
                first_column.setdefault(name, index)
            fields.append(name)
        if "text" not in first_column:
            self.problem(table.place(row_number), "no Recommendation column (name it with --map COLUMN=text)")
        for _, cells in candidates[:chosen]:
            texts = {cell for cell in cells if cell}
            if self.title is None and len(texts) == 1:
                self.title = normalise_space(texts.pop())
        if self.title is None and table.title:
            self.title = table.title
        return chosen, fields, headers

    # -- rows -------------------------------------------------------------------------------

    def _read_rows(self, table: _Table, header_position: int, fields: list[str | None], headers: list[str]) -> None:
        has_keys = "number" in fields or "id" in fields
        current: _Recommendation | None = None
        addressee: tuple[list[str], str] | None = None
        addressee_place = None
        workstream: str | None = None
        headerless: set[int] = set()
        for row_number, cells in table.rows[header_position + 1 :]:
            if not any(cells) or cells[: len(headers)] == headers:
                continue
            who = self._addressee(cells)
            if who is not None:
                addressee = (self.organisations.addressees(who), normalise_space(cells[_first_filled(cells)]))
                addressee_place = table.place(row_number)
                current = None
                continue
            heading = self._section_heading(cells, fields)
            if heading is not None:
                # "Additional recommendations": a new group, often numbered from 1 again, with its own addressees.
                workstream, addressee, addressee_place, current = self._workstream(heading), None, None, None
                continue
            values: dict[str, tuple[str, int]] = {}
            for index, text in enumerate(cells):
                name = fields[index] if index < len(fields) else None
                if not text or name == "ignore":
                    continue
                if name is None:
                    if index not in headerless:
                        headerless.add(index)
                        self.problem(
                            table.place(row_number, index),
                            f"'{_excerpt(text)}' is in a column with no header: give the column a header, or delete it",
                        )
                    continue
                values[name] = (text, index)
            if not values:
                continue
            if "workstream" in values:
                workstream = self._workstream(values["workstream"][0])
            starts = ("number" in values or "id" in values) if has_keys else "text" in values
            if starts:
                current = self._start(table, row_number, values, workstream, addressee)
            elif current is None:
                column = headers[fields.index("number" if "number" in fields else "id")] if has_keys else None
                what = f"no {header_label(column)}" if column else "no recommendation text"
                after = f"the addressee row at {addressee_place}" if addressee_place else "the header"
                self.problem(
                    table.place(row_number), f"{what}: this row follows {after}, so it must start a recommendation"
                )
                continue
            self._apply(current, table, row_number, values, first=starts)

    def _addressee(self, cells: list[str]) -> str | None:
        texts = {normalise_space(cell) for cell in cells if cell}
        if len(texts) != 1:
            return None
        text = texts.pop()
        match = _ADDRESSEE.fullmatch(_fold(text))
        return text[: match.end("who")] if match else None

    def _section_heading(self, cells: list[str], fields: list[str | None]) -> str | None:
        """Return the text of a heading row: one short text without digits, in the Rec No (or id) column."""
        filled = [(index, cell) for index, cell in enumerate(cells) if cell]
        texts = {normalise_space(cell) for _, cell in filled}
        if len(texts) != 1 or not filled:
            return None
        index, text = filled[0]
        text = normalise_space(text)
        key_column = index < len(fields) and fields[index] in ("number", "id")
        return text if key_column and len(text) <= 120 and not re.search(r"\d", text) else None

    def _workstream(self, title: str) -> str | None:
        title = normalise_space(title)
        workstream_id = _slug(title) or "workstream"
        self.workstreams.setdefault(workstream_id, title)
        return workstream_id

    def _start(self, table, row_number, values, workstream, addressee) -> _Recommendation:
        """Start a recommendation; after a problem, return one that is not kept (its continuation rows go with it)."""
        place = table.place(row_number)
        addressed_to, addressee_text = addressee if addressee else ([], None)
        discarded = _Recommendation(place, "", None, workstream, [], None)
        number = normalise_space(values["number"][0]) if "number" in values else None
        if "id" in values:
            rec_id = values["id"][0].strip()
            if not SLUG.fullmatch(rec_id):
                self.problem(
                    table.place(row_number, values["id"][1]),
                    f"id '{rec_id}' must be lower-case letters, digits and hyphens (e.g. '{_slug(rec_id) or 'r1'}')",
                )
                return discarded
            key, what = rec_id, f"id '{rec_id}'"
        elif number is not None:
            bare = re.sub(r"(?i)^(?:recommendation|rec)\.?\s*(?:no\.?\s*)?", "", number)
            if not re.search(r"\d", bare) or len(bare) > 20:
                self.problem(
                    table.place(row_number, values["number"][1]),
                    f"'{_excerpt(number)}' is not a recommendation number (it needs a digit)",
                )
                return discarded
            local = _slug(bare)
            rec_id = local if local[0].isalpha() else f"r{local}"
            if workstream:
                rec_id = f"{workstream}-{local}"
            key, what = rec_id, f"Rec No '{number}'"
        else:
            count = 1 + sum(1 for rec in self.recommendations if rec.workstream == workstream)
            rec_id = f"{workstream}-{count}" if workstream else f"r{count}"
            key, what = rec_id, f"recommendation id '{rec_id}'"
        if key in self._keys:
            self.problem(place, f"duplicate {what} (first at {self._keys[key]})")
            return discarded
        self._keys[key] = place
        rec = _Recommendation(place, rec_id, number, workstream, list(addressed_to), addressee_text)
        self.recommendations.append(rec)
        return rec

    def _apply(self, rec: _Recommendation, table: _Table, row_number: int, values, first: bool) -> None:
        def place(name):
            return table.place(row_number, values[name][1])

        for name in ("workstream", "addressed-to"):
            if name in values and self._set_once(rec, name, normalise_space(values[name][0]), place(name)):
                if name == "addressed-to":
                    rec.addressed_to = self.organisations.addressees(values[name][0])
        if "text" in values:
            text = values["text"][0]
            if first and _REMOVED.match(text):
                rec.progress.status, rec.progress.status_text = Status.REMOVED, normalise_space(text)
            else:
                rec.text.append(text)
        if "response" in values:
            text = values["response"][0]
            response = parse_response(text)
            if response is None and _REMOVED.match(text):
                rec.progress.status, rec.progress.status_text = Status.REMOVED, normalise_space(text)
            elif response is None:
                self.problem(
                    place("response"), f"response '{_excerpt(text)}' is not Agreed, Partly Agreed or Not Agreed"
                )
            elif self._set_once(rec, "response", response.value, place("response")):
                rec.response = response
        if "note" in values:
            rec.notes.append(values["note"][0])

        target: _Progress | None = None
        if "update" in values:
            target = self._add_update(
                rec, values["update"][0], table.place(row_number), continuation=not first
            ).progress
        if "action" in values:
            actions = self._actions(values["action"][0])
            rec.actions.extend(actions)
            if target is None and len(actions) == 1:
                target = actions[0].progress
        status_target = rec.progress if first or target is None else target
        if "status" in values:
            self._status(status_target, values["status"][0], place("status"))
        if "timescale" in values:
            status_target.timescale = normalise_space(values["timescale"][0])
        target = target or rec.progress
        if "owner" in values:
            for text in _paragraphs(values["owner"][0]):
                target.owners.append((text, self.organisations.organisation_of_owner(text)))
        if "target-date" in values:
            for text in _paragraphs(values["target-date"][0]):
                target.target_dates.append((text, parse_printed_date(text)))

    def _set_once(self, rec: _Recommendation, name: str, value: str, place: str) -> bool:
        previous = rec.single.get(name)
        if previous is None:
            rec.single[name] = (value, place)
            return True
        if previous[0] != value:
            self.problem(
                place,
                f"{name} '{_excerpt(value)}' differs from '{_excerpt(previous[0])}' at {previous[1]} "
                f"for the same recommendation",
            )
        return False

    def _status(self, progress: _Progress, text: str, place: str) -> None:
        parsed = parse_status(text)
        if parsed is None:
            self.problem(
                place,
                f"status '{_excerpt(text)}' is not Complete, Ongoing, N/A or Removed "
                "(leave the column out with --map 'COLUMN=ignore', or write one of those)",
            )
            return
        if progress.status is not None and progress.status_text != normalise_space(text):
            self.problem(
                place, f"a second status '{_excerpt(text)}' for the same item (first '{progress.status_text}')"
            )
            return
        progress.status, progress.status_text = parsed[0], normalise_space(text)
        if parsed[1]:
            progress.timescale = parsed[1]

    def _add_update(self, rec: _Recommendation, text: str, place: str, continuation: bool) -> _Update:
        lines = [line for line in text.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        heading = _update_heading(lines[0]) if lines else None
        if heading is None and continuation and rec.updates:
            update = rec.updates[-1]
            update.lines.extend(lines)
            return update
        if heading is not None:
            lines = lines[1:]
        update = _Update(place, heading[0] if heading else None, heading[1] if heading else None, lines)
        rec.updates.append(update)
        return update

    def _actions(self, text: str) -> list[_Action]:
        lines = [line for line in text.split("\n") if line.strip()]
        if not any(_BULLET.match(line) for line in lines):
            return [_Action(text)]
        actions: list[list[str]] = []
        for line in lines:
            if _BULLET.match(line) or not actions:
                actions.append([_BULLET.sub("", line)])
            else:
                actions[-1].append(line)
        return [_Action("\n".join(parts)) for parts in actions]

    def links(self) -> list[dict]:
        """Return the duplicate-of links that removed recommendations state."""
        links = []
        for rec in self.recommendations:
            text = rec.progress.status_text if rec.progress.status is Status.REMOVED else None
            match = _DUPLICATE_OF.search(text or "")
            if not match:
                continue
            number, group = match.group("number").lower(), (match.group("group") or "").lower()
            targets = [
                other for other in self.recommendations if other is not rec and (other.number or "").lower() == number
            ]
            if len(targets) > 1 and group:  # "main recommendation 6": the group whose heading starts "Main"
                targets = [
                    other
                    for other in targets
                    if self.workstreams.get(other.workstream or "", "").lower().startswith(group)
                ]
            if len(targets) == 1:
                links.append({"from": rec.id, "to": targets[0].id, "quote": text})
        return links


def _first_filled(cells: list[str]) -> int:
    return next(index for index, cell in enumerate(cells) if cell)


# --------------------------------------------------------------------------------------------
# Writing the plan as YAML


def render_plan(plan_id: str, title: str, builder: _PlanBuilder, source_description: str) -> str:
    """Return the YAML text of the imported plan (docs/data-format.md), with block scalars for long text."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    display = builder.tables_used[0].display if builder.tables_used else ""
    source_name = Path(display).name
    document = CommentedMap()
    document.yaml_set_start_comment(
        f"Imported by `crossplan import` from {source_description}.\n"
        "Each recommendation's comment names the row it came from. Check the texts against the published\n"
        "document, then add `source:` (a document in documents.yaml) so that `crossplan validate` checks them."
    )
    document["plan"] = CommentedMap(id=plan_id, title=_text(title))
    if builder.workstreams:
        workstreams = CommentedSeq(
            CommentedMap(id=ws_id, title=_text(ws_title)) for ws_id, ws_title in builder.workstreams.items()
        )
        document["workstreams"] = workstreams
    recommendations = CommentedSeq()
    for position, rec in enumerate(builder.recommendations):
        recommendations.append(_recommendation_map(rec))
        # The row it came from, named by the file's name (the YAML file may move; the spreadsheet too).
        where = source_name + rec.place[len(display) :] if rec.place.startswith(display) else rec.place
        recommendations.yaml_set_comment_before_after_key(position, before=where, indent=2)
    document["recommendations"] = recommendations
    links = builder.links()
    if links:
        document["links"] = CommentedSeq(
            CommentedMap(
                [
                    ("from", link["from"]),
                    ("to", link["to"]),
                    ("relation", "duplicate-of"),
                    ("basis", "explicit"),
                    ("quote", _text(link["quote"])),
                ]
            )
            for link in links
        )
    for key in list(document)[1:]:
        document.yaml_set_comment_before_after_key(key, before="\n")
    stream = io.StringIO()
    _round_trip_yaml().dump(document, stream)
    return stream.getvalue()


def _recommendation_map(rec: _Recommendation):
    from ruamel.yaml.comments import CommentedMap

    entry = CommentedMap(id=rec.id)
    if rec.number is not None:
        entry["number"] = _quoted(rec.number)
    if rec.workstream:
        entry["workstream"] = rec.workstream
    if rec.text:
        entry["text"] = _text("\n".join(rec.text))
    if rec.addressed_to:
        entry["addressed-to"] = _flow(rec.addressed_to)
    if rec.addressee_text:
        entry["addressee-text"] = _text(rec.addressee_text)
    if rec.response:
        entry["response"] = rec.response.value
    _progress_into(entry, rec.progress)
    if rec.actions:
        entry["actions"] = [
            _progress_into(CommentedMap(text=_text(action.text)), action.progress) for action in rec.actions
        ]
    if rec.updates:
        updates = []
        for update in rec.updates:
            item = CommentedMap()
            if update.title:
                item["title"] = _text(update.title)
            if update.date:
                item["date"] = _quoted(update.date)
            item["text"] = _text("\n".join(update.lines))
            updates.append(_progress_into(item, update.progress))
        entry["updates"] = updates
    if rec.notes:
        entry["note"] = _text("\n".join(rec.notes))
    return entry


def _progress_into(entry, progress: _Progress):
    from ruamel.yaml.comments import CommentedMap

    if progress.status:
        entry["status"] = progress.status.value
    if progress.status_text:
        entry["status-text"] = _text(progress.status_text)
    if progress.timescale:
        entry["timescale"] = _text(progress.timescale)
    if progress.owners:
        owners = []
        for text, organisation in progress.owners:
            owner = CommentedMap(text=_text(text))
            if organisation:
                owner["organisation"] = organisation
            owners.append(owner)
        entry["owners"] = owners
    if progress.target_dates:
        dates = []
        for text, date in progress.target_dates:
            target = CommentedMap(text=_quoted(text))
            if date:
                target["date"] = _quoted(date)
            dates.append(target)
        entry["target-dates"] = dates
    return entry


def _quoted(text: str):
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return DoubleQuotedScalarString(text)


def _text(text: str, width: int = 96):
    """Return text for YAML: plain when short, else a folded block wrapped at ``width`` (the loader
    collapses whitespace, so the folds change nothing; paragraph breaks are kept as blank lines)."""
    from ruamel.yaml.scalarstring import FoldedScalarString

    lines = _paragraph_lines(text)
    joined = "\n".join(lines)
    if len(lines) <= 1 and len(joined) <= 80:
        return joined
    folded = FoldedScalarString(joined)
    positions, offset = [], 0
    for line in lines:
        cursor = offset
        for piece in textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)[:-1]:
            cursor += len(piece)
            positions.append(cursor)
            cursor += 1
        offset += len(line) + 1
    folded.fold_pos = positions
    return folded


def _paragraph_lines(text: str) -> list[str]:
    """Join a cell's lines into paragraphs: a blank line or a bullet starts a new one.

    >>> _paragraph_lines("one\\ntwo\\n\\nthree\\n• four")
    ['one two', 'three', '• four']
    """
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not line.strip():
            paragraphs.append([])
            continue
        if _BULLET.match(line) and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    return [normalise_space(" ".join(lines)) for lines in paragraphs if lines]


def _relocate(
    problems: list[Problem], plan_display: str, plan_text: str, recommendations: list[_Recommendation]
) -> list[Problem]:
    """Point validation problems in the unwritten plan file at the rows they came from."""
    from ..datafiles.yamlfile import read_yaml

    try:
        document = read_yaml(Path(plan_display), plan_display, plan_text)
        lines = list(document["recommendations"].item_lines)
    except Exception:  # the text did not even parse: report the problems as they are
        lines = []
    relocated = []
    for problem in problems:
        if problem.path != plan_display:
            relocated.append(
                Problem(problem.path, problem.line, f"{problem.message} (with the imported plan; nothing was written)")
            )
            continue
        index = max((i for i, line in enumerate(lines) if line <= problem.line), default=None)
        if index is None or index >= len(recommendations):
            relocated.append(
                Problem(
                    problem.path,
                    problem.line,
                    f"{problem.message} (in the plan as it would be written: see --dry-run; nothing was written)",
                )
            )
            continue
        relocated.append(
            Problem(
                recommendations[index].place,
                0,
                f"{problem.message} (line {problem.line} of the plan as "
                "it would be written; see --dry-run; nothing was written)",
            )
        )
    return relocated


def _describe_source(source: Path, tables: list[_Table]) -> str:
    if tables and tables[0].kind == "xlsx":
        return f"{source.name}, sheet {tables[0].name}"
    return source.name


def _describe_tables(tables: list[_Table], used: list[_Table]) -> str:
    kind = tables[0].kind
    if kind == "xlsx":
        return f"sheet {tables[0].name}"
    if kind == "csv":
        return f"{len(tables[0].rows)} rows"
    return ", ".join(table.name for table in used)


def _title_from_name(source: Path) -> str:
    return " ".join(re.split(r"[-_\s]+", source.stem)).strip().capitalize() or source.name
