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

from ..model.nodes import Response, Status
from ..text import normalise_space
from .builder import Action, PlanBuilder, Recommendation, Update, flag_response
from .document import HEADING, PARAGRAPH, TABLE, Block, Document
from .headers import header_key
from .printed import parse_printed_date, parse_response, slug
from .readers import Table

_NUMBERED = re.compile(
    r"^(?:(?P<word>recommendation|rec\.?|commitment|action|measure|priority|milestone)\s+(?:no\.?\s*)?)?"
    r"(?P<number>\d{1,3}(?:\.\d{1,3})*[a-z]?(?:\)?\s*\(?[ivx]{1,4}\))?)[.):]?(?:\s+|$)",
    re.I,
)
_RESPONSE_LABEL = re.compile(
    r"^(?:(?:the\s+)?(?:government|department|response|answer)(?:\s+response)?\s*[:\-–]\s*)?"
    r"(?P<label>(?:partly|partially|not)?\s*(?:agreed|accepted|rejected|agree|accept)"
    r"(?:\s+in\s+(?:full|part|principle))?)\b[.:;,\s-]*",
    re.I,
)
_PROSE_DATE = re.compile(
    r"\b(?:by|before|in|from|until)\s+(?:the\s+end\s+of\s+)?(?P<date>(?:\d{1,2}\s+)?(?:January|February|March|April|May"
    r"|June|July|August|September|October|November|December)\s+\d{4}|(?:spring|summer|autumn|winter)\s+\d{4})",
)
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
    summary = _summary(document)
    if summary and any(_item_heading(block) for block in document.blocks):
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
    items = _read_headings(document, builder, summary)
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
        number_match = _NUMBERED.match(_strip_word(heading.numbered_text)) if heading else None
        number = number_match.group("number") if number_match else str(count)
        rec = _new(builder, number, None, block.page, _where(document, block, f"form table {count}"))
        for index, (label, row) in enumerate(zip(labels, block.rows, strict=True)):
            values = [cell for cell in row[1:] if cell]
            if label == "text" and values and not rec.text:
                rec.text.append(values[0])
            elif label == "owner":
                for text in values:
                    for part in re.split(r"\n|;", text):
                        if part.strip():
                            rec.progress.owners.append(
                                (normalise_space(part), builder.organisations.organisation_of_owner(part))
                            )
            elif label == "target-date" and values:
                rec.progress.target_dates.append((normalise_space(values[0]), parse_printed_date(values[0])))
            elif label == "status":
                _form_status(rec, row, block.rows[index + 1] if index + 1 < len(block.rows) else None)
    return count


def _strip_word(text: str) -> str:
    return normalise_space(text)


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


def _summary(document: Document) -> dict[str, str]:
    """Return {item number: printed answer} from a table of responses by item number."""
    answers: dict[str, str] = {}
    for block in document.tables():
        for row in block.rows:
            cells = [normalise_space(cell) for cell in row if cell.strip()]
            if len(cells) < 2:
                continue
            match = _NUMBERED.fullmatch(cells[0] + " ")
            answer = cells[-1]
            if match and (parse_response(answer) or "principle" in answer.lower() or _RESPONSE_LABEL.match(answer)):
                answers[match.group("number").lower()] = answer
    return answers


def _item_heading(block: Block, lists: bool = False) -> tuple[str, str] | None:
    """Return (number, rest of the heading) when a heading (or a paragraph starting "Recommendation 3"; with
    ``lists``, a paragraph of an automatically numbered list) numbers an item."""
    if block.kind not in (HEADING, PARAGRAPH):
        return None
    if lists and block.kind == PARAGRAPH and block.number and re.search(r"\d", block.number):
        return block.number.strip(" .)("), normalise_space(block.text)
    text = normalise_space(block.numbered_text)
    match = _NUMBERED.match(text + " ")
    if not match:
        return None
    rest = text[match.end() :].strip()
    if block.kind == PARAGRAPH and not match.group("word"):
        return None
    if block.kind == HEADING and not match.group("word") and len(rest) > 200:
        return None
    return match.group("number"), rest


