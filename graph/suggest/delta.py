"""A generation of the joined rows (``suggest.joined``) kept as a small delta on a base generation.

After a one-file edit only the changed plans' rows are new; rewriting every joined array (hundreds of MB at a
million triples) would cost more than the ranking. A delta names, for each array in plan order (the item table, the
rows, their entries, the sentences), how the new one is made from the base's: pieces (a slice of the base's array
with a number added to its values of 0 or more, or a slice of the delta's own values); the small per-plan tables
whole and the names added. The entries in the order of their ids (``{kind}_sorted_*``, the postings) stay the base's,
numbering the base's rows: ``kept_rows`` says where each base row kept is now, and the changed plans' rows are read
from the arrays in plan order (``suggest.products``). Making the arrays from it costs a copy of the arrays that change
length at most; the result is exactly the arrays joined afresh, but that a name no longer used may stay in
``names`` and the postings are the base's. The delta is always made from the base (the plans that differ from it),
so deltas never pile up; the base is made again by a full join.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from .compact import PlanArrays

# the arrays in plan order: name -> (unit it follows, unit whose growth shifts its values, or None)
SPLICED: dict[str, tuple[str, str | None]] = {
    "item_ids": ("items", None),
    "item_kind": ("items", None),
    "item_parent": ("items", None),
    "item_workstream": ("items", None),
    "item_position": ("items", None),
    "item_start": ("items", "sentences"),
    "item_count": ("items", None),
    "row_item": ("rows", "items"),
    "term_ptr": ("rows+", "term"),
    "phrase_ptr": ("rows+", "phrase"),
    "entity_ptr": ("rows+", "entity"),
    "term_ids": ("term", None),
    "term_counts": ("term", None),
    "phrase_ids": ("phrase", None),
    "phrase_counts": ("phrase", None),
    "entity_ids": ("entity", None),
    "words_ptr": ("sentences+", "words"),
    "words_ids": ("words", None),
    "words_counts": ("words", None),
    "matchable": ("sentences", None),
}
POSTED = ("term", "phrase")  # each kind's entries in the order of their ids: ``{kind}_sorted_{ids,rows,counts}``
WHOLE = ("key", "plans", "entries", "plan_items", "plan_rows", "plan_sentences")  # and the names added


@dataclass
class Change:
    """A plan's new rows: its entry, its checked rows (``RankStore.read``) and its item records."""

    entry: str
    found: PlanArrays
    structure: list


