"""The browser graph: one self-contained, offline HTML page to explore the plans' graph.

The page is drawn by vis-network, taken from the files the ``pyvis`` package ships (its Python API is
not used: ``add_node``/``add_edge`` are quadratic at 10,000 nodes and its template writes titles
with ``innerHTML``). Every script and style is inlined and a Content-Security-Policy forbids any
network request, so the file opens from an e-mail attachment on a laptop with no network.

Nodes and links are read from the store with plain SPARQL 1.1, so a remote endpoint works too.
Progress updates are not drawn as nodes: they are listed, dated, in their item's side panel, and
their links and owners are drawn from that item ("via" the update).

The page has three views of the same file. With two or more linked plans it opens on the **mapping**
(one plan's items beside the other's workstreams, laid out in Python by ``mapping.py`` and drawn as SVG;
``mapping_svg`` writes the same drawing for slides); the **matrix** shows those links as a table; the
**full graph** (vis-network) is laid out by the page: each plan a region, each workstream a block, the
registry apart, big groups folded until clicked. ``window.crossplan.geometry()`` reports what is drawn.

Presets cut the file down before it is written (``plans``, ``focus``/``depth``, ``relations``,
``mapping``); the page itself filters by plan, node type, relation, status, response and basis.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import math
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from ...errors import CrossplanError, UnknownIdError, VizOptionError
from ...model.nodes import (
    Basis,
    NodeType,
    Relation,
    Response,
    Status,
    StructuralRelation,
    shorten,
)
from ...model.vocabulary import CP, DCTERMS, ORG, PREFIXES, PROV, RDF, RDFS, SKOS, global_id_of
from .mapping import drawing_svg, layout_mapping

PART_OF = "part-of"
"""The structure drawn between an item and what contains it (action → recommendation → workstream → plan)."""

RELATIONS: tuple[str, ...] = (
    *(relation.value for relation in Relation),
    *(relation.value for relation in StructuralRelation),
    PART_OF,
)
"""Every kind of edge the page draws, in legend order."""

REGISTRY_TYPES = frozenset({NodeType.ORGANISATION.value, NodeType.DOCUMENT.value, NodeType.PROGRAMME.value})
_STATUS_TYPES = frozenset({NodeType.RECOMMENDATION.value, NodeType.ACTION.value})

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), one shape per type.
NODE_STYLES: dict[str, dict] = {
    "plan": {"shape": "box", "color": "#1f2937", "font": "#ffffff", "size": 30, "fontSize": 18, "caption": "Plan"},
    "workstream": {
        "shape": "ellipse",
        "color": "#009e73",
        "font": "#ffffff",
        "size": 22,
        "fontSize": 15,
        "caption": "Workstream",
    },
    "recommendation": {"shape": "dot", "color": "#0072b2", "font": "#1f2937", "size": 13, "caption": "Recommendation"},
    "action": {"shape": "diamond", "color": "#56b4e9", "font": "#1f2937", "size": 8, "caption": "Action"},
    "organisation": {"shape": "triangle", "color": "#e69f00", "font": "#1f2937", "size": 11, "caption": "Organisation"},
    "document": {"shape": "square", "color": "#cc79a7", "font": "#1f2937", "size": 9, "caption": "Document"},
    "programme": {"shape": "hexagon", "color": "#d55e00", "font": "#1f2937", "size": 11, "caption": "Programme"},
}
# ``length`` is the spring's rest length: structure is short so that plans and workstreams stay in tight groups.
RELATION_STYLES: dict[str, dict] = {
    "duplicate-of": {"color": "#d55e00", "width": 3, "length": 110, "caption": "duplicate of"},
    "feeds-into": {"color": "#0072b2", "width": 2.5, "length": 130, "caption": "feeds into"},
    "delegated-to": {"color": "#009e73", "width": 2.5, "length": 130, "caption": "delegated to"},
    "supersedes": {"color": "#111827", "width": 2.5, "length": 110, "caption": "supersedes"},
    "references": {"color": "#8b95a5", "width": 1.2, "length": 110, "caption": "references"},
    "related-to": {"color": "#a2407f", "width": 2, "length": 150, "caption": "related to"},
    "owned-by": {"color": "#e69f00", "width": 1.2, "length": 120, "caption": "owned by"},
    "addressed-to": {"color": "#9a6b2f", "width": 1.2, "length": 120, "caption": "addressed to"},
    PART_OF: {"color": "#cfd6df", "width": 1, "length": 30, "caption": "part of (structure)", "arrows": False},
}
BASIS_STYLES: dict[str, dict] = {
    "explicit": {"dashes": False, "caption": "explicit: the text states it"},
    "judged": {"dashes": [9, 6], "caption": "judged: a curator's reading"},
    "suggested": {"dashes": [2, 5], "caption": "suggested: proposed by a machine"},
}

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
_TYPES = {kind.term: kind.value for kind in NodeType}
_RELATIONS_BY_TERM = {relation.term: relation.value for relation in Relation}
_BASES_BY_TERM = {basis.term: basis.value for basis in Basis}
_STATUSES_BY_TERM = {status.term: status.value for status in Status}
_RESPONSES_BY_TERM = {response.term: response.value for response in Response}

_ASSETS = "assets"


@dataclass(frozen=True)
class ExtraEdge:
    """A link to draw that is not in the store, such as a machine suggestion waiting for review.

    ``source`` and ``target`` are global ids; ``relation`` is a relation's YAML spelling. Suggested links
    are drawn dotted and can be hidden with the page's basis filter.
    """

    source: str
    target: str
    relation: str
    basis: str = Basis.SUGGESTED.value
    quote: str | None = None
    evidence: str | None = None


@dataclass
class GraphView:
    """What one page shows: node and edge records (plain JSON-ready dicts), a title and a layout."""

    title: str
    subtitle: str
    nodes: list[dict]
    edges: list[dict]
    layout: str = "force"
    columns: list[dict] = field(default_factory=list)
    plans: list[dict] = field(default_factory=list)
    selected: str | None = None
    plan_sources: dict[str, str] = field(default_factory=dict)
    mappings: list[dict] = field(default_factory=list)
    initial: dict = field(default_factory=lambda: {"view": "graph"})
    depth: int | None = None


@dataclass(frozen=True)
class VizSummary:
    """What ``write_html`` wrote."""

    path: Path
    nodes: int
    edges: int
    size: int

    def describe(self) -> str:
        """Return the one-line report the command prints."""
        return f"Wrote {self.path}: {self.nodes} nodes, {self.edges} links ({_human_size(self.size)})"


# --------------------------------------------------------------------------------------------
# Reading the graph


@dataclass
class _Graph:
    nodes: dict[str, dict]
    edges: list[dict]
    updates: dict[str, dict]
    owner_of_update: dict[str, str]


def _read_graph(store) -> _Graph:
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

    for update_id, update in sorted(updates.items(), key=lambda item: _order_key(item[1])):
        parent = owner_of_update.get(update_id)
        if parent in nodes:
            nodes[parent].setdefault("updates", []).append(
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
    for subject, target, relation in structural:
        source_id, target_id = shown(ids.get(subject)), ids.get(target)
        if source_id in nodes and target_id in nodes and (source_id, relation, target_id) not in seen_structural:
            seen_structural.add((source_id, relation, target_id))
            edge = {"from": source_id, "to": target_id, "relation": relation, "basis": Basis.EXPLICIT.value}
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
        _attach(edge, nodes, edges)
    return _Graph(nodes, edges, updates, owner_of_update)


def _attach(edge: dict, nodes: dict[str, dict], edges: list[dict]) -> None:
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


def _order_key(record: dict) -> tuple:
    position = record.get("position")
    return (position if isinstance(position, int) else 1 << 30, record.get("date") or "", record.get("id", ""))


def _add_extra_edges(graph: _Graph, extra_edges: Iterable[ExtraEdge]) -> None:
    for extra in extra_edges:
        if extra.relation not in {relation.value for relation in Relation}:
            raise VizOptionError(
                f"'{extra.relation}' is not a relation{_choices(extra.relation, [r.value for r in Relation])}"
            )
        if extra.basis not in BASIS_STYLES:
            raise VizOptionError(f"'{extra.basis}' is not a basis{_choices(extra.basis, list(BASIS_STYLES))}")
        ends = []
        for global_id in (extra.source, extra.target):
            shown = graph.owner_of_update.get(global_id, global_id)
            if shown not in graph.nodes:
                from ..text import did_you_mean

                raise UnknownIdError(f"no node with id '{global_id}'{did_you_mean(global_id, graph.nodes)}")
            ends.append(shown)
        edge = {"from": ends[0], "to": ends[1], "relation": extra.relation, "basis": extra.basis, "proposed": True}
        if ends[0] != extra.source:
            edge["fromVia"] = extra.source
        if ends[1] != extra.target:
            edge["toVia"] = extra.target
        if extra.quote:
            edge["quote"] = extra.quote
        if extra.evidence:
            edge["evidence"] = extra.evidence
        _attach(edge, graph.nodes, graph.edges)


# --------------------------------------------------------------------------------------------
# Presets


def parse_relations(values: Iterable[str]) -> list[str]:
    """Return the relation names in ``values`` (each may be a comma-separated list); raise VizOptionError on a typo.

    >>> parse_relations(["feeds-into,duplicate-of", "owned-by"])
    ['feeds-into', 'duplicate-of', 'owned-by']
    """
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    for name in names:
        if name not in RELATIONS:
            raise VizOptionError(f"'{name}' is not a relation{_choices(name, RELATIONS)}")
    return list(dict.fromkeys(names))


def _choices(word: str, choices: Sequence[str]) -> str:
    from ..text import did_you_mean

    return f"{did_you_mean(word, choices)}; choose from {', '.join(choices)}"


def build_view(
    store,
    *,
    plans: Iterable[str] = (),
    focus: str | None = None,
    depth: int | None = None,
    relations: Iterable[str] | None = None,
    mapping: tuple[str, str] | None = None,
    extra_edges: Iterable[ExtraEdge] = (),
) -> GraphView:
    """Read the graph from ``store`` and cut it down to a preset; return the nodes and edges to draw.

    ``plans``: only these plans' items and what they link to. ``focus``/``depth``: only the nodes within
    ``depth`` hops of one node (default 1). ``relations``: only links of these relations and the nodes
    they join. ``mapping=(from_plan, to_plan)``: the cross-plan view, with one plan's recommendations in a
    column on the left, the other plan's workstreams and recommendations on the right, and only the links
    between them. ``extra_edges``: links to draw that are not in the store (drawn dotted when suggested).

    Raises UnknownIdError for an unknown plan or node id, VizOptionError for options that do not go together.
    """
    plans = list(dict.fromkeys(plans))
    relation_names = parse_relations(relations) if relations is not None else None
    if depth is not None and focus is None:
        raise VizOptionError("--depth is only used with --focus")
    if depth is not None and depth < 1:
        raise VizOptionError("--depth must be at least 1")
    if mapping is not None and (plans or focus):
        raise VizOptionError("--mapping cannot be combined with --plan or --focus")
    if mapping is not None and mapping[0] == mapping[1]:
        raise VizOptionError("--mapping needs two different plans")

    graph = _read_graph(store)
    _add_extra_edges(graph, extra_edges)
    plan_titles = {
        node_id: node.get("title") or node.get("name") or node_id
        for node_id, node in graph.nodes.items()
        if node["type"] == NodeType.PLAN.value
    }
    for plan in [*plans, *(mapping or ())]:
        if plan not in plan_titles:
            from ..text import did_you_mean

            raise UnknownIdError(
                f"no plan '{plan}'{did_you_mean(plan, plan_titles)} (plans: {', '.join(sorted(plan_titles))})"
            )
    focus_id = _resolve_focus(store, graph, focus) if focus else None
    view = (
        _mapping_view(graph, mapping, relation_names, plan_titles)
        if mapping is not None
        else _preset_view(graph, plans, relation_names, focus_id, depth, plan_titles)
    )
    view.plan_sources = {plan: graph.nodes[plan]["source"] for plan in plan_titles if graph.nodes[plan].get("source")}
    if mapping is not None:
        view.mappings = [_drawing(graph, pair, plan_titles, relation_names) for pair in (mapping, mapping[::-1])]
        view.initial = {"view": "mapping", "from": mapping[0], "to": mapping[1]}
    elif not plans and not focus and relation_names is None:
        view.mappings = _linked_pairs(graph, plan_titles)
        if view.mappings:
            view.initial = {"view": "mapping", "from": view.mappings[0]["from"], "to": view.mappings[0]["to"]}
    return view


MAPPING_PAIRS = 24
"""The most plan pairs (each direction counts) whose mapping a page carries: the most linked first."""


def _linked_pairs(graph: _Graph, plan_titles: dict[str, str]) -> list[dict]:
    """Return the drawings of every linked pair of plans, both directions, most links first.

    Of a pair's two directions, the one whose links mostly start on the left comes first: the default page
    opens on it (on the shipped data, the HMIP recommendations feeding the Blueprint).
    """
    plan_of = {node_id: node.get("plan") for node_id, node in graph.nodes.items()}
    dependency = {relation.value for relation in Relation}
    forward: dict[tuple[str, str], int] = defaultdict(int)
    for edge in graph.edges:
        source, target = plan_of.get(edge["from"]), plan_of.get(edge["to"])
        if edge["relation"] in dependency and source in plan_titles and target in plan_titles and source != target:
            forward[(source, target)] += 1
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for (source, target), count in forward.items():
        totals[tuple(sorted((source, target)))] += count
    ranked = sorted(totals, key=lambda pair: (-totals[pair], pair))
    drawings = []
    for low, high in ranked[: MAPPING_PAIRS // 2]:
        first = (low, high) if forward[(low, high)] >= forward[(high, low)] else (high, low)
        for pair in (first, first[::-1]):
            drawings.append(_drawing(graph, pair, plan_titles, None))
    return drawings


def _preset_view(
    graph: _Graph,
    plans: list[str],
    relation_names: list[str] | None,
    focus_id: str | None,
    depth: int | None,
    plan_titles: dict[str, str],
) -> GraphView:
    """Cut the whole graph down to some plans, then to some relations, then to a neighbourhood."""
    node_ids = set(graph.nodes)
    edges = graph.edges
    subtitle = []
    if plans:
        node_ids = _plan_content(graph.nodes, edges, plans)
        edges = [edge for edge in edges if edge["from"] in node_ids and edge["to"] in node_ids]
        subtitle.append("Plan" + ("s " if len(plans) > 1 else " ") + ", ".join(plans))
        if focus_id and focus_id not in node_ids:
            raise UnknownIdError(f"'{focus_id}' is not in the selected plans ({', '.join(plans)})")
    if relation_names is not None:
        edges = [edge for edge in edges if edge["relation"] in relation_names]
        node_ids = {end for edge in edges for end in (edge["from"], edge["to"])}
        subtitle.append("Relations " + ", ".join(relation_names))
    if focus_id:
        node_ids.add(focus_id)
        node_ids = _neighbourhood(graph.nodes, edges, focus_id, depth or 1, node_ids)
        edges = [edge for edge in edges if edge["from"] in node_ids and edge["to"] in node_ids]
        hops = depth or 1
        subtitle.append(f"Around {focus_id} ({hops} hop{'s' if hops != 1 else ''})")
    nodes = {node_id: graph.nodes[node_id] for node_id in node_ids}
    node_records = [_node_record(node_id, nodes[node_id]) for node_id in sorted(nodes)]
    edge_records = _edge_records(edges, nodes)
    _seed_force_layout(node_records, edge_records)
    shown_plans = sorted({record["plan"] for record in node_records if record.get("plan") in plan_titles})
    return GraphView(
        title=_title(shown_plans, plan_titles),
        subtitle=" · ".join(subtitle) or "All plans",
        nodes=node_records,
        edges=edge_records,
        plans=[{"id": plan, "title": plan_titles[plan]} for plan in shown_plans],
        selected=focus_id,
        depth=(depth or 1) if focus_id else None,
    )


def _resolve_focus(store, graph: _Graph, text: str) -> str:
    from ...questions.ids import resolve_id

    global_id = resolve_id(store, text)
    global_id = graph.owner_of_update.get(global_id, global_id)
    if global_id not in graph.nodes:
        raise UnknownIdError(f"'{global_id}' is not drawn in the graph")
    return global_id


def _title(plans: list[str], titles: dict[str, str]) -> str:
    if len(plans) == 1:
        return titles[plans[0]]
    return "crossplan: " + (f"{len(plans)} plans" if plans else "the plans' graph")


def _plan_content(nodes: dict[str, dict], edges: list[dict], plans: Iterable[str]) -> set[str]:
    """Return the plans' own nodes and the organisations, documents and programmes reachable from them."""
    wanted = set(plans)
    content = {
        node_id
        for node_id, node in nodes.items()
        if node["type"] not in REGISTRY_TYPES and (node.get("plan") or node_id) in wanted
    }
    return content | _reachable_registry(nodes, edges, content)


