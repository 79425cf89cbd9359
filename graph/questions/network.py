"""Graph algorithms: impact, paths and duplicate groups.

On the embedded store they walk the database's own indexes (``quads_for_pattern``), reading only what the answer
needs: ``impact`` is a breadth-first search from the item, ``path`` searches outward from both ends only as far as
the chains it may return can reach, and ``duplicates`` reads the duplicate-of links and the texts of
recommendations and actions (from the per-file tables of ``graph/facts.py`` when the store has them). On a SPARQL
endpoint, where each look-up would be a round trip, they work on a networkx projection of the whole graph built
from a few queries (``build_projection``). Both give the same answers (``tests/test_answers.py`` checks them
against answers captured before the walk existed).

- ``find_impact(store, id, direction, depth)``: what an item feeds into (downstream) or is fed by (upstream);
- ``find_paths(store, a, b)``: the chains of links that connect two nodes, shortest first;
- ``find_duplicate_groups(store)``: groups of items that duplicate each other, within and across plans.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from itertools import pairwise

from ..errors import CrossplanError
from ..model.nodes import Basis, NodeType, Relation, Status
from ..model.vocabulary import CP, DCTERMS, RDF, RDFS, global_id_of, node_iri
from ..output import render_csv, render_json, render_table, sorted_rows, terminal_width
from ..stores.embedded import CrossplanStore
from ..stores.facts import graph_facts, text_key

IMPACT_RELATIONS = ("feeds-into", "delegated-to")
"""The relations along which work flows: A feeds into B, A is taken forward by B."""

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
_LINKS = """SELECT DISTINCT ?source ?relation ?target ?basis ?quote WHERE {
  ?link a cp:Link ; cp:from ?source ; cp:to ?target ; cp:relation ?relation ; cp:basis ?basis ; cp:quote ?quote .
}"""
_PARTS = """SELECT DISTINCT ?child ?parent WHERE {
  { ?parent cp:hasAction ?child } UNION { ?parent cp:hasUpdate ?child } UNION { ?child cp:inWorkstream ?parent }
}"""


def _spelling(enum, iri):
    if iri is None:
        return None
    try:
        return enum.from_term(iri).value
    except ValueError:
        return iri


def _id(iri: str) -> str:
    found = global_id_of(iri)
    return found if found is not None else iri


def build_projection(store):
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
        node = row["node"]
        graph.add_node(
            row["id"],
            type=_spelling(NodeType, row["type"]),
            label=row["label"],
            plan=plans.get(node),
            status=_spelling(Status, statuses.get(node)),
            text=texts.get(node),
        )
    for row in sorted_rows(store.select(_LINKS), "source", "relation", "target"):
        source, target, relation = _id(row["source"]), _id(row["target"]), _spelling(Relation, row["relation"])
        if graph.has_edge(source, target, key=relation):
            continue
        graph.add_edge(
            source, target, key=relation, relation=relation, basis=_spelling(Basis, row["basis"]), quote=row["quote"]
        )
    for row in sorted_rows(store.select(_PARTS), "child", "parent"):
        child, parent = _id(row["child"]), _id(row["parent"])
        if not graph.has_edge(child, parent, key=PART_OF):
            graph.add_edge(child, parent, key=PART_OF, relation=PART_OF, basis=None, quote=None)
    return graph


def _first_values(store, query: str, name: str) -> dict[str, str]:
    """Return each node's least value of the column ``name`` (so a node with several has the same one every run)."""
    values: dict[str, str] = {}
    for row in store.select(query):
        node, value = row["node"], row[name]
        if node not in values or value < values[node]:
            values[node] = value
    return values


