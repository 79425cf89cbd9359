"""Every plan's rank rows joined into one set of arrays per generation of the index, for ``suggest FROM``.

Ranking one plan against every other reads what ``suggest.compact`` keeps per plan. Joining 615 plans' rows and
making their items' records costs seconds at a million triples, so the joined arrays and a compact item table (ids,
plan, type, parent, workstream, position, sentences) are kept in the index folder as one ``.npz`` (no pickles: read
with ``allow_pickle=False``), named by a digest of every plan's entry: any change to a plan's entry (a one-file
edit) makes a new generation, joined again from the per-plan rows (which are not re-tokenised). Every read is
checked: each array's CRC-32 as it is read, a digest of them all written last (``_digest``: the arrays are those
written), then dtypes, shapes, monotone pointers and id ranges; an unsound or missing file is joined again, never
trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from ..model.nodes import NodeType
from .compact import RANK_FORMAT, PlanArrays, RankStore
from .index import TokenIndex

JOINED_FORMAT = 5
# -- every plan's rows joined, once per generation of the index ----------------------------------------------------

COMBINED = "combined.npz"
DIGEST = "digest"  # the member written last: ``_digest`` of the others
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
    ranking one plan against all the others reads, kept in the index folder as one ``.npz`` per generation."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

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

    def patched(self, plan: str, entry: str, found: PlanArrays, structure: list) -> Combined:
        """These arrays with one plan's rows replaced by its new ones (the same as joining every plan again)."""
        a = dict(self.arrays)
        number = a["plans"].tolist().index(plan)
        first_item, last_item = a["plan_items"][number : number + 2].tolist()
        first_row, last_row = a["plan_rows"][number : number + 2].tolist()
        first_sentence, last_sentence = a["plan_sentences"][number : number + 2].tolist()
        items, rows, sentences = len(structure), len(found["row_item"]), found.sentences
        moved = (
            items - (last_item - first_item),
            rows - (last_row - first_row),
            sentences - (last_sentence - first_sentence),
        )
        # the item table
        names = a["names"].tolist()
        known = {name: place for place, name in enumerate(names)}
        codes = {code: place for place, code in enumerate(KIND_CODES)}
        columns: dict[str, list] = {
            name: [] for name in ("ids", "kind", "parent", "workstream", "position", "start", "count")
        }
        for item_id, kind, parent, workstream, position, start, count in structure:
            columns["ids"].append(item_id)
            columns["kind"].append(codes[kind])
            for column, name in (("parent", parent), ("workstream", workstream)):
                if name is not None and name not in known:
                    known[name] = len(names)
                    names.append(name)
                columns[column].append(-1 if name is None else known[name])
            columns["position"].append(position)
            columns["start"].append(-1 if count < 0 else first_sentence + start)
            columns["count"].append(count)
        a["names"] = np.array(names, dtype=str)
        starts = a["item_start"].copy()
        starts[last_item:][starts[last_item:] >= 0] += moved[2]
        a["item_start"] = starts
        for column in ("ids", "kind", "parent", "workstream", "position", "start", "count"):
            name = f"item_{column}"
            new = np.array(columns[column], dtype=a[name].dtype if column != "ids" else str)
            a[name] = np.concatenate([a[name][:first_item], new, a[name][last_item:]])
        for name, shift in (("plan_items", moved[0]), ("plan_rows", moved[1]), ("plan_sentences", moved[2])):
            ptr = a[name].copy()
            ptr[number + 1 :] += shift
            a[name] = ptr
        entries = a["entries"].tolist()
        entries[number] = entry
        a["entries"] = np.array(entries, dtype=str)
        a["row_item"] = np.concatenate(
            [a["row_item"][:first_row], found["row_item"] + first_item, a["row_item"][last_row:] + moved[0]]
        ).astype(np.int32)
        # the rows' and sentences' entries
        for name, first, last in (
            ("term", first_row, last_row),
            ("phrase", first_row, last_row),
            ("entity", first_row, last_row),
            ("words", first_sentence, last_sentence),
        ):
            ptr = a[f"{name}_ptr"]
            start, end = int(ptr[first]), int(ptr[last])
            sizes = np.concatenate([np.diff(ptr[: first + 1]), np.diff(found[f"{name}_ptr"]), np.diff(ptr[last:])])
            a[f"{name}_ptr"] = np.r_[0, np.cumsum(sizes)].astype(np.int64)
            for data in [f"{name}_ids", f"{name}_counts"] if name != "entity" else ["entity_ids"]:
                a[data] = np.concatenate([a[data][:start], found[data], a[data][end:]]).astype(np.int32)
        a["matchable"] = np.concatenate(
            [a["matchable"][:first_sentence], found["matchable"], a["matchable"][last_sentence:]]
        ).astype(np.int32)
        # the entries by id: the plan's taken out, the later rows renumbered, the new ones put in their places
        for name in ("term", "phrase"):
            ids, where, counts = (a[f"{name}_sorted_{part}"] for part in ("ids", "rows", "counts"))
            keep = (where < first_row) | (where >= last_row)
            ids, where, counts = ids[keep], where[keep].astype(np.int64), counts[keep]
            where[where >= last_row] += moved[1]
            new_ids = found[f"{name}_ids"]
            new_rows = np.repeat(np.arange(first_row, first_row + rows, dtype=np.int64), np.diff(found[f"{name}_ptr"]))
            order = np.lexsort((new_rows, new_ids))
            span = len(a["row_item"]) + 1
            places = np.searchsorted(
                ids.astype(np.int64) * span + where, new_ids[order].astype(np.int64) * span + new_rows[order]
            )
            a[f"{name}_sorted_ids"] = np.insert(ids, places, new_ids[order]).astype(np.int32)
            a[f"{name}_sorted_rows"] = np.insert(where, places, new_rows[order]).astype(np.int32)
            a[f"{name}_sorted_counts"] = np.insert(counts, places, found[f"{name}_counts"][order]).astype(np.int32)
        return Combined(a)

    def save(self, folder: Path) -> None:
        """Write the arrays (replacing the previous generation's at once); a failure leaves them to be made again."""
        write_arrays(folder / COMBINED, self.arrays)

    @classmethod
    def load(cls, folder: Path, key: str | None, vocabulary: int) -> Combined | None:
        """The arrays of a generation (None: the one kept), checked (types, shapes, pointers, ranges), or None."""
        arrays = read_arrays(folder / COMBINED, set(_JOINED))
        if arrays is None:
            return None
        for name, dtype in _JOINED.items():
            array = arrays[name]
            if array.ndim != 1 or (array.dtype.kind != "U" if dtype == "U" else array.dtype != np.dtype(dtype)):
                if not (dtype == "U" and len(array) == 0 and array.ndim == 1):
                    return None
        if len(arrays["key"]) != 1 or (key is not None and str(arrays["key"][0]) != key):
            return None
        combined = cls(arrays)
        return combined if combined._consistent(vocabulary) else None

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
            if len(a[counts]) != len(a[ids]) or (len(a[counts]) and a[counts].min() < 1):
                return False
        for name in ("term_ids", "phrase_ids", "entity_ids", "words_ids"):
            if len(a[name]) and (a[name].min() < 1 or a[name].max() > vocabulary):
                return False
        for name in ("term", "phrase"):  # the entries by id: as many; that they are the rows', the digest says
            if not len(a[f"{name}_sorted_ids"]) == len(a[f"{name}_sorted_rows"]) == len(a[f"{name}_ids"]):
                return False
            if len(a[f"{name}_sorted_counts"]) != len(a[f"{name}_ids"]):
                return False
            checks_by_id = ((f"{name}_sorted_ids", 1, vocabulary + 1), (f"{name}_sorted_rows", 0, rows))
            if any(len(a[key]) and (a[key].min() < low or a[key].max() >= high) for key, low, high in checks_by_id):
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


