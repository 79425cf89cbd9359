"""How one plan's recommendations map onto another plan (``crossplan mapping``): ``find_mapping`` and ``format_mapping``.

One row per FROM recommendation in plan order, with every link between it (or one of its actions or updates) and an
item of TO, placed on TO's workstream and recommendation; rendered as a table, a recommendations × workstreams matrix,
flat CSV rows or JSON. ``views/matrix.py`` numbers the same mapping for spreadsheets and the report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ..errors import CrossplanError
from ..model.nodes import Basis, NodeType, Relation, Response, Status, relation_class, relation_words
from ..output import render_csv, render_json, render_table, terminal_width, wrapped_lines
from ..sparql.patterns import LINK, id_of, node_term, spelling, variable
from .owners import RolledOwner, find_owners, owner_labels
from .plans import plan_short_titles, plan_titles, resolve_plan
from .summary import LinkEnd, MappingSummary, summarise

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore


def _local(global_id: str) -> str:
    return global_id.rsplit("/", 1)[-1]


@dataclass
class MappingLink:
    """One link between a FROM-plan item and a TO-plan item, placed on the TO plan's workstream/recommendation: the
    one link record of every mapping surface (terminal, JSON, CSV, matrix, report, page, SVG).

    ``direction`` is ``out`` when the link points from the FROM side to the TO side, ``in`` otherwise.
    ``from_node``/``to_node`` are the linked items themselves (an action or update, where the link is on one);
    ``from_recommendation`` is the FROM recommendation it counts for (None for a link of FROM's plan or
    workstreams); ``ordinal`` is the TO recommendation's place in its workstream (1 for the first); ``source`` is
    the document the quote is from; ``to_label`` may be shortened, ``to_text`` is whole; ``number`` is the link's place in the matrix (1, 2, 3… in matrix order).
    """

    from_node: str
    to_node: str
    workstream: str | None
    workstream_title: str | None
    recommendation: str | None
    recommendation_label: str | None
    relation: str
    basis: str
    direction: str
    quote: str
    target_quote: str | None = None
    ordinal: int | None = None
    from_recommendation: str | None = None
    to_label: str | None = None
    to_text: str | None = None
    source: str | None = None
    source_title: str | None = None
    number: int | None = None
    recommendation_text: str | None = None
    """The TO recommendation's whole text (``recommendation_label`` may be shortened)."""

    @property
    def relation_class(self) -> str:
        """The class of the link's relation: dependency, overlap or citation."""
        return relation_class(self.relation).value

    @property
    def words(self) -> str:
        """The link said from the FROM side: ``overlaps``, ``feeds into``, ``is fed by``…"""
        return relation_words(self.relation, self.direction == "out")


@dataclass
class MappingRow:
    """One recommendation of the FROM plan, its whole text and owners, and the links that place it on the TO plan."""

    recommendation: str
    number: str | None
    label: str
    status: str | None
    response: str | None
    workstream: str | None = None
    workstream_title: str | None = None
    links: list[MappingLink] = field(default_factory=list)
    text: str | None = None
    owners: list[RolledOwner] = field(default_factory=list)


@dataclass
class Mapping:
    """How one plan's recommendations map onto another plan's workstreams and recommendations."""

    from_plan: str
    from_title: str
    to_plan: str
    to_title: str
    workstreams: list[tuple[str, str]]
    rows: list[MappingRow]
    other_links: list[MappingLink] = field(default_factory=list)
    from_short_title: str = ""
    to_short_title: str = ""

    @property
    def unmapped(self) -> list[str]:
        """The FROM recommendations that map onto nothing in the TO plan, in plan order."""
        return [row.recommendation for row in self.rows if not row.links]

    @property
    def summary(self) -> MappingSummary:
        """The mapping counted in FROM's recommendations (by TO workstream, class and basis) and its headline."""
        return summarise(
            [[LinkEnd(link.relation, link.basis, link.workstream) for link in row.links] for row in self.rows],
            self.workstreams,
            self.from_short_title or self.from_plan,
            self.to_short_title or self.to_plan,
        )


