"""Recognise how a published document lays out its plan, and read the recommendations from it.

Layouts, tried in this order over a ``Document``; each that reads something names itself in the header report:

1. action-plan tables: tables with a header row that names the columns (``headers``), read row by row by the
   ``PlanBuilder`` (addressee rows, response rounds, continuation rows, tables continued across pages);
2. form tables: one table per item whose first column labels its rows ("Lead government actors", "End date",
   "Completion level"), a status given by the column a mark sits under;
3. numbered headings ("Recommendation 7", "7.", "4a) i)") with the item in a box or the paragraph that follows,
   then the response in prose, its label read only when printed at its start;
4. a summary table of responses per item number, combined with 3.

Nothing is guessed: a response is set only from a printed label; anything else that needs reading goes in the
item's ``review`` list.
"""

from __future__ import annotations

import re

from ..model.nodes import Status
from ..text import normalise_space
from .builder import PlanBuilder, Recommendation
from .document import HEADING, TABLE, Block, Document
from .headers import header_key
from .numbered import NUMBERED, has_numbered_items, new_item, read_numbered, summary_answers
from .printed import parse_printed_date
from .readers import Table

_FORM_LABELS = {
    "text": ("commitment", "description", "recommendation", "action", "measure", "milestone", "objective"),
    "owner": ("lead", "responsible", "owner", "actors", "partners", "agency", "organisation", "department"),
    "target-date": ("end date", "deadline", "target date", "completion date", "due"),
    "status": ("completion", "status", "progress level", "level of completion"),
}


def read_document(document: Document, builder: PlanBuilder) -> list[str]:
    """Read the plan of a document into ``builder``; return what was read as ("read as: ..." descriptions).
    Pages are kept only for a PDF (other formats have no fixed pages)."""
    if document.title is None:
        document.title = next((normalise_space(b.text) for b in document.blocks if b.kind == HEADING), None)
    read_as = _read(document, builder)
    if document.kind != "pdf":
        for rec in builder.recommendations:
            rec.page = None
            for update in rec.updates:
                update.page = None
            for action in rec.actions:
                action.page = None
    return read_as


def _read(document: Document, builder: PlanBuilder) -> list[str]:
    builder.display = document.display
    tables = [_table(document, block, position) for position, block in enumerate(document.tables(), start=1)]
    read_as = []
    summary = summary_answers(document)
    if summary and has_numbered_items(document):
        tables = []  # a summary table of responses goes with the numbered headings (layout 4)
    if tables:
        builder.read(tables)
        if builder.recommendations:
            names = ", ".join(table.name for table in builder.tables_used)
            columns = "; ".join(
                " | ".join(header for header in (normalise_space(cell) for cell in table.rows[0][1]) if header)
                for table in builder.tables_used[:1]
            )
            read_as.append(f"action-plan tables ({names}), columns {columns}")
            return read_as
    builder.problems.clear()
    forms = _read_forms(document, builder)
    if forms:
        read_as.append(f"one form table per item ({forms} tables)")
        return read_as
    items = read_numbered(document, builder, summary)
    if items:
        what = (
            "numbered headings, each item in a box or shaded panel followed by the response"
            if items[1]
            else ("numbered headings, each item in the paragraph after its heading followed by the response")
        )
        read_as.append(what)
        if summary:
            read_as.append(f"a summary table of responses ({len(summary)} items)")
    return read_as


def _table(document: Document, block: Block, position: int) -> Table:
    name = f"table {position} (page {block.page})" if document.kind == "pdf" else f"table {position}"
    table = Table(
        document.display, document.kind, name, [(number, row) for number, row in enumerate(block.rows, start=1)]
    )
    table.pages = dict(enumerate(block.row_pages, start=1))
    return table


# -- layout 2: one form table per item -------------------------------------------------------


def _form_field(label: str) -> str | None:
    key = header_key(label)
    for name, words in _FORM_LABELS.items():
        if any(key.startswith(word) or f" {word}" in f" {key}" for word in words):
            return name
    return None


def _label_row(row: list[str]) -> tuple[str | None, str | None, list[tuple[int, str]]]:
    """Return (field, label, [(column, value)...]) of a form row: its first filled cell labels it when it names a
    field; the filled cells after it are the values."""
    filled = [(index, cell) for index, cell in enumerate(row) if cell.strip()]
    if not filled:
        return None, None, []
    name = _form_field(filled[0][1]) if len(filled[0][1]) <= 60 else None
    if name is None:
        return None, None, filled
    return name, filled[0][1], filled[1:]


def _title_row(row: list[str]) -> tuple[str, str] | None:
    """A form table's first row holding only "3. Modernize the Freedom of Information Act": (number, title)."""
    filled = [cell for cell in row if cell.strip()]
    if len(filled) != 1:
        return None
    match = NUMBERED.match(normalise_space(filled[0]) + " ")
    if (
        not match
        or match.group("word") is None
        and "." not in filled[0][: match.end()]
        and ")" not in filled[0][: match.end()]
    ):
        return None
    title = normalise_space(filled[0])[match.end() :].strip(" :.-–")
    return (match.group("number"), title) if title else None


def _wrapped_title(rows: list[list[str]], title: str) -> str:
    """A title row's last words wrapped into a row of their own below it, in the same cell and without a label
    ("... the Ingenuity of the American" / "Public")."""
    if len(rows) < 2 or title.endswith((".", ":", ";")):
        return title
    column = next(index for index, cell in enumerate(rows[0]) if cell.strip())
    filled = [(index, cell) for index, cell in enumerate(rows[1]) if cell.strip()]
    if len(filled) == 1 and filled[0][0] == column and len(filled[0][1]) <= 60 and _label_row(rows[1])[0] is None:
        return f"{title} {normalise_space(filled[0][1])}"
    return title