class _Walk:
    """Look-ups on the embedded store's indexes, by global id: what a node is, and which links touch it.

    Everything looked up is kept for the life of the object (one question), so a node is read once.
    """

    def __init__(self, store: CrossplanStore):
        from pyoxigraph import DefaultGraph, NamedNode

        self._quads = store.oxigraph.quads_for_pattern
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
        self.node_types = {member.term: member.value for member in NodeType}
        self._facts: dict[str, dict] = {}
        self._edges: dict[str, list[tuple[str, str, str]]] = {}
        self._organisations: dict[str, bool] = {}

    def node(self, global_id: str):
        return self._term(global_id if ":" in global_id else node_iri(global_id))

    def objects(self, global_id: str, predicate) -> list[str]:
        return [_id(quad.object.value) for quad in self._quads(self.node(global_id), predicate, None, self._default)]

    def subjects(self, predicate, global_id: str) -> list[str]:
        return [_id(quad.subject.value) for quad in self._quads(None, predicate, self.node(global_id), self._default)]

    def _values(self, subject, predicate) -> list[str]:
        return [quad.object.value for quad in self._quads(subject, predicate, None, self._default)]

    def facts(self, global_id: str) -> dict:
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
                statuses = self._values(node, self.status)
                facts = {
                    "type": self.node_types[min(types)],
                    "label": min(labels),
                    "plan": min(plans, default=None),
                    "status": _spelling(Status, min(statuses, default=None)),
                }
            self._facts[global_id] = facts
        return facts

    def member(self, global_id: str) -> DuplicateMember:
        facts = self.facts(global_id)
        return DuplicateMember(global_id, facts.get("type"), facts.get("plan"), facts.get("label"), facts.get("status"))

    def parts_of(self, global_id: str) -> list[str]:
        """Return the actions and updates of a node (and the updates of its actions)."""
        parts, frontier = [], [global_id]
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
        found = []
        for quad in self._quads(None, self.link_from, self.node(source), self._default):
            link = quad.subject
            if next(self._quads(link, self.link_to, wanted, self._default), None) and next(
                self._quads(link, self.relation, term, self._default), None
            ):
                found += self._values(link, self.basis_of)
        return _spelling(Basis, min(found)) if found else None

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
            found = set()
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
        texts: dict = {}
        for quad in self._quads(None, self.text, None, self._default):
            node = quad.subject
            if node in items:
                value = quad.object.value
                if node not in texts or value < texts[node]:
                    texts[node] = value
        return {_id(node.value): text for node, text in texts.items() if text}


def _resolve(store, text: str) -> str:
    from .ids import resolve_id

    return resolve_id(store, text)


def _label(graph, node: str) -> str | None:
    return graph.nodes[node].get("label") if node in graph else None


def _parts_of(graph, node: str) -> list[str]:
    """Return the actions and updates of a node (and the updates of its actions)."""
    parts, frontier = [], [node]
    while frontier:
        current = frontier.pop()
        for child, _parent, relation in graph.in_edges(current, keys=True):
            if relation == PART_OF and graph.nodes[child].get("type") in ("action", "update") and child not in parts:
                parts.append(child)
                frontier.append(child)
    return sorted(parts)


# -- impact -----------------------------------------------------------------------------------------


@dataclass
class ImpactItem:
    """A node reached from the start, ``distance`` links away; ``via`` is the node it was reached from."""

    id: str
    type: str | None
    label: str | None
    plan: str | None
    distance: int
    via: str
    relation: str
    basis: str | None


@dataclass
class Impact:
    """What an item feeds into (``downstream``) or is fed by (``upstream``), transitively."""

    id: str
    label: str | None
    direction: str
    depth: int | None
    relations: list[str]
    starts: list[str]
    items: list[ImpactItem] = field(default_factory=list)