_PLAN_ITEMS = """SELECT DISTINCT ?plan ?item ?type ?label ?text ?position ?number ?workstream ?parent ?status ?response
WHERE {
  ?item cp:inPlan ?plan ; a ?type ; rdfs:label ?label .
  OPTIONAL { ?item cp:text ?text }
  OPTIONAL { ?item cp:position ?position }
  OPTIONAL { ?item cp:number ?number }
  OPTIONAL { ?item cp:inWorkstream ?workstream }
  OPTIONAL { ?parent cp:hasAction|cp:hasUpdate ?item }
  OPTIONAL { ?item cp:status ?status }
  OPTIONAL { ?item cp:response ?response }
} ORDER BY ?type ?position ?item"""
# Every link with an end in the plan (an item of it, or the plan itself); the whole link pattern sits in each
# branch, as in show.py.
_PLAN_LINKS = f"""SELECT DISTINCT ?plan ?source ?target ?relation ?basis ?quote ?targetQuote ?document ?documentTitle
WHERE {{
  {{ ?source cp:inPlan ?plan . {LINK} }} UNION {{ ?target cp:inPlan ?plan . {LINK} }}
  UNION {{ ?link cp:from ?plan . {LINK} }} UNION {{ ?link cp:to ?plan . {LINK} }}
  OPTIONAL {{ ?link cp:targetQuote ?targetQuote }}
  OPTIONAL {{ ?link prov:wasDerivedFrom ?document . OPTIONAL {{ ?document rdfs:label ?documentTitle }} }}
}} ORDER BY ?source ?target ?relation ?document"""


@dataclass
class _Item:
    id: str
    type: str
    label: str
    text: str | None
    position: int
    number: str | None
    workstream: str | None
    parent: str | None
    status: str | None
    response: str | None


def _plan_items(store: GraphStore, plan: str) -> dict[str, _Item]:
    items: dict[str, _Item] = {}
    for row in store.select(_PLAN_ITEMS, {variable("plan"): node_term(plan)}):
        item = id_of(row["item"])
        if item in items:
            continue
        items[item] = _Item(
            item,
            spelling(NodeType, row["type"]),
            row["label"],
            row["text"],
            row["position"] or 0,
            row["number"],
            id_of(row["workstream"]),
            id_of(row["parent"]),
            spelling(Status, row["status"]),
            spelling(Response, row["response"]),
        )
    return items


def _recommendation_of(items: dict[str, _Item], item_id: str | None) -> str | None:
    seen: set[str] = set()
    while item_id is not None and item_id in items and item_id not in seen:
        seen.add(item_id)
        item = items[item_id]
        if item.type == "recommendation":
            return item.id
        item_id = item.parent
    return None


def _ordinals(items: dict[str, _Item]) -> dict[str, int]:
    """Number each recommendation within its workstream in plan order (1, 2, 3…)."""
    counters: dict[str | None, int] = {}
    numbers = {}
    for item in sorted(items.values(), key=lambda i: (i.position, i.id)):
        if item.type == "recommendation" and item.workstream:
            counters[item.workstream] = counters.get(item.workstream, 0) + 1
            numbers[item.id] = counters[item.workstream]
    return numbers