def _reachable_registry(nodes: dict[str, dict], edges: list[dict], start: set[str]) -> set[str]:
    adjacency = _adjacency(edges)
    reached: set[str] = set()
    queue = deque(start)
    while queue:
        current = queue.popleft()
        for _, other in adjacency.get(current, ()):
            if other not in reached and other not in start and nodes[other]["type"] in REGISTRY_TYPES:
                reached.add(other)
                queue.append(other)
    return reached


def _adjacency(edges: list[dict]) -> dict[str, list[tuple[dict, str]]]:
    adjacency: dict[str, list[tuple[dict, str]]] = defaultdict(list)
    for edge in edges:
        adjacency[edge["from"]].append((edge, edge["to"]))
        adjacency[edge["to"]].append((edge, edge["from"]))
    return adjacency


def _neighbourhood(nodes: dict[str, dict], edges: list[dict], start: str, depth: int, allowed: set[str]) -> set[str]:
    """Return the nodes within ``depth`` hops of ``start``; structure is followed only from container to member.

    Following ``part-of`` upwards would reach the plan node and, one hop later, every item of the plan.
    """
    reached = {start}
    frontier = [start]
    adjacency = _adjacency(edges)
    for _ in range(depth):
        following = []
        for current in frontier:
            for edge, other in adjacency.get(current, ()):
                if edge["relation"] == PART_OF and edge["to"] != current:
                    continue
                if other not in reached and other in allowed:
                    reached.add(other)
                    following.append(other)
        frontier = following
    return reached


