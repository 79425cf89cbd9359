"""The plans overview: which plans depend on which, for data that holds many plans.

One row per plan (its short title, a bar as long as its share of items, the count), the links between two plans
gathered into one arc per pair (its width by count, its colour by the class most of them have: dependency,
overlap, citation), and beside them the plan × plan matrix in the same row order, one square per linked pair.
Arcs leave and enter the rows' right side and bulge into the gap, so no line passes under a label. Rows are
ordered so that linked plans sit near each other (breadth first from the most linked plan, strongest links first).

Every coordinate is in CSS pixels at scale 1; the page draws it (``crossplan.show('plans')``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ...model.nodes import LINK_CLASSES, Relation, relation_class, shorten
from .mapping import bezier

FONT_PX = 13
ROW, BOX_HEIGHT = 24, 20
LABEL_WIDTH = 290
ARC_SPACE = 300
CELL = 24
MARGIN, TOP = 10, 70
CLASS_COLOURS = {"dependency": "#0072b2", "overlap": "#a2407f", "citation": "#6b7280"}
"""One colour per relation class (Okabe-Ito blue and the page's related-to purple; grey for citations)."""


def plan_pairs(nodes: dict[str, dict], edges: list[dict], plans: list[str]) -> list[dict]:
    """Return every pair of plans that links cross, with the links counted by relation class (most links first)."""
    known = set(plans)
    dependency = {relation.value for relation in Relation}
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {cls.value: 0 for cls in LINK_CLASSES})
    for edge in edges:
        if edge["relation"] not in dependency:
            continue
        first, second = (nodes.get(edge["from"]) or {}).get("plan"), (nodes.get(edge["to"]) or {}).get("plan")
        if first in known and second in known and first != second:
            pair = (first, second) if first < second else (second, first)
            counts[pair][relation_class(edge["relation"]).value] += 1
    pairs = [
        {"a": a, "b": b, "counts": dict(by_class), "total": sum(by_class.values())}
        for (a, b), by_class in counts.items()
    ]
    return sorted(pairs, key=lambda pair: (-pair["total"], pair["a"], pair["b"]))


def order_plans(plans: list[str], pairs: list[dict]) -> list[str]:
    """Order plans so that linked ones sit close: breadth first from the most linked plan, heaviest links first.

    >>> order_plans(["a", "b", "c", "d"], [{"a": "a", "b": "c", "total": 2}, {"a": "c", "b": "d", "total": 1}])
    ['c', 'a', 'd', 'b']
    """
    weight: dict[str, dict[str, int]] = defaultdict(dict)
    for pair in pairs:
        weight[pair["a"]][pair["b"]] = pair["total"]
        weight[pair["b"]][pair["a"]] = pair["total"]
    strength = {plan: sum(weight[plan].values()) for plan in plans}
    order: list[str] = []
    placed: set[str] = set()
    for start in sorted(plans, key=lambda plan: (-strength[plan], plan)):
        if start in placed:
            continue
        queue = [start]
        placed.add(start)
        while queue:
            current = queue.pop(0)
            order.append(current)
            for other in sorted(weight[current], key=lambda plan: (-weight[current][plan], plan)):
                if other not in placed:
                    placed.add(other)
                    queue.append(other)
    return order


