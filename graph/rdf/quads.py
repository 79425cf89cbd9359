"""Turn loaded nodes and links into RDF quads: one named graph per plan and per registry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Quad

from ..datafiles.loading import Dataset
from ..datafiles.parsed import ParsedFile
from ..model.nodes import Link, Node, NodeType
from ..model.vocabulary import CP, DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD, graph_iri, node_iri

_IRI: dict[str, NamedNode] = {}


def _iri(value: str) -> NamedNode:
    node = _IRI.get(value)
    if node is None:
        node = _IRI[value] = NamedNode(value)
    return node


@lru_cache(maxsize=1 << 17)
def _node(global_id: str) -> NamedNode:
    # Cached: organisations, plans and workstreams are the object of thousands of triples in a large data set.
    return NamedNode(node_iri(global_id))


def date_literal(value: str) -> Literal:
    """Type a checked date text: ``2020`` as xsd:gYear, ``2020-03`` as xsd:gYearMonth, ``2020-03-01`` as xsd:date.

    >>> date_literal("2020-03").datatype.value
    'http://www.w3.org/2001/XMLSchema#gYearMonth'
    """
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return Literal(value, datatype=_iri(datatype))


class _Terms:
    """The IRIs node_triples uses, made once: a million-triple build would otherwise make them millions of times."""

    def __init__(self):
        self.type = _iri(RDF.type)
        self.identifier = _iri(DCTERMS.identifier)
        self.label = _iri(RDFS.label)
        self.organization = _iri(ORG.Organization)
        self.in_plan = _iri(CP.inPlan)
        self.in_workstream = _iri(CP.inWorkstream)
        self.has_action = _iri(CP.hasAction)
        self.has_update = _iri(CP.hasUpdate)
        self.position = _iri(CP.position)
        self.integer = _iri(XSD.integer)
        self.url = _iri(CP.url)
        self.any_uri = _iri(XSD.anyURI)
        self.date = _iri(DCTERMS.date)
        self.response = _iri(CP.response)
        self.status = _iri(CP.status)
        self.addressed_to = _iri(CP.addressedTo)
        self.owned_by = _iri(CP.ownedBy)
        self.owner_text = _iri(CP.ownerText)
        self.target_date = _iri(CP.targetDate)
        self.target_date_text = _iri(CP.targetDateText)
        self.alt_label = _iri(SKOS.altLabel)
        self.sub_organization_of = _iri(ORG.subOrganizationOf)
        self.is_part_of = _iri(DCTERMS.isPartOf)
        self.publisher = _iri(DCTERMS.publisher)
        self.derived_from = _iri(PROV.wasDerivedFrom)
        self.link = _iri(CP.Link)
        self.link_from = _iri(CP.from_)
        self.link_to = _iri(CP.to)
        self.relation = _iri(CP.relation)
        self.quote = _iri(CP.quote)
        self.basis = _iri(CP.basis)
        self.target_quote = _iri(CP.targetQuote)
        self.note = _iri(SKOS.note)
        self.method = _iri(CP.method)
        self.literal_fields = (
            ("title", _iri(DCTERMS.title)),
            ("text", _iri(CP.text)),
            ("number", _iri(CP.number)),
            ("status_text", _iri(CP.statusText)),
            ("timescale", _iri(CP.timescale)),
            ("addressee_text", _iri(CP.addresseeText)),
            ("source_file", _iri(CP.sourceFile)),
            ("licence", _iri(DCTERMS.license)),
            ("note", _iri(SKOS.note)),
            ("date_note", _iri(CP.dateNote)),
            ("short_title", _iri(CP.shortTitle)),
        )
        self.enum = {}  # enum member -> its IRI as a NamedNode

    def of(self, member) -> NamedNode:
        term = self.enum.get(member)
        if term is None:
            term = self.enum[member] = _iri(member.term)
        return term


_TERMS: _Terms | None = None


def _terms() -> _Terms:
    global _TERMS
    if _TERMS is None:
        _TERMS = _Terms()
    return _TERMS


def node_triples(node: Node) -> Iterator[tuple]:
    """Yield the (subject, predicate, object) triples that describe one node."""
    t = _terms()
    s = _node(node.id)
    node_type = node.type
    yield s, t.type, t.of(node_type)
    yield s, t.identifier, Literal(node.id)
    yield s, t.label, Literal(node.label)
    if node_type is NodeType.ORGANISATION:
        yield s, t.type, t.organization
    if node.plan and node_type is not NodeType.PLAN:
        yield s, t.in_plan, _node(node.plan)
    if node.workstream and node_type is NodeType.RECOMMENDATION:
        yield s, t.in_workstream, _node(node.workstream)
    if node.parent:
        yield _node(node.parent), t.has_action if node_type is NodeType.ACTION else t.has_update, s
    for attribute, predicate in t.literal_fields:
        value = getattr(node, attribute)
        if value is not None:
            yield s, predicate, Literal(value)
    if node.position is not None:
        yield s, t.position, Literal(str(node.position), datatype=t.integer)
    if node.url is not None:
        yield s, t.url, Literal(node.url, datatype=t.any_uri)
    if node.date is not None:
        yield s, t.date, date_literal(node.date)
    if node.response is not None:
        yield s, t.response, t.of(node.response)
    if node.status is not None:
        yield s, t.status, t.of(node.status)
    for organisation in node.addressed_to:
        yield s, t.addressed_to, _node(organisation)
    for owner in node.owners:
        if owner.organisation:
            yield s, t.owned_by, _node(owner.organisation)
        if owner.text:
            yield s, t.owner_text, Literal(owner.text)
    for target in node.target_dates:
        if target.date:
            yield s, t.target_date, date_literal(target.date)
        if target.text:
            yield s, t.target_date_text, Literal(target.text)
    for abbreviation in node.abbreviations:
        yield s, t.alt_label, Literal(abbreviation)
    if node.part_of:
        yield s, t.sub_organization_of if node_type is NodeType.ORGANISATION else t.is_part_of, _node(node.part_of)
    for publisher in node.publishers:
        yield s, t.publisher, _node(publisher)
    if node.source:
        yield s, t.derived_from, _node(node.source)


def link_triples(link: Link, plan_source: str | None) -> Iterator[tuple]:
    """Yield the direct triple of a link and its qualified cp:Link resource."""
    t = _terms()
    source, target = _node(link.source_id), _node(link.target_id)
    relation = t.of(link.relation)
    yield source, relation, target
    resource = NamedNode(link.iri)
    yield resource, t.type, t.link
    yield resource, t.link_from, source
    yield resource, t.link_to, target
    yield resource, t.relation, relation
    yield resource, t.quote, Literal(link.quote)
    yield resource, t.basis, t.of(link.basis)
    if link.target_quote:
        yield resource, t.target_quote, Literal(link.target_quote)
    document = link.document or plan_source
    if document:
        yield resource, t.derived_from, _node(document)
    if link.note:
        yield resource, t.note, Literal(link.note)
    if link.method:
        yield resource, t.method, Literal(link.method)
    if link.date:
        yield resource, t.date, date_literal(link.date)


def file_triples(parsed: ParsedFile) -> Iterator[tuple]:
    """Yield every triple one data file contributes."""
    for node in parsed.nodes:
        yield from node_triples(node)
    for link in parsed.links:
        yield from link_triples(link, parsed.source_document)


def file_quads(parsed: ParsedFile, graph: str | None = None) -> Iterator[Quad]:
    """Yield the quads of one data file, in the file's own named graph (or in the graph IRI ``graph``)."""
    yield from file_quad_list(parsed, graph)