def make_delta(base: dict[str, np.ndarray], key: str, changes: dict[str, Change], kinds: list[str]) -> dict:
    """The delta that makes a generation (``key``) from the base's arrays: some plans' rows replaced or added
    (``changes``; ``kinds``: the item kinds' codes, by number). The arrays of the delta by name."""
    plans = base["plans"].tolist()
    # each changed plan's place among the base's (lo, hi: its range of plans there, empty for a plan added)
    number_of = {plan: number for number, plan in enumerate(plans)}
    slots = sorted(
        (number_of[plan], number_of[plan] + 1, plan)
        if plan in number_of
        else (bisect.bisect(plans, plan),) * 2 + (plan,)
        for plan in changes
    )
    # each unit's range per plan in the base, and its new size
    bounds = _unit_bounds(base)
    sizes: dict[str, list[int]] = {unit: [] for unit in bounds}
    for _, _, plan in slots:
        change = changes[plan]
        found = change.found
        sizes["items"].append(len(change.structure))
        sizes["rows"].append(len(found["row_item"]))
        sizes["sentences"].append(found.sentences)
        for kind in ("term", "phrase", "entity", "words"):
            sizes[kind].append(len(found[f"{kind}_ids"]))
    # the first of each unit of each changed plan in the new numbering
    firsts: dict[str, list[int]] = {}
    for unit, ranges in bounds.items():
        moved, out = 0, []
        for (lo, hi, _), size in zip(slots, sizes[unit], strict=True):
            start, end = ranges[lo], ranges[hi]
            out.append(start + moved)
            moved += size - (end - start)
        firsts[unit] = out
    names = base["names"].tolist()
    known = {name: place for place, name in enumerate(names)}
    codes = {code: place for place, code in enumerate(kinds)}
    new: dict[str, list[np.ndarray]] = {name: [] for name in SPLICED}
    for place, (_, _, plan) in enumerate(slots):
        change = changes[plan]
        found, structure = change.found, change.structure
        columns: dict[str, list] = {name: [] for name in SPLICED if name.startswith("item_")}
        for item_id, kind, parent, workstream, position, start, count in structure:
            columns["item_ids"].append(item_id)
            columns["item_kind"].append(codes[kind])
            for column, name in (("item_parent", parent), ("item_workstream", workstream)):
                if name is not None and name not in known:
                    known[name] = len(names)
                    names.append(name)
                columns[column].append(-1 if name is None else known[name])
            columns["item_position"].append(position)
            columns["item_start"].append(-1 if count < 0 else firsts["sentences"][place] + start)
            columns["item_count"].append(count)
        for name, values in columns.items():
            new[name].append(np.array(values, dtype=str if name == "item_ids" else np.int64))
        new["row_item"].append(found["row_item"].astype(np.int64) + firsts["items"][place])
        for kind in ("term", "phrase", "entity"):
            new[f"{kind}_ptr"].append(found[f"{kind}_ptr"][:-1].astype(np.int64) + firsts[kind][place])
        new["words_ptr"].append(found["words_ptr"][:-1].astype(np.int64) + firsts["words"][place])
        for name in ("term_ids", "term_counts", "phrase_ids", "phrase_counts", "entity_ids"):
            new[name].append(found[name])
        for name in ("words_ids", "words_counts", "matchable"):
            new[name].append(found[name])
    delta: dict[str, np.ndarray] = {}
    for name, (unit, shifted_by) in SPLICED.items():
        whole = unit.endswith("+")  # a pointer: one more than its unit, the last its total
        ranges = bounds[unit.rstrip("+")]
        pieces, at, moved = [], 0, 0
        offset = 0
        for place, (lo, hi, _) in enumerate(slots):
            start, end = ranges[lo], ranges[hi]
            pieces.append((0, at, start, moved))
            size = len(new[name][place])
            pieces.append((1, offset, offset + size, 0))
            offset += size
            at = end
            if shifted_by is not None:
                shift_ranges = bounds[shifted_by]
                moved += sizes[shifted_by][place] - (shift_ranges[hi] - shift_ranges[lo])
        pieces.append((0, at, len(base[name]) if whole else ranges[-1], moved))
        delta[f"{name}.pieces"] = np.array(pieces, dtype=np.int64).reshape(-1)
        dtype = base[name].dtype if name != "item_ids" else np.dtype(str)
        delta[f"{name}.data"] = np.concatenate(new[name]).astype(dtype) if new[name] else np.zeros(0, dtype=dtype)
    # the per-plan tables
    for name, unit in (("plan_items", "items"), ("plan_rows", "rows"), ("plan_sentences", "sentences")):
        counts = np.diff(base[name]).tolist()
        for place, (lo, hi, _) in reversed(list(enumerate(slots))):
            counts[lo:hi] = [sizes[unit][place]]
        delta[name] = np.r_[0, np.cumsum(counts, dtype=np.int64)].astype(np.int64)
    entries = base["entries"].tolist()
    for lo, hi, plan in reversed(slots):
        entries[lo:hi] = [changes[plan].entry]
        plans[lo:hi] = [plan]
    delta["entries"] = np.array(entries, dtype=str)
    delta["plans"] = np.array(plans, dtype=str)
    delta["names.data"] = np.array(names[len(base["names"]) :], dtype=str)
    delta["key"] = np.array([key])
    return delta