def _mapping_parts(graph: _Graph, mapping: tuple[str, str], relations: list[str] | None) -> tuple[set, set, list[dict]]:
    """Return the two plans' workstreams and recommendations and the links between them (moved up from actions)."""
    sides = []
    for plan in mapping:
        members = [
            node_id
            for node_id, node in graph.nodes.items()
            if node.get("plan") == plan and node["type"] in (NodeType.WORKSTREAM.value, NodeType.RECOMMENDATION.value)
        ]
        sides.append(set(members))
    anchors = {}
    for node_id in graph.nodes:
        anchor = node_id
        while (
            anchor in graph.nodes
            and graph.nodes[anchor]["type"] == NodeType.ACTION.value
            and graph.nodes[anchor].get("parent")
        ):
            anchor = graph.nodes[anchor]["parent"]
        anchors[node_id] = anchor
    dependency = {relation.value for relation in Relation}
    left, right = sides
    edges = []
    for edge in graph.edges:
        if edge["relation"] not in dependency or (relations is not None and edge["relation"] not in relations):
            continue
        source, target = anchors[edge["from"]], anchors[edge["to"]]
        if (source in left and target in right) or (source in right and target in left):
            moved = dict(edge, **{"from": source, "to": target})
            if source != edge["from"]:
                moved["fromVia"] = edge.get("fromVia", edge["from"])
            if target != edge["to"]:
                moved["toVia"] = edge.get("toVia", edge["to"])
            edges.append(moved)
    return left, right, edges


