"""Check that item texts and link quotes are printed verbatim in their plans' source texts.

One file is checked at a time, against an index of the nodes every file defines (``QuoteIndex``): that is what lets
``validate`` keep one file's result and check it again only when the file or a node or text it read has changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from ..datafiles.loading import Dataset
from ..datafiles.parsed import SOURCES_DIR
from ..errors import DataError, Problem
from ..files import resolve_inside
from ..model.nodes import Link, Node, NodeType
from ..text import display_path, normalise_space

_LINE_BREAK_HYPHEN = re.compile(r"(\w)-[ \t]*\r?\n\s*(\w)")


def normalise_source(text: str) -> str:
    """Normalise a source text for verbatim comparison: rejoin words hyphen-broken at a line end, collapse whitespace.

    >>> normalise_source("pre-\\ncourt  diversion\\n")
    'pre-court diversion'
    """
    return normalise_space(_LINE_BREAK_HYPHEN.sub(r"\1-\2", text))


class NodeFacts(NamedTuple):
    """What the quote check reads of a node another file may define: the first definition of its id."""

    type: str
    plan: str | None
    source: str | None
    source_file: str | None
    path: str
    line: int
    ordinal: int  # its place among its file's nodes (two definitions can share a line)

    @classmethod
    def of(cls, node: Node, ordinal: int) -> NodeFacts:
        location = node.location
        return cls(node.type.value, node.plan, node.source, node.source_file, location.path, location.line, ordinal)


class QuoteIndex:
    """The first definition of every id, and the normalised source texts of documents (read once each)."""

    def __init__(self, data_dir: Path, nodes: dict[str, NodeFacts]) -> None:
        self.data_dir = data_dir
        self.nodes = nodes
        self.texts: dict[str, str | None] = {}

    @classmethod
    def of_dataset(cls, dataset: Dataset) -> QuoteIndex:
        ordinals = {id(node): ordinal for parsed in dataset.files for ordinal, node in enumerate(parsed.nodes)}
        nodes = {key: NodeFacts.of(node, ordinals[id(node)]) for key, node in dataset.nodes.items()}
        return cls(dataset.data_dir, nodes)

    def node(self, global_id: str) -> NodeFacts | None:
        return self.nodes.get(global_id)

    def text(self, document_id: str | None) -> str | None:
        """The normalised source text of a document, or None if it has none (raises DataError if unreadable)."""
        if document_id is None:
            return None
        if document_id not in self.texts:
            path = self._source_path(document_id)
            self.texts[document_id] = normalise_source(_read_source(path)) if path and path.is_file() else None
        return self.texts[document_id]

    def _source_path(self, document_id: str) -> Path | None:
        document = self.node(document_id)
        if document is None or not document.source_file:
            return None
        # followed links included: a source text is never read from outside the data directory
        return resolve_inside(self.data_dir, self.data_dir / SOURCES_DIR / document.source_file)


class RecordingIndex:
    """A QuoteIndex that remembers what one file's check read, so that the result can be reused while that holds."""

    def __init__(self, index: QuoteIndex) -> None:
        self.index = index
        self.nodes: dict[str, NodeFacts | None] = {}
        self.texts: dict[str, str | None] = {}

    def node(self, global_id: str) -> NodeFacts | None:
        found = self.nodes[global_id] = self.index.node(global_id)
        return found

    def text(self, document_id: str | None) -> str | None:
        text = self.index.text(document_id)
        if document_id is not None:
            self.node(document_id)  # its source file's name: the text is found by it
            self.texts[document_id] = text_digest(text)
        return text


def text_digest(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError.at(
            display_path(path), 0, f"not UTF-8 text (byte {error.start}): save the source text as UTF-8"
        ) from None
    except OSError as error:
        raise DataError.at(display_path(path), 0, f"cannot read the source text: {error.strerror}") from None


def printed_texts(node: Node) -> list[tuple[str, str]]:
    """Return (what, text) for every field of a node that must be printed verbatim in its plan's source."""
    texts: list[tuple[str, str | None]] = [("text", piece) for piece in node.text_pieces] or [("text", node.text)]
    texts += [("status-text", node.status_text), ("timescale", node.timescale), ("addressee-text", node.addressee_text)]
    if node.type in (NodeType.WORKSTREAM, NodeType.UPDATE):
        texts.append(("title", node.title))
    texts += [("owner", owner.text) for owner in node.owners]
    texts += [("target date", target.text) for target in node.target_dates]
    return [(what, text) for what, text in texts if text]


def check_quotes(dataset: Dataset) -> list[Problem]:
    """Check that item texts and link quotes appear verbatim (whitespace-normalised) in their source texts."""
    index = QuoteIndex.of_dataset(dataset)
    return [problem for parsed in dataset.files for problem in check_file_quotes(parsed.nodes, parsed.links, index)]


def check_file_quotes(nodes: list[Node], links: Iterable[Link], index: QuoteIndex | RecordingIndex) -> list[Problem]:
    """Check one file's nodes (those that are their id's first definition) and links against ``index``."""
    problems = []
    for ordinal, node in enumerate(nodes):
        if node.plan is None:
            continue
        facts = index.node(node.id)
        if facts is None or (facts.path, facts.line, facts.ordinal) != (
            node.location.path,
            node.location.line,
            ordinal,
        ):
            continue  # a later definition of an id: the first one is the node
        document = _plan_source(index, node.id, node.type.value, node.plan)
        source = index.text(document)
        if document is None or source is None:
            continue
        for what, text in printed_texts(node):
            if normalise_source(text) not in source:
                problems.append(
                    _not_in_source(
                        node.location.path, node.location.line, f"{what} of '{node.id}'", text, index, document
                    )
                )
    for link in links:
        document = link.document or _plan_of(index, link.source_id)
        source = index.text(document)
        if document is not None and source is not None and normalise_source(link.quote) not in source:
            problems.append(
                _not_in_source(
                    link.location.path, link.location.line, f"quote of link {link.key}", link.quote, index, document
                )
            )
        if link.target_quote:
            document = _plan_of(index, link.target_id)
            source = index.text(document)
            if document is not None and source is not None and normalise_source(link.target_quote) not in source:
                problems.append(
                    _not_in_source(
                        link.location.path,
                        link.location.line,
                        f"target-quote of link {link.key}",
                        link.target_quote,
                        index,
                        document,
                    )
                )
    return problems


def _plan_of(index: QuoteIndex | RecordingIndex, global_id: str) -> str | None:
    facts = index.node(global_id)
    return None if facts is None else _plan_source(index, global_id, facts.type, facts.plan)


def _plan_source(index: QuoteIndex | RecordingIndex, global_id: str, kind: str, plan: str | None) -> str | None:
    """The source document of a node's plan."""
    found = index.node(plan or (global_id if kind == NodeType.PLAN.value else ""))
    return found.source if found else None


def _not_in_source(
    path: str, line: int, what: str, text: str, index: QuoteIndex | RecordingIndex, document: str
) -> Problem:
    excerpt = text if len(text) <= 60 else text[:57] + "..."
    facts = index.node(document)
    source_file = facts.source_file if facts else None
    return Problem(path, line, f'{what} is not in its source {source_file}: "{excerpt}" (quote it exactly as printed)')
