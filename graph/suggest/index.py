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

import contextlib
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from ..files import names_in, read_json, write_atomically
from ..model.vocabulary import graph_iri
from ..stores.build import SUGGEST_INDEX
from .compact import PlanRows, RankStore, counts_of_names, valid_record

INDEX_FORMAT = 1
FOLDER = SUGGEST_INDEX  # the folder of the store directory the build keeps for it

TokenRecord = dict[str, Any]
"""One item's tokens: ``text`` (the own text tokenised), ``sentences``, ``terms`` (term -> count), ``sentence_terms`` (a term -> count mapping
per sentence), ``phrases``, ``entities`` and ``surface`` (stem -> written form -> count)."""


def names_digest(entity_names: dict[str, set[str]], parents: dict[str, set[str]]) -> str:
    """A short digest of the names mentions are matched against (name as matched -> entity ids) and of the bodies
    each entity is part of (both go into a plan's tokens and counts)."""
    listing = [
        sorted((name, sorted(entities)) for name, entities in mapping.items()) for mapping in (entity_names, parents)
    ]
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


@functools.cache
def code_digest() -> str:
    """A short digest of the code that tokenises and counts (this folder's ``words``, ``corpus`` and ``index``): a
    change to it makes a new index, instead of reusing tokens another version made."""
    digest = hashlib.sha256()
    for name in ("words.py", "corpus.py", "index.py", "compact.py"):
        try:
            digest.update((Path(__file__).parent / name).read_bytes())
        except OSError:  # an installation without sources: the index format alone tells versions apart
            digest.update(name.encode())
    return digest.hexdigest()[:16]


def entry_key(files: list[tuple[str, str]], digest: str) -> str:
    """The name of a plan's entry: its files' paths and contents, the index format, the code's and the entity
    names' digests."""
    listing = "\0".join(f"{relpath}\0{sha}" for relpath, sha in files)
    code = code_digest()
    return hashlib.sha256(f"suggest-{INDEX_FORMAT}\0{code}\0{digest}\0{listing}".encode()).hexdigest()[:32]


def entry_path(store_path: Path, key: str) -> Path:
    return store_path / FOLDER / f"{key}.json"


def encode_record(record: TokenRecord) -> str:
    """One record as its plan's entry writes it (compact JSON)."""
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def write_entry(
    path: Path, records: dict[str, TokenRecord], encoded: dict[str, str] | None = None, tokens: str | None = None
) -> None:
    """Write one plan's token records (item id -> record; ``encoded``: the records already encoded; ``tokens``: what
    made them, ``TokenIndex.tokens``); a store that cannot be written keeps none. The bytes are
    ``json.dumps({"format": .., "tokens": .., "items": records})``'s, compact (no ``tokens`` when None)."""
    if encoded is None:
        encoded = {item: encode_record(record) for item, record in records.items()}
    listed = ",".join(f"{json.dumps(item, ensure_ascii=False)}:{encoded[item]}" for item in records)
    made = "" if tokens is None else f'"tokens":{json.dumps(tokens)},'
    data = f'{{"format":{INDEX_FORMAT},{made}"items":{{{listed}}}}}'
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda stream: stream.write(data.encode("utf-8")), sync=False)
    except OSError:
        pass  # a read-only cache, a full disk: the next ranking tokenises again


def read_entry(path: Path, tokens: str | None = None) -> dict[str, TokenRecord] | None:
    """Return one plan's token records if this version wrote them (every field checked; ``tokens``: and they were
    made by that code with those names, ``TokenIndex.tokens``), else None."""
    content = read_json(path)
    if not isinstance(content, dict) or content.get("format") != INDEX_FORMAT:
        return None
    if tokens is not None and content.get("tokens") != tokens:
        return None
    items = content.get("items")
    if not isinstance(items, dict) or not all(valid_record(record) for record in items.values()):
        return None
    return items


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


_RETIRED: set[tuple[Path, frozenset[Path]]] = set()  # the entries whose earlier ones this process has deleted


