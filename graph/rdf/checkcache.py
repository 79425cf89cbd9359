"""Validate a data directory reading again only the files that changed: each file's own results, kept beside the store.

``validate`` checks three things per file and three across files. Per file: its YAML and fields (``reader``), its
quotes against the source texts, and the SHACL screen of the nodes it defines. Across files: ids defined twice,
references to ids another file defines (and their types), and what a shape reads of a node another file defines
(its types for ``sh:class``, its id for ``sh:node``, the triples of an inverse path). A file's entry keeps its own
results and what it took from the other files (the first definition of each id it read, the digest of each source
text, each value a shape read beyond its triples), plus what it gives them (the ids it defines with their types and
plans, its subjects' types and ids, its inverse-path triples). A later run parses the files whose content changed, and
reuses every other file's results while what they read is still what the whole data directory says; the cross-file
checks run over the entries. The problems are exactly those of a run without the cache (``validation.validate_data``).

An entry is JSON named by the file's path, content, the shapes and this code (``entry_key``), checked field by field
on reading: a damaged or foreign entry is recomputed, never trusted. Entries live in ``.validation/`` inside the
store directory (a dot name: ``build`` accepts a store directory holding it), never in the data directory.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Set as AbstractSet
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__
from ..datafiles.loading import check_data_dir, check_definitions, data_files
from ..datafiles.parsed import ParsedFile
from ..datafiles.reader import parse_file
from ..datafiles.rejections import REJECTIONS_FILE
from ..datafiles.rejections import check_rejections as check_rejection_file
from ..errors import Problem
from ..files import resolve_inside, write_atomically
from ..memory import collector_paused
from ..model.nodes import Location
from ..resources import shapes_text
from ..text import display_path
from .entries import FileEntry, decode, encode, read_entry
from .quads import file_triples
from .quotes import NodeFacts, QuoteIndex, RecordingIndex, check_file_quotes, text_digest
from .shapecheck import CompiledShapes, FileScreen, Term, Unsupported, compile_shapes

CACHE_FORMAT = 1
FOLDER = ".validation"
# the code that decides a file's results and their words
_CODE = ("datafiles/*.py", "model/*.py", "rdf/*.py", "errors.py", "files.py", "resources.py", "text.py")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the code that reads and checks a file: another version recomputes every entry."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent.parent
    for pattern in _CODE:
        for path in sorted(package.glob(pattern)):
            digest.update(path.name.encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:  # an installation without sources: the version alone tells them apart
                pass
    return digest.hexdigest()[:16]


def entry_key(relpath: str, shown: str, sha256: str, shapes_digest: str) -> str:
    """The name of a file's entry: its path (as problems show it), its content, the shapes and the code."""
    text = "\0".join((f"validate-{CACHE_FORMAT}", code_digest(), shapes_digest, relpath, shown, sha256))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def cache_folder(store_dir: Path, data_dir: Path) -> Path | None:
    """The entries' folder in a store directory, or None where writing one would be wrong.

    Not in the data directory, and not in a directory that is neither empty nor a store (``build`` refuses those:
    a mistyped ``--store`` must not fill someone's folder).
    """
    folder = store_dir / FOLDER
    if resolve_inside(data_dir, folder) is not None:
        return None
    if store_dir.exists():
        try:
            names = set(os.listdir(store_dir))
        except OSError:
            return None
        if names and not names & {"manifest.json", FOLDER}:
            return None
    return folder


def validate_with_cache(data_dir: Path, store_dir: Path, shacl: bool) -> list[Problem] | None:
    """Validate ``data_dir`` keeping each file's results in ``store_dir``; None if pyshacl must see the whole graph.

    None means the SHACL screen found a node that may not conform (or cannot screen file by file): the caller then
    validates the whole graph. Raises DataError as ``load_dataset`` does for a directory that is not data.
    """
    check_data_dir(data_dir)
    with collector_paused():  # the entries are millions of small lists and dicts, none in a cycle
        return _validate(data_dir, store_dir, shacl)


def _validate(data_dir: Path, store_dir: Path, shacl: bool) -> list[Problem] | None:
    folder = cache_folder(store_dir, data_dir)
    shapes_digest = hashlib.sha256(shapes_text().encode("utf-8")).hexdigest()[:16]
    entries = [_entry(data_dir, relpath, folder, shapes_digest) for relpath in data_files(data_dir)]
    try:
        problems = [problem for entry in entries for problem in entry.problems]
        if not any(entry.unreadable for entry in entries):
            definitions = [
                (node_id, facts.type, Location(facts.path, facts.line))
                for entry in entries
                for node_id, facts in entry.nodes
            ]
            problems += check_definitions(definitions, [ref for entry in entries for ref in entry.references])
        index = _quote_index(data_dir, entries)
        for entry in entries:
            problems += _file_quotes(data_dir, entry, index)
        if (data_dir / REJECTIONS_FILE).is_file():
            problems += check_rejection_file(data_dir, set(index.nodes))
        if shacl and not problems:
            suspects = _screen(data_dir, entries)
            if suspects is None or suspects:
                return None
        return sorted(set(problems))
    finally:
        if folder is not None:
            _save(folder, entries)


