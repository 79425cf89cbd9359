"""The questions policy leads ask again and again, as SPARQL over a store, answered with plain data.

Each ``find_*``/``describe_*`` function takes a store (anything with ``query``/``select``: the embedded
Oxigraph store or a SPARQL endpoint) and returns dataclasses; each ``format_*`` function renders one as a
table, CSV or JSON. The queries are standard SPARQL 1.1, correct when the
default graph is the union of all graphs, and every list comes out in a fixed order. ``show`` and ``mapping`` ask
about one node or plan and run targeted queries; ``overdue`` and ``gaps`` read the per-file tables the build writes
(``graph/facts.py``) when the store has them, and the same rules over SPARQL otherwise (a SPARQL endpoint).

- ``describe_node(store, id)``: everything about one node (``crossplan show``);
- ``find_mapping(store, from_plan, to_plan)``: how one plan's recommendations map onto another plan;
- ``find_overdue(store, as_of)``: items whose target date has passed without a complete status;
- ``find_gaps(store)``: recommendations without an owner, a target date, or any action or link.

Paths, impact and duplicate groups need a graph algorithm and live in ``graph.analysis``.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import asdict, dataclass, field

from ..errors import CrossplanError, UnknownIdError
from ..model.nodes import Basis, NodeType, Relation, Response, Status
from ..model.vocabulary import CP, DCTERMS, ORG, PROV, RDF, RDFS, SKOS, global_id_of, node_iri
from ..output import render_csv, render_json, render_table, sorted_rows, terminal_width
from ..stores.facts import GraphFacts, graph_facts

# -- shared helpers ---------------------------------------------------------------------------------


def _node(global_id: str):
    from pyoxigraph import NamedNode

    return NamedNode(node_iri(global_id))


def _var(name: str):
    from pyoxigraph import Variable

    return Variable(name)


def _id(iri: str | None) -> str | None:
    if iri is None:
        return None
    found = global_id_of(iri)
    return found if found is not None else iri


def _spelling(enum, iri: str | None) -> str | None:
    """Return the YAML spelling of a controlled term (``cp:PartlyAgreed`` → ``partly-agreed``)."""
    if iri is None:
        return None
    try:
        return enum.from_term(iri).value
    except ValueError:
        from .query import compact_iri

        return compact_iri(iri)


def _local(global_id: str) -> str:
    return global_id.rsplit("/", 1)[-1]


def _resolve(store, text: str) -> str:
    from .ids import resolve_id

    return resolve_id(store, text)


_PLANS = "SELECT ?plan ?id ?title WHERE { ?plan a cp:Plan ; dcterms:identifier ?id ; rdfs:label ?title }"


def resolve_plan(store, text: str, plans: dict[str, str] | None = None) -> tuple[str, str]:
    """Return (plan id, title) of the plan a user means; raise CrossplanError when ``text`` names no plan.

    ``plans`` (id → title, from ``plan_titles``) saves looking the plans up again when resolving several.
    """
    plans = plans if plans is not None else plan_titles(store)
    text = text.strip()
    if text in plans:
        return text, plans[text]
    from ..text import did_you_mean

    # A plan is expected: suggest a plan (a prefix such as 'hmip', then a near spelling), not any node.
    starting = [plan for plan in plans if plan.startswith(text)] if text else []
    hint = f" (did you mean '{starting[0]}'?)" if len(starting) == 1 else did_you_mean(text, plans)
    try:
        global_id = _resolve(store, text)
    except UnknownIdError:
        raise UnknownIdError(f"no plan with id '{text}'{hint} (plans: {', '.join(plans)})") from None
    raise CrossplanError(f"'{global_id}' is not a plan (plans: {', '.join(plans)})")


def plan_titles(store) -> dict[str, str]:
    """Return every plan's id and title."""
    return {row["id"]: row["title"] for row in sorted_rows(store.select(_PLANS), "id")}


# -- show -------------------------------------------------------------------------------------------


@dataclass
class ItemSummary:
    """An action or update of a node, in plan order."""

    id: str
    type: str
    label: str
    title: str | None = None
    text: str | None = None
    date: str | None = None
    status: str | None = None
    status_text: str | None = None
    owners: list[str] = field(default_factory=list)
    target_dates: list[str] = field(default_factory=list)
    links: list[LinkView] = field(default_factory=list)


