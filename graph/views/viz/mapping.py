"""The plan-to-plan mapping drawn for reading: one layout for the page and for the standalone SVG.

The left column holds the source plan's items that link to the target plan (number and short text),
ordered to cross as few lines as possible; the right column holds the target plan, workstream by
workstream (title, then its items). Edges leave a box's right side and enter the other's left side,
so they run only through the gap between the columns and never under a box. Items with no link are
listed apart, under a heading that states the finding.

Every coordinate is in CSS pixels at scale 1; the page draws the same boxes and paths as the SVG (``svg``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ...model.nodes import NodeType, Status, shorten

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, 'DejaVu Sans', sans-serif"
FONT_PX = 13
"""Item text size; headings are larger. At the page's initial fit nothing is drawn below 12 px."""
HEADING_PX = 14
TITLE_PX = 15
LINE = 16
PAD_X, PAD_Y = 8, 5
COLUMN_WIDTH = 380
GAP = 270
"""Width of the channel between the columns, where every edge runs."""
ITEM_GAP, GROUP_GAP = 3, 10
TOP = 46
"""Room above the columns for their headings."""
MARGIN = 10
_CHAR_PX = 0.56 * FONT_PX  # a generous average glyph width, so that wrapped lines fit their box
COMPACT_COLUMN, COMPACT_GAP = 280, 110
"""The narrow variant's column and channel widths: it fits a 700 px wide area at 12 px text."""

BOX_COLOURS: dict[str, tuple[str, str, str, str]] = {
    # kind: (fill, border, text colour, legend caption); every text colour is at least 4.5:1 on its fill.
    "item": ("#e8f1fa", "#0072b2", "#111827", "item with a link"),
    "target": ("#e8f1fa", "#0072b2", "#111827", "item with a link"),
    "target-unlinked": ("#f6f7f9", "#9aa3af", "#4b5563", "item with no link"),
    "workstream": ("#00795a", "#005a43", "#ffffff", "workstream with a link"),
    "workstream-unlinked": ("#d9efe7", "#5fae94", "#1f2937", "workstream with links to its items"),
    "workstream-folded": ("#ffffff", "#5fae94", "#1f2937", "workstream with no link (folded)"),
    "unmapped": ("#ffffff", "#b7791f", "#374151", "item with no link to the other plan"),
}
"""The boxes' colours, one entry per kind of box: the page, the SVG and the legend read them here."""