# -- one file's entry ---------------------------------------------------------------------------------------------


def _entry(data_dir: Path, relpath: str, folder: Path | None, shapes_digest: str) -> FileEntry:
    path = data_dir / relpath
    shown = display_path(path)
    content = _read(path)
    sha256 = hashlib.sha256(content).hexdigest() if content is not None else ""
    key = entry_key(relpath, shown, sha256, shapes_digest) if sha256 else ""
    if folder is not None and key:
        entry = read_entry(folder / f"{key}.json", relpath, key, shown)
        if entry is not None:
            entry.sha256 = sha256
            return entry
    parsed = parse_file(data_dir, relpath, _text(content))  # the very bytes the key names
    entry = FileEntry(
        relpath,
        key,
        shown,
        parsed.unreadable,
        list(parsed.problems),
        [(node.id, NodeFacts.of(node, ordinal)) for ordinal, node in enumerate(parsed.nodes)],
        list(parsed.references),
        parsed=parsed,
        dirty=True,
    )
    entry.sha256 = sha256
    return entry


def _parsed(data_dir: Path, entry: FileEntry) -> ParsedFile:
    """The file of a kept entry, parsed again (some file it read changed)."""
    if entry.parsed is None:
        content = _read(data_dir / entry.relpath)
        if content is None or hashlib.sha256(content).hexdigest() != entry.sha256:
            entry.key = ""  # the file changed while we read: this run's results for it are not kept
        entry.parsed = parse_file(data_dir, entry.relpath, _text(content))
    return entry.parsed


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None  # parse_file says why; such a file's entry is neither read nor kept


def _text(content: bytes | None) -> str | None:
    """The text ``Path.read_text`` would give (universal newlines), or None to let the reader report the bytes."""
    if content is None:
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- quotes -------------------------------------------------------------------------------------------------------


def _quote_index(data_dir: Path, entries: list[FileEntry]) -> QuoteIndex:
    nodes: dict[str, NodeFacts] = {}
    for entry in entries:
        for node_id, facts in entry.nodes:
            nodes.setdefault(node_id, facts)
    return QuoteIndex(data_dir, nodes)


def _file_quotes(data_dir: Path, entry: FileEntry, index: QuoteIndex) -> list[Problem]:
    """One file's quote problems: kept while every node and text it read is the same, else checked again."""
    kept = entry.quotes
    own = entry.own_facts()
    if kept is not None and _same_reads(kept, index, own):
        return [Problem(*problem) for problem in kept["problems"]]
    parsed = _parsed(data_dir, entry)
    recording = RecordingIndex(index)
    problems = check_file_quotes(parsed.nodes, parsed.links, recording)
    entry.quotes = {
        "problems": [[problem.path, problem.line, problem.message] for problem in problems],
        "nodes": {node_id: _written(facts, own.get(node_id)) for node_id, facts in recording.nodes.items()},
        "texts": recording.texts,
    }
    entry.dirty = True
    return problems


def _written(facts: NodeFacts | None, own: NodeFacts | None) -> list | bool | None:
    """A node the quote check read, as kept: True if it is the file's own definition."""
    if facts is None:
        return None
    return True if facts == own else list(facts)


def _same_reads(kept: dict[str, Any], index: QuoteIndex, own: dict[str, NodeFacts]) -> bool:
    for node_id, facts in kept["nodes"].items():
        if _written(index.node(node_id), own.get(node_id)) != facts:
            return False
    return all(text_digest(index.text(document)) == digest for document, digest in kept["texts"].items())


# -- SHACL, file by file ------------------------------------------------------------------------------------------


def _screen(data_dir: Path, entries: list[FileEntry]) -> set[str] | None:
    """The focus nodes that may not conform, over every file; None if the files cannot be screened one by one.

    The shapes are compiled (rdflib) only when some file's results must be computed.
    """
    shapes = _Shapes()
    kept_remote = {tuple(entry.remote or ()) for entry in entries}
    try:
        remote = list(kept_remote.pop()) if len(kept_remote) == 1 and entries[0].remote is not None else None
        if remote is None:
            remote = sorted(shapes.compiled().remote)
        for entry in entries:
            if entry.offers is None or entry.remote != remote:
                _file_screen(data_dir, entry, shapes.compiled(), remote)
        tables = _Tables.of(entries, remote)
        if tables is None or any(entry.subclass for entry in entries):
            return None
        suspects: set[str] = set()
        for entry in entries:
            kept = entry.screen
            if kept is None or not _same_values(kept["reads"], tables):
                screen = entry.file_screen or _file_screen(data_dir, entry, shapes.compiled(), remote)
                screen.lookup = tables.lookup
                found = screen.suspects()
                kept = entry.screen = {
                    "suspects": sorted(encode(node) for node in found),
                    "reads": _grouped_reads(screen),
                }
                entry.dirty = True
            suspects.update(kept["suspects"])
    except Unsupported:
        return None
    return suspects