@dataclass
class LinkView:
    """A link seen from one of its ends: ``direction`` is ``out`` (from this node) or ``in`` (to it)."""

    direction: str
    relation: str
    other: str
    other_label: str | None
    basis: str
    quote: str
    target_quote: str | None = None
    note: str | None = None
    document: str | None = None
    method: str | None = None


@dataclass
class Reference:
    """Another node that points at this one structurally (addressed to it, owned by it, in it…)."""

    relation: str
    id: str
    label: str | None


@dataclass
class NodeDescription:
    """Everything the graph says about one node."""

    id: str
    type: str
    label: str
    iri: str
    title: str | None = None
    text: str | None = None
    number: str | None = None
    plan: str | None = None
    plan_title: str | None = None
    workstream: str | None = None
    workstream_title: str | None = None
    parent: str | None = None
    parent_label: str | None = None
    response: str | None = None
    status: str | None = None
    status_text: str | None = None
    timescale: str | None = None
    date: str | None = None
    addressed_to: list[str] = field(default_factory=list)
    addressee_text: str | None = None
    owners: list[str] = field(default_factory=list)
    owned_by: list[str] = field(default_factory=list)
    target_dates: list[str] = field(default_factory=list)
    target_date_values: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)
    part_of: str | None = None
    publishers: list[str] = field(default_factory=list)
    source: str | None = None
    url: str | None = None
    source_file: str | None = None
    licence: str | None = None
    note: str | None = None
    actions: list[ItemSummary] = field(default_factory=list)
    updates: list[ItemSummary] = field(default_factory=list)
    links_out: list[LinkView] = field(default_factory=list)
    links_in: list[LinkView] = field(default_factory=list)
    referenced_by: list[Reference] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    """The labels of the nodes this one points at (its plan, workstream, organisations, documents…)."""


_PROPERTIES = "SELECT DISTINCT ?node ?p ?o WHERE { ?node ?p ?o } ORDER BY ?p ?o"
_NEIGHBOUR_LABELS = """SELECT DISTINCT ?node ?o ?label WHERE {
  { ?node ?p ?o } UNION { ?o cp:hasAction ?node } UNION { ?o cp:hasUpdate ?node }
  ?o dcterms:identifier ?oid ; rdfs:label ?label .
} ORDER BY ?o"""
_CHILDREN = """SELECT DISTINCT ?node ?child ?kind ?label ?position ?title ?text ?date ?status ?statusText WHERE {
  { ?node cp:hasAction ?child . BIND("action" AS ?kind) } UNION { ?node cp:hasUpdate ?child . BIND("update" AS ?kind) }
  ?child rdfs:label ?label .
  OPTIONAL { ?child cp:position ?position }
  OPTIONAL { ?child dcterms:title ?title }
  OPTIONAL { ?child cp:text ?text }
  OPTIONAL { ?child dcterms:date ?date }
  OPTIONAL { ?child cp:status ?status }
  OPTIONAL { ?child cp:statusText ?statusText }
} ORDER BY ?kind ?position ?child"""
_CHILD_VALUES = """SELECT DISTINCT ?node ?child ?p ?value WHERE {
  { ?node cp:hasAction ?child } UNION { ?node cp:hasUpdate ?child }
  ?child ?p ?value .
  FILTER(?p IN (cp:ownerText, cp:targetDateText))
} ORDER BY ?child ?p ?value"""
# Each UNION branch holds its whole pattern: Oxigraph joins a UNION with a pattern outside it by scanning that
# pattern in full (every link of the store), however few rows the branches give.
_LINKS_OF = """SELECT DISTINCT ?node ?direction ?relation ?other ?otherLabel ?basis ?quote ?targetQuote ?note ?document ?method WHERE {
  { ?link cp:from ?node ; cp:to ?other ; a cp:Link ; cp:relation ?relation ; cp:basis ?basis ; cp:quote ?quote .
    BIND("out" AS ?direction) }
  UNION
  { ?link cp:to ?node ; cp:from ?other ; a cp:Link ; cp:relation ?relation ; cp:basis ?basis ; cp:quote ?quote .
    BIND("in" AS ?direction) }
  OPTIONAL { ?other rdfs:label ?otherLabel }
  OPTIONAL { ?link cp:targetQuote ?targetQuote }
  OPTIONAL { ?link skos:note ?note }
  OPTIONAL { ?link prov:wasDerivedFrom ?document }
  OPTIONAL { ?link cp:method ?method }
} ORDER BY ?direction ?relation ?other"""
_PARENT = "SELECT ?node ?parent WHERE { { ?parent cp:hasAction ?node } UNION { ?parent cp:hasUpdate ?node } } ORDER BY ?parent"
_CHILD_LINKS = """SELECT DISTINCT ?node ?child ?direction ?relation ?other ?otherLabel ?basis ?quote WHERE {
  { ?node cp:hasAction ?child } UNION { ?node cp:hasUpdate ?child }
  { ?link cp:from ?child ; cp:to ?other . BIND("out" AS ?direction) }
  UNION
  { ?link cp:to ?child ; cp:from ?other . BIND("in" AS ?direction) }
  ?link a cp:Link ; cp:relation ?relation ; cp:basis ?basis ; cp:quote ?quote .
  OPTIONAL { ?other rdfs:label ?otherLabel }
} ORDER BY ?child ?direction ?relation ?other"""
_REFERENCED_BY = """SELECT DISTINCT ?node ?p ?subject ?label WHERE {
  ?subject ?p ?node ; dcterms:identifier ?sid ; rdfs:label ?label .
  FILTER(?p IN (cp:inWorkstream, cp:addressedTo, cp:ownedBy, dcterms:publisher, org:subOrganizationOf, prov:wasDerivedFrom, dcterms:isPartOf)
         || (?p = cp:inPlan && EXISTS { ?subject a ?kind . FILTER(?kind IN (cp:Workstream, cp:Recommendation)) }))
} ORDER BY ?p ?subject"""