def layout_mapping(
    nodes: dict[str, dict],
    edges: list[dict],
    from_plan: str,
    to_plan: str,
    plan_titles: dict[str, str],
    relation_captions: dict[str, str],
    *,
    column_width: int = COLUMN_WIDTH,
    gap: int = GAP,
    fold: bool = True,
    beside: bool = False,
) -> dict:
    """Return the drawing of the links between two plans: boxes, edge paths, groups, headings and counts.

    ``nodes`` maps global ids to node records (``type``, ``plan``, ``workstream``, ``text``, ...), ``edges``
    are the links between the two plans (already moved from actions to their recommendations).
    ``column_width`` and ``gap`` size the two columns and the channel between them; with ``fold``, a
    workstream none of whose items is linked is drawn as one row ("Prevention — no link, 5 items"). The
    source items with no link are listed under the linked ones, or ``beside`` the target column (a wider,
    lower drawing: for a 16:9 slide or a landscape page).
    """
    left_ids = [node_id for node_id, node in nodes.items() if node.get("plan") == from_plan]
    right_ids = [node_id for node_id, node in nodes.items() if node.get("plan") == to_plan]
    left_set, right_set = set(left_ids), set(right_ids)
    links = []
    for edge in edges:
        if edge["from"] in left_set and edge["to"] in right_set:
            links.append((edge["from"], edge["to"], edge))
        elif edge["from"] in right_set and edge["to"] in left_set:
            links.append((edge["to"], edge["from"], edge))
    linked_left = {left for left, _, _ in links}
    linked_right = {right for _, right, _ in links}

    boxes: dict[str, dict] = {}
    groups: list[dict] = []
    x_right = MARGIN + column_width + gap
    folded: dict[str, list[str]] = {}
    # Right column: the target plan by workstream, in the plan's order.
    y = TOP
    for group_id, title, members in _right_groups(nodes, right_ids):
        linked_members = sum(1 for member in members if member in linked_right)
        group_top = y
        member_ids = []
        fold_here = fold and group_id is not None and not linked_members and group_id not in linked_right
        if group_id is not None:
            count = f"{len(members)} item{'s' if len(members) != 1 else ''}"
            header = f"{title} — no link, {count}" if fold_here else f"{title} · {linked_members} of {count} linked"
            boxes[group_id] = _box(
                group_id,
                "workstream",
                x_right,
                y,
                _lines(header, HEADING_PX, 2, bold=True, width=column_width),
                HEADING_PX,
                linked=group_id in linked_right,
                width=column_width,
            )
            if fold_here:
                boxes[group_id]["folded"] = list(members)
                folded[group_id] = list(members)
            member_ids.append(group_id)
            y += boxes[group_id]["height"] + ITEM_GAP
        for member in [] if fold_here else members:
            linked = member in linked_right
            lines = _lines(_item_text(nodes[member], member), FONT_PX, 2, width=column_width)
            boxes[member] = _box(member, "target", x_right, y, lines, FONT_PX, linked=linked, width=column_width)
            member_ids.append(member)
            y += boxes[member]["height"] + ITEM_GAP
        if group_id is not None:
            groups.append(
                {
                    "id": group_id,
                    "x": x_right - 4,
                    "y": group_top - 4,
                    "width": column_width + 8,
                    "height": y - ITEM_GAP - group_top + 8,
                    "members": member_ids,
                    "title": title,
                    **({"folded": list(members)} if fold_here else {}),
                }
            )
        y += GROUP_GAP
    right_bottom = y - GROUP_GAP

    # Left column: the source plan's linked items, ordered and placed beside their targets.
    rank = {node_id: index for index, node_id in enumerate(sorted(boxes, key=lambda i: boxes[i]["y"]))}
    document_order = sorted(left_ids, key=lambda i: _order_key(nodes[i]))
    mapped = [node_id for node_id in document_order if node_id in linked_left]
    unmapped = [
        node_id
        for node_id in document_order
        if node_id not in linked_left
        and nodes[node_id]["type"] in (NodeType.RECOMMENDATION.value, NodeType.ACTION.value)
    ]
    targets_of = defaultdict(list)
    for left, right, _ in links:
        targets_of[left].append(right)
    crossings_before = count_crossings(mapped, targets_of, rank)
    order = order_to_cross_least(mapped, targets_of, rank)
    crossings_after = count_crossings(order, targets_of, rank)
    left_boxes = [
        _box(
            node_id,
            "item",
            MARGIN,
            0,
            _lines(_item_text(nodes[node_id], node_id), FONT_PX, 2, width=column_width),
            FONT_PX,
            linked=True,
            width=column_width,
        )
        for node_id in order
    ]
    wanted = []
    for box in left_boxes:
        centres = [boxes[target]["y"] + boxes[target]["height"] / 2 for target in targets_of[box["id"]]]
        wanted.append(sum(centres) / len(centres))
    tops = _place(wanted, [box["height"] for box in left_boxes], 6, TOP)
    for box, top in zip(left_boxes, tops, strict=False):
        box["y"] = round(top)
        boxes[box["id"]] = box
    left_bottom = (left_boxes[-1]["y"] + left_boxes[-1]["height"]) if left_boxes else TOP
    # The finding: items with no link, listed apart under the linked ones.
    headings = [
        {
            "x": MARGIN,
            "y": 18,
            "text": shorten(plan_titles.get(from_plan, from_plan), _per_line(TITLE_PX, True, column_width)),
            "px": TITLE_PX,
            "bold": True,
        },
        {
            "x": MARGIN,
            "y": 36,
            "text": f"{len(mapped)} of {len(mapped) + len(unmapped)} items link to the other plan",
            "px": 13,
            "bold": False,
        },
        {
            "x": x_right,
            "y": 18,
            "text": shorten(plan_titles.get(to_plan, to_plan), _per_line(TITLE_PX, True, column_width)),
            "px": TITLE_PX,
            "bold": True,
        },
        {
            "x": x_right,
            "y": 36,
            "text": f"by workstream · {len(linked_right)} of {len(right_ids)} linked",
            "px": 13,
            "bold": False,
        },
    ]
    unmapped_group = None
    if unmapped:
        # Under the linked items (or in a third column): the drawing's answer, the linked ones, is read first.
        x_apart = x_right + column_width + 30 if beside else MARGIN
        y = TOP + 30 if beside else left_bottom + 30
        note = shorten(
            f"Not linked to {plan_titles.get(to_plan, to_plan)}", _per_line(HEADING_PX, True, column_width) - 5
        )
        note += f" ({len(unmapped)})"
        headings.append({"x": x_apart, "y": y - 8, "text": note, "px": HEADING_PX, "bold": True, "finding": True})
        top = y
        for node_id in unmapped:
            boxes[node_id] = _box(
                node_id,
                "unmapped",
                x_apart,
                y,
                # One line each: the finding is their number; the full text is on hover and in the panel.
                _lines(_item_text(nodes[node_id], node_id), FONT_PX, 1, width=column_width),
                FONT_PX,
                linked=False,
                width=column_width,
            )
            y += boxes[node_id]["height"] + ITEM_GAP
        unmapped_group = {
            "id": "unmapped",
            "x": x_apart - 4,
            "y": top - 4,
            "width": column_width + 8,
            "height": y - ITEM_GAP - top + 8,
            "members": list(unmapped),
            "title": note,
        }
        groups.append(unmapped_group)
        if beside:
            right_bottom = max(right_bottom, y - ITEM_GAP)
        else:
            left_bottom = y - ITEM_GAP

    for box_id, box in boxes.items():
        box["tag"] = (
            (nodes[box_id].get("title") or box_id) if box["kind"] == "workstream" else item_tag(nodes[box_id], box_id)
        )
        box["group"] = next((group["id"] for group in groups if box_id in group["members"]), None)
        box["fill"], box["stroke"], box["ink"], _ = BOX_COLOURS[colour_kind(box)]
    drawn_edges = _route(links, boxes, relation_captions)
    height = max(left_bottom, right_bottom) + MARGIN
    width = x_right + column_width + MARGIN + (column_width + 30 if beside and unmapped else 0)
    legend = _legend(drawn_edges, relation_captions, height + 4, boxes.values(), width)
    if legend:
        height = max(entry["y"] for entry in legend) + 16
    return {
        "from": from_plan,
        "to": to_plan,
        "fromTitle": plan_titles.get(from_plan, from_plan),
        "toTitle": plan_titles.get(to_plan, to_plan),
        "width": width,
        "height": height,
        "boxes": sorted(boxes.values(), key=lambda box: (box["x"], box["y"])),
        "edges": drawn_edges,
        "groups": groups,
        "headings": headings,
        "legend": legend,
        "mapped": order,
        "unmapped": unmapped,
        "crossings": {"documentOrder": crossings_before, "drawn": crossings_after},
        "fontPx": FONT_PX,
        "folded": folded,
    }


