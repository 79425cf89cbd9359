"""Reading the changed data files for a build, and checking them against the others.

A full build parses the files in worker processes (``parsers``, ``Prepared``), which write each file's facts table,
N-Triples and index entry and hand back its hash, index entry and problems; a rebuild parses its few files here
(iterating ``Parsing``), writing each file's facts table as it is read. The ids and references are then checked:
from the previous generation's default graph when the edit keeps every id (``checked_by_the_store``), otherwise
against every file's index entry, with the loader's own messages (``Parsing.check``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..datafiles.loading import check_definitions
from ..datafiles.parsed import ParsedFile, Reference
from ..datafiles.reader import parse_file
from ..errors import DataError, Problem
from ..files import read_json
from ..model.nodes import Location, NodeType
from ..model.vocabulary import RDF, node_iri
from ..rdf.quads import file_ntriples
from ..text import display_path
from .facts import file_facts, write_facts
from .manifest import (
    DATABASE,
    FACTS,
    INDEX,
    TRIPLES,
    facts_path,
    graph_name_of,
    index_key,
    triples_path,
    write_json,
)
from .triples import write_triples

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

    from pyoxigraph import Store


class Parsing:
    """The stale files, parsed one at a time as they are iterated; each file's hash, named graph, facts table and
    index entry are kept as it goes, and ``check()`` then raises DataError for every problem found."""

    def __init__(self, data_dir: Path, path: Path, stale: list[str], files_index: dict) -> None:
        self.data_dir, self.path, self.stale, self.files_index = data_dir, path, stale, files_index
        self.hashes: dict[str, str] = {}
        self.graphs: dict[str, str] = {}
        self.problems: list = []
        self.unreadable = False
        self.texts: dict[str, bytes] = {}  # the N-Triples of the files parsed here (not in worker processes)

    def __len__(self) -> int:
        return len(self.stale)

    def __iter__(self) -> Iterator[ParsedFile]:
        self._folders()
        for relpath in self.stale:
            read = _read(self.data_dir, self.path, relpath)
            self._keep(relpath, read.digest, read.graph, read.parsed.problems, read.parsed.unreadable, read.index)
            if read.triples is not None:
                self.texts[relpath] = read.triples
            yield read.parsed

    def _folders(self) -> None:
        for folder in (FACTS, TRIPLES, INDEX):
            (self.path / folder).mkdir(exist_ok=True)

    def _keep(
        self, relpath: str, digest: str, graph: str, problems: list[Problem], unreadable: bool, index: dict | None
    ) -> None:
        """Note one parsed file: its hash, named graph, problems and index entry."""
        self.hashes[relpath] = digest
        self.graphs[relpath] = graph
        self.problems += problems
        self.unreadable |= unreadable
        if index is not None:
            self.files_index[relpath] = index

    def prepared(self, pool: Pool | None) -> Iterator[Prepared]:
        """Yield each stale file prepared for the bulk loader (``_prepare``), in ``pool`` if given, keeping as
        ``__iter__`` does each file's hash, named graph, problems and index entry."""
        self._folders()
        work = partial(_prepare, self.data_dir, self.path)
        results = pool.imap(work, self.stale) if pool is not None else map(work, self.stale)
        for item in results:
            problems = [Problem(*problem) for problem in item.problems]
            self._keep(item.relpath, item.digest, item.graph, problems, item.unreadable, item.index)
            yield item
        if pool is not None:
            pool.close()  # every file is in: the workers may go

    def check(self) -> None:
        """Raise DataError for every problem of the stale files and of the ids and references across all files."""
        if self.unreadable:
            # an unreadable file defines ids we cannot see: checking references now would only add noise
            raise DataError(sorted(set(self.problems)))
        problems = self.problems + _index_problems(self.files_index, self.data_dir)
        if problems:
            raise DataError(sorted(set(problems)))


@dataclass
class Prepared:
    """What a worker gives back for one file: plain data (it crosses between processes), no Python RDF terms. The
    file's triples are in ``triples`` (N-Triples, written by the worker), not in this message."""

    relpath: str
    digest: str
    graph: str  # the named graph's IRI
    problems: list[tuple[str, int, str]]
    unreadable: bool
    index: dict | None  # the file's index entry (None if unreadable)
    quads: int
    triples: Path | None  # the file's N-Triples (None when the file has problems)