class TokenIndex:
    """The token entries of a store's plans: read for the plans asked about, written for those that had none."""

    def __init__(self, store: Any, digest: str) -> None:
        files = getattr(store, "files", None)
        path = getattr(store, "path", None)
        self.keys: dict[str, Path] = {}
        self.tokens = f"{code_digest()}-{digest}"  # what the tokens are made by: the code and the entity names
        if isinstance(files, dict) and isinstance(path, Path):
            for plan, found in plan_files(files).items():
                self.keys[plan] = entry_path(path, entry_key(found, digest))

        self._rank: RankStore | None = None
        self._ranked: set[str] | None = None
        self._file_names: dict[str, tuple[str, str]] | None = None

    @property
    def rank(self) -> RankStore | None:
        """The rank rows of the entries (``suggest.compact``), or None when they cannot be kept."""
        if self._rank is None and self.keys:
            try:
                self._rank = RankStore(next(iter(self.keys.values())).parent)
            except Exception:  # noqa: BLE001 - sqlite3.Error and OSError alike: ranking then reads every plan
                return None
        return self._rank

    def batch(self) -> contextlib.AbstractContextManager:
        """Write the rank rows of the plans stored within a few plans to a transaction (``RankStore.batch``)."""
        return self.rank.batch() if self.rank is not None else contextlib.nullcontext()

    def entry(self, plan: str) -> str:
        """The name of a plan's entry (its rank rows are kept under it)."""
        return self.keys[plan].stem

    def has_rank(self, plan: str) -> bool:
        """Whether a plan's rank rows are kept."""
        if self._ranked is None:
            self._ranked = self.rank.entries() if self.rank is not None else set()
        return plan in self.keys and self.entry(plan) in self._ranked

    def forget_rank(self, plans: set[str]) -> None:
        """Drop some plans' rank rows (found damaged), so that they are made again."""
        if self.rank is not None:
            self.rank.retire(self.rank.entries() - {self.entry(plan) for plan in plans})
            self._ranked = None

    @property
    def usable(self) -> bool:
        """Whether the store keeps an index (a store directory): the weights are then read from ``Weights``."""
        return bool(self.keys)

    def missing(self) -> set[str]:
        """The plans whose tokens or counts are not kept (yet), or not usable."""
        if not self.keys:
            return set()
        kept = names_in(next(iter(self.keys.values())).parent)
        return {
            plan
            for plan, (entry, stats) in self._names().items()
            if not (entry in kept and stats in kept and self.has_rank(plan))
        }

    def _names(self) -> dict[str, tuple[str, str]]:
        """Each plan's entry's and counts' file names."""
        if self._file_names is None:
            self._file_names = {plan: (path.name, stats_path(path).name) for plan, path in self.keys.items()}
        return self._file_names

    def has_stats(self, plan: str) -> bool:
        """Whether a plan's counts are kept."""
        path = self.keys.get(plan)
        return path is not None and stats_path(path).is_file()

    def weights(self) -> Weights | None:
        """The summed counts of every plan, or None when they cannot be kept (a read-only cache)."""
        if not self.keys:
            return None
        folder = next(iter(self.keys.values())).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            weights = Weights(folder, self.keys)
        except Exception:  # noqa: BLE001 - sqlite3.Error and OSError alike: the weights are then worked out afresh
            return None
        self._retire(folder)
        return weights

    def _retire(self, folder: Path) -> None:
        """Delete the entries of plans' earlier contents (once their counts are out of the sums): once per process
        for the same entries."""
        done = (folder, frozenset(self.keys.values()))
        if done in _RETIRED:
            return
        used = {name for pair in self._names().values() for name in pair}
        for name in names_in(folder):
            if name.endswith(".json") and name not in used:
                (folder / name).unlink(missing_ok=True)
        if self.rank is not None:
            self.rank.retire({path.stem for path in self.keys.values()})
        if len(_RETIRED) > 16:  # a long-running process (a server) sees many: the oldest are let go
            _RETIRED.clear()
        _RETIRED.add(done)

    def records(self, plan: str) -> dict[str, TokenRecord]:
        """Return the stored records of a plan (empty when it has none, or none usable)."""
        path = self.keys.get(plan)
        return (read_entry(path) or {}) if path is not None else {}

    def earlier_records(self, plan: str) -> dict[str, TokenRecord]:
        """Return the records of a plan's earlier entry (the one its counts were summed from), when the same code
        made them with the same entity names (``tokens``): after an edit of its file, its unchanged texts' tokens
        (empty when there are none, or none usable)."""
        path = self.keys.get(plan)
        if path is None or not (sums := path.parent / STATS).is_file():
            return {}
        import sqlite3

        try:
            connection = sqlite3.connect(f"{sums.absolute().as_uri()}?mode=ro", uri=True)
            try:
                found = connection.execute("SELECT entry FROM plans WHERE plan = ?", (plan,)).fetchone()
            finally:
                connection.close()
        except sqlite3.Error:
            return {}
        if found is None or not isinstance(found[0], str) or found[0] == path.name or "/" in found[0]:
            return {}
        return read_entry(path.parent / found[0], self.tokens) or {}

    def store(
        self,
        plan: str,
        records: dict[str, TokenRecord],
        stats: PlanStats | None = None,
        rows: PlanRows | None = None,
        known: dict[str, str] | None = None,
    ) -> None:
        """Write a plan's entry, counts and rank rows; ``known``: records already encoded (``encode_record``)."""
        path = self.keys.get(plan)
        if path is not None:
            known = known or {}
            encoded = {  # the workers' encodings reused
                item: known[item] if item in known else encode_record(record) for item, record in records.items()
            }
            write_entry(path, records, encoded, self.tokens)
            if stats is not None:
                write_stats(path, stats)
            if rows is not None and self.rank is not None:
                self.rank.write(self.entry(plan), rows)
                if self._ranked is not None:
                    self._ranked.add(self.entry(plan))


