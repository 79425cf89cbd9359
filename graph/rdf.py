"""Turn loaded nodes and links into RDF quads: one named graph per plan and per registry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Quad

from .loading import Dataset, ParsedFile
from .model import Link, Node, NodeType
from .vocabulary import CP, DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD, graph_iri, node_iri

_IRI = {}


def _iri(value: str) -> NamedNode:
    node = _IRI.get(value)
    if node is None:
        node = _IRI[value] = NamedNode(value)
    return node


def _node(global_id: str) -> NamedNode:
    return NamedNode(node_iri(global_id))


def date_literal(value: str) -> Literal:
    """Type a checked date text: ``2020`` as xsd:gYear, ``2020-03`` as xsd:gYearMonth, ``2020-03-01`` as xsd:date.

    >>> date_literal("2020-03").datatype.value
    'http://www.w3.org/2001/XMLSchema#gYearMonth'
    """
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return Literal(value, datatype=_iri(datatype))


def node_triples(node: Node) -> Iterator[tuple]:
    """Yield the (subject, predicate, object) triples that describe one node."""
    s = _node(node.id)
    yield s, _iri(RDF.type), _iri(node.type.term)
    yield s, _iri(DCTERMS.identifier), Literal(node.id)
    yield s, _iri(RDFS.label), Literal(node.label)
    if node.type is NodeType.ORGANISATION:
        yield s, _iri(RDF.type), _iri(ORG.Organization)
    if node.plan and node.type is not NodeType.PLAN:
        yield s, _iri(CP.inPlan), _node(node.plan)
    if node.workstream and node.type is NodeType.RECOMMENDATION:
        yield s, _iri(CP.inWorkstream), _node(node.workstream)
    if node.parent:
        predicate = CP.hasAction if node.type is NodeType.ACTION else CP.hasUpdate
        yield _node(node.parent), _iri(predicate), s
    literal_fields = (
        (node.title, DCTERMS.title),
        (node.text, CP.text),
        (node.number, CP.number),
        (node.status_text, CP.statusText),
        (node.timescale, CP.timescale),
        (node.addressee_text, CP.addresseeText),
        (node.source_file, CP.sourceFile),
        (node.licence, DCTERMS.license),
        (node.note, SKOS.note),
    )
    for value, predicate in literal_fields:
        if value is not None:
            yield s, _iri(predicate), Literal(value)
    if node.position is not None:
        yield s, _iri(CP.position), Literal(str(node.position), datatype=_iri(XSD.integer))
    if node.url is not None:
        yield s, _iri(CP.url), Literal(node.url, datatype=_iri(XSD.anyURI))
    if node.date is not None:
        yield s, _iri(DCTERMS.date), date_literal(node.date)
    if node.response is not None:
        yield s, _iri(CP.response), _iri(node.response.term)
    if node.status is not None:
        yield s, _iri(CP.status), _iri(node.status.term)
    for organisation in node.addressed_to:
        yield s, _iri(CP.addressedTo), _node(organisation)
    for owner in node.owners:
        if owner.organisation:
            yield s, _iri(CP.ownedBy), _node(owner.organisation)
        if owner.text:
            yield s, _iri(CP.ownerText), Literal(owner.text)
    for target in node.target_dates:
        if target.date:
            yield s, _iri(CP.targetDate), date_literal(target.date)
        if target.text:
            yield s, _iri(CP.targetDateText), Literal(target.text)
    for abbreviation in node.abbreviations:
        yield s, _iri(SKOS.altLabel), Literal(abbreviation)
    if node.part_of:
        predicate = ORG.subOrganizationOf if node.type is NodeType.ORGANISATION else DCTERMS.isPartOf
        yield s, _iri(predicate), _node(node.part_of)
    for publisher in node.publishers:
        yield s, _iri(DCTERMS.publisher), _node(publisher)
    if node.source:
        yield s, _iri(PROV.wasDerivedFrom), _node(node.source)


def link_triples(link: Link, plan_source: str | None) -> Iterator[tuple]:
    """Yield the direct triple of a link and its qualified cp:Link resource."""
    source, target = _node(link.source_id), _node(link.target_id)
    relation = _iri(link.relation.term)
    yield source, relation, target
    resource = NamedNode(link.iri)
    yield resource, _iri(RDF.type), _iri(CP.Link)
    yield resource, _iri(CP.from_), source
    yield resource, _iri(CP.to), target
    yield resource, _iri(CP.relation), relation
    yield resource, _iri(CP.quote), Literal(link.quote)
    yield resource, _iri(CP.basis), _iri(link.basis.term)
    if link.target_quote:
        yield resource, _iri(CP.targetQuote), Literal(link.target_quote)
    document = link.document or plan_source
    if document:
        yield resource, _iri(PROV.wasDerivedFrom), _node(document)
    if link.note:
        yield resource, _iri(SKOS.note), Literal(link.note)
    if link.method:
        yield resource, _iri(CP.method), Literal(link.method)
    if link.date:
        yield resource, _iri(DCTERMS.date), date_literal(link.date)


def file_triples(parsed: ParsedFile) -> Iterator[tuple]:
    """Yield every triple one data file contributes."""
    for node in parsed.nodes:
        yield from node_triples(node)
    for link in parsed.links:
        yield from link_triples(link, parsed.source_document)


def file_quads(parsed: ParsedFile) -> Iterator[Quad]:
    """Yield the quads of one data file, in the file's own named graph."""
    graph = NamedNode(graph_iri(parsed.graph))
    for s, p, o in file_triples(parsed):
        yield Quad(s, p, o, graph)


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