def colour_kind(box: dict) -> str:
    """Return the key of ``BOX_COLOURS`` a box is drawn with."""
    if box["kind"] == "workstream":
        if box.get("folded"):
            return "workstream-folded"
        return "workstream" if box["linked"] else "workstream-unlinked"
    if box["kind"] == "target" and not box["linked"]:
        return "target-unlinked"
    return box["kind"]


def layout_variants(*arguments: Any) -> dict:
    """Return the page's mapping: the wide drawing, with its narrow and unfolded variants under ``variants``.

    The page picks the variant that fits its width at 12 px text; the SVG draws the wide one.
    """
    drawing = layout_mapping(*arguments)
    variants = {"compact": layout_mapping(*arguments, column_width=COMPACT_COLUMN, gap=COMPACT_GAP)}
    if drawing["folded"]:
        variants["open"] = layout_mapping(*arguments, fold=False)
        variants["compactOpen"] = layout_mapping(*arguments, column_width=COMPACT_COLUMN, gap=COMPACT_GAP, fold=False)
    # A variant's links are the wide drawing's, in the same order: only their path is kept (the page takes the
    # rest from the wide drawing), so that the file does not carry each link four times.
    for variant in variants.values():
        variant["edges"] = [{key: edge[key] for key in _EDGE_GEOMETRY if key in edge} for edge in variant["edges"]]
    drawing["variants"] = variants
    return drawing


