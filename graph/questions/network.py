"""What an item feeds into, and how two nodes are connected: ``find_impact`` and ``find_paths`` with their formatters.

Both move along the links with ``store.walk()`` (``stores/walk.py``: the embedded store's indexes, or on a SPARQL
server the whole graph read once): ``impact`` is a breadth-first search from the item, ``path`` searches outward from
both ends only as far as the chains it may return can reach (``tests/questions/test_answers.py`` checks the answers
against those captured before the walk existed).

- ``find_impact(store, id, direction, depth)``: what an item feeds into (downstream) or is fed by (upstream);
- ``find_paths(store, a, b)``: the chains of links that connect two nodes, shortest first.

Duplicate groups are ``duplicates.py``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from ..errors import CrossplanError
from ..model.nodes import BASIS_WORDS, Relation, RelationClass, relation_class, relation_words
from ..output import counted, render_csv, render_json, render_table, terminal_width, wrapped_lines
from ..stores.walk import links_between, neighbours
from .ids import resolve_id
from .owners import node_texts
from .summary import count_links, say_link_counts

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore
    from ..stores.walk import Walk

IMPACT_RELATIONS = ("feeds-into", "delegated-to")
"""The relations along which work flows: A feeds into B, A is taken forward by B."""


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
    text: str | None = None
    """The whole text (``label`` may be shortened)."""


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
    not_followed: dict[str, dict[str, int]] = field(default_factory=dict)
    """The item's (and its parts') other links, by class and basis: overlaps and citations are not work flowing."""
    text: str | None = None
    """The item's whole text (``label`` may be shortened)."""


def _impact_along(
    store: GraphStore,
    node_id: str,
    direction: str = "downstream",
    depth: int | None = None,
    relations: tuple[str, ...] = (),
) -> Impact:
    """Return what ``node_id`` feeds into (``downstream``) or is fed by (``upstream``), up to ``depth`` links away.

    Work flows along ``relations`` (none given: feeds-into and delegated-to, ``IMPACT_RELATIONS``). The links of the item's own
    actions and updates count as the item's. Ordered by distance, then id; ``depth`` None means no limit.
    """
    if direction not in ("downstream", "upstream"):
        raise CrossplanError(f"direction must be downstream or upstream, not '{direction}'")
    relations = tuple(relations) or IMPACT_RELATIONS
    if depth is not None and depth < 1:
        raise CrossplanError("--depth must be 1 or more")
    unknown = sorted(set(relations) - set(Relation.spellings()))
    if unknown:
        raise CrossplanError(f"unknown relation '{unknown[0]}' (one of: {', '.join(Relation.spellings())})")
    global_id = resolve_id(store, node_id)
    return _walk_impact(store.walk(), global_id, direction, depth, relations)


def _walk_impact(walk: Walk, global_id: str, direction: str, depth: int | None, relations: tuple[str, ...]) -> Impact:
    """Breadth-first search from the item and its parts, one index look-up per node and relation."""
    starts = [global_id] + walk.parts_of(global_id)
    impact = Impact(global_id, walk.about(global_id).get("label"), direction, depth, list(relations), starts[1:])
    visited = set(starts)
    layer = list(dict.fromkeys(starts))
    steps = 0
    while layer:
        steps += 1
        if depth is not None and steps > depth:
            break
        reached: dict[str, dict[str, str]] = {}  # node -> {node of the previous layer: least relation to it}
        for node in layer:
            for relation in sorted(relations):
                ends = walk.targets(node, relation) if direction == "downstream" else walk.sources(relation, node)
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
            about = walk.about(node)
            impact.items.append(
                ImpactItem(
                    node,
                    about.get("type"),
                    about.get("label"),
                    about.get("plan"),
                    steps,
                    via,
                    relation,
                    walk.basis(source, relation, target),
                )
            )
        visited.update(reached)
        layer = sorted(reached)
    return impact


def format_impact(impact: Impact, output_format: str = "table", width: int | None = None) -> str:
    """Render an impact as a table (grouped by distance), CSV or JSON."""
    if output_format == "json":
        return render_json(asdict(impact)) + "\n"
    columns = ["distance", "id", "type", "plan", "relation", "via", "basis", "label", "text"]
    if output_format == "csv":
        return render_csv(columns, [[getattr(item, name) for name in columns] for item in impact.items])
    downstream = impact.direction == "downstream"
    flows = all(relation_class(relation) is RelationClass.DEPENDENCY for relation in impact.relations)
    verb = ("feeds into" if downstream else "is fed by") if flows else ("reaches" if downstream else "is reached from")
    limit = f" within {counted(impact.depth, 'link')}" if impact.depth else ""
    along = " and ".join(impact.relations)
    found = counted(len(impact.items), "item") if impact.items else "nothing"
    heading = f"{impact.id} {verb} {found}{limit} (along {along} links)"
    if impact.starts:
        heading += "; its actions and updates count as its own"
    width = width or terminal_width()
    lines = wrapped_lines(heading + ".", width, "")
    if impact.items:
        bases: dict[str, int] = {}
        for item in impact.items:
            bases[item.basis or ""] = bases.get(item.basis or "", 0) + 1
        lines += wrapped_lines(
            "The links followed: "
            + ", ".join(
                f"{number} {BASIS_WORDS.get(basis, basis or 'of no stated basis')}" for basis, number in bases.items()
            )
            + ".",
            width,
            "",
        )
    if impact.not_followed:
        lead = (
            ""
            if impact.items
            else f"No {' or '.join(impact.relations)} link leads {'from' if downstream else 'to'} it. "
        )
        lines += wrapped_lines(
            f"{lead}Its other links, not followed: {say_link_counts(impact.not_followed)}. An overlap or a "
            f"citation is not a dependency (crossplan show {impact.id}).",
            width,
            "",
        )
    if not impact.items:
        return "\n".join(lines) + "\n"
    # "via" is worth showing only where it is not the item itself
    vias = ["" if item.via == impact.id else item.via for item in impact.items]
    headers = ["hops", "item", "relation"] + (["via"] if any(vias) else []) + ["label"]
    rows = [
        [item.distance, item.id, relation_words(item.relation, downstream)]
        + ([via] if any(vias) else [])
        + [item.label]
        for item, via in zip(impact.items, vias, strict=False)
    ]
    return "\n".join(lines) + "\n\n" + render_table(headers, rows, width, max_lines=2) + "\n"


