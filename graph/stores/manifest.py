"""The store directory's layout and its manifest: where a store lives, what its files are called, and whether it
is up to date.

``manifest.json`` records the size, mtime and SHA-256 of every data file, the named graph each file became, and which
generation is current (see ``stores/embedded.py``). Checking that a store is up to date reads the manifest and stats
the data files: no YAML, no index. ``BuildReport`` says what opening a store did.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..datafiles.loading import data_files
from ..files import names_in, read_json, write_atomically
from ..model.vocabulary import graph_iri
from ..resources import ontology_text
from ..settings import CACHE
from .facts import FACTS_FORMAT
from .locks import try_lock

# 3: the default graph mirrors the union of the named graphs; 4: and each file has its facts; 5: the database holds
# the default graph only, and each file's named graph is its N-Triples text in ``triples/``
STORE_FORMAT = 5
MANIFEST = "manifest.json"
INDEX = "index"
FACTS = "facts"  # per file content, the columns the whole-graph questions read (graph/facts.py)
TRIPLES = "triples"  # per file content, the file's triples as N-Triples: its named graph (stores/triples.py)
INDEX_FORMAT = 1
TRIPLES_FORMAT = 1
LEGACY = ("index.json", "oxigraph")  # a format-1 store's files
DATABASE = "oxigraph"
LOCK = "lock"
GENERATION_PREFIX = "gen-"
# A file modified this close to (or after) the moment a build looked at it may have changed again within the
# file system's timestamp granularity without its size or mtime changing: such "racy" files are re-hashed.
RACY_NS = 2_000_000_000


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


def default_store_path(data_dir: Path) -> Path:
    """Return the per-data-directory cache location (``$CROSSPLAN_CACHE`` or the user cache directory)."""
    base = CACHE.value()
    if base is None:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "crossplan"
    resolved = os.fsencode(data_dir.resolve())  # a path need not be UTF-8 (a name with byte 0xFF)
    key = hashlib.sha256(resolved).hexdigest()[:16]
    return base / f"{os.path.basename(resolved).decode('utf-8', 'backslashreplace')}-{key}"


def ontology_fingerprint() -> str:
    """A short hash of the crossplan version and the ontology: a store built by another one is rebuilt."""
    return hashlib.sha256((__version__ + ontology_text()).encode("utf-8")).hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_json(path: Path, content: dict, sync: bool = True) -> None:
    """Write compact JSON atomically (``sync``: to the disk before it replaces the old file)."""
    data = json.dumps(content, separators=(",", ":")).encode("utf-8")
    write_atomically(path, lambda stream: stream.write(data), sync=sync)


def graph_name_of(relpath: str, graph: str, kind: str) -> str:
    """Return the named-graph IRI of one data file: ``graph/<plan-id>`` or ``graph/registry/<name>``."""
    return graph_iri(graph) if kind == "plan" else graph_iri(f"registry/{graph}")


def index_key(relpath: str, digest: str) -> str:
    """The name of a file's index entry in ``index/``, by its path, its content and the index format."""
    return hashlib.sha256(f"{INDEX_FORMAT}\0{relpath}\0{digest}".encode()).hexdigest()[:32]


def facts_key(relpath: str, digest: str) -> str:
    """The name of a file's facts table in ``facts/``, by its path, its content and the facts format."""
    return hashlib.sha256(f"facts-{FACTS_FORMAT}\0{relpath}\0{digest}".encode()).hexdigest()[:32]


def triples_key(relpath: str, digest: str) -> str:
    """The name of a file's N-Triples in ``triples/``, by its path, its content and the triples' format."""
    return hashlib.sha256(f"triples-{TRIPLES_FORMAT}\0{relpath}\0{digest}".encode()).hexdigest()[:32]


def facts_path(path: Path, relpath: str, digest: str) -> Path:
    """Where a store at ``path`` keeps the facts table of a file's content."""
    return path / FACTS / f"{facts_key(relpath, digest)}.json"


def triples_path(path: Path, relpath: str, digest: str) -> Path:
    """Where a store at ``path`` keeps the N-Triples of a file's content."""
    return path / TRIPLES / f"{triples_key(relpath, digest)}.nt"


def file_listing(data_dir: Path) -> dict[str, tuple[int, int]]:
    """Return each data file's (size, mtime in ns), by its path relative to the data directory."""
    listing = {}
    folder = str(data_dir)
    for relpath in data_files(data_dir):
        info = os.stat(os.path.join(folder, relpath))
        listing[relpath] = (info.st_size, info.st_mtime_ns)
    return listing


def compare_listing(manifest: dict, listing: dict, data_dir: Path, path: Path) -> tuple[list[str], list[str], bool]:
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
    # a file whose facts table or triples are gone (another version's format, deleted) is parsed again to write them
    facts, triples = names_in(path / FACTS), names_in(path / TRIPLES)
    stale += [
        relpath
        for relpath, entry in known.items()
        if relpath in listing
        and relpath not in stale
        and not (
            f"{facts_key(relpath, entry['sha256'])}.json" in facts  # the names of ``facts_path``/``triples_path``
            and f"{triples_key(relpath, entry['sha256'])}.nt" in triples
        )
    ]
    return stale, removed, verified


def refresh_manifest(path: Path, manifest: dict) -> None:
    """Record re-verified files (new mtimes, no longer racy) if no build is running; skip it otherwise."""
    with try_lock(path / LOCK) as locked:
        if not locked:
            return
        current = read_json(path / MANIFEST)
        if not current or current.get("generation") != manifest["generation"]:
            return
        manifest["scanned_ns"] = time.time_ns()
        write_json(path / MANIFEST, manifest)


def usable_manifest(path: Path, data_dir: Path) -> dict | None:
    """Return the store's manifest if this version of crossplan built it for this data directory, else None."""
    manifest = read_json(path / MANIFEST)
    if not manifest or manifest.get("format") != STORE_FORMAT or not manifest.get("generation"):
        return None
    if manifest.get("ontology") != ontology_fingerprint():
        return None
    if manifest.get("data_dir") != str(data_dir.resolve()):
        return None
    return manifest
