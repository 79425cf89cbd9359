"""Two ways to move about the graph, for the questions that need a graph algorithm (``network``, ``duplicates``).

On the embedded store, ``StoreWalk`` looks nodes and links up in the database's own indexes (``quads_for_pattern``),
reading only what an answer needs. On a SPARQL endpoint, where each look-up would be a round trip, the questions work on
``build_projection``: a networkx MultiDiGraph of the whole graph built from a few queries. Both see the same nodes and
edges: the dependency links, and ``PART_OF`` edges from an action or update to its parent and from a recommendation to
its workstream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

from ..model.nodes import Basis, NodeType, Relation, Status
from ..model.vocabulary import CP, DCTERMS, RDF, RDFS, node_iri
from ..output import sorted_rows
from ..sparql.patterns import LINK, id_of, known_spelling
from ..stores.embedded import CrossplanStore

if TYPE_CHECKING:
    import networkx as nx
    from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

    #: a term of a stored quad, as pyoxigraph types it (RDF-star triples included)
    Term = NamedNode | BlankNode | Literal | Triple

    from ..stores.protocol import GraphStore

PART_OF = "part-of"
"""The relation name of the structural edges in the projection (action/update → parent, recommendation → workstream)."""

# The nodes, and then each optional property in a query of its own, joined here: Oxigraph answers an OPTIONAL
# row by row, which made one query with them all take 5.6 s at a million triples against 2.7 s for these.
_NODES = """SELECT ?node ?id ?type ?label WHERE {
  VALUES ?type { cp:Plan cp:Workstream cp:Recommendation cp:Action cp:Update cp:Organisation cp:Document cp:Programme }
  ?node a ?type ; dcterms:identifier ?id ; rdfs:label ?label .
}"""
_NODE_PLANS = "SELECT ?node ?plan WHERE { ?planNode a cp:Plan ; dcterms:identifier ?plan . ?node cp:inPlan ?planNode }"
_NODE_STATUSES = "SELECT ?node ?status WHERE { ?node cp:status ?status }"
_NODE_TEXTS = "SELECT ?node ?text WHERE { ?node cp:text ?text }"
_LINKS = f"SELECT DISTINCT ?source ?relation ?target ?basis ?quote WHERE {{ {LINK} }}"
_PARTS = """SELECT DISTINCT ?child ?parent WHERE {
  { ?parent cp:hasAction ?child } UNION { ?parent cp:hasUpdate ?child } UNION { ?child cp:inWorkstream ?parent }
}"""


def build_projection(store: GraphStore) -> nx.MultiDiGraph:
    """Return the graph's nodes and links as a networkx MultiDiGraph keyed by global id.

    Node attributes: ``type``, ``label``, ``plan``, ``status``, ``text``. Edge attributes: ``relation``
    (a relation spelling, or ``part-of`` from a child to its parent), ``basis`` and ``quote`` for links.
    Built afresh each time from a few whole-graph queries: the questions use it only on a SPARQL endpoint.
    """
    import networkx as nx

    graph = nx.MultiDiGraph()
    plans, statuses, texts = (
        _first_values(store, query, name)
        for query, name in ((_NODE_PLANS, "plan"), (_NODE_STATUSES, "status"), (_NODE_TEXTS, "text"))
    )
    for row in sorted_rows(store.select(_NODES), "id", "type", "label"):
        if row["id"] in graph:
            continue
        node, status = row["node"], statuses.get(row["node"])
        graph.add_node(
            row["id"],
            type=known_spelling(NodeType, row["type"]) or row["type"],
            label=row["label"],
            plan=plans.get(node),
            status=known_spelling(Status, status) or status,
            text=texts.get(node),
        )
    for row in sorted_rows(store.select(_LINKS), "source", "relation", "target"):
        source, target = id_of(row["source"]), id_of(row["target"])
        relation = known_spelling(Relation, row["relation"]) or row["relation"]
        if graph.has_edge(source, target, key=relation):
            continue
        basis = known_spelling(Basis, row["basis"]) or row["basis"]
        graph.add_edge(source, target, key=relation, relation=relation, basis=basis, quote=row["quote"])
    for row in sorted_rows(store.select(_PARTS), "child", "parent"):
        child, parent = id_of(row["child"]), id_of(row["parent"])
        if not graph.has_edge(child, parent, key=PART_OF):
            graph.add_edge(child, parent, key=PART_OF, relation=PART_OF, basis=None, quote=None)
    return graph


def _first_values(store: GraphStore, query: str, name: str) -> dict[str, str]:
    """Return each node's least value of the column ``name`` (so a node with several has the same one every run)."""
    values: dict[str, str] = {}
    for row in store.select(query):
        node, value = row["node"], row[name]
        if node not in values or value < values[node]:
            values[node] = value
    return values


