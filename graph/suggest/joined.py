"""Every plan's rank rows joined into one set of arrays per generation of the index, for ``suggest FROM``.

Ranking one plan against every other reads what ``suggest.compact`` keeps per plan. Joining 615 plans' rows and
making their items' records costs seconds at a million triples, so the joined arrays and a compact item table (ids,
plan, type, parent, workstream, position, sentences) are kept in the index folder, made by the build: a base
generation in one file read in place (``suggest.arrayfile``: mapped, so a ranking reads only the pages it touches;
numbers and text only, nothing that can run code) and, when a few plans differ from it (a one-file edit), a small
delta on it (``suggest.delta``) holding only their rows; a generation is named by a digest of every plan's entry.
Every read is checked: the manifest's digest, each array's place, dtype, length and checksum, then the cheap
structural checks (monotone pointers, id ranges from the extents the manifest vouches for); an unsound or missing
file is joined (or its delta made) again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..files import FileIdentity, file_identity
from ..model.nodes import NodeType
from .arrayfile import ArrayFile, read_file, remove_file, write_file
from .compact import RANK_FORMAT, PlanArrays, RankStore
from .delta import POSTED, SPLICED, Change, apply_delta, kept_rows, make_delta
from .index import TokenIndex

JOINED_FORMAT = 7
# -- every plan's rows joined, once per generation of the index ----------------------------------------------------

COMBINED = "combined.arrays"  # the base generation (``suggest.arrayfile``)
_EARLIER = ("combined.npz", "norms.npz")  # earlier formats' joined rows and norms, deleted when a base is written
DELTA = "combined.delta.arrays"  # the current generation, when few plans differ from the base's (``suggest.delta``)
KIND_CODES = [kind.value for kind in NodeType]
# the joined arrays: name -> dtype; pointers are int64, everything else int32 or text
_JOINED: dict[str, str] = {
    "key": "U",  # the generation: a digest of every plan's entry
    "plans": "U",  # the plans, sorted
    "entries": "U",  # per plan, its entry
    "plan_items": "i8",  # per plan, its items: a range of the item table
    "plan_rows": "i8",  # per plan, its rows
    "plan_sentences": "i8",  # per plan, its sentences
    "item_ids": "U",
    "item_kind": "i4",  # index into ``KIND_CODES``
    "item_parent": "i4",  # index into ``names`` (-1: none)
    "item_workstream": "i4",
    "item_position": "i4",
    "item_start": "i8",  # number of its first sentence (-1: no text)
    "item_count": "i4",
    "names": "U",  # the parents and workstreams named
    "row_item": "i4",  # per row, its item
    "term_ptr": "i8",
    "term_ids": "i4",
    "term_counts": "i4",
    "term_sorted_ids": "i4",  # the same entries in the order of their ids (then rows): the ids,
    "term_sorted_rows": "i4",  # their rows
    "term_sorted_counts": "i4",  # and their counts
    "phrase_ptr": "i8",
    "phrase_ids": "i4",
    "phrase_counts": "i4",
    "phrase_sorted_ids": "i4",
    "phrase_sorted_rows": "i4",
    "phrase_sorted_counts": "i4",
    "entity_ptr": "i8",
    "entity_ids": "i4",
    "words_ptr": "i8",  # per sentence (numbered across plans, in plan order), its terms
    "words_ids": "i4",
    "words_counts": "i4",
    "matchable": "i4",
}


def generation_key(entries: dict[str, str]) -> str:
    """The name of one generation of the index: a digest of every plan's entry."""
    text = json.dumps(sorted(entries.items()), ensure_ascii=False)
    return hashlib.sha256(f"{RANK_FORMAT}:{JOINED_FORMAT}:{text}".encode()).hexdigest()