_PATCHED = 8  # at most this many changed plans are patched into the previous generation; more are joined again


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write some arrays as a ``.npz`` (replacing the file at once) and, last, their digest (``_digest``); a
    failure leaves no file (what it holds is made again)."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
            for name, array in arrays.items():
                with out.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)
            digest = _digest(out.infolist())
            with out.open(f"{DIGEST}.npy", "w") as member:
                np.lib.format.write_array(member, np.array([digest]), allow_pickle=False)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)


def read_arrays(path: Path, names: set[str]) -> dict[str, np.ndarray] | None:
    """The arrays ``write_arrays`` wrote (exactly ``names``), or None: missing, damaged (an array's CRC-32, checked
    as it is read whole) or written otherwise (the digest)."""
    try:
        with np.load(path, allow_pickle=False) as found:
            if set(found.files) != {*names, DIGEST}:
                return None
            arrays = {name: found[name] for name in names}
            digest = found[DIGEST]
            written = _digest([info for info in found.zip.infolist() if info.filename != f"{DIGEST}.npy"])
            if digest.shape != (1,) or digest.dtype.kind != "U" or str(digest[0]) != written:
                return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, RuntimeError, TypeError, AttributeError):
        return None
    return arrays


def _digest(members: list[zipfile.ZipInfo]) -> str:
    """A digest of the arrays as written: every member's name, size and CRC-32 (which ``zipfile`` checks as each
    array is read), so that the arrays are exactly the ones ``save`` wrote, checked at the cost of reading them.
    An array damaged on disk fails its CRC; a file written otherwise (another array, the members rewritten) fails
    the digest."""
    text = json.dumps(sorted((info.filename, info.file_size, info.CRC) for info in members))
    return hashlib.sha256(f"{JOINED_FORMAT}:{text}".encode()).hexdigest()


def combined(rank: RankStore, folder: Path, entries: dict[str, str]) -> tuple[Combined | None, set[str]]:
    """The joined rows of a generation (plan -> entry): read if kept and sound, else joined from the plans' rows
    and kept. Also the plans whose rows are missing or damaged (then nothing is joined: they are to be made again). ``folder``
    is the index folder."""
    key = generation_key(entries)
    size = rank.connection.execute("SELECT COALESCE(MAX(id), 0) FROM vocab").fetchone()[0]
    found = Combined.load(folder, None, size)  # this generation, or the previous one: its changed plans patched
    if found is not None and str(found["key"][0]) == key and found["plans"].tolist() == sorted(entries):
        return found, set()
    kept = dict(zip(found["plans"].tolist(), found["entries"].tolist(), strict=True)) if found is not None else {}
    changed = {plan for plan, entry in entries.items() if kept.get(plan) != entry}
    patch = found is not None and set(kept) == set(entries) and len(changed) <= _PATCHED
    arrays, structures = rank.read({plan: entries[plan] for plan in changed} if patch else entries)
    damaged = (changed if patch else set(entries)) - set(arrays)
    if damaged:
        return None, damaged
    if patch and found is not None:
        joined = found
        for plan in sorted(changed):
            joined = joined.patched(plan, entries[plan], arrays[plan], structures[plan])
        joined.arrays["key"] = np.array([key])
    else:
        joined = Combined.join(key, arrays, structures, entries)
    joined.save(folder)
    return joined, set()


def refresh(index: TokenIndex) -> None:
    """Join the rows of an index's current generation, unless kept already (when every plan has its rows)."""
    rank = index.rank if index.usable else None
    if rank is not None and index.keys and not index.missing():
        entries = {plan: index.entry(plan) for plan in index.keys}
        combined(rank, next(iter(index.keys.values())).parent, entries)
