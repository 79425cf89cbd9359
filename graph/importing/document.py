"""The common reading of a published document: pages of headings, paragraphs and tables, whatever the file format.

Each document reader (``pdfreader``, ``wordreader``, ``htmlreader``) turns its file into a ``Document``: blocks in
reading order, each with the 1-based page it starts on (1 for formats without pages), headings with the numbering
printed or computed for them, paragraphs marked when they sit in a box or shaded panel, and tables as rows of text
cells (a merged cell's text in its first cell, the cells it covers empty). Running headers and footers are already
removed and line-end hyphenation joined. The layouts (``layouts``) read plans from this; ``source_text`` is the
normalised text saved with the plan so that ``crossplan validate`` can check every item against it.

A Document crosses from the extraction child process as JSON (``to_json``/``from_json``), never as pickle.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field

from ..errors import ImportFileError

HEADING = "heading"
PARAGRAPH = "paragraph"
TABLE = "table"


@dataclass
class Block:
    """One heading, paragraph or table of a document."""

    kind: str
    page: int
    text: str = ""
    level: int = 0  # a heading's level (1 = largest); 0 for other blocks
    number: str | None = None  # automatic list or heading numbering, when it is not part of the text
    boxed: bool = False  # in a box, a bordered or shaded panel
    rows: list[list[str]] = field(default_factory=list)  # a table's cells, row by row
    row_pages: list[int] = field(default_factory=list)  # the page each table row starts on

    @property
    def numbered_text(self) -> str:
        return f"{self.number} {self.text}" if self.number else self.text


@dataclass
class Document:
    """A document read into blocks (see the module docstring)."""

    kind: str  # "pdf", "docx" or "html"
    display: str
    pages: int
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    warnings: list[str] = field(default_factory=list)

    def tables(self) -> list[Block]:
        return [block for block in self.blocks if block.kind == TABLE]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Document:
        try:
            data = json.loads(text)
            blocks = [Block(**block) for block in data.pop("blocks")]
            return cls(blocks=blocks, **data)
        except (ValueError, TypeError, KeyError) as error:
            raise ImportFileError(f"the document reader returned an unreadable result ({error})") from None


_HYPHENATED = re.compile(r"(\w+)-\n(\s*)([a-z]\w*)")
_WORD = re.compile(r"\w+")


_COMPOUND = re.compile(r"\w+-\w+")
_PREFIXES = {"re", "co", "pre", "non", "post", "anti", "multi", "inter", "sub", "self", "cross", "semi", "ex"}
"""Prefixes printed with a hyphen before a word ("re-integration", "co-production", "non-classified")."""


def join_hyphenation(text: str, vocabulary: set[str] | None = None, compounds: set[str] | None = None) -> str:
    """Join words broken with a hyphen at a line end: without the hyphen where the document spells the word whole
    elsewhere (``vocabulary``), otherwise keeping the hyphen (``pre-court``). The hyphen stays where the document
    prints the word with a hyphen elsewhere (``compounds``), or where the part before is a prefix such as "re-" and
    the part after a longer word the document prints on its own ("re-integration", not "re-view").

    >>> join_hyphenation("accommo-\\ndation and pre-\\ncourt", {"accommodation"})
    'accommodation and pre-court'
    >>> join_hyphenation("re-\\nintegration, re-\\nview", {"reintegration", "integration", "review", "view"})
    're-integration, review'
    """
    words = vocabulary if vocabulary is not None else {word.lower() for word in _WORD.findall(text)}
    printed = compounds if compounds is not None else {word.lower() for word in _COMPOUND.findall(text)}

    def join(match: re.Match[str]) -> str:
        first, rest = match.group(1), match.group(3)
        whole, hyphenated = first + rest, f"{first}-{rest}"
        prefixed = first.lower() in _PREFIXES and len(rest) >= 7 and rest.lower() in words
        if hyphenated.lower() in printed or prefixed:
            return hyphenated
        return whole if whole.lower() in words else hyphenated

    return _HYPHENATED.sub(join, text)


_URL_BROKEN = re.compile(r"((?:https?:/|www\.)[^\s]*[/.\-_=&?#])\n[ \t]*(?=[a-z0-9/])")
"""A web address broken at a line end after "/", ".", "-"...: its parts are joined without a space."""


def normalise_document(document: Document) -> Document:
    """Join line-end hyphenation in every text of a document, using the document's own words as vocabulary."""
    texts = [block.text for block in document.blocks] + [
        cell for block in document.blocks for row in block.rows for cell in row
    ]
    vocabulary = {word.lower() for text in texts for word in _WORD.findall(text)}
    compounds = {word.lower() for text in texts for word in _COMPOUND.findall(text)}

    def tidy(text: str) -> str:
        return _tidy(join_hyphenation(_URL_BROKEN.sub(r"\1", text), vocabulary, compounds))

    for block in document.blocks:
        block.text = tidy(block.text)
        block.rows = [[tidy(cell) for cell in row] for row in block.rows]
    return document


def _tidy(text: str) -> str:
    # a hyphenation point the renderer chose (U+2010 at a line end, a soft hyphen) is never part of the word
    text = re.sub(r"(\w)[\u2010\u00ad]\n\s*(\w)", r"\1\2", text).replace("\u00ad", "")
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def running_lines(pages: list[list[str]], edge: int = 3) -> set[str]:
    """Return the texts (digits masked) of lines repeated near the top or bottom of most pages: running headers
    and footers (a page number alone is one too).

    ``pages`` holds each page's lines in reading order; only the first and last ``edge`` lines are considered.

    >>> sorted(running_lines([["Report 2020", "a", "1"], ["Report 2020", "b", "2"], ["Report 2020", "c", "3"]]))
    ['#', 'Report ####']
    """
    counts: Counter[str] = Counter()
    for lines in pages:
        edges = {mask_digits(line) for line in lines[:edge] + lines[-edge:] if line.strip()}
        counts.update(edges)
    needed = max(2, (len(pages) + 1) // 2)
    running = {text for text, count in counts.items() if count >= needed and len(pages) >= 2}
    running |= {text for text in counts if re.fullmatch(r"(?:page\s+)?#+(?:\s*(?:of|/)\s*#+)?", text, re.I)}
    return running


def mask_digits(line: str) -> str:
    return re.sub(r"\d", "#", " ".join(line.split()))


def source_text(document: Document) -> str:
    """Return the text saved as ``sources/<doc>.txt``: the blocks in order, a table's cells one per paragraph, pages
    separated by a form feed (``crossplan validate`` compares whitespace-normalised text, so layout does not matter).
    """
    parts: list[str] = []
    page = 1
    for block in document.blocks:
        while page < block.page:
            parts.append("\f")
            page += 1
        if block.kind == TABLE:
            for row in block.rows:
                parts.extend(cell for cell in row if cell)
        else:
            parts.append(block.numbered_text)
    return "\n\n".join(part for part in parts if part).replace("\n\n\f\n\n", "\n\f\n") + "\n"
