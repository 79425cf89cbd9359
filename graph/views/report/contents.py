"""What a briefing says, gathered from the graph: every figure comes from a question the library answers.

``gather_report(store, from_plan, to_plan, as_of)`` returns a ``Report``: one ``PlanSummary`` per plan
(items, responses, progress, removed items, reporting rounds, overdue, gaps) and one ``PairSection`` per
pair of plans (the numbered matrix and its headline figures). Nothing here renders; see ``render``.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...errors import CrossplanError
from ...model.dates import due_date
from ...model.nodes import Basis, NodeType, Relation, Response, Status
from ...questions.duplicates import DuplicateGroup, find_duplicate_groups
from ...questions.gaps import Gap, find_gaps
from ...questions.mapping import Mapping, find_mapping
from ...questions.overdue import Overdue, find_overdue
from ...questions.plans import plan_titles, resolve_plan
from ...questions.stats import compute_stats
from ...sparql.patterns import id_of, node_term, spelling, variable
from ..matrix import OTHER_COLUMN, Matrix, build_matrix, data_fingerprint
from .scope import plans_store

if TYPE_CHECKING:
    from ...stores.protocol import GraphStore

NOT_STATED = "not stated"


@dataclass
class RoundChange:
    """What one reporting round changed for one item: its status or its target date (``before`` → ``after``)."""

    item: str
    label: str
    what: str
    before: str | None
    after: str | None


@dataclass
class ReportingRound:
    """The updates a plan records at one date (``January 2020``), and what they changed since the round before."""

    date: str | None
    titles: list[str]
    updates: int
    items: int
    statuses: dict[str, int]
    target_dates: int
    changes: list[RoundChange] = field(default_factory=list)


@dataclass
class PlanSummary:
    id: str
    title: str
    items: dict[str, int]
    recommendations: int
    responses: dict[str, int]
    progress: dict[str, int]
    removed: list[tuple[str, str]]
    rounds: list[ReportingRound]
    overdue: Overdue
    gaps: list[Gap]


@dataclass
class PairSection:
    """The mapping of one plan onto another and its headline figures."""

    matrix: Matrix
    mapped: list[str]
    by_relation: dict[str, int]
    by_basis: dict[str, int]
    links_by_relation: dict[str, int]
    links_by_basis: dict[str, int]
    empty_workstreams: list[tuple[str, str]]
    headline: str = ""
    """The mapping's answer in words (``find_mapping(...).summary.headline``), shown whole on page 1."""
    mapping: Mapping | None = field(default=None, repr=False)
    """The mapping itself, so that drawing it does not ask the store again."""


@dataclass
class Report:
    plans: list[PlanSummary]
    pairs: list[PairSection]
    duplicates: list[DuplicateGroup]
    as_of: str
    made: str
    fingerprint: str


# -- plans ------------------------------------------------------------------------------------------

_RECOMMENDATIONS = """SELECT DISTINCT ?rec ?label ?position ?status ?response WHERE {
  ?rec a cp:Recommendation ; cp:inPlan ?plan ; rdfs:label ?label .
  OPTIONAL { ?rec cp:position ?position }
  OPTIONAL { ?rec cp:status ?status }
  OPTIONAL { ?rec cp:response ?response }
} ORDER BY ?position ?rec ?status ?response"""
_REMOVED = """SELECT DISTINCT ?item ?label WHERE { ?item cp:inPlan ?plan ; cp:status cp:Removed ; rdfs:label ?label } ORDER BY ?item"""
_UPDATES = """SELECT DISTINCT ?item ?itemLabel ?update ?title ?date ?position ?status ?target WHERE {
  ?item cp:inPlan ?plan ; cp:hasUpdate ?update ; rdfs:label ?itemLabel .
  OPTIONAL { ?update dcterms:title ?title }
  OPTIONAL { ?update dcterms:date ?date }
  OPTIONAL { ?update cp:position ?position }
  OPTIONAL { ?update cp:status ?status }
  OPTIONAL { ?update cp:targetDate ?target }
} ORDER BY ?date ?position ?update ?status ?target"""


def progress_of(store: GraphStore, plan: str) -> dict[str, str]:
    """Return each recommendation's progress: its own status, else the one its latest update reports (as ``overdue``)."""
    latest: dict[str, tuple] = {}
    for row in store.select(_UPDATES, {variable("plan"): node_term(plan)}):
        if row["status"] is None:
            continue
        key = (row["date"] or "", row["position"] or 0, row["update"])
        item = str(id_of(row["item"]))
        if item not in latest or key > latest[item][0]:
            latest[item] = (key, spelling(Status, row["status"]))
    progress: dict[str, str] = {}
    for row in store.select(_RECOMMENDATIONS, {variable("plan"): node_term(plan)}):
        rec = str(id_of(row["rec"]))
        if rec in progress:
            continue
        status = spelling(Status, row["status"]) or latest.get(rec, (None, None))[1]
        progress[rec] = status or NOT_STATED
    return progress


