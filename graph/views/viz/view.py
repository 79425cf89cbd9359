"""What one page shows: the presets that cut the graph down, and the mapping of one plan onto another.

``build_view`` reads the graph (``reading``), adds any extra edges, and cuts it to a preset: some plans, some
relations, the neighbourhood of one node (``focus``/``depth``), or two plans side by side (``mapping``). Two plans
side by side, on the page or as a drawing, read only those plans and what is one hop from them (``read_pair``). The
mapping drawings (``mapping.layout_mapping``) of the linked plan pairs travel with the page.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...errors import UnknownIdError, VizOptionError
from ...model.nodes import Basis, NodeType, Relation, Status, shorten
from ...questions.ids import resolve_id
from ...questions.mapping import Mapping, find_mapping
from ...questions.plans import plan_short_titles
from ...text import did_you_mean
from .layout import record_edges, record_node, seed_force_layout, wrap_words
from .mapping import layout_mapping, layout_variants
from .overview import layout_overview, plan_pairs
from .reading import StoreGraph, attach_edge, edge_order, order_key, read_graph, read_pair
from .styles import BASIS_STYLES, PART_OF, REGISTRY_TYPES, RELATION_STYLES, RELATIONS

if TYPE_CHECKING:
    from ...stores.protocol import GraphStore


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
    overview: dict | None = None
    initial: dict = field(default_factory=lambda: {"view": "graph"})
    depth: int | None = None


def _add_extra_edges(graph: StoreGraph, extra_edges: Iterable[ExtraEdge]) -> None:
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
        attach_edge(edge, graph.nodes, graph.edges)


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
    return f"{did_you_mean(word, choices)}; choose from {', '.join(choices)}"


def build_view(
    store: GraphStore,
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

    extra_edges = list(extra_edges)
    if mapping is not None:  # two plans: read them and what is one hop away, not the whole graph
        graph = read_pair(store, mapping, also=[end for extra in extra_edges for end in (extra.source, extra.target)])
        try:
            _add_extra_edges(graph, extra_edges)
        except UnknownIdError:
            _add_extra_edges(read_graph(store), extra_edges)  # says which node is meant among all of them
            raise
    else:
        graph = read_graph(store)
        _add_extra_edges(graph, extra_edges)
    plan_titles = _plan_titles(graph)
    for plan in [*plans, *(mapping or ())]:
        if plan not in plan_titles:
            raise UnknownIdError(
                f"no plan '{plan}'{did_you_mean(plan, plan_titles)} (plans: {', '.join(sorted(plan_titles))})"
            )
    focus_id = _resolve_focus(store, graph, focus) if focus else None
    view = (
        _mapping_view(graph, mapping, relation_names, plan_titles)
        if mapping is not None
        else _preset_view(graph, plans, relation_names, focus_id, depth, plan_titles)
    )
    view.plan_sources = {
        plan: graph.nodes[plan]["source"] for plan in sorted(plan_titles) if graph.nodes[plan].get("source")
    }
    if mapping is not None:
        view.mappings = [
            _drawing(graph, pair, plan_titles, relation_names, variants=True) for pair in (mapping, mapping[::-1])
        ]
        view.initial = {"view": "mapping", "from": mapping[0], "to": mapping[1]}
    elif not plans and not focus and relation_names is None:
        view.mappings = _linked_pairs(graph, plan_titles)
        if view.mappings:
            view.initial = {"view": "mapping", "from": view.mappings[0]["from"], "to": view.mappings[0]["to"]}
    if mapping is None and not plans and not focus and relation_names is None and len(plan_titles) >= 2:
        view.overview = _overview(graph, plan_titles, plan_short_titles(store))
        if len(plan_titles) > 2:
            # Many plans: start from which plans link to which; with two, the mapping is the answer.
            view.initial = {"view": "plans"}
    return view


def _overview(graph: StoreGraph, plan_titles: dict[str, str], short_titles: dict[str, str]) -> dict:
    items: dict[str, int] = defaultdict(int)
    for node in graph.nodes.values():
        if node["type"] in (NodeType.RECOMMENDATION.value, NodeType.ACTION.value) and node.get("plan") in plan_titles:
            items[node["plan"]] += 1
    plans = [
        {"id": plan, "label": short_titles.get(plan, plan), "title": title, "items": items[plan]}
        for plan, title in sorted(plan_titles.items())
    ]
    return layout_overview(plans, plan_pairs(graph.nodes, graph.edges, list(plan_titles)))


MAPPING_PAIRS = 24
"""The most plan pairs (each direction counts) whose mapping a page carries: the most linked first."""


def _linked_pairs(graph: StoreGraph, plan_titles: dict[str, str]) -> list[dict]:
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
        low, high = sorted((source, target))
        totals[(low, high)] += count
    ranked = sorted(totals, key=lambda pair: (-totals[pair], pair))
    drawings = []
    for low, high in ranked[: MAPPING_PAIRS // 2]:
        first = (low, high) if forward[(low, high)] >= forward[(high, low)] else (high, low)
        for pair in (first, first[::-1]):
            drawings.append(_drawing(graph, pair, plan_titles, None, variants=True))
    return drawings


def _preset_view(
    graph: StoreGraph,
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
    node_records = [record_node(node_id, nodes[node_id]) for node_id in sorted(nodes)]
    edge_records = record_edges(edges, nodes)
    seed_force_layout(node_records, edge_records)
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


def _resolve_focus(store: GraphStore, graph: StoreGraph, text: str) -> str:
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


# --------------------------------------------------------------------------------------------
# Two plans side by side


def _mapping_parts(
    graph: StoreGraph, mapping: tuple[str, str], relations: list[str] | None
) -> tuple[set, set, list[dict]]:
    """Return the two plans' workstreams and recommendations and the links between them, placed as
    ``questions.mapping.find_mapping`` places them (the one mapping computation: a link of an action or update is
    drawn from its recommendation), and any proposed link not in the store placed the same way."""
    sides = []
    for plan in mapping:
        members = [
            node_id
            for node_id, node in graph.nodes.items()
            if node.get("plan") == plan and node["type"] in (NodeType.WORKSTREAM.value, NodeType.RECOMMENDATION.value)
        ]
        sides.append(set(members))
    left, right = sides
    stored: dict[tuple[str, str, str, str], dict] = {}
    proposed = []
    for edge in graph.edges:
        if edge.get("proposed"):
            proposed.append(edge)
        else:
            key = (edge.get("fromVia", edge["from"]), edge.get("toVia", edge["to"]), edge["relation"], edge["basis"])
            if key not in stored or edge_order(edge) < edge_order(stored[key]):
                stored[key] = edge
    edges = []
    computed = pair_mapping(graph, mapping)
    for link in [link for row in computed.rows for link in row.links] + computed.other_links:
        if relations is not None and link.relation not in relations:
            continue
        source, target = (link.from_node, link.to_node) if link.direction == "out" else (link.to_node, link.from_node)
        drawn = stored.get((source, target, link.relation, link.basis))  # the very link the mapping counts
        near = link.from_recommendation or link.from_node
        far = link.recommendation or link.workstream or link.to_node
        if drawn is None or near not in left or far not in right:
            continue  # both ends folded into one item, or an end the drawing has no box for (a plan as a whole)
        start, end = (near, far) if link.direction == "out" else (far, near)
        moved = dict(drawn, **{"from": start, "to": end})
        moved.pop("fromVia", None)
        moved.pop("toVia", None)
        if source != start:
            moved["fromVia"] = source
        if target != end:
            moved["toVia"] = target
        edges.append(moved)
    edges += _proposed_between(graph, proposed, left, right, relations)
    return left, right, edges


def pair_mapping(graph: StoreGraph, pair: tuple[str, str]) -> Mapping:
    """Return ``find_mapping`` of two plans of the graph's store, asked once per pair however many views draw it."""
    if pair not in graph.mappings:
        if graph.store is None:
            raise VizOptionError("the mapping of two plans needs the store the graph was read from")
        graph.mappings[pair] = find_mapping(graph.store, *pair)
    return graph.mappings[pair]


