"""The embedded Oxigraph store: built from the YAML, cached on disk, rebuilt only where files changed.

A store directory holds ``manifest.json``, one or more *generations* (``gen-000007/``, each a complete Oxigraph
database), ``index/``, ``facts/`` and ``triples/``. The manifest records the size, mtime and SHA-256 of every data
file (so a changed, added or removed file is noticed), the named graph each file became, and which generation is
current. The index holds, per file content, the ids the file defines and the references it makes, so one changed
file is checked against all the others without re-reading them (and, when it keeps every id it defined, against the
previous generation, without reading the others' entries either), and a rebuild writes only the changed file's
entry. A full build parses the files in worker processes and hands their triples to the bulk loader as N-Triples.

Each data file is one named graph (``graph/<plan-id>``, ``graph/registry/<name>``), and queries read the default
graph, their union with the ontology. The database holds the default graph only, each triple once; each file's
named graph is its N-Triples text in ``triples/`` (``stores/triples.py``). Oxigraph writes a named-graph quad into
six indexes and a default-graph triple into three, so keeping both in the database had made a full build three
times raw pyoxigraph's load of the same triples; and its "default graph as the union of the named graphs" mode had
cost queries 1.3–1.7× at a million triples. A query that names graphs (``GRAPH``, ``FROM``) runs on a second
database of the generation, ``graphs/``, holding the named graphs and their union (``graph_store``): made from those
files by the first such query, carried over by each rebuild. The server answers from an in-memory copy of it
(``memory_copy``); export (N-Quads, TriG) and push read the files themselves. A rebuild updates the default graph by the difference of a changed file's old and
new lines, and removes a triple only when no other file still states it.

Beside the database, the manifest and the index, ``facts/`` holds per file content the few columns the whole-graph
questions read (``stores/facts.py``), written when the file is built: JSON, checked on reading, ignored (the store is
read instead) when missing, damaged or foreign. No answer is remembered; the questions about one node read only what
they need from the database's indexes (``quads_for_pattern`` on the default graph, see ``stores/walk.py``).
Nothing in the store directory can run code.

Faults of the store itself are worded as such (``StoreError``): damaged database files name the store and
``crossplan build --rebuild``; a full disk during a build removes the half-written generation; a store that is out of
date and cannot be written (a read-only cache) is answered from an in-memory copy, with ``report.warning``.

A build never touches the current generation. It writes a new one — a full load into an empty database, or
for a few changed files a copy of the current one (RocksDB checkpoint: hard links, milliseconds) with those
graphs replaced — and then commits by atomically replacing the manifest. So a crash mid-build leaves the
previous store intact (its leftovers are removed by the next build), a reader never sees half a build, and any
number of processes can read at once. Builders take ``lock`` in turn; readers hold a shared lock on their
generation so that it is deleted only once nobody has it open. Checking that a store is up to date reads the
manifest and stats the data files: no YAML, no index.

This module holds the store and opening it; beside it are the store directory's layout and manifest
(``manifest.py``), building a generation (``build.py``), parsing and checking the changed files (``parsing.py``),
the wording of the store's faults (``faults.py``) and its file locks (``locks.py``).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..datafiles.loading import check_data_dir, load_dataset
from ..errors import LocalOnlyError, StoreError
from ..files import read_json
from ..model.vocabulary import PREFIXES, graph_iri
from ..rdf.quads import file_quads
from ..resources import shipped_data_dir
from ..sparql.results import solution_rows
from ..sparql.text import inline_terms, names_graphs
from ..text import display_path
from .build import build_generation, in_default_graph, load_ontology, prepare_directory, retire
from .endpoint import ENDPOINT_VARIABLE
from .facts import GraphFacts, file_facts, read_facts
from .faults import fault_message, fault_reason, is_damage, is_disk_full, is_read_only, store_faults
from .locks import exclusive_lock, shared_lock
from .manifest import (
    DATABASE,
    LOCK,
    MANIFEST,
    BuildReport,
    compare_listing,
    default_store_path,
    facts_path,
    file_listing,
    graph_name_of,
    refresh_manifest,
    triples_path,
    usable_manifest,
)
from .protocol import BaseStore, GraphStore
from .triples import (
    GRAPHS,
    build_graph_database,
    graph_copy,
    missing_triples,
    ontology_ntriples,
    parse_triples,
    remove_leftovers,
)
from .walk import IndexWalk, Walk

if TYPE_CHECKING:
    from pyoxigraph import Store, Triple

    from ..datafiles.loading import Dataset
    from ..sparql.results import QueryResults
    from ..sparql.text import Substitutions


class CrossplanStore(BaseStore):
    """A built graph: an Oxigraph store plus where it came from. Queries see the union of all graphs.

    The union is stored: the default graph holds every triple of every file. Where the named graphs are is settled
    here, once: an on-disk store keeps each file's named graph as N-Triples beside the database
    (``stores/triples.py``, ``graphs_stored=False``); an in-memory one (``memory_store``) holds them in its database.
    """

    def __init__(
        self,
        store: Store,
        data_dir: Path | None,
        path: Path | None,
        report: BuildReport | None = None,
        hold: Any = None,
        generation: Path | None = None,
        files: dict | None = None,
        tables: list[dict] | None = None,
        graphs_stored: bool = True,
    ) -> None:
        self.oxigraph = store
        self.data_dir = data_dir
        self.path = path
        self.report = report
        self._hold = hold  # the shared lock on the generation: released when this object is collected
        self.generation = generation
        self._files = files  # the manifest's entries of the generation opened
        self._tables = tables
        self._graphs: _GraphsInDatabase | _GraphsInFiles = (
            _GraphsInDatabase(store) if graphs_stored else _GraphsInFiles(self._entries(), path, generation)
        )

    @property
    def files(self) -> dict | None:
        """The manifest's entries of the generation opened (None for an in-memory store)."""
        return self._files

    def fact_tables(self) -> list[dict] | None:
        """Return every data file's facts table (``stores/facts.py``), or None if one is missing or damaged."""
        if self._tables is None and self._files is not None and self.path is not None:
            tables = []
            for relpath, entry in self._files.items():
                table = read_facts(facts_path(self.path, relpath, entry["sha256"]))
                if table is None:
                    return None
                tables.append(table)
            self._tables = tables
        return self._tables

    def file_digests(self) -> dict[str, str]:
        """The SHA-256 of each data file, from the manifest's entries of the generation opened."""
        return {relpath: entry["sha256"] for relpath, entry in self._entries().items()}

    def facts(self) -> GraphFacts:
        """The per-file tables the build wrote; read from the store where one is missing or damaged."""
        tables = self.fact_tables()
        return GraphFacts.merge(tables) if tables is not None else super().facts()

    def walk(self) -> Walk:
        """Walk the database's own indexes, reading only the nodes an answer reaches."""
        return IndexWalk(self.oxigraph)

    def query(self, sparql: str, substitutions: Substitutions | None = None) -> QueryResults:
        """Run a SPARQL query over the union of all graphs, with the crossplan prefixes pre-bound.

        A query that names graphs (``GRAPH``, ``FROM``) runs on ``graph_store()``, which holds the named graphs.
        """
        database = self.graph_store() if names_graphs(sparql) else self.oxigraph
        return database.query(
            sparql, prefixes=PREFIXES, substitutions=dict(substitutions) if substitutions is not None else None
        )

    def graph_store(self) -> Store:
        """Return a database holding every named graph and, in its default graph, their union.

        For an on-disk store this is the generation's second database, ``graphs/``: made from the files' N-Triples
        by the first query that needs it (about as long as a build's load), then opened in milliseconds, and
        carried over by rebuilds. Where it cannot be written (a read-only cache, a full disk) the in-memory copy
        (``memory_copy``) stands in.
        """
        return self._graphs.database()

    def memory_copy(self) -> Store:
        """Return an in-memory database of every named graph and their union (what the server answers from)."""
        return self._graphs.memory_copy()

    def graph_triples(self, graph: str) -> list[Triple]:
        """Return the triples of one named graph (a data file's, or the ontology's)."""
        return self._graphs.triples(graph)

    def data_graphs(self) -> list[str]:
        """Return the IRIs of the named graphs that hold data (not the ontology)."""
        return self._graphs.data_graphs()

    def _entries(self) -> dict:
        return self._files if self._files is not None else {}

    def select(self, sparql: str, substitutions: Substitutions | None = None) -> list[dict[str, Any]]:
        """Run a SELECT query and return a list of rows mapping variable names to plain Python values.

        The substituted values are written into the query as terms (``inline_terms``), so that Oxigraph plans
        around them: the questions about one node or one plan stay fast on a large store.
        """
        sparql = inline_terms(sparql, substitutions)
        with store_faults(self.path):
            return solution_rows(self.query(sparql))