def layout_overview(plans: list[dict], pairs: list[dict]) -> dict:
    """Return the overview drawing: plan rows, one arc per linked pair, the matrix squares, headings and key.

    ``plans`` are ``{"id", "label", "title", "items"}``; ``pairs`` as ``plan_pairs`` returns them.
    """
    order = order_plans([plan["id"] for plan in plans], pairs)
    by_id = {plan["id"]: plan for plan in plans}
    most = max((plan["items"] for plan in plans), default=1) or 1
    chars = int((LABEL_WIDTH - 70) / (0.56 * FONT_PX))
    rows = []
    row_of = {}
    for index, plan_id in enumerate(order):
        plan = by_id[plan_id]
        y = TOP + index * ROW
        row_of[plan_id] = index
        rows.append(
            {
                "id": plan_id,
                "number": index + 1,
                "label": shorten(plan["label"], chars),
                "title": plan["title"],
                "items": plan["items"],
                "x": MARGIN + 28,
                "y": y,
                "width": LABEL_WIDTH,
                "height": BOX_HEIGHT,
                "bar": round(56 * plan["items"] / most, 1),
                "fontPx": FONT_PX,
            }
        )
    x0 = MARGIN + 28 + LABEL_WIDTH
    heaviest = max((pair["total"] for pair in pairs), default=1)
    arcs = []
    for pair in pairs:
        first, second = sorted((pair["a"], pair["b"]), key=lambda plan: row_of[plan])
        y1 = TOP + row_of[first] * ROW + BOX_HEIGHT / 2
        y2 = TOP + row_of[second] * ROW + BOX_HEIGHT / 2
        reach = min(ARC_SPACE - 20, 18 + 9 * (row_of[second] - row_of[first]))
        controls = [(x0, y1), (x0 + reach * 1.33, y1), (x0 + reach * 1.33, y2), (x0, y2)]
        main = max(pair["counts"], key=lambda cls: (pair["counts"][cls], cls == "dependency"))
        arcs.append(
            {
                "a": first,
                "b": second,
                "counts": pair["counts"],
                "total": pair["total"],
                "class": main,
                "colour": CLASS_COLOURS.get(main, "#6b7280"),
                "width": round(1 + 3 * pair["total"] / heaviest, 2),
                "d": "M{:.1f},{:.1f} C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}".format(
                    *(c for point in controls for c in point)
                ),
                "points": [[round(x, 1), round(y, 1)] for x, y in (bezier(controls, step / 8) for step in range(9))],
            }
        )
    x1 = x0 + ARC_SPACE
    cells = []
    for pair in pairs:
        for row_plan, column_plan in ((pair["a"], pair["b"]), (pair["b"], pair["a"])):
            cells.append(
                {
                    "row": row_plan,
                    "column": column_plan,
                    "x": x1 + row_of[column_plan] * CELL + 2,
                    "y": TOP + row_of[row_plan] * ROW,
                    "size": BOX_HEIGHT,
                    "total": pair["total"],
                    "counts": pair["counts"],
                    "colour": CLASS_COLOURS.get(max(pair["counts"], key=lambda cls: pair["counts"][cls]), "#6b7280"),
                    "opacity": round(0.35 + 0.65 * pair["total"] / heaviest, 2),
                }
            )
    links = sum(pair["total"] for pair in pairs)
    headings: list[dict[str, Any]] = [
        {
            "x": MARGIN,
            "y": 20,
            "text": f"{len(plans)} plans · {len(pairs)} pair{'s' if len(pairs) != 1 else ''} of plans linked by {links} link{'s' if links != 1 else ''}",
            "px": 15,
            "bold": True,
        },
        {
            "x": MARGIN,
            "y": 40,
            "text": "Rows: each plan (bar: its items). Arcs: links between two plans, wider for more.",
            "px": 12,
            "bold": False,
        },
        {
            "x": x1,
            "y": 40,
            "text": "Plan × plan: a square per linked pair (columns numbered as the rows)",
            "px": 12,
            "bold": False,
        },
    ]
    legend = [{"class": cls.value, "colour": CLASS_COLOURS[cls.value], "text": cls.value} for cls in LINK_CLASSES]
    columns = [
        {"number": index + 1, "x": x1 + index * CELL + 2 + BOX_HEIGHT / 2, "id": plan_id}
        for index, plan_id in enumerate(order)
    ]
    return {
        "rows": rows,
        "arcs": arcs,
        "cells": cells,
        "columns": columns,
        "headings": headings,
        "legend": legend,
        "legendY": 58,
        "width": x1 + len(order) * CELL + MARGIN,
        "height": TOP + len(order) * ROW + MARGIN,
        "fontPx": FONT_PX,
        "links": links,
    }