def _responses(store: GraphStore, plan: str) -> dict[str, int]:
    counts = {member.value: 0 for member in Response} | {NOT_STATED: 0}
    seen = set()
    for row in store.select(_RECOMMENDATIONS, {variable("plan"): node_term(plan)}):
        rec = id_of(row["rec"])
        if rec in seen:
            continue
        seen.add(rec)
        counts[spelling(Response, row["response"]) or NOT_STATED] += 1
    return counts


def _month(date: str | None) -> str:
    if not date:
        return "undated"
    try:
        return datetime.date(int(date[:4]), int(date[5:7]) if len(date) >= 7 else 1, 1).strftime(
            "%B %Y" if len(date) >= 7 else "%Y"
        )
    except ValueError:
        return date


def reporting_rounds(store: GraphStore, plan: str) -> list[ReportingRound]:
    """Return the plan's reporting rounds (its updates grouped by date, oldest first; undated last).

    A round's changes are, for each item it updates that an earlier round also reported on, a status or a
    latest target date that differs from what the earlier round said.
    """
    by_date: dict[str | None, dict] = {}
    for row in store.select(_UPDATES, {variable("plan"): node_term(plan)}):
        entry = by_date.setdefault(
            row["date"], {"titles": [], "updates": set(), "items": {}, "status": {}, "targets": {}}
        )
        item = id_of(row["item"])
        update = id_of(row["update"])
        if row["title"] and row["title"] not in entry["titles"]:
            entry["titles"].append(row["title"])
        entry["updates"].add(update)
        entry["items"][item] = row["itemLabel"]
        if row["status"]:
            entry["status"].setdefault(update, (item, spelling(Status, row["status"])))
        if row["target"]:
            entry["targets"].setdefault(item, set()).add(row["target"])
    rounds: list[ReportingRound] = []
    last_status: dict[str, str] = {}
    last_target: dict[str, str] = {}
    for date in sorted(by_date, key=lambda value: (value is None, value or "")):
        entry = by_date[date]
        statuses: dict[str, int] = {}
        now_status: dict[str, str] = {}
        for _update, (item, status) in sorted(entry["status"].items()):
            statuses[status] = statuses.get(status, 0) + 1
            now_status[item] = status
        now_target = {item: max(values, key=_due_key) for item, values in entry["targets"].items()}
        changes = []
        for item in sorted(entry["items"]):
            if item in now_status and item in last_status and now_status[item] != last_status[item]:
                changes.append(RoundChange(item, entry["items"][item], "status", last_status[item], now_status[item]))
            if item in now_target and item in last_target and now_target[item] != last_target[item]:
                changes.append(
                    RoundChange(item, entry["items"][item], "target date", last_target[item], now_target[item])
                )
        last_status.update(now_status)
        last_target.update(now_target)
        rounds.append(
            ReportingRound(
                date,
                entry["titles"] or [_month(date)],
                len(entry["updates"]),
                len(entry["items"]),
                statuses,
                sum(len(values) for values in entry["targets"].values()),
                changes,
            )
        )
    return rounds


def _due_key(value: str) -> tuple[datetime.date, str]:
    try:
        return (due_date(value), value)
    except ValueError:
        return (datetime.date.max, value)


def summarise_plan(store: GraphStore, plan: str, title: str, as_of: datetime.date, stats: dict) -> PlanSummary:
    """Return one plan's figures: items by type, responses, progress, removed items, rounds, overdue and gaps."""
    counts = {
        kind.value: stats["plans"].get(plan, {}).get(kind.value, 0)
        for kind in NodeType
        if kind.value in stats["plans"].get(plan, {})
    }
    progress = progress_of(store, plan)
    progress_counts = {member.value: 0 for member in Status} | {NOT_STATED: 0}
    for status in progress.values():
        progress_counts[status] = progress_counts.get(status, 0) + 1
    removed = [
        (str(id_of(row["item"])), row["label"]) for row in store.select(_REMOVED, {variable("plan"): node_term(plan)})
    ]
    return PlanSummary(
        id=plan,
        title=title,
        items=counts,
        recommendations=len(progress),
        responses=_responses(store, plan),
        progress=progress_counts,
        removed=removed,
        rounds=reporting_rounds(store, plan),
        overdue=find_overdue(store, as_of, plan),
        gaps=find_gaps(store, plan),
    )


# -- pairs ------------------------------------------------------------------------------------------


