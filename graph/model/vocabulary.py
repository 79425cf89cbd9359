"""The RDF vocabulary: namespaces as closed classes, so that a misspelt term fails at import.

Every ``cp:`` term here is declared in ``ontology/crossplan.ttl``; ``tests/model/test_vocabulary.py``
checks the two lists are the same.
"""

from __future__ import annotations

ID_BASE = "https://w3id.org/crossplan/id/"
GRAPH_BASE = "https://w3id.org/crossplan/graph/"
ONTOLOGY_IRI = "https://w3id.org/crossplan/ontology"


class _ClosedMeta(type):
    def __getattr__(cls, name: str):
        raise AttributeError(f"{name!r} is not a term of {cls.base}")


class ClosedNamespace(metaclass=_ClosedMeta):
    """A namespace whose terms are the class's annotated names; any other name raises AttributeError.

    >>> class EX(ClosedNamespace, base="http://example.org/"):
    ...     thing: str
    >>> EX.thing
    'http://example.org/thing'
    >>> EX.thnig
    Traceback (most recent call last):
    AttributeError: 'thnig' is not a term of http://example.org/
    """

    base: str = ""
    terms: frozenset[str] = frozenset()

    def __init_subclass__(cls, base: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        cls.base = base
        names = [name.rstrip("_") for name in cls.__dict__.get("__annotations__", {})]
        cls.terms = frozenset(names)
        for name in cls.__dict__.get("__annotations__", {}):
            setattr(cls, name, base + name.rstrip("_"))

    def __class_getitem__(cls, name: str) -> str:
        """Return the IRI of a term by its name (``CP["from"]``); unknown names raise AttributeError."""
        return cls.iri(name)

    @classmethod
    def iri(cls, name: str) -> str:
        """Return the IRI of a term by its name (``CP.iri("from")``, the typed spelling of ``CP["from"]``)."""
        if name not in cls.terms:
            raise AttributeError(f"{name!r} is not a term of {cls.base}")
        return cls.base + name


class CP(ClosedNamespace, base="https://w3id.org/crossplan/ontology#"):
    """The crossplan ontology."""

    # classes
    Plan: str
    Workstream: str
    Recommendation: str
    Action: str
    Update: str
    Organisation: str
    Document: str
    Programme: str
    Link: str
    ResponseValue: str
    StatusValue: str
    BasisValue: str
    # concept schemes and their concepts
    ResponseScheme: str
    Agreed: str
    PartlyAgreed: str
    NotAgreed: str
    StatusScheme: str
    Complete: str
    Ongoing: str
    NotApplicable: str
    Removed: str
    BasisScheme: str
    Explicit: str
    Judged: str
    Suggested: str
    # structure
    inPlan: str
    inWorkstream: str
    hasAction: str
    hasUpdate: str
    addressedTo: str
    ownedBy: str
    targetDate: str
    targetDateText: str
    ownerText: str
    addresseeText: str
    text: str
    number: str
    position: str
    response: str
    status: str
    statusText: str
    timescale: str
    url: str
    sourceFile: str
    dateNote: str
    shortTitle: str
    # dependency relations
    dependencyRelation: str
    duplicateOf: str
    feedsInto: str
    delegatedTo: str
    supersedes: str
    references: str
    relatedTo: str
    # qualified links (``from`` is a Python keyword: spelt ``from_`` here)
    from_: str
    to: str
    relation: str
    quote: str
    targetQuote: str
    basis: str
    method: str


class RDF(ClosedNamespace, base="http://www.w3.org/1999/02/22-rdf-syntax-ns#"):
    type: str


class RDFS(ClosedNamespace, base="http://www.w3.org/2000/01/rdf-schema#"):
    label: str
    comment: str
    seeAlso: str


class XSD(ClosedNamespace, base="http://www.w3.org/2001/XMLSchema#"):
    string: str
    integer: str
    date: str
    gYearMonth: str
    gYear: str
    anyURI: str


class OWL(ClosedNamespace, base="http://www.w3.org/2002/07/owl#"):
    Ontology: str
    Class: str
    ObjectProperty: str
    DatatypeProperty: str


class DCTERMS(ClosedNamespace, base="http://purl.org/dc/terms/"):
    identifier: str
    title: str
    date: str
    publisher: str
    license: str
    isPartOf: str
    references: str


class SKOS(ClosedNamespace, base="http://www.w3.org/2004/02/skos/core#"):
    altLabel: str
    prefLabel: str
    notation: str
    note: str
    inScheme: str


class ORG(ClosedNamespace, base="http://www.w3.org/ns/org#"):
    Organization: str
    subOrganizationOf: str


class PROV(ClosedNamespace, base="http://www.w3.org/ns/prov#"):
    wasDerivedFrom: str


PREFIXES: dict[str, str] = {
    "cp": CP.base,
    "rdf": RDF.base,
    "rdfs": RDFS.base,
    "xsd": XSD.base,
    "owl": OWL.base,
    "dcterms": DCTERMS.base,
    "skos": SKOS.base,
    "org": ORG.base,
    "prov": PROV.base,
}
"""The prefixes pre-bound in every query and used in every serialisation."""


def node_iri(global_id: str) -> str:
    """Return the IRI of a node from its global id.

    >>> node_iri("yj-blueprint/community-3")
    'https://w3id.org/crossplan/id/yj-blueprint/community-3'
    """
    return ID_BASE + global_id


def global_id_of(iri: str) -> str | None:
    """Return the global id inside a node IRI, or None for any other IRI."""
    return iri[len(ID_BASE) :] if iri.startswith(ID_BASE) else None


def graph_iri(name: str) -> str:
    """Return the IRI of the named graph that holds one plan or registry."""
    return GRAPH_BASE + name