def find_mapping(store: GraphStore, from_plan: str, to_plan: str) -> Mapping:
    """Return how FROM's recommendations map onto TO's workstreams and recommendations.

    One row per FROM recommendation in plan order, with every link between it (or one of its actions or
    updates) and an item of TO, in either direction; a link to a TO recommendation, action or update is
    placed on that recommendation and its workstream. Rows without links are the recommendations that map
    onto nothing. Links from FROM's workstreams or the FROM plan itself are in ``other_links``.
    """
    plans = plan_titles(store)
    from_plan, from_title = resolve_plan(store, from_plan, plans)
    to_plan, to_title = resolve_plan(store, to_plan, plans)
    if from_plan == to_plan:
        raise CrossplanError(f"FROM and TO are the same plan '{from_plan}': give two different plans")
    from_items = _plan_items(store, from_plan)
    to_items = _plan_items(store, to_plan)
    recommendations = sorted(
        (item for item in from_items.values() if item.type == "recommendation"), key=lambda i: (i.position, i.id)
    )
    owners = find_owners(store, from_plan)
    rows = {
        item.id: MappingRow(
            item.id,
            item.number,
            item.label,
            item.status,
            item.response,
            item.workstream,
            from_items[item.workstream].label if item.workstream in from_items else None,
            text=item.text,
            owners=owners.get(item.id, []),
        )
        for item in recommendations
    }
    workstreams = sorted(
        (item for item in to_items.values() if item.type == "workstream"), key=lambda i: (i.position, i.id)
    )
    ordinals = _ordinals(to_items)
    short_titles = plan_short_titles(store)
    mapping = Mapping(
        from_plan,
        from_title,
        to_plan,
        to_title,
        [(w.id, w.label) for w in workstreams],
        list(rows.values()),
        from_short_title=short_titles.get(from_plan, from_plan),
        to_short_title=short_titles.get(to_plan, to_plan),
    )
    seen = set()
    for row in store.select(_PLAN_LINKS, {variable("plan"): node_term(from_plan)}):
        source, target = id_of(row["source"]), id_of(row["target"])
        key = (source, target, row["relation"])
        if key in seen:
            continue
        seen.add(key)
        if (source in from_items or source == from_plan) and (target in to_items or target == to_plan):
            near, far, direction = source, target, "out"
        elif (target in from_items or target == from_plan) and (source in to_items or source == to_plan):
            near, far, direction = target, source, "in"
        else:
            continue
        recommendation = _recommendation_of(to_items, far)
        workstream = (
            to_items[recommendation].workstream
            if recommendation
            else (far if far in to_items and to_items[far].type == "workstream" else None)
        )
        link = MappingLink(
            from_node=near,
            to_node=far,
            workstream=workstream,
            workstream_title=to_items[workstream].label if workstream in to_items else None,
            recommendation=recommendation,
            recommendation_label=to_items[recommendation].label if recommendation else None,
            recommendation_text=to_items[recommendation].text if recommendation else None,
            relation=spelling(Relation, row["relation"]),
            basis=spelling(Basis, row["basis"]),
            direction=direction,
            quote=row["quote"],
            target_quote=row["targetQuote"],
            ordinal=ordinals.get(recommendation) if recommendation is not None else None,
            to_label=to_items[far].label if far in to_items else (to_title if far == to_plan else None),
            to_text=to_items[far].text if far in to_items else None,
            source=id_of(row["document"]),
            source_title=row["documentTitle"],
        )
        owner = _recommendation_of(from_items, near)
        link.from_recommendation = owner if owner in rows else None
        (rows[owner].links if owner in rows else mapping.other_links).append(link)

    def order(link: MappingLink) -> tuple:
        ws = to_items.get(link.workstream) if link.workstream is not None else None
        rec = to_items.get(link.recommendation) if link.recommendation is not None else None
        return (
            ws.position if ws else 10**6,
            rec.position if rec else -1,
            link.to_node,
            link.relation,
            link.direction,
            link.from_node,
        )

    for mapping_row in mapping.rows:
        mapping_row.links.sort(key=order)
    mapping.other_links.sort(key=lambda link: (link.from_node, order(link)))
    return mapping


_MAPPING_COLUMNS = [
    "recommendation",
    "number",
    "label",
    "text",
    "owners",
    "to_workstream",
    "to_recommendation",
    "to_node",
    "from_node",
    "relation",
    "relation_class",
    "words",
    "basis",
    "direction",
    "quote",
]