def find_impact(
    store,
    node_id: str,
    direction: str = "downstream",
    depth: int | None = None,
    relations: tuple[str, ...] = IMPACT_RELATIONS,
) -> Impact:
    """Return what ``node_id`` feeds into (``downstream``) or is fed by (``upstream``), up to ``depth`` links away.

    Work flows along ``relations`` (feeds-into and delegated-to by default). The links of the item's own
    actions and updates count as the item's. Ordered by distance, then id; ``depth`` None means no limit.
    """
    if direction not in ("downstream", "upstream"):
        raise CrossplanError(f"direction must be downstream or upstream, not '{direction}'")
    if depth is not None and depth < 1:
        raise CrossplanError("--depth must be 1 or more")
    unknown = sorted(set(relations) - set(Relation.spellings()))
    if unknown:
        raise CrossplanError(f"unknown relation '{unknown[0]}' (one of: {', '.join(Relation.spellings())})")
    global_id = _resolve(store, node_id)
    if isinstance(store, CrossplanStore):
        return _walk_impact(_Walk(store), global_id, direction, depth, relations)
    return _impact_on_projection(store, global_id, direction, depth, relations)


def _walk_impact(walk: _Walk, global_id: str, direction: str, depth: int | None, relations) -> Impact:
    """Breadth-first search from the item and its parts, one index look-up per node and relation."""
    terms = [(walk.relation_terms[relation], relation) for relation in sorted(relations)]
    starts = [global_id] + walk.parts_of(global_id)
    impact = Impact(global_id, walk.facts(global_id).get("label"), direction, depth, list(relations), starts[1:])
    visited = set(starts)
    layer = list(dict.fromkeys(starts))
    steps = 0
    while layer:
        steps += 1
        if depth is not None and steps > depth:
            break
        reached: dict[str, dict[str, str]] = {}  # node -> {node of the previous layer: least relation to it}
        for node in layer:
            for term, relation in terms:
                ends = walk.objects(node, term) if direction == "downstream" else walk.subjects(term, node)
                for end in ends:
                    if end in visited:
                        continue
                    previous = reached.setdefault(end, {})
                    if node not in previous or relation < previous[node]:
                        previous[node] = relation
        for node in sorted(reached):
            via = min(reached[node])
            relation = reached[node][via]
            source, target = (via, node) if direction == "downstream" else (node, via)
            facts = walk.facts(node)
            impact.items.append(
                ImpactItem(
                    node,
                    facts.get("type"),
                    facts.get("label"),
                    facts.get("plan"),
                    steps,
                    via,
                    relation,
                    walk.basis(source, relation, target),
                )
            )
        visited.update(reached)
        layer = sorted(reached)
    return impact


def _impact_on_projection(store, global_id: str, direction: str, depth: int | None, relations) -> Impact:
    import networkx as nx

    graph = build_projection(store)
    flow = nx.DiGraph()
    flow.add_nodes_from(graph.nodes)
    for source, target, relation, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        if relation in relations:
            edge = (source, target) if direction == "downstream" else (target, source)
            if not flow.has_edge(*edge):
                flow.add_edge(*edge, relation=relation, basis=data["basis"])
    starts = [global_id] + _parts_of(graph, global_id)
    impact = Impact(global_id, _label(graph, global_id), direction, depth, list(relations), starts[1:])
    distance = {node: 0 for node in starts}
    for steps, layer in enumerate(nx.bfs_layers(flow, starts)):
        if steps == 0:
            continue
        if depth is not None and steps > depth:
            break
        for node in sorted(layer):
            via = min(p for p in flow.predecessors(node) if distance.get(p) == steps - 1)
            edge = flow.edges[via, node]
            attributes = graph.nodes[node]
            impact.items.append(
                ImpactItem(
                    node,
                    attributes.get("type"),
                    attributes.get("label"),
                    attributes.get("plan"),
                    steps,
                    via,
                    edge["relation"],
                    edge["basis"],
                )
            )
        distance.update((node, steps) for node in layer)
    return impact