_REFERENCE_NAMES = {
    CP.inWorkstream: "in workstream",
    CP.inPlan: "in plan",
    CP.addressedTo: "addressed to",
    CP.ownedBy: "owned by",
    DCTERMS.publisher: "published by",
    ORG.subOrganizationOf: "part of",
    PROV.wasDerivedFrom: "derived from",
    DCTERMS.isPartOf: "part of",
}


def describe_node(store, node_id: str) -> NodeDescription:
    """Return everything about one node: text, plan, workstream, response, status, owners, target dates,
    actions, dated updates, and incoming and outgoing links with their quotes and basis.

    ``node_id`` is a global id or an unambiguous short form; raises UnknownIdError otherwise.
    """
    global_id = _resolve(store, node_id)
    bound = {_var("node"): _node(global_id)}
    values: dict[str, list] = {}
    for row in store.select(_PROPERTIES, bound):
        values.setdefault(row["p"], []).append(row["o"])
    labels = {_id(row["o"]): row["label"] for row in store.select(_NEIGHBOUR_LABELS, bound)}

    def one(predicate):
        found = values.get(predicate)
        return found[0] if found else None

    def ids(predicate):
        return sorted(_id(value) for value in values.get(predicate, []))

    types = [_spelling(NodeType, value) for value in values.get(RDF.type, [])]
    kind = next((t for t in types if t in NodeType.spellings()), types[0] if types else "node")
    plan = _id(one(CP.inPlan)) if kind != "plan" else None
    workstream = _id(one(CP.inWorkstream))
    description = NodeDescription(
        id=global_id,
        type=kind,
        label=one(RDFS.label) or global_id,
        iri=node_iri(global_id),
        title=one(DCTERMS.title),
        text=one(CP.text),
        number=one(CP.number),
        plan=plan,
        plan_title=labels.get(plan),
        workstream=workstream,
        workstream_title=labels.get(workstream),
        response=_spelling(Response, one(CP.response)),
        status=_spelling(Status, one(CP.status)),
        status_text=one(CP.statusText),
        timescale=one(CP.timescale),
        date=one(DCTERMS.date),
        addressed_to=ids(CP.addressedTo),
        addressee_text=one(CP.addresseeText),
        owners=sorted(values.get(CP.ownerText, [])),
        owned_by=ids(CP.ownedBy),
        target_dates=sorted(values.get(CP.targetDateText, [])),
        target_date_values=sorted(values.get(CP.targetDate, [])),
        abbreviations=sorted(values.get(SKOS.altLabel, [])),
        part_of=_id(one(ORG.subOrganizationOf) or one(DCTERMS.isPartOf)),
        publishers=ids(DCTERMS.publisher),
        source=_id(one(PROV.wasDerivedFrom)),
        url=one(CP.url),
        source_file=one(CP.sourceFile),
        licence=one(DCTERMS.license),
        note=one(SKOS.note),
        names=dict(sorted(labels.items())),
    )
    parents = store.select(_PARENT, bound)
    if parents:
        description.parent = _id(parents[0]["parent"])
        description.parent_label = labels.get(description.parent)
    description.actions, description.updates = _children(store, bound)
    for row in store.select(_LINKS_OF, bound):
        view = LinkView(
            direction=row["direction"],
            relation=_spelling(Relation, row["relation"]),
            other=_id(row["other"]),
            other_label=row["otherLabel"],
            basis=_spelling(Basis, row["basis"]),
            quote=row["quote"],
            target_quote=row["targetQuote"],
            note=row["note"],
            document=_id(row["document"]),
            method=row["method"],
        )
        (description.links_out if view.direction == "out" else description.links_in).append(view)
    for row in store.select(_REFERENCED_BY, bound):
        description.referenced_by.append(
            Reference(_REFERENCE_NAMES.get(row["p"], row["p"]), _id(row["subject"]), row["label"])
        )
    description.referenced_by.sort(key=lambda ref: (ref.relation, ref.id))
    return description


