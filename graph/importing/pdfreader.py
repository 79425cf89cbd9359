"""Read a PDF into a Document: a fast preflight with pypdfium2, then pdfplumber for lines, fonts, boxes and tables.

The preflight refuses, before any layout work, a file that is encrypted, has more than MAX_PAGES pages or has no
text layer (scanned or printed as images: "OCR is not supported"). Then each page gives its ruled tables
(pdfplumber's table finder; a one-cell table is a box round text), and its other text as lines; lines become
headings (larger or bold type), paragraphs (split at vertical gaps, bullets and numbers) and boxed paragraphs (in a
filled or stroked rectangle). Lines repeated at the top or bottom of most pages are running headers and footers and
go. Runs in the sandbox child (see ``sandbox``).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import ImportFileError
from .document import HEADING, PARAGRAPH, TABLE, Block, Document, mask_digits, normalise_document, running_lines
from .pdfpages import read_page

MAX_PAGES = 400
MIN_TEXT_CHARACTERS = 20
"""Fewer printable characters than this in the whole text layer: the PDF is images of pages."""

_LIST_START = re.compile(r"^\s*(?:[•▪◦●\-–*]|\(?\d{1,3}[a-z]?[.)]|\(?[a-z][.)]|\(?[ivx]{1,5}[.)])\s+")


def preflight(path: Path, display: str) -> int:
    """Check a PDF quickly (pypdfium2); return its page count or raise ImportFileError."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        message = str(error)
        if "password" in message.lower() or "security" in message.lower():
            raise ImportFileError(
                f"{display}: the PDF is encrypted (password-protected); crossplan does not open encrypted files"
            ) from None
        raise ImportFileError(f"{display}: not a readable PDF ({message[:120]})") from None
    try:
        pages = len(pdf)
        if pages > MAX_PAGES:
            raise ImportFileError(
                f"{display}: the PDF has {pages:,} pages; crossplan imports PDFs of up to {MAX_PAGES} pages"
            )
        if pdf.raw is not None and _encrypted(pdf):
            raise ImportFileError(f"{display}: the PDF is encrypted; crossplan does not open encrypted files")
        characters = 0
        for index in range(pages):
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            characters += sum(1 for char in text if char.isalnum())
            textpage.close()
            page.close()
            if characters >= MIN_TEXT_CHARACTERS:
                break
        if characters < MIN_TEXT_CHARACTERS:
            raise ImportFileError(
                f"{display}: no text layer (the pages are images, e.g. a scan); OCR is not supported: "
                "import the document's original or a PDF saved with its text"
            )
        return pages
    finally:
        pdf.close()


def _encrypted(pdf: Any) -> bool:
    import pypdfium2.raw as raw

    return bool(raw.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1)


def read_pdf(path: Path, display: str) -> Document:
    """Read a PDF into a Document (see the module docstring); raise ImportFileError."""
    extracted = extract_pages(path, display)
    return assemble(display, extracted["pages"], extracted["title"], extracted["content"])


def extract_pages(path: Path, display: str, offset: int = 0, step: int = 1) -> dict:
    """Extract every ``step``-th page of a PDF from the 0-based ``offset`` as plain data (JSON-ready): its page
    count, title, and per page its text lines, tables and type sizes. Raises ImportFileError (the preflight's)."""
    pages = preflight(path, display)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        title = (pdf.get_metadata_dict() or {}).get("Title")
        content = [read_page(pdf, index) for index in range(offset, pages, step)]
    finally:
        pdf.close()
    title = " ".join(title.split()) if isinstance(title, str) and title.strip() else None
    return {"pages": pages, "title": title, "content": content}


def assemble(display: str, pages: int, title: str | None, content: list[dict]) -> Document:
    """Make the Document of a PDF from its extracted pages (``extract_pages``, possibly from several processes)."""
    document = Document("pdf", display, pages, title=title)
    content = sorted(content, key=lambda page: page["number"])
    sizes: Counter[float] = Counter()
    for page in content:
        sizes.update({float(size): count for size, count in page["sizes"]})
    running = running_lines([[line["text"] for line in page["lines"]] for page in content])
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    heading_sizes = sorted({size for size in sizes if size >= body * 1.15}, reverse=True)
    for page in content:
        number, lines = page["number"], page["lines"]
        kept = [line for line in lines if mask_digits(line["text"]) not in running or not _at_edge(line, lines)]
        blocks = [
            (top, Block(TABLE, number, rows=rows, row_pages=[number] * len(rows))) for top, rows in page["tables"]
        ]
        blocks += _paragraphs(kept, number, body, heading_sizes)
        blocks.sort(key=lambda item: item[0])
        document.blocks.extend(block for _, block in blocks)
    _join_continued_tables(document)
    return normalise_document(document)