class Combined:
    """Every plan's rank rows joined (sentences numbered across the plans in plan order) and an item table: what
    ranking one plan against all the others reads, kept in the index folder (a base and a delta on it: see the
    module's description). ``extents`` holds some arrays' least and greatest values, as their file vouches.

    The entries in the order of their ids (``{kind}_sorted_*``) number ``posted_rows`` rows: these rows, unless
    ``kept_rows`` is given; else the base's (its generation: ``base_key``), of which ``kept_rows``
    (``delta.kept_rows``) says which rows are kept and where they are now (the others' entries are to be read in
    plan order)."""

    def __init__(
        self,
        arrays: dict[str, np.ndarray],
        extents: dict[str, tuple[int, int] | None] | None = None,
        *,
        posted_rows: int | None = None,
        kept_rows: np.ndarray | None = None,
        base_key: str | None = None,
    ) -> None:
        self.arrays = arrays
        self.extents = extents or {}
        self.posted_rows = len(arrays["row_item"]) if posted_rows is None else posted_rows
        self.kept_rows = kept_rows
        self.base_key = base_key

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    @property
    def sentences(self) -> int:
        return len(self.arrays["matchable"])

    @classmethod
    def join(
        cls, key: str, arrays: dict[str, PlanArrays], structures: dict[str, list], entries: dict[str, str]
    ) -> Combined:
        """Join some plans' checked rows (``RankStore.read``; ``entries``: plan -> entry)."""
        plans = sorted(arrays)
        item_ids: list[str] = []
        columns: dict[str, list] = {name: [] for name in ("kind", "parent", "workstream", "position", "start", "count")}
        names: dict[str, int] = {}
        parts: dict[str, list[np.ndarray]] = {name: [] for name in _JOINED}
        plan_items = [0]
        sentences = 0
        codes = {code: number for number, code in enumerate(KIND_CODES)}
        for plan in plans:
            found, structure = arrays[plan], structures[plan]
            first_item = len(item_ids)
            for item_id, kind, parent, workstream, position, start, count in structure:
                item_ids.append(item_id)
                columns["kind"].append(codes[kind])
                columns["parent"].append(-1 if parent is None else names.setdefault(parent, len(names)))
                columns["workstream"].append(-1 if workstream is None else names.setdefault(workstream, len(names)))
                columns["position"].append(position)
                columns["start"].append(-1 if count < 0 else sentences + start)
                columns["count"].append(count)
            plan_items.append(len(item_ids))
            parts["row_item"].append(found["row_item"].astype(np.int64) + first_item)
            for name in ("term", "phrase", "entity", "words"):
                parts[f"{name}_ids"].append(found[f"{name}_ids"])
                parts[f"{name}_ptr"].append(np.diff(found[f"{name}_ptr"]))
            for name in ("term_counts", "phrase_counts", "words_counts", "matchable"):
                parts[name].append(found[name])
            sentences += found.sentences
        joined: dict[str, np.ndarray] = {}
        for name, dtype in _JOINED.items():
            if parts[name] and dtype != "U":
                joined[name] = np.concatenate(parts[name]).astype(dtype)
        for name in ("term", "phrase", "entity", "words"):
            sizes = np.concatenate(parts[f"{name}_ptr"]) if plans else np.zeros(0, dtype=np.int64)
            joined[f"{name}_ptr"] = np.r_[0, np.cumsum(sizes)].astype(np.int64)
        for name, dtype in _JOINED.items():
            joined.setdefault(name, np.zeros(0, dtype=dtype if dtype != "U" else "i4"))
        for name in ("term", "phrase"):
            order = np.argsort(joined[f"{name}_ids"], kind="stable")
            rows = np.repeat(np.arange(len(joined["row_item"])), np.diff(joined[f"{name}_ptr"]))
            joined[f"{name}_sorted_ids"] = joined[f"{name}_ids"][order]
            joined[f"{name}_sorted_rows"] = rows[order].astype(np.int32)
            joined[f"{name}_sorted_counts"] = joined[f"{name}_counts"][order]
        joined["key"] = np.array([key])
        joined["plans"] = np.array(plans, dtype=str)
        joined["plan_items"] = np.array(plan_items, dtype=np.int64)
        joined["entries"] = np.array([entries[plan] for plan in plans], dtype=str)
        counts = [(len(arrays[plan]["row_item"]), arrays[plan].sentences) for plan in plans]
        joined["plan_rows"] = np.r_[0, np.cumsum([rows for rows, _ in counts], dtype=np.int64)].astype(np.int64)
        joined["plan_sentences"] = np.r_[0, np.cumsum([found for _, found in counts], dtype=np.int64)].astype(np.int64)
        joined["item_ids"] = np.array(item_ids, dtype=str)
        joined["names"] = np.array(list(names), dtype=str)
        for column in ("kind", "parent", "workstream", "position", "count"):
            joined[f"item_{column}"] = np.array(columns[column], dtype=np.int32)
        joined["item_start"] = np.array(columns["start"], dtype=np.int64)
        return cls(joined)

    def save(self, folder: Path) -> None:
        """Keep the arrays as the base generation (replacing the previous one and its delta at once); a failure
        leaves them to be made again."""
        for name in (DELTA, *_EARLIER):
            remove_file(folder / name)
        write_file(folder / COMBINED, self.arrays, {"joined": JOINED_FORMAT, "key": str(self.arrays["key"][0])})

    @classmethod
    def load(cls, folder: Path, key: str | None, vocabulary: int) -> Combined | None:
        """The arrays of a generation (None: the one kept, its delta applied), checked, or None."""
        base = _read_base(folder, vocabulary)
        if base is None:
            return None
        found = _with_delta(folder, base, vocabulary, None)
        if found is None:  # the base as kept: a delta that did not fit may have changed some arrays in place
            found = _read_base(folder, vocabulary) if (folder / DELTA).exists() else base
        return found if found is not None and (key is None or str(found["key"][0]) == key) else None

    @property
    def key(self) -> str:
        """The generation of these arrays."""
        return str(self.arrays["key"][0])

    def extent(self, name: str) -> tuple[int, int] | None:
        """The least and greatest value of an array (None: empty), as its file vouches or worked out."""
        if name in self.extents:
            return self.extents[name]
        array = self.arrays[name]
        return (int(array.min()), int(array.max())) if len(array) else None

    def _consistent(self, vocabulary: int) -> bool:  # noqa: PLR0911 - one check after the other
        a = self.arrays
        items, rows, sentences = len(a["item_ids"]), len(a["row_item"]), len(a["matchable"])
        for column in ("kind", "parent", "workstream", "position", "start", "count"):
            if len(a[f"item_{column}"]) != items:
                return False
        if len(a["entries"]) != len(a["plans"]):
            return False
        for name, total in (("plan_items", items), ("plan_rows", rows), ("plan_sentences", sentences)):
            ptr = a[name]
            if len(ptr) != len(a["plans"]) + 1 or ptr[0] != 0 or ptr[-1] != total or np.any(np.diff(ptr) < 0):
                return False
        # each plan's rows are rows of its items, each plan's items' sentences its sentences
        plans = np.arange(len(a["plans"]))
        if not np.array_equal(
            np.searchsorted(a["plan_items"], a["row_item"], side="right") - 1, np.repeat(plans, np.diff(a["plan_rows"]))
        ):
            return False
        owner = np.repeat(plans, np.diff(a["plan_items"]))
        with_text = a["item_count"] >= 0
        firsts, lengths, owner = a["item_start"][with_text], a["item_count"][with_text], owner[with_text]
        if np.any(firsts < a["plan_sentences"][owner]) or np.any(firsts + lengths > a["plan_sentences"][owner + 1]):
            return False
        for name, data, expected in (
            ("term", "term_ids", rows),
            ("phrase", "phrase_ids", rows),
            ("entity", "entity_ids", rows),
            ("words", "words_ids", sentences),
        ):
            ptr = a[f"{name}_ptr"]
            if len(ptr) != expected + 1 or ptr[0] != 0 or ptr[-1] != len(a[data]) or np.any(np.diff(ptr) < 0):
                return False
        for ids, counts in (
            ("term_ids", "term_counts"),
            ("phrase_ids", "phrase_counts"),
            ("words_ids", "words_counts"),
        ):
            if len(a[counts]) != len(a[ids]) or not self._within(counts, 1, None):
                return False
        for name in ("term_ids", "phrase_ids", "entity_ids", "words_ids"):
            if not self._within(name, 1, vocabulary + 1):
                return False
        if self.kept_rows is not None and not self._kept_rows_fit(rows):
            return False
        for name in ("term", "phrase"):  # the entries by id: as many; that they are the rows', the digest says
            if self.kept_rows is not None:
                break  # the base's, checked with it
            if not len(a[f"{name}_sorted_ids"]) == len(a[f"{name}_sorted_rows"]) == len(a[f"{name}_ids"]):
                return False
            if len(a[f"{name}_sorted_counts"]) != len(a[f"{name}_ids"]):
                return False
            checks_by_id = ((f"{name}_sorted_ids", 1, vocabulary + 1), (f"{name}_sorted_rows", 0, rows))
            if not all(self._within(key, low, high) for key, low, high in checks_by_id):
                return False
            if not self._within(f"{name}_sorted_counts", 1, None):
                return False
        checks = (
            (a["row_item"], 0, items),
            (a["item_kind"], 0, len(KIND_CODES)),
            (a["item_parent"], -1, len(a["names"])),
            (a["item_workstream"], -1, len(a["names"])),
            (a["item_count"], -1, sentences + 1),
            (a["item_start"], -1, sentences + 1),
            (a["matchable"], 0, 2),
        )
        if any(len(values) and (values.min() < low or values.max() >= high) for values, low, high in checks):
            return False
        with_text = a["item_count"] >= 0
        firsts, lengths = a["item_start"][with_text], a["item_count"][with_text]
        return not np.any(firsts < 0) and not np.any(firsts + lengths > sentences)

    def _kept_rows_fit(self, rows: int) -> bool:
        """Whether ``kept_rows`` are pieces of the rows the entries by id number, in order, each put within these
        rows, in order too."""
        kept = self.kept_rows
        if kept is None or kept.ndim != 2 or kept.shape[1] != 3:
            return False
        starts, ends, new = kept[:, 0], kept[:, 1], kept[:, 2]
        if len(kept) and (starts[0] < 0 or new[0] < 0 or ends[-1] > self.posted_rows):
            return False
        if (
            np.any(ends <= starts)
            or np.any(starts[1:] < ends[:-1])
            or np.any(new[1:] < new[:-1] + (ends - starts)[:-1])
        ):
            return False
        return not len(kept) or int(new[-1] + ends[-1] - starts[-1]) <= rows

    def _within(self, name: str, low: int, high: int | None) -> bool:
        """Whether an array's values are all from ``low`` and (unless None) below ``high``."""
        extent = self.extent(name)
        return extent is None or (extent[0] >= low and (high is None or extent[1] < high))