def _children(store, bound) -> tuple[list[ItemSummary], list[ItemSummary]]:
    children: dict[str, ItemSummary] = {}
    actions, updates = [], []
    for row in store.select(_CHILDREN, bound):
        child = _id(row["child"])
        if child in children:
            continue
        summary = ItemSummary(
            id=child,
            type=row["kind"],
            label=row["label"],
            title=row["title"],
            text=row["text"],
            date=row["date"],
            status=_spelling(Status, row["status"]),
            status_text=row["statusText"],
        )
        children[child] = summary
        (actions if row["kind"] == "action" else updates).append(summary)
    for row in store.select(_CHILD_VALUES, bound):
        summary = children.get(_id(row["child"]))
        if summary is not None:
            (summary.owners if row["p"] == CP.ownerText else summary.target_dates).append(row["value"])
    for row in store.select(_CHILD_LINKS, bound):
        summary = children.get(_id(row["child"]))
        if summary is not None:
            summary.links.append(
                LinkView(
                    row["direction"],
                    _spelling(Relation, row["relation"]),
                    _id(row["other"]),
                    row["otherLabel"],
                    _spelling(Basis, row["basis"]),
                    row["quote"],
                )
            )
    return actions, updates


def format_node(description: NodeDescription, output_format: str = "table", width: int | None = None) -> str:
    """Render a node description as readable sections (table), field/value rows (csv) or JSON."""
    if output_format == "json":
        return render_json(asdict(description)) + "\n"
    rows = _node_fields(description)
    if output_format == "csv":
        return render_csv(["field", "value"], rows)
    width = width or terminal_width()
    lines = [f"{description.id} ({_kind_phrase(description)})"]
    if description.text and description.text != description.label:
        lines += _wrapped(description.text, width, "")
    else:
        lines += _wrapped(description.label, width, "")
    simple = [
        (name, value)
        for name, value in rows
        if not name.startswith(("action", "update", "link", "referenced"))
        and name not in ("id", "type", "label", "text")
    ]
    if simple:
        lines.append("")
        lines.append(_pairs(simple, width))
    for title, items in (("Actions", description.actions), ("Updates", description.updates)):
        if items:
            lines += ["", f"{title} ({len(items)})"]
            for item in items:
                lines += _item_lines(item, width)
    for title, links, arrow in (("Links out", description.links_out, "→"), ("Links in", description.links_in, "←")):
        if links:
            lines += ["", f"{title} ({len(links)})"]
            for link in links:
                lines += _link_lines(link, arrow, width)
    if description.referenced_by:
        lines += ["", f"Referenced by ({len(description.referenced_by)})"]
        for ref in description.referenced_by:
            lines += _wrapped(
                f"{ref.relation}: {ref.id}" + (f"  {ref.label}" if ref.label else ""), width, "  ", "      "
            )
    return "\n".join(lines) + "\n"