def _at_edge(line: dict, lines: list[dict]) -> bool:
    position = lines.index(line)
    return position < 3 or position >= len(lines) - 3


def _read_page(page: Any, number: int) -> tuple[list[dict], list[tuple[float, Block]]]:
    boxes = [
        (rect["x0"], rect["top"], rect["x1"], rect["bottom"])
        for rect in page.rects
        if (rect.get("fill") and not _white(rect.get("non_stroking_color")) or rect.get("stroke"))
        and rect["x1"] - rect["x0"] > 40
        and rect["bottom"] - rect["top"] > 8
        and (rect["x1"] - rect["x0"]) * (rect["bottom"] - rect["top"]) < 0.9 * page.width * page.height
    ]
    tables: list[tuple[float, Block]] = []
    table_boxes = []
    for found in page.find_tables(_table_settings(page)):
        rows = [[cell or "" for cell in row] for row in found.extract()]
        x0, top, x1, bottom = found.bbox
        table_boxes.append(found.bbox)
        if len(rows) == 1 and len(rows[0]) == 1 or all(len(row) == 1 for row in rows):
            boxes.append(found.bbox)  # a one-column frame round text is a box, not a table
            table_boxes.pop()
            continue
        if rows:
            tables.append((top, Block(TABLE, number, rows=rows, row_pages=[number] * len(rows))))

    def outside(obj: dict) -> bool:
        return not any(
            x0 - 1 <= obj["x0"] and obj["x1"] <= x1 + 1 and top - 1 <= obj["top"] and obj["bottom"] <= bottom + 1
            for x0, top, x1, bottom in table_boxes
        )

    text_page = page.filter(outside) if table_boxes else page
    lines = []
    for line in text_page.extract_text_lines(return_chars=True, strip=True):
        chars = [char for char in line["chars"] if char["text"].strip()]
        if not chars or not line["text"].strip():
            continue
        size = round(Counter(round(char["size"], 1) for char in chars).most_common(1)[0][0], 1)
        bold = sum(1 for char in chars if re.search(r"bold|black|heavy", char["fontname"], re.I)) > len(chars) * 0.8
        centre_x, centre_y = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
        boxed = next(
            (box for box in boxes if box[0] <= centre_x <= box[2] and box[1] <= centre_y <= box[3]),
            None,
        )
        lines.append(
            {
                "text": line["text"],
                "top": line["top"],
                "bottom": line["bottom"],
                "x0": line["x0"],
                "size": size,
                "bold": bold,
                "box": list(boxed) if boxed else None,
            }
        )
    return lines, tables


def _table_settings(page: Any) -> dict:
    """Close a table's rows cut by the page break: its column rules run past its last (or before its first) ruled
    line, so a line is drawn there for the table finder."""
    vertical = [edge for edge in page.edges if edge["orientation"] == "v" and edge["bottom"] - edge["top"] > 5]
    horizontal = [edge for edge in page.edges if edge["orientation"] == "h"]
    if not vertical or not horizontal:
        return {}
    explicit = []
    lowest, highest = max(edge["bottom"] for edge in vertical), min(edge["top"] for edge in vertical)
    if lowest > max(edge["top"] for edge in horizontal) + 3:
        explicit.append(lowest)
    if highest < min(edge["top"] for edge in horizontal) - 3:
        explicit.append(highest)
    return {"explicit_horizontal_lines": explicit} if explicit else {}


def _white(colour: Any) -> bool:
    if colour is None:
        return True
    values = colour if isinstance(colour, (list, tuple)) else [colour]
    try:
        numbers = [float(value) for value in values]
    except (TypeError, ValueError):
        return False
    if len(numbers) == 4:  # CMYK
        return all(value < 0.03 for value in numbers)
    return all(value > 0.97 for value in numbers)


