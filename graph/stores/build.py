"""Building a generation of the store: a full load into an empty database, or a copy of the current one with the
changed files' graphs replaced, then committed by atomically replacing the manifest.

A build never touches the current generation (see ``stores/embedded.py``): a crash mid-build leaves the previous
store intact, and its leftovers are removed by the next build (``retire``).
"""

from __future__ import annotations

import gc
import itertools
import os
import queue
import shutil
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from ..files import read_json
from ..model.nodes import Relation
from ..model.vocabulary import CP, DCTERMS, graph_iri, node_iri
from ..progress import track
from ..text import display_path
from .locks import try_lock
from .manifest import (
    DATABASE,
    FACTS,
    GENERATION_PREFIX,
    INDEX,
    LEGACY,
    LOCK,
    MANIFEST,
    STORE_FORMAT,
    TRIPLES,
    BuildReport,
    facts_key,
    index_key,
    ontology_fingerprint,
    triples_key,
    triples_path,
    write_json,
)
from .parsing import Parsing, checked_by_the_store, parsers
from .triples import (
    GRAPHS,
    carry_graph_database,
    chunks,
    lines_of,
    load_lines,
    ontology_ntriples,
    read_triples,
    remove_lines,
    unstated,
)

if TYPE_CHECKING:
    from pyoxigraph import Quad, Store

SUGGEST_INDEX = "suggest"  # per plan content, the tokenised texts ``suggest`` ranks (graph/suggest/index.py)

# Below this many new quads a changed file is added in one transaction; above it the bulk loader is quicker.
BULK_THRESHOLD = 20_000
BULK_THRESHOLD_BYTES = 500_000  # the same for a full build, in bytes of YAML (about 20,000 quads)


def build_generation(
    data_dir: Path,
    path: Path,
    manifest: dict | None,
    listing: dict[str, tuple[int, int]],
    stale: list[str],
    removed: list[str],
    report: BuildReport,
    scanned_ns: int,
) -> dict:
    """Parse the stale files, check them against the others, write a new generation and commit it."""
    from pyoxigraph import Store

    old_files = manifest["files"] if manifest else {}
    parsing = Parsing(data_dir, path, stale, {})
    previous = None  # the current generation's database, read-only: what a rebuild checks against and copies
    if manifest is not None:
        for _ in track(parsing, "Parsing YAML", unit="files"):
            pass  # each file's hash, graph, index entry and N-Triples are kept by ``parsing``
        previous = Store.read_only(str(path / manifest["generation"] / DATABASE))
        # Most edits keep every id the changed files defined and refer only to ids that exist: the previous generation
        # settles that without reading the other files' index entries; anything else is checked against them all.
        checked = not (parsing.problems or parsing.unreadable)
        if not (checked and checked_by_the_store(path, manifest, parsing, removed, previous)):
            for relpath, entry in old_files.items():
                if relpath not in stale and relpath not in removed:
                    parsing.files_index[relpath] = read_json(path / INDEX / f"{entry['index']}.json")
                    if parsing.files_index[relpath] is None:  # the index is damaged: start again from scratch
                        return build_generation(data_dir, path, None, listing, sorted(listing), [], report, scanned_ns)
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
        updated = None
        if manifest is None:
            # A full build parses the files in worker processes (``_prepare``): each gives back its hash, index entry
            # and problems, and writes its facts table and its N-Triples, which the bulk loader reads as they come
            # and parses in Rust, so the parsed data set is never in memory whole and no Python term is made here.
            # Problems are checked once every file is read; the generation is not yet committed, so a problem only
            # costs the loading already done.
            report.full = True
            size = sum(listing[relpath][0] for relpath in stale)
            with parsers(size) as pool:  # started before the database opens its threads: workers are forked
                store = Store(database)
                _bulk_load(
                    store, track(parsing.prepared(pool), "Building the store", len(parsing), unit="files"), report, size
                )
            parsing.check()
            bulk = True
        else:
            (previous or Store.read_only(str(path / manifest["generation"] / DATABASE))).backup(database)
            previous = None
            store = Store(database)
            updated = _update_graphs(store, parsing.texts, removed, old_files, report, path, parsing.hashes)
            if updated is None:  # a file's old triples are missing: what to remove cannot be known
                store = None
                gc.collect()
                shutil.rmtree(directory, ignore_errors=True)
                return build_generation(data_dir, path, None, listing, sorted(listing), [], report, scanned_ns)
            bulk = updated.bulk
        store.flush()
        if bulk:
            # The bulk loader writes each batch as its own overlapping files, which every later read must consult:
            # merging them (2.4 s at a million triples) makes the store's queries up to twice as fast.
            store.optimize()

        new_files = {relpath: entry for relpath, entry in old_files.items() if relpath not in removed}
        for relpath, graph in graphs.items():
            size, mtime = listing[relpath]
            digest = parsing.hashes[relpath]
            key = index_key(relpath, digest)
            new_files[relpath] = {"size": size, "mtime_ns": mtime, "sha256": digest, "graph": graph, "index": key}
        store = None  # closes the database before it is published
        if updated is not None and manifest is not None:  # a rebuild carries the database of named graphs over
            old_graphs = path / manifest["generation"] / GRAPHS
            if (old_graphs / "CURRENT").exists():
                _carry_graphs(path, old_graphs, directory / GRAPHS, old_files, new_files, updated)
        new_manifest = {
            "format": STORE_FORMAT,
            "ontology": ontology_fingerprint(),
            "data_dir": str(data_dir.resolve()),
            "generation": generation,
            "scanned_ns": scanned_ns,
            "files": new_files,
        }
        write_json(path / MANIFEST, new_manifest)  # the commit point
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