class _GraphsInDatabase:
    """The named graphs are in the database itself (an in-memory store): it answers every question of them."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def database(self) -> Store:
        return self._store

    def memory_copy(self) -> Store:
        return self._store

    def triples(self, graph: str) -> list[Triple]:
        from pyoxigraph import NamedNode

        return [quad.triple for quad in self._store.quads_for_pattern(None, None, None, NamedNode(graph))]

    def data_graphs(self) -> list[str]:
        ontology_graph = graph_iri("ontology")
        return sorted(g.value for g in self._store.named_graphs() if g.value != ontology_graph)


class _GraphsInFiles:
    """The named graphs are each file's N-Triples beside the database; ``graphs/`` holds them once asked for."""

    def __init__(self, entries: dict, path: Path | None, generation: Path | None) -> None:
        assert path is not None, "an on-disk store knows its directory"
        self._entries, self._path, self._generation = entries, path, generation
        self._database: Store | None = None

    def database(self) -> Store:
        if self._database is None:
            self._database = self._graph_database()
        return self._database

    def memory_copy(self) -> Store:
        return graph_copy(self._graph_texts())

    def _graph_texts(self) -> Iterator[tuple[str, bytes]]:
        for relpath, entry in sorted(self._entries.items()):
            yield entry["graph"], self._file_triples(relpath, entry)

    def _graph_database(self) -> Store:
        from pyoxigraph import Store

        assert self._generation is not None
        directory = self._generation / GRAPHS
        with store_faults(self._path):
            try:
                if not (directory / "CURRENT").exists():
                    with exclusive_lock(self._generation / f"{GRAPHS}.lock"):
                        if not (directory / "CURRENT").exists():
                            remove_leftovers(self._generation)
                            build_graph_database(directory, self._graph_texts)
                return Store.read_only(str(directory))
            except (OSError, RuntimeError) as error:
                if is_damage(error) or not (isinstance(error, OSError) or is_disk_full(error)):
                    raise
                return graph_copy(self._graph_texts())  # cannot be written here: answered from memory instead

    def triples(self, graph: str) -> list[Triple]:
        if graph == graph_iri("ontology"):
            return list(parse_triples(ontology_ntriples()))
        found: dict[Triple, None] = {}  # a graph is a set: a file may state a triple twice
        for relpath, entry in sorted(self._entries.items()):
            if entry["graph"] == graph:
                found.update(dict.fromkeys(parse_triples(self._file_triples(relpath, entry))))
        return list(found)

    def data_graphs(self) -> list[str]:
        return sorted({entry["graph"] for entry in self._entries.values()})

    def _file_triples(self, relpath: str, entry: dict) -> bytes:
        path = triples_path(self._path, relpath, entry["sha256"])
        try:
            return path.read_bytes()
        except OSError as error:
            current = read_json(self._path / MANIFEST) or {}
            if self._generation is not None and current.get("generation") not in (None, self._generation.name):
                # a build since this store was opened has retired the files only this generation used
                raise StoreError(
                    f"{display_path(self._path)}: the store was rebuilt while this command was reading it; "
                    "run the command again"
                ) from None
            raise missing_triples(path, self._path, error) from None  # gone from the current generation


