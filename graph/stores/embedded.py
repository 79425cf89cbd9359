"""The embedded Oxigraph store: built from the YAML, cached on disk, rebuilt only where files changed.

A store directory holds ``manifest.json``, one or more *generations* (``gen-000007/``, each a complete Oxigraph
database) and ``index/``. The manifest records the size, mtime and SHA-256 of every data file (so a changed,
added or removed file is noticed), the named graph each file became, and which generation is current. The index
holds, per file content, the ids the file defines and the references it makes, so one changed file is checked
against all the others without re-reading them (and, when it keeps every id it defined, against the previous
generation's graphs, without reading the others' entries either), and a rebuild writes only the changed file's entry.
A full build parses the files in worker processes and hands their quads to the bulk loader as N-Quads text. Each data
file is one named graph, so a changed file replaces only its own graph.

The default graph holds the merge of every named graph, kept in step by every build, and queries run on it. Oxigraph
answers a query over its default graph as fast as over a plain store, while its "default graph as the union of the
named graphs" mode cost 1.3–1.7× at a million triples; the copy costs disk space and a longer full build, and a
rebuild removes a triple from the default graph only when no named graph still states it.

Beside the database, the manifest and the index, ``facts/`` holds per file content the few columns the whole-graph
questions read (``graph/facts.py``), written when the file is built: JSON, checked on reading, ignored (the store is
read instead) when missing, damaged or foreign. No answer is remembered; the questions about one node read only what
they need from the database's indexes (``quads_for_pattern`` on the default graph, see ``graph/analysis.py``).
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
"""

from __future__ import annotations

import errno
import gc
import hashlib
import json
import os
import shutil
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..datafiles.loading import (
    Location,
    Reference,
    check_data_dir,
    check_definitions,
    data_files,
    load_dataset,
    parse_file,
)
from ..errors import DataError, LocalOnlyError, Problem, StoreError
from ..files import write_atomically
from ..model.nodes import NodeType
from ..model.vocabulary import ONTOLOGY_IRI, PREFIXES, RDF, graph_iri, node_iri
from ..progress import track
from ..rdf.quads import file_quad_list, file_quads
from ..resources import ontology_text, shipped_data_dir
from ..sparql.results import solution_rows
from ..sparql.text import inline_terms
from ..text import display_path
from .endpoint import ENDPOINT_VARIABLE
from .facts import FACTS_FORMAT, file_facts, read_facts, write_facts
from .protocol import GraphStore

if TYPE_CHECKING:
    from pyoxigraph import Store

    from ..sparql.results import QueryResults
    from ..sparql.text import Substitutions

STORE_FORMAT = 4  # 3: the default graph mirrors the union of the named graphs; 4: and each file has its facts
MANIFEST = "manifest.json"
INDEX = "index"
FACTS = "facts"  # per file content, the columns the whole-graph questions read (graph/facts.py)
INDEX_FORMAT = 1
LEGACY = ("index.json", "oxigraph")  # a format-1 store's files
DATABASE = "oxigraph"
LOCK = "lock"
GENERATION_PREFIX = "gen-"
# A file modified this close to (or after) the moment a build looked at it may have changed again within the
# file system's timestamp granularity without its size or mtime changing: such "racy" files are re-hashed.
RACY_NS = 2_000_000_000
LOCK_TIMEOUT = 600.0  # seconds to wait for another process's build
# Below this many new quads a changed file is added in one transaction; above it the bulk loader is quicker.
BULK_THRESHOLD = 20_000
BULK_THRESHOLD_BYTES = 500_000  # the same for a full build, in bytes of YAML (about 20,000 quads)


@dataclass
class BuildReport:
    """What opening the store did: which files were parsed, reused or dropped, and how long it took."""

    data_dir: Path
    store_path: Path | None
    parsed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    quads_added: int = 0
    seconds: float = 0.0
    full: bool = False
    in_memory: bool = False  # the store could not be written: the answers come from an in-memory copy
    warning: str | None = None  # what the user should be told (and do) about that

    @property
    def changed(self) -> bool:
        return bool(self.parsed or self.removed)


