"""The embedded Oxigraph store: built from the YAML, cached on disk, rebuilt only where files changed.

A store directory holds the Oxigraph database, ``manifest.json`` (size, mtime and SHA-256 of every data
file, so a changed, added or removed file is noticed) and ``index.json`` (the ids each file defines
and the references it makes, so one changed file is checked against the others without re-reading
them). Each data file is one named graph, so a changed file replaces only its own graph.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CrossplanError, DataError
from .loading import (
    Location,
    Reference,
    check_data_dir,
    check_definitions,
    data_files,
    display_path,
    parse_file,
)
from .vocabulary import ONTOLOGY_IRI, PREFIXES, graph_iri

STORE_FORMAT = 1
MANIFEST = "manifest.json"
INDEX = "index.json"
DATABASE = "oxigraph"


class StoreError(CrossplanError):
    """The store cannot be opened or written (in use by another process, not a crossplan store…)."""


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

    @property
    def changed(self) -> bool:
        return bool(self.parsed or self.removed)


class CrossplanStore:
    """A built graph: an Oxigraph store plus where it came from. Queries see the union of all graphs."""

    def __init__(self, store, data_dir: Path | None, path: Path | None, report: BuildReport | None = None):
        self.oxigraph = store
        self.data_dir = data_dir
        self.path = path
        self.report = report

    def query(self, sparql: str, substitutions: dict | None = None):
        """Run a SPARQL query over the union of all graphs, with the crossplan prefixes pre-bound."""
        return self.oxigraph.query(
            sparql, prefixes=PREFIXES, use_default_graph_as_union=True, substitutions=substitutions
        )

    def select(self, sparql: str, substitutions: dict | None = None) -> list[dict]:
        """Run a SELECT query and return a list of rows mapping variable names to plain Python values."""
        results = self.query(sparql, substitutions)
        names = [variable.value for variable in results.variables]
        rows = []
        for solution in results:
            rows.append({name: _plain(solution[name]) for name in names})
        return rows

    def data_graphs(self) -> list[str]:
        """Return the IRIs of the named graphs that hold data (not the ontology)."""
        ontology_graph = graph_iri("ontology")
        return sorted(g.value for g in self.oxigraph.named_graphs() if g.value != ontology_graph)


def _plain(term):
    if term is None:
        return None
    value = term.value
    datatype = getattr(term, "datatype", None)
    if datatype is not None and datatype.value.endswith("#integer"):
        return int(value)
    return value


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
    from . import __version__
    from .resources import ontology_text

    return hashlib.sha256((__version__ + ontology_text()).encode("utf-8")).hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def _write_json(path: Path, content: dict) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(content, handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def graph_name_of(relpath: str, graph: str, kind: str) -> str:
    """Return the named-graph IRI of one data file: ``graph/<plan-id>`` or ``graph/registry/<name>``."""
    return graph_iri(graph) if kind == "plan" else graph_iri(f"registry/{graph}")


def open_store(
    data_dir: Path | str | None = None,
    store_path: Path | str | None = None,
    *,
    rebuild: bool = False,
) -> CrossplanStore:
    """Open the store of a data directory, first rebuilding whatever changed since the last build.

    Raises DataError (and leaves the store as it was) when the changed files have problems.
    """
    from .resources import shipped_data_dir

    started = time.perf_counter()
    data_dir = Path(data_dir) if data_dir is not None else shipped_data_dir()
    check_data_dir(data_dir)
    path = Path(store_path) if store_path is not None else default_store_path(data_dir)
    report = BuildReport(data_dir, path)
    files = data_files(data_dir)
    listing = {relpath: _stat(data_dir / relpath) for relpath in files}
    manifest = None if rebuild else _usable_manifest(path, data_dir)
    index = _read_json(path / INDEX) if manifest else None
    if manifest is None or index is None:
        manifest, index = None, None

    if manifest is not None:
        known = manifest["files"]
        stale, touched = [], False
        for relpath, (size, mtime) in listing.items():
            entry = known.get(relpath)
            if entry is None:
                stale.append(relpath)
            elif (entry["size"], entry["mtime_ns"]) != (size, mtime):
                if _sha256(data_dir / relpath) == entry["sha256"]:
                    entry["size"], entry["mtime_ns"] = size, mtime
                    touched = True
                else:
                    stale.append(relpath)
        removed = [relpath for relpath in known if relpath not in listing]
        if not stale and not removed:
            report.reused = list(listing)
            if touched:
                _write_json(path / MANIFEST, manifest)
            report.seconds = time.perf_counter() - started
            return CrossplanStore(_open_oxigraph(path, read_only=True), data_dir, path, report)
    else:
        stale, removed = list(listing), []
        report.full = True

    store = _update(data_dir, path, listing, manifest, index, stale, removed, report)
    report.seconds = time.perf_counter() - started
    return CrossplanStore(store, data_dir, path, report)


def build_store(data_dir: Path | str | None = None, store_path: Path | str | None = None, *, rebuild: bool = False) -> BuildReport:
    """Compile a data directory into its on-disk store (only what changed, unless ``rebuild``); return what was done."""
    return open_store(data_dir, store_path, rebuild=rebuild).report


def memory_store(dataset) -> CrossplanStore:
    """Return an in-memory store holding a loaded Dataset and the ontology (nothing cached on disk)."""
    from pyoxigraph import Store

    from .rdf import file_quads

    store = Store()
    for parsed in dataset.files:
        graph = graph_name_of(parsed.relpath, parsed.graph, parsed.kind)
        store.extend(_regraph(file_quads(parsed), graph))
    _load_ontology(store)
    return CrossplanStore(store, dataset.data_dir, None)


def _regraph(quads, graph: str):
    from pyoxigraph import NamedNode, Quad

    name = NamedNode(graph)
    for quad in quads:
        yield Quad(quad.subject, quad.predicate, quad.object, name)


def _load_ontology(store) -> None:
    from pyoxigraph import NamedNode, RdfFormat

    from .resources import ontology_text

    store.load(ontology_text(), format=RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI, to_graph=NamedNode(graph_iri("ontology")))


def _usable_manifest(path: Path, data_dir: Path) -> dict | None:
    manifest = _read_json(path / MANIFEST)
    if not manifest or manifest.get("format") != STORE_FORMAT or manifest.get("dirty"):
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
        entries = set(os.listdir(path))
        if entries and MANIFEST not in entries:
            raise StoreError(f"{display_path(path)}: not a crossplan store and not empty; choose another --store")
    else:
        path.mkdir(parents=True, exist_ok=True)


_OPEN: dict[str, object] = {}
"""Stores opened by this process, by path: RocksDB allows one read-write instance per process and path."""


def _open_oxigraph(path: Path, read_only: bool = False):
    """Open the Oxigraph database of a store directory, reusing this process's instance.

    A second process finding the database locked falls back to a read-only instance when it only reads.
    """
    from pyoxigraph import Store

    key = str((path / DATABASE).resolve())
    store = _OPEN.get(key)
    if store is not None:
        return store
    try:
        store = Store(key)
    except OSError as error:
        message = str(error)
        if "lock" not in message.lower():
            raise StoreError(f"{display_path(path)}: cannot open the store ({message})") from None
        if not read_only:
            raise StoreError(f"{display_path(path)}: the store is in use by another crossplan process; try again") from None
        try:
            return Store.read_only(key)
        except OSError as error:
            raise StoreError(f"{display_path(path)}: cannot open the store ({error})") from None
    _OPEN[key] = store
    return store


def _forget(path: Path) -> None:
    _OPEN.pop(str((path / DATABASE).resolve()), None)


def _update(data_dir, path, listing, manifest, index, stale, removed, report):
    from pyoxigraph import NamedNode

    from .rdf import file_quads

    parsed_files = [parse_file(data_dir, relpath) for relpath in sorted(stale)]
    problems = [problem for parsed in parsed_files for problem in parsed.problems]
    if any(parsed.unreadable for parsed in parsed_files):
        raise DataError(sorted(set(problems)))
    files_index = dict(index["files"]) if index else {}
    for relpath in removed:
        files_index.pop(relpath, None)
    for parsed in parsed_files:
        files_index[parsed.relpath] = _index_entry(parsed)
    definitions, references = [], []
    for relpath in sorted(files_index, key=lambda name: (name.startswith("plans/"), name)):
        entry = files_index[relpath]
        definitions += [(gid, kind, Location(where, line)) for gid, kind, where, line in entry["ids"]]
        references += [Reference(Location(where, line), target, tuple(kinds), name) for where, line, target, kinds, name in entry["references"]]
    problems += check_definitions(definitions, references)
    if problems:
        raise DataError(sorted(set(problems)))

    _prepare_directory(path)
    fingerprint = _ontology_fingerprint()
    old_files = manifest["files"] if manifest else {}
    new_manifest = {"format": STORE_FORMAT, "ontology": fingerprint, "data_dir": str(data_dir.resolve()), "dirty": True, "files": dict(old_files)}
    _write_json(path / MANIFEST, new_manifest)
    store = _open_oxigraph(path)
    if report.full:
        store.clear()
        _load_ontology(store)
    else:
        for relpath in list(stale) + list(removed):
            if relpath in old_files:
                store.remove_graph(NamedNode(old_files[relpath]["graph"]))
    for parsed in parsed_files:
        graph = graph_name_of(parsed.relpath, parsed.graph, parsed.kind)
        quads = list(_regraph(file_quads(parsed), graph))
        store.bulk_extend(quads)
        report.quads_added += len(quads)
        size, mtime = listing[parsed.relpath]
        new_manifest["files"][parsed.relpath] = {
            "size": size,
            "mtime_ns": mtime,
            "sha256": _sha256(data_dir / parsed.relpath),
            "graph": graph,
        }
    for relpath in removed:
        new_manifest["files"].pop(relpath, None)
    store.flush()
    _write_json(path / INDEX, {"files": files_index})
    new_manifest["dirty"] = False
    _write_json(path / MANIFEST, new_manifest)
    report.parsed = sorted(stale)
    report.removed = sorted(removed)
    report.reused = sorted(set(listing) - set(stale))
    return store


def _index_entry(parsed) -> dict:
    return {
        "graph": parsed.graph,
        "ids": [[node.id, node.type.value, node.location.path, node.location.line] for node in parsed.nodes],
        "references": [
            [ref.location.path, ref.location.line, ref.target, list(ref.expected), ref.field] for ref in parsed.references
        ],
    }


def remove_store(data_dir: Path | str | None = None, store_path: Path | str | None = None) -> Path | None:
    """Delete a store directory (only if it is a crossplan store); return its path, or None if there was none."""
    from .resources import shipped_data_dir

    data_dir = Path(data_dir) if data_dir is not None else shipped_data_dir()
    path = Path(store_path) if store_path is not None else default_store_path(data_dir)
    if not (path / MANIFEST).exists():
        return None
    _forget(path)
    shutil.rmtree(path)
    return path