def require_local(store: GraphStore) -> GraphStore:
    """Return the store if it has local data to change; raise LocalOnlyError for one that has none (a SPARQL server,
    ``--endpoint``): its ``data_dir`` is None, or it is ``remote``."""
    if store.data_dir is None or store.remote:
        raise LocalOnlyError(
            f"this works on the local data, not on a SPARQL server: drop --endpoint (or unset {ENDPOINT_VARIABLE})"
        )
    return store


def open_store(
    data_dir: Path | str | None = None,
    store_path: Path | str | None = None,
    *,
    rebuild: bool = False,
    in_memory_fallback: bool = True,
) -> CrossplanStore:
    """Open the store of a data directory, first rebuilding whatever changed since the last build.

    Raises DataError (and leaves the store as it was) when the changed files have problems, and StoreError
    when the store directory cannot be used: its files are damaged (``crossplan build --rebuild`` restores them)
    or the disk filled up while building (the half-written build is removed). When the store is out of date and
    its directory cannot be written (a read-only cache), the answers come from an in-memory copy of the data
    (``report.in_memory``, with ``report.warning`` saying what to do), unless ``in_memory_fallback`` is False.
    """
    started = time.perf_counter()
    data_dir = Path(data_dir) if data_dir is not None else shipped_data_dir()
    check_data_dir(data_dir)
    path = Path(store_path) if store_path is not None else default_store_path(data_dir)
    report = BuildReport(data_dir, path)

    seen = None  # (manifest, listing, stale, removed, when listed) found out of date before the lock was taken
    if not rebuild:
        for _ in range(5):  # a concurrent build may retire the generation between reading the manifest and opening it
            manifest = usable_manifest(path, data_dir)
            if manifest is None:
                break
            listed_ns = time.time_ns()
            listing = file_listing(data_dir)
            stale, removed, verified = compare_listing(manifest, listing, data_dir, path)
            if stale or removed:
                seen = (manifest, listing, stale, removed, listed_ns)
                break
            opened = _open_generation(path, manifest["generation"])
            if opened is None:
                continue
            if verified:
                refresh_manifest(path, manifest)
            report.reused = list(listing)
            report.seconds = time.perf_counter() - started
            return _on_disk(opened, data_dir, path, report, manifest)

    building = ExitStack()
    try:
        prepare_directory(path)
        building.enter_context(exclusive_lock(path / LOCK))
    except OSError as error:
        if not is_read_only(error):
            raise StoreError(f"{display_path(path)}: cannot write the store ({fault_reason(error)})") from None
        return _in_memory_instead(data_dir, path, report, started, error, in_memory_fallback)
    with building:
        scanned_ns = time.time_ns()
        manifest = None if rebuild else usable_manifest(path, data_dir)
        if seen is not None and manifest is not None and _same_manifest(manifest, seen[0]):
            # nothing was built or refreshed meanwhile (each writes a new generation or scan time): the listing
            # made before the lock stands, as if it were made now but timed when it was made (racy files)
            manifest, listing, stale, removed, scanned_ns = seen
        elif manifest is not None:
            listing = file_listing(data_dir)
            stale, removed, _ = compare_listing(manifest, listing, data_dir, path)
        else:
            listing = file_listing(data_dir)
            stale, removed = list(listing), []
            report.full = True
        if stale or removed or manifest is None:
            try:
                with store_faults(path, building=True):  # pyoxigraph raises either, from RocksDB's status
                    manifest = build_generation(
                        data_dir, path, manifest, listing, sorted(stale), sorted(removed), report, scanned_ns
                    )
            except OSError as error:  # what the faults let pass: the store cannot be written here
                return _in_memory_instead(data_dir, path, report, started, error, in_memory_fallback)
        else:
            report.reused = list(listing)
        retire(path, manifest)
        opened = _open_generation(path, manifest["generation"])
    if opened is None:
        raise StoreError(f"{display_path(path)}: the store changed while it was being opened; try again")
    report.seconds = time.perf_counter() - started
    return _on_disk(opened, data_dir, path, report, manifest)