_EDGE_GEOMETRY = ("left", "right", "d")
"""What a variant keeps of each link: its ends and its path (the page samples the path's points itself)."""


LEGEND_HEIGHT = 30
"""Room under the columns for one row of the key."""


def _legend(edges: list[dict], captions: dict[str, str], top: float, boxes: Any, width: float) -> list[dict]:
    """Return the key to what is drawn: one sample per box colour, relation (its colour) and basis (its dash).

    Only what the drawing uses is listed; entries wrap to further rows within the drawing's width.
    """
    kinds = {colour_kind(box) for box in boxes}
    entries: list[dict[str, Any]] = [{"kind": "label", "text": "Boxes:"}]
    seen = set()
    for kind, (fill, stroke, _, text) in BOX_COLOURS.items():
        if kind in kinds and text not in seen:
            seen.add(text)
            entries.append({"kind": "box", "fill": fill, "stroke": stroke, "text": text})
    lines: list[dict[str, Any]] = [{"kind": "label", "text": "Lines:"}]
    lines += [
        {"kind": "relation", "relation": relation, "text": captions.get(relation, relation)}
        for relation in sorted({edge["relation"] for edge in edges})
    ]
    lines += [{"kind": "basis", "basis": basis, "text": basis} for basis in sorted({edge["basis"] for edge in edges})]
    if len(lines) > 1:
        entries += lines
    if len(entries) == 1:
        return []
    x, y = MARGIN, round(top + 14)
    for entry in entries:
        sample = 0 if entry["kind"] == "label" else (22 if entry["kind"] == "box" else 40)
        extent = sample + int(len(entry["text"]) * 0.56 * 13)
        if (x > MARGIN and x + extent > width - MARGIN) or (entry["kind"] == "label" and x > MARGIN):
            x, y = MARGIN, y + 22
        entry["x"], entry["y"] = x, y
        entry["textX"] = x + sample
        x += extent + 22
    return entries


def _right_groups(nodes: dict[str, dict], right_ids: list[str]) -> list[tuple[str | None, str, list[str]]]:
    workstreams = sorted(
        (i for i in right_ids if nodes[i]["type"] == NodeType.WORKSTREAM.value), key=lambda i: _order_key(nodes[i])
    )
    items = sorted(
        (i for i in right_ids if nodes[i]["type"] == NodeType.RECOMMENDATION.value), key=lambda i: _order_key(nodes[i])
    )
    loose = [i for i in items if nodes[i].get("workstream") not in workstreams]
    groups: list[tuple[str | None, str, list[str]]] = []
    if loose:
        groups.append((None, "", loose))
    for workstream in workstreams:
        node = nodes[workstream]
        groups.append(
            (
                workstream,
                node.get("title") or node.get("name") or workstream,
                [i for i in items if nodes[i].get("workstream") == workstream],
            )
        )
    return groups


def _order_key(node: dict) -> tuple:
    position = node.get("position")
    number: Any = node.get("number")
    return (
        position if isinstance(position, int) else 1 << 30,
        int(number) if str(number or "").isdigit() else 1 << 30,
        node.get("id", ""),
    )


def item_tag(node: dict, node_id: str) -> str:
    """Return an item's short name: its local id without its workstream's prefix (``r6``, ``1``)."""
    local = node_id.rsplit("/", 1)[-1]
    workstream = (node.get("workstream") or "").rsplit("/", 1)[-1]
    if workstream and local.startswith(workstream + "-"):
        local = local[len(workstream) + 1 :]
    return local