def summarise_pair(store: GraphStore, from_plan: str, to_plan: str) -> PairSection:
    """Return the FROM × TO matrix and how many FROM recommendations map onto TO, by relation and basis."""
    mapping = find_mapping(store, from_plan, to_plan)
    matrix = build_matrix(store, from_plan, to_plan, mapping)
    by_relation = {member.value: 0 for member in Relation}
    by_basis = {member.value: 0 for member in Basis}
    links_by_relation = dict(by_relation)
    links_by_basis = dict(by_basis)
    mapped = []
    for row in matrix.rows:
        entries = [entry for column in row.cells.values() for entry in column]
        if entries:
            mapped.append(row.recommendation)
        for relation in {entry.relation for entry in entries}:
            by_relation[relation] = by_relation.get(relation, 0) + 1
        for basis in {entry.basis for entry in entries}:
            by_basis[basis] = by_basis.get(basis, 0) + 1
    for link in matrix.links:
        links_by_relation[link.relation] = links_by_relation.get(link.relation, 0) + 1
        links_by_basis[link.basis] = links_by_basis.get(link.basis, 0) + 1
    received = {column for row in matrix.rows for column in row.cells}
    received |= {link.workstream for link in matrix.links if link.workstream}
    empty = [(column, title) for column, title in matrix.columns if column != OTHER_COLUMN and column not in received]
    return PairSection(
        matrix,
        mapped,
        by_relation,
        by_basis,
        links_by_relation,
        links_by_basis,
        empty,
        mapping.summary.headline,
        mapping,
    )


_LINKED_PLANS = """SELECT DISTINCT ?a ?b WHERE {
  ?link a cp:Link ; cp:from ?source ; cp:to ?target .
  { ?source cp:inPlan ?pa } UNION { ?source a cp:Plan . BIND(?source AS ?pa) }
  { ?target cp:inPlan ?pb } UNION { ?target a cp:Plan . BIND(?target AS ?pb) }
  ?pa dcterms:identifier ?a . ?pb dcterms:identifier ?b .
  FILTER(?pa != ?pb)
}"""


def linked_pairs(store: GraphStore) -> list[tuple[str, str]]:
    """Return every pair of plans joined by at least one link, each pair once (in id order)."""
    return sorted({tuple(sorted((row["a"], row["b"]))) for row in store.select(_LINKED_PLANS)})


# -- the whole report -------------------------------------------------------------------------------


def choose_plan(store: GraphStore, text: str, plans: dict[str, str]) -> str:
    """Return the plan id a user means; raise CrossplanError naming the closest plan when there is none."""
    try:
        return resolve_plan(store, text, plans)[0]
    except CrossplanError:
        close = difflib.get_close_matches(text, list(plans), n=1, cutoff=0.5)
        close = close or [plan for plan in plans if plan.startswith(text) or text in plan][:1]
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        listing = f" (plans: {', '.join(plans)})" if not close and len(plans) <= 12 else ""
        raise CrossplanError(f"no plan '{text}'{hint}{listing}") from None


def gather_report(
    store: GraphStore,
    from_plan: str | None = None,
    to_plan: str | None = None,
    as_of: datetime.date | str | None = None,
    plan: str | None = None,
    made: datetime.datetime | None = None,
) -> Report:
    """Return everything a briefing shows, computed from the graph.

    With FROM and TO: those two plans and the mapping of FROM onto TO. With ``plan`` alone: that plan.
    With neither: every plan, and every pair of plans that a link joins. ``as_of`` (default today) is the
    day ``overdue`` is asked about. Raises CrossplanError for an unknown plan or a bad date.
    """
    if isinstance(as_of, str):
        try:
            as_of = datetime.date.fromisoformat(as_of)
        except ValueError:
            raise CrossplanError(f"'{as_of}' is not a date (write YYYY-MM-DD)") from None
    as_of = as_of or datetime.date.today()
    titles = plan_titles(store)
    if (from_plan is None) != (to_plan is None):
        raise CrossplanError("give two plans (FROM_PLAN TO_PLAN), --plan ID, or nothing for every linked pair")
    if from_plan is not None:
        if plan is not None:
            raise CrossplanError("give either FROM_PLAN TO_PLAN or --plan ID, not both")
        pair = (choose_plan(store, from_plan, titles), choose_plan(store, str(to_plan), titles))
        if pair[0] == pair[1]:
            raise CrossplanError(f"FROM and TO are the same plan '{pair[0]}': give two different plans")
        pairs, chosen = [pair], list(pair)
    elif plan is not None:
        pairs, chosen = [], [choose_plan(store, plan, titles)]
    else:
        pairs, chosen = linked_pairs(store), list(titles)
    # Two plans or one: the questions read those plans' part of the graph (``scope``); every plan: the whole graph.
    seen = plans_store(store, chosen) if from_plan is not None or plan is not None else store
    stats = compute_stats(seen)
    summaries = [summarise_plan(seen, plan_id, titles[plan_id], as_of, stats) for plan_id in chosen]
    sections = [summarise_pair(store, first, second) for first, second in pairs]
    wanted = set(chosen)
    duplicates = [group for group in find_duplicate_groups(seen) if wanted & set(group.plans)]
    made = made or datetime.datetime.now(datetime.UTC)
    return Report(
        summaries, sections, duplicates, as_of.isoformat(), made.strftime("%Y-%m-%d %H:%M UTC"), data_fingerprint(store)
    )
