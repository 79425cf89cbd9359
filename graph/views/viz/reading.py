"""Reading the store into the graph the page draws: nodes, links and structure, with plain SPARQL 1.1.

Progress updates are not drawn as nodes: they are folded, dated, into their item's record, and their links
and owners are drawn from that item ("via" the update). Links whose two ends fold into one item are kept in
that item's ``innerLinks``. A remote endpoint works as well as the local store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...model.nodes import Basis, NodeType, Relation, Response, Status, StructuralRelation
from ...model.vocabulary import CP, DCTERMS, ORG, PREFIXES, PROV, RDF, RDFS, SKOS, global_id_of, node_iri
from ...sparql.patterns import node_term, variable
from ...sparql.text import sparql_term
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

_LINK_COLUMNS = ("from", "to", "relation", "basis", "quote", "targetQuote", "note", "method", "document", "date")
# What ``read_pair`` reads: every plan node; one plan's own nodes; the links with an end in one plan (an item of it,
# or the plan itself: the whole link pattern sits in each branch, as in questions/mapping.py); the nodes one hop away
# (NODES: their IRIs), each with the item it is an action or update of.
_PLAN_NODE_TRIPLES = (
    _PREFIXES
    + "SELECT ?node ?predicate ?object WHERE { ?node a cp:Plan ; dcterms:identifier ?id ; ?predicate ?object }"
)
_IN_PLAN_TRIPLES = (
    _PREFIXES
    + "SELECT ?plan ?node ?predicate ?object WHERE { ?node cp:inPlan ?plan ; dcterms:identifier ?id ; ?predicate ?object }"
)
_LINK_PATTERN = """?link a cp:Link ; cp:from ?from ; cp:to ?to ; cp:relation ?relation ; cp:basis ?basis ."""
_PLAN_LINKS = (
    _PREFIXES
    + f"""SELECT DISTINCT ?plan ?link ?from ?to ?relation ?basis ?quote ?targetQuote ?note ?method ?document ?date WHERE {{
  {{ ?from cp:inPlan ?plan . {_LINK_PATTERN} }} UNION {{ ?to cp:inPlan ?plan . {_LINK_PATTERN} }}
  UNION {{ ?link cp:from ?plan . {_LINK_PATTERN} }} UNION {{ ?link cp:to ?plan . {_LINK_PATTERN} }}
  OPTIONAL {{ ?link cp:quote ?quote }}
  OPTIONAL {{ ?link cp:targetQuote ?targetQuote }}
  OPTIONAL {{ ?link skos:note ?note }}
  OPTIONAL {{ ?link cp:method ?method }}
  OPTIONAL {{ ?link prov:wasDerivedFrom ?document }}
  OPTIONAL {{ ?link dcterms:date ?date }}
}}"""
)
_PLAN_LINK_COLUMNS = ("link", *_LINK_COLUMNS)
# (two queries: Oxigraph plans a UNION of two VALUES blocks as a scan of the whole store)
_NEIGHBOUR_TRIPLES = (
    _PREFIXES
    + "SELECT ?node ?predicate ?object WHERE { VALUES ?node { NODES } ?node dcterms:identifier ?id ; ?predicate ?object }"
)
_NEIGHBOUR_PARENT_TRIPLES = (
    _PREFIXES
    + """SELECT ?node ?predicate ?object WHERE {
  VALUES ?child { NODES } ?node cp:hasAction|cp:hasUpdate ?child . ?node dcterms:identifier ?id ; ?predicate ?object
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
_REFERENCES = {
    *_REFERENCE_FIELDS,
    *_STRUCTURAL,
    *_CONTAINED_BY,
    DCTERMS.publisher,
    *Relation.spellings_by_term(),
}
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
    return _assemble(store, lambda: store.select(_NODE_TRIPLES), lambda: store.select(_LINKS))


def read_pair(store: GraphStore, plans: Iterable[str], also: Iterable[str] = ()) -> StoreGraph:
    """Read some plans and what is one hop from them: what the mapping of two plans draws, at the cost of those plans.

    The graph holds every node of ``plans`` (plan, workstreams, recommendations, actions; updates folded) as
    ``read_graph`` records it, every link with an end among them, the nodes at the other end of those links and of
    their own references (organisations, documents, items of other plans, with the item an update or action there
    belongs to), and every plan node (so that titles, sources and an unknown plan's did-you-mean read as in the whole
    graph). ``also``: global ids of further nodes to read with their neighbourhood's first step (the ends of links to
    draw that are not in the store). The records of the plans' nodes and the edges that touch them are those of
    ``read_graph``; edges between two nodes outside the plans are left out.
    """
    plans = list(dict.fromkeys(plans))
    triples: dict[tuple, None] = {}
    for row in store.select(_PLAN_NODE_TRIPLES):
        triples[(row["node"], row["predicate"], row["object"])] = None
    links: dict[tuple, dict] = {}
    for plan in plans:
        for row in store.select(_IN_PLAN_TRIPLES, {variable("plan"): node_term(plan)}):
            triples[(row["node"], row["predicate"], row["object"])] = None
        for row in store.select(_PLAN_LINKS, {variable("plan"): node_term(plan)}):
            links.setdefault(tuple(row.get(name) for name in _PLAN_LINK_COLUMNS), row)
    read = {subject for subject, _predicate, _object in triples}
    pair_nodes = read - {subject for subject, predicate, value in triples if predicate == RDF.type and value == CP.Plan}
    pair_nodes |= {node_iri(plan) for plan in plans}
    wanted = {value for subject, predicate, value in triples if subject in pair_nodes and predicate in _REFERENCES}
    for row in links.values():
        wanted.update(value for value in (row["from"], row["to"], row["document"]) if value)
    wanted |= {node_iri(global_id) for global_id in also}
    wanted = {value for value in wanted - read if isinstance(value, str) and global_id_of(value)}
    if wanted:
        terms = " ".join(sparql_term(node_term(str(global_id_of(value)))) for value in sorted(wanted))
        for query in (_NEIGHBOUR_TRIPLES, _NEIGHBOUR_PARENT_TRIPLES):
            for row in store.select(query.replace("NODES", terms)):
                triples[(row["node"], row["predicate"], row["object"])] = None
    node_rows = [{"node": node, "predicate": predicate, "object": value} for node, predicate, value in triples]
    return _assemble(store, lambda: node_rows, lambda: list(links.values()))


def _assemble(
    store: GraphStore, node_rows: Callable[[], Iterable[dict]], link_rows: Callable[[], Iterable[dict]]
) -> StoreGraph:
    """Make the graph of node triples (``?node ?predicate ?object``) and link rows (the columns of ``_LINKS``).

    Each is asked for when it is read, so that the whole graph's node rows are let go before its links are read.
    """
    records: dict[str, dict] = {}
    types: dict[str, str] = {}
    children: list[tuple[str, str]] = []  # (parent iri, child iri) from cp:hasAction / cp:hasUpdate
    structural: list[tuple[str, str, str]] = []
    contained: list[tuple[str, str]] = []
    publishers: dict[str, set] = defaultdict(set)
    for row in node_rows():
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
    for row in link_rows():
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
    for node in nodes.values():  # in a fixed order, whatever order the store answered in
        if "innerLinks" in node:
            node["innerLinks"].sort(key=edge_order)
    return StoreGraph(nodes, edges, updates, owner_of_update, store)


_EDGE_FIELDS = ("from", "to", "relation", "basis", "fromVia", "toVia", "quote", "targetQuote", "note", "method")


def edge_order(edge: dict) -> tuple:
    """Sort key of an edge by every field: which of two like links is kept does not hang on the store's order."""
    return tuple(str(edge.get(name) or "") for name in (*_EDGE_FIELDS, "document", "date"))


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