_PATCHED = 8  # at most this many plans changed or added since the base are kept as a delta; more: joined again


def combined(rank: RankStore, folder: Path, entries: dict[str, str]) -> tuple[Combined | None, set[str]]:
    """The joined rows of a generation (plan -> entry): read if kept and sound; else, when few plans differ from
    the base generation kept, their rows read and kept as a delta on it (``suggest.delta``); else joined from every
    plan's rows and kept as the base. Also the plans whose rows are missing or damaged (then nothing is joined: they
    are to be made again). ``folder`` is the index folder."""
    return _generation(rank, folder, entries, wanted=True)


def _generation(
    rank: RankStore, folder: Path, entries: dict[str, str], *, wanted: bool
) -> tuple[Combined | None, set[str]]:
    """``combined``; unless ``wanted``, only what keeps the generation (nothing read or applied that is not
    needed for that: the result is then None unless it was joined)."""
    key = generation_key(entries)
    size = rank.largest_id()
    base = _read_base(folder, size)
    unchanged = base  # kept for the next ``combined`` of this process when nothing applied changed it
    kept = dict(zip(base["plans"].tolist(), base["entries"].tolist(), strict=True)) if base is not None else {}
    changed = {plan for plan, entry in entries.items() if kept.get(plan) != entry}
    if base is not None and not changed and set(kept) == set(entries):
        remove_file(folder / DELTA)
        return base, set()
    patch = base is not None and set(kept) <= set(entries) and len(changed) <= _PATCHED  # plans changed or added
    if patch and base is not None:
        if not wanted:
            found_delta = read_file(folder / DELTA)
            if found_delta is not None and found_delta.meta.get("base") == base.digest:
                if found_delta.meta.get("key") == key and found_delta.meta.get("joined") == JOINED_FORMAT:
                    _keep(folder, size, unchanged)
                    return None, set()  # kept (checked when applied)
        else:
            found = _with_delta(folder, base, size, key)
            if found is not None:
                return found, set()
            base = _read_base(folder, size)  # as kept: a delta that did not fit may have changed some arrays in place
            patch = base is not None
    arrays, structures = rank.read({plan: entries[plan] for plan in changed} if patch else entries)
    damaged = (changed if patch else set(entries)) - set(arrays)
    if damaged:
        return None, damaged
    if patch and base is not None:
        changes = {plan: Change(entries[plan], arrays[plan], structures[plan]) for plan in changed}
        delta = make_delta(base.arrays, key, changes, KIND_CODES)
        write_file(folder / DELTA, delta, {"joined": JOINED_FORMAT, "key": key, "base": base.digest})
        made = apply_delta(base.arrays, delta) if wanted else None
        if made is not None:
            base.release(made)
            return base.patched(made, delta), set()
        if not wanted:
            _keep(folder, size, unchanged)
            return None, set()
    joined = Combined.join(key, arrays, structures, entries)
    joined.save(folder)
    return joined, set()


