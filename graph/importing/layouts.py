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


def _read_forms(document: Document, builder: PlanBuilder) -> int:
    heading: Block | None = None
    count = 0
    for block in document.blocks:
        if block.kind == HEADING:
            heading = block
            continue
        if block.kind != TABLE:
            continue
        labels = [_form_field(row[0]) if row else None for row in block.rows]
        if "text" not in labels or len({label for label in labels if label}) < 2:
            continue
        count += 1
        number_match = NUMBERED.match(normalise_space(heading.numbered_text) + " ") if heading else None
        number = number_match.group("number") if number_match else str(count)
        page = f" (page {block.page})" if document.kind == "pdf" else ""
        rec = new_item(builder, number, None, block.page, f"{document.display}:form table {count}{page}")
        title = (
            normalise_space(heading.numbered_text)[number_match.end() :].strip(" :.-–")
            if number_match and heading
            else ""
        )
        if title:
            rec.text.append(title)  # "Commitment 3: Open contracting data": the heading names the item
        for index, (label, row) in enumerate(zip(labels, block.rows, strict=True)):
            values = [cell for cell in row[1:] if cell]
            if label == "text" and values and not rec.text:
                rec.text.append(values[0])
            elif label == "owner":
                for text in values:
                    for part in re.split(r"\n|;|,\s+(?=[A-Za-z])", text):
                        if part.strip():
                            rec.progress.owners.append(
                                (normalise_space(part), builder.organisations.organisation_of_owner(part))
                            )
            elif label == "target-date" and values:
                rec.progress.target_dates.append((normalise_space(values[0]), parse_printed_date(values[0])))
            elif label == "status":
                _form_status(rec, row, block.rows[index + 1] if index + 1 < len(block.rows) else None)
    return count


def _form_status(rec: Recommendation, row: list[str], below: list[str] | None) -> None:
    """A status row: its value in the next cell, or, for a row of column headings, the heading above a mark."""
    values = [cell for cell in row[1:] if cell]
    if len(values) == 1:
        rec.progress.status_text = normalise_space(values[0])
        rec.review.append("status: printed as text; check it")
        return
    if below is None or below[0]:
        return
    marks = [index for index, cell in enumerate(below) if index and cell.strip()]
    if len(marks) == 1 and marks[0] < len(row) and row[marks[0]]:
        level = normalise_space(row[marks[0]])
        rec.progress.status_text = level
        lowered = level.lower()
        if lowered in ("complete", "completed"):
            rec.progress.status = Status.COMPLETE
        elif lowered in ("not started",):
            rec.review.append(f"status: marked '{level}'; no status set")
        else:
            rec.progress.status = Status.ONGOING
            rec.review.append(f"status: marked '{level}', read as ongoing")


# -- layouts 3 and 4: numbered headings and a summary table ----------------------------------