def _proposed_between(
    graph: StoreGraph, proposed: list[dict], left: set, right: set, relations: list[str] | None
) -> list[dict]:
    """Place links proposed for review (not in the store) as the mapping places stored ones: an action's on its
    recommendation."""

    def anchor(node_id: str) -> str:
        seen = set()
        while node_id in graph.nodes and graph.nodes[node_id]["type"] == NodeType.ACTION.value and node_id not in seen:
            seen.add(node_id)
            node_id = graph.nodes[node_id].get("parent") or node_id
        return node_id

    edges = []
    for edge in proposed:
        if relations is not None and edge["relation"] not in relations:
            continue
        source, target = anchor(edge["from"]), anchor(edge["to"])
        if (source in left and target in right) or (source in right and target in left):
            moved = dict(edge, **{"from": source, "to": target})
            if source != edge["from"]:
                moved["fromVia"] = edge.get("fromVia", edge["from"])
            if target != edge["to"]:
                moved["toVia"] = edge.get("toVia", edge["to"])
            edges.append(moved)
    return edges


def _mapping_view(
    graph: StoreGraph, mapping: tuple[str, str], relations: list[str] | None, plan_titles: dict[str, str]
) -> GraphView:
    """Lay out two plans side by side with only the links between them."""
    left, right, edges = _mapping_parts(graph, mapping, relations)
    sides = [left, right]
    nodes = {node_id: graph.nodes[node_id] for node_id in left | right}
    node_records = {node_id: record_node(node_id, nodes[node_id]) for node_id in sorted(nodes)}
    edge_records = record_edges(edges, nodes)
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
        counts: dict[str, int] = defaultdict(int)
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
        (m for m in members if nodes[m]["type"] == NodeType.WORKSTREAM.value), key=lambda m: order_key(nodes[m])
    )
    recommendations = sorted(
        (m for m in members if nodes[m]["type"] == NodeType.RECOMMENDATION.value), key=lambda m: order_key(nodes[m])
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
    return wrap_words(f"{local} · {shorten(text, 3 * _CHARACTERS_PER_LINE - len(local) - 8)}", _CHARACTERS_PER_LINE)


def _mapping_workstream_label(record: dict, count: int, linked: int) -> str:
    title = shorten(record.get("title") or record.get("name") or record["id"], 2 * _CHARACTERS_PER_LINE)
    return (
        wrap_words(title, _CHARACTERS_PER_LINE - 4)
        + f"\n{count} recommendation{'s' if count != 1 else ''}, {linked} linked"
    )


def mapping_drawing(store: GraphStore, from_plan: str, to_plan: str, relations: Iterable[str] | None = None) -> dict:
    """Return the mapping view's drawing (boxes, edge paths, groups, counts) for two plans, as the page draws it.

    Raises UnknownIdError for an unknown plan, VizOptionError when both plans are the same.
    """
    return mapping_drawings(store, [(from_plan, to_plan)], relations)[0]


def mapping_drawings(
    store: GraphStore,
    pairs: Iterable[tuple[str, str]],
    relations: Iterable[str] | None = None,
    known: dict[tuple[str, str], Mapping] | None = None,
    **layout: Any,
) -> list[dict]:
    """Return the drawings of several pairs of plans (``mapping_drawing`` of each), reading those plans once.

    ``layout`` passes ``layout_mapping``'s options (``column_width``, ``gap``, ``fold``, ``beside``); ``known``,
    mappings of the store already asked for (``find_mapping`` by (from, to)), which are not asked again.

    Raises UnknownIdError for an unknown plan, VizOptionError when a pair names the same plan twice.
    """
    pairs = list(pairs)
    graph = read_pair(store, [plan for pair in pairs for plan in pair])
    graph.mappings.update(known or {})
    plan_titles = _plan_titles(graph)
    for from_plan, to_plan in pairs:
        _check_pair(plan_titles, from_plan, to_plan)
    relation_names = parse_relations(relations) if relations is not None else None
    return [_drawing(graph, pair, plan_titles, relation_names, layout=layout) for pair in pairs]


def _plan_titles(graph: StoreGraph) -> dict[str, str]:
    """Return every plan's title by its id, in id order (whatever order the graph was read in)."""
    return {
        node_id: node.get("title") or node.get("name") or node_id
        for node_id, node in sorted(graph.nodes.items())
        if node["type"] == NodeType.PLAN.value
    }


def _check_pair(plan_titles: dict[str, str], from_plan: str, to_plan: str) -> None:
    if from_plan == to_plan:
        raise VizOptionError("--mapping needs two different plans")
    for plan in (from_plan, to_plan):
        if plan not in plan_titles:
            raise UnknownIdError(
                f"no plan '{plan}'{did_you_mean(plan, plan_titles)} (plans: {', '.join(sorted(plan_titles))})"
            )


def _drawing(
    graph: StoreGraph,
    pair: tuple[str, str],
    plan_titles: dict[str, str],
    relations: list[str] | None,
    variants: bool = False,
    layout: dict[str, Any] | None = None,
) -> dict:
    left, right, edges = _mapping_parts(graph, pair, relations)
    nodes = {node_id: graph.nodes[node_id] for node_id in left | right}
    records = record_edges(edges, nodes)
    captions = {name: style["caption"] for name, style in RELATION_STYLES.items()}
    if variants:
        drawing = layout_variants(nodes, records, pair[0], pair[1], plan_titles, captions)
    else:
        drawing = layout_mapping(nodes, records, pair[0], pair[1], plan_titles, captions, **(layout or {}))
    # The answer in words, whole, above the drawing (the page) or under its title (the SVG).
    mapping = pair_mapping(graph, pair)
    drawing["headline"] = mapping.summary.headline
    # Short names for the heading, so that it reads whole ("How HMIP resettlement maps onto YJ Blueprint").
    drawing["fromShort"], drawing["toShort"] = mapping.from_short_title, mapping.to_short_title
    return drawing