def _same_manifest(manifest: dict, earlier: dict) -> bool:
    """Whether a manifest read under the build lock is the one read before it (same generation and scan time)."""
    return manifest["generation"] == earlier["generation"] and manifest.get("scanned_ns") == earlier.get("scanned_ns")


def _on_disk(
    opened: tuple[Store, IO[bytes]], data_dir: Path, path: Path, report: BuildReport, manifest: dict
) -> CrossplanStore:
    """The store of an opened generation: its database (the default graph) and the files' named graphs beside it."""
    database, hold = opened
    generation = path / manifest["generation"]
    return CrossplanStore(database, data_dir, path, report, hold, generation, manifest["files"], graphs_stored=False)


def _open_generation(path: Path, generation: str) -> tuple[Store, IO[bytes]] | None:
    """Open a generation read-only under a shared lock; return (store, lock) or None if it has been retired."""
    from pyoxigraph import Store

    directory = path / generation
    hold = shared_lock(directory / LOCK)
    if hold is None or not (directory / DATABASE / "CURRENT").exists():
        if hold is not None:
            hold.close()
        return None
    try:
        return Store.read_only(str(directory / DATABASE)), hold
    except (OSError, RuntimeError) as error:
        hold.close()
        if not (directory / DATABASE / "CURRENT").exists():
            return None
        raise StoreError(
            fault_message(error, path) or f"{display_path(path)}: cannot open the store ({error})"
        ) from None