def format_mapping(
    mapping: Mapping, output_format: str = "table", width: int | None = None, matrix: bool = False
) -> str:
    """Render a mapping: a table (or a recommendations × workstreams matrix), flat CSV rows, or JSON."""
    if output_format == "json":
        data = asdict(mapping)
        data["workstreams"] = [{"id": ws, "title": title} for ws, title in mapping.workstreams]
        data["unmapped"] = mapping.unmapped
        data["summary"] = asdict(mapping.summary)
        every = [link for row in mapping.rows for link in row.links] + mapping.other_links
        for record, record_of in zip(
            [record for row in data["rows"] for record in row["links"]] + data["other_links"], every, strict=True
        ):
            record.update(relation_class=record_of.relation_class, words=record_of.words)
        return render_json(data) + "\n"
    if output_format == "csv":
        rows: list[list] = []
        for row in mapping.rows:
            links: list[MappingLink | None] = [*row.links] or [None]
            for link in links:
                rows.append(
                    [row.recommendation, row.number, row.label, row.text, owner_labels(row.owners)]
                    + (
                        [
                            link.workstream,
                            link.recommendation,
                            link.to_node,
                            link.from_node,
                            link.relation,
                            link.relation_class,
                            link.words,
                            link.basis,
                            link.direction,
                            link.quote,
                        ]
                        if link
                        else [None] * 10
                    )
                )
        return render_csv(_MAPPING_COLUMNS, rows)
    width = width or terminal_width()
    body = _mapping_matrix(mapping, width) if matrix else _mapping_table(mapping, width)
    lines = [*wrapped_lines(mapping.summary.headline, width, ""), "", body]
    if mapping.unmapped:
        lines += [""] + wrapped_lines(
            "Map onto nothing: " + ", ".join(_local(rec) for rec in mapping.unmapped), width, ""
        )
    if mapping.other_links:
        lines += ["", "Links from the plan or its workstreams:"]
        for link in mapping.other_links:
            lines += wrapped_lines(f"{link.from_node} {link.words} {link.to_node} ({link.basis})", width, "  ")
    return "\n".join(lines) + "\n"


def _to_item(link: MappingLink, plan: str) -> str:
    if link.recommendation:
        text = _local(link.recommendation)
        if link.to_node != link.recommendation:
            text += f" (via {_local(link.to_node)})"
        return f"{text}\n{link.recommendation_label}"
    if link.workstream:
        return "the workstream as a whole"
    return "the plan as a whole" if link.to_node == plan else _local(link.to_node)


def _mapping_table(mapping: Mapping, width: int) -> str:
    with_workstreams = bool(mapping.workstreams)
    rows: list = []
    workstream = None
    for row in mapping.rows:
        if rows:
            rows.append(None)
        if row.workstream and row.workstream_title and row.workstream != workstream:
            rows += [f"{row.workstream_title} ({_local(row.workstream)})", None]
            workstream = row.workstream
        first = True
        links: list[MappingLink | None] = [*row.links] or [None]
        label = row.label + (f"\nowners: {owner_labels(row.owners)}" if row.owners else "")
        for link in links:
            cells = [_local(row.recommendation), label] if first else ["", ""]
            if link is None:
                cells += ["—", "", ""] if with_workstreams else ["—", ""]
            else:
                item = _to_item(link, mapping.to_plan)
                if link.from_node != row.recommendation:
                    item = f"from {_local(link.from_node)}: {item}"
                cells += ([link.workstream_title or "—"] if with_workstreams else []) + [
                    item,
                    f"{link.words}\n{link.basis}",
                ]
            rows.append(cells)
            first = False
    headers = ["", mapping.from_plan] + (["workstream"] if with_workstreams else []) + [f"{mapping.to_plan}", "link"]
    caps = [16, None] + ([16] if with_workstreams else []) + [None, 16]
    return render_table(headers, rows, width, max_lines=5, spacing=False, max_widths=caps)


_BASIS_MARK = {"explicit": "", "judged": "*", "suggested": "~"}


def _mapping_matrix(mapping: Mapping, width: int) -> str:
    columns = list(mapping.workstreams)
    other = any(link.workstream is None for row in mapping.rows for link in row.links)
    rows = []
    for row in mapping.rows:
        cells = [_local(row.recommendation)]
        for ws, _title in columns + ([(None, "other")] if other else []):
            entries = []
            for link in row.links:
                if link.workstream != ws:
                    continue
                if ws is None:
                    target = _local(link.recommendation or link.to_node)
                else:
                    target = f"#{link.ordinal}" if link.recommendation else "ws"
                entry = f"{target} {link.words}{_BASIS_MARK.get(link.basis, '')}"
                if entry not in entries:
                    entries.append(entry)
            cells.append("\n".join(entries))
        rows.append(cells)
    headers = [""] + [title for _ws, title in columns] + (["other"] if other else [])
    legend = (
        "#n: the workstream's n-th recommendation; ws: the workstream itself; each link as read from the row "
        "(overlaps, feeds into, is fed by…); * judged by a curator, ~ suggested by the tool, unmarked stated in the "
        "documents"
    )
    return (
        render_table(headers, rows, width, spacing=False, wrap_headers=True)
        + "\n\n"
        + "\n".join(wrapped_lines(legend, width, ""))
    )
