"""Records and layout for the full graph: the JSON records the page draws, and where each node starts.

``node_record`` and ``edge_records`` turn the graph read from the store into the page's plain records (short
canvas labels, stable edge ids). ``seed_force_layout`` gives every node a starting position that already groups
each plan (its workstreams as discs on a ring around it) and the registry around what it is linked to; the
page's own layout starts from there.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict

from ...model.nodes import NodeType, shorten
from .reading import order_key
from .styles import REGISTRY_TYPES, RELATIONS


def record_node(node_id: str, node: dict) -> dict:
    """Return the page's record for a node: its id, type, canvas label and every field it has a value for."""
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
        return wrap_words(shorten(name, 60), 22)
    if kind == NodeType.WORKSTREAM.value:
        return wrap_words(shorten(name, 40), 18)
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
        return wrap_words(shorten(f"{local} · {text}", 2 * width - 4), width)
    abbreviations = node.get("abbreviations")
    if kind == NodeType.ORGANISATION.value and abbreviations:
        return sorted(abbreviations, key=len)[0]
    return wrap_words(shorten(name, 34), 18)


def wrap_words(text: str, width: int) -> str:
    """Break text into lines of at most ``width`` characters (a longer word keeps its own line)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line] if line else lines)


def record_edges(edges: list[dict], nodes: dict[str, dict]) -> list[dict]:
    """Return the edges between ``nodes`` in a stable order, each with its page id (``e1``, ``e2``, ...)."""
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


def seed_force_layout(nodes: list[dict], edges: list[dict]) -> None:
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
    workstreams = sorted((m for m in members if m["type"] == NodeType.WORKSTREAM.value), key=order_key)
    groups: dict[str | None, list[str]] = {None: []}
    for workstream in workstreams:
        groups[workstream["id"]] = [workstream["id"]]
    recommendations = sorted((m for m in members if m["type"] == NodeType.RECOMMENDATION.value), key=order_key)
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
