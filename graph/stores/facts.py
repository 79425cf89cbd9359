"""What the whole-graph questions read, worked out once per data file when it is built: plain JSON tables.

``duplicates``, ``overdue``, ``gaps`` and ``stats`` each need a few columns of every node (type, plan, label,
status, target dates…) and every link. Reading those columns out of the store takes seconds at a million triples
(every term is looked up in its string table), while the build already holds each file's nodes and links. So the
build writes each file's table beside its index entry, keyed by the file's content (``embedded.py``): a rebuild after
one file changes writes one table, and the others are read as they were.

The tables are data, never code: JSON checked field by field on reading, and only columns: what a row means (what is
overdue, what is a gap) is decided by the question that reads it. ``read_graph_facts`` reads the same columns over
SPARQL: what a store answers ``facts()`` with when it has no usable tables (a SPARQL server, a table missing, damaged
or of another format): the same answers, only slower.
"""

from __future__ import annotations

import hashlib
import json
import re
from itertools import chain
from pathlib import Path
from typing import Any, Protocol

from ..datafiles.parsed import ParsedFile
from ..files import read_json, write_atomically
from ..model.nodes import Basis, NodeType, Relation, Response, Status
from ..output import sorted_rows
from ..sparql.patterns import LINK, id_of, known_spelling


class Selects(Protocol):
    """What reading the tables over SPARQL needs of a store (``protocol.GraphStore`` has it)."""

    def select(self, sparql: str) -> list[dict[str, Any]]: ...


FACTS_FORMAT = 4
NODE_FIELDS = (
    "id",
    "type",
    "plan",
    "parent",
    "label",
    "text_key",
    "position",
    "status",
    "status_text",
    "response",
    "owned",
    "target_dates",
    "target_texts",
    "date",
)
"""The columns of the node table: type, status and response as YAML spellings; ``owned`` is whether an owner is
given; ``text_key`` a digest of a recommendation's or action's text with case and spacing ignored."""
LINK_FIELDS = ("iri", "source", "relation", "target", "basis", "quote")
"""The columns of the link table (``quote`` only for duplicate-of links, the one question that prints it)."""

_TEXT: set[type] = {str, type(None)}
_NUMBER: set[type] = {int, type(None)}
_COLUMN_TYPES: dict[str, dict[str, set[type]]] = {
    "nodes": {
        "id": {str},
        "type": {str},
        "plan": _TEXT,
        "parent": _TEXT,
        "label": {str},
        "text_key": _TEXT,
        "position": _NUMBER,
        "status": _TEXT,
        "status_text": _TEXT,
        "response": _TEXT,
        "owned": {bool},
        "target_dates": {list},
        "target_texts": {list},
        "date": _TEXT,
    },
    "links": {"iri": {str}, "source": {str}, "relation": {str}, "target": {str}, "basis": {str}, "quote": _TEXT},
}


def text_key(text: str) -> str:
    """Return what two texts share when they are the same but for case and spacing (a digest: tables stay small).

    >>> text_key("Find  homes") == text_key("find homes ")
    True
    """
    normal = re.sub(r"\s+", " ", text).strip().casefold()
    return hashlib.blake2b(normal.encode("utf-8"), digest_size=12).hexdigest()


def file_facts(parsed: ParsedFile) -> dict:
    """Return the tables of one parsed data file: a column per field, a row per node and per link."""
    nodes: dict[str, list] = {name: [] for name in NODE_FIELDS}
    for node in parsed.nodes:
        kind = node.type.value
        row = (
            node.id,
            kind,
            node.plan if kind != "plan" else None,
            node.parent,
            node.label,
            text_key(node.text) if node.text and kind in ("recommendation", "action") else None,
            node.position,
            node.status.value if node.status else None,
            node.status_text,
            node.response.value if node.response else None,
            any(bool(owner.organisation or owner.text) for owner in node.owners),
            [target.date for target in node.target_dates if target.date],
            [target.text for target in node.target_dates if target.text],
            node.date,
        )
        for name, value in zip(NODE_FIELDS, row, strict=False):
            nodes[name].append(value)
    links: dict[str, list] = {name: [] for name in LINK_FIELDS}
    for link in parsed.links:
        link_row = (
            link.iri,
            link.source_id,
            link.relation.value,
            link.target_id,
            link.basis.value,
            link.quote if link.relation is Relation.DUPLICATE_OF else None,
        )
        for name, value in zip(LINK_FIELDS, link_row, strict=False):
            links[name].append(value)
    return {"format": FACTS_FORMAT, "nodes": nodes, "links": links}


