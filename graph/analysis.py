"""Graph algorithms over a networkx projection of the store: impact, paths and duplicate groups.

The projection is built from two SPARQL queries (the nodes, and every qualified link) plus the part-of
structure (an action or update belongs to its parent, a recommendation to its workstream), and only by the
commands that need it: importing this module imports networkx.

- ``find_impact(store, id, direction, depth)``: what an item feeds into (downstream) or is fed by (upstream);
- ``find_paths(store, a, b)``: the chains of links that connect two nodes, shortest first;
- ``find_duplicate_groups(store)``: groups of items that duplicate each other, within and across plans.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import networkx as nx

from .errors import CrossplanError
from .model import Basis, NodeType, Relation, Status
from .output import render_csv, render_json, render_table, sorted_rows, terminal_width
from .vocabulary import global_id_of

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


def build_projection(store) -> nx.MultiDiGraph:
    """Return the graph's nodes and links as a networkx MultiDiGraph keyed by global id.

    Node attributes: ``type``, ``label``, ``plan``, ``status``, ``text``. Edge attributes: ``relation``
    (a relation spelling, or ``part-of`` from a child to its parent), ``basis`` and ``quote`` for links.
    An on-disk store keeps the projection of its (unchanging) generation, so a second question reads it back.
    """
    remembered = getattr(store, "remembered", None)
    if remembered is not None:
        return remembered(f"projection-networkx-{nx.__version__}", lambda: _projection(store))
    return _projection(store)


def _projection(store) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    plans, statuses, texts = (_first_values(store, query, name)
                              for query, name in ((_NODE_PLANS, "plan"), (_NODE_STATUSES, "status"), (_NODE_TEXTS, "text")))
    for row in sorted_rows(store.select(_NODES), "id", "type", "label"):
        if row["id"] in graph:
            continue
        node = row["node"]
        graph.add_node(row["id"], type=_spelling(NodeType, row["type"]), label=row["label"], plan=plans.get(node),
                       status=_spelling(Status, statuses.get(node)), text=texts.get(node))
    for row in sorted_rows(store.select(_LINKS), "source", "relation", "target"):
        source, target, relation = _id(row["source"]), _id(row["target"]), _spelling(Relation, row["relation"])
        if graph.has_edge(source, target, key=relation):
            continue
        graph.add_edge(source, target, key=relation, relation=relation, basis=_spelling(Basis, row["basis"]), quote=row["quote"])
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


def find_impact(store, node_id: str, direction: str = "downstream", depth: int | None = None,
                relations: tuple[str, ...] = IMPACT_RELATIONS) -> Impact:
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
            impact.items.append(ImpactItem(node, attributes.get("type"), attributes.get("label"), attributes.get("plan"),
                                           steps, via, edge["relation"], edge["basis"]))
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
    headers = ["", "item", "relation"] + (["via"] if any(vias) else []) + ["label"]
    rows = [[item.distance, item.id, f"{arrow} {item.relation}"] + ([via] if any(vias) else []) + [item.label]
            for item, via in zip(impact.items, vias)]
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
        for u, v in zip(nodes, nodes[1:]):
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
        rows = [[number, index, step.source, "/".join(step.relations), "forward" if step.forward else "backward", step.target]
                for number, path in enumerate(paths.paths, start=1) for index, step in enumerate(path.steps, start=1)]
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
    graph = build_projection(store)
    duplicates = nx.Graph()
    for u, v, relation, data in graph.edges(keys=True, data=True):
        if relation == Relation.DUPLICATE_OF.value:
            duplicates.add_edge(u, v)
    groups = []
    components = list(nx.connected_components(duplicates))
    for component in components:
        members = sorted(component)
        links = sorted(
            (DuplicateLink(u, v, data["basis"], data["quote"])
             for u, v, relation, data in graph.edges(members, keys=True, data=True)
             if relation == Relation.DUPLICATE_OF.value and v in component),
            key=lambda link: (link.source, link.target),
        )
        groups.append(DuplicateGroup("linked", [_member(graph, node) for node in members], links))
    component_of = {node: number for number, component in enumerate(components) for node in component}
    by_text: dict[str, list[str]] = {}
    for node, attributes in graph.nodes(data=True):
        if attributes.get("text") and attributes.get("type") in ("recommendation", "action"):
            key = re.sub(r"\s+", " ", attributes["text"]).strip().casefold()
            by_text.setdefault(key, []).append(node)
    for nodes in by_text.values():
        linked_groups = {component_of.get(node) for node in nodes}
        if len(nodes) > 1 and (len(linked_groups) > 1 or None in linked_groups):  # not all in one linked group already
            groups.append(DuplicateGroup("same text", [_member(graph, node) for node in sorted(nodes)], []))
    groups.sort(key=lambda group: (group.members[0].id, group.kind))
    return groups


def _member(graph, node: str) -> DuplicateMember:
    attributes = graph.nodes[node] if node in graph else {}
    return DuplicateMember(node, attributes.get("type"), attributes.get("plan"), attributes.get("label"), attributes.get("status"))


def format_duplicates(groups: list[DuplicateGroup], output_format: str = "table", width: int | None = None) -> str:
    """Render duplicate groups as a table (one block per group), CSV (one row per member) or JSON."""
    if output_format == "json":
        return render_json([asdict(group) | {"plans": group.plans} for group in groups]) + "\n"
    if output_format == "csv":
        rows = [[number, group.kind, member.id, member.plan, member.type, member.status, member.label]
                for number, group in enumerate(groups, start=1) for member in group.members]
        return render_csv(["group", "kind", "id", "plan", "type", "status", "label"], rows)
    if not groups:
        return "No duplicates found.\n"
    rows: list = []
    for number, group in enumerate(groups, start=1):
        if rows:
            rows.append(None)
        where = f"across plans {', '.join(group.plans)}" if len(group.plans) > 1 else f"within {', '.join(group.plans) or 'the registries'}"
        rows.append(f"{number}. {'joined by duplicate-of links' if group.kind == 'linked' else 'the same text, not linked'}, {where}")
        for member in group.members:
            duplicate_of = ", ".join(link.target for link in group.links if link.source == member.id)
            rows.append([member.id, member.status or "", duplicate_of, member.label])
    heading = f"{len(groups)} group{'s' if len(groups) != 1 else ''} of duplicates"
    return heading + "\n\n" + render_table(["item", "status", "duplicate of", "label"], rows, width, max_lines=2, spacing=False) + "\n"
