"""Resolve the ids users type: global ids (``hmip-resettlement/r6``) or unambiguous short forms (``r6``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import UnknownIdError
from ..text import did_you_mean

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore

_EXACT = "SELECT ?n ?id WHERE { ?n dcterms:identifier ?id } LIMIT 1"
_SUFFIX = "SELECT ?id ?suffix WHERE { ?n dcterms:identifier ?id . FILTER(STRENDS(STR(?id), ?suffix)) }"
_ALL = "SELECT ?id WHERE { ?n dcterms:identifier ?id }"


def resolve_id(store: GraphStore, text: str) -> str:
    """Return the global id a user means by ``text``; raise UnknownIdError (with a did-you-mean) otherwise.

    ``store`` is anything with ``select(sparql, substitutions)`` (the embedded store or a SPARQL endpoint).
    A short form such as ``r6`` is accepted when exactly one plan has an item of that id.
    """
    from pyoxigraph import Literal, Variable

    text = text.strip()
    if not text:
        raise UnknownIdError("an id is needed")
    if store.select(_EXACT, {Variable("id"): Literal(text)}):
        return text
    if "/" not in text:
        matches = sorted(row["id"] for row in store.select(_SUFFIX, {Variable("suffix"): Literal("/" + text)}))
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UnknownIdError(f"'{text}' is ambiguous: it could be {', '.join(matches)}")
    known = [row["id"] for row in store.select(_ALL)]
    raise UnknownIdError(f"no node with id '{text}'{did_you_mean(text, known)}")