def _bulk_load(store: Store, prepared: Iterable, report: BuildReport, size: int) -> None:
    """Load the ontology and prepared files (an iterable of ``Prepared``, read once) into the default graph of an
    empty store; ``size`` is the files' YAML size in bytes.

    Only the default graph is written: the named graphs are the files' N-Triples themselves
    (``stores/triples.py``), which the workers write. No Python term is made for any triple. A large set is loaded
    in chunks of about ``triples.CHUNK_BYTES`` by a thread of its own (pyoxigraph lets go of the GIL while it loads), so the
    database sorts and writes one chunk while the workers parse the YAML of the next: the bulk loader otherwise
    keeps a million triples in one batch and does all its writing after the last file is parsed.
    """
    from pyoxigraph import DefaultGraph, RdfFormat

    texts = _texts(prepared, report)
    if size <= BULK_THRESHOLD_BYTES:  # the bulk loader's fixed cost (threads, files, syncs) dwarfs a small set's
        store.load(b"".join(texts), format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
        return
    chunks_to_load: queue.Queue[bytes | None] = queue.Queue(maxsize=1)
    failed: list[BaseException] = []

    def load() -> None:
        while (chunk := chunks_to_load.get()) is not None:
            if not failed:
                try:
                    store.bulk_load(chunk, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
                except BaseException as error:  # handed to the building thread, which stops feeding
                    failed.append(error)

    loader = threading.Thread(target=load, name="crossplan-bulk-load", daemon=True)
    loader.start()
    try:
        for chunk in chunks(texts):
            if failed:
                break
            chunks_to_load.put(chunk)
    finally:
        chunks_to_load.put(None)
        loader.join()
    if failed:
        raise failed[0]


def _texts(prepared: Iterable, report: BuildReport) -> Iterator[bytes]:
    """The ontology's N-Triples, then each prepared file's (a file with problems has none: the build fails once
    every file is read)."""
    yield ontology_ntriples()
    for item in prepared:
        report.quads_added += item.quads
        if item.triples is not None:
            yield item.triples.read_bytes()


@dataclass
class _Update:
    """What a rebuild changed: whether it went through the bulk loader (the store is worth compacting), the default
    graph's removed and added lines, and each changed file's new N-Triples."""

    bulk: bool
    gone: set[bytes]
    added: set[bytes]
    texts: dict[str, bytes]


def _update_graphs(
    store: Store,
    texts: dict[str, bytes],
    removed: list[str],
    old_files: dict,
    report: BuildReport,
    path: Path,
    hashes: dict,
) -> _Update | None:
    """Bring a copy of the current store up to date: the changed and removed files' old triples out, the new
    N-Triples of the changed files (``texts``, by path) in. Return what changed, or None when a changed file's old
    triples are missing (the store must be built afresh).

    A changed file usually changes a few triples, so the default graph is updated by the difference of the file's
    old and new N-Triples lines; a line that leaves is removed only when no other file (nor the ontology) states it.
    """
    changed = set(texts) | set(removed)
    new_lines: set[bytes] = set()
    old_lines: set[bytes] = set()
    for relpath, data in texts.items():
        report.quads_added += data.count(b"\n")
        lines = lines_of(data)
        new_lines |= lines
        if old_files.get(relpath, {}).get("sha256") == hashes[relpath]:  # the same content (its triples were gone)
            old_lines |= lines
    for relpath in sorted(changed):
        entry = old_files.get(relpath)
        if entry is not None and entry["sha256"] != hashes.get(relpath):
            try:
                old_lines |= lines_of(triples_path(path, relpath, entry["sha256"]).read_bytes())
            except OSError:
                return None
    gone = old_lines - new_lines
    if gone:
        # what only the changed files state (``_own_lines``) no other file can: the ontology alone is looked in
        own = _own_lines(gone, old_lines)
        others = (
            read_triples(triples_path(path, relpath, entry["sha256"]), path)
            for relpath, entry in old_files.items()
            if relpath not in changed
        )
        gone = unstated(gone - own, itertools.chain([ontology_ntriples()], others)) | unstated(
            own, [ontology_ntriples()]
        )
    remove_lines(store, gone)
    added = new_lines - old_lines
    bulk = len(added) > BULK_THRESHOLD
    load_lines(store, added, bulk=bulk)
    return _Update(bulk, gone, added, texts)


_IDENTIFIER = f"<{DCTERMS.identifier}>".encode()
_LINKS = f"<{node_iri('link/')}".encode()  # links' IRIs (two files may give the same link): never a node's
_RELATIONS = frozenset(f"<{relation.term}>".encode() for relation in Relation)  # a link's direct triple
_UNDER = frozenset(f"<{term}>".encode() for term in (CP.hasAction, CP.hasUpdate))  # a parent's, of its child


def _own_lines(lines: set[bytes], defining: set[bytes]) -> set[bytes]:
    """The lines (N-Triples) only the file of the ``defining`` lines states: those said of a node it defines (it
    gives its identifier; an id is defined by one file) by any property but a link's relation (another file may
    state the same link between the same two items), and those putting such a node under its parent. Each node's
    triples come from its own file's ``rdf.quads.node_triples``, links' from ``link_triples``."""
    nodes = set()
    for line in defining:
        parts = line.split(b" ", 2)
        if len(parts) == 3 and parts[1] == _IDENTIFIER and not parts[0].startswith(_LINKS):
            nodes.add(parts[0])
    out = set()
    for line in lines:
        parts = line.split(b" ", 2)
        if len(parts) != 3 or parts[1] in _RELATIONS:
            continue
        if parts[0] in nodes or (parts[1] in _UNDER and parts[2].split(b" ", 1)[0] in nodes):
            out.add(line)
    return out


def _carry_graphs(path: Path, old: Path, new: Path, old_files: dict, new_files: dict, updated: _Update) -> None:
    """Carry the database of named graphs over to the new generation: each graph a changed or removed file was in is
    dropped and loaded again from the new texts of the files now in it (a graph may gather several files)."""
    changed = set(updated.texts) | {relpath for relpath in old_files if relpath not in new_files}
    dropped = {old_files[relpath]["graph"] for relpath in changed if relpath in old_files}
    refilled = dropped | {new_files[relpath]["graph"] for relpath in updated.texts}
    texts = []
    for relpath, entry in sorted(new_files.items()):
        if entry["graph"] in refilled:
            data = updated.texts.get(relpath)
            if data is None:
                data = read_triples(triples_path(path, relpath, entry["sha256"]), path)
            texts.append((entry["graph"], data))
    carry_graph_database(old, new, sorted(dropped), texts, updated.gone, updated.added)


def in_default_graph(quads: Iterable[Quad]) -> Iterator[Quad]:
    """Yield the default graph's copy of each quad (the stored union of the named graphs)."""
    from pyoxigraph import Quad

    for quad in quads:
        yield Quad(quad.subject, quad.predicate, quad.object)


def _next_generation(path: Path, manifest: dict | None) -> str:
    numbers = [
        int(name[len(GENERATION_PREFIX) :])
        for name in os.listdir(path)
        if name.startswith(GENERATION_PREFIX) and name[len(GENERATION_PREFIX) :].isdigit()
    ]
    if manifest is not None:
        numbers.append(int(manifest["generation"][len(GENERATION_PREFIX) :]))
    return f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"


def load_ontology(store: Store) -> None:
    """Load the ontology's triples into its own named graph and into the default graph (an in-memory store)."""
    from pyoxigraph import NamedNode

    data = ontology_ntriples()
    load_lines(store, [data])
    load_lines(store, [data], NamedNode(graph_iri("ontology")))


def prepare_directory(path: Path) -> None:
    """Create the store directory, or check that an existing one holds a store (or nothing)."""
    if path.exists():
        if not path.is_dir():
            raise StoreError(f"{display_path(path)}: not a directory, cannot hold a store")
        entries = os.listdir(path)
        ours = all(
            name in (MANIFEST, LOCK, INDEX, FACTS, TRIPLES, SUGGEST_INDEX, *LEGACY)
            or name.startswith((GENERATION_PREFIX, "."))
            for name in entries
        )
        if entries and not ours:
            raise StoreError(f"{display_path(path)}: not a crossplan store and not empty; choose another --store")
    else:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{display_path(path)}: cannot create the store directory ({error.strerror})") from None


def retire(path: Path, manifest: dict) -> None:
    """Delete generations no process has open, index entries no file uses, and a format-1 store's leftovers."""
    for name in os.listdir(path):
        if name.startswith(GENERATION_PREFIX) and name != manifest["generation"]:
            with try_lock(path / name / LOCK, create=False) as locked:
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
    for folder, key, suffix in ((FACTS, facts_key, ".json"), (TRIPLES, triples_key, ".nt")):
        used = {key(relpath, entry["sha256"]) + suffix for relpath, entry in manifest["files"].items()}
        if (path / folder).is_dir():
            for name in os.listdir(path / folder):
                if name not in used:
                    (path / folder / name).unlink(missing_ok=True)
