"""The one interface every question reads the graph through: the embedded store and a SPARQL server alike.

A question takes a ``GraphStore`` and calls only what is declared here. What only the local data can do (rebuild,
read the per-file tables, write a rejection) takes the embedded ``CrossplanStore`` itself, or asks
``require_local`` (``stores/embedded.py``) for it, so that a SPARQL server is refused with one clear message
(``LocalOnlyError``) instead of an AttributeError.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..sparql.results import QueryResults
    from ..sparql.text import Substitutions

#: one SELECT row: variable name -> plain Python value (str, int) or None when unbound
Row = dict[str, Any]


@runtime_checkable
class GraphStore(Protocol):
    """A place the crossplan graph can be queried: its union of named graphs is the default graph."""

    @property
    def data_dir(self) -> Path | None:
        """The data directory the graph was built from, or None (a SPARQL server: nothing local to write)."""
        ...

    def query(self, sparql: str, substitutions: Substitutions | None = None) -> QueryResults:
        """Run a read-only SPARQL query with the crossplan prefixes pre-bound; results as pyoxigraph gives them."""
        ...

    def select(self, sparql: str, substitutions: Substitutions | None = None) -> list[Row]:
        """Run a SELECT query; return its rows as plain Python values."""
        ...

    def data_graphs(self) -> list[str]:
        """Return the IRIs of the named graphs that hold data (not the ontology)."""
        ...

    def fact_tables(self) -> list[dict[str, Any]] | None:
        """Return each data file's table of the columns whole-graph questions read (``stores/facts.py``), or None
        when there are none to read (a SPARQL server, an in-memory store): the question then asks SPARQL."""
        ...
