"""The one interface every question reads the graph through: the embedded store and a SPARQL server alike.

``GraphStore`` declares what a question may ask, and nothing else: run SPARQL (``query``, ``select``), list the data
graphs, read the whole graph's tables (``facts``) and move along its links (``walk``). ``BaseStore`` holds the generic
way to answer the last two over ``select`` (a few whole-graph queries), so a store need only run SPARQL; the
embedded store overrides them with its per-file tables and its database's indexes. A question therefore has one code
path, whichever store it is given, and never asks which store it has (the layout test forbids ``isinstance`` on a
store and imports of a concrete one outside ``stores/``).

What a store can do beyond that is stated, not guessed: ``data_dir`` is None where there is nothing local to write
(``embedded.require_local`` refuses a remote one with one clear message), and ``remote`` says that answering reaches another machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from .facts import GraphFacts, read_graph_facts
from .walk import GraphWalk, Walk, workstreams

if TYPE_CHECKING:
    from pyoxigraph import Triple

    from ..sparql.results import QueryResults
    from ..sparql.text import Substitutions
    from .manifest import BuildReport

#: one SELECT row: variable name -> plain Python value (str, int) or None when unbound
Row = dict[str, Any]
T = TypeVar("T")


@runtime_checkable
class GraphStore(Protocol):
    """A place the crossplan graph can be queried: its union of named graphs is the default graph."""

    @property
    def data_dir(self) -> Path | None:
        """The data directory the graph was built from, or None (a SPARQL server: nothing local to write)."""
        ...

    @property
    def remote(self) -> bool:
        """Whether answering reaches another machine (a SPARQL server): the query guard must let it."""
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

    def facts(self) -> GraphFacts:
        """Return the whole graph's tables (a row per node and per link, the columns of ``stores/facts.py``)."""
        ...

    def walk(self) -> Walk:
        """Return a way to move along the graph's links from node to node (``stores/walk.py``)."""
        ...

    def file_digests(self) -> dict[str, str]:
        """Return the SHA-256 (hex) of each data file the graph was built from, by its path relative to ``data_dir``,
        as recorded when it was built; empty where the store keeps no such record (a SPARQL server, memory)."""
        ...


@runtime_checkable
class LocalStore(GraphStore, Protocol):
    """A graph built from local data files (``open_store``): what only it can do beside the questions."""

    @property
    def report(self) -> BuildReport | None:
        """What opening it did (files parsed and reused, a warning when answered from memory), or None."""
        ...

    def graph_triples(self, graph: str) -> list[Triple]:
        """Return the triples of one named graph (a data file's, or the ontology's)."""
        ...


@runtime_checkable
class ServedGraph(GraphStore, Protocol):
    """A store generation a server answers from (``stores/served.py``): it remembers slow answers for its life."""

    def remembered(self, name: str, compute: Callable[[], T], keep: Callable[[T], bool] = ...) -> T:
        """Return the answer remembered under ``name``, else ``compute()`` (kept when slow to work out and ``keep``)."""
        ...

    def all_graphs(self) -> list[str]:
        """Return the IRIs of every named graph: the data graphs and the ontology's."""
        ...

    def with_dataset(self, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> GraphStore:
        """Return the store seen through a SPARQL request's dataset (``default-graph-uri``, ``named-graph-uri``)."""
        ...


class BaseStore:
    """What every store shares: the generic, slower answers to ``facts`` and ``walk``, read over ``select``.

    A store subclasses this, runs SPARQL, and overrides what it can answer faster.
    """

    data_dir: Path | None = None
    remote = False

    #: A store answers SPARQL itself (``query``, ``select``, ``data_graphs`` of ``GraphStore``): there is no generic
    #: answer, so this class states only the one it reads its generic tables with, and each store defines it.
    select: Callable[..., list[Row]]

    def facts(self) -> GraphFacts:
        """Read the tables over SPARQL (a few whole-graph queries)."""
        return read_graph_facts(self)

    def walk(self) -> Walk:
        """Walk the links held in ``facts`` (the whole graph in memory: one read, then no round trip per step)."""
        return GraphWalk(self.facts(), workstreams(self))

    def file_digests(self) -> dict[str, str]:
        """No record of the data files: whoever needs their digests reads the files."""
        return {}
