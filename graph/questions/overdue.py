"""Items whose target date has passed without a complete status (``crossplan overdue``): ``find_overdue`` and
``format_overdue``.

Read from the graph's tables (``store.facts()``): what is overdue is decided here, and only here. When a target
falls due is ``model.dates``.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ..errors import CrossplanError
from ..model.dates import due_date
from ..model.nodes import NodeType, Status
from ..output import counted, render_csv, render_json, render_table
from .owners import RolledOwner, find_owners, node_texts, owner_labels
from .plans import resolve_plan

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore


@dataclass
class OverdueItem:
    """A recommendation or action whose latest target date has passed without a complete status.

    ``target`` is the date as stored (``2020-10``), ``due`` the day it falls due (the end of a month or
    year), ``target_of`` the node that carries it (the item or one of its updates).
    """

    id: str
    type: str
    plan: str
    label: str
    target: str
    target_text: str | None
    due: str
    days_overdue: int
    target_of: str
    status: str | None
    status_text: str | None
    status_of: str | None
    text: str | None = None
    owners: list[RolledOwner] = field(default_factory=list)


@dataclass
class Overdue:
    as_of: str
    items: list[OverdueItem]


NOT_PENDING = (Status.COMPLETE.value, Status.REMOVED.value, Status.NOT_APPLICABLE.value)
"""Statuses that are never overdue."""


def find_overdue(store: GraphStore, as_of: datetime.date | str | None = None, plan: str | None = None) -> Overdue:
    """Return the recommendations and actions overdue on ``as_of`` (default today), each with its whole text and its
    owners rolled up (``owners.find_owners``); when an item is overdue is ``_overdue_items``."""
    overdue = _overdue_items(store, as_of, plan)
    if overdue.items:
        ids = [item.id for item in overdue.items]
        owners, texts = find_owners(store, items=ids), node_texts(store, ids)
        for item in overdue.items:
            item.owners, item.text = owners.get(item.id, []), texts.get(item.id)
    return overdue


def _overdue_items(store: GraphStore, as_of: datetime.date | str | None = None, plan: str | None = None) -> Overdue:
    """Return the recommendations and actions whose target date has passed by ``as_of`` (default today).

    An item's target dates are its own and those of its updates; the latest counts (a YYYY-MM target is
    due at the end of its month, a YYYY target at the end of its year). Its status is its own, or else the
    one its latest update reports; items that are complete, removed or not applicable are never overdue.
    Ordered by due date, then id.
    """
    if as_of is None:
        as_of = datetime.date.today()
    elif isinstance(as_of, str):
        try:
            as_of = datetime.date.fromisoformat(as_of)
        except ValueError:
            raise CrossplanError(f"'{as_of}' is not a date (write YYYY-MM-DD)") from None
    plan_id = resolve_plan(store, plan)[0] if plan else None
    facts = store.facts()
    columns = facts.columns
    ids, types, plans, labels = columns["id"], columns["type"], columns["plan"], columns["label"]
    statuses, status_texts, dates, positions = (columns[name] for name in ("status", "status_text", "date", "position"))
    target_dates, target_texts = columns["target_dates"], columns["target_texts"]
    plan_type, update_type = NodeType.PLAN.value, NodeType.UPDATE.value  # looked up once, not per row
    plan_ids = {node for node, kind in zip(ids, types, strict=False) if kind == plan_type}
    updates_of: dict[str, list[int]] = {}
    for row, (kind, parent) in enumerate(facts.rows("type", "parent")):
        if kind == update_type and parent:
            updates_of.setdefault(parent, []).append(row)
    due_of: dict[str, datetime.date | None] = {}
    items = []
    for row, kind in enumerate(types):
        if kind not in _ITEMS or plans[row] not in plan_ids or (plan_id and plans[row] != plan_id):
            continue
        updates = updates_of.get(ids[row], [])
        latest = None  # (due, holder id, date as stored, holder row)
        parsed_of: dict[int, set[str]] = {}
        for holder in [row, *updates]:
            for value in target_dates[holder]:
                if value not in due_of:
                    try:
                        due_of[value] = due_date(value)
                    except ValueError:
                        due_of[value] = None
                due = due_of[value]
                if due is None:
                    continue
                parsed_of.setdefault(holder, set()).add(value)
                if latest is None or (due, ids[holder]) > latest[:2]:
                    latest = (due, ids[holder], value, holder)
        if latest is None or latest[0] >= as_of:
            continue
        status, status_text, status_of = statuses[row], status_texts[row], ids[row]
        if status is None:
            reports = [(dates[update] or "", positions[update] or 0, ids[update], update) for update in updates]
            reports = [report for report in reports if statuses[report[3]]]
            if reports:
                update = max(reports)[3]
                status, status_text, status_of = statuses[update], status_texts[update], ids[update]
            else:
                status_text, status_of = None, None
        if status in NOT_PENDING:
            continue
        due, holder_id, value, holder = latest
        # Printed texts and date values are separate: pair them only when the holder has one of each.
        printed = sorted(set(target_texts[holder]))
        items.append(
            OverdueItem(
                id=ids[row],
                type=kind,
                plan=plans[row],
                label=labels[row],
                target=value,
                target_text=printed[0] if len(printed) == 1 and len(parsed_of[holder]) == 1 else None,
                due=due.isoformat(),
                days_overdue=(as_of - due).days,
                target_of=holder_id,
                status=status,
                status_text=status_text,
                status_of=status_of,
            )
        )
    items.sort(key=lambda entry: (entry.due, entry.id))
    return Overdue(as_of.isoformat(), items)


_ITEMS = (NodeType.RECOMMENDATION.value, NodeType.ACTION.value)


_OVERDUE_COLUMNS = [
    "id",
    "type",
    "plan",
    "label",
    "text",
    "owners",
    "target",
    "target_text",
    "due",
    "days_overdue",
    "target_of",
    "status",
    "status_text",
]


def format_overdue(overdue: Overdue, output_format: str = "table", width: int | None = None) -> str:
    """Render overdue items as a table, CSV or JSON."""
    if output_format == "json":
        return render_json(asdict(overdue)) + "\n"
    if output_format == "csv":
        return render_csv(
            _OVERDUE_COLUMNS,
            [
                [owner_labels(item.owners) if name == "owners" else getattr(item, name) for name in _OVERDUE_COLUMNS]
                for item in overdue.items
            ],
        )
    if not overdue.items:
        return f"Nothing is overdue on {overdue.as_of}.\n"
    rows = [
        [
            item.id,
            item.target_text or item.target,
            item.due,
            item.days_overdue,
            item.status or "not stated",
            owner_labels(item.owners, ids=True) or "not stated",
            item.label,
        ]
        for item in overdue.items
    ]
    heading = f"{counted(len(overdue.items), 'item')} overdue on {overdue.as_of}"
    table = render_table(["item", "target", "due", "days", "status", "owners", "label"], rows, width, max_lines=2)
    return heading + "\n\n" + table + "\n"
