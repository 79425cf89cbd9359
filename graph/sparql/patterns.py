"""The pieces of SPARQL the questions and views share: the link pattern, and reading result terms back as crossplan's
own words.

A dependency link is a ``cp:Link`` resource (``cp:from``, ``cp:to``, ``cp:relation``, ``cp:basis``, ``cp:quote``);
``link_pattern`` writes its triple pattern with the variable names a query wants, ``LINK`` is the common one. A result
row holds IRIs: ``id_of`` turns a node IRI into its global id, ``spelling`` a controlled term into its YAML spelling
(``cp:PartlyAgreed`` → ``partly-agreed``, any other IRI as ``results.compact_iri`` shows it). ``node_term`` and
``variable`` build the pyoxigraph terms a query's substitutions are given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, overload

from ..model.nodes import Basis, NodeType, Relation, Response, Status, StructuralRelation
from ..model.vocabulary import global_id_of, node_iri
from .results import compact_iri

if TYPE_CHECKING:
    from pyoxigraph import NamedNode, Variable

Vocabulary: TypeAlias = (
    type[NodeType] | type[Relation] | type[StructuralRelation] | type[Status] | type[Response] | type[Basis]
)
"""A controlled vocabulary of the model: an enum whose values are YAML spellings and whose members have a ``term``."""


def link_pattern(
    source: str | None = "?source",
    target: str | None = "?target",
    *,
    link: str = "?link",
    relation: str | None = "?relation",
    basis: str | None = "?basis",
    quote: str | None = "?quote",
) -> str:
    """Return the triple pattern of a ``cp:Link`` with the given variables (or terms); None leaves a property out.

    >>> link_pattern()
    '?link a cp:Link ; cp:from ?source ; cp:to ?target ; cp:relation ?relation ; cp:basis ?basis ; cp:quote ?quote .'
    >>> link_pattern("?f", "?t", link="?l", basis=None, quote=None)
    '?l a cp:Link ; cp:from ?f ; cp:to ?t ; cp:relation ?relation .'
    """
    parts = [f"{link} a cp:Link"]
    for predicate, value in (
        ("cp:from", source),
        ("cp:to", target),
        ("cp:relation", relation),
        ("cp:basis", basis),
        ("cp:quote", quote),
    ):
        if value is not None:
            parts.append(f"{predicate} {value}")
    return " ; ".join(parts) + " ."


LINK = link_pattern()
"""Every stated link with its ends, relation, basis and quote: ``?link``, ``?source``, ``?target``, ``?relation``,
``?basis``, ``?quote``."""


@overload
def id_of(iri: str) -> str: ...
@overload
def id_of(iri: None) -> None: ...
@overload
def id_of(iri: str | None) -> str | None: ...
def id_of(iri: str | None) -> str | None:
    """Return the global id of a node IRI; any other IRI is returned as it is, None as None.

    >>> id_of("https://w3id.org/crossplan/id/north/r1"), id_of("x:y"), id_of(None)
    ('north/r1', 'x:y', None)
    """
    if iri is None:
        return None
    found = global_id_of(iri)
    return found if found is not None else iri


def known_spelling(enum: Vocabulary, iri: str | None) -> str | None:
    """Return the YAML spelling of one of ``enum``'s terms; None for any other IRI (or None)."""
    return enum.spellings_by_term().get(iri) if iri is not None else None


@overload
def spelling(enum: Vocabulary, iri: str) -> str: ...
@overload
def spelling(enum: Vocabulary, iri: None) -> None: ...
@overload
def spelling(enum: Vocabulary, iri: str | None) -> str | None: ...
def spelling(enum: Vocabulary, iri: str | None) -> str | None:
    """Return the YAML spelling of a controlled term (``cp:PartlyAgreed`` → ``partly-agreed``).

    An IRI that is none of ``enum``'s terms comes back as ``compact_iri`` shows it; None as None.
    """
    if iri is None:
        return None
    found = known_spelling(enum, iri)
    return found if found is not None else compact_iri(iri)


def node_term(global_id: str) -> NamedNode:
    """Return the IRI of a node as a pyoxigraph term, to bind into a query (``{variable("node"): node_term(id)}``)."""
    from pyoxigraph import NamedNode

    return NamedNode(node_iri(global_id))


def variable(name: str) -> Variable:
    """Return a query variable as a pyoxigraph term (the key of a substitution)."""
    from pyoxigraph import Variable

    return Variable(name)