class _Shapes:
    """The compiled shapes, made on first use."""

    def __init__(self) -> None:
        self.made: CompiledShapes | None = None

    def compiled(self) -> CompiledShapes:
        if self.made is None:
            import rdflib

            self.made = compile_shapes(rdflib.Graph().parse(data=shapes_text(), format="turtle"))
            if self.made is None:
                raise Unsupported("the shapes")
        return self.made


def _file_screen(data_dir: Path, entry: FileEntry, compiled: CompiledShapes, remote: list[str]) -> FileScreen:
    screen = FileScreen(file_triples(_parsed(data_dir, entry)), compiled, _no_lookup)
    entry.remote = remote
    entry.offers = {
        encode(subject): [sorted(encode(value) for value in values.get(predicate, ())) for predicate in remote]
        for subject, values in screen.offers().items()
    }
    inverse: dict[str, list[list[str]]] = {}
    for subject, predicate, value in screen.inverse_triples():
        inverse.setdefault(predicate, []).append([encode(value), encode(subject)])
    entry.inverse = inverse
    entry.subclass = screen.subclass
    entry.file_screen = screen
    entry.dirty = True
    return screen


def _grouped_reads(screen: FileScreen) -> dict[str, dict[str, list[str]]]:
    """What a file's screen read beyond its triples: ``>predicate`` (forward) or ``^predicate`` -> node -> values."""
    reads: dict[str, dict[str, list[str]]] = {}
    for (node, predicate, inverse), values in screen.reads.items():
        group = reads.setdefault(("^" if inverse else ">") + predicate, {})
        group[encode(node)] = sorted(encode(value) for value in values)
    return reads


def _same_values(reads: dict[str, dict[str, list[str]]], tables: _Tables) -> bool:
    """Whether every value a file's screen read is still what the files give."""
    for key, group in reads.items():
        inverse, predicate = key[0] == "^", key[1:]
        if not inverse and predicate not in tables.position:
            return False
        for node, values in group.items():
            if tables.encoded(node, predicate, inverse) != values:
                return False
    return True


def _no_lookup(node: Term, predicate: str, inverse: bool) -> AbstractSet[Term]:
    raise Unsupported("looked beyond a file before the whole graph was known")


class _Tables:
    """What every file offers: the remote predicates' values of each subject, and the inverse-path triples."""

    def __init__(self, remote: list[str]) -> None:
        self.position = {predicate: number for number, predicate in enumerate(remote)}
        self.offers: dict[str, list[list[str]]] = {}
        self.inverse: dict[tuple[str, str], set[str]] = {}

    @classmethod
    def of(cls, entries: list[FileEntry], remote: list[str]) -> _Tables | None:
        """The tables, or None if two files share a subject (then no file holds all of its triples)."""
        tables = cls(remote)
        for entry in entries:
            assert entry.offers is not None and entry.inverse is not None
            size = len(tables.offers)
            tables.offers.update(entry.offers)
            if len(tables.offers) != size + len(entry.offers):
                return None
            for predicate, pairs in entry.inverse.items():
                for value, subject in pairs:
                    tables.inverse.setdefault((value, predicate), set()).add(subject)
        return tables

    def encoded(self, node: str, predicate: str, inverse: bool) -> list[str]:
        if inverse:
            return sorted(self.inverse.get((node, predicate), ()))
        values = self.offers.get(node)
        return [] if values is None else values[self.position[predicate]]

    def lookup(self, node: Term, predicate: str, inverse: bool) -> AbstractSet[Term]:
        if not inverse and predicate not in self.position:
            raise Unsupported(predicate)
        return frozenset(decode(value) for value in self.encoded(encode(node), predicate, inverse))


# -- reading and writing entries ------------------------------------------------------------------------------------


def _save(folder: Path, entries: list[FileEntry]) -> None:
    """Write the entries that changed; remove those no file uses. A folder that cannot be written keeps nothing."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            if entry.dirty and entry.key:
                data = entry.to_json()
                write_atomically(folder / f"{entry.key}.json", lambda stream, data=data: stream.write(data.encode()))
        used = {f"{entry.key}.json" for entry in entries}
        for name in os.listdir(folder):
            if name.endswith(".json") and name not in used:
                (folder / name).unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache, a full disk: the next run reads the files again