class CrossplanStore:
    """A built graph: an Oxigraph store plus where it came from. Queries see the union of all graphs.

    The union is stored: the default graph holds every triple of every named graph (see the module's docstring).
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
    ) -> None:
        self.oxigraph = store
        self.data_dir = data_dir
        self.path = path
        self.report = report
        self._hold = hold  # the shared lock on the generation: released when this object is collected
        self.generation = generation
        self._files = files  # the manifest's entries of the generation opened
        self._tables = tables

    def fact_tables(self) -> list[dict] | None:
        """Return every data file's facts table (``graph/facts.py``), or None if one is missing or damaged."""
        if self._tables is None and self._files is not None and self.path is not None:
            tables = []
            for relpath, entry in self._files.items():
                table = read_facts(self.path / FACTS / f"{_facts_key(relpath, entry['sha256'])}.json")
                if table is None:
                    return None
                tables.append(table)
            self._tables = tables
        return self._tables

    def query(self, sparql: str, substitutions: Substitutions | None = None) -> QueryResults:
        """Run a SPARQL query over the union of all graphs, with the crossplan prefixes pre-bound."""
        return self.oxigraph.query(
            sparql, prefixes=PREFIXES, substitutions=dict(substitutions) if substitutions is not None else None
        )

    def select(self, sparql: str, substitutions: Substitutions | None = None) -> list[dict[str, Any]]:
        """Run a SELECT query and return a list of rows mapping variable names to plain Python values.

        The substituted values are written into the query as terms (``inline_terms``), so that Oxigraph plans
        around them: the questions about one node or one plan stay fast on a large store.
        """
        sparql = inline_terms(sparql, substitutions)
        try:
            return solution_rows(self.query(sparql))
        except (OSError, RuntimeError) as error:
            if is_damage(error):
                raise StoreError(damaged_store_message(self.path, error)) from None
            raise

    def data_graphs(self) -> list[str]:
        """Return the IRIs of the named graphs that hold data (not the ontology)."""
        ontology_graph = graph_iri("ontology")
        return sorted(g.value for g in self.oxigraph.named_graphs() if g.value != ontology_graph)


def require_local(store: GraphStore) -> CrossplanStore:
    """Return the store as the embedded store, for what only the local data can do; raise LocalOnlyError for a
    SPARQL server (``--endpoint``)."""
    if not isinstance(store, CrossplanStore):
        raise LocalOnlyError(
            f"this works on the local data, not on a SPARQL server: drop --endpoint (or unset {ENDPOINT_VARIABLE})"
        )
    return store


def default_store_path(data_dir: Path) -> Path:
    """Return the per-data-directory cache location (``$CROSSPLAN_CACHE`` or the user cache directory)."""
    root = os.environ.get("CROSSPLAN_CACHE")
    if root:
        base = Path(root)
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "crossplan"
    key = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return base / f"{data_dir.resolve().name}-{key}"


def _ontology_fingerprint() -> str:
    return hashlib.sha256((__version__ + ontology_text()).encode("utf-8")).hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_json(path: Path, content: dict, sync: bool = True) -> None:
    data = json.dumps(content, separators=(",", ":")).encode("utf-8")
    write_atomically(path, lambda stream: stream.write(data), sync=sync)


def _read_json(path: Path) -> dict | None:
    try:
        with path.open("rb") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError):
        return None


def graph_name_of(relpath: str, graph: str, kind: str) -> str:
    """Return the named-graph IRI of one data file: ``graph/<plan-id>`` or ``graph/registry/<name>``."""
    return graph_iri(graph) if kind == "plan" else graph_iri(f"registry/{graph}")


# --------------------------------------------------------------------------------------------
# Opening: check the manifest, open the current generation, or build a new one.


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

    if not rebuild:
        for _ in range(5):  # a concurrent build may retire the generation between reading the manifest and opening it
            manifest = _usable_manifest(path, data_dir)
            if manifest is None:
                break
            listing = _listing(data_dir)
            stale, removed, verified = _compare(manifest, listing, data_dir, path)
            if stale or removed:
                break
            opened = _open_generation(path, manifest["generation"])
            if opened is None:
                continue
            if verified:
                _refresh_manifest(path, manifest)
            report.reused = list(listing)
            report.seconds = time.perf_counter() - started
            return CrossplanStore(
                opened[0], data_dir, path, report, opened[1], path / manifest["generation"], manifest["files"]
            )

    building = ExitStack()
    try:
        _prepare_directory(path)
        building.enter_context(_exclusive_lock(path / LOCK))
    except OSError as error:
        if not _read_only(error):
            raise StoreError(f"{display_path(path)}: cannot write the store ({_reason(error)})") from None
        return _in_memory_instead(data_dir, path, report, started, error, in_memory_fallback)
    with building:
        scanned_ns = time.time_ns()
        manifest = None if rebuild else _usable_manifest(path, data_dir)
        listing = _listing(data_dir)
        if manifest is not None:
            stale, removed, _ = _compare(manifest, listing, data_dir, path)
        else:
            stale, removed = list(listing), []
            report.full = True
        if stale or removed or manifest is None:
            try:
                manifest = _build(data_dir, path, manifest, listing, sorted(stale), sorted(removed), report, scanned_ns)
            except (OSError, RuntimeError) as error:  # pyoxigraph raises either, from RocksDB's status
                if _disk_full(error):
                    raise _write_fault(path, error) from None
                if is_damage(error):
                    raise StoreError(damaged_store_message(path, error)) from None
                if not isinstance(error, OSError):
                    raise
                if _read_only(error):
                    return _in_memory_instead(data_dir, path, report, started, error, in_memory_fallback)
                raise _write_fault(path, error) from None
        else:
            report.reused = list(listing)
        _retire(path, manifest)
        opened = _open_generation(path, manifest["generation"])
    if opened is None:
        raise StoreError(f"{display_path(path)}: the store changed while it was being opened; try again")
    report.seconds = time.perf_counter() - started
    return CrossplanStore(
        opened[0], data_dir, path, report, opened[1], path / manifest["generation"], manifest["files"]
    )