def find_impact(
    store: GraphStore,
    node_id: str,
    direction: str = "downstream",
    depth: int | None = None,
    relations: tuple[str, ...] = IMPACT_RELATIONS,
) -> Impact:
    """Return what ``node_id`` feeds into (``downstream``) or is fed by (``upstream``), up to ``depth`` links away.

    Work flows along ``relations`` (feeds-into and delegated-to by default). The links of the item's own
    actions and updates count as the item's. Ordered by distance, then id; ``depth`` None means no limit.
    ``not_followed`` counts the item's other links by class and basis, so that an answer of "nothing" can say
    what the item does have (an overlap is not a dependency).
    """
    impact = _impact_along(store, node_id, direction, depth, relations)
    impact.not_followed = count_links(store, [impact.id, *impact.starts], impact.relations)
    texts = node_texts(store, [impact.id, *(item.id for item in impact.items)])
    impact.text = texts.get(impact.id)
    for item in impact.items:
        item.text = texts.get(item.id)
    return impact


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
    texts: dict[str, str] = field(default_factory=dict)
    """The whole text of each node on the chains that has one (its label may be shortened)."""


def find_paths(store: GraphStore, first: str, second: str, max_length: int = 6, limit: int = 10) -> Paths:
    """Return up to ``limit`` chains of links (followed in either direction) that connect two nodes.

    Chains run along every dependency link and the part-of structure (an action or update to its parent,
    a recommendation to its workstream), never through organisations. Shortest first, at most
    ``max_length`` links each; ties are ordered by the ids along the chain.
    """
    if max_length < 1 or limit < 1:
        raise CrossplanError("--max-length and --limit must be 1 or more")
    source, target = resolve_id(store, first), resolve_id(store, second)
    if source == target:
        raise CrossplanError(f"'{source}' is both ends: give two different nodes")
    paths = _walk_paths(store.walk(), source, target, max_length, limit)
    paths.texts = node_texts(store, paths.labels)
    return paths


def _walk_paths(walk: Walk, source: str, target: str, max_length: int, limit: int) -> Paths:
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
                for other in neighbours(walk, node):
                    distances.setdefault(other, radius + 1)
        if all(node in expanded for distances in ends.values() for node in distances):
            # every node seen has had its links read: the ends' components are in hand, and longer chains with them
            found = _simple_paths(walk, expanded, source, target, max_length)
            break
        found = _simple_paths(walk, expanded, source, target, length)
        if len(found) >= limit:
            break
    found.sort(key=lambda nodes: (len(nodes), nodes))
    for nodes in found[:limit]:
        steps = []
        for u, v in pairwise(nodes):
            links = links_between(walk, u, v)
            forward = [relation for a, relation, b in links if a == u]
            backward = [relation for a, relation, b in links if a == v]
            steps.append(PathStep(u, v, sorted(forward or backward), bool(forward)))
        result.paths.append(Path(nodes, steps))
    result.labels = {node: walk.about(node).get("label") for path in result.paths for node in path.nodes}
    return result


def _simple_paths(walk: Walk, expanded: set[str], source: str, target: str, length: int) -> list[list[str]]:
    """Return every chain of at most ``length`` links from source to target over the links of ``expanded`` nodes."""
    adjacent: dict[str, set[str]] = {}
    for node in expanded:
        for other in neighbours(walk, node):
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


def format_paths(paths: Paths, output_format: str = "table", width: int | None = None) -> str:
    """Render paths as numbered chains (``a —feeds into→ b —overlaps— c``), CSV (one row per step) or JSON."""
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
        return f"No chain of at most {counted(paths.max_length, 'link')} connects {paths.source} and {paths.target}.\n"
    width = width or terminal_width()
    count = len(paths.paths)
    lines = [f"{count} chain{'s connect' if count != 1 else ' connects'} {paths.source} and {paths.target}", ""]
    for number, path in enumerate(paths.paths, start=1):
        text = path.nodes[0]
        for step in path.steps:
            relation = "/".join(relation_words(name) for name in step.relations)
            symmetric = all(relation_class(name) is RelationClass.OVERLAP for name in step.relations)
            if symmetric:
                text += f" —{relation}— {step.target}"
            else:
                text += f" —{relation}→ {step.target}" if step.forward else f" ←{relation}— {step.target}"
        lines += _wrap_chain(f"{number}. {text}", width)
    lines += ["", "Nodes:"]
    for node in sorted(paths.labels):
        lines += _wrap_chain(f"  {node}: {paths.labels[node] or ''}".rstrip(), width)
    return "\n".join(lines) + "\n"


def _wrap_chain(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, subsequent_indent="     ", break_on_hyphens=False) or [""]