def _kind_phrase(description: NodeDescription) -> str:
    phrase = description.type
    if description.number:
        phrase += f" {description.number}"
    if description.plan:
        phrase += f" of {description.plan}"
    return phrase


def _wrapped(text: str, width: int, indent: str, subsequent: str | None = None) -> list[str]:
    import textwrap

    from ..output import escape_control

    return textwrap.wrap(
        escape_control(text), width, initial_indent=indent, subsequent_indent=subsequent or indent
    ) or [indent]


def _pairs(pairs: list[tuple[str, str]], width: int) -> str:
    key_width = max(len(name) for name, _ in pairs)
    lines = []
    for name, value in pairs:
        lines += _wrapped(f"{name.ljust(key_width)}  {value}", width, "  ", "  " + " " * (key_width + 2))
    return "\n".join(lines)


def _item_lines(item: ItemSummary, width: int) -> list[str]:
    head = " ".join(part for part in (item.id, item.date or "", f"[{item.status}]" if item.status else "") if part)
    lines = _wrapped(head + (f"  {item.title}" if item.title else ""), width, "  ", "    ")
    lines += _wrapped(item.text or item.label, width, "    ")
    if item.owners:
        lines += _wrapped("owners: " + "; ".join(item.owners), width, "    ", "      ")
    if item.target_dates:
        lines += _wrapped("target dates: " + "; ".join(item.target_dates), width, "    ", "      ")
    for link in item.links:
        arrow = "→" if link.direction == "out" else "←"
        lines += _wrapped(f"{arrow} {link.relation} {link.other} ({link.basis})", width, "    ", "      ")
    return lines


def _link_lines(link: LinkView, arrow: str, width: int) -> list[str]:
    lines = _wrapped(
        f"{arrow} {link.relation} {link.other} ({link.basis})" + (f"  {link.other_label}" if link.other_label else ""),
        width,
        "  ",
        "      ",
    )
    lines += _wrapped(f"“{link.quote}”", width, "      ")
    if link.target_quote:
        lines += _wrapped(f"target: “{link.target_quote}”", width, "      ")
    if link.note:
        lines += _wrapped(f"note: {link.note}", width, "      ")
    return lines


def _node_fields(description: NodeDescription) -> list[tuple[str, str]]:
    """Flatten a description into (field, value) rows: one row per value, in a fixed order."""
    rows: list[tuple[str, str]] = []

    def add(name, value):
        if value:
            rows.append((name, value))

    add("id", description.id)
    add("type", description.type)
    add("label", description.label)
    add("title", description.title if description.title != description.label else None)
    add("text", description.text)
    add("number", description.number)
    add("plan", f"{description.plan}: {description.plan_title}" if description.plan else None)
    add("workstream", f"{description.workstream}: {description.workstream_title}" if description.workstream else None)
    add("parent", f"{description.parent}: {description.parent_label}" if description.parent else None)
    add("response", description.response)
    add("status", description.status)
    add("status as printed", description.status_text)
    add("timescale", description.timescale)
    add("date", description.date)

    def named(ids):
        return ", ".join(f"{i} ({description.names[i]})" if i in description.names else i for i in ids)

    add("addressed to", named(description.addressed_to))
    add("addressee as printed", description.addressee_text)
    for owner in description.owners:
        add("owner as printed", owner)
    add("owned by", named(description.owned_by))
    for target in description.target_dates:
        add("target date as printed", target)
    add("target dates", ", ".join(description.target_date_values))
    add("abbreviations", ", ".join(description.abbreviations))
    add("part of", named([description.part_of] if description.part_of else []))
    add("published by", named(description.publishers))
    add("derived from", named([description.source] if description.source else []))
    add("url", description.url)
    add("source file", description.source_file)
    add("licence", description.licence)
    add("note", description.note)
    for kind, items in (("action", description.actions), ("update", description.updates)):
        for item in items:
            extra = ", ".join(part for part in (item.date, item.status) if part)
            add(kind, f"{item.id}: {item.title or item.label}" + (f" ({extra})" if extra else ""))
    for link in description.links_out + description.links_in:
        arrow = "→" if link.direction == "out" else "←"
        add(f"link {link.direction}", f"{arrow} {link.relation} {link.other} ({link.basis}): {link.quote}")
    for ref in description.referenced_by:
        add("referenced by", f"{ref.relation}: {ref.id}")
    return rows