def _read_only(error: Exception) -> bool:
    return (
        getattr(error, "errno", None) in (errno.EROFS, errno.EACCES, errno.EPERM)
        or "Read-only file system" in str(error)
        or "Permission denied" in str(error)
    )


def _disk_full(error: Exception) -> bool:
    return (
        getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
        or "No space left" in str(error)
        or "quota exceeded" in str(error).lower()
    )


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)


def _write_fault(path: Path, error: Exception) -> StoreError:
    """Word a failed write to the store: a full disk as such (the half-written build is gone by now)."""
    if _disk_full(error):
        return StoreError(
            f"{display_path(path)}: the disk is full (no space left on device) while building the "
            "store; the half-written build was removed and the store is as it was: free some space "
            "and run the command again"
        )
    return StoreError(
        f"{display_path(path)}: cannot write the store ({_reason(error)}); the half-written build was "
        "removed and the store is as it was"
    )


def damaged_store_message(path: Path | None, error: Exception) -> str:
    """Return the message for a store whose files are damaged (RocksDB "Corruption", a truncated file…)."""
    where = display_path(path) if path is not None else "the store"
    return (
        f"{where}: the store is damaged ({str(error).strip() or type(error).__name__}); "
        "`crossplan build --rebuild` restores it from the data files"
    )


def is_damage(error: Exception) -> bool:
    """Whether an error from the database says its files are damaged (not a missing or busy store)."""
    text = str(error)
    return any(
        word in text
        for word in (
            "Corruption",
            "corrupt",
            "truncated",
            "checksum mismatch",
            "Bad table magic",
            "bad block",
            "missing files",
            "No such file or directory: While open a file",
        )
    )


def store_fault_message(error: Exception, app=None) -> str | None:
    """Word a database error that escaped a question (a damaged file read late, a full disk); None if it is neither.

    ``app`` is what the CLI knows of the store (``store_path`` and ``data_dir``), to name it.
    """
    path = getattr(app, "store_path", None)
    if path is None and app is not None:
        data_dir = getattr(app, "data_dir", None)
        path = default_store_path(Path(data_dir) if data_dir is not None else shipped_data_dir())
    if is_damage(error):
        return damaged_store_message(path, error)
    if _disk_full(error):
        where = display_path(path) + ": " if path is not None else ""
        return f"{where}the disk is full (no space left on device): free some space and run the command again"
    return None