def _prepare(data_dir: Path, path: Path, relpath: str) -> Prepared:
    """Parse one file (``_read``, which writes what is kept of it) and say what came of it."""
    read = _read(data_dir, path, relpath)
    parsed = read.parsed
    return Prepared(
        relpath,
        read.digest,
        read.graph,
        [(problem.path, problem.line, problem.message) for problem in parsed.problems],
        parsed.unreadable,
        read.index,
        read.triples.count(b"\n") if read.triples is not None else 0,
        triples_path(path, relpath, read.digest) if read.triples is not None else None,
    )


_PARALLEL_BYTES = 2_000_000  # below this much YAML, starting worker processes costs more than it saves


@contextmanager
def parsers(size: int) -> Iterator[Pool | None]:
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


@dataclass
class _Read:
    """One file read for a build: parsed, its hash, its named graph, its index entry (None if unreadable) and its
    N-Triples (None if it has problems)."""

    parsed: ParsedFile
    digest: str
    graph: str
    index: dict | None
    triples: bytes | None


def _read(data_dir: Path, path: Path, relpath: str) -> _Read:
    """Parse one file from the very bytes that are hashed, so the manifest describes what was loaded. A file with
    no problem has its facts table, N-Triples and index entry written, each keyed by its content: a failed build
    leaves only what a later one may use."""
    data = (data_dir / relpath).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None  # parse_file reads the file again and reports where it is not UTF-8
    parsed = parse_file(data_dir, relpath, text)
    index = None if parsed.unreadable else _index_entry(parsed)
    triples = None
    if index is not None and not parsed.problems:
        write_facts(facts_path(path, relpath, digest), file_facts(parsed))
        triples, _ = file_ntriples(parsed)
        write_triples(triples_path(path, relpath, digest), triples)
        write_json(path / INDEX / f"{index_key(relpath, digest)}.json", index, sync=False)
    return _Read(parsed, digest, graph_name_of(relpath, parsed.graph, parsed.kind), index, triples)


def _index_entry(parsed: ParsedFile) -> dict:
    """A file's index entry: its graph, the ids it defines and the references it makes (with their lines)."""
    return {
        "graph": parsed.graph,
        "ids": [[node.id, node.type.value, node.location.line] for node in parsed.nodes],
        "references": [[ref.location.line, ref.target, list(ref.expected), ref.field] for ref in parsed.references],
    }


def checked_by_the_store(
    path: Path, manifest: dict, parsing: Parsing, removed: list[str], previous: Store | None = None
) -> bool:
    """Whether the changed files' ids and references are certainly right, settled from the previous generation.

    True when every id the changed and removed files defined before is still defined, with the same type, by the
    changed files (so every other file's references still resolve as they did in the last, clean, build), no id is
    defined twice among them or also in another file, and each of their references names an id of the right type;
    the other files' ids are looked up in the previous generation's graphs (``previous``: that generation's
    database, opened read-only; else opened here). False means "check against every index entry", which words the
    problems, if any, exactly as a full check does.
    """
    from pyoxigraph import DefaultGraph, NamedNode, Store

    old_files = manifest["files"]
    changed = [*parsing.stale, *removed]
    before: set[tuple[str, str]] = set()
    for relpath in changed:
        entry = old_files.get(relpath)
        if entry is None:
            continue  # a new file
        old = read_json(path / INDEX / f"{entry['index']}.json")
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
    kinds = NodeType.spellings_by_term()
    rdf_type = NamedNode(RDF.type)
    store = previous if previous is not None else Store.read_only(str(path / manifest["generation"] / DATABASE))
    before_ids = {global_id for global_id, _ in before}

    def elsewhere(global_id: str) -> list[str]:
        """The types of ``global_id`` as defined by the files that did not change.

        Ids were unique in the previous (clean) build, so an id the changed files defined then is defined by no
        other file; any other id typed in the previous generation is another file's.
        """
        if global_id in before_ids:
            return []
        found = store.quads_for_pattern(NamedNode(node_iri(global_id)), rdf_type, None, DefaultGraph())
        return [
            kinds[quad.object.value]
            for quad in found
            if isinstance(quad.object, NamedNode) and quad.object.value in kinds
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


def _index_problems(files_index: dict, data_dir: Path) -> list[Problem]:
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