class _Base(Combined):
    """The base generation as read, with its file and the digest of it (what its delta names)."""

    digest = ""
    file: ArrayFile | None = None

    def patched(
        self,
        made: dict[str, np.ndarray],
        delta: dict[str, np.ndarray],
        extents: dict[str, tuple[int, int] | None] | None = None,
    ) -> Combined:
        """The generation a delta on this base made (``apply_delta``): its entries by id this base's."""
        return Combined(made, extents, posted_rows=len(self["row_item"]), kept_rows=kept_rows(delta), base_key=self.key)

    def release(self, made: dict[str, np.ndarray]) -> None:
        """Let go of the pages of the arrays a delta has replaced by copies."""
        for name, array in made.items():
            if self.file is not None and name in self.arrays and array is not self.arrays[name]:
                self.file.release(name)


# the base generation a ``refresh`` of this process read and left as read: (its file's stat, vocabulary size, base)
_READ: dict[Path, tuple[FileIdentity | None, int, _Base]] = {}


def _keep(folder: Path, vocabulary: int, base: _Base | None) -> None:
    """Keep a base as read (no array of it changed) for the next reading of this process (``_read_base``)."""
    if base is not None:
        _READ[folder] = (file_identity(folder / COMBINED), vocabulary, base)


def _read_base(folder: Path, vocabulary: int) -> _Base | None:
    """The base generation kept in ``folder``, checked, or None: the one this process read and kept unchanged
    (``_keep``; once) while its file is the same, else read."""
    kept = _READ.pop(folder, None)
    if (
        kept is not None
        and kept[1] == vocabulary
        and kept[0] is not None
        and kept[0] == file_identity(folder / COMBINED)
    ):
        return kept[2]
    found = read_file(folder / COMBINED, private=True)  # a delta may change some arrays in place (``apply_delta``)
    if found is None or found.meta.get("joined") != JOINED_FORMAT:
        return None
    if not _typed(found.arrays, _JOINED):
        return None
    base = _Base(found.arrays, found.extents)
    base.digest, base.file = found.digest, found
    if len(base["key"]) != 1 or str(base["key"][0]) != found.meta.get("key"):
        return None
    return base if base._consistent(vocabulary) else None


