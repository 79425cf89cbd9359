"""Read a web page (.html/.htm) into a Document with lxml: headings, paragraphs, list items with their computed
numbers, boxed panels (aside, blockquote, or an element whose class or style draws a box or a background) and tables
(``colspan``/``rowspan`` spread over the cells they cover, the text in the first).

Nothing is fetched: the parser never touches the network, scripts, styles, frames, images and links are not
followed, and entities are not expanded. Runs in the sandbox child.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import ImportFileError
from .document import HEADING, PARAGRAPH, TABLE, Block, Document, normalise_document
from .readers import MAX_COLUMNS, MAX_ROWS
from .wordreader import format_number

_SKIP = {"script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "math", "nav"}
_BLOCKS = {"p", "div", "li", "dd", "dt", "section", "article", "main", "aside", "blockquote", "figure", "caption"}
_BOX_CLASS = re.compile(r"(?i)\b(?:box|panel|callout|highlight|shaded|recommendation)\b")
_BOX_STYLE = re.compile(r"(?i)\b(?:background(?:-color)?|border)\s*:")
_HEADING = re.compile(r"h([1-6])")


def read_html(path: Path, display: str) -> Document:
    """Read an HTML file into a Document (one page); raise ImportFileError."""
    import lxml.etree
    import lxml.html

    data = path.read_bytes()
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False, recover=True)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError) as error:
        raise ImportFileError(f"{display}: not a readable web page ({error})") from None
    title_element = root.find(".//title")
    title = " ".join((title_element.text_content() if title_element is not None else "").split()) or None
    document = Document("html", display, 1, title=title)
    body = root.find("body")
    _Walker(document, display).walk(body if body is not None else root, boxed=False)
    return normalise_document(document)


class _Walker:
    def __init__(self, document: Document, display: str) -> None:
        self.document = document
        self.display = display
        self.rows = 0

    def walk(self, element: Any, boxed: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIP:
            return
        boxed = boxed or _is_box(element, tag)
        heading = _HEADING.fullmatch(tag)
        if heading:
            self.add(Block(HEADING, 1, _text(element), level=int(heading.group(1)), boxed=boxed))
            return
        if tag == "table":
            self.table(element)
            return
        if tag in ("ol", "ul"):
            self.list(element, tag, boxed)
            return
        if tag in _BLOCKS or tag == "body":
            if not any(isinstance(child.tag, str) and _is_block(child) for child in element):
                self.add(Block(PARAGRAPH, 1, _text(element), boxed=boxed))
                return
            # text directly in a block element with block children
            if element.text and element.text.strip():
                self.add(Block(PARAGRAPH, 1, element.text.strip(), boxed=boxed))
            for child in element:
                self.walk(child, boxed)
                if child.tail and child.tail.strip():
                    self.add(Block(PARAGRAPH, 1, child.tail.strip(), boxed=boxed))
            return
        for child in element:
            self.walk(child, boxed)

    def add(self, block: Block) -> None:
        if block.text.strip():
            self.document.blocks.append(block)

    def list(self, element: Any, tag: str, boxed: bool) -> None:
        start = _int(element.get("start"), 1)
        kind = element.get("type", "1")
        for item in element.iterchildren("li"):
            number = None
            if tag == "ol":
                value = _int(item.get("value"), start)
                start = value + 1
                number = _list_number(value, kind)
            nested = [child for child in item if isinstance(child.tag, str) and child.tag in ("ol", "ul", "table")]
            for child in nested:
                item.remove(child)
            self.add(Block(PARAGRAPH, 1, _text(item), number=number, boxed=boxed))
            for child in nested:
                self.walk(child, boxed)

    def table(self, element: Any) -> None:
        rows: list[list[str]] = []
        pending: dict[int, tuple[int, str]] = {}  # column -> rows still covered by a rowspan
        for tr in element.iter("tr"):
            if tr.getparent() is not None and _table_of(tr) is not element:
                continue
            self.rows += 1
            if self.rows > MAX_ROWS:
                raise ImportFileError(f"{self.display}: more than {MAX_ROWS:,} table rows; split the page")
            cells = [cell for cell in tr if isinstance(cell.tag, str) and cell.tag in ("td", "th")]
            spans = [_int(cell.get("colspan"), 1) for cell in cells]
            if sum(spans) > MAX_COLUMNS * 4:
                raise ImportFileError(
                    f"{self.display}: a table row declares {sum(spans):,} columns; "
                    f"crossplan reads tables of up to {MAX_COLUMNS} columns"
                )
            row: list[str] = []
            for cell, span in zip(cells, spans, strict=True):
                while len(row) in pending:
                    left, _ = pending[len(row)]
                    row.append("")
                    if left <= 1:
                        del pending[len(row) - 1]
                    else:
                        pending[len(row) - 1] = (left - 1, "")
                rowspan = min(_int(cell.get("rowspan"), 1), MAX_ROWS)
                for offset in range(span):
                    if rowspan > 1:
                        pending[len(row) + offset] = (rowspan - 1, "")
                row.append(_text(cell))
                row.extend([""] * (span - 1))
            rows.append(row[:MAX_COLUMNS])
        width = max((len(row) for row in rows), default=0)
        rows = [row + [""] * (width - len(row)) for row in rows]
        if rows:
            self.document.blocks.append(Block(TABLE, 1, rows=rows, row_pages=[1] * len(rows)))


def _table_of(tr: Any) -> Any:
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _is_block(element: Any) -> bool:
    return element.tag in _BLOCKS or element.tag in ("table", "ol", "ul") or bool(_HEADING.fullmatch(element.tag))


def _is_box(element: Any, tag: str) -> bool:
    if tag in ("aside", "blockquote"):
        return True
    return bool(_BOX_CLASS.search(element.get("class", "")) or _BOX_STYLE.search(element.get("style", "")))


def _text(element: Any) -> str:
    """The element's text with <br> as line breaks and block children on lines of their own."""
    parts: list[str] = []

    def visit(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP:
            return
        if tag == "br":
            parts.append("\n")
        elif tag in ("p", "div", "li") and parts:
            parts.append("\n")
        if node.text and tag not in _SKIP:
            parts.append(node.text)
        for child in node:
            visit(child)
            if child.tail:
                parts.append(child.tail)

    visit(element)
    text = "".join(parts)
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _int(value: Any, default: int) -> int:
    try:
        return max(1, int(str(value).strip())) if value is not None else default
    except ValueError:
        return default


def _list_number(value: int, kind: str) -> str:
    style = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}.get(kind, "decimal")
    return f"{format_number(value, style)}."
