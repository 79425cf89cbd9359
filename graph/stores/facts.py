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

import hashlib
import json
import re
from itertools import chain
from pathlib import Path

from ..datafiles.parsed import ParsedFile
from ..files import write_atomically
from ..model.dates import due_date
from ..model.nodes import Relation
from .protocol import GraphStore

FACTS_FORMAT = 3
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
    # per item, what ``overdue`` and ``gaps`` work out from the item and its parts (all in the item's own file)
    "overdue": {
        "row": {int},
        "due": {str},
        "target": {str},
        "holder": {str},
        "target_text": _TEXT,
        "status": _TEXT,
        "status_text": _TEXT,
        "status_of": _TEXT,
    },
    "gaps": {"row": {int}, "no_owner": {bool}, "no_target": {bool}, "actions": {bool}, "family": {list}},
}
NOT_PENDING = ("complete", "removed", "not-applicable")
"""Statuses that are never overdue."""


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
    return {"format": FACTS_FORMAT, "nodes": nodes, "links": links, **_item_tables(parsed.nodes)}


def _item_tables(nodes: list) -> dict:
    """Work out per recommendation and action what ``overdue`` and ``gaps`` need: its parts are in its own file.

    ``overdue``: the latest target of the item and its updates (the end of its month or year), and the status that
    counts (its own, else its latest update's); items that are complete, removed or not applicable are left out.
    ``gaps``: for each recommendation not removed or not applicable, whether it and its parts name no owner or no
    target date, whether it has actions, and its family (itself and its parts) to look up among every file's links.
    """
    row_of = {node.id: number for number, node in enumerate(nodes)}
    plans = {node.id for node in nodes if node.type.value == "plan"}
    children: dict[str, list] = {}
    for node in nodes:
        if node.parent:
            children.setdefault(node.parent, []).append(node)
    overdue: dict[str, list] = {name: [] for name in _COLUMN_TYPES["overdue"]}
    gaps: dict[str, list] = {name: [] for name in _COLUMN_TYPES["gaps"]}
    for item in nodes:
        kind = item.type.value
        if kind not in ("recommendation", "action") or item.plan not in plans:
            continue
        updates = [child for child in children.get(item.id, []) if child.type.value == "update"]
        latest = None
        dates_of: dict[str, set[str]] = {}
        for holder in [item] + updates:
            for target in holder.target_dates:
                if not target.date:
                    continue
                try:
                    due = due_date(target.date)
                except ValueError:
                    continue
                dates_of.setdefault(holder.id, set()).add(target.date)
                if latest is None or (due, holder.id) > (latest[0], latest[2].id):
                    latest = (due, target.date, holder)
        status = item.status.value if item.status else None
        status_text, status_of = item.status_text, item.id
        if status is None:
            reports = [
                ((update.date or "", update.position or 0, update.id), update) for update in updates if update.status
            ]
            if reports:
                update = max(reports, key=lambda report: report[0])[1]
                status, status_text, status_of = update.status.value, update.status_text, update.id
            else:
                status_text, status_of = None, None
        if latest is not None and status not in NOT_PENDING:
            due, value, holder = latest
            printed = sorted({target.text for target in holder.target_dates if target.text})
            for name, cell in zip(
                overdue,
                (
                    row_of[item.id],
                    due.isoformat(),
                    value,
                    holder.id,
                    printed[0] if len(printed) == 1 and len(dates_of[holder.id]) == 1 else None,
                    status,
                    status_text,
                    status_of,
                ),
                strict=False,
            ):
                overdue[name].append(cell)
        own_status = item.status.value if item.status else None
        if kind == "recommendation" and own_status not in ("removed", "not-applicable"):
            family = [item]
            for child in children.get(item.id, []):
                family.append(child)
                if child.type.value == "action":
                    family += [update for update in children.get(child.id, []) if update.type.value == "update"]
            for name, cell in zip(
                gaps,
                (
                    row_of[item.id],
                    not any(owner.organisation or owner.text for node in family for owner in node.owners),
                    not any(target.date or target.text for node in family for target in node.target_dates),
                    any(child.type.value == "action" for child in children.get(item.id, [])),
                    [node.id for node in family],
                ),
                strict=False,
            ):
                gaps[name].append(cell)
    return {"overdue": overdue, "gaps": gaps}


def write_facts(path: Path, facts: dict) -> None:
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
    for column in (nodes["target_dates"], nodes["target_texts"], facts["gaps"]["family"]):
        if not set(map(type, chain.from_iterable(column))) <= {str}:
            return False
    count = len(nodes["id"])
    return all(0 <= row < count for key in ("overdue", "gaps") for row in facts[key]["row"])


class GraphFacts:
    """Every file's tables, concatenated column by column: ``columns`` (a row per node), ``links`` (a row per link as
    stated: a link stated in two files has two rows) and ``items`` (``overdue`` and ``gaps``: a row per item, whose
    ``row`` is its row in ``columns``). The questions read the columns they need, making no object per row."""

    def __init__(self, columns: dict[str, list], links: dict[str, list], items: dict[str, dict[str, list]]):
        self.columns = columns
        self.links = links
        self.items = items

    @classmethod
    def merge(cls, tables: list[dict]) -> GraphFacts:
        columns: dict[str, list] = {name: [] for name in NODE_FIELDS}
        links: dict[str, list] = {name: [] for name in LINK_FIELDS}
        items: dict[str, dict[str, list]] = {
            key: {name: [] for name in _COLUMN_TYPES[key]} for key in ("overdue", "gaps")
        }
        for table in tables:
            offset = len(columns["id"])
            for name in NODE_FIELDS:
                columns[name].extend(table["nodes"][name])
            for name in LINK_FIELDS:
                links[name].extend(table["links"][name])
            for key, merged in items.items():
                for name, values in table[key].items():
                    merged[name].extend([row + offset for row in values] if name == "row" else values)
        return cls(columns, links, items)

    def rows(self, *names: str):
        """Yield a tuple of the named node columns per node."""
        return zip(*(self.columns[name] for name in names), strict=False)

    def link_rows(self, *names: str):
        """Yield a tuple of the named link columns per link row."""
        return zip(*(self.links[name] for name in names), strict=False)


def graph_facts(store: GraphStore) -> GraphFacts | None:
    """Return the merged tables of a store, or None when it has none (a SPARQL endpoint) or one is unusable."""
    found = store.fact_tables()
    return GraphFacts.merge(found) if found is not None else None