def _value(term: Term) -> str:
    """The value of a stored term: the store holds IRIs, blank nodes and literals, never an RDF-star triple."""
    return cast("NamedNode | BlankNode | Literal", term).value


class StoreWalk:
    """Look-ups on the embedded store's indexes, by global id: what a node is, and which links touch it.

    Everything looked up is kept for the life of the object (one question), so a node is read once.
    """

    def __init__(self, store: CrossplanStore) -> None:
        from pyoxigraph import DefaultGraph, NamedNode

        # any stored term may be a look-up's subject here (pyoxigraph's stub wants IRIs or blank nodes)
        self._quads: Callable[..., Iterator[Quad]] = store.oxigraph.quads_for_pattern
        self._default = DefaultGraph()
        self._term = NamedNode
        self.type, self.identifier, self.label = (
            NamedNode(RDF.type),
            NamedNode(DCTERMS.identifier),
            NamedNode(RDFS.label),
        )
        self.in_plan, self.plan_type = NamedNode(CP.inPlan), NamedNode(CP.Plan)
        self.status, self.text = NamedNode(CP.status), NamedNode(CP.text)
        self.has_action, self.has_update = NamedNode(CP.hasAction), NamedNode(CP.hasUpdate)
        self.in_workstream, self.organisation = NamedNode(CP.inWorkstream), NamedNode(NodeType.ORGANISATION.term)
        self.link_type, self.link_from, self.link_to = NamedNode(CP.Link), NamedNode(CP.from_), NamedNode(CP.to)
        self.relation, self.basis_of, self.quote = NamedNode(CP.relation), NamedNode(CP.basis), NamedNode(CP.quote)
        self.relation_terms = {member.value: NamedNode(member.term) for member in Relation}
        self.node_types = NodeType.spellings_by_term()
        self._facts: dict[str, dict[str, Any]] = {}
        self._edges: dict[str, list[tuple[str, str, str]]] = {}
        self._organisations: dict[str, bool] = {}

    def node(self, global_id: str) -> NamedNode:
        return self._term(global_id if ":" in global_id else node_iri(global_id))

    def objects(self, global_id: str, predicate: NamedNode) -> list[str]:
        return [
            id_of(_value(quad.object)) for quad in self._quads(self.node(global_id), predicate, None, self._default)
        ]

    def subjects(self, predicate: NamedNode, global_id: str) -> list[str]:
        return [
            id_of(_value(quad.subject)) for quad in self._quads(None, predicate, self.node(global_id), self._default)
        ]

    def _values(self, subject: Term, predicate: NamedNode) -> list[str]:
        return [_value(quad.object) for quad in self._quads(subject, predicate, None, self._default)]

    def facts(self, global_id: str) -> dict[str, Any]:
        """Return a node's ``type``, ``label``, ``plan`` and ``status`` as the projection has them ({} if none)."""
        facts = self._facts.get(global_id)
        if facts is None:
            node = self.node(global_id)
            types = [value for value in self._values(node, self.type) if value in self.node_types]
            labels = self._values(node, self.label)
            facts = {}
            if types and labels and self._values(node, self.identifier):
                plans = [
                    plan
                    for plan_node in self._quads(node, self.in_plan, None, self._default)
                    if next(self._quads(plan_node.object, self.type, self.plan_type, self._default), None)
                    for plan in self._values(plan_node.object, self.identifier)
                ]
                status = min(self._values(node, self.status), default=None)
                facts = {
                    "type": self.node_types[min(types)],
                    "label": min(labels),
                    "plan": min(plans, default=None),
                    "status": known_spelling(Status, status) or status,
                }
            self._facts[global_id] = facts
        return facts

    def parts_of(self, global_id: str) -> list[str]:
        """Return the actions and updates of a node (and the updates of its actions)."""
        parts: list[str] = []
        frontier = [global_id]
        while frontier:
            current = frontier.pop()
            for child in self.objects(current, self.has_action) + self.objects(current, self.has_update):
                if self.facts(child).get("type") in ("action", "update") and child not in parts:
                    parts.append(child)
                    frontier.append(child)
        return sorted(parts)

    def basis(self, source: str, relation: str, target: str) -> str | None:
        """Return the basis of the link ``source relation target`` (the least, if it is stated more than once)."""
        term, wanted = self.relation_terms[relation], self.node(target)
        found: list[str] = []
        for quad in self._quads(None, self.link_from, self.node(source), self._default):
            link = quad.subject
            if next(self._quads(link, self.link_to, wanted, self._default), None) and next(
                self._quads(link, self.relation, term, self._default), None
            ):
                found += self._values(link, self.basis_of)
        if not found:
            return None
        least = min(found)
        return known_spelling(Basis, least) or least

    def is_organisation(self, global_id: str) -> bool:
        known = self._organisations.get(global_id)
        if known is None:
            known = self._organisations[global_id] = (
                next(self._quads(self.node(global_id), self.type, self.organisation, self._default), None) is not None
            )
        return known

    def edges(self, global_id: str) -> list[tuple[str, str, str]]:
        """Return the links and part-of edges (source, relation, target) that touch a node, organisations left out."""
        edges = self._edges.get(global_id)
        if edges is None:
            found: set[tuple[str, str, str]] = set()
            for relation, term in self.relation_terms.items():
                found.update((global_id, relation, other) for other in self.objects(global_id, term))
                found.update((other, relation, global_id) for other in self.subjects(term, global_id))
            found.update((global_id, PART_OF, other) for other in self.objects(global_id, self.in_workstream))
            found.update((other, PART_OF, global_id) for other in self.subjects(self.in_workstream, global_id))
            for term in (self.has_action, self.has_update):
                found.update((other, PART_OF, global_id) for other in self.objects(global_id, term))
                found.update((global_id, PART_OF, other) for other in self.subjects(term, global_id))
            edges = self._edges[global_id] = sorted(
                (a, relation, b) for a, relation, b in found if not self.is_organisation(b if a == global_id else a)
            )
        return edges

    def neighbours(self, global_id: str) -> set[str]:
        return {b if a == global_id else a for a, _relation, b in self.edges(global_id)}

    def links_between(self, first: str, second: str) -> list[tuple[str, str, str]]:
        return [(a, relation, b) for a, relation, b in self.edges(first) if {a, b} == {first, second}]

    def item_texts(self) -> dict[str, str]:
        """Return the text of every recommendation and action that has one (the least, if it has several)."""
        items = {
            quad.subject
            for kind in (NodeType.RECOMMENDATION, NodeType.ACTION)
            for quad in self._quads(None, self.type, self._term(kind.term), self._default)
        }
        texts: dict[Term, str] = {}
        for quad in self._quads(None, self.text, None, self._default):
            node = quad.subject
            if node in items:
                value = _value(quad.object)
                if node not in texts or value < texts[node]:
                    texts[node] = value
        return {id_of(_value(node)): text for node, text in texts.items() if text}