def file_quad_list(parsed: ParsedFile, graph: str | None = None) -> list[Quad]:
    """Return the quads of one data file as a list (the quickest form for loading a store)."""
    name = NamedNode(graph or graph_iri(parsed.graph))
    quads = [Quad(s, p, o, name) for node in parsed.nodes for s, p, o in node_triples(node)]
    source = parsed.source_document
    quads += [Quad(s, p, o, name) for link in parsed.links for s, p, o in link_triples(link, source)]
    return quads


def file_ntriples(parsed: ParsedFile) -> tuple[bytes, int]:
    """Return one data file's triples as N-Triples text, and how many there are.

    Each term is written as pyoxigraph writes it (``str(term)`` is its canonical N-Triples form, the very text
    ``serialize`` gives), without making a Quad for each triple: twice as quick as serialising the quads.
    """
    lines = [f"{s} {p} {o} .\n" for node in parsed.nodes for s, p, o in node_triples(node)]
    source = parsed.source_document
    lines += [f"{s} {p} {o} .\n" for link in parsed.links for s, p, o in link_triples(link, source)]
    return "".join(lines).encode("utf-8"), len(lines)


def dataset_quads(dataset: Dataset, plans: Iterable[str] | None = None) -> Iterator[Quad]:
    """Yield the quads of a whole dataset (or only of some plans, registries always included)."""
    wanted = set(plans) if plans is not None else None
    for parsed in dataset.files:
        if wanted is not None and parsed.kind == "plan" and parsed.graph not in wanted:
            continue
        yield from file_quads(parsed)


def to_rdflib(dataset: Dataset, plans: Iterable[str] | None = None):
    """Return the dataset as an rdflib Graph (all named graphs merged)."""
    import rdflib
    from pyoxigraph import RdfFormat, serialize

    text = serialize((quad.triple for quad in dataset_quads(dataset, plans)), format=RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=text.decode("utf-8") if isinstance(text, bytes) else text, format="nt")
    return graph