def _in_memory_instead(
    data_dir: Path, path: Path, report: BuildReport, started: float, error: OSError, allowed: bool
) -> CrossplanStore:
    """Answer from an in-memory copy of the data when the store is out of date and its directory cannot be written."""
    if not allowed:
        raise StoreError(
            f"{display_path(path)}: cannot write the store ({_reason(error)}); make the directory "
            "writable, or choose another --store (or CROSSPLAN_CACHE)"
        )

    dataset = load_dataset(data_dir)
    store = memory_store(dataset)
    report.store_path = path
    report.full = True
    report.parsed = [parsed.relpath for parsed in dataset.files]
    report.in_memory = True
    report.warning = (
        f"{display_path(path)} cannot be written ({_reason(error)}) and is out of date: answered from "
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


def _listing(data_dir: Path) -> dict[str, tuple[int, int]]:
    listing = {}
    for relpath in data_files(data_dir):
        info = os.stat(data_dir / relpath)
        listing[relpath] = (info.st_size, info.st_mtime_ns)
    return listing


def _compare(manifest: dict, listing: dict, data_dir: Path, path: Path) -> tuple[list[str], list[str], bool]:
    """Return (stale files, removed files, whether any entry was re-verified by its hash).

    A file whose size and mtime match its entry is taken as unchanged without being read, unless it is racy
    (modified too close to the build that recorded it); otherwise its SHA-256 decides.
    """
    known = manifest["files"]
    racy_before = manifest.get("scanned_ns", 0) - RACY_NS
    stale, verified = [], False
    for relpath, (size, mtime) in listing.items():
        entry = known.get(relpath)
        if entry is None:
            stale.append(relpath)
            continue
        same_stat = entry["size"] == size and entry["mtime_ns"] == mtime
        if same_stat and mtime < racy_before:
            continue
        if _sha256(data_dir / relpath) != entry["sha256"]:
            stale.append(relpath)
            continue
        entry["size"], entry["mtime_ns"] = size, mtime
        verified = True
    removed = [relpath for relpath in known if relpath not in listing]
    # a file whose facts table is gone (another version's format, deleted) is parsed again to write it
    facts = path / FACTS
    stale += [
        relpath
        for relpath, entry in known.items()
        if relpath in listing
        and relpath not in stale
        and not (facts / f"{_facts_key(relpath, entry['sha256'])}.json").exists()
    ]
    return stale, removed, verified


def _refresh_manifest(path: Path, manifest: dict) -> None:
    """Record re-verified files (new mtimes, no longer racy) if no build is running; skip it otherwise."""
    with _try_lock(path / LOCK) as locked:
        if not locked:
            return
        current = _read_json(path / MANIFEST)
        if not current or current.get("generation") != manifest["generation"]:
            return
        manifest["scanned_ns"] = time.time_ns()
        _write_json(path / MANIFEST, manifest)


def _usable_manifest(path: Path, data_dir: Path) -> dict | None:
    manifest = _read_json(path / MANIFEST)
    if not manifest or manifest.get("format") != STORE_FORMAT or not manifest.get("generation"):
        return None
    if manifest.get("ontology") != _ontology_fingerprint():
        return None
    if manifest.get("data_dir") != str(data_dir.resolve()):
        return None
    return manifest


def _prepare_directory(path: Path) -> None:
    if path.exists():
        if not path.is_dir():
            raise StoreError(f"{display_path(path)}: not a directory, cannot hold a store")
        entries = os.listdir(path)
        ours = all(
            name in (MANIFEST, LOCK, INDEX, FACTS, *LEGACY) or name.startswith((GENERATION_PREFIX, "."))
            for name in entries
        )
        if entries and not ours:
            raise StoreError(f"{display_path(path)}: not a crossplan store and not empty; choose another --store")
    else:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{display_path(path)}: cannot create the store directory ({error.strerror})") from None


def _open_generation(path: Path, generation: str):
    """Open a generation read-only under a shared lock; return (store, lock) or None if it has been retired."""
    from pyoxigraph import Store

    directory = path / generation
    hold = _shared_lock(directory / LOCK)
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
        if is_damage(error):
            raise StoreError(damaged_store_message(path, error)) from None
        raise StoreError(f"{display_path(path)}: cannot open the store ({error})") from None


def _retire(path: Path, manifest: dict) -> None:
    """Delete generations no process has open, index entries no file uses, and a format-1 store's leftovers."""
    for name in os.listdir(path):
        if name.startswith(GENERATION_PREFIX) and name != manifest["generation"]:
            with _try_lock(path / name / LOCK, create=False) as locked:
                if locked:
                    shutil.rmtree(path / name, ignore_errors=True)
        elif name in LEGACY:
            target = path / name
            shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)
    # earlier versions kept pickled answers beside a generation: never read now, and not left to be trusted later
    shutil.rmtree(path / manifest["generation"] / "answers", ignore_errors=True)
    used = {entry["index"] + ".json" for entry in manifest["files"].values()}
    if (path / INDEX).is_dir():
        for name in os.listdir(path / INDEX):
            if name not in used:
                (path / INDEX / name).unlink(missing_ok=True)
    used = {_facts_key(relpath, entry["sha256"]) + ".json" for relpath, entry in manifest["files"].items()}
    if (path / FACTS).is_dir():
        for name in os.listdir(path / FACTS):
            if name not in used:
                (path / FACTS / name).unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Building a generation