def _in_memory_instead(
    data_dir: Path, path: Path, report: BuildReport, started: float, error: OSError, allowed: bool
) -> CrossplanStore:
    """Answer from an in-memory copy of the data when the store is out of date and its directory cannot be written."""
    if not allowed:
        raise StoreError(
            f"{display_path(path)}: cannot write the store ({fault_reason(error)}); make the directory "
            "writable, or choose another --store (or CROSSPLAN_CACHE)"
        )

    dataset = load_dataset(data_dir)
    store = memory_store(dataset)
    report.store_path = path
    report.full = True
    report.parsed = [parsed.relpath for parsed in dataset.files]
    report.in_memory = True
    report.warning = (
        f"{display_path(path)} cannot be written ({fault_reason(error)}) and is out of date: answered from "
        "an in-memory copy of the data instead; make the directory writable or choose another --store "
        "(or CROSSPLAN_CACHE) to keep a store"
    )
    report.seconds = time.perf_counter() - started
    store.report = report
    return store


def build_store(
    data_dir: Path | str | None = None, store_path: Path | str | None = None, *, rebuild: bool = False
) -> BuildReport:
    """Compile a data directory into its on-disk store (only what changed, unless ``rebuild``); return what was done."""
    report = open_store(data_dir, store_path, rebuild=rebuild, in_memory_fallback=False).report
    assert report is not None  # open_store always says what it did
    return report


def memory_store(dataset: Dataset) -> CrossplanStore:
    """Return an in-memory store holding a loaded Dataset and the ontology (nothing cached on disk)."""
    from pyoxigraph import Store

    store = Store()
    for parsed in dataset.files:
        quads = list(file_quads(parsed, graph_name_of(parsed.relpath, parsed.graph, parsed.kind)))
        store.extend(quads)
        store.extend(in_default_graph(quads))
    load_ontology(store)
    return CrossplanStore(store, dataset.data_dir, None, tables=[file_facts(parsed) for parsed in dataset.files])


def remove_store(data_dir: Path | str | None = None, store_path: Path | str | None = None) -> Path | None:
    """Delete a store directory (only if it is a crossplan store); return its path, or None if there was none."""
    data_dir = Path(data_dir) if data_dir is not None else shipped_data_dir()
    path = Path(store_path) if store_path is not None else default_store_path(data_dir)
    if not (path / MANIFEST).exists():
        return None
    shutil.rmtree(path)
    return path
