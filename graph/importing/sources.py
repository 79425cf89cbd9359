"""Save a published document's extracted text with the plan read from it: ``sources/<plan id>.txt`` and an entry of
``documents.yaml`` (title, date where printed, original file name, sha256, pages) that becomes the plan's source,
so that ``crossplan validate`` checks every item text against the text it was read from.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from ..datafiles.append import add_list_entry
from ..errors import CrossplanError
from ..files import write_text_atomically
from ..text import display_path, normalise_space
from .document import PARAGRAPH, Document, source_text
from .printed import parse_printed_date

SOURCES = "sources"
_DATE_LINE = re.compile(
    r"(?i)^(?:published|date|dated|issued|updated|last updated)?\s*:?\s*(?:on\s+)?(?P<date>[\w ,/.]{4,30}?)\.?$"
)


class SavedSource:
    """The source text and documents.yaml entry of an import, written only by ``write``."""

    def __init__(self, data_dir: Path, plan_id: str, original: Path, document: Document, title: str, force: bool):
        self.data_dir = data_dir
        self.document_id = f"{plan_id}-source"  # ids are global: the plan has plan_id
        self.text = source_text(document)
        self.path = data_dir / SOURCES / f"{plan_id}.txt"
        self.documents_path = data_dir / "documents.yaml"
        self.entry: dict[str, Any] = {"id": self.document_id, "title": title}
        date = printed_date(document)
        if date:
            self.entry["date"] = date
        self.entry.update(
            file=self.path.name,
            original=original.name,
            sha256=hashlib.sha256(original.read_bytes()).hexdigest(),
            pages=document.pages,
        )
        existing = self.documents_path.read_text(encoding="utf-8") if self.documents_path.is_file() else ""
        self.replacing = (
            re.search(rf"(?m)^\s*-\s*id:\s*['\"]?{re.escape(self.document_id)}['\"]?\s*$", existing) is not None
        )
        if (self.replacing or self.path.exists()) and not force:
            raise CrossplanError(
                f"{display_path(self.documents_path)} already has a document '{self.document_id}' (or {display_path(self.path)} "
                "exists): use --force to replace it"
            )
        self.existing = existing

    def documents_yaml(self, with_file: bool = True) -> str:
        """Return documents.yaml with this document's entry (replacing an entry with its id)."""
        entry = dict(self.entry)
        if not with_file:
            entry.pop("file")
        text = _without_entry(self.existing, self.document_id) if self.replacing else self.existing
        text = re.sub(r"(?m)^documents:[ \t]*\[\][ \t]*$", "documents:", text)  # as `crossplan init` writes it
        text, _ = add_list_entry(self.documents_path, text, "documents", entry, comment="Added by `crossplan import`")
        return text

    def write(self) -> None:
        self.path.parent.mkdir(exist_ok=True)
        write_text_atomically(self.path, self.text)
        write_text_atomically(self.documents_path, self.documents_yaml())


def _without_entry(text: str, document_id: str) -> str:
    """Remove the block-list entry ``- id: document_id`` (and its indented lines) from documents.yaml text."""
    lines = text.splitlines(keepends=True)
    out, skipping, indent = [], False, 0
    for line in lines:
        match = re.match(rf"^(\s*)-\s*id:\s*['\"]?{re.escape(document_id)}['\"]?\s*$", line)
        if match:
            skipping, indent = True, len(match.group(1))
            continue
        if skipping:
            stripped = line.lstrip()
            if stripped and (len(line) - len(stripped) <= indent):
                skipping = False
            else:
                continue
        out.append(line)
    return "".join(out)


def printed_date(document: Document) -> str | None:
    """Return the date printed on its own in a short paragraph of the first page ("Published March 2021"), or None."""
    for block in document.blocks:
        if block.page > 1:
            break
        if block.kind == PARAGRAPH or len(block.text) < 60:
            match = _DATE_LINE.match(normalise_space(block.text))
            if match:
                date = parse_printed_date(match.group("date"))
                if date:
                    return date
    return None
