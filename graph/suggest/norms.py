"""Every row's term and phrase norms for the bounds of ``suggest FROM`` (``suggest.bounds``), kept in the index
folder for the generation and the weights they were worked out from.

A row's norm depends on the IDF of the whole data set, so it cannot be joined once with the rows: after a one-file
edit the weights of every term the edit changes (and, with the count of texts, of all) differ. The norms are kept in
their own file (``suggest.arrayfile``: numbers only, every byte checked) named by a digest of the generation and of
the weights, with the weights and the rows' places: after an edit, the rows that are new are worked out, the others
scaled from what was kept by how much their terms' weights shrank (a norm at most the true one: what the bounds
need); any other file, or a damaged one, or one scaled ``_MOST_STEPS`` times over, is worked out again whole (and
kept, when the folder can be written).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .arrayfile import read_file, write_file
from .joined import Combined
from .products import BLOCK_ROWS, ranges

if TYPE_CHECKING:
    from .everywhere import IndexedCorpus

NORMS = "norms.arrays"  # in the index folder
KINDS = ("term", "phrase")
_MOST_STEPS = 1000  # norms scaled from norms scaled ... at most this many times (each step 3 roundings, 2^-53)
_KEPT = {*KINDS, *(f"{kind}.weights" for kind in KINDS), "logs", "kept_rows"}  # the arrays of ``NORMS``


def row_norms(
    joined: Combined, name: str, logs: np.ndarray, idf: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """The norms of every row's values of one kind of entry ("term", "phrase"), or of some rows' (``rows``, row
    numbers): each row's squares added in another order than ``vector``'s (``reduceat``; covered by
    ``ArrayBounds._MARGIN``), the same floats whichever rows are worked out together, a block of rows at a time."""
    ptr, ids, counts = joined[f"{name}_ptr"], joined[f"{name}_ids"], joined[f"{name}_counts"]
    if rows is None:
        total = len(joined["row_item"])
        norms = np.zeros(total)
        for first in range(0, total, BLOCK_ROWS):
            last = min(first + BLOCK_ROWS, total)
            low, high = int(ptr[first]), int(ptr[last])
            sizes = np.diff(ptr[first : last + 1])
            norms[first:last] = _norms(counts[low:high], ids[low:high], sizes, logs, idf)
        return norms
    norms = np.zeros(len(rows))
    for first in range(0, len(rows), BLOCK_ROWS):
        chosen = rows[first : first + BLOCK_ROWS]
        sizes = ptr[chosen + 1] - ptr[chosen]
        at = ranges(ptr[chosen], sizes)
        norms[first : first + len(chosen)] = _norms(counts[at], ids[at], sizes, logs, idf)
    return norms


def _norms(counts: np.ndarray, ids: np.ndarray, sizes: np.ndarray, logs: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """The norms of some rows from their entries (``sizes`` of them each, in order): each row's squares summed on
    their own (an end past the last row's: its sum is of its entries only)."""
    weights = np.zeros(len(ids) + 1)
    np.multiply(logs[counts], idf[ids], out=weights[:-1])
    weights *= weights
    starts = np.cumsum(sizes) - sizes
    squares = np.add.reduceat(weights, np.r_[starts, len(ids)])[:-1]
    return np.sqrt(np.where(sizes > 0, squares, 0.0))


def kept_norms(corpus: IndexedCorpus, logs: np.ndarray) -> dict[str, np.ndarray]:
    """Every row's term and phrase norms (``row_norms``), kept in the index folder (``NORMS``) for the generation
    and the weights they were worked out from: they depend on the IDF of the whole data set, so a file kept for
    another generation or other weights is brought up to date (``_updated``) or, damaged (``suggest.arrayfile``
    checks every byte) or of another base, made again."""
    joined = corpus.joined
    weights = {"term": corpus.term_idf, "phrase": corpus.phrase_weight}
    digest = hashlib.sha256(str(joined["key"][0]).encode())
    for values in (logs, *weights.values()):
        digest.update(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    key, rows = digest.hexdigest(), len(joined["row_item"])
    folder: Path | None = getattr(corpus, "folder", None)
    found = read_file(folder / NORMS) if folder is not None else None
    kept = found.arrays if found is not None and set(found.arrays) == _KEPT else None
    if kept is not None and not all(kept[name].dtype == np.float64 for name in _KEPT - {"kept_rows"}):
        kept = None
    if kept is not None and not all(bool(np.all(kept[kind] >= 0.0)) for kind in KINDS):  # and no NaN
        kept = None
    if kept is not None and found is not None and found.meta.get("norms") == key:
        if all(len(kept[kind]) == rows for kind in KINDS):
            return {kind: kept[kind] for kind in KINDS}
    base = joined.base_key or joined.key
    made, steps = None, 0
    if kept is not None and found is not None and found.meta.get("base") == base:
        before = found.meta.get("steps")
        if isinstance(before, int) and 0 <= before < _MOST_STEPS:
            made, steps = _updated(joined, kept, logs, weights), before + 1
    if made is None:
        made, steps = {name: row_norms(joined, name, logs, idf) for name, idf in weights.items()}, 0
    if folder is not None:
        arrays = {**made, **{f"{kind}.weights": weights[kind] for kind in KINDS}, "logs": logs}
        arrays["kept_rows"] = _places(joined).reshape(-1)
        meta = {"norms": key, "base": base, "steps": steps}
        write_file(folder / NORMS, arrays, meta)  # not kept (read-only, full): worked out next time
    return made


def _places(joined: Combined) -> np.ndarray:
    """Where the base's rows kept are in a generation's (``Combined.kept_rows``; a base: each in its place)."""
    if joined.kept_rows is not None:
        return joined.kept_rows
    rows = len(joined["row_item"])
    return np.array([[0, rows, 0]] if rows else [], dtype=np.int64).reshape(-1, 3)


def _updated(
    joined: Combined, kept: dict[str, np.ndarray], logs: np.ndarray, weights: dict[str, np.ndarray]
) -> dict[str, np.ndarray] | None:
    """The norms of a generation from those kept for another on the same base (``kept``: the arrays of ``NORMS``),
    each at most the norm worked out afresh: a row of the base kept in both has its kept norm, times the least
    ratio of a weight now to before of its terms whose weight shrank (for the bounds, a norm may be too low, never
    too high; after a one-file edit the ratios are within a few percent of 1); the new rows, and those a term no
    longer weighs in, are worked out. None: the kept ones do not fit, or most rows changed (then they are all
    worked out)."""
    if len(kept["logs"]) != len(logs) or not np.array_equal(kept["logs"], logs):
        return None
    before = len(kept["term"])
    pieces = kept["kept_rows"]
    if pieces.dtype != np.int64 or len(pieces) % 3 or len(kept["phrase"]) != before:
        return None
    posted, rows = joined.posted_rows, len(joined["row_item"])
    was = np.full(posted, -1, dtype=np.int64)  # by base row: its place in the kept norms (-1: not kept there)
    for start, end, first in pieces.reshape(-1, 3).tolist():
        if not (0 <= start < end <= posted and 0 <= first and first + end - start <= before):
            return None
        was[start:end] = np.arange(first, first + end - start)
    place = np.full(rows, -1, dtype=np.int64)  # by row: its place in the kept norms
    now = np.full(posted, -1, dtype=np.int64)  # by base row: its place now
    for start, end, first in _places(joined).tolist():
        place[first : first + end - start] = was[start:end]
        now[start:end] = np.arange(first, first + end - start)
    made: dict[str, np.ndarray] = {}
    for kind in KINDS:
        old, new = kept[f"{kind}.weights"], weights[kind]
        size = min(len(old), len(new))
        changed = np.r_[np.nonzero(old[:size] != new[:size])[0], np.arange(size, max(len(old), len(new)))]
        # the base's rows having a changed term (from the entries by id), where they are now
        sorted_ids = joined[f"{kind}_sorted_ids"]
        low = np.searchsorted(sorted_ids, changed.astype(sorted_ids.dtype))
        high = np.searchsorted(sorted_ids, changed.astype(sorted_ids.dtype), side="right")
        if int((high - low).sum()) > len(sorted_ids) // 4:
            return None
        at = ranges(low, high - low)
        having = now[joined[f"{kind}_sorted_rows"][at]]
        ids = joined[f"{kind}_sorted_ids"][at].astype(np.int64)
        # a row's norm is at least its kept one times the least ratio of one of its terms' weight now to before,
        # a weight that grew counting 1 (every square is then at least that ratio squared times what it was)
        before_weight, now_weight = (np.where(ids < len(w), w[np.minimum(ids, len(w) - 1)], 0.0) for w in (old, new))
        shrank = now_weight < before_weight
        ratio = np.ones(len(ids))
        ratio[shrank] = now_weight[shrank] / before_weight[shrank]
        factor = np.ones(rows)
        np.minimum.at(factor, having[having >= 0], ratio[having >= 0])
        stale = (place < 0) | (factor == 0.0)  # new rows, and rows a term no longer weighs in: worked out
        if np.count_nonzero(stale) > rows // 2:
            return None
        norms = np.empty(rows)
        norms[~stale] = kept[kind][place[~stale]] * factor[~stale]
        todo = np.nonzero(stale)[0]
        norms[todo] = row_norms(joined, kind, logs, new, todo)
        made[kind] = norms
    return made
