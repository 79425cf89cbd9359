"""The plans overview: pairs of plans counted by relation class, rows ordered to keep linked plans close, a layout
where no arc passes under a label and the matrix squares sit beside the rows."""

from __future__ import annotations

import pytest

from crossplan.graph.stores.embedded import open_store
from crossplan.graph.views.viz import build_view
from crossplan.graph.views.viz.overview import layout_overview, order_plans, plan_pairs


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


NODES = {f"p{i}/r": {"plan": f"p{i}"} for i in range(5)}


def edge(a: int, b: int, relation: str) -> dict:
    return {"from": f"p{a}/r", "to": f"p{b}/r", "relation": relation}


def test_pairs_are_counted_by_relation_class_in_either_direction():
    edges = [edge(0, 1, "feeds-into"), edge(1, 0, "related-to"), edge(0, 1, "references"), edge(2, 2, "feeds-into")]
    edges.append({"from": "p0/r", "to": "p3/r", "relation": "owned-by"})  # structure: not a cross-plan link
    pairs = plan_pairs(NODES, edges, [f"p{i}" for i in range(5)])
    assert pairs == [{"a": "p0", "b": "p1", "counts": {"dependency": 1, "overlap": 1, "citation": 1}, "total": 3}]


def test_linked_plans_sit_close_and_every_plan_has_a_row():
    plans = [f"p{i}" for i in range(5)]
    pairs = plan_pairs(NODES, [edge(0, 4, "feeds-into"), edge(4, 2, "feeds-into"), edge(0, 4, "related-to")], plans)
    order = order_plans(plans, pairs)
    assert sorted(order) == plans
    assert abs(order.index("p0") - order.index("p4")) == 1 and abs(order.index("p4") - order.index("p2")) <= 2


def test_the_layout_keeps_labels_clear():
    plans = [
        {"id": f"p{i}", "label": f"Plan number {i} with a long name", "title": f"P{i}", "items": i * 3}
        for i in range(5)
    ]
    pairs = plan_pairs(
        NODES, [edge(0, 4, "feeds-into"), edge(1, 3, "related-to"), edge(2, 3, "references")], [p["id"] for p in plans]
    )
    drawing = layout_overview(plans, pairs)
    rows = drawing["rows"]
    assert not [(a["id"], b["id"]) for i, a in enumerate(rows) for b in rows[i + 1 :] if overlaps(a, b)]
    assert min(row["fontPx"] for row in rows) >= 12
    right = max(row["x"] + row["width"] for row in rows)
    for arc in drawing["arcs"]:
        # arcs leave and enter at the rows' right side and stay right of every label
        assert arc["points"][0][0] == right and arc["points"][-1][0] == right
        assert all(x >= right for x, _ in arc["points"])
    for cell in drawing["cells"]:
        assert cell["x"] > right + 100
    assert {(cell["row"], cell["column"]) for cell in drawing["cells"]} == {
        pair for arc in drawing["arcs"] for pair in ((arc["a"], arc["b"]), (arc["b"], arc["a"]))
    }


@pytest.mark.parametrize("count", [2])
def test_two_plans_open_on_the_mapping_and_still_carry_an_overview(count):
    view = build_view(open_store())
    assert len(view.plans) == count and view.initial["view"] == "mapping"
    assert view.overview is not None and len(view.overview["rows"]) == count and view.overview["links"] > 0