def _mapping_view(
    graph: _Graph, mapping: tuple[str, str], relations: list[str] | None, plan_titles: dict[str, str]
) -> GraphView:
    """Lay out two plans side by side with only the links between them."""
    left, right, edges = _mapping_parts(graph, mapping, relations)
    sides = [left, right]
    nodes = {node_id: graph.nodes[node_id] for node_id in left | right}
    node_records = {node_id: _node_record(node_id, nodes[node_id]) for node_id in sorted(nodes)}
    edge_records = _edge_records(edges, nodes)
    linked = {end for edge in edge_records for end in (edge["from"], edge["to"])}
    columns = []
    for index, (plan, members) in enumerate(zip(mapping, sides, strict=False)):
        x = (-1 if index == 0 else 1) * _COLUMN_GAP
        y = 0.0
        for row, node_id in enumerate(_column_rows(graph.nodes, members)):
            record = node_records[node_id]
            header = record["type"] == NodeType.WORKSTREAM.value
            if header:
                own = [m for m in members if graph.nodes[m].get("workstream") == node_id]
                text = _mapping_workstream_label(record, len(own), sum(1 for m in own if m in linked))
            else:
                text = _mapping_label(node_id, record)
            if header and row:
                y += _HEADER_GAP
            record.update(column=index, row=row, label=text, lines=text.count("\n") + 1)
            record.update(x=x, y=round(y + _row_height(record) / 2))
            if node_id in linked:
                record["linked"] = True
            y += _row_height(record) + _ROW_GAP
        counts = defaultdict(int)
        for node_id in members:
            counts[graph.nodes[node_id]["type"]] += 1
        described = ", ".join(
            f"{counts[kind]} {kind}{'s' if counts[kind] != 1 else ''}"
            for kind in (NodeType.WORKSTREAM.value, NodeType.RECOMMENDATION.value)
            if counts[kind]
        )
        linked_here = sum(1 for m in members if m in linked and graph.nodes[m]["type"] == NodeType.RECOMMENDATION.value)
        columns.append({"x": x, "title": plan_titles[plan], "subtitle": f"{plan}: {described} ({linked_here} linked)"})
    recommendations = {m for m in left if graph.nodes[m]["type"] == NodeType.RECOMMENDATION.value}
    linked_recommendations = len(recommendations & linked)
    plural = "s" if len(edge_records) != 1 else ""
    return GraphView(
        title=f"How {mapping[0]} maps onto {mapping[1]}",
        subtitle=f"{len(edge_records)} link{plural} between the plans"
        + (f" ({', '.join(relations)})" if relations is not None else "")
        + f" · {linked_recommendations} of {len(recommendations)} {mapping[0]} recommendations linked",
        nodes=list(node_records.values()),
        edges=edge_records,
        layout="columns",
        columns=columns,
        plans=[{"id": plan, "title": plan_titles[plan]} for plan in sorted(mapping)],
    )


