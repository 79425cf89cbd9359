"""The store a server answers from: one generation of the embedded store, held for its life, remembering slow answers.

``open_served`` opens (building what changed) the data directory's store and copies it into memory when it fits (an
in-memory Oxigraph answers a query faster than its RocksDB twin); a larger one is answered from disk, its named
graphs read from the generation's files. The server (``graph.serve``) sees the result through the
``ServedGraph`` protocol only: a ``GraphStore`` that can ``remember`` what was slow to work out and be read through a
SPARQL request's dataset (``with_dataset``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..model.vocabulary import PREFIXES, graph_iri
from .embedded import CrossplanStore, open_store
from .protocol import BaseStore, GraphStore, Row

if TYPE_CHECKING:
    from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Store

    from ..sparql.results import QueryResults
    from ..sparql.text import Substitutions

REMEMBER_SECONDS = 0.02
"""An answer the library asks to remember is kept in memory when it took at least this long to work out."""

T = TypeVar("T")


class ServedStore(CrossplanStore):
    """A store generation held by the server: what is slow to work out is remembered in memory for its life."""

    def __init__(
        self,
        oxigraph: Store,
        data_dir: Path | None,
        origin: CrossplanStore | None = None,
        tables: list[dict] | None = None,
    ):
        # The build's per-file tables let whole-graph questions (duplicates, overdue, gaps, stats) skip SPARQL.
        # Answered from disk, the named graphs are the on-disk store's files' N-Triples.
        if origin is None:
            super().__init__(oxigraph, data_dir, None, tables=tables)
        else:
            super().__init__(
                oxigraph,
                data_dir,
                origin.path,
                generation=origin.generation,
                files=origin.files,
                tables=tables,
                graphs_stored=False,
            )
        self._origin = origin  # keeps the on-disk generation (and its shared lock) alive when answered from disk
        self._memory: dict = {}
        self._memory_lock = threading.Lock()

    def remembered(self, name: str, compute: Callable[[], T], keep: Callable[[T], bool] = lambda value: True) -> T:
        """Return the answer remembered under ``name``, else ``compute()`` (kept when slow to work out and ``keep``)."""
        with self._memory_lock:
            if name in self._memory:
                return self._memory[name]
        started = time.perf_counter()
        value = compute()
        # As on disk, only what was slow to work out is kept: memory holds the projection and slow answers, not
        # every quick lookup a page ever made.
        if time.perf_counter() - started >= REMEMBER_SECONDS and keep(value):
            with self._memory_lock:
                self._memory.setdefault(name, value)
        return value

    def all_graphs(self) -> list[str]:
        """Return the IRIs of every named graph: the data graphs and the ontology's (remembered)."""
        return self.remembered("named-graphs", lambda: sorted([*self.data_graphs(), graph_iri("ontology")]))

    def with_dataset(self, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> GraphStore:
        """Return this store seen through a SPARQL request's dataset (``default-graph-uri``, ``named-graph-uri``)."""
        return _Dataset(self, tuple(default_graphs), tuple(named_graphs))


class _Dataset(BaseStore):
    """A store seen through a request's dataset: the named graphs' union as the default graph, when given."""

    def __init__(self, store: ServedStore, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]):
        from pyoxigraph import NamedNode

        self.store = store
        self.data_dir = store.data_dir
        everything = set(store.all_graphs())
        chosen = set(default_graphs)
        # The stored default graph already is the union of every graph: naming them all (as EndpointStore does)
        # changes nothing and must not cost the union's evaluation.
        self.default: list[NamedNode | BlankNode | DefaultGraph] | None = (
            None if not chosen or chosen == everything else [NamedNode(iri) for iri in sorted(chosen)]
        )
        named = set(named_graphs)
        self.named: list[NamedNode | BlankNode] | None = (
            None if not named or named == everything else [NamedNode(iri) for iri in sorted(named)]
        )

    def query(self, sparql: str, substitutions: Substitutions | None = None) -> QueryResults:
        if self.default is None and self.named is None:
            return self.store.query(sparql, substitutions)
        return self.store.graph_store().query(
            sparql,
            prefixes=PREFIXES,
            substitutions=dict(substitutions) if substitutions is not None else None,
            default_graph=self.default,
            named_graphs=self.named,
        )

    def select(self, sparql: str, substitutions: Substitutions | None = None) -> list[Row]:
        return self.store.select(sparql, substitutions)

    def data_graphs(self) -> list[str]:
        return self.store.data_graphs()


def open_served(data_dir: Path | None, store_path: Path | None, memory_limit: int) -> tuple[ServedStore, int, bool]:
    """Open (building what changed) the store of a data directory, copied into memory if it holds ≤ ``memory_limit`` quads.

    Returns the served store, the quads it answers from and whether they are in memory. Raises DataError when the
    data has problems, StoreError when the store cannot be used.
    """
    on_disk = open_store(data_dir, store_path)
    quads = 2 * len(on_disk.oxigraph)  # the copy holds each triple twice: in its named graph and the default graph
    tables = on_disk.fact_tables()
    if quads <= memory_limit:
        memory = on_disk.memory_copy()
        return ServedStore(memory, on_disk.data_dir, tables=tables), len(memory), True
    return ServedStore(on_disk.oxigraph, on_disk.data_dir, origin=on_disk, tables=tables), quads, False
