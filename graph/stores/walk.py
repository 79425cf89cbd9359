"""Moving along the graph's links from node to node, for the questions that follow chains (``impact``, ``path``).

``Walk`` is what a question may ask: what a node is (``about``), its actions and updates (``parts_of``), the nodes one
relation leads to or from (``targets``, ``sources``), a link's basis, and every link or part-of edge touching a node
(``edges``, organisations left out). ``GraphWalk`` answers from the whole graph's tables read once (the generic way,
``BaseStore.walk``: on a SPARQL server each step would otherwise be a round trip); ``IndexWalk`` looks each node up in
the embedded store's own indexes (``quads_for_pattern``), reading only what an answer needs. Both see the same nodes
and edges: the dependency links, and ``PART_OF`` edges from an action or update to its parent and from a
recommendation to its workstream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, cast

from ..model.nodes import Basis, NodeType, Relation, Status
from ..model.vocabulary import CP, DCTERMS, RDF, RDFS, node_iri
from ..sparql.patterns import id_of, known_spelling

if TYPE_CHECKING:
    from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, Triple

    from .facts import GraphFacts, Selects

    #: a term of a stored quad, as pyoxigraph types it (RDF-star triples included)
    Term = NamedNode | BlankNode | Literal | Triple

PART_OF = "part-of"
"""The relation name of the structural edges (action/update → parent, recommendation → workstream)."""

#: an edge as (source, relation, target): a relation spelling, or ``part-of`` from a child to its parent
Edge = tuple[str, str, str]


class Walk(Protocol):
    """Look-ups by global id along the graph's links (see the module's docstring); each is kept for the object's life.

    ``about`` gives a node's ``type``, ``label``, ``plan`` and ``status`` ({} for no such node); ``parts_of`` its
    actions and updates (and its actions' updates), sorted; ``basis`` the least basis of a link stated more than once,
    or None; ``edges`` the sorted (source, relation, target) touching a node, organisations left out.
    """

    def about(self, node: str) -> dict[str, Any]: ...
    def parts_of(self, node: str) -> list[str]: ...
    def targets(self, node: str, relation: str) -> list[str]: ...
    def sources(self, relation: str, node: str) -> list[str]: ...
    def basis(self, source: str, relation: str, target: str) -> str | None: ...
    def is_organisation(self, node: str) -> bool: ...
    def edges(self, node: str) -> list[Edge]: ...


def neighbours(walk: Walk, node: str) -> set[str]:
    """Return the nodes one edge away from a node (either direction)."""
    return {b if a == node else a for a, _relation, b in walk.edges(node)}


def links_between(walk: Walk, first: str, second: str) -> list[Edge]:
    """Return the edges joining two nodes."""
    return [(a, relation, b) for a, relation, b in walk.edges(first) if {a, b} == {first, second}]


_WORKSTREAMS = "SELECT DISTINCT ?child ?parent WHERE { ?child cp:inWorkstream ?parent }"


def workstreams(store: Selects) -> list[tuple[str, str]]:
    """Return (recommendation, workstream) for every recommendation placed in a workstream."""
    return [(id_of(row["child"]), id_of(row["parent"])) for row in store.select(_WORKSTREAMS)]


class GraphWalk:
    """A walk over the whole graph's tables held in memory: nodes from ``facts``, links and part-of edges."""

    def __init__(self, facts: GraphFacts, workstream_links: list[tuple[str, str]]) -> None:
        self._about: dict[str, dict[str, Any]] = {}
        for node, kind, label, plan, status in facts.rows("id", "type", "label", "plan", "status"):
            self._about.setdefault(node, {"type": kind, "label": label, "plan": plan, "status": status})
        self._edges: dict[str, set[Edge]] = {}
        self._bases: dict[Edge, str] = {}
        for source, relation, target, basis in facts.link_rows("source", "relation", "target", "basis"):
            self._add((source, relation, target))
            edge = (source, relation, target)
            if edge not in self._bases or basis < self._bases[edge]:
                self._bases[edge] = basis
        for child, parent, kind in facts.rows("id", "parent", "type"):
            if parent and kind in ("action", "update"):
                self._add((child, PART_OF, parent))
        for child, parent in workstream_links:
            self._add((child, PART_OF, parent))

    def _add(self, edge: Edge) -> None:
        self._edges.setdefault(edge[0], set()).add(edge)
        self._edges.setdefault(edge[2], set()).add(edge)

    def about(self, node: str) -> dict[str, Any]:
        return self._about.get(node, {})

    def parts_of(self, node: str) -> list[str]:
        parts: list[str] = []
        frontier = [node]
        while frontier:
            current = frontier.pop()
            for child, relation, parent in self._edges.get(current, ()):
                if (
                    relation == PART_OF
                    and parent == current
                    and self.about(child).get("type") in ("action", "update")
                    and child not in parts
                ):
                    parts.append(child)
                    frontier.append(child)
        return sorted(parts)

    def targets(self, node: str, relation: str) -> list[str]:
        return [b for a, kind, b in self._edges.get(node, ()) if a == node and kind == relation]

    def sources(self, relation: str, node: str) -> list[str]:
        return [a for a, kind, b in self._edges.get(node, ()) if b == node and kind == relation]

    def basis(self, source: str, relation: str, target: str) -> str | None:
        return self._bases.get((source, relation, target))

    def is_organisation(self, node: str) -> bool:
        return self.about(node).get("type") == NodeType.ORGANISATION.value

    def edges(self, node: str) -> list[Edge]:
        return sorted(
            (a, relation, b)
            for a, relation, b in self._edges.get(node, ())
            if not self.is_organisation(b if a == node else a)
        )


def _value(term: Term) -> str:
    """The value of a stored term: the store holds IRIs, blank nodes and literals, never an RDF-star triple."""
    return cast("NamedNode | BlankNode | Literal", term).value


class IndexWalk:
    """A walk on the embedded store's indexes (its default graph): each node's quads read when first asked for."""

    def __init__(self, store: Store) -> None:
        from pyoxigraph import DefaultGraph, NamedNode

        # any stored term may be a look-up's subject here (pyoxigraph's stub wants IRIs or blank nodes)
        self._quads: Callable[..., Iterator[Quad]] = store.quads_for_pattern
        self._default = DefaultGraph()
        self._term = NamedNode
        self.type, self.identifier, self.label = (
            NamedNode(RDF.type),
            NamedNode(DCTERMS.identifier),
            NamedNode(RDFS.label),
        )
        self.in_plan, self.plan_type = NamedNode(CP.inPlan), NamedNode(CP.Plan)
        self.status = NamedNode(CP.status)
        self.has_action, self.has_update = NamedNode(CP.hasAction), NamedNode(CP.hasUpdate)
        self.in_workstream, self.organisation = NamedNode(CP.inWorkstream), NamedNode(NodeType.ORGANISATION.term)
        self.link_from, self.link_to = NamedNode(CP.from_), NamedNode(CP.to)
        self.relation, self.basis_of = NamedNode(CP.relation), NamedNode(CP.basis)
        self.relation_terms = {member.value: NamedNode(member.term) for member in Relation}
        self.node_types = NodeType.spellings_by_term()
        self._about: dict[str, dict[str, Any]] = {}
        self._edges: dict[str, list[Edge]] = {}
        self._organisations: dict[str, bool] = {}

    def _node(self, global_id: str) -> NamedNode:
        return self._term(global_id if ":" in global_id else node_iri(global_id))

    def _objects(self, global_id: str, predicate: NamedNode) -> list[str]:
        return [
            id_of(_value(quad.object)) for quad in self._quads(self._node(global_id), predicate, None, self._default)
        ]

    def _subjects(self, predicate: NamedNode, global_id: str) -> list[str]:
        return [
            id_of(_value(quad.subject)) for quad in self._quads(None, predicate, self._node(global_id), self._default)
        ]

    def _values(self, subject: Term, predicate: NamedNode) -> list[str]:
        return [_value(quad.object) for quad in self._quads(subject, predicate, None, self._default)]

    def targets(self, node: str, relation: str) -> list[str]:
        return self._objects(node, self.relation_terms[relation])

    def sources(self, relation: str, node: str) -> list[str]:
        return self._subjects(self.relation_terms[relation], node)

    def about(self, node: str) -> dict[str, Any]:
        about = self._about.get(node)
        if about is None:
            subject = self._node(node)
            types = [value for value in self._values(subject, self.type) if value in self.node_types]
            labels = self._values(subject, self.label)
            about = {}
            if types and labels and self._values(subject, self.identifier):
                plans = [
                    plan
                    for plan_node in self._quads(subject, self.in_plan, None, self._default)
                    if next(self._quads(plan_node.object, self.type, self.plan_type, self._default), None)
                    for plan in self._values(plan_node.object, self.identifier)
                ]
                status = min(self._values(subject, self.status), default=None)
                about = {
                    "type": self.node_types[min(types)],
                    "label": min(labels),
                    "plan": min(plans, default=None),
                    "status": known_spelling(Status, status) or status,
                }
            self._about[node] = about
        return about

    def parts_of(self, node: str) -> list[str]:
        parts: list[str] = []
        frontier = [node]
        while frontier:
            current = frontier.pop()
            for child in self._objects(current, self.has_action) + self._objects(current, self.has_update):
                if self.about(child).get("type") in ("action", "update") and child not in parts:
                    parts.append(child)
                    frontier.append(child)
        return sorted(parts)

    def basis(self, source: str, relation: str, target: str) -> str | None:
        term, wanted = self.relation_terms[relation], self._node(target)
        found: list[str] = []
        for quad in self._quads(None, self.link_from, self._node(source), self._default):
            link = quad.subject
            if next(self._quads(link, self.link_to, wanted, self._default), None) and next(
                self._quads(link, self.relation, term, self._default), None
            ):
                found += self._values(link, self.basis_of)
        if not found:
            return None
        least = min(found)
        return known_spelling(Basis, least) or least

    def is_organisation(self, node: str) -> bool:
        known = self._organisations.get(node)
        if known is None:
            known = self._organisations[node] = (
                next(self._quads(self._node(node), self.type, self.organisation, self._default), None) is not None
            )
        return known

    def edges(self, node: str) -> list[Edge]:
        edges = self._edges.get(node)
        if edges is None:
            found: set[Edge] = set()
            for relation, term in self.relation_terms.items():
                found.update((node, relation, other) for other in self._objects(node, term))
                found.update((other, relation, node) for other in self._subjects(term, node))
            found.update((node, PART_OF, other) for other in self._objects(node, self.in_workstream))
            found.update((other, PART_OF, node) for other in self._subjects(self.in_workstream, node))
            for term in (self.has_action, self.has_update):
                found.update((other, PART_OF, node) for other in self._objects(node, term))
                found.update((node, PART_OF, other) for other in self._subjects(term, node))
            edges = self._edges[node] = sorted(
                (a, relation, b) for a, relation, b in found if not self.is_organisation(b if a == node else a)
            )
        return edges