def _paragraphs(lines: list[dict], page: int, body: float, heading_sizes: list[float]) -> list[tuple[float, Block]]:
    blocks: list[tuple[float, Block]] = []
    current: list[dict] = []

    def kind_of(line: dict) -> tuple[str, int]:
        if line["size"] in heading_sizes:
            return HEADING, heading_sizes.index(line["size"]) + 1
        if line["bold"] and len(line["text"]) <= 150 and line["size"] >= body * 0.95:
            return HEADING, len(heading_sizes) + 1
        return PARAGRAPH, 0

    def flush() -> None:
        if current:
            kind, level = kind_of(current[0])
            text = "\n".join(line["text"] for line in current)
            blocks.append(
                (current[0]["top"], Block(kind, page, text, level=level, boxed=current[0]["box"] is not None))
            )
            current.clear()

    for line in lines:
        if current:
            previous = current[-1]
            height = max(previous["bottom"] - previous["top"], 1.0)
            gap = line["top"] - previous["bottom"]
            if (
                gap > 0.6 * height
                or kind_of(line) != kind_of(previous)
                or line["box"] != previous["box"]
                or _LIST_START.match(line["text"])
                or gap < -height  # a new column
            ):
                flush()
        current.append(line)
    flush()
    return blocks


def _join_continued_tables(document: Document) -> None:
    """Join a table continued on the next page (same columns, nothing between) and drop its repeated header row."""
    joined: list[Block] = []
    for block in document.blocks:
        previous = joined[-1] if joined else None
        if (
            block.kind == TABLE
            and previous is not None
            and previous.kind == TABLE
            and block.page == previous.row_pages[-1] + 1
            and len(block.rows[0]) == len(previous.rows[0])
        ):
            rows, pages = block.rows, block.row_pages
            if rows and _same_row(rows[0], previous.rows[0]):
                rows, pages = rows[1:], pages[1:]
            if rows and len(previous.rows) > 1 and _row_continues(previous.rows[-1], rows[0]):
                # a row broken by the page: one row, on the page where it starts
                previous.rows[-1] = [
                    _join_cells(above, below) for above, below in zip(previous.rows[-1], rows[0], strict=True)
                ]
                rows, pages = rows[1:], pages[1:]
            previous.rows.extend(rows)
            previous.row_pages.extend(pages)
            continue
        joined.append(block)
    document.blocks = joined


_GOES_ON = re.compile(r"(?i)(?:[-,/&]|\b(?:and|or|of|for|the|to|in|on|at|by|with|from|a|an))$")


def _row_continues(above: list[str], below: list[str]) -> bool:
    """Whether the first row on a page is the rest of the last row on the page before: in every column one of the
    two is empty or the text goes on (the lower part starts in lower case, the upper ends with a hyphen, a comma
    or a joining word), and the lower part does not start a column the upper part has text in first; or some
    column goes on and none ends a sentence above a new one below."""
    filled = [index for index, cell in enumerate(below) if cell.strip()]
    if not filled:
        return False
    both = [(a, b) for a, b in zip(above, below, strict=True) if a.strip() and b.strip()]
    if (not above[filled[0]].strip() or _goes_on(above[filled[0]], below[filled[0]])) and all(
        _goes_on(a, b) for a, b in both
    ):
        return True
    # a cell broken at a paragraph ("Action Plan (January 2020)" / "The Government's ...") beside one that plainly
    # goes on ("Crime, Policing and" / "Fire Group"): one row, unless a cell ends a sentence and the next starts anew
    ends = [a.rstrip().endswith((".", "!", "?", ":")) and not _goes_on(a, b) for a, b in both]
    return not any(ends) and any(_goes_on(a, b) for a, b in both)


def _goes_on(above: str, below: str) -> bool:
    start = below.strip()[0]
    return not (start.isupper() or _LIST_START.match(below)) or bool(_GOES_ON.search(above.strip()))


def _join_cells(above: str, below: str) -> str:
    return "\n".join(part for part in (above.rstrip(), below.strip()) if part)


def _same_row(one: list[str], other: list[str]) -> bool:
    return [" ".join(cell.split()).lower() for cell in one] == [" ".join(cell.split()).lower() for cell in other]