def _build(data_dir, path, manifest, listing, stale, removed, report, scanned_ns) -> dict:
    """Parse the stale files, check them against the others, write a new generation and commit it."""
    from pyoxigraph import Store

    old_files = manifest["files"] if manifest else {}
    parsing = _Parsing(data_dir, path, stale, {})
    if manifest is not None:
        parsed_files = list(track(parsing, "Parsing YAML", unit="files"))
        # Most edits keep every id the changed files defined and refer only to ids that exist: the previous generation
        # settles that without reading the other files' index entries; anything else is checked against them all.
        if parsing.problems or parsing.unreadable or not _checked_by_the_store(path, manifest, parsing, removed):
            for relpath, entry in old_files.items():
                if relpath not in stale and relpath not in removed:
                    parsing.files_index[relpath] = _read_json(path / INDEX / f"{entry['index']}.json")
                    if parsing.files_index[relpath] is None:  # the index is damaged: start again from scratch
                        return _build(data_dir, path, None, listing, sorted(listing), [], report, scanned_ns)
            parsing.check()

    generation = _next_generation(path, manifest)
    directory = path / generation
    shutil.rmtree(directory, ignore_errors=True)  # a crashed build's leftovers
    store = None
    try:
        directory.mkdir()
        (directory / LOCK).touch()
        database = str(directory / DATABASE)
        graphs = parsing.graphs
        if manifest is None:
            # A full build parses the files in worker processes (``_prepare``): each gives back its hash, index entry
            # and problems, writes its facts table, and hands over its quads as N-Quads text, which the bulk loader
            # parses in Rust, so the parsed data set is never in memory whole and no Python term is made here.
            # Problems are checked once every file is read; the generation is not yet committed, so a problem only
            # costs the loading already done.
            report.full = True
            size = sum(listing[relpath][0] for relpath in stale)
            with _parsers(size) as pool:  # started before the database opens its threads: workers are forked
                store = Store(database)
                _load_ontology(store)
                _bulk_load(
                    store,
                    track(parsing.prepared(pool), "Building the store", len(parsing), unit="files"),
                    report,
                    size,
                    directory,
                )
            parsing.check()
            bulk = True
        else:
            Store.read_only(str(path / manifest["generation"] / DATABASE)).backup(database)
            store = Store(database)
            bulk = _update_graphs(
                store, parsed_files, graphs, [old_files[relpath]["graph"] for relpath in removed], old_files, report
            )
        store.flush()
        if bulk:
            # The bulk loader writes each batch as its own overlapping files, which every later read must consult:
            # merging them (2.4 s at a million triples) makes the store's queries up to twice as fast.
            store.optimize()

        new_files = {relpath: entry for relpath, entry in old_files.items() if relpath not in removed}
        (path / INDEX).mkdir(exist_ok=True)
        for relpath, graph in graphs.items():
            size, mtime = listing[relpath]
            digest = parsing.hashes[relpath]
            key = hashlib.sha256(f"{INDEX_FORMAT}\0{relpath}\0{digest}".encode()).hexdigest()[:32]
            new_files[relpath] = {"size": size, "mtime_ns": mtime, "sha256": digest, "graph": graph, "index": key}
            _write_json(path / INDEX / f"{key}.json", parsing.files_index[relpath], sync=False)
        store = None  # closes the database before it is published
        new_manifest = {
            "format": STORE_FORMAT,
            "ontology": _ontology_fingerprint(),
            "data_dir": str(data_dir.resolve()),
            "generation": generation,
            "scanned_ns": scanned_ns,
            "files": new_files,
        }
        _write_json(path / MANIFEST, new_manifest)  # the commit point
    except BaseException as error:
        # a full disk, a damaged source generation, an interrupt: leave no half-written generation behind, with its
        # database closed first (the frames of the traceback would otherwise keep it open, and its lock held)
        import traceback

        store = None
        traceback.clear_frames(error.__traceback__)
        gc.collect()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    report.parsed = list(stale)
    report.removed = list(removed)
    report.reused = sorted(set(listing) - set(stale))
    return new_manifest


class _Parsing:
    """The stale files, parsed one at a time as they are iterated; each file's hash, named graph, facts table and
    index entry are kept as it goes, and ``check()`` then raises DataError for every problem found."""

    def __init__(self, data_dir: Path, path: Path, stale: list[str], files_index: dict):
        self.data_dir, self.path, self.stale, self.files_index = data_dir, path, stale, files_index
        self.hashes: dict[str, str] = {}
        self.graphs: dict[str, str] = {}
        self.problems: list = []
        self.unreadable = False

    def __len__(self) -> int:
        return len(self.stale)

    def __iter__(self):
        (self.path / FACTS).mkdir(exist_ok=True)
        for relpath in self.stale:
            parsed, digest = _parse(self.data_dir, relpath)
            self.hashes[relpath] = digest
            self.graphs[relpath] = graph_name_of(relpath, parsed.graph, parsed.kind)
            self.problems += parsed.problems
            self.unreadable |= parsed.unreadable
            if not parsed.problems:  # keyed by content: a failed build leaves only what a later one may use
                write_facts(self.path / FACTS / f"{_facts_key(relpath, digest)}.json", file_facts(parsed))
            if not parsed.unreadable:
                self.files_index[relpath] = _index_entry(parsed)
            yield parsed

    def prepared(self, pool):
        """Yield each stale file prepared for the bulk loader (``_prepare``), in ``pool`` if given, keeping as
        ``__iter__`` does each file's hash, named graph, problems and index entry."""
        from functools import partial

        facts_dir = self.path / FACTS
        facts_dir.mkdir(exist_ok=True)
        work = partial(_prepare, self.data_dir, facts_dir)
        results = pool.imap(work, self.stale) if pool is not None else map(work, self.stale)
        for item in results:
            self.hashes[item.relpath] = item.digest
            self.graphs[item.relpath] = item.graph
            self.problems += [Problem(*problem) for problem in item.problems]
            self.unreadable |= item.unreadable
            if item.index is not None:
                self.files_index[item.relpath] = item.index
            yield item
        if pool is not None:
            pool.close()  # every file is in: the workers may go

    def check(self) -> None:
        if self.unreadable:
            # an unreadable file defines ids we cannot see: checking references now would only add noise
            raise DataError(sorted(set(self.problems)))
        problems = self.problems + _index_problems(self.files_index, self.data_dir)
        if problems:
            raise DataError(sorted(set(problems)))


