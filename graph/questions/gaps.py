"""Recommendations without an owner, a target date, or any action or link (``crossplan gaps``): ``find_gaps`` and
``format_gaps``.

Read from the graph's tables (``store.facts()``): what a gap is is decided here, and only here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from ..model.nodes import NodeType, Status
from ..output import counted, render_csv, render_json, render_table
from .owners import node_texts
from .plans import resolve_plan

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore


@dataclass
class Gap:
    """A recommendation missing an owner, a target date, or any action or link (``missing`` says which)."""

    id: str
    plan: str
    label: str
    status: str | None
    missing: list[str]
    text: str | None = None


GAP_KINDS = ("owner", "target date", "action or link")


def find_gaps(store: GraphStore, plan: str | None = None) -> list[Gap]:
    """Return the recommendations without an owner, a target date, or any action or link, each with its whole text.

    Owners are rolled up as ``show`` rolls them up (``owners.py``): the recommendation's own, its actions' and its
    updates'. What a gap is is ``_gap_items``.
    """
    gaps = _gap_items(store, plan)
    if gaps:
        texts = node_texts(store, [gap.id for gap in gaps])
        for gap in gaps:
            gap.text = texts.get(gap.id)
    return gaps


def _gap_items(store: GraphStore, plan: str | None = None) -> list[Gap]:
    """Return the recommendations without an owner, without a target date, or without any action or link.

    Owners, target dates and links of a recommendation's actions and updates count as its own. Removed
    and not-applicable recommendations are left out. Ordered by plan, then plan order.
    """
    plan_id = resolve_plan(store, plan)[0] if plan else None
    facts = store.facts()
    columns = facts.columns
    ids, types, plans, labels, positions, statuses = (
        columns[name] for name in ("id", "type", "plan", "label", "position", "status")
    )
    owned, target_dates, target_texts = columns["owned"], columns["target_dates"], columns["target_texts"]
    plan_type, recommendation, action, update = (
        kind.value for kind in (NodeType.PLAN, NodeType.RECOMMENDATION, NodeType.ACTION, NodeType.UPDATE)
    )
    dropped = (Status.REMOVED.value, Status.NOT_APPLICABLE.value)
    plan_ids = {node for node, kind in zip(ids, types, strict=False) if kind == plan_type}
    children: dict[str, list[int]] = {}
    for row, parent in enumerate(columns["parent"]):
        if parent:
            children.setdefault(parent, []).append(row)
    linked = set(facts.links["source"]) | set(facts.links["target"])
    found = []
    for row, kind in enumerate(types):
        if (
            kind != recommendation
            or plans[row] not in plan_ids
            or (plan_id and plans[row] != plan_id)
            or statuses[row] in dropped
        ):
            continue
        family = [row]
        for child in children.get(ids[row], []):
            family.append(child)
            if types[child] == action:
                family += [part for part in children.get(ids[child], []) if types[part] == update]
        missing = []
        if not any(owned[node] for node in family):
            missing.append("owner")
        if not any(target_dates[node] or target_texts[node] for node in family):
            missing.append("target date")
        has_actions = any(types[child] == action for child in children.get(ids[row], []))
        if not has_actions and not any(ids[node] in linked for node in family):
            missing.append("action or link")
        if missing:
            found.append(
                (
                    (plans[row], (positions[row] is not None, positions[row] or 0), ids[row]),
                    Gap(ids[row], plans[row], labels[row], statuses[row], missing),
                )
            )
    found.sort(key=lambda pair: pair[0])
    return [gap for _key, gap in found]


def format_gaps(gaps: list[Gap], output_format: str = "table", width: int | None = None) -> str:
    """Render gaps as a table, CSV (one yes/no column per kind of gap) or JSON."""
    if output_format == "json":
        return render_json([asdict(gap) for gap in gaps]) + "\n"
    if output_format == "csv":
        headers = ["id", "plan", "label", "text", "status"] + [f"no {kind}" for kind in GAP_KINDS]
        return render_csv(
            headers,
            [
                [gap.id, gap.plan, gap.label, gap.text, gap.status]
                + ["yes" if kind in gap.missing else "no" for kind in GAP_KINDS]
                for gap in gaps
            ],
        )
    if not gaps:
        return "Every recommendation has an owner, a target date, and an action or link.\n"
    rows = [[gap.id, ", ".join(gap.missing), gap.label] for gap in gaps]
    heading = f"{counted(len(gaps), 'recommendation')} with gaps"
    return heading + "\n\n" + render_table(["recommendation", "missing", "label"], rows, width, max_lines=2) + "\n"
