"""The text index of ``suggest``: each plan file's items tokenised once, kept beside the store as plain JSON.

Tokenising the texts (sentences, stemmed terms, phrases, the organisations, documents and programmes they name) is
most of what ranking suggestions costs: at a million triples it is tens of seconds, while a plan's texts change only
when its file does. So each plan's tokenised texts are kept in the store directory, in ``suggest/``, one JSON entry
per plan, named by the plan's files' paths and contents (as ``stores/facts.py`` names the facts tables), the index
format and a digest of the entity names the mentions were matched against (an edit of a registry's names is a new
index). After a one-file edit only that plan's entry is written again; the weights over the whole data set (IDF of
terms, phrases and entities) are worked out from the entries on every ranking, which is cheap.

An entry is data, never code: JSON checked field by field on reading, and an entry that is missing, damaged, of
another format or of other texts is made again from the store (the same tokens, only slower). A store without a
directory (in memory, a SPARQL server) tokenises every time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..files import write_atomically
from ..model.vocabulary import graph_iri

INDEX_FORMAT = 1
FOLDER = "suggest"

TokenRecord = dict[str, Any]
"""One item's tokens: ``text`` (the own text tokenised), ``sentences``, ``terms`` (term -> count), ``sentence_terms`` (a term -> count mapping
per sentence), ``phrases``, ``entities`` and ``surface`` (stem -> written form -> count)."""


def names_digest(entity_names: dict[str, set[str]]) -> str:
    """A short digest of the names mentions are matched against (name as matched -> entity ids)."""
    listing = sorted((name, sorted(entities)) for name, entities in entity_names.items())
    return hashlib.sha256(json.dumps(listing, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def plan_files(files: dict[str, dict]) -> dict[str, list[tuple[str, str]]]:
    """Map each plan id to its files' (path, SHA-256), from a store manifest's entries (registries left out)."""
    prefix = graph_iri("")
    out: dict[str, list[tuple[str, str]]] = {}
    for relpath, entry in files.items():
        graph = entry.get("graph", "")
        if isinstance(graph, str) and graph.startswith(prefix) and not graph[len(prefix) :].startswith("registry/"):
            out.setdefault(graph[len(prefix) :], []).append((relpath, entry["sha256"]))
    return {plan: sorted(found) for plan, found in out.items()}


def entry_key(files: list[tuple[str, str]], digest: str) -> str:
    """The name of a plan's entry: its files' paths and contents, the index format and the entity names' digest."""
    listing = "\0".join(f"{relpath}\0{sha}" for relpath, sha in files)
    return hashlib.sha256(f"suggest-{INDEX_FORMAT}\0{digest}\0{listing}".encode()).hexdigest()[:32]


def entry_path(store_path: Path, key: str) -> Path:
    return store_path / FOLDER / f"{key}.json"


def write_entry(path: Path, records: dict[str, TokenRecord]) -> None:
    """Write one plan's token records (item id -> record); a store that cannot be written keeps none."""
    data = json.dumps({"format": INDEX_FORMAT, "items": records}, separators=(",", ":"), ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda stream: stream.write(data.encode("utf-8")), sync=False)
    except OSError:
        pass  # a read-only cache, a full disk: the next ranking tokenises again


def read_entry(path: Path) -> dict[str, TokenRecord] | None:
    """Return one plan's token records if this version wrote them (every field checked), else None."""
    try:
        with path.open("rb") as handle:
            content = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(content, dict) or content.get("format") != INDEX_FORMAT:
        return None
    items = content.get("items")
    if not isinstance(items, dict) or not all(_valid_record(record) for record in items.values()):
        return None
    return items


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(member, str) for member in value)


def _counts(value: Any) -> bool:
    return isinstance(value, dict) and set(map(type, value.values())) <= {int}


def _valid_record(record: Any) -> bool:
    if not isinstance(record, dict) or set(record) != {
        "text",
        "sentences",
        "terms",
        "sentence_terms",
        "phrases",
        "entities",
        "surface",
    }:
        return False
    if not isinstance(record["text"], str) or not all(
        _strings(record[name]) for name in ("sentences", "phrases", "entities")
    ):
        return False
    terms = record["sentence_terms"]
    if (
        not _counts(record["terms"])
        or not isinstance(terms, list)
        or len(terms) != len(record["sentences"])
        or not all(map(_counts, terms))
    ):
        return False
    surface = record["surface"]
    return isinstance(surface, dict) and all(map(_counts, surface.values()))


def to_record(
    text: str,
    sentences: list[str],
    terms: dict[str, int],
    sentence_terms: list[dict[str, int]],
    phrases: set[str],
    entities: set[str],
    surface: dict[str, dict[str, int]],
) -> TokenRecord:
    """Return the JSON record of one tokenised text (sets sorted, so that an entry is the same on every build)."""
    return {
        "text": text,
        "sentences": sentences,
        "terms": dict(terms),
        "sentence_terms": [dict(counts) for counts in sentence_terms],
        "phrases": sorted(phrases),
        "entities": sorted(entities),
        "surface": {stem: dict(written) for stem, written in surface.items()},
    }


class TokenIndex:
    """The token entries of a store's plans: read for the plans asked about, written for those that had none."""

    def __init__(self, store: Any, digest: str) -> None:
        files = getattr(store, "files", None)
        path = getattr(store, "path", None)
        self.keys: dict[str, Path] = {}
        if isinstance(files, dict) and isinstance(path, Path):
            for plan, found in plan_files(files).items():
                self.keys[plan] = entry_path(path, entry_key(found, digest))

    def records(self, plan: str) -> dict[str, TokenRecord]:
        """Return the stored records of a plan (empty when it has none, or none usable)."""
        path = self.keys.get(plan)
        return (read_entry(path) or {}) if path is not None else {}

    def store(self, plan: str, records: dict[str, TokenRecord]) -> None:
        path = self.keys.get(plan)
        if path is not None:
            write_entry(path, records)