def _with_delta(folder: Path, base: _Base, vocabulary: int, key: str | None) -> Combined | None:
    """The generation the delta kept on a base makes (``key``, or any), checked, or None."""
    found = read_file(folder / DELTA)
    if found is None or found.meta.get("joined") != JOINED_FORMAT or found.meta.get("base") != base.digest:
        return None
    if key is not None and found.meta.get("key") != key:
        return None
    try:
        made = apply_delta(base.arrays, found.arrays)
    except (ValueError, IndexError, TypeError):
        return None
    if made is None or not _typed(made, _JOINED) or len(made["key"]) != 1:
        return None
    base.release(made)
    if str(made["key"][0]) != found.meta.get("key"):
        return None
    # what comes from the base stays within the base's values, the rest is the delta's
    extents: dict[str, tuple[int, int] | None] = {}
    for name, extent in base.extents.items():
        data = found.extents.get(f"{name}.data")
        if name in SPLICED and extent is not None and SPLICED[name][1] is None:
            extents[name] = extent if data is None else (min(extent[0], data[0]), max(extent[1], data[1]))
    for kind in POSTED:  # the base's
        for part in ("ids", "rows", "counts"):
            name = f"{kind}_sorted_{part}"
            if name in base.extents:
                extents[name] = base.extents[name]
    joined = base.patched(made, found.arrays, extents)
    return joined if joined._consistent(vocabulary) else None


def _typed(arrays: dict[str, np.ndarray], kinds: dict[str, str]) -> bool:
    """Whether the arrays are exactly these, each one-dimensional of its dtype (text of any width)."""
    if set(arrays) != set(kinds):
        return False
    for name, dtype in kinds.items():
        array = arrays[name]
        if array.ndim != 1 or (array.dtype.kind != "U" if dtype == "U" else array.dtype != np.dtype(dtype)):
            if not (dtype == "U" and len(array) == 0):
                return False
    return True


def refresh(index: TokenIndex) -> None:
    """Join the rows of an index's current generation, unless kept already (when every plan has its rows)."""
    rank = index.rank if index.usable else None
    if rank is not None and index.keys and not index.missing():
        entries = {plan: index.entry(plan) for plan in index.keys}
        _generation(rank, next(iter(index.keys.values())).parent, entries, wanted=False)