def write_facts(path: Path, facts: dict) -> None:
    data = json.dumps(facts, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    write_atomically(path, lambda stream: stream.write(data), sync=False)


def read_facts(path: Path) -> dict | None:
    """Return a file's table if it is one this version wrote (every row checked), else None."""
    facts = read_json(path)
    if not _valid(facts):
        return None
    return facts


def _valid(facts) -> bool:
    if not isinstance(facts, dict) or facts.get("format") != FACTS_FORMAT:
        return False
    for key, types in _COLUMN_TYPES.items():
        table = facts.get(key)
        if not isinstance(table, dict) or set(table) != set(types):
            return False
        lengths = set()
        for name, allowed in types.items():
            column = table[name]
            if not isinstance(column, list) or not set(map(type, column)) <= allowed:
                return False
            lengths.add(len(column))
        if len(lengths) > 1:
            return False
    nodes = facts["nodes"]
    return all(
        set(map(type, chain.from_iterable(column))) <= {str}
        for column in (nodes["target_dates"], nodes["target_texts"])
    )


class GraphFacts:
    """The whole graph's tables, column by column: ``columns`` (a row per node as a file defines it) and ``links`` (a
    row per link as stated: a link stated in two files has two rows). The questions read the columns they need,
    making no object per row; what the rows mean (what is overdue, what is a gap) is theirs to say."""

    def __init__(self, columns: dict[str, list], links: dict[str, list]):
        self.columns = columns
        self.links = links

    @classmethod
    def merge(cls, tables: list[dict]) -> GraphFacts:
        """Concatenate the tables of every file."""
        columns: dict[str, list] = {name: [] for name in NODE_FIELDS}
        links: dict[str, list] = {name: [] for name in LINK_FIELDS}
        for table in tables:
            for name in NODE_FIELDS:
                columns[name].extend(table["nodes"][name])
            for name in LINK_FIELDS:
                links[name].extend(table["links"][name])
        return cls(columns, links)

    def rows(self, *names: str):
        """Yield a tuple of the named node columns per node."""
        return zip(*(self.columns[name] for name in names), strict=False)

    def link_rows(self, *names: str):
        """Yield a tuple of the named link columns per link row."""
        return zip(*(self.links[name] for name in names), strict=False)


# The same columns read over SPARQL: the nodes, then each optional property in a query of its own, joined here
# (Oxigraph answers an OPTIONAL row by row, and a server answers a few whole-graph queries faster than many small).
_NODES = """SELECT ?node ?id ?type ?label WHERE {
  VALUES ?type { cp:Plan cp:Workstream cp:Recommendation cp:Action cp:Update cp:Organisation cp:Document cp:Programme }
  ?node a ?type ; dcterms:identifier ?id ; rdfs:label ?label .
}"""
_VALUES = {
    "plan": "SELECT ?node ?value WHERE { ?planNode a cp:Plan ; dcterms:identifier ?value . ?node cp:inPlan ?planNode }",
    "parent": """SELECT ?node ?value WHERE {
  { ?parentNode cp:hasAction ?node } UNION { ?parentNode cp:hasUpdate ?node }
  ?parentNode dcterms:identifier ?value }""",
    "text": "SELECT ?node ?value WHERE { ?node cp:text ?value }",
    "position": "SELECT ?node ?value WHERE { ?node cp:position ?value }",
    "status": "SELECT ?node ?value WHERE { ?node cp:status ?value }",
    "status_text": "SELECT ?node ?value WHERE { ?node cp:statusText ?value }",
    "response": "SELECT ?node ?value WHERE { ?node cp:response ?value }",
    "date": "SELECT ?node ?value WHERE { ?node dcterms:date ?value }",
}
_MANY = {
    "owned": "SELECT DISTINCT ?node WHERE { { ?node cp:ownedBy ?value } UNION { ?node cp:ownerText ?value } }",
    "target_dates": "SELECT DISTINCT ?node ?value WHERE { ?node cp:targetDate ?value }",
    "target_texts": "SELECT DISTINCT ?node ?value WHERE { ?node cp:targetDateText ?value }",
}
_LINKS = f"SELECT DISTINCT ?link ?source ?relation ?target ?basis ?quote WHERE {{ {LINK} }}"


def read_graph_facts(store: Selects) -> GraphFacts:
    """Return the tables of a graph read over SPARQL: what a store without usable per-file tables answers with
    (a SPARQL server, a damaged cache). A node's single-valued columns take its least value if it has several."""
    values = {name: _least_values(store, query) for name, query in _VALUES.items()}
    owned = {row["node"] for row in store.select(_MANY["owned"])}
    many: dict[str, dict[str, list[str]]] = {"target_dates": {}, "target_texts": {}}
    for name, found in many.items():
        for row in sorted_rows(store.select(_MANY[name]), "node", "value"):
            found.setdefault(row["node"], []).append(row["value"])
    columns: dict[str, list] = {name: [] for name in NODE_FIELDS}
    seen: set[str] = set()
    for row in sorted_rows(store.select(_NODES), "id", "type", "label"):
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        node, kind = row["node"], known_spelling(NodeType, row["type"]) or row["type"]
        text = values["text"].get(node)
        status, response = values["status"].get(node), values["response"].get(node)
        cells = {
            "id": row["id"],
            "type": kind,
            "plan": values["plan"].get(node) if kind != "plan" else None,
            "parent": values["parent"].get(node),
            "label": row["label"],
            "text_key": text_key(text) if text and kind in ("recommendation", "action") else None,
            "position": values["position"].get(node),
            "status": known_spelling(Status, status) or status,
            "status_text": values["status_text"].get(node),
            "response": known_spelling(Response, response) or response,
            "owned": node in owned,
            "target_dates": many["target_dates"].get(node, []),
            "target_texts": many["target_texts"].get(node, []),
            "date": values["date"].get(node),
        }
        for name in NODE_FIELDS:
            columns[name].append(cells[name])
    links: dict[str, list] = {name: [] for name in LINK_FIELDS}
    for row in sorted_rows(store.select(_LINKS), "source", "relation", "target", "link"):
        relation = known_spelling(Relation, row["relation"]) or row["relation"]
        cells = {
            "iri": row["link"],
            "source": id_of(row["source"]),
            "relation": relation,
            "target": id_of(row["target"]),
            "basis": known_spelling(Basis, row["basis"]) or row["basis"],
            "quote": row["quote"] if relation == Relation.DUPLICATE_OF.value else None,
        }
        for name in LINK_FIELDS:
            links[name].append(cells[name])
    return GraphFacts(columns, links)


def _least_values(store: Selects, query: str) -> dict[str, Any]:
    """Return each node's least ``?value`` (so a node with several has the same one every run)."""
    values: dict[str, Any] = {}
    for row in store.select(query):
        node, value = row["node"], row["value"]
        if node not in values or value < values[node]:
            values[node] = value
    return values
