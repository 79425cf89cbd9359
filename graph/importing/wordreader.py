"""Read a Word .docx file of any layout into a Document: headings, paragraphs (with Word's automatic list numbering
computed from numbering.xml), boxed or shaded paragraphs, and tables (merged cells read once).

Word keeps list numbers out of the paragraph text: each numbered paragraph names a list (``w:numId``) and a level
(``w:ilvl``), and numbering.xml gives each level's format ("%1.", "%1.%2", "(%3)") and number style (decimal,
lower letter, roman...). The counters are kept here as Word keeps them. A table's declared column spans are summed
against the column limit before any row is built, so a forged ``gridSpan`` cannot make a huge row. The archive is
checked as for spreadsheets (``readers.check_archive``); no external part is ever opened. Runs in the sandbox child.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ImportFileError
from .document import HEADING, PARAGRAPH, TABLE, Block, Document, normalise_document
from .readers import MAX_COLUMNS, MAX_ROWS, check_archive

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path, display: str) -> Document:
    """Read a .docx into a Document (page 1 throughout: a .docx has no fixed pages); raise ImportFileError."""
    check_archive(path, display)
    import docx

    try:
        word = docx.Document(str(path))
    except Exception as error:  # python-docx raises PackageNotFoundError, KeyError, lxml errors...
        raise ImportFileError(f"{display}: not a readable Word .docx file ({type(error).__name__}: {error})") from None
    document = Document("docx", display, 1, title=" ".join((word.core_properties.title or "").split()) or None)
    numbering = _Numbering(word)
    body = word.element.body
    rows_seen = 0
    for element in body.iterchildren():
        if element.tag == f"{_W}p":
            block = _paragraph(element, numbering)
            if block is not None:
                document.blocks.append(block)
        elif element.tag == f"{_W}tbl":
            rows = _table_rows(element, display, rows_seen, numbering)
            rows_seen += len(rows)
            if rows:
                document.blocks.append(Block(TABLE, 1, rows=rows, row_pages=[1] * len(rows)))
    return normalise_document(document)


def _text(element: Any) -> str:
    parts = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _paragraph(element: Any, numbering: _Numbering) -> Block | None:
    text = _text(element).strip()
    if not text:
        return None
    properties = element.find(f"{_W}pPr")
    style = ""
    boxed = False
    number = None
    if properties is not None:
        style_element = properties.find(f"{_W}pStyle")
        style = style_element.get(f"{_W}val", "") if style_element is not None else ""
        shading = properties.find(f"{_W}shd")
        fill = shading.get(f"{_W}fill", "auto") if shading is not None else "auto"
        boxed = properties.find(f"{_W}pBdr") is not None or fill.lower() not in ("auto", "ffffff", "")
        number = numbering.number(properties.find(f"{_W}numPr") or numbering.style_numbering.get(style))
    level = _heading_level(style)
    bold = _all_bold(element)
    if level == 0 and bold and len(text) <= 150:
        level = 9
    kind = HEADING if level else PARAGRAPH
    return Block(kind, 1, text, level=level, number=number, boxed=boxed)


def _heading_level(style: str) -> int:
    lowered = style.lower().replace(" ", "")
    if lowered == "title":
        return 1
    if lowered.startswith("heading") and lowered[7:].isdigit():
        return int(lowered[7:]) + 1
    return 0


def _all_bold(element: Any) -> bool:
    runs = [run for run in element.iter(f"{_W}r") if _text(run).strip()]
    if not runs:
        return False
    for run in runs:
        properties = run.find(f"{_W}rPr")
        bold = properties.find(f"{_W}b") if properties is not None else None
        if bold is None or bold.get(f"{_W}val", "true") in ("0", "false"):
            return False
    return True


def _table_rows(table: Any, display: str, rows_seen: int, numbering: _Numbering | None = None) -> list[list[str]]:
    rows: list[list[str]] = []
    for tr in table.iterchildren(f"{_W}tr"):
        if rows_seen + len(rows) >= MAX_ROWS:
            raise ImportFileError(f"{display}: more than {MAX_ROWS:,} table rows; split the document")
        cells = list(tr.iterchildren(f"{_W}tc"))
        spans = [_int(tc.find(f"{_W}tcPr/{_W}gridSpan"), 1) for tc in cells]
        before = _int(tr.find(f"{_W}trPr/{_W}gridBefore"), 0)
        if before + sum(spans) > MAX_COLUMNS * 4:  # summed before any cell is made: a forged span is refused
            raise ImportFileError(
                f"{display}: table row {len(rows) + 1} declares {before + sum(spans):,} columns; "
                f"crossplan reads tables of up to {MAX_COLUMNS} columns"
            )
        row = [""] * before
        for tc, span in zip(cells, spans, strict=True):
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            continued = merge is not None and merge.get(f"{_W}val", "continue") == "continue"
            texts = [_cell_paragraph(p, numbering) for p in tc.iterchildren(f"{_W}p")]
            row.append("" if continued else "\n\n".join(text for text in texts if text))
            row.extend([""] * (span - 1))
        rows.append(row[:MAX_COLUMNS])
    return rows


def _cell_paragraph(element: Any, numbering: _Numbering | None) -> str:
    """A paragraph of a table cell, with "• " before a bulleted list item (Word keeps the bullet out of the text)."""
    text = _text(element).strip()
    properties = element.find(f"{_W}pPr")
    if not text or properties is None:
        return text
    style_element = properties.find(f"{_W}pStyle")
    style = style_element.get(f"{_W}val", "") if style_element is not None else ""
    listed = properties.find(f"{_W}numPr")
    if listed is None and numbering is not None:
        listed = numbering.style_numbering.get(style)
    bullet = style.lower().replace(" ", "").startswith("listbullet")
    if not bullet and listed is not None and numbering is not None:
        bullet = numbering.is_bullet(listed)
    return f"• {text}" if bullet else text


def _int(element: Any, default: int) -> int:
    if element is None:
        return default
    try:
        return max(0, int(element.get(f"{_W}val", default)))
    except ValueError:
        return default


_ROMAN = [
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
]


def format_number(value: int, style: str) -> str:
    """Write a list counter as Word does for a number format.

    >>> [format_number(4, style) for style in ("decimal", "lowerLetter", "upperRoman", "bullet")]
    ['4', 'd', 'IV', '']
    """
    if style in ("lowerLetter", "upperLetter"):
        letters = ""
        while value > 0:
            value, remainder = divmod(value - 1, 26)
            letters = chr(ord("a") + remainder) + letters
        return letters.upper() if style == "upperLetter" else letters
    if style in ("lowerRoman", "upperRoman"):
        roman = ""
        for amount, numeral in _ROMAN:
            while value >= amount:
                roman, value = roman + numeral, value - amount
        return roman.upper() if style == "upperRoman" else roman
    if style in ("bullet", "none"):
        return ""
    return str(value)


class _Numbering:
    """Word's automatic list numbering: formats from numbering.xml, counters kept per list as Word keeps them."""

    def __init__(self, word: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> level -> (format, text, start)
        self.counters: dict[str, dict[int, int]] = {}
        self.style_numbering: dict[str, Any] = {}  # paragraph style id -> its w:numPr ("List Number")
        try:
            for style in word.styles.element.iterchildren(f"{_W}style"):
                numbered = style.find(f"{_W}pPr/{_W}numPr")
                if numbered is not None:
                    self.style_numbering[style.get(f"{_W}styleId", "")] = numbered
        except (KeyError, AttributeError, NotImplementedError):
            pass
        try:
            part = word.part.numbering_part
        except (KeyError, NotImplementedError, AttributeError):
            return
        root = part.element
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for definition in root.iterchildren(f"{_W}abstractNum"):
            levels = {}
            for level in definition.iterchildren(f"{_W}lvl"):
                index = int(level.get(f"{_W}ilvl", "0"))
                style = level.find(f"{_W}numFmt")
                text = level.find(f"{_W}lvlText")
                levels[index] = (
                    style.get(f"{_W}val", "decimal") if style is not None else "decimal",
                    text.get(f"{_W}val", "") if text is not None else "",
                    _int(level.find(f"{_W}start"), 1),
                )
            abstract[definition.get(f"{_W}abstractNumId", "")] = levels
        for num in root.iterchildren(f"{_W}num"):
            reference = num.find(f"{_W}abstractNumId")
            if reference is not None:
                self.levels[num.get(f"{_W}numId", "")] = abstract.get(reference.get(f"{_W}val", ""), {})

    def is_bullet(self, properties: Any) -> bool:
        """Whether a w:numPr makes its paragraph a bulleted list item."""
        num = properties.find(f"{_W}numId")
        levels = self.levels.get(num.get(f"{_W}val", "") if num is not None else "", {})
        level = levels.get(_int(properties.find(f"{_W}ilvl"), 0))
        return level is not None and level[0] == "bullet"

    def number(self, properties: Any) -> str | None:
        if properties is None:
            return None
        num = properties.find(f"{_W}numId")
        level_element = properties.find(f"{_W}ilvl")
        num_id = num.get(f"{_W}val", "") if num is not None else ""
        level = _int(level_element, 0)
        levels = self.levels.get(num_id)
        if not levels or level not in levels:
            return None
        counters = self.counters.setdefault(num_id, {})
        counters[level] = counters.get(level, levels[level][2] - 1) + 1
        for deeper in [key for key in counters if key > level]:
            del counters[deeper]
        style, text, _ = levels[level]
        if style == "bullet" or not text:
            return None
        for index in range(level + 1):
            if index in levels:
                value = counters.get(index, levels[index][2])
                text = text.replace(f"%{index + 1}", format_number(value, levels[index][0]))
        return text.strip() or None
