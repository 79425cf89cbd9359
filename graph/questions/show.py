"""Everything the graph says about one node (``crossplan show``): ``describe_node`` gathers it, ``format_node``
renders it as readable sections, field/value CSV rows or JSON.

``describe_node(store, id)`` runs a few targeted queries about the node (its properties, actions and updates, links
in and out with their quotes and basis, what refers to it), standard SPARQL 1.1 correct when the default graph is the
union of all graphs, every list in a fixed order. ``store`` is the embedded store or a SPARQL endpoint.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..model.nodes import Basis, NodeType, Relation, Response, Status, relation_class, relation_words
from ..model.vocabulary import CP, DCTERMS, ORG, PROV, RDF, RDFS, SKOS, node_iri
from ..output import render_csv, render_json, terminal_width, wrapped_lines
from ..sparql.patterns import id_of, link_pattern, node_term, spelling, variable
from .ids import resolve_id
from .owners import RolledOwner, node_texts, owners_of
from .summary import say_link_counts

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore, Substitutions


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
    other_text: str | None = None
    """The other node's whole text (``other_label`` may be shortened)."""


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
    owners: list[RolledOwner] = field(default_factory=list)
    """Rolled up: the node's own owners, its actions' and its updates' (latest round first), each with ``via``."""
    owners_as_printed: list[str] = field(default_factory=list)
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
    texts: dict[str, str] = field(default_factory=dict)
    """The whole texts of those of them that have one (their labels may be shortened)."""


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
_LINKS_OF = f"""SELECT DISTINCT ?node ?direction ?relation ?other ?otherLabel ?basis ?quote ?targetQuote ?note ?document ?method WHERE {{
  {{ {link_pattern("?node", "?other")} BIND("out" AS ?direction) }}
  UNION
  {{ {link_pattern("?other", "?node")} BIND("in" AS ?direction) }}
  OPTIONAL {{ ?other rdfs:label ?otherLabel }}
  OPTIONAL {{ ?link cp:targetQuote ?targetQuote }}
  OPTIONAL {{ ?link skos:note ?note }}
  OPTIONAL {{ ?link prov:wasDerivedFrom ?document }}
  OPTIONAL {{ ?link cp:method ?method }}
}} ORDER BY ?direction ?relation ?other"""
_PARENT = "SELECT ?node ?parent WHERE { { ?parent cp:hasAction ?node } UNION { ?parent cp:hasUpdate ?node } } ORDER BY ?parent"
_CHILD_LINKS = f"""SELECT DISTINCT ?node ?child ?direction ?relation ?other ?otherLabel ?basis ?quote WHERE {{
  {{ ?node cp:hasAction ?child }} UNION {{ ?node cp:hasUpdate ?child }}
  {{ ?link cp:from ?child ; cp:to ?other . BIND("out" AS ?direction) }}
  UNION
  {{ ?link cp:to ?child ; cp:from ?other . BIND("in" AS ?direction) }}
  {link_pattern(None, None)}
  OPTIONAL {{ ?other rdfs:label ?otherLabel }}
}} ORDER BY ?child ?direction ?relation ?other"""
_REFERENCED_BY = """SELECT DISTINCT ?node ?p ?subject ?label WHERE {
  ?subject ?p ?node ; dcterms:identifier ?sid ; rdfs:label ?label .
  FILTER(?p IN (cp:inWorkstream, cp:addressedTo, cp:ownedBy, dcterms:publisher, org:subOrganizationOf, prov:wasDerivedFrom, dcterms:isPartOf)
         || (?p = cp:inPlan && EXISTS { ?subject a ?kind . FILTER(?kind IN (cp:Workstream, cp:Recommendation)) }))
} ORDER BY ?p ?subject"""

_REFERENCE_NAMES: dict[str, str] = {
    CP.inWorkstream: "in workstream",
    CP.inPlan: "in plan",
    CP.addressedTo: "addressed to",
    CP.ownedBy: "owned by",
    DCTERMS.publisher: "published by",
    ORG.subOrganizationOf: "part of",
    PROV.wasDerivedFrom: "derived from",
    DCTERMS.isPartOf: "part of",
}