# -- the weights over the whole data set ------------------------------------------------------------------------
#
# Beside each plan's tokens, ``<key>.stats.json`` holds what the plan adds to the data set's weights: its number of
# texts and of recommendations, and in how many texts each term and phrase occurs (in how many recommendation
# families each entity). ``stats.sqlite`` holds their sums, and which entry of each plan they were summed from, so
# that a ranking looks up the weights of the terms it compares instead of reading every plan, and a one-file edit
# takes that plan's old counts out and puts its new ones in.

PlanStats = dict[str, Any]
STATS = "stats.sqlite"  # the sums, in the index folder
_TABLES = ("terms", "phrases", "entities")


def stats_path(path: Path) -> Path:
    return path.with_name(path.name[: -len(".json")] + ".stats.json")


def write_stats(path: Path, stats: PlanStats) -> None:
    data = json.dumps({"format": INDEX_FORMAT, **stats}, separators=(",", ":"), ensure_ascii=False)
    try:
        write_atomically(stats_path(path), lambda stream: stream.write(data.encode("utf-8")), sync=False)
    except OSError:
        pass


def read_stats(path: Path) -> PlanStats | None:
    """Return a plan's counts if this version wrote them (every field checked), else None."""
    content = read_json(stats_path(path))
    if not isinstance(content, dict) or content.get("format") != INDEX_FORMAT:
        return None
    if not all(type(content.get(name)) is int for name in ("texts", "recommendations")):
        return None
    if not all(counts_of_names(content.get(name)) for name in _TABLES):
        return None
    return content


class Weights:
    """The summed counts of every plan (``stats.sqlite``), brought up to date with the store's plans on opening."""

    def __init__(self, folder: Path, entries: dict[str, Path]) -> None:
        import sqlite3

        self.connection = sqlite3.connect(folder / STATS, timeout=60, isolation_level=None)
        with self.connection as connection:
            connection.execute("BEGIN IMMEDIATE")
            for table in _TABLES:
                connection.execute(f"CREATE TABLE IF NOT EXISTS {table} (name TEXT PRIMARY KEY, count INTEGER)")
            connection.execute("CREATE TABLE IF NOT EXISTS plans (plan TEXT PRIMARY KEY, entry TEXT)")
            connection.execute("CREATE TABLE IF NOT EXISTS totals (name TEXT PRIMARY KEY, count INTEGER)")
            summed = dict(connection.execute("SELECT plan, entry FROM plans").fetchall())
            wanted = {plan: path.name for plan, path in entries.items()}
            changes = [(plan, summed.get(plan), wanted.get(plan)) for plan in set(summed) | set(wanted)]
            changes = [change for change in changes if change[1] != change[2]]
            if not self._apply(connection, folder, changes):
                for table in (*_TABLES, "plans", "totals"):
                    connection.execute(f"DELETE FROM {table}")
                if not self._apply(connection, folder, [(plan, None, name) for plan, name in wanted.items()]):
                    raise OSError("a plan's counts are missing")
            connection.execute("COMMIT")
        self.totals = dict(self.connection.execute("SELECT name, count FROM totals").fetchall())

    def _apply(self, connection: Any, folder: Path, changes: list[tuple[str, str | None, str | None]]) -> bool:
        """Take out the old entries' counts and add the new ones'; False when an entry's counts cannot be read."""
        sums: dict[str, dict[str, int]] = {table: {} for table in (*_TABLES, "totals")}
        for plan, old, new in changes:
            for name, sign in ((old, -1), (new, 1)):
                if name is None:
                    continue
                stats = read_stats(folder / name)
                if stats is None:
                    return False
                for table in _TABLES:
                    counts = sums[table]
                    for key, count in stats[table].items():
                        counts[key] = counts.get(key, 0) + sign * count
                for total in ("texts", "recommendations"):
                    sums["totals"][total] = sums["totals"].get(total, 0) + sign * stats[total]
            if new is None:
                connection.execute("DELETE FROM plans WHERE plan = ?", (plan,))
            else:
                connection.execute("INSERT OR REPLACE INTO plans VALUES (?, ?)", (plan, new))
        for table, counts in sums.items():
            connection.executemany(
                f"INSERT INTO {table} VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET count = count + excluded.count",
                [(key, count) for key, count in counts.items() if count],
            )
            connection.execute(f"DELETE FROM {table} WHERE count = 0")
        return True

    def counts(self, table: str, names: set[str]) -> dict[str, int]:
        """Return the summed counts of some names (those counted nowhere are left out)."""
        out: dict[str, int] = {}
        listed = sorted(names)
        for start in range(0, len(listed), 500):
            chunk = listed[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT name, count FROM {table} WHERE name IN ({marks})"  # noqa: S608 - a fixed table name
            for name, count in self.connection.execute(query, chunk):
                if type(name) is str and type(count) is int:
                    out[name] = count
        return out
