"""What the whole-graph questions read, worked out once per data file when it is built: plain JSON tables.

``duplicates``, ``overdue``, ``gaps`` and ``stats`` each need a few columns of every node (type, plan, label,
status, target dates…) and every link. Reading those columns out of the store takes seconds at a million triples
(every term is looked up in its string table), while the build already holds each file's nodes and links. So the
build writes each file's table beside its index entry, keyed by the file's content (``store.py``): a rebuild after
one file changes writes one table, and the others are read as they were.

The tables are data, never code: JSON checked field by field on reading. A table that is missing, damaged or of
another format makes the questions read the store instead (the SPARQL path, the same answers, only slower).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .model import Relation

FACTS_FORMAT = 1
NODE_FIELDS = ("id", "type", "plan", "parent", "label", "text", "position", "status", "status_text", "response",
               "owned", "target_dates", "target_texts", "date")
"""The columns of a node row: type, status and response as YAML spellings; ``owned`` is whether an owner is given."""
LINK_FIELDS = ("iri", "source", "relation", "target", "basis", "quote")
"""The columns of a link row (``quote`` only for duplicate-of links, the one question that prints it)."""

_TEXT = (str, type(None))
_NODE_TYPES = {"id": (str,), "type": (str,), "plan": _TEXT, "parent": _TEXT, "label": (str,), "text": _TEXT,
               "position": (int, type(None)), "status": _TEXT, "status_text": _TEXT, "response": _TEXT,
               "owned": (bool,), "target_dates": (list,), "target_texts": (list,), "date": _TEXT}
_LINK_TYPES = {"iri": (str,), "source": (str,), "relation": (str,), "target": (str,), "basis": (str,), "quote": _TEXT}


def file_facts(parsed) -> dict:
    """Return the table of one parsed data file: a row per node and per link (lists, in the field orders above)."""
    nodes = []
    for node in parsed.nodes:
        nodes.append([
            node.id, node.type.value, node.plan if node.type.value != "plan" else None,
            node.parent, node.label, node.text, node.position,
            node.status.value if node.status else None, node.status_text,
            node.response.value if node.response else None,
            any(owner.organisation or owner.text for owner in node.owners),
            [target.date for target in node.target_dates if target.date],
            [target.text for target in node.target_dates if target.text],
            node.date,
        ])
    links = [[link.iri, link.source_id, link.relation.value, link.target_id, link.basis.value,
              link.quote if link.relation is Relation.DUPLICATE_OF else None] for link in parsed.links]
    return {"format": FACTS_FORMAT, "nodes": nodes, "links": links}


def write_facts(path: Path, facts: dict) -> None:
    from .files import write_atomically

    data = json.dumps(facts, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    write_atomically(path, lambda stream: stream.write(data), sync=False)


def read_facts(path: Path) -> dict | None:
    """Return a file's table if it is one this version wrote (every row checked), else None."""
    try:
        with path.open("rb") as handle:
            facts = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    if not _valid(facts):
        return None
    return facts


def _valid(facts) -> bool:
    if not isinstance(facts, dict) or facts.get("format") != FACTS_FORMAT:
        return False
    for key, fields, types in (("nodes", NODE_FIELDS, _NODE_TYPES), ("links", LINK_FIELDS, _LINK_TYPES)):
        rows = facts.get(key)
        if not isinstance(rows, list):
            return False
        for row in rows:
            if not isinstance(row, list) or len(row) != len(fields):
                return False
            for name, value in zip(fields, row):
                if not isinstance(value, types[name]) or isinstance(value, bool) and bool not in types[name]:
                    return False
            if key == "nodes" and not all(isinstance(item, str) for item in row[11] + row[12]):
                return False
    return True


@dataclass
class Node:
    id: str
    type: str
    plan: str | None
    parent: str | None
    label: str
    text: str | None
    position: int | None
    status: str | None
    status_text: str | None
    response: str | None
    owned: bool
    target_dates: list[str]
    target_texts: list[str]
    date: str | None


@dataclass
class Link:
    iri: str
    source: str
    relation: str
    target: str
    basis: str
    quote: str | None


@dataclass
class GraphFacts:
    """Every file's table, merged: nodes by id, links as stated (a link stated in two files is one link)."""

    nodes: dict[str, Node] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    @classmethod
    def merge(cls, tables: list[dict]) -> "GraphFacts":
        merged = cls()
        seen = set()
        for table in tables:
            for row in table["nodes"]:
                merged.nodes.setdefault(row[0], Node(*row))
            for row in table["links"]:
                key = tuple(row[:5])
                if key not in seen:
                    seen.add(key)
                    merged.links.append(Link(*row))
        return merged

    def children(self) -> dict[str, list[Node]]:
        """Return each node's actions and updates (``parent``)."""
        found: dict[str, list[Node]] = {}
        for node in self.nodes.values():
            if node.parent:
                found.setdefault(node.parent, []).append(node)
        return found


def graph_facts(store) -> GraphFacts | None:
    """Return the merged tables of a store, or None when it has none (a SPARQL endpoint) or one is unusable."""
    from .store import CrossplanStore

    if not isinstance(store, CrossplanStore):
        return None
    found = store.fact_tables()
    return GraphFacts.merge(found) if found is not None else None