def describe_node(store: GraphStore, node_id: str) -> NodeDescription:
    """Return everything about one node: text, plan, workstream, response, status, owners, target dates,
    actions, dated updates, and incoming and outgoing links with their quotes and basis.

    ``node_id`` is a global id or an unambiguous short form; raises UnknownIdError otherwise.
    """
    global_id = resolve_id(store, node_id)
    bound = {variable("node"): node_term(global_id)}
    values: dict[str, list] = {}
    for row in store.select(_PROPERTIES, bound):
        values.setdefault(row["p"], []).append(row["o"])
    labels = {id_of(row["o"]): row["label"] for row in store.select(_NEIGHBOUR_LABELS, bound)}

    def one(predicate: str) -> Any:
        found = values.get(predicate)
        return found[0] if found else None

    def ids(predicate: str) -> list[str]:
        return sorted(id_of(value) for value in values.get(predicate, []))

    types = [spelling(NodeType, value) for value in values.get(RDF.type, [])]
    kind = next((t for t in types if t in NodeType.spellings()), types[0] if types else "node")
    plan = id_of(one(CP.inPlan)) if kind != "plan" else None
    workstream = id_of(one(CP.inWorkstream))
    description = NodeDescription(
        id=global_id,
        type=kind,
        label=one(RDFS.label) or global_id,
        iri=node_iri(global_id),
        title=one(DCTERMS.title),
        text=one(CP.text),
        number=one(CP.number),
        plan=plan,
        plan_title=labels.get(plan) if plan is not None else None,
        workstream=workstream,
        workstream_title=labels.get(workstream) if workstream is not None else None,
        response=spelling(Response, one(CP.response)),
        status=spelling(Status, one(CP.status)),
        status_text=one(CP.statusText),
        timescale=one(CP.timescale),
        date=one(DCTERMS.date),
        addressed_to=ids(CP.addressedTo),
        addressee_text=one(CP.addresseeText),
        owners=owners_of(store, global_id),
        owners_as_printed=sorted(values.get(CP.ownerText, [])),
        owned_by=ids(CP.ownedBy),
        target_dates=sorted(values.get(CP.targetDateText, [])),
        target_date_values=sorted(values.get(CP.targetDate, [])),
        abbreviations=sorted(values.get(SKOS.altLabel, [])),
        part_of=id_of(one(ORG.subOrganizationOf) or one(DCTERMS.isPartOf)),
        publishers=ids(DCTERMS.publisher),
        source=id_of(one(PROV.wasDerivedFrom)),
        url=one(CP.url),
        source_file=one(CP.sourceFile),
        licence=one(DCTERMS.license),
        note=one(SKOS.note),
        names=dict(sorted(labels.items())),
    )
    parents = store.select(_PARENT, bound)
    if parents:
        description.parent = id_of(parents[0]["parent"])
        description.parent_label = labels.get(description.parent)
    description.actions, description.updates = _children(store, bound)
    for row in store.select(_LINKS_OF, bound):
        view = LinkView(
            direction=row["direction"],
            relation=spelling(Relation, row["relation"]),
            other=id_of(row["other"]),
            other_label=row["otherLabel"],
            basis=spelling(Basis, row["basis"]),
            quote=row["quote"],
            target_quote=row["targetQuote"],
            note=row["note"],
            document=id_of(row["document"]),
            method=row["method"],
        )
        (description.links_out if view.direction == "out" else description.links_in).append(view)
    for row in store.select(_REFERENCED_BY, bound):
        description.referenced_by.append(
            Reference(_REFERENCE_NAMES.get(row["p"], str(row["p"])), id_of(row["subject"]), row["label"])
        )
    description.referenced_by.sort(key=lambda ref: (ref.relation, ref.id))
    _add_whole_texts(store, description)
    return description


def _add_whole_texts(store: GraphStore, description: NodeDescription) -> None:
    """Give each link and each named node its other end's whole text, beside its (possibly shortened) label."""
    links = [
        *description.links_out,
        *description.links_in,
        *(link for item in [*description.actions, *description.updates] for link in item.links),
    ]
    texts = node_texts(store, [*description.names, *(link.other for link in links)])
    description.texts = {node: texts[node] for node in description.names if node in texts}
    for link in links:
        link.other_text = texts.get(link.other)