def _bulk_load(store, prepared, report: BuildReport, size: int, scratch: Path) -> None:
    """Load prepared files (an iterable of ``_Prepared``, read once) into an empty store; ``size`` is their YAML's
    size in bytes.

    Each file's named graph is written to an N-Quads file and its triples to an N-Triples file for the default
    graph, as they come; the bulk loader then reads the first into the named graphs and the second into the default
    graph. The two passes keep apart (one writes only the named graphs' indexes, the other only the default
    graph's), so the store needs little compaction afterwards; and no Python term is made for any quad. (Run side
    by side in two threads, the passes took 3.3× raw pyoxigraph's time at a million triples instead of 4.1×, but
    2.0× its peak memory instead of 1.5×: one after the other keeps a build within a small machine.)
    """
    import tempfile

    from pyoxigraph import DefaultGraph, RdfFormat

    with (
        tempfile.NamedTemporaryFile(prefix="crossplan-named-", suffix=".nq", dir=scratch) as named,
        tempfile.NamedTemporaryFile(prefix="crossplan-union-", suffix=".nt", dir=scratch) as union,
    ):
        for item in prepared:
            report.quads_added += item.quads
            named.write(item.named)
            union.write(item.union)
        named.flush()
        union.flush()
        if size <= BULK_THRESHOLD_BYTES:  # the bulk loader's fixed cost (threads, files, syncs) dwarfs a small set's
            store.load(path=named.name, format=RdfFormat.N_QUADS)
            store.load(path=union.name, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
        else:
            store.bulk_load(path=named.name, format=RdfFormat.N_QUADS)
            store.bulk_load(path=union.name, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())


@dataclass
class _Prepared:
    """What a worker gives back for one file: plain data (it crosses between processes), no Python RDF terms."""

    relpath: str
    digest: str
    graph: str  # the named graph's IRI
    problems: list[tuple[str, int, str]]
    unreadable: bool
    index: dict | None  # the file's index entry (None if unreadable)
    quads: int
    named: bytes  # N-Quads of the file's named graph (empty when the file has problems)
    union: bytes  # the same triples as N-Triples, for the default graph


def _prepare(data_dir: Path, facts_dir: Path, relpath: str) -> _Prepared:
    """Parse one file, write its facts table, and turn its quads into N-Quads and N-Triples text."""
    from pyoxigraph import RdfFormat, serialize

    parsed, digest = _parse(data_dir, relpath)
    graph = graph_name_of(relpath, parsed.graph, parsed.kind)
    named = union = b""
    count = 0
    if not parsed.problems:  # keyed by content: a failed build leaves only what a later one may use
        write_facts(facts_dir / f"{_facts_key(relpath, digest)}.json", file_facts(parsed))
        batch = file_quad_list(parsed, graph)
        count = len(batch)
        union = serialize((quad.triple for quad in batch), format=RdfFormat.N_TRIPLES) or b""
        # N-Triples escapes every line break inside a term: each line ends with " .\n", and only there
        named = union.replace(b" .\n", b" <" + graph.encode("utf-8") + b"> .\n")
    return _Prepared(
        relpath,
        digest,
        graph,
        [(problem.path, problem.line, problem.message) for problem in parsed.problems],
        parsed.unreadable,
        None if parsed.unreadable else _index_entry(parsed),
        count,
        named,
        union,
    )


_PARALLEL_BYTES = 2_000_000  # below this much YAML, starting worker processes costs more than it saves


@contextmanager
def _parsers(size: int):
    """Yield a pool of worker processes for ``_prepare`` (None: parse in this process) for ``size`` bytes of YAML.

    Workers are forked (Linux), so they start in milliseconds with everything imported; elsewhere, or for a small
    data set, or on one processor, the files are parsed here.
    """
    import multiprocessing
    import sys
    import threading

    workers = min(os.cpu_count() or 1, 8)
    forkable = sys.platform.startswith("linux") and threading.active_count() == 1  # forking copies only this thread
    if size < _PARALLEL_BYTES or workers < 2 or not forkable:
        yield None
        return
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


def _update_graphs(store, parsed_files: list, graphs: dict, dropped: list[str], old_files: dict, report) -> bool:
    """Bring a copy of the current store up to date: drop removed files' graphs, rewrite changed files' graphs.

    Return whether the additions went through the bulk loader (so the store is worth compacting).

    A changed file usually changes a few triples, so a graph kept under the same name is updated by its
    difference (a few removals and insertions) rather than dropped and reloaded.
    """
    from pyoxigraph import NamedNode

    taken_out = []  # quads removed from named graphs: their triples leave the default graph unless stated elsewhere
    for graph in dropped:
        taken_out += _remove_graph(store, NamedNode(graph))
    additions = []
    for parsed in parsed_files:
        graph = graphs[parsed.relpath]
        quads = file_quad_list(parsed, graph)
        report.quads_added += len(quads)
        old_graph = old_files.get(parsed.relpath, {}).get("graph")
        if old_graph == graph:
            existing = set(store.quads_for_pattern(None, None, None, NamedNode(graph)))
            wanted = set(quads)
            gone = existing - wanted
            if len(gone) <= len(existing) // 2:
                for quad in gone:
                    store.remove(quad)
                taken_out += gone
                additions += [quad for quad in quads if quad not in existing]
                continue
        if old_graph is not None:
            taken_out += _remove_graph(store, NamedNode(old_graph))
        additions += quads
    additions += list(_in_default_graph(additions))
    bulk = len(additions) > BULK_THRESHOLD
    if bulk:
        store.bulk_extend(additions)
    else:
        store.extend(additions)
    _forget_unstated(store, taken_out)
    return bulk


def _in_default_graph(quads):
    """Yield the default graph's copy of each quad (the stored union of the named graphs)."""
    from pyoxigraph import Quad

    for quad in quads:
        yield Quad(quad.subject, quad.predicate, quad.object)


def _remove_graph(store, name) -> list:
    """Remove a named graph; return its quads."""
    quads = list(store.quads_for_pattern(None, None, None, name))
    store.remove_graph(name)
    return quads


def _forget_unstated(store, taken_out) -> None:
    """Remove from the default graph each triple of ``taken_out`` that no named graph states any more."""
    from pyoxigraph import DefaultGraph, Quad

    default = DefaultGraph()
    for quad in taken_out:
        stated = store.quads_for_pattern(quad.subject, quad.predicate, quad.object, None)
        if all(other.graph_name == default for other in stated):
            store.remove(Quad(quad.subject, quad.predicate, quad.object))


def _next_generation(path: Path, manifest: dict | None) -> str:
    numbers = [
        int(name[len(GENERATION_PREFIX) :])
        for name in os.listdir(path)
        if name.startswith(GENERATION_PREFIX) and name[len(GENERATION_PREFIX) :].isdigit()
    ]
    if manifest is not None:
        numbers.append(int(manifest["generation"][len(GENERATION_PREFIX) :]))
    return f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"


def _parse(data_dir: Path, relpath: str):
    """Parse one file from the very bytes that are hashed, so the manifest describes what was loaded."""
    data = (data_dir / relpath).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None  # parse_file reads the file again and reports where it is not UTF-8
    return parse_file(data_dir, relpath, text), digest


def _facts_key(relpath: str, digest: str) -> str:
    return hashlib.sha256(f"facts-{FACTS_FORMAT}\0{relpath}\0{digest}".encode()).hexdigest()[:32]


def _index_entry(parsed) -> dict:
    return {
        "graph": parsed.graph,
        "ids": [[node.id, node.type.value, node.location.line] for node in parsed.nodes],
        "references": [[ref.location.line, ref.target, list(ref.expected), ref.field] for ref in parsed.references],
    }


def _checked_by_the_store(path: Path, manifest: dict, parsing: _Parsing, removed: list[str]) -> bool:
    """Whether the changed files' ids and references are certainly right, settled from the previous generation.

    True when every id the changed and removed files defined before is still defined, with the same type, by the
    changed files (so every other file's references still resolve as they did in the last, clean, build), no id is
    defined twice among them or also in another file, and each of their references names an id of the right type;
    the other files' ids are looked up in the previous generation's graphs. False means "check against every
    index entry", which words the problems, if any, exactly as a full check does.
    """
    from pyoxigraph import NamedNode, Store

    old_files = manifest["files"]
    changed = [*parsing.stale, *removed]
    before: set[tuple[str, str]] = set()
    for relpath in changed:
        entry = old_files.get(relpath)
        if entry is None:
            continue  # a new file
        old = _read_json(path / INDEX / f"{entry['index']}.json")
        if old is None:
            return False
        before.update((global_id, kind) for global_id, kind, _ in old["ids"])
    defined: dict[str, str] = {}
    for relpath in parsing.stale:
        for global_id, kind, _ in parsing.files_index[relpath]["ids"]:
            if global_id in defined:
                return False
            defined[global_id] = kind
    if any(defined.get(global_id) != kind for global_id, kind in before):
        return False
    kinds = {member.term: member.value for member in NodeType}
    own = {old_files[relpath]["graph"] for relpath in changed if relpath in old_files} | {graph_iri("ontology")}
    rdf_type = NamedNode(RDF.type)
    store = Store.read_only(str(path / manifest["generation"] / DATABASE))

    def elsewhere(global_id: str) -> list[str]:
        """The types of ``global_id`` as defined by the files that did not change."""
        found = store.quads_for_pattern(NamedNode(node_iri(global_id)), rdf_type, None, None)
        return [
            kinds[quad.object.value]
            for quad in found
            if isinstance(quad.graph_name, NamedNode)
            and quad.graph_name.value not in own
            and isinstance(quad.object, NamedNode)
            and quad.object.value in kinds
        ]

    if any(elsewhere(global_id) for global_id in defined):
        return False
    for relpath in parsing.stale:
        for _, target, expected, _ in parsing.files_index[relpath]["references"]:
            kind = defined.get(target)
            if kind is None:
                found = elsewhere(target)
                kind = found[0] if len(found) == 1 else None
            if kind is None or (expected and kind not in expected):
                return False
    return True


def _index_problems(files_index: dict, data_dir: Path) -> list:
    """Check ids are unique and references resolve across every file's index entry.

    The common case (no problem) is settled with plain dictionaries; only when something is wrong are the
    entries turned into Locations and References for ``check_definitions``' exact messages.
    """
    order = sorted(files_index, key=lambda name: (name.startswith("plans/"), name))
    defined: dict[str, str] = {}
    clean = True
    for relpath in order:
        for global_id, kind, _ in files_index[relpath]["ids"]:
            if global_id in defined:
                clean = False
                break
            defined[global_id] = kind
    if clean:
        for relpath in order:
            for _, target, kinds, _ in files_index[relpath]["references"]:
                kind = defined.get(target)
                if kind is None or (kinds and kind not in kinds):
                    clean = False
                    break
            if not clean:
                break
    if clean:
        return []
    definitions, references = [], []
    for relpath in order:
        where = display_path(data_dir / relpath)
        entry = files_index[relpath]
        definitions += [(global_id, kind, Location(where, line)) for global_id, kind, line in entry["ids"]]
        references += [
            Reference(Location(where, line), target, tuple(kinds), name)
            for line, target, kinds, name in entry["references"]
        ]
    return check_definitions(definitions, references)


def memory_store(dataset) -> CrossplanStore:
    """Return an in-memory store holding a loaded Dataset and the ontology (nothing cached on disk)."""
    from pyoxigraph import Store

    store = Store()
    for parsed in dataset.files:
        quads = list(file_quads(parsed, graph_name_of(parsed.relpath, parsed.graph, parsed.kind)))
        store.extend(quads)
        store.extend(_in_default_graph(quads))
    _load_ontology(store)
    return CrossplanStore(store, dataset.data_dir, None, tables=[file_facts(parsed) for parsed in dataset.files])


def _load_ontology(store) -> None:
    from pyoxigraph import NamedNode, RdfFormat

    graph = NamedNode(graph_iri("ontology"))
    store.load(ontology_text(), format=RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI, to_graph=graph)
    store.extend(list(_in_default_graph(store.quads_for_pattern(None, None, None, graph))))


def remove_store(data_dir: Path | str | None = None, store_path: Path | str | None = None) -> Path | None:
    """Delete a store directory (only if it is a crossplan store); return its path, or None if there was none."""
    data_dir = Path(data_dir) if data_dir is not None else shipped_data_dir()
    path = Path(store_path) if store_path is not None else default_store_path(data_dir)
    if not (path / MANIFEST).exists():
        return None
    shutil.rmtree(path)
    return path


# --------------------------------------------------------------------------------------------
# Locks (fcntl.flock: released by the operating system when a process dies, so a crash never leaves one behind)


@contextmanager
def _exclusive_lock(lock_path: Path, timeout: float = LOCK_TIMEOUT):
    """Hold the build lock, waiting for another process's build to finish (StoreError after ``timeout``)."""
    handle = lock_path.open("a+b")
    try:
        deadline = time.monotonic() + timeout
        while not _flock(handle, exclusive=True, wait=False):
            if time.monotonic() > deadline:
                raise StoreError(
                    f"{display_path(lock_path.parent)}: another crossplan process has been building "
                    f"this store for over {timeout:.0f} s; try again later"
                )
            time.sleep(0.05)
        yield
    finally:
        handle.close()


@contextmanager
def _try_lock(lock_path: Path, create: bool = True):
    """Yield True while holding an exclusive lock taken without waiting, False if someone else holds it."""
    try:
        handle = lock_path.open("a+b" if create else "r+b")
    except OSError:
        yield not create and not lock_path.exists()
        return
    try:
        yield _flock(handle, exclusive=True, wait=False)
    finally:
        handle.close()


def _shared_lock(lock_path: Path):
    """Return an open file holding a shared lock on ``lock_path``, or None if the file is gone."""
    try:
        handle = lock_path.open("rb")
    except OSError:
        return None
    _flock(handle, exclusive=False, wait=True)
    return handle


def _flock(handle, exclusive: bool, wait: bool) -> bool:
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no cross-process locking, as before
        return True
    operation = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB)
    try:
        fcntl.flock(handle.fileno(), operation)
    except BlockingIOError:
        return False
    return True