def _item_text(node: dict, node_id: str) -> str:
    if node["type"] == NodeType.WORKSTREAM.value:
        return "Workstream: " + (node.get("title") or node.get("name") or node_id)
    tag = item_tag(node, node_id)
    if node.get("status") == Status.REMOVED.value:
        tag += " (removed)"
    text = node.get("text") or node.get("title") or node.get("name") or ""
    return f"{tag} · {' '.join(text.split())}"


def _per_line(px: int, bold: bool, width: int) -> int:
    return int((width - 2 * PAD_X) / (_CHAR_PX * px / FONT_PX * (1.12 if bold else 1)))


def _lines(text: str, px: int, max_lines: int, bold: bool = False, width: int = COLUMN_WIDTH) -> list[str]:
    """Wrap text to the column's width (estimated glyph widths), at most ``max_lines``, the last shortened."""
    per_line = _per_line(px, bold, width)
    lines: list[str] = []
    line = ""
    words = text.split()
    for index, word in enumerate(words):
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
            if len(lines) == max_lines:
                lines[-1] = shorten(lines[-1] + " " + " ".join(words[index:]), per_line)
                return lines
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(shorten(line, per_line))
    return lines or [""]


def _box(
    node_id: str, kind: str, x: float, y: float, lines: list[str], px: int, linked: bool, width: int = COLUMN_WIDTH
) -> dict:
    pad = PAD_Y if len(lines) > 1 or kind == "workstream" else PAD_Y - 2
    return {
        "id": node_id,
        "kind": kind,
        "x": x,
        "y": round(y),
        "width": width,
        "height": len(lines) * LINE + 2 * pad,
        "lines": lines,
        "padY": pad,
        "fontPx": px,
        "linked": linked,
    }


# --------------------------------------------------------------------------------------------
# Ordering


def count_crossings(order: list[str], targets_of: dict[str, list[str]], rank: dict[str, int]) -> int:
    """Count the pairs of edges that cross when the left column is in ``order`` and the right is fixed.

    Edges that share an end do not cross (their ports are spread in order along the box side).

    >>> count_crossings(["a", "b"], {"a": ["y"], "b": ["x"]}, {"x": 0, "y": 1})
    1
    """
    ends = [(index, rank[target]) for index, source in enumerate(order) for target in targets_of[source]]
    crossings = 0
    for i, (source_a, target_a) in enumerate(ends):
        for source_b, target_b in ends[i + 1 :]:
            if source_a != source_b and target_a != target_b and (source_a < source_b) != (target_a < target_b):
                crossings += 1
    return crossings


def order_by_barycentre(order: list[str], targets_of: dict[str, list[str]], rank: dict[str, int]) -> list[str]:
    """Sort the left items by the mean position of their targets (ties keep document order)."""
    position = {node_id: index for index, node_id in enumerate(order)}
    return sorted(order, key=lambda i: (sum(rank[t] for t in targets_of[i]) / len(targets_of[i]), position[i]))


def order_by_median(order: list[str], targets_of: dict[str, list[str]], rank: dict[str, int]) -> list[str]:
    """Sort the left items by the median position of their targets (ties keep document order)."""
    position = {node_id: index for index, node_id in enumerate(order)}

    def median(node_id: str) -> float:
        ranks = sorted(rank[t] for t in targets_of[node_id])
        middle = len(ranks) // 2
        return ranks[middle] if len(ranks) % 2 else (ranks[middle - 1] + ranks[middle]) / 2

    return sorted(order, key=lambda i: (median(i), position[i]))


def order_to_cross_least(order: list[str], targets_of: dict[str, list[str]], rank: dict[str, int]) -> list[str]:
    """Return the left column's order: barycentre and median orders, each improved by swaps; the one crossing least.

    The barycentre candidate comes first, so the result never crosses more than a barycentre ordering.
    """
    candidates = [
        improve_by_swaps(start(order, targets_of, rank), targets_of, rank)
        for start in (order_by_barycentre, order_by_median)
    ]
    return min(candidates, key=lambda candidate: count_crossings(candidate, targets_of, rank))