def apply_delta(base: dict[str, np.ndarray], delta: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
    """The arrays a delta makes from the base's, or None: the delta does not fit the base (it is to be made again,
    the base untouched). An array the delta leaves as it is is the base's; one whose changes keep its length is
    changed in place when the base's arrays are writable (a private mapping: the file is never written)."""
    tables: dict[str, list[list[int]]] = {}
    for name in SPLICED:
        table = _pieces(base[name], delta.get(f"{name}.pieces"), delta.get(f"{name}.data"))
        if table is None:
            return None
        tables[name] = table
    added = delta.get("names.data")
    if any(name not in delta for name in WHOLE) or added is None or (len(added) and added.dtype.kind != "U"):
        return None
    out: dict[str, np.ndarray] = {name: delta[name] for name in WHOLE}
    out["names"] = np.concatenate([base["names"], added]) if len(added) else base["names"]
    for name, table in tables.items():
        out[name] = _spliced(base[name], table, delta[f"{name}.data"])
    for kind in POSTED:  # the base's, numbering its rows (``kept_rows``)
        for part in ("ids", "rows", "counts"):
            out[f"{kind}_sorted_{part}"] = base[f"{kind}_sorted_{part}"]
    return out


def kept_rows(delta: dict[str, np.ndarray]) -> np.ndarray:
    """Where the base's rows a delta keeps are in the generation it makes: pieces (start and end in the base's
    numbering, start in the new one) in order; the other rows are the changed plans'. The delta is checked
    (``apply_delta``) first."""
    pieces, at = [], 0
    for source, start, end, _ in delta["row_item.pieces"].reshape(-1, 4).tolist():
        if source == 0 and end > start:
            pieces.append((start, end, at))
        at += end - start
    return np.array(pieces, dtype=np.int64).reshape(-1, 3)


def _unit_bounds(base: dict[str, np.ndarray]) -> dict[str, list[int]]:
    """Each unit's range per plan (``ranges[p]:ranges[p + 1]``) in the base."""
    rows, sentences = base["plan_rows"], base["plan_sentences"]
    return {
        "items": base["plan_items"].tolist(),
        "rows": rows.tolist(),
        "sentences": sentences.tolist(),
        "term": base["term_ptr"][rows].tolist(),
        "phrase": base["phrase_ptr"][rows].tolist(),
        "entity": base["entity_ptr"][rows].tolist(),
        "words": base["words_ptr"][sentences].tolist(),
    }


def _pieces(base: np.ndarray, pieces: np.ndarray | None, data: np.ndarray | None) -> list[list[int]] | None:
    """The pieces of an array (source, start, end, shift; see the module's description), checked, or None."""
    if pieces is None or data is None or pieces.dtype.kind != "i" or len(pieces) % 4:
        return None
    if data.dtype.kind != base.dtype.kind or (base.dtype.kind != "U" and data.dtype != base.dtype):
        if not (len(data) == 0 and data.dtype.kind in "iU"):
            return None
    table = pieces.reshape(-1, 4).tolist()
    for source, start, end, shift in table:
        values = base if source == 0 else data
        if source not in (0, 1) or not 0 <= start <= end <= len(values) or (shift and base.dtype.kind != "i"):
            return None
    return table


def _spliced(base: np.ndarray, table: list[list[int]], data: np.ndarray) -> np.ndarray:
    """An array made of checked pieces (``_pieces``) of the base's and the delta's values."""
    total = sum(end - start for _, start, end, _ in table)
    if total == len(base) and not any(shift for *_, shift in table):
        # the base's pieces in their places: the base itself, its changed parts written in place when it may be
        at, changed, in_place = 0, [], True
        for source, start, end, _ in table:
            if source == 0:
                in_place = in_place and start == at
            elif not np.array_equal(base[at : at + end - start], data[start:end]):
                changed.append((at, start, end))
            at += end - start
        if in_place and not changed:
            return base
        if in_place and base.flags.writeable and base.dtype == data.dtype:
            for at, start, end in changed:
                base[at : at + end - start] = data[start:end]
            return base
    if base.dtype.kind == "U":
        width = max(base.dtype.itemsize, data.dtype.itemsize) // 4
        out = np.empty(total, dtype=f"<U{max(width, 1)}")
    else:
        out = np.empty(total, dtype=base.dtype)
    at = 0
    for source, start, end, shift in table:
        values = base if source == 0 else data
        part = out[at : at + end - start]
        part[:] = values[start:end]
        if shift:
            part[part >= 0] += shift
        at += end - start
    return out