def _read_headings(document: Document, builder: PlanBuilder, summary: dict[str, str]) -> tuple[int, bool] | None:
    blocks = [block for block in document.blocks if block.kind != TABLE or not _is_summary(block, summary)]
    starts = [(position, found) for position, block in enumerate(blocks) if (found := _item_heading(block))]
    if not starts:
        starts = [(position, found) for position, block in enumerate(blocks) if (found := _item_heading(block, True))]
    if not starts:
        return None
    sections = _sections(blocks, [position for position, _ in starts])
    numbers = [found[0].lower() for _, found in starts]
    qualify = len(set(numbers)) < len(numbers)
    any_boxed = False
    for index, (position, (number, rest)) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(blocks)
        body = [block for block in blocks[position + 1 : end] if block.kind != TABLE and block.text]
        # a heading of a higher level than the items closes the last item's body
        level = blocks[position].level
        body = _until_higher_heading(body, level)
        section = sections[position]
        workstream = builder._workstream(section) if qualify and section else None
        rec = _new(
            builder,
            number,
            workstream,
            blocks[position].page,
            _where(document, blocks[position], normalise_space(blocks[position].numbered_text)[:40]),
        )
        boxed = [block for block in body if block.boxed]
        if rest and blocks[position].kind == PARAGRAPH:
            rec.text.append(rest)
            response_blocks = body
        elif boxed:
            any_boxed = True
            rec.text.extend(block.text for block in boxed)
            response_blocks = [block for block in body if not block.boxed]
            rec.page = boxed[0].page
        elif rest and len(rest) > 60:
            rec.text.append(rest)
            response_blocks = body
        elif body:
            rec.text.append(body[0].text)
            rec.page = body[0].page
            response_blocks = body[1:]
        else:
            response_blocks = []
        _response(
            builder, rec, [block for block in response_blocks if block.kind == PARAGRAPH], summary.get(number.lower())
        )
    return len(starts), any_boxed


def _is_summary(block: Block, summary: dict[str, str]) -> bool:
    return bool(summary) and sum(1 for row in block.rows if row and normalise_space(row[-1]) in summary.values()) >= 2


def _sections(blocks: list[Block], item_positions: list[int]) -> dict[int, str | None]:
    """Return the section heading (a heading of a higher level than the item's) of each item position."""
    sections: dict[int, str | None] = {}
    for position in item_positions:
        level = blocks[position].level or 99
        section = None
        for block in reversed(blocks[:position]):
            if block.kind == HEADING and 0 < block.level < level and not _item_heading(block):
                section = normalise_space(block.numbered_text)
                break
        sections[position] = section
    return sections


def _until_higher_heading(body: list[Block], level: int) -> list[Block]:
    for position, block in enumerate(body):
        if block.kind == HEADING and block.level and level and block.level < level:
            return body[:position]
    return body


def _where(document: Document, block: Block, what: str) -> str:
    page = f" (page {block.page})" if document.kind == "pdf" else ""
    return f"{document.display}:{what}{page}"


def _new(builder: PlanBuilder, number: str, workstream: str | None, page: int, where: str) -> Recommendation:
    local = slug(number.replace(".", "-").replace(")", "-").replace("(", "")) or str(len(builder.recommendations) + 1)
    rec_id = local if local[0].isalpha() else f"r{local}"
    if workstream:
        rec_id = f"{workstream}-{local}"
    taken = {rec.id for rec in builder.recommendations}
    base, suffix = rec_id, 2
    while rec_id in taken:
        rec_id, suffix = f"{base}-{suffix}", suffix + 1
    rec = Recommendation(where, rec_id, number, workstream, [], None)
    rec.page = page
    builder.recommendations.append(rec)
    return rec


def _response(builder: PlanBuilder, rec: Recommendation, blocks: list[Block], summary_answer: str | None) -> None:
    """Read the response prose after an item: its label if printed at its start (or in the summary table)."""
    if summary_answer is not None:
        response = parse_response(summary_answer)
        if response is not None:
            rec.response = response
        else:
            flag_response(rec, summary_answer)
    if not blocks:
        if summary_answer is None:
            rec.review.append("response: none printed after the item")
        return
    first = normalise_space(blocks[0].text)
    label = _RESPONSE_LABEL.match(first)
    if summary_answer is None:
        parsed = parse_response(label.group("label")) if label else None
        if parsed is not None and not re.match(r"(?i)\s*in\s+principle", first[label.end("label") :] if label else ""):
            rec.response = parsed
        elif label is not None:
            flag_response(rec, label.group("label"))
        else:
            rec.review.append("response: given in prose only, without a printed label; not set")
    update = Update(rec.place, None, None, [block.text for block in blocks])
    update.page = blocks[0].page
    rec.updates.append(update)
    prose = " ".join(block.text for block in blocks)
    named = sorted({org_id for _, _, org_id in builder.organisations.find(prose)})
    if named:
        rec.review.append(
            f"owners: none printed in an owner cell; the response names {', '.join(named)} (a suggestion)"
        )
    dates = [match.group(0) for match in _PROSE_DATE.finditer(prose)]
    if dates:
        rec.review.append(f"target-dates: none printed in a date cell; the response says '{dates[0]}' (a suggestion)")


__all__ = ["Action", "Response", "read_document"]