def _children(store: GraphStore, bound: Substitutions) -> tuple[list[ItemSummary], list[ItemSummary]]:
    children: dict[str, ItemSummary] = {}
    actions: list[ItemSummary] = []
    updates: list[ItemSummary] = []
    for row in store.select(_CHILDREN, bound):
        child = id_of(row["child"])
        if child in children:
            continue
        summary = ItemSummary(
            id=child,
            type=row["kind"],
            label=row["label"],
            title=row["title"],
            text=row["text"],
            date=row["date"],
            status=spelling(Status, row["status"]),
            status_text=row["statusText"],
        )
        children[child] = summary
        (actions if row["kind"] == "action" else updates).append(summary)
    for row in store.select(_CHILD_VALUES, bound):
        owner = children.get(id_of(row["child"]))
        if owner is not None:
            (owner.owners if row["p"] == CP.ownerText else owner.target_dates).append(row["value"])
    for row in store.select(_CHILD_LINKS, bound):
        linked = children.get(id_of(row["child"]))
        if linked is not None:
            linked.links.append(
                LinkView(
                    row["direction"],
                    spelling(Relation, row["relation"]),
                    id_of(row["other"]),
                    row["otherLabel"],
                    spelling(Basis, row["basis"]),
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
        lines += wrapped_lines(description.text, width, "")
    else:
        lines += wrapped_lines(description.label, width, "")
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
            counts: dict[str, dict[str, int]] = {}
            for link in links:
                by_basis = counts.setdefault(relation_class(link.relation).value, {})
                by_basis[link.basis] = by_basis.get(link.basis, 0) + 1
            lines += ["", *wrapped_lines(f"{title} ({len(links)}): {say_link_counts(counts)}", width, "", "  ")]
            for link in links:
                lines += _link_lines(link, arrow, width)
    if description.referenced_by:
        lines += ["", f"Referenced by ({len(description.referenced_by)})"]
        for ref in description.referenced_by:
            lines += wrapped_lines(
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


def _pairs(pairs: list[tuple[str, str]], width: int) -> str:
    key_width = max(len(name) for name, _ in pairs)
    lines = []
    for name, value in pairs:
        lines += wrapped_lines(f"{name.ljust(key_width)}  {value}", width, "  ", "  " + " " * (key_width + 2))
    return "\n".join(lines)


def _item_lines(item: ItemSummary, width: int) -> list[str]:
    head = " ".join(part for part in (item.id, item.date or "", f"[{item.status}]" if item.status else "") if part)
    lines = wrapped_lines(head + (f"  {item.title}" if item.title else ""), width, "  ", "    ")
    lines += wrapped_lines(item.text or item.label, width, "    ")
    if item.owners:
        lines += wrapped_lines("owners: " + "; ".join(item.owners), width, "    ", "      ")
    if item.target_dates:
        lines += wrapped_lines("target dates: " + "; ".join(item.target_dates), width, "    ", "      ")
    for link in item.links:
        arrow = "→" if link.direction == "out" else "←"
        lines += wrapped_lines(f"{arrow} {link_phrase(link)} {link.other} ({link.basis})", width, "    ", "      ")
    return lines


def link_phrase(link: LinkView) -> str:
    """Say a link from this node's side: ``overlaps``, ``feeds into``, ``is fed by``…, with its spelling.

    >>> link_phrase(LinkView("in", "feeds-into", "x", None, "explicit", "q"))
    'is fed by (feeds-into)'
    """
    return f"{relation_words(link.relation, link.direction == 'out')} ({link.relation})"


def _link_lines(link: LinkView, arrow: str, width: int) -> list[str]:
    lines = wrapped_lines(
        f"{arrow} {link_phrase(link)} {link.other} ({link.basis})"
        + (f"  {link.other_label}" if link.other_label else ""),
        width,
        "  ",
        "      ",
    )
    lines += wrapped_lines(f"“{link.quote}”", width, "      ")
    if link.target_quote:
        lines += wrapped_lines(f"target: “{link.target_quote}”", width, "      ")
    if link.note:
        lines += wrapped_lines(f"note: {link.note}", width, "      ")
    return lines


def _node_fields(description: NodeDescription) -> list[tuple[str, str]]:
    """Flatten a description into (field, value) rows: one row per value, in a fixed order."""
    rows: list[tuple[str, str]] = []

    def add(name: str, value: str | None) -> None:
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

    def named(ids: list[str]) -> str:
        return ", ".join(f"{i} ({description.names[i]})" if i in description.names else i for i in ids)

    add("addressed to", named(description.addressed_to))
    add("addressee as printed", description.addressee_text)
    for owner in description.owners:
        via = f", via {owner.via}" if owner.via != description.id else ""
        add("owner", (f"{owner.id} ({owner.label})" if owner.id else owner.label) + via)
    shown = {owner.label for owner in description.owners if owner.id is None}
    for printed in description.owners_as_printed:
        add("owner as printed", printed if printed not in shown else None)
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
            # these rows are the CSV's alone (the table lists the parts itself): the whole text, never the label
            add(kind, f"{item.id}: {item.title or item.text or item.label}" + (f" ({extra})" if extra else ""))
    for link in description.links_out + description.links_in:
        arrow = "→" if link.direction == "out" else "←"
        add(f"link {link.direction}", f"{arrow} {link_phrase(link)} {link.other} ({link.basis}): {link.quote}")
    for ref in description.referenced_by:
        add("referenced by", f"{ref.relation}: {ref.id}")
    return rows
