"""Reading the store into the graph the page draws: nodes, links and structure, with plain SPARQL 1.1.

Progress updates are not drawn as nodes: they are folded, dated, into their item's record, and their links
and owners are drawn from that item ("via" the update). Links whose two ends fold into one item are kept in
that item's ``innerLinks``. A remote endpoint works as well as the local store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...model.nodes import Basis, NodeType, Relation, Response, Status, StructuralRelation
from ...model.vocabulary import CP, DCTERMS, ORG, PREFIXES, PROV, RDF, RDFS, SKOS, global_id_of
from .styles import PART_OF

if TYPE_CHECKING:
    from ...stores.protocol import GraphStore

_PREFIXES = "".join(f"PREFIX {name}: <{base}>\n" for name, base in PREFIXES.items())
_NODE_TRIPLES = (
    _PREFIXES + "SELECT ?node ?predicate ?object WHERE { ?node dcterms:identifier ?id ; ?predicate ?object }"
)
_LINKS = (
    _PREFIXES
    + """SELECT ?from ?to ?relation ?basis ?quote ?targetQuote ?note ?method ?document ?date WHERE {
  ?link a cp:Link ; cp:from ?from ; cp:to ?to ; cp:relation ?relation ; cp:basis ?basis .
  OPTIONAL { ?link cp:quote ?quote }
  OPTIONAL { ?link cp:targetQuote ?targetQuote }
  OPTIONAL { ?link skos:note ?note }
  OPTIONAL { ?link cp:method ?method }
  OPTIONAL { ?link prov:wasDerivedFrom ?document }
  OPTIONAL { ?link dcterms:date ?date }
}"""
)

_SINGLE_FIELDS = {
    DCTERMS.identifier: "id",
    RDFS.label: "name",
    DCTERMS.title: "title",
    CP.text: "text",
    CP.number: "number",
    CP.statusText: "statusText",
    CP.timescale: "timescale",
    CP.addresseeText: "addresseeText",
    CP.url: "url",
    DCTERMS.date: "date",
    DCTERMS.license: "licence",
    SKOS.note: "note",
}
_LIST_FIELDS = {
    CP.ownerText: "owners",
    CP.targetDateText: "targetDates",
    CP.targetDate: "targetDateValues",
    SKOS.altLabel: "abbreviations",
}
_REFERENCE_FIELDS = {  # object is a node: keep its global id
    CP.inPlan: "plan",
    CP.inWorkstream: "workstream",
    PROV.wasDerivedFrom: "source",
}
_STRUCTURAL = {CP.ownedBy: StructuralRelation.OWNED_BY.value, CP.addressedTo: StructuralRelation.ADDRESSED_TO.value}
_CONTAINED_BY = (ORG.subOrganizationOf, DCTERMS.isPartOf)
_TYPES = NodeType.spellings_by_term()
_RELATIONS_BY_TERM = Relation.spellings_by_term()
_BASES_BY_TERM = Basis.spellings_by_term()
_STATUSES_BY_TERM = Status.spellings_by_term()
_RESPONSES_BY_TERM = Response.spellings_by_term()


@dataclass
class StoreGraph:
    """The whole graph as read: node records by global id, the edges between them, and the folded updates."""

    nodes: dict[str, dict]
    edges: list[dict]
    updates: dict[str, dict]
    owner_of_update: dict[str, str]
    store: GraphStore | None = None  # where it was read from: the mapping of two plans is asked of the store
    mappings: dict[tuple[str, str], Any] = field(default_factory=dict)  # view.pair_mapping's, by (from, to)


def read_graph(store: GraphStore) -> StoreGraph:
    """Read every node, link and structural edge from the store (updates folded into their items)."""
    records: dict[str, dict] = {}
    types: dict[str, str] = {}
    children: list[tuple[str, str]] = []  # (parent iri, child iri) from cp:hasAction / cp:hasUpdate
    structural: list[tuple[str, str, str]] = []
    contained: list[tuple[str, str]] = []
    publishers: dict[str, set] = defaultdict(set)
    for row in store.select(_NODE_TRIPLES):
        subject, predicate, value = row["node"], row["predicate"], row["object"]
        record = records.setdefault(subject, {})
        if predicate == RDF.type:
            if value in _TYPES:
                types[subject] = _TYPES[value]
        elif predicate == CP.position:
            record.setdefault("position", int(value) if str(value).isdigit() else value)
        elif predicate in _SINGLE_FIELDS:
            record.setdefault(_SINGLE_FIELDS[predicate], value)
        elif predicate in _LIST_FIELDS:
            record.setdefault(_LIST_FIELDS[predicate], set()).add(str(value))
        elif predicate in _REFERENCE_FIELDS:
            record.setdefault(_REFERENCE_FIELDS[predicate], value)
        elif predicate == CP.response:
            record["response"] = _RESPONSES_BY_TERM.get(value)
        elif predicate == CP.status:
            record["status"] = _STATUSES_BY_TERM.get(value)
        elif predicate in (CP.hasAction, CP.hasUpdate):
            children.append((subject, value))
        elif predicate in _STRUCTURAL:
            structural.append((subject, value, _STRUCTURAL[predicate]))
        elif predicate in _CONTAINED_BY:
            contained.append((subject, value))
        elif predicate == DCTERMS.publisher:
            publishers[subject].add(value)

    ids = {iri: record["id"] for iri, record in records.items() if "id" in record and iri in types}
    nodes: dict[str, dict] = {}
    updates: dict[str, dict] = {}
    for iri, global_id in ids.items():
        record = records[iri]
        record["type"] = types[iri]
        for key in ("plan", "workstream", "source"):
            if key in record:
                record[key] = ids.get(record[key]) or global_id_of(record[key])
        for key, values in list(record.items()):
            if isinstance(values, set):
                record[key] = sorted(values)
        if iri in publishers:
            record["publishers"] = sorted(ids[p] for p in publishers[iri] if p in ids)
        if record["type"] == NodeType.UPDATE.value:
            updates[global_id] = record
        else:
            nodes[global_id] = record
    owner_of_update: dict[str, str] = {}
    for parent, child in children:
        if parent in ids and child in ids:
            child_id = ids[child]
            if child_id in updates:
                owner_of_update[child_id] = ids[parent]
            elif child_id in nodes:
                nodes[child_id]["parent"] = ids[parent]

    def shown(global_id: str | None) -> str | None:
        return owner_of_update.get(global_id, global_id) if global_id else None

    for update_id, update in sorted(updates.items(), key=lambda item: order_key(item[1])):
        owner = owner_of_update.get(update_id)
        if owner in nodes:
            nodes[owner].setdefault("updates", []).append(
                {
                    key: update[key]
                    for key in (
                        "id",
                        "title",
                        "date",
                        "text",
                        "status",
                        "statusText",
                        "owners",
                        "targetDates",
                        "targetDateValues",
                        "note",
                    )
                    if update.get(key)
                }
            )

    edges: list[dict] = []
    seen_structural = set()
    for subject, target, kind in structural:
        source_id, target_id = shown(ids.get(subject)), ids.get(target)
        if source_id in nodes and target_id in nodes and (source_id, kind, target_id) not in seen_structural:
            seen_structural.add((source_id, kind, target_id))
            edge = {"from": source_id, "to": target_id, "relation": kind, "basis": Basis.EXPLICIT.value}
            if ids.get(subject) != source_id:
                edge["fromVia"] = ids[subject]
            edges.append(edge)
    for node_id, node in nodes.items():
        container = _container_of(node, nodes)
        if container:
            edges.append({"from": node_id, "to": container, "relation": PART_OF, "basis": Basis.EXPLICIT.value})
    for subject, container in contained:
        source_id, target_id = ids.get(subject), ids.get(container)
        if source_id in nodes and target_id in nodes:
            edges.append({"from": source_id, "to": target_id, "relation": PART_OF, "basis": Basis.EXPLICIT.value})
    for row in store.select(_LINKS):
        relation, basis = _RELATIONS_BY_TERM.get(row["relation"]), _BASES_BY_TERM.get(row["basis"])
        source_id, target_id = ids.get(row["from"]), ids.get(row["to"])
        if relation is None or basis is None or source_id is None or target_id is None:
            continue
        edge = {"from": shown(source_id), "to": shown(target_id), "relation": relation, "basis": basis}
        if edge["from"] != source_id:
            edge["fromVia"] = source_id
        if edge["to"] != target_id:
            edge["toVia"] = target_id
        for key in ("quote", "targetQuote", "note", "method", "date"):
            if row.get(key):
                edge[key] = row[key]
        if row.get("document") in ids:
            edge["document"] = ids[row["document"]]
        attach_edge(edge, nodes, edges)
    return StoreGraph(nodes, edges, updates, owner_of_update, store)


def attach_edge(edge: dict, nodes: dict[str, dict], edges: list[dict]) -> None:
    """Add a link to the edges, or, when both ends fold into the same item, to that item's own list."""
    if edge["from"] not in nodes or edge["to"] not in nodes:
        return
    if edge["from"] == edge["to"]:
        nodes[edge["from"]].setdefault("innerLinks", []).append(edge)
    else:
        edges.append(edge)


def _container_of(node: dict, nodes: dict[str, dict]) -> str | None:
    kind = node["type"]
    if kind == NodeType.ACTION.value and node.get("parent") in nodes:
        return node["parent"]
    if kind == NodeType.RECOMMENDATION.value and node.get("workstream") in nodes:
        return node["workstream"]
    if (
        kind in (NodeType.RECOMMENDATION.value, NodeType.WORKSTREAM.value, NodeType.ACTION.value)
        and node.get("plan") in nodes
    ):
        return node["plan"]
    return None


def order_key(record: dict) -> tuple:
    """Sort key for records in document order: position, then date, then id."""
    position = record.get("position")
    return (position if isinstance(position, int) else 1 << 30, record.get("date") or "", record.get("id", ""))