_COLUMN_GAP = 330
"""Half the distance between the centres of the mapping view's two columns."""
_ROW_GAP = 10
_HEADER_GAP = 22
_LINE_HEIGHT = {"row": 17, "header": 19}
_MARGIN = {"row": 7, "header": 10}
_CHARACTERS_PER_LINE = 42


def _row_height(record: dict) -> int:
    """Return the height of a mapping box; the page uses the same sums to restack rows as filters hide some."""
    kind = "header" if record["type"] == NodeType.WORKSTREAM.value else "row"
    return record["lines"] * _LINE_HEIGHT[kind] + 2 * _MARGIN[kind]


def _column_rows(nodes: dict[str, dict], members: set[str]) -> list[str]:
    """Order one side of the mapping: loose recommendations, then each workstream followed by its own."""
    workstreams = sorted(
        (m for m in members if nodes[m]["type"] == NodeType.WORKSTREAM.value), key=lambda m: _order_key(nodes[m])
    )
    recommendations = sorted(
        (m for m in members if nodes[m]["type"] == NodeType.RECOMMENDATION.value), key=lambda m: _order_key(nodes[m])
    )
    rows = [m for m in recommendations if nodes[m].get("workstream") not in workstreams]
    for workstream in workstreams:
        rows.append(workstream)
        rows += [m for m in recommendations if nodes[m].get("workstream") == workstream]
    return rows


def _mapping_label(node_id: str, record: dict) -> str:
    """Label a recommendation by its short id (without its workstream's prefix) and the start of its text."""
    local = node_id.rsplit("/", 1)[-1]
    workstream = (record.get("workstream") or "").rsplit("/", 1)[-1]
    if workstream and local.startswith(workstream + "-"):
        local = local[len(workstream) + 1 :]
    if record.get("status") == Status.REMOVED.value:
        local += " (removed)"
    text = record.get("text") or record.get("name") or ""
    return _wrap(f"{local} · {shorten(text, 3 * _CHARACTERS_PER_LINE - len(local) - 8)}", _CHARACTERS_PER_LINE)


def _mapping_workstream_label(record: dict, count: int, linked: int) -> str:
    title = shorten(record.get("title") or record.get("name") or record["id"], 2 * _CHARACTERS_PER_LINE)
    return (
        _wrap(title, _CHARACTERS_PER_LINE - 4) + f"\n{count} recommendation{'s' if count != 1 else ''}, {linked} linked"
    )


# --------------------------------------------------------------------------------------------
# Records and layout


def _node_record(node_id: str, node: dict) -> dict:
    record = {"id": node_id, "type": node["type"], "label": _short_label(node_id, node)}
    for key in (
        "name",
        "title",
        "text",
        "number",
        "plan",
        "workstream",
        "parent",
        "response",
        "status",
        "statusText",
        "timescale",
        "addresseeText",
        "date",
        "url",
        "note",
        "licence",
        "source",
        "owners",
        "targetDates",
        "targetDateValues",
        "abbreviations",
        "publishers",
        "updates",
        "innerLinks",
    ):
        value = node.get(key)
        if value not in (None, "", []):
            record[key] = value
    if node["type"] == NodeType.PLAN.value:
        record["plan"] = node_id
    return record


def _short_label(node_id: str, node: dict) -> str:
    """Return the label drawn on the canvas: short, since the full text is in the tooltip and panel."""
    kind = node["type"]
    name = node.get("title") or node.get("name") or node_id
    if kind == NodeType.PLAN.value:
        return _wrap(shorten(name, 60), 22)
    if kind == NodeType.WORKSTREAM.value:
        return _wrap(shorten(name, 40), 18)
    if kind in (NodeType.RECOMMENDATION.value, NodeType.ACTION.value):
        # A short title: the item's number and the start of its text (the full text is in the panel).
        local = node_id.rsplit("/", 1)[-1]
        parent = node.get("parent") or node.get("workstream")
        if parent and local.startswith(parent.rsplit("/", 1)[-1] + "-"):
            local = local[len(parent.rsplit("/", 1)[-1]) + 1 :].replace("-", " ")
        text = " ".join((node.get("text") or node.get("title") or "").split())
        if not text:
            return local
        width = 26 if kind == NodeType.RECOMMENDATION.value else 28
        return _wrap(shorten(f"{local} · {text}", 2 * width - 4), width)
    abbreviations = node.get("abbreviations")
    if kind == NodeType.ORGANISATION.value and abbreviations:
        return sorted(abbreviations, key=len)[0]
    return _wrap(shorten(name, 34), 18)


def _wrap(text: str, width: int) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line] if line else lines)


def _edge_records(edges: list[dict], nodes: dict[str, dict]) -> list[dict]:
    kept = [edge for edge in edges if edge["from"] in nodes and edge["to"] in nodes]
    relation_order = {name: index for index, name in enumerate(RELATIONS)}
    kept.sort(
        key=lambda edge: (
            edge["from"],
            relation_order[edge["relation"]],
            edge["to"],
            edge.get("fromVia", ""),
            edge.get("toVia", ""),
            edge.get("quote", ""),
        )
    )
    return [dict(edge, id=f"e{index}") for index, edge in enumerate(kept, 1)]