def _read_forms(document: Document, builder: PlanBuilder) -> int:
    """Read one form table per item (a table continued on the next page goes on with the same item)."""
    heading: Block | None = None
    section: str | None = None
    forms: list[dict] = []
    for block in document.blocks:
        if block.kind == HEADING:
            heading = block
            if not NUMBERED.match(normalise_space(block.numbered_text) + " "):
                section = normalise_space(block.numbered_text)
            continue
        if block.kind != TABLE or not block.rows:
            continue
        labelled = [_label_row(row) for row in block.rows]
        names = {name for name, _, _ in labelled if name}
        titled = _title_row(block.rows[0])
        follows = bool(forms) and forms[-1]["blocks"][-1].row_pages[-1] >= block.page - 1
        if titled is None and follows and forms[-1]["titled"] and names:
            forms[-1]["blocks"].append(block)  # the rest of the last form, on the next page
            continue
        if titled is None and ("text" not in names or len(names) < 2):
            if follows and names:
                forms[-1]["blocks"].append(block)
            continue
        if titled:
            number, title = titled
            title = _wrapped_title(block.rows, title)
        else:
            match = NUMBERED.match(normalise_space(heading.numbered_text) + " ") if heading else None
            number = match.group("number") if match else str(len(forms) + 1)
            title = normalise_space(heading.numbered_text)[match.end() :].strip(" :.-–") if match and heading else ""
        forms.append({"number": number, "title": title, "section": section, "blocks": [block], "titled": bool(titled)})
    numbers = [form["number"].lower() for form in forms]
    qualify = len(set(numbers)) < len(numbers)
    for count, form in enumerate(forms, start=1):
        block = form["blocks"][0]
        workstream = builder._workstream(form["section"]) if qualify and form["section"] else None
        page = f" (page {block.page})" if document.kind == "pdf" else ""
        rec = new_item(builder, form["number"], workstream, block.page, f"{document.display}:form table {count}{page}")
        if form["title"]:
            rec.text.append(form["title"])  # "3. Open contracting data": the title names the item
        rows = [row for part in form["blocks"] for row in part.rows]
        for index, row in enumerate(rows):
            name, _, values = _label_row(row)
            texts = [value for _, value in values]
            if name == "text" and texts and not rec.text:
                rec.text.append(texts[0])
            elif name == "owner":
                for text in texts:
                    for part in _owner_parts(normalise_space(text), builder):
                        if part.strip():
                            owner = normalise_space(part)
                            rec.progress.owners.append((owner, builder.organisations.organisation_of_owner(owner)))
            elif name == "target-date" and texts:
                date = parse_printed_date(texts[0])
                if date is not None:
                    rec.progress.target_dates.append((normalise_space(texts[0]), date))
                else:
                    rec.review.append(
                        f"target-dates: the end date is printed as prose ('{normalise_space(texts[0])[:60]}'); none set"
                    )
            elif name == "status":
                below = next((row for row in rows[index + 1 :] if any(cell.strip() for cell in row)), None)
                _form_status(rec, values, below)  # the marks: the next row with text (a thin empty row between)
    return len(forms)


def _owner_parts(text: str, builder: PlanBuilder) -> list[str]:
    """Split an owners cell at semicolons, commas (", and" too; not in a list set out with semicolons: "City of
    Vallejo, California; and others") and "along with" / "as well as", but not inside a registry organisation's name
    ("Ministry of Housing, Communities and Local Government")."""
    protected = [(start, end) for start, end, _ in builder.organisations.find(text)]
    parts, begin = [], 0
    commas = "" if ";" in text else r"|,\s+(?:and\s+)?(?=[A-Za-z])"  # a list set out with semicolons keeps commas
    for match in re.finditer(r";\s*(?:and\s+)?|,?\s+(?:along with|as well as|together with)\s+" + commas, text):
        if any(start < match.start() < end for start, end in protected):
            continue
        parts.append(text[begin : match.start()])
        begin = match.end()
    parts.append(text[begin:])
    # "...; and others" names no one
    return [
        part.strip()
        for part in parts
        if part.strip() and not re.fullmatch(r"(?i)(?:and\s+)?(?:others|etc)\.?", part.strip())
    ]


def _form_status(rec: Recommendation, values: list[tuple[int, str]], below: list[str] | None) -> None:
    """A status row: its value in the next cell, or, for a row of level headings, the levels above the marks below
    (each mark under its nearest heading): complete when every mark is under a complete level."""
    if len(values) == 1:
        rec.progress.status_text = normalise_space(values[0][1])
        rec.review.append("status: printed as text; check it")
        return
    if below is None or _label_row(below)[0] is not None:
        return
    marks = [index for index, cell in enumerate(below) if cell.strip()]
    if not marks or not values:
        return
    levels = [normalise_space(min(values, key=lambda value: abs(value[0] - mark))[1]) for mark in marks]
    lowered = {level.lower() for level in levels}
    rec.progress.status_text = levels[0] if len(set(levels)) == 1 else None
    if lowered <= {"complete", "completed"}:
        rec.progress.status = Status.COMPLETE
    elif lowered <= {"not started"}:
        rec.review.append(f"status: marked '{levels[0]}'; no status set")
    else:
        rec.progress.status = Status.ONGOING
        rec.review.append(f"status: marked {', '.join(sorted(set(levels)))}; read as ongoing")
