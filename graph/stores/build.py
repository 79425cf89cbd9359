"""Building a generation of the store: a full load into an empty database, or a copy of the current one with the
changed files' graphs replaced, then committed by atomically replacing the manifest.

A build never touches the current generation (see ``stores/embedded.py``): a crash mid-build leaves the previous
store intact, and its leftovers are removed by the next build (``retire``).
"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from ..model.vocabulary import ONTOLOGY_IRI, graph_iri
from ..progress import track
from ..rdf.quads import file_quad_list
from ..resources import ontology_text
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
    BuildReport,
    facts_key,
    index_key,
    ontology_fingerprint,
    read_json,
    write_json,
)
from .parsing import Parsing, checked_by_the_store, parsers

if TYPE_CHECKING:
    from pyoxigraph import NamedNode, Quad, Store

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
    if manifest is not None:
        parsed_files = list(track(parsing, "Parsing YAML", unit="files"))
        # Most edits keep every id the changed files defined and refer only to ids that exist: the previous generation
        # settles that without reading the other files' index entries; anything else is checked against them all.
        if parsing.problems or parsing.unreadable or not checked_by_the_store(path, manifest, parsing, removed):
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
        if manifest is None:
            # A full build parses the files in worker processes (``_prepare``): each gives back its hash, index entry
            # and problems, writes its facts table, and hands over its quads as N-Quads text, which the bulk loader
            # parses in Rust, so the parsed data set is never in memory whole and no Python term is made here.
            # Problems are checked once every file is read; the generation is not yet committed, so a problem only
            # costs the loading already done.
            report.full = True
            size = sum(listing[relpath][0] for relpath in stale)
            with parsers(size) as pool:  # started before the database opens its threads: workers are forked
                store = Store(database)
                load_ontology(store)
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
            key = index_key(relpath, digest)
            new_files[relpath] = {"size": size, "mtime_ns": mtime, "sha256": digest, "graph": graph, "index": key}
            write_json(path / INDEX / f"{key}.json", parsing.files_index[relpath], sync=False)
        store = None  # closes the database before it is published
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


def _bulk_load(store: Store, prepared, report: BuildReport, size: int, scratch: Path) -> None:
    """Load prepared files (an iterable of ``Prepared``, read once) into an empty store; ``size`` is their YAML's
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


def _update_graphs(store: Store, parsed_files: list, graphs: dict, dropped: list[str], old_files: dict, report) -> bool:
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
    additions += list(in_default_graph(additions))
    bulk = len(additions) > BULK_THRESHOLD
    if bulk:
        store.bulk_extend(additions)
    else:
        store.extend(additions)
    _forget_unstated(store, taken_out)
    return bulk


def in_default_graph(quads: Iterable[Quad]) -> Iterator[Quad]:
    """Yield the default graph's copy of each quad (the stored union of the named graphs)."""
    from pyoxigraph import Quad

    for quad in quads:
        yield Quad(quad.subject, quad.predicate, quad.object)


def _remove_graph(store: Store, name: NamedNode) -> list[Quad]:
    """Remove a named graph; return its quads."""
    quads = list(store.quads_for_pattern(None, None, None, name))
    store.remove_graph(name)
    return quads


def _forget_unstated(store: Store, taken_out: Iterable[Quad]) -> None:
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


def load_ontology(store: Store) -> None:
    """Load the ontology into its named graph, and its triples into the default graph."""
    from pyoxigraph import NamedNode, RdfFormat

    graph = NamedNode(graph_iri("ontology"))
    store.load(ontology_text(), format=RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI, to_graph=graph)
    store.extend(list(in_default_graph(store.quads_for_pattern(None, None, None, graph))))


def prepare_directory(path: Path) -> None:
    """Create the store directory, or check that an existing one holds a store (or nothing)."""
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
    used = {facts_key(relpath, entry["sha256"]) + ".json" for relpath, entry in manifest["files"].items()}
    if (path / FACTS).is_dir():
        for name in os.listdir(path / FACTS):
            if name not in used:
                (path / FACTS / name).unlink(missing_ok=True)
