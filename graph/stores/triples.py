"""Each data file's named graph, kept as N-Triples text beside the database.

The database holds each triple once, in the default graph that every query reads: the union of every file's
triples and the ontology's. Which file states which triple (the per-file named graphs, ``graph/<plan-id>``) is kept
as text: ``triples/<key>.nt`` per file content, written as the file is parsed, in the canonical N-Triples that
pyoxigraph writes (one triple a line, every line break inside a term escaped). Keeping the named graphs out of the
database halves a full build: Oxigraph writes a named-graph quad into six indexes and a default-graph triple into
three, so storing both had cost three times raw pyoxigraph's writing of the same triples.

What reads the named graphs reads these files: export (N-Quads, TriG), push, and the server's in-memory copy
(``graph_copy``). A query that names graphs (``GRAPH``, ``FROM``) runs on a second database of the generation,
``graphs/``, holding the named graphs and their union: made from these files on the first such query
(``build_graph_database``, about as long as the old double build) and carried over by a rebuild
(``carry_graph_database``: a checkpoint with the changed graphs replaced), so only the first costs. A rebuild compares
a changed file's old and new lines, and removes a triple from the default graph only when no other file's lines (nor
the ontology's) state it (``unstated``).

The files are read back with the N-Triples parser only: nothing in them can run code.
"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from ..files import write_atomically
from ..model.vocabulary import ONTOLOGY_IRI, graph_iri
from ..resources import ontology_text
from ..text import display_path

if TYPE_CHECKING:
    from pyoxigraph import Store, Triple


def write_triples(path: Path, data: bytes) -> None:
    """Write a file's N-Triples (atomically: a reader never sees half of it)."""
    write_atomically(path, lambda stream: stream.write(data), sync=False)


def read_triples(path: Path, store: Path | None) -> bytes:
    """Return a file's N-Triples text; StoreError naming the store (and the way out) if it is gone."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise missing_triples(path, store, error) from None


def missing_triples(path: Path, store: Path | None, error: OSError) -> StoreError:
    """The fault of a file's N-Triples that are gone: the store is damaged, and ``--rebuild`` restores it."""
    where = display_path(store) if store is not None else display_path(path)
    return StoreError(
        f"{where}: the store is damaged (a file's triples are missing: {error.strerror or error}); "
        "run `crossplan build --rebuild`"
    )


@lru_cache(maxsize=1)
def ontology_ntriples() -> bytes:
    """The ontology's triples as canonical N-Triples (the default graph holds them too)."""
    from pyoxigraph import RdfFormat, parse, serialize

    triples = parse(ontology_text(), format=RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI)
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def parse_triples(data: bytes) -> Iterator[Triple]:
    """Read N-Triples text back into triples (the parser only: nothing in it can run code)."""
    from pyoxigraph import RdfFormat, parse

    for quad in parse(data, format=RdfFormat.N_TRIPLES):
        yield quad.triple


def unstated(gone: set[bytes], others: Iterable[bytes]) -> set[bytes]:
    """Return the lines of ``gone`` that no text of ``others`` states (each text N-Triples, a triple a line)."""
    left = set(gone)
    for data in others:
        if not left:
            break
        if len(left) < 64:  # a few lines: look for each in the text, without splitting it
            left = {line for line in left if not _contains_line(data, line)}
        else:
            left.difference_update(data.split(b"\n"))
    return left


def _contains_line(data: bytes, line: bytes) -> bool:
    start = data.find(line)
    while start != -1:
        end = start + len(line)
        if (start == 0 or data[start - 1] == 10) and (end == len(data) or data[end] == 10):
            return True
        start = data.find(line, start + 1)
    return False


def lines_of(data: bytes) -> set[bytes]:
    """The lines of N-Triples text, as a set (blank lines left out)."""
    return {line for line in data.split(b"\n") if line}


def load_lines(store: Store, lines: Iterable[bytes], graph=None, *, bulk: bool = False) -> None:
    """Load N-Triples lines into one graph of ``store`` (the default graph unless ``graph`` is given), through the
    bulk loader if ``bulk``."""
    from pyoxigraph import DefaultGraph, RdfFormat

    data = b"\n".join(lines)
    if data:
        load = store.bulk_load if bulk else store.load
        load(data + b"\n", format=RdfFormat.N_TRIPLES, to_graph=graph if graph is not None else DefaultGraph())