# -- mapping ----------------------------------------------------------------------------------------


@dataclass
class MappingLink:
    """One link between a FROM-plan item and a TO-plan item, placed on the TO plan's workstream/recommendation.

    ``direction`` is ``out`` when the link points from the FROM side to the TO side, ``in`` otherwise.
    ``from_node``/``to_node`` are the linked items themselves (an action or update, where the link is on one);
    ``ordinal`` is the TO recommendation's place in its workstream (1 for the first).
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


@dataclass
class MappingRow:
    """One recommendation of the FROM plan and the links that place it on the TO plan."""

    recommendation: str
    number: str | None
    label: str
    status: str | None
    response: str | None
    workstream: str | None = None
    workstream_title: str | None = None
    links: list[MappingLink] = field(default_factory=list)


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

    @property
    def unmapped(self) -> list[str]:
        """The FROM recommendations that map onto nothing in the TO plan, in plan order."""
        return [row.recommendation for row in self.rows if not row.links]


_PLAN_ITEMS = """SELECT DISTINCT ?plan ?item ?type ?label ?position ?number ?workstream ?parent ?status ?response WHERE {
  ?item cp:inPlan ?plan ; a ?type ; rdfs:label ?label .
  OPTIONAL { ?item cp:position ?position }
  OPTIONAL { ?item cp:number ?number }
  OPTIONAL { ?item cp:inWorkstream ?workstream }
  OPTIONAL { ?parent cp:hasAction|cp:hasUpdate ?item }
  OPTIONAL { ?item cp:status ?status }
  OPTIONAL { ?item cp:response ?response }
} ORDER BY ?type ?position ?item"""
_LINK = (
    "?link a cp:Link ; cp:from ?source ; cp:to ?target ; cp:relation ?relation ; cp:basis ?basis ; cp:quote ?quote ."
)
# Every link with an end in the plan (an item of it, or the plan itself); the whole link pattern sits in each
# branch, as in _LINKS_OF.
_PLAN_LINKS = f"""SELECT DISTINCT ?plan ?source ?target ?relation ?basis ?quote ?targetQuote WHERE {{
  {{ ?source cp:inPlan ?plan . {_LINK} }} UNION {{ ?target cp:inPlan ?plan . {_LINK} }}
  UNION {{ ?link cp:from ?plan . {_LINK} }} UNION {{ ?link cp:to ?plan . {_LINK} }}
  OPTIONAL {{ ?link cp:targetQuote ?targetQuote }}
}} ORDER BY ?source ?target ?relation"""


@dataclass
class _Item:
    id: str
    type: str
    label: str
    position: int
    number: str | None
    workstream: str | None
    parent: str | None
    status: str | None
    response: str | None


def _plan_items(store, plan: str) -> dict[str, _Item]:
    items: dict[str, _Item] = {}
    for row in store.select(_PLAN_ITEMS, {_var("plan"): _node(plan)}):
        item = _id(row["item"])
        if item in items:
            continue
        items[item] = _Item(
            item,
            _spelling(NodeType, row["type"]),
            row["label"],
            row["position"] or 0,
            row["number"],
            _id(row["workstream"]),
            _id(row["parent"]),
            _spelling(Status, row["status"]),
            _spelling(Response, row["response"]),
        )
    return items


def _recommendation_of(items: dict[str, _Item], item_id: str) -> str | None:
    seen = set()
    while item_id in items and item_id not in seen:
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


def find_mapping(store, from_plan: str, to_plan: str) -> Mapping:
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
    rows = {
        item.id: MappingRow(
            item.id,
            item.number,
            item.label,
            item.status,
            item.response,
            item.workstream,
            from_items[item.workstream].label if item.workstream in from_items else None,
        )
        for item in recommendations
    }
    workstreams = sorted(
        (item for item in to_items.values() if item.type == "workstream"), key=lambda i: (i.position, i.id)
    )
    ordinals = _ordinals(to_items)
    mapping = Mapping(
        from_plan, from_title, to_plan, to_title, [(w.id, w.label) for w in workstreams], list(rows.values())
    )
    seen = set()
    for row in store.select(_PLAN_LINKS, {_var("plan"): _node(from_plan)}):
        source, target = _id(row["source"]), _id(row["target"])
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
            relation=_spelling(Relation, row["relation"]),
            basis=_spelling(Basis, row["basis"]),
            direction=direction,
            quote=row["quote"],
            target_quote=row["targetQuote"],
            ordinal=ordinals.get(recommendation),
        )
        owner = _recommendation_of(from_items, near)
        (rows[owner].links if owner in rows else mapping.other_links).append(link)

    def order(link: MappingLink):
        ws = to_items.get(link.workstream)
        rec = to_items.get(link.recommendation)
        return (
            ws.position if ws else 10**6,
            rec.position if rec else -1,
            link.to_node,
            link.relation,
            link.direction,
            link.from_node,
        )

    for row in mapping.rows:
        row.links.sort(key=order)
    mapping.other_links.sort(key=lambda link: (link.from_node, order(link)))
    return mapping


_MAPPING_COLUMNS = [
    "recommendation",
    "number",
    "label",
    "to_workstream",
    "to_recommendation",
    "to_node",
    "from_node",
    "relation",
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
        return render_json(data) + "\n"
    if output_format == "csv":
        rows = []
        for row in mapping.rows:
            for link in row.links or [None]:
                rows.append(
                    [row.recommendation, row.number, row.label]
                    + (
                        [
                            link.workstream,
                            link.recommendation,
                            link.to_node,
                            link.from_node,
                            link.relation,
                            link.basis,
                            link.direction,
                            link.quote,
                        ]
                        if link
                        else [None] * 8
                    )
                )
        return render_csv(_MAPPING_COLUMNS, rows)
    width = width or terminal_width()
    mapped = sum(1 for row in mapping.rows if row.links)
    heading = (
        f"{mapping.from_plan} → {mapping.to_plan}: {len(mapping.rows)} recommendations, "
        f"{mapped} linked, {len(mapping.rows) - mapped} map onto nothing"
    )
    body = _mapping_matrix(mapping, width) if matrix else _mapping_table(mapping, width)
    lines = [heading, "", body]
    if mapping.unmapped:
        lines += [""] + _wrapped("Map onto nothing: " + ", ".join(_local(rec) for rec in mapping.unmapped), width, "")
    if mapping.other_links:
        lines += ["", "Links from the plan or its workstreams:"]
        for link in mapping.other_links:
            arrow = "→" if link.direction == "out" else "←"
            lines += _wrapped(f"{link.from_node} {arrow} {link.relation} ({link.basis}) {link.to_node}", width, "  ")
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
        if row.workstream_title and row.workstream != workstream:
            rows += [f"{row.workstream_title} ({_local(row.workstream)})", None]
            workstream = row.workstream
        first = True
        for link in row.links or [None]:
            cells = [_local(row.recommendation), row.label] if first else ["", ""]
            if link is None:
                cells += ["—", "", ""] if with_workstreams else ["—", ""]
            else:
                item = _to_item(link, mapping.to_plan)
                if link.from_node != row.recommendation:
                    item = f"from {_local(link.from_node)}: {item}"
                arrow = "→" if link.direction == "out" else "←"
                cells += ([link.workstream_title or "—"] if with_workstreams else []) + [
                    item,
                    f"{arrow} {link.relation}\n{link.basis}",
                ]
            rows.append(cells)
            first = False
    headers = ["", mapping.from_plan] + (["workstream"] if with_workstreams else []) + [f"{mapping.to_plan}", "link"]
    caps = [16, None] + ([16] if with_workstreams else []) + [None, 14]
    return render_table(headers, rows, width, max_lines=4, spacing=False, max_widths=caps)


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
                arrow = "" if link.direction == "out" else "←"
                entry = f"{arrow}{target} {link.relation}{_BASIS_MARK.get(link.basis, '')}"
                if entry not in entries:
                    entries.append(entry)
            cells.append("\n".join(entries))
        rows.append(cells)
    headers = [""] + [title for _ws, title in columns] + (["other"] if other else [])
    legend = (
        "#n: the workstream's n-th recommendation; ws: the workstream itself; * judged, ~ suggested, "
        "unmarked explicit; ← the link points from the other plan"
    )
    return (
        render_table(headers, rows, width, spacing=False, wrap_headers=True)
        + "\n\n"
        + "\n".join(_wrapped(legend, width, ""))
    )


# -- overdue ----------------------------------------------------------------------------------------


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


def due_date(value: str) -> datetime.date:
    """Return the day a target falls due: the date itself, the end of its month, or the end of its year.

    >>> due_date("2020-02"), due_date("2021"), due_date("2020-03-15")
    (datetime.date(2020, 2, 29), datetime.date(2021, 12, 31), datetime.date(2020, 3, 15))
    """
    if len(value) == 4:
        return datetime.date(int(value), 12, 31)
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:7])
        return datetime.date(year, month, calendar.monthrange(year, month)[1])
    return datetime.date.fromisoformat(value[:10])


def find_overdue(store, as_of: datetime.date | str | None = None, plan: str | None = None) -> Overdue:
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
        item, holder = _id(row["item"]), _id(row["holder"])
        dates_of.setdefault(holder, set()).add(row["date"])
        if item not in latest or (due, holder) > (latest[item][0], latest[item][2]):
            latest[item] = (due, row["date"], holder)
    texts: dict[str, list[str]] = {}
    for row in sorted_rows(store.select(_TARGET_TEXTS), "holder", "text"):
        texts.setdefault(_id(row["holder"]), []).append(row["text"])
    update_status: dict[str, tuple] = {}
    for row in store.select(_UPDATE_STATUS):
        key = (row["date"] or "", row["position"] or 0, _id(row["update"]))
        item = _id(row["item"])
        if item not in update_status or key > update_status[item][0]:
            update_status[item] = (key, _spelling(Status, row["status"]), row["statusText"], key[2])
    items, seen = [], set()
    for row in sorted_rows(store.select(_PROGRESS), "item", "status", "statusText"):  # the first row of an item counts
        item = _id(row["item"])
        if item in seen or item not in latest or (plan_id and row["plan"] != plan_id):
            continue
        seen.add(item)
        status, status_text, status_of = _spelling(Status, row["status"]), row["statusText"], item
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
                type=_spelling(NodeType, row["type"]),
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
            _OVERDUE_COLUMNS, [[getattr(item, name) for name in _OVERDUE_COLUMNS] for item in overdue.items]
        )
    if not overdue.items:
        return f"Nothing is overdue on {overdue.as_of}.\n"
    rows = [
        [item.id, item.target_text or item.target, item.due, item.days_overdue, item.status or "not stated", item.label]
        for item in overdue.items
    ]
    heading = f"{len(overdue.items)} item{'s' if len(overdue.items) != 1 else ''} overdue on {overdue.as_of}"
    table = render_table(["item", "target", "due", "days", "status", "label"], rows, width, max_lines=2)
    return heading + "\n\n" + table + "\n"


# -- gaps -------------------------------------------------------------------------------------------


@dataclass
class Gap:
    """A recommendation missing an owner, a target date, or any action or link (``missing`` says which)."""

    id: str
    plan: str
    label: str
    status: str | None
    missing: list[str]


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


def find_gaps(store, plan: str | None = None) -> list[Gap]:
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
        parts.setdefault(_id(row["rec"]), set()).add(_id(row["part"]))
    owned = {_id(row["node"]) for row in store.select(_OWNED)}
    targeted = {_id(row["node"]) for row in store.select(_TARGETED)}
    linked = {_id(row["node"]) for row in store.select(_LINKED)}
    with_actions = {_id(row["node"]) for row in store.select(_WITH_ACTIONS)}
    gaps, seen = [], set()
    for row in sorted_rows(store.select(_RECOMMENDATIONS), "plan", "position", "rec", "status", "label"):
        rec = _id(row["rec"])
        status = _spelling(Status, row["status"])
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
        headers = ["id", "plan", "label", "status"] + [f"no {kind}" for kind in GAP_KINDS]
        return render_csv(
            headers,
            [
                [gap.id, gap.plan, gap.label, gap.status]
                + ["yes" if kind in gap.missing else "no" for kind in GAP_KINDS]
                for gap in gaps
            ],
        )
    if not gaps:
        return "Every recommendation has an owner, a target date, and an action or link.\n"
    rows = [[gap.id, ", ".join(gap.missing), gap.label] for gap in gaps]
    heading = f"{len(gaps)} recommendation{'s' if len(gaps) != 1 else ''} with gaps"
    return heading + "\n\n" + render_table(["recommendation", "missing", "label"], rows, width, max_lines=2) + "\n"
