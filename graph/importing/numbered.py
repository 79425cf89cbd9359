"""Layouts 3 and 4 of ``layouts``: items under numbered headings, their responses in prose, and a summary table.

An item starts at a heading numbered "Recommendation 7", "7.", "4a)", "4a) i)" or "B1.1", at a paragraph that opens
"Recommendation 4a: ..." (the item's text follows on), at a paragraph whose first line is a numbered title
("B1.1 - What We Heard"), or (when there is nothing else) at a paragraph of an automatically numbered list. The
item's text is what sits in a box or shaded panel under it, else the text after its label, else the paragraph that
follows; the rest, up to the next item, is the response. A numbered part titled as a response ("B1.2 - Our
Response") is the response of the item before it. A response label ("Accepted", "Not agreed") is read only where
it is printed at the start of the response or in a summary table of responses by item number; anything else is
flagged for review, as are owners and dates that only the prose names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text import normalise_space
from .builder import PlanBuilder, Recommendation, Update, flag_response
from .document import HEADING, PARAGRAPH, TABLE, Block, Document
from .printed import parse_printed_date, parse_response, slug

NUMBERED = re.compile(
    r"^(?:(?P<word>recommendation|rec\.?|commitment|action|measure|priority|milestone)\s+(?:no\.?\s*)?)?"
    r"(?P<number>[A-Z]?\d{1,3}(?:\.\d{1,3})*[a-z]?(?:\)?\s*\(?[ivx]{1,4}\))?)[.):]?(?:\s+|$)",
    re.I,
)
RESPONSE_LABEL = re.compile(
    r"^(?:(?:the\s+)?(?:government|department|response|answer)(?:\s+response)?\s*[:\-–]\s*)?"
    r"(?P<label>(?:partly|partially|not)?\s*(?:agreed|accepted|rejected|agree|accept)"
    r"(?:\s+in\s+(?:full|part|principle))?)\b[.:;,\s-]*",
    re.I,
)
_PROSE_DATE = re.compile(
    r"\b(?:by|before|until)\s+(?:the\s+end\s+of\s+)?(?P<date>(?:\d{1,2}\s+)?(?:January|February|March|April|May"
    r"|June|July|August|September|October|November|December)\s+\d{4}|(?:spring|summer|autumn|winter)\s+\d{4})",
)
_LABELLED_OWNER = re.compile(
    r"(?i)\b(?:lead(?: organisation| department| body)?|owner|responsible(?: body)?)s?:\s*(?P<value>[^.\n;]{2,120})"
)
_LABELLED_DATE = re.compile(
    r"(?i)\b(?:target date|deadline|due date|completion date|by when|timescale):\s*(?P<value>[^.\n;]{2,60})"
)
_RESPONSE_TITLE = re.compile(r"(?i)\b(?:response|answer|reply)\b")


@dataclass
class _Start:
    position: int
    number: str
    title: str
    inline: list[Block] = field(default_factory=list)
    labelled: bool = False  # "Recommendation 4a: ..." in a paragraph
    response: bool = False  # "B1.2 - Our Response"


def summary_answers(document: Document) -> dict[str, str]:
    """Return {item number: printed answer} from a table of responses by item number."""
    answers: dict[str, str] = {}
    for block in document.tables():
        for row in block.rows:
            cells = [normalise_space(cell) for cell in row if cell.strip()]
            if len(cells) < 2:
                continue
            match = NUMBERED.fullmatch(cells[0] + " ")
            answer = cells[-1]
            if match and (parse_response(answer) or "principle" in answer.lower() or RESPONSE_LABEL.match(answer)):
                answers[match.group("number").lower()] = answer
    return answers


def has_numbered_items(document: Document) -> bool:
    return any(_start(position, block) for position, block in enumerate(document.blocks))


def _start(position: int, block: Block, lists: bool = False) -> _Start | None:
    if block.kind not in (HEADING, PARAGRAPH):
        return None
    if lists:
        if block.kind == PARAGRAPH and block.number and re.search(r"\d", block.number):
            return _Start(position, block.number.strip(" .)("), "", [block], labelled=True)
        return None
    text = block.numbered_text
    first, _, remainder = text.partition("\n")
    match = NUMBERED.match(normalise_space(first) + " ")
    if not match:
        return None
    number = match.group("number")
    rest = normalise_space(first)[match.end() :].strip()
    if block.kind == HEADING:
        title = normalise_space(text)[match.end() :].strip()
        if not match.group("word") and len(title) > 200:
            return None
        return _Start(position, number, title, response=bool(_RESPONSE_TITLE.search(title)))
    if match.group("word"):
        inline = normalise_space(text)[match.end() :].strip(" :.-–")
        body = Block(PARAGRAPH, block.page, text[len(first) - len(first.lstrip()) :])
        body.text = re.sub(r"^\s*\S+\s+" + re.escape(number) + r"[.):]?\s*[:\-–]?\s*", "", text, flags=re.I)
        return _Start(position, number, "", [body] if inline else [], labelled=True)
    dash = re.match(r"[-–:]\s*(?P<title>.{1,60})$", rest)
    if dash and not remainder.strip() and _RESPONSE_TITLE.search(dash.group("title")):
        return _Start(position, number, dash.group("title").strip(), response=True)  # "B4.2 - Our Response" alone
    if dash and remainder.strip():
        title = dash.group("title").strip()
        return _Start(
            position,
            number,
            title,
            [Block(PARAGRAPH, block.page, remainder.strip(), boxed=block.boxed)],
            response=bool(_RESPONSE_TITLE.search(title)),
        )
    return None


def read_numbered(document: Document, builder: PlanBuilder, summary: dict[str, str]) -> tuple[int, bool] | None:
    """Read items under numbered headings into ``builder``; return (items, whether they sat in boxes) or None."""
    blocks = [block for block in document.blocks if block.kind != TABLE or not _is_summary(block, summary)]
    starts = [found for position, block in enumerate(blocks) if (found := _start(position, block))]
    if not starts:
        starts = [found for position, block in enumerate(blocks) if (found := _start(position, block, True))]
    if not starts:
        return None
    labelled = {start.position for start in starts if start.labelled}
    if labelled:  # "1. Funding" heading, then "Recommendation 1: ..." in a paragraph: the paragraph is the item
        starts = [start for start in starts if start.labelled or start.position + 1 not in labelled]
    items = [start for start in starts if not start.response]
    sections = _sections(blocks, items)
    numbers = [start.number.lower() for start in items]
    qualify = len(set(numbers)) < len(numbers)
    any_boxed = False
    current: Recommendation | None = None
    for index, start in enumerate(starts):
        end = starts[index + 1].position if index + 1 < len(starts) else len(blocks)
        body = [block for block in blocks[start.position + 1 : end] if block.kind != TABLE and block.text]
        body = [block for block in _until_higher_heading(body, blocks[start.position].level) if block.kind == PARAGRAPH]
        body = _until_section_line(body)
        if start.response:
            if current is not None:
                _response(
                    builder, current, start.inline + body, summary.get(current.number.lower() if current.number else "")
                )
                current = None
            continue
        if not start.inline and not body and len(start.title) <= 60:
            continue  # "4. Data on diversion" above "4a)" and "4b)": a group heading, not an item
        section = sections.get(start.position)
        workstream = builder._workstream(section) if qualify and section else None
        heading = blocks[start.position]
        rec = new_item(builder, start.number, workstream, heading.page, _where(document, heading))
        answered_below = index + 1 < len(starts) and starts[index + 1].response
        boxed = [block for block in body if block.boxed]
        if start.inline:
            text_blocks = start.inline + (body if answered_below else [])
            response_blocks = [] if answered_below else body
        elif boxed:
            any_boxed = True
            text_blocks, response_blocks = boxed, [block for block in body if not block.boxed]
        elif len(start.title) > 60:
            text_blocks, response_blocks = [], body
            rec.text.append(start.title)
        elif body:
            text_blocks, response_blocks = body[:1], body[1:]
        else:
            text_blocks, response_blocks = [], []
        rec.text.extend(block.text for block in text_blocks if block.kind == PARAGRAPH or block.boxed)
        if text_blocks:
            rec.page = text_blocks[0].page
        if answered_below:
            current = rec
        else:
            _response(builder, rec, response_blocks, summary.get(start.number.lower()))
    return len(items), any_boxed


def _is_summary(block: Block, summary: dict[str, str]) -> bool:
    return bool(summary) and sum(1 for row in block.rows if row and normalise_space(row[-1]) in summary.values()) >= 2


def _sections(blocks: list[Block], items: list[_Start]) -> dict[int, str]:
    """Return the section heading (a heading of a higher level than the item's) of each item's position."""
    sections: dict[int, str] = {}
    for start in items:
        level = blocks[start.position].level or 99
        for block in reversed(blocks[: start.position]):
            if block.kind == HEADING and 0 < block.level < level and not _start(0, block):
                sections[start.position] = normalise_space(block.numbered_text)
                break
    return sections


_SECTION_LINE = re.compile(r"^[A-Z][.)]\s+[A-Z][^\n]{0,150}$")
"""A lettered section heading set as a line of its own ("C. Theme 2: Increase Civic Space to Engage the Public")."""


def _until_section_line(body: list[Block]) -> list[Block]:
    """An item's text and response end at a lettered section heading printed as a paragraph of its own."""
    for position, block in enumerate(body):
        text = normalise_space(block.text)
        if _SECTION_LINE.match(text) and not text.endswith((".", ";", ",")):
            return body[:position]
    return body


def _until_higher_heading(body: list[Block], level: int) -> list[Block]:
    for position, block in enumerate(body):
        if block.kind == HEADING and block.level and level and block.level < level:
            return body[:position]
    return body


def _where(document: Document, block: Block) -> str:
    page = f" (page {block.page})" if document.kind == "pdf" else ""
    return f"{document.display}:{normalise_space(block.numbered_text)[:40]}{page}"


def new_item(builder: PlanBuilder, number: str, workstream: str | None, page: int, where: str) -> Recommendation:
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
    blocks = [block for block in blocks if block.kind == PARAGRAPH]
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
    label = RESPONSE_LABEL.match(first)
    if summary_answer is None:
        parsed = parse_response(label.group("label")) if label else None
        if (
            parsed is not None
            and label is not None
            and not re.match(r"(?i)\s*in\s+principle", first[label.end("label") :])
        ):
            rec.response = parsed
        elif label is not None:
            flag_response(rec, label.group("label"))
        else:
            rec.review.append("response: given in prose only, without a printed label; not set")
    update = Update(rec.place, None, None, [block.text for block in blocks])
    update.page = blocks[0].page
    rec.updates.append(update)
    prose = " ".join(normalise_space(block.text) for block in blocks)
    for match in _LABELLED_OWNER.finditer(prose):  # "Lead: Youth Custody Service." is a printed label
        owner = match.group("value").strip()
        update.progress.owners.append((owner, builder.organisations.organisation_of_owner(owner)))
    for match in _LABELLED_DATE.finditer(prose):
        date = match.group("value").strip()
        update.progress.target_dates.append((date, parse_printed_date(date)))
    named = sorted({org_id for _, _, org_id in builder.organisations.find(prose)})
    if named and not update.progress.owners:
        rec.review.append(
            f"owners: none printed in an owner cell; the response names {', '.join(named)} (a suggestion)"
        )
    labelled = {text for text, _ in update.progress.target_dates}
    for match in _PROSE_DATE.finditer(prose):  # "by December 2026": set as printed, flagged as a suggestion
        if any(match.group("date") in text for text in labelled):
            continue
        update.progress.target_dates.append((match.group(0), parse_printed_date(match.group("date"))))
        rec.review.append(
            f"target-dates: '{match.group(0)}' is read from the response's prose (no date cell): a suggestion, check it"
        )