def remove_lines(store: Store, lines: Iterable[bytes]) -> None:
    """Remove the triples of N-Triples lines from the default graph of ``store``."""
    from pyoxigraph import Quad

    data = b"\n".join(lines)
    for triple in parse_triples(data + b"\n" if data else b""):
        store.remove(Quad(triple.subject, triple.predicate, triple.object))


def graph_copy(texts: Iterable[tuple[str, bytes]]) -> Store:
    """Return an in-memory store holding each (graph IRI, N-Triples) text in its named graph, the ontology in its
    own, and their union in the default graph: the dataset the contract describes, for queries that name graphs."""
    from pyoxigraph import NamedNode, Store

    memory = Store()
    ontology = ontology_ntriples()
    for name, data in [(graph_iri("ontology"), ontology), *texts]:
        load_lines(memory, [data], NamedNode(name))
        load_lines(memory, [data])
    return memory


GRAPHS = "graphs"  # in a generation: the database of its named graphs and their union, made on first need
CHUNK_BYTES = 32_000_000  # N-Triples given to the bulk loader at a time (about 180,000 triples)


def build_graph_database(directory: Path, texts: Callable[[], Iterable[tuple[str, bytes]]]) -> None:
    """Write the database of the named graphs into ``directory``: each (graph IRI, N-Triples) text that ``texts()``
    gives in its named graph, the ontology in its own, and their union in the default graph.

    It is built beside ``directory`` and renamed into place once complete, so a reader finds all of it or none; a
    failure (a full disk) leaves nothing behind.
    """
    from pyoxigraph import DefaultGraph, RdfFormat, Store

    scratch = directory.with_name(f".{directory.name}-{os.getpid()}-{os.urandom(4).hex()}")
    store: Store | None = None
    try:
        store = Store(str(scratch))
        ontology = (graph_iri("ontology"), ontology_ntriples())
        # N-Triples end every line with " .\n" and escape every line break inside a term: naming the graph there
        # turns a file's text into N-Quads
        named = (data.replace(b" .\n", b" <" + name.encode("utf-8") + b"> .\n") for name, data in [ontology, *texts()])
        for chunk in chunks(named):
            store.bulk_load(chunk, format=RdfFormat.N_QUADS)
        for chunk in chunks(data for _, data in [ontology, *texts()]):
            store.bulk_load(chunk, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
        store.flush()
        store.optimize()
        store = None  # closed before it is published
        os.rename(scratch, directory)
    except BaseException:
        store = None
        gc.collect()
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def carry_graph_database(
    old: Path,
    new: Path,
    dropped: Iterable[str],
    texts: Iterable[tuple[str, bytes]],
    gone: set[bytes],
    added: set[bytes],
) -> None:
    """Carry a generation's database of named graphs over to the next: a checkpoint of ``old`` (hard links) with the
    ``dropped`` graphs removed, each (graph IRI, N-Triples) text of ``texts`` loaded into its graph, and the default
    graph's ``gone`` and ``added`` lines applied. It is only a cache: on any failure the new one is left out (the
    first query that needs it makes it again)."""
    from pyoxigraph import NamedNode, Store

    store: Store | None = None
    try:
        Store.read_only(str(old)).backup(str(new))
        store = Store(str(new))
        for name in dropped:
            store.remove_graph(NamedNode(name))
        for name, data in texts:
            load_lines(store, [data], NamedNode(name))
        remove_lines(store, gone)
        load_lines(store, added)
        store.flush()
        store = None
    except (OSError, RuntimeError, ValueError, SyntaxError):
        store = None
        gc.collect()
        shutil.rmtree(new, ignore_errors=True)


def remove_leftovers(generation: Path) -> None:
    """Remove half-built databases of named graphs that a crashed process left in a generation."""
    for name in os.listdir(generation):
        if name.startswith(f".{GRAPHS}-"):
            pid = name.split("-")[1]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(generation / name, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def chunks(texts: Iterable[bytes]) -> Iterator[bytes]:
    """Join texts into chunks of about ``CHUNK_BYTES`` (a text is never split), as they come."""
    pending: list[bytes] = []
    held = 0
    for text in texts:
        pending.append(text)
        held += len(text)
        if held >= CHUNK_BYTES:
            yield b"".join(pending)
            pending, held = [], 0
    if pending:
        yield b"".join(pending)