_SPACING = 62.0
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def _seed_force_layout(nodes: list[dict], edges: list[dict]) -> None:
    """Give every node a starting position that already groups plans and workstreams.

    Each plan is a cluster: its node in the middle, items without a workstream around it, each
    workstream's items in a disc on a ring around that. Organisations, documents and programmes start
    at the centre of what they are linked to. The page lays the graph out itself; these positions
    mark the nodes linked to nothing (``loose``) and are where a node starts before the first layout.
    """
    by_id = {node["id"]: node for node in nodes}
    members_of = defaultdict(list)
    for node in nodes:
        if node.get("plan") and node["type"] not in REGISTRY_TYPES:
            members_of[node["plan"]].append(node)
    clusters = [_plan_cluster(plan, members_of[plan], by_id) for plan in sorted(members_of)]
    centres = _grid([radius for radius, _ in clusters])
    positions: dict[str, tuple[float, float]] = {}
    for (_radius, offsets), (cx, cy) in zip(clusters, centres, strict=False):
        for node_id, (dx, dy) in offsets.items():
            positions[node_id] = (cx + dx, cy + dy)
    registry = [node["id"] for node in nodes if node["id"] not in positions]
    adjacency = defaultdict(list)
    for edge in edges:
        adjacency[edge["from"]].append(edge["to"])
        adjacency[edge["to"]].append(edge["from"])
    for _ in range(3):
        for node_id in registry:
            placed = [positions[other] for other in adjacency[node_id] if other in positions and other != node_id]
            if placed and node_id not in positions:
                dx, dy = _jitter(node_id, _SPACING * 0.8)
                positions[node_id] = (
                    sum(x for x, _ in placed) / len(placed) + dx,
                    sum(y for _, y in placed) / len(placed) + dy,
                )
    unplaced = [node_id for node_id in registry if node_id not in positions and adjacency[node_id]]
    outer = max((math.hypot(x, y) for x, y in positions.values()), default=0.0) + 2 * _SPACING
    for index, node_id in enumerate(unplaced):
        angle = 2 * math.pi * index / len(unplaced)
        positions[node_id] = (outer * math.cos(angle), outer * math.sin(angle))
    # Nodes linked to nothing go in a grid below the graph (the page re-grids them once the layout settles).
    loose = sorted((node["id"] for node in nodes if node["id"] not in positions), key=lambda i: (by_id[i]["type"], i))
    bottom = max((y for _, y in positions.values()), default=0.0) + 3 * _SPACING
    left = min((x for x, _ in positions.values()), default=0.0)
    per_row = max(1, math.ceil(math.sqrt(len(loose) * 3)))
    for index, node_id in enumerate(loose):
        positions[node_id] = (left + (index % per_row) * _SPACING * 1.4, bottom + (index // per_row) * _SPACING)
        by_id[node_id]["loose"] = True
    for node_id, (x, y) in positions.items():
        by_id[node_id]["x"], by_id[node_id]["y"] = round(x), round(y)


def _plan_cluster(
    plan: str, members: list[dict], by_id: dict[str, dict]
) -> tuple[float, dict[str, tuple[float, float]]]:
    workstreams = sorted((m for m in members if m["type"] == NodeType.WORKSTREAM.value), key=_order_key)
    groups: dict[str | None, list[str]] = {None: []}
    for workstream in workstreams:
        groups[workstream["id"]] = [workstream["id"]]
    recommendations = sorted((m for m in members if m["type"] == NodeType.RECOMMENDATION.value), key=_order_key)
    actions = defaultdict(list)
    for member in members:
        if member["type"] == NodeType.ACTION.value:
            actions[member.get("parent")].append(member["id"])
    for recommendation in recommendations:
        group = recommendation.get("workstream") if recommendation.get("workstream") in groups else None
        groups[group] += [recommendation["id"], *sorted(actions.pop(recommendation["id"], []))]
    for leftover in actions.values():
        groups[None] += sorted(leftover)
    offsets: dict[str, tuple[float, float]] = {}
    if plan in by_id:
        offsets[plan] = (0.0, 0.0)
    centre = groups.pop(None)
    centre_radius = _disc(centre, offsets, 0.0, 0.0, skip_centre=plan in by_id)
    if not groups:
        return centre_radius + _SPACING, offsets
    disc_radii = {key: _SPACING * 0.62 * math.sqrt(len(ids)) + _SPACING * 0.5 for key, ids in groups.items()}
    ring = _ring(
        [2 * r + _SPACING for r in disc_radii.values()], min_radius=centre_radius + max(disc_radii.values()) + _SPACING
    )
    for ids, (x, y) in zip(groups.values(), ring, strict=False):
        _disc(ids, offsets, x, y, skip_centre=False)
    radius = max(math.hypot(x, y) for x, y in ring) + max(disc_radii.values())
    return radius, offsets


def _disc(ids: list[str], offsets: dict, cx: float, cy: float, skip_centre: bool) -> float:
    """Place ids on a sunflower spiral around (cx, cy); return the disc's radius."""
    radius = 0.0
    for index, node_id in enumerate(ids, 1 if skip_centre else 0):
        distance = _SPACING * 0.62 * math.sqrt(index + (0.5 if skip_centre else 0))
        angle = index * _GOLDEN_ANGLE
        offsets[node_id] = (cx + distance * math.cos(angle), cy + distance * math.sin(angle))
        radius = max(radius, distance)
    return radius


def _ring(widths: list[float], min_radius: float) -> list[tuple[float, float]]:
    """Return centres around a circle, each given an arc proportional to its width."""
    if len(widths) <= 1:
        return [(0.0, 0.0)] * len(widths)
    total = sum(widths)
    radius = max(total / (2 * math.pi), min_radius)
    centres, angle = [], -math.pi
    for width in widths:
        middle = angle + math.pi * width / total
        centres.append((radius * math.cos(middle), radius * math.sin(middle)))
        angle += 2 * math.pi * width / total
    return centres


def _grid(radii: list[float]) -> list[tuple[float, float]]:
    """Return centres for clusters of these radii in rows, wider than high (screens are landscape)."""
    if not radii:
        return []
    per_row = max(1, math.ceil(math.sqrt(len(radii) * 1.6)))
    cell = 2 * max(radii) + 4 * _SPACING
    rows = math.ceil(len(radii) / per_row)
    return [
        ((index % per_row - (min(per_row, len(radii)) - 1) / 2) * cell, (index // per_row - (rows - 1) / 2) * cell)
        for index in range(len(radii))
    ]


def _jitter(node_id: str, scale: float) -> tuple[float, float]:
    digest = hashlib.sha1(node_id.encode("utf-8")).digest()
    angle = digest[0] / 255 * 2 * math.pi
    distance = scale * (0.4 + 0.6 * digest[1] / 255)
    return distance * math.cos(angle), distance * math.sin(angle)


# --------------------------------------------------------------------------------------------
# The page


def render_html(
    store,
    *,
    plans: Iterable[str] = (),
    focus: str | None = None,
    depth: int | None = None,
    relations: Iterable[str] | None = None,
    mapping: tuple[str, str] | None = None,
    extra_edges: Iterable[ExtraEdge] = (),
) -> str:
    """Return the whole self-contained HTML page for the store (or a preset: see ``build_view``)."""
    view = build_view(
        store, plans=plans, focus=focus, depth=depth, relations=relations, mapping=mapping, extra_edges=extra_edges
    )
    return page_html(view)


def write_html(store, path: Path | str, **options) -> VizSummary:
    """Write the page for the store (or a preset: see ``build_view``) to ``path`` atomically; return a summary."""
    from ...files import write_text_atomically

    view = build_view(store, **options)
    text = page_html(view)
    write_text_atomically(path, text)
    return VizSummary(Path(path), len(view.nodes), len(view.edges), len(text.encode("utf-8")))


def mapping_drawing(store, from_plan: str, to_plan: str, relations: Iterable[str] | None = None) -> dict:
    """Return the mapping view's drawing (boxes, edge paths, groups, counts) for two plans, as the page draws it.

    Raises UnknownIdError for an unknown plan, VizOptionError when both plans are the same.
    """
    graph = _read_graph(store)
    plan_titles = _plan_titles(graph)
    _check_pair(plan_titles, from_plan, to_plan)
    relation_names = parse_relations(relations) if relations is not None else None
    return _drawing(graph, (from_plan, to_plan), plan_titles, relation_names)


def mapping_svg(store, from_plan: str, to_plan: str) -> str:
    """Return a standalone SVG of how ``from_plan``'s items map onto ``to_plan``'s workstreams (for slides).

    The drawing is the page's mapping view: same ordering, same boxes. Data text is escaped, never markup.
    Raises UnknownIdError for an unknown plan, VizOptionError when both plans are the same.
    """
    drawing = mapping_drawing(store, from_plan, to_plan)
    colours = {kind: style["color"] for kind, style in NODE_STYLES.items()}
    return drawing_svg(drawing, RELATION_STYLES, BASIS_STYLES, colours)


def write_mapping_image(store, path: Path | str, from_plan: str, to_plan: str) -> str:
    """Write the mapping of two plans to ``path`` as SVG (or PNG when rsvg-convert or cairosvg is at hand); return a report line.

    Raises VizOptionError for another suffix, or for PNG with no renderer installed.
    """
    from ...files import write_text_atomically

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise VizOptionError(f"--mapping writes .html, .svg or .png, not '{path.suffix or path.name}'")
    text = mapping_svg(store, from_plan, to_plan)
    if suffix == ".svg":
        write_text_atomically(path, text)
    else:
        _write_png(text, path)
    return f"Wrote {path}: how {from_plan} maps onto {to_plan} ({_human_size(path.stat().st_size)})"


def _write_png(svg_text: str, path: Path) -> None:
    import shutil
    import subprocess

    try:
        import cairosvg  # type: ignore[import-not-found]
    except ImportError:
        cairosvg = None
    if cairosvg is not None:
        cairosvg.svg2png(bytestring=svg_text.encode("utf-8"), write_to=str(path), scale=2)
        return
    converter = shutil.which("rsvg-convert")
    if converter is None:
        raise VizOptionError(
            "PNG needs rsvg-convert (apt install librsvg2-bin) or cairosvg (pip install cairosvg); write .svg instead"
        )
    subprocess.run([converter, "--zoom", "2", "--output", str(path)], input=svg_text.encode("utf-8"), check=True)


def _plan_titles(graph: _Graph) -> dict[str, str]:
    return {
        node_id: node.get("title") or node.get("name") or node_id
        for node_id, node in graph.nodes.items()
        if node["type"] == NodeType.PLAN.value
    }


def _check_pair(plan_titles: dict[str, str], from_plan: str, to_plan: str) -> None:
    if from_plan == to_plan:
        raise VizOptionError("--mapping needs two different plans")
    for plan in (from_plan, to_plan):
        if plan not in plan_titles:
            from ..text import did_you_mean

            raise UnknownIdError(
                f"no plan '{plan}'{did_you_mean(plan, plan_titles)} (plans: {', '.join(sorted(plan_titles))})"
            )


def _drawing(graph: _Graph, pair: tuple[str, str], plan_titles: dict[str, str], relations: list[str] | None) -> dict:
    left, right, edges = _mapping_parts(graph, pair, relations)
    nodes = {node_id: graph.nodes[node_id] for node_id in left | right}
    records = _edge_records(edges, nodes)
    captions = {name: style["caption"] for name, style in RELATION_STYLES.items()}
    return layout_mapping(nodes, records, pair[0], pair[1], plan_titles, captions)


def page_html(view: GraphView) -> str:
    """Return the HTML page for a view: vis-network, the app script and style, and the data, all inline."""
    vis_script, vis_style = vis_network_assets()
    app_script = _asset("crossplan-viz.js")
    app_style = _asset("crossplan-viz.css")
    scripts = [vis_script, app_script]
    for script in scripts:
        _check_inline(script, "script")
    for style in (vis_style, app_style):
        _check_inline(style, "style")
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode('utf-8')).digest()).decode()}'" for s in scripts
    )
    # No default source at all: the page can load nothing, connect nowhere, and only run its own two scripts.
    policy = (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
        "font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    replacements = {
        "POLICY": html.escape(policy, quote=True),
        "TITLE": html.escape(view.title),
        "VIS_STYLE": vis_style,
        "APP_STYLE": app_style,
        "DATA": script_json(_payload(view)),
        "VIS_SCRIPT": vis_script,
        "APP_SCRIPT": app_script,
    }
    template = _asset("page.html")
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda match: replacements[match.group(1)], template)


