"""Recommendations without an owner, a target date, or any action or link (``crossplan gaps``): ``find_gaps`` and
``format_gaps``.

Read from the per-file tables the build writes (``stores/facts.py``) when the store has them, and by the same rules
over SPARQL otherwise (a SPARQL endpoint); both give the same answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from ..model.nodes import Status
from ..output import counted, render_csv, render_json, render_table, sorted_rows
from ..sparql.patterns import id_of, spelling
from ..stores.facts import GraphFacts, graph_facts
from .owners import item_texts
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

_RECOMMENDATIONS = """SELECT DISTINCT ?rec ?plan ?label ?position ?status WHERE {
  ?rec a cp:Recommendation ; cp:inPlan ?planNode ; rdfs:label ?label .
  ?planNode dcterms:identifier ?plan .
  OPTIONAL { ?rec cp:position ?position }
  OPTIONAL { ?rec cp:status ?status }
}"""
_PARTS = """SELECT DISTINCT ?rec ?part WHERE {
  ?rec a cp:Recommendation .
  { ?rec cp:hasAction ?part } UNION { ?rec cp:hasUpdate ?part } UNION { ?rec cp:hasAction ?action . ?action cp:hasUpdate ?part }
}"""
_OWNED = "SELECT DISTINCT ?node WHERE { { ?node cp:ownedBy ?organisation } UNION { ?node cp:ownerText ?text } }"
_TARGETED = "SELECT DISTINCT ?node WHERE { { ?node cp:targetDate ?date } UNION { ?node cp:targetDateText ?text } }"
_LINKED = "SELECT DISTINCT ?node WHERE { ?link a cp:Link . { ?link cp:from ?node } UNION { ?link cp:to ?node } }"
_WITH_ACTIONS = "SELECT DISTINCT ?node WHERE { ?node cp:hasAction ?action }"


def find_gaps(store: GraphStore, plan: str | None = None) -> list[Gap]:
    """Return the recommendations without an owner, a target date, or any action or link, each with its whole text.

    Owners are rolled up as ``show`` rolls them up (``owners.py``): the recommendation's own, its actions' and its
    updates'. What a gap is is ``_gap_items``.
    """
    gaps = _gap_items(store, plan)
    if gaps:
        texts = item_texts(store)
        for gap in gaps:
            gap.text = texts.get(gap.id)
    return gaps


def _gap_items(store: GraphStore, plan: str | None = None) -> list[Gap]:
    """Return the recommendations without an owner, without a target date, or without any action or link.

    Owners, target dates and links of a recommendation's actions and updates count as its own. Removed
    and not-applicable recommendations are left out. Ordered by plan, then plan order.
    """
    plan_id = resolve_plan(store, plan)[0] if plan else None
    facts = graph_facts(store)
    if facts is not None:
        return _gaps_from_facts(facts, plan_id)
    parts: dict[str, set[str]] = {}
    for row in store.select(_PARTS):
        parts.setdefault(id_of(row["rec"]), set()).add(id_of(row["part"]))
    owned = {id_of(row["node"]) for row in store.select(_OWNED)}
    targeted = {id_of(row["node"]) for row in store.select(_TARGETED)}
    linked = {id_of(row["node"]) for row in store.select(_LINKED)}
    with_actions = {id_of(row["node"]) for row in store.select(_WITH_ACTIONS)}
    gaps, seen = [], set()
    for row in sorted_rows(store.select(_RECOMMENDATIONS), "plan", "position", "rec", "status", "label"):
        rec = id_of(row["rec"])
        status = spelling(Status, row["status"])
        if (
            rec in seen
            or (plan_id and row["plan"] != plan_id)
            or status in (Status.REMOVED.value, Status.NOT_APPLICABLE.value)
        ):
            continue
        seen.add(rec)
        family = {rec} | parts.get(rec, set())
        missing = []
        if not family & owned:
            missing.append("owner")
        if not family & targeted:
            missing.append("target date")
        if rec not in with_actions and not family & linked:
            missing.append("action or link")
        if missing:
            gaps.append(Gap(rec, row["plan"], row["label"], status, missing))
    return gaps


def _gaps_from_facts(facts: GraphFacts, plan_id: str | None) -> list[Gap]:
    """``find_gaps`` from the per-file tables, where the build worked out each recommendation's owner, target date
    and actions; only the links (stated in any file) are looked up here."""
    columns, table = facts.columns, facts.items["gaps"]
    ids, plans, labels, positions, statuses = (columns[name] for name in ("id", "plan", "label", "position", "status"))
    linked = set(facts.links["source"]) | set(facts.links["target"])
    found = []
    for row, no_owner, no_target, actions, family in zip(*table.values(), strict=False):
        if plan_id and plans[row] != plan_id:
            continue
        missing = (["owner"] if no_owner else []) + (["target date"] if no_target else [])
        if not actions and not any(node in linked for node in family):
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