def format_impact(impact: Impact, output_format: str = "table", width: int | None = None) -> str:
    """Render an impact as a table (grouped by distance), CSV or JSON."""
    if output_format == "json":
        return render_json(asdict(impact)) + "\n"
    columns = ["distance", "id", "type", "plan", "relation", "via", "basis", "label"]
    if output_format == "csv":
        return render_csv(columns, [[getattr(item, name) for name in columns] for item in impact.items])
    verb = "feeds into" if impact.direction == "downstream" else "is fed by"
    limit = f" within {impact.depth} link{'s' if impact.depth != 1 else ''}" if impact.depth else ""
    heading = f"{impact.id} {verb} {len(impact.items)} item{'s' if len(impact.items) != 1 else ''}{limit} (along {', '.join(impact.relations)})"
    if impact.starts:
        heading += "; its actions and updates count as its own"
    if not impact.items:
        return heading + "\n"
    arrow = "→" if impact.direction == "downstream" else "←"
    # "via" is worth showing only where it is not the item itself
    vias = ["" if item.via == impact.id else item.via for item in impact.items]
    headers = ["hops", "item", "relation"] + (["via"] if any(vias) else []) + ["label"]
    rows = [
        [item.distance, item.id, f"{arrow} {item.relation}"] + ([via] if any(vias) else []) + [item.label]
        for item, via in zip(impact.items, vias, strict=False)
    ]
    return heading + "\n\n" + render_table(headers, rows, width, max_lines=2) + "\n"


# -- paths ------------------------------------------------------------------------------------------


@dataclass
class PathStep:
    """One link of a chain: ``forward`` is True when the link points from ``source`` to ``target``."""

    source: str
    target: str
    relations: list[str]
    forward: bool


@dataclass
class Path:
    """A chain of links from the first node to the last."""

    nodes: list[str]
    steps: list[PathStep]


@dataclass
class Paths:
    """The chains of links that connect two nodes, shortest first, and the labels of the nodes on them."""

    source: str
    target: str
    max_length: int
    paths: list[Path] = field(default_factory=list)
    labels: dict[str, str | None] = field(default_factory=dict)


def find_paths(store, first: str, second: str, max_length: int = 6, limit: int = 10) -> Paths:
    """Return up to ``limit`` chains of links (followed in either direction) that connect two nodes.

    Chains run along every dependency link and the part-of structure (an action or update to its parent,
    a recommendation to its workstream), never through organisations. Shortest first, at most
    ``max_length`` links each; ties are ordered by the ids along the chain.
    """
    if max_length < 1 or limit < 1:
        raise CrossplanError("--max-length and --limit must be 1 or more")
    source, target = _resolve(store, first), _resolve(store, second)
    if source == target:
        raise CrossplanError(f"'{source}' is both ends: give two different nodes")
    if isinstance(store, CrossplanStore):
        return _walk_paths(_Walk(store), source, target, max_length, limit)
    return _paths_on_projection(store, source, target, max_length, limit)