def script_json(value) -> str:
    """Return JSON that is safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and U+2028/2029 escaped.

    >>> script_json({"text": "</script><b>&\\u2028"})
    '{"text":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for character, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(character, escape)
    return text


def _payload(view: GraphView) -> dict:
    present_types = {node["type"] for node in view.nodes}
    present_relations = {edge["relation"] for edge in view.edges}
    return {
        "title": view.title,
        "subtitle": view.subtitle,
        "layout": view.layout,
        "columns": view.columns,
        "plans": view.plans,
        "selected": view.selected,
        "planSources": view.plan_sources,
        "mappings": view.mappings,
        "initial": view.initial,
        "depth": view.depth,
        "omitted": _omitted(view.nodes),
        "style": {
            "types": {kind: style for kind, style in NODE_STYLES.items() if kind in present_types},
            "relations": {name: style for name, style in RELATION_STYLES.items() if name in present_relations},
            "bases": BASIS_STYLES,
            "statuses": [status.value for status in Status],
            "responses": [response.value for response in Response],
            "registryTypes": sorted(REGISTRY_TYPES),
            "statusTypes": sorted(_STATUS_TYPES),
        },
        "nodes": view.nodes,
        "edges": view.edges,
    }


def _omitted(nodes: list[dict]) -> list[dict]:
    """Count the links the graph cannot draw as lines: both ends fold into one item (update to update)."""
    counts: dict[str, int] = defaultdict(int)
    for node in nodes:
        for edge in node.get("innerLinks", ()):
            counts[edge["relation"]] += 1
    return [
        {
            "relation": relation,
            "count": count,
            "why": "join two updates (or an update and its item) of one item: listed in that item's panel, not drawn",
        }
        for relation, count in sorted(counts.items())
    ]


def _asset(name: str) -> str:
    return (files(__name__) / _ASSETS / name).read_text(encoding="utf-8")


def vis_network_assets() -> tuple[str, str]:
    """Return vis-network's script and style as shipped inside the installed ``pyvis`` package.

    The style keeps only the rules for what the page uses (tooltips, overlay): the navigation buttons,
    editing toolbar and configurator it otherwise styles are not enabled, and their inline icons are
    most of its 220 kB.
    """
    # find_spec locates the package without importing it (importing pyvis pulls in IPython: a second).
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise CrossplanError("pyvis is not installed: pip install pyvis")
    root = Path(list(spec.submodule_search_locations)[0]) / "lib"
    versions = []
    for entry in root.iterdir():
        match = re.fullmatch(r"vis-(\d+)\.(\d+)\.(\d+)", entry.name)
        if match and (entry / "vis-network.min.js").is_file():
            versions.append((tuple(int(part) for part in match.groups()), entry))
    if not versions:
        raise CrossplanError(
            "pyvis is installed without vis-network (pyvis/lib/vis-*/vis-network.min.js): reinstall pyvis"
        )
    directory = max(versions)[1]
    script = (directory / "vis-network.min.js").read_text(encoding="utf-8")
    script = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", script)
    style = (directory / "vis-network.css").read_text(encoding="utf-8")
    unused = re.compile(
        r"vis-(configuration|config|manipulation|navigation|color-picker|edit|button|close|label|separator"
        r"|new-color|initial-color|opacity|brightness|range|selector|arrow|zoom|up|down|left|right|connect"
        r"|delete|back|none)\b"
    )
    rules = re.findall(r"[^{}]+\{[^{}]*\}", style)
    style = "".join(rule for rule in rules if not unused.search(rule.split("{", 1)[0]))
    return script, style


def _check_inline(text: str, tag: str) -> None:
    """Refuse text that would end its inline element early (cannot happen with the shipped assets)."""
    lowered = text.lower()
    if f"</{tag}" in lowered or "<!--" in lowered:
        raise CrossplanError(f"cannot inline a {tag} that contains '</{tag}' or '<!--'")


def _human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
