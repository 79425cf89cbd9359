"""Items whose target date has passed without a complete status (``crossplan overdue``): ``find_overdue`` and
``format_overdue``.

Read from the per-file tables the build writes (``stores/facts.py``) when the store has them, and by the same rules
over SPARQL otherwise (a SPARQL endpoint); both give the same answer. When a target falls due is ``model.dates``.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ..errors import CrossplanError
from ..model.dates import due_date
from ..model.nodes import NodeType, Status
from ..output import counted, render_csv, render_json, render_table, sorted_rows
from ..sparql.patterns import id_of, spelling
from ..stores.facts import GraphFacts, graph_facts
from .owners import RolledOwner, find_owners, item_texts, owner_labels
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


_TARGETS = """SELECT DISTINCT ?item ?holder ?date WHERE {
  ?item a ?type .
  FILTER(?type IN (cp:Recommendation, cp:Action))
  { ?item cp:targetDate ?date . BIND(?item AS ?holder) } UNION { ?item cp:hasUpdate ?holder . ?holder cp:targetDate ?date }
}"""
_TARGET_TEXTS = """SELECT DISTINCT ?holder ?text WHERE {
  ?holder cp:targetDateText ?text .
  FILTER EXISTS { ?holder cp:targetDate ?date }
}"""
_PROGRESS = """SELECT DISTINCT ?item ?type ?plan ?label ?status ?statusText WHERE {
  ?item a ?type ; cp:inPlan ?planNode ; rdfs:label ?label .
  ?planNode dcterms:identifier ?plan .
  FILTER(?type IN (cp:Recommendation, cp:Action))
  OPTIONAL { ?item cp:status ?status }
  OPTIONAL { ?item cp:statusText ?statusText }
}"""
_UPDATE_STATUS = """SELECT DISTINCT ?item ?update ?date ?position ?status ?statusText WHERE {
  ?item cp:hasUpdate ?update .
  ?update cp:status ?status .
  OPTIONAL { ?update dcterms:date ?date }
  OPTIONAL { ?update cp:position ?position }
  OPTIONAL { ?update cp:statusText ?statusText }
}"""

_NOT_PENDING = {Status.COMPLETE.value, Status.REMOVED.value, Status.NOT_APPLICABLE.value}


def find_overdue(store: GraphStore, as_of: datetime.date | str | None = None, plan: str | None = None) -> Overdue:
    """Return the recommendations and actions overdue on ``as_of`` (default today), each with its whole text and its
    owners rolled up (``owners.find_owners``); when an item is overdue is ``_overdue_items``."""
    overdue = _overdue_items(store, as_of, plan)
    if overdue.items:
        owners, texts = find_owners(store), item_texts(store)
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
    facts = graph_facts(store)
    if facts is not None:
        return _overdue_from_facts(facts, as_of, plan_id)
    latest: dict[str, tuple[datetime.date, str, str]] = {}
    dates_of: dict[str, set[str]] = {}
    for row in store.select(_TARGETS):
        try:
            due = due_date(row["date"])
        except ValueError:
            continue
        item, holder = id_of(row["item"]), id_of(row["holder"])
        dates_of.setdefault(holder, set()).add(row["date"])
        if item not in latest or (due, holder) > (latest[item][0], latest[item][2]):
            latest[item] = (due, row["date"], holder)
    texts: dict[str, list[str]] = {}
    for row in sorted_rows(store.select(_TARGET_TEXTS), "holder", "text"):
        texts.setdefault(id_of(row["holder"]), []).append(row["text"])
    update_status: dict[str, tuple] = {}
    for row in store.select(_UPDATE_STATUS):
        key = (row["date"] or "", row["position"] or 0, id_of(row["update"]))
        item = id_of(row["item"])
        if item not in update_status or key > update_status[item][0]:
            update_status[item] = (key, spelling(Status, row["status"]), row["statusText"], key[2])
    items, seen = [], set()
    for row in sorted_rows(store.select(_PROGRESS), "item", "status", "statusText"):  # the first row of an item counts
        item = id_of(row["item"])
        if item in seen or item not in latest or (plan_id and row["plan"] != plan_id):
            continue
        seen.add(item)
        status, status_text, status_of = spelling(Status, row["status"]), row["statusText"], item
        if status is None:
            _key, status, status_text, status_of = update_status.get(item, (None, None, None, None))
        if status in _NOT_PENDING:
            continue
        due, value, holder = latest[item]
        if due >= as_of:
            continue
        # Printed texts and date values are separate triples: pair them only when the holder has one of each.
        printed = texts.get(holder, [])
        items.append(
            OverdueItem(
                id=item,
                type=spelling(NodeType, row["type"]),
                plan=row["plan"],
                label=row["label"],
                target=value,
                target_text=printed[0] if len(printed) == 1 and len(dates_of[holder]) == 1 else None,
                due=due.isoformat(),
                days_overdue=(as_of - due).days,
                target_of=holder,
                status=status,
                status_text=status_text,
                status_of=status_of,
            )
        )
    items.sort(key=lambda entry: (entry.due, entry.id))
    return Overdue(as_of.isoformat(), items)


def _overdue_from_facts(facts: GraphFacts, as_of: datetime.date, plan_id: str | None) -> Overdue:
    """``find_overdue`` from the per-file tables, where the build worked out each item's latest target and status."""
    columns, table = facts.columns, facts.items["overdue"]
    ids, types, plans, labels = columns["id"], columns["type"], columns["plan"], columns["label"]
    items = []
    for row, due_text, value, holder, target_text, status, status_text, status_of in zip(*table.values(), strict=False):
        if plan_id and plans[row] != plan_id:
            continue
        due = datetime.date.fromisoformat(due_text)
        if due >= as_of:
            continue
        items.append(
            OverdueItem(
                id=ids[row],
                type=types[row],
                plan=plans[row],
                label=labels[row],
                target=value,
                target_text=target_text,
                due=due_text,
                days_overdue=(as_of - due).days,
                target_of=holder,
                status=status,
                status_text=status_text,
                status_of=status_of,
            )
        )
    items.sort(key=lambda entry: (entry.due, entry.id))
    return Overdue(as_of.isoformat(), items)


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