def _walk_paths(walk: _Walk, source: str, target: str, max_length: int, limit: int) -> Paths:
    """Find the chains by looking only as far from each end as a chain of the length sought can reach.

    A chain of L links has each of its links touching a node within ceil(L/2) - 1 links of the source or
    floor(L/2) - 1 links of the target. So the links of those nodes hold every chain of at most L links, and
    L grows one at a time until ``limit`` chains are found (all chains of the last length are kept, then the
    first ``limit`` by length and ids, as a shortest-first search with the same cut-off would give).
    """
    result = Paths(source, target, max_length)
    if walk.is_organisation(source) or walk.is_organisation(target):
        return result
    ends = {source: {source: 0}, target: {target: 0}}  # distances from each end, as far as looked
    expanded: set[str] = set()
    found: list[list[str]] = []
    for length in range(1, max_length + 1):
        for end, radius in ((source, (length + 1) // 2 - 1), (target, length // 2 - 1)):
            distances = ends[end]
            for node in [node for node, steps in distances.items() if steps == radius and node not in expanded]:
                expanded.add(node)
                for other in walk.neighbours(node):
                    distances.setdefault(other, radius + 1)
        if all(node in expanded for distances in ends.values() for node in distances):
            # every node seen has had its links read: the ends' components are in hand, and longer chains with them
            found = _simple_paths(walk, expanded, source, target, max_length)
            break
        found = _simple_paths(walk, expanded, source, target, length)
        if len(found) >= limit:
            break
    found.sort(key=lambda nodes: (len(nodes), nodes))
    found.sort(key=lambda nodes: (len(nodes), nodes))
    for nodes in found[:limit]:
        steps = []
        for u, v in pairwise(nodes):
            links = walk.links_between(u, v)
            forward = [relation for a, relation, b in links if a == u]
            backward = [relation for a, relation, b in links if a == v]
            steps.append(PathStep(u, v, sorted(forward or backward), bool(forward)))
        result.paths.append(Path(nodes, steps))
    result.labels = {node: walk.facts(node).get("label") for path in result.paths for node in path.nodes}
    return result


def _simple_paths(walk: _Walk, expanded: set, source: str, target: str, length: int) -> list[list[str]]:
    """Return every chain of at most ``length`` links from source to target over the links of ``expanded`` nodes."""
    adjacent: dict[str, set[str]] = {}
    for node in expanded:
        for other in walk.neighbours(node):
            if other != node:
                adjacent.setdefault(node, set()).add(other)
                adjacent.setdefault(other, set()).add(node)
    to_target = {target: 0}  # links to the target within these links: prunes the search below
    layer = [target]
    for steps in range(1, length + 1):
        layer = [other for node in layer for other in adjacent.get(node, ()) if other not in to_target]
        for other in layer:
            to_target.setdefault(other, steps)
        layer = list(dict.fromkeys(layer))
    if source not in to_target or to_target[source] > length:
        return []
    found: list[list[str]] = []
    chain = [source]
    on_chain = {source}

    def extend(node: str) -> None:
        left = length - len(chain) + 1  # links still allowed, the next one included
        for other in adjacent.get(node, ()):
            if other == target:
                found.append(chain + [target])
            elif other not in on_chain and to_target.get(other, length + 1) <= left - 1:
                chain.append(other)
                on_chain.add(other)
                extend(other)
                chain.pop()
                on_chain.discard(other)

    extend(source)
    return found


def _paths_on_projection(store, source: str, target: str, max_length: int, limit: int) -> Paths:
    import networkx as nx

    graph = build_projection(store)
    undirected = nx.Graph()
    for node, attributes in graph.nodes(data=True):
        if attributes.get("type") != "organisation":
            undirected.add_node(node)
    for u, v, relation in sorted(graph.edges(keys=True)):
        if u in undirected and v in undirected:
            if not undirected.has_edge(u, v):
                undirected.add_edge(u, v, links=[])
            undirected.edges[u, v]["links"].append((u, relation, v))
    result = Paths(source, target, max_length)
    if source not in undirected or target not in undirected or not nx.has_path(undirected, source, target):
        return result
    found: list[list[str]] = []
    for nodes in nx.shortest_simple_paths(undirected, source, target):
        if len(nodes) - 1 > max_length or (len(found) >= limit and len(nodes) > len(found[-1])):
            break
        found.append(nodes)
    found.sort(key=lambda nodes: (len(nodes), nodes))
    for nodes in found[:limit]:
        steps = []
        for u, v in pairwise(nodes):
            links = undirected.edges[u, v]["links"]
            forward = [relation for a, relation, b in links if a == u]
            backward = [relation for a, relation, b in links if a == v]
            steps.append(PathStep(u, v, sorted(forward or backward), bool(forward)))
        result.paths.append(Path(nodes, steps))
    result.labels = {node: _label(graph, node) for path in result.paths for node in path.nodes}
    return result


def format_paths(paths: Paths, output_format: str = "table", width: int | None = None) -> str:
    """Render paths as numbered chains (``a —feeds-into→ b ←related-to— c``), CSV (one row per step) or JSON."""
    if output_format == "json":
        return render_json(asdict(paths)) + "\n"
    if output_format == "csv":
        rows = [
            [
                number,
                index,
                step.source,
                "/".join(step.relations),
                "forward" if step.forward else "backward",
                step.target,
            ]
            for number, path in enumerate(paths.paths, start=1)
            for index, step in enumerate(path.steps, start=1)
        ]
        return render_csv(["path", "step", "from", "relation", "direction", "to"], rows)
    if not paths.paths:
        return f"No chain of at most {paths.max_length} links connects {paths.source} and {paths.target}.\n"
    width = width or terminal_width()
    count = len(paths.paths)
    lines = [f"{count} chain{'s connect' if count != 1 else ' connects'} {paths.source} and {paths.target}", ""]
    for number, path in enumerate(paths.paths, start=1):
        text = path.nodes[0]
        for step in path.steps:
            relation = "/".join(step.relations)
            text += f" —{relation}→ {step.target}" if step.forward else f" ←{relation}— {step.target}"
        lines += _wrap_chain(f"{number}. {text}", width)
    lines += ["", "Nodes:"]
    for node in sorted(paths.labels):
        lines += _wrap_chain(f"  {node}: {paths.labels[node] or ''}".rstrip(), width)
    return "\n".join(lines) + "\n"


def _wrap_chain(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, subsequent_indent="     ", break_on_hyphens=False) or [""]


# -- duplicates -------------------------------------------------------------------------------------


@dataclass
class DuplicateMember:
    id: str
    type: str | None
    plan: str | None
    label: str | None
    status: str | None


@dataclass
class DuplicateLink:
    source: str
    target: str
    basis: str | None
    quote: str | None


@dataclass
class DuplicateGroup:
    """Items that duplicate each other: joined by duplicate-of links (``linked``), or printing the very
    same text without such a link (``same text``)."""

    kind: str
    members: list[DuplicateMember]
    links: list[DuplicateLink]

    @property
    def plans(self) -> list[str]:
        return sorted({member.plan for member in self.members if member.plan})


def find_duplicate_groups(store) -> list[DuplicateGroup]:
    """Return groups of items that duplicate each other, within and across plans.

    A ``linked`` group is a connected set of duplicate-of links. A ``same text`` group is items whose text
    is identical (ignoring case and spacing) that no duplicate-of link joins: likely duplicates nobody has
    recorded. Groups are ordered by their first member's id, members by id.
    """
    facts = graph_facts(store)
    if facts is not None:
        links = {}
        stated = [
            (source, target, basis, quote or "", quote)
            for source, relation, target, basis, quote in facts.link_rows(
                "source", "relation", "target", "basis", "quote"
            )
            if relation == Relation.DUPLICATE_OF.value
        ]
        for source, target, basis, _order, quote in sorted(stated):
            links.setdefault((source, target), (basis, quote))
        texts = {}
        for node, kind, key in facts.rows("id", "type", "text_key"):
            if key and kind in ("recommendation", "action"):
                texts.setdefault(node, key)
        row_of: dict[str, int] = {}
        for number, node in enumerate(facts.columns["id"]):
            row_of.setdefault(node, number)
        columns = facts.columns

        def member(node_id: str) -> DuplicateMember:
            number = row_of.get(node_id)
            if number is None:
                return DuplicateMember(node_id, None, None, None, None)
            return DuplicateMember(node_id, *(columns[name][number] for name in ("type", "plan", "label", "status")))

        return _group_duplicates(links, texts, member)
    if isinstance(store, CrossplanStore):
        walk = _Walk(store)
        links = {}
        for row in sorted_rows(store.select(_DUPLICATE_LINKS), "source", "target"):
            links.setdefault((_id(row["source"]), _id(row["target"])), (_spelling(Basis, row["basis"]), row["quote"]))
        texts = {node: text_key(text) for node, text in walk.item_texts().items()}
        return _group_duplicates(links, texts, walk.member)
    graph = build_projection(store)
    links = {
        (u, v): (data["basis"], data["quote"])
        for u, v, relation, data in graph.edges(keys=True, data=True)
        if relation == Relation.DUPLICATE_OF.value
    }
    texts = {
        node: text_key(attributes["text"])
        for node, attributes in graph.nodes(data=True)
        if attributes.get("text") and attributes.get("type") in ("recommendation", "action")
    }
    return _group_duplicates(links, texts, lambda node: _member(graph, node))


_DUPLICATE_LINKS = """SELECT DISTINCT ?source ?target ?basis ?quote WHERE {
  ?link cp:relation cp:duplicateOf ; a cp:Link ; cp:from ?source ; cp:to ?target ; cp:basis ?basis ; cp:quote ?quote .
}"""


def _group_duplicates(links: dict, texts: dict, member) -> list[DuplicateGroup]:
    """Group duplicates: ``links`` maps (source, target) to (basis, quote), ``texts`` an item to its ``text_key``,
    ``member(id)`` gives a DuplicateMember."""
    component_of: dict[str, int] = {}
    components: list[set[str]] = []
    for source, target in links:  # joining components, the smaller into the larger
        first, second = component_of.get(source), component_of.get(target)
        if first is None and second is None:
            component_of[source] = component_of[target] = len(components)
            components.append({source, target})
        elif first is None or second is None:
            number = first if first is not None else second
            components[number].update((source, target))
            component_of[source] = component_of[target] = number
        elif first != second:
            if len(components[first]) < len(components[second]):
                first, second = second, first
            for node in components[second]:
                component_of[node] = first
            components[first] |= components[second]
            components[second] = set()
    links_of: dict[int, list[DuplicateLink]] = {}
    for (source, target), (basis, quote) in sorted(links.items()):
        links_of.setdefault(component_of[source], []).append(DuplicateLink(source, target, basis, quote))
    groups = [
        DuplicateGroup("linked", [member(node) for node in sorted(component)], links_of[number])
        for number, component in enumerate(components)
        if component
    ]
    by_text: dict[str, list[str]] = {}
    for node, key in texts.items():
        by_text.setdefault(key, []).append(node)
    for nodes in by_text.values():
        linked_groups = {component_of.get(node) for node in nodes}
        if len(nodes) > 1 and (len(linked_groups) > 1 or None in linked_groups):  # not all in one linked group already
            groups.append(DuplicateGroup("same text", [member(node) for node in sorted(nodes)], []))
    groups.sort(key=lambda group: (group.members[0].id, group.kind))
    return groups


def _member(graph, node: str) -> DuplicateMember:
    attributes = graph.nodes[node] if node in graph else {}
    return DuplicateMember(
        node, attributes.get("type"), attributes.get("plan"), attributes.get("label"), attributes.get("status")
    )


def format_duplicates(groups: list[DuplicateGroup], output_format: str = "table", width: int | None = None) -> str:
    """Render duplicate groups as a table (one block per group), CSV (one row per member) or JSON."""
    if output_format == "json":
        return render_json([asdict(group) | {"plans": group.plans} for group in groups]) + "\n"
    if output_format == "csv":
        rows = [
            [number, group.kind, member.id, member.plan, member.type, member.status, member.label]
            for number, group in enumerate(groups, start=1)
            for member in group.members
        ]
        return render_csv(["group", "kind", "id", "plan", "type", "status", "label"], rows)
    if not groups:
        return "No duplicates found.\n"
    rows: list = []
    for number, group in enumerate(groups, start=1):
        if rows:
            rows.append(None)
        where = (
            f"across plans {', '.join(group.plans)}"
            if len(group.plans) > 1
            else f"within {', '.join(group.plans) or 'the registries'}"
        )
        rows.append(
            f"{number}. {'joined by duplicate-of links' if group.kind == 'linked' else 'the same text, not linked'}, {where}"
        )
        for member in group.members:
            duplicate_of = ", ".join(link.target for link in group.links if link.source == member.id)
            rows.append([member.id, member.status or "", duplicate_of, member.label])
    heading = f"{len(groups)} group{'s' if len(groups) != 1 else ''} of duplicates"
    return (
        heading
        + "\n\n"
        + render_table(["item", "status", "duplicate of", "label"], rows, width, max_lines=2, spacing=False)
        + "\n"
    )