def improve_by_swaps(order: list[str], targets_of: dict[str, list[str]], rank: dict[str, int]) -> list[str]:
    """Swap neighbours while that removes crossings: never worse than the barycentre order it starts from."""
    order = list(order)

    def pair(u: str, v: str) -> int:  # crossings between u's and v's edges with u above v
        return sum(1 for a in targets_of[u] for b in targets_of[v] if rank[a] > rank[b])

    improved = True
    while improved:
        improved = False
        for index in range(len(order) - 1):
            u, v = order[index], order[index + 1]
            if pair(v, u) < pair(u, v):
                order[index], order[index + 1] = v, u
                improved = True
    return order


def _place(wanted: list[float], heights: list[float], gap: float, top: float) -> list[float]:
    """Return box tops as close as possible to their wanted centres, in order, without overlap (pool adjacent violators)."""
    offsets, total = [], 0.0
    for height in heights:
        offsets.append(total + height / 2)
        total += height + gap
    values = [want - offset for want, offset in zip(wanted, offsets, strict=False)]
    blocks: list[list[float]] = []  # [sum, count]
    for value in values:
        blocks.append([value, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            last = blocks.pop()
            blocks[-1][0] += last[0]
            blocks[-1][1] += last[1]
    fitted = [block[0] / block[1] for block in blocks for _ in range(int(block[1]))]
    return [
        max(value, top) + offset - height / 2 for value, offset, height in zip(fitted, offsets, heights, strict=False)
    ]


# --------------------------------------------------------------------------------------------
# Edges


def _route(links: list[tuple[str, str, dict]], boxes: dict[str, dict], captions: dict[str, str]) -> list[dict]:
    """Give every link a curve from the right side of its left box to the left side of its right box."""
    out_ports: dict[str, list] = defaultdict(list)
    in_ports: dict[str, list] = defaultdict(list)
    for index, (left, right, _) in enumerate(links):
        out_ports[left].append((_centre(boxes[right]), index))
        in_ports[right].append((_centre(boxes[left]), index))
    # One port per box side: the lines into (or out of) a box merge there, so its arrowheads make one head
    # instead of a saw-tooth of heads a few pixels apart.
    start_y: dict[int, float] = {}
    end_y: dict[int, float] = {}
    for ports, where in ((out_ports, start_y), (in_ports, end_y)):
        for box_id, entries in ports.items():
            for _, index in entries:
                where[index] = _centre(boxes[box_id])
    drawn = []
    for index, (left, right, edge) in enumerate(links):
        x1 = boxes[left]["x"] + boxes[left]["width"]
        x2 = boxes[right]["x"]
        y1, y2 = start_y[index], end_y[index]
        bend = (x2 - x1) * 0.45
        controls = [(x1, y1), (x1 + bend, y1), (x2 - bend, y2), (x2, y2)]
        points = [bezier(controls, step / 16) for step in range(17)]
        forward = edge["from"] == left
        if not forward:
            points.reverse()
        drawn.append(
            {
                "id": edge.get("id"),
                "from": edge["from"],
                "to": edge["to"],
                "left": left,
                "right": right,
                "relation": edge["relation"],
                "basis": edge["basis"],
                "forward": forward,
                "caption": f"{captions.get(edge['relation'], edge['relation'])} · {edge['basis']}",
                **{
                    key: edge[key]
                    for key in ("quote", "targetQuote", "note", "method", "date", "document", "fromVia", "toVia")
                    if edge.get(key)
                },
                "d": "M{:.1f},{:.1f} C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}".format(
                    *(c for point in controls for c in point)
                ),
                "points": [[round(x, 1), round(y, 1)] for x, y in points],
            }
        )
    return drawn


def _centre(box: dict) -> float:
    return box["y"] + box["height"] / 2


def bezier(controls: list[tuple[float, float]], t: float) -> tuple[float, float]:
    """Return the point at ``t`` (0 to 1) of a cubic Bézier curve given by its four control points."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = controls
    u = 1 - t
    return (
        u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
        u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
    )
