"""The products behind the bounds of ``suggest FROM`` (``suggest.bounds``): every source row's TF-IDF or phrase
vector against every row at once (a dense block multiplied with BLAS for the ids many rows and sources share, the
postings of the others), and the entity overlaps; as float32, with the margins ``products`` proves.
"""

from __future__ import annotations

import itertools

import numpy as np

from .joined import Combined

BLOCK_ROWS = 4096  # rows worked on at a time (the rows' norms, the dense block): small arrays


BOUND = np.float32  # the bounds' dtype (see ``ArrayBounds._ROUNDING``)


def products(
    joined: Combined,
    name: str,
    logs: np.ndarray,
    idf: np.ndarray,
    places: np.ndarray,
    dense: int,
    norms: np.ndarray,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Upper bounds of the cosines of some rows (``places``, one per source; -1: none) with every row, for one kind
    of entry ("term", "phrase"): an array by source, then by row (``norms``: the rows' norms, ``norms.row_norms``).

    A row's entries weigh ``logs[count] * idf[id]`` divided by the row's norm (``vector``): the products of a
    source's values with a row's weights are added, then divided by the row's norm. The ids that many rows and
    sources share make a dense block (ids by rows, float32) multiplied at once (``@``); the others' products are
    added from their postings (float64). Why the result is at least the cosine ``score`` gives:
    - the exact sum X of the products of the float64 values is what both approximate. Here the norms are summed
      in another order (``reduceat``) and the rare ids' products added in another order: each within a relative
      1e-11 of X's terms and sums (under 10^5 entries a row, 2^-53 each), covered by ``ArrayBounds._MARGIN``, as
      is the cosine ``score`` adds in float64. A norm scaled down from an earlier generation's (``norms``) is at
      most the true one but for its roundings (3 a step, at most 1000 steps: under 10^-12);
    - the dense block: each value rounded to float32 is within a factor (1 ± u) of the float64 one, u = 2^-24, and
      a sum of K products in any order (BLAS's, with or without fused multiply-adds) is within γ_K = Ku / (1 - Ku)
      of the exact sum of the rounded products, all being >= 0 (Higham, Accuracy and Stability of Numerical
      Algorithms, §3.1). So the float32 result F >= (1 - γ_K)(1 - u)^2 X >= (1 - 2(K + 1)u) X, and
      X <= F (1 + 4(K + 1)u) while 2(K + 1)u <= 1/2. No product is 0 by underflow nor overflows: the weights are
      between 1 (an IDF of at least 1 for terms, log 10 for the phrases kept) and 10^3, the sources' values over
      10^-5 (a weight over a norm under 10^5); a row sharing an id with the source has a bound > 0 (what the
      sentence signal's bound tests);
    - the rows of the plans changed since the base generation (not in ``Combined.kept_rows``) have their products
      added from their entries in plan order, in float64 like the rare ids';
    - the result is kept as float32 (``BOUND``, as are the entity signal and the bounds ``_work_out`` adds up).
      Every value is >= 0, and each rounding to float32 (to nearest) of a value worked out in float64 (or of a
      product or sum of float32 values) is at least (1 - u) times it; a weight rounded to float32 is too. On its
      way to a bound each signal is rounded at most 8 times (here: the dense block's margin, the rare ids' sum
      added, the division by the norms; then its weight and the product with it, and at most three additions),
      so a bound B32 >= (1 - u)^8 B64 >= (1 - 8u) B64, B64 being the bound worked out in float64 throughout.
      ``ranked`` adds ``ArrayBounds._ROUNDING`` R = 10^-6 (in float64): B32 (1 + R) + R >= B64 (1 - 8u)(1 + R) + R
      >= B64 (1 + 5 10^-7) + R, which covers ``_MARGIN`` (10^-9, relative and absolute) with room to spare.
    """
    rows_total = len(joined["row_item"])
    ptr, ids, counts = joined[f"{name}_ptr"], joined[f"{name}_ids"], joined[f"{name}_counts"]
    sizes = np.diff(ptr)
    # the sources' entries: (source, id, value), the values 0 left out
    known = places >= 0
    at = ranges(ptr[places[known]], sizes[places[known]])
    source_of = np.repeat(np.nonzero(known)[0], sizes[places[known]])
    source_ids = ids[at]
    source_values = logs[counts[at]] * idf[source_ids]
    mine = np.sqrt(np.bincount(source_of, weights=source_values * source_values, minlength=len(places)))
    source_values /= np.where(mine > 0.0, mine, 1.0)[source_of]
    keep = source_values != 0.0
    source_of, source_ids, source_values = source_of[keep], source_ids[keep], source_values[keep]
    # the rows the entries by id number (the base's, when some plans' rows are new: ``Combined.kept_rows``)
    kept, posted = joined.kept_rows, joined.posted_rows
    in_place = kept is None or (posted == rows_total and bool(np.all(kept[:, 0] == kept[:, 2])))
    out = zeros(out, (len(places), rows_total), BOUND)
    by_id = out if in_place else np.zeros((len(places), posted), dtype=BOUND)
    _posted_products(joined, name, logs, idf, (source_of, source_ids, source_values), dense, by_id)
    if kept is not None:
        if not in_place:
            for start, end, first in kept.tolist():
                out[:, first : first + end - start] = by_id[:, start:end]
        # the rows not kept (the changed plans'): from their entries in plan order
        ends = (kept[:, 2] + kept[:, 1] - kept[:, 0]).tolist()
        for low, high in zip([0, *ends], [*kept[:, 2].tolist(), rows_total], strict=True):
            if high > low:
                out[:, low:high] = _row_products(
                    joined, name, logs, idf, (source_of, source_ids, source_values), low, high, len(places)
                )
    out /= np.where(norms > 0.0, norms, 1.0)
    return out


def _posted_products(
    joined: Combined,
    name: str,
    logs: np.ndarray,
    idf: np.ndarray,
    sources: tuple[np.ndarray, np.ndarray, np.ndarray],
    dense: int,
    out: np.ndarray,
) -> None:
    """The products of the sources' entries (source, id, value) with every row's weights, added to ``out`` (by
    source, then by row as the entries by id number them), from the entries by id (``products``)."""
    source_of, source_ids, source_values = sources
    places, rows_total = out.shape
    # each id's range of the entries sorted by id; an id goes in the dense block if its postings times its
    # sources are many
    sorted_ids = joined[f"{name}_sorted_ids"]
    starts = np.searchsorted(sorted_ids, np.arange(len(idf) + 1, dtype=sorted_ids.dtype))
    sharing = np.bincount(source_ids, minlength=len(idf))
    common = np.nonzero(sharing * np.diff(starts) > dense)[0]
    column = np.full(len(idf), -1, dtype=np.int64)
    column[common] = np.arange(len(common))
    values = np.zeros((places, len(common)), dtype=np.float32)
    wanted = column[source_ids] >= 0
    values[source_of[wanted], column[source_ids[wanted]]] = source_values[wanted]
    step = max(1, min(rows_total, BLOCK_ROWS))
    # the dense ids' entries (from those sorted by id, then by row), a block of rows at a time: each id's entries in
    # a block are a range of its own (its rows are sorted)
    sorted_rows, sorted_counts = joined[f"{name}_sorted_rows"], joined[f"{name}_sorted_counts"]
    edges = np.arange(0, rows_total + step, step).clip(max=rows_total)
    bounds = np.array(
        [
            start + np.searchsorted(sorted_rows[start:end], edges)
            for start, end in zip(starts[common].tolist(), starts[common + 1].tolist(), strict=True)
        ],
        dtype=np.int64,
    ).reshape(len(common), len(edges))
    block = np.zeros((len(common), step), dtype=np.float32)
    for number in range(len(edges) - 1):
        first, last = int(edges[number]), int(edges[number + 1])
        lengths = bounds[:, number + 1] - bounds[:, number]
        found = ranges(bounds[:, number], lengths)
        if len(found):
            cells = np.repeat(np.arange(len(common)) * step - first, lengths)
            cells += sorted_rows[found]
            weights = logs[sorted_counts[found]]
            weights *= np.repeat(idf[common], lengths)
            block.ravel()[cells] = weights
            out[:, first:last] += values @ block[:, : last - first]
            block.ravel()[cells] = 0.0
    out *= 1.0 + 4 * (len(common) + 1) * 2.0**-24
    # the other ids' products from their postings, source by source (their entries come in order)
    rare = np.nonzero(~wanted)[0]
    by_source = np.r_[0, np.cumsum(np.bincount(source_of[rare], minlength=places))].tolist()
    rare_ids, rare_values = source_ids[rare], source_values[rare]
    used = distinct(rare_ids)
    spans = starts[used + 1] - starts[used]
    at = ranges(starts[used], spans)
    rows = sorted_rows[at]
    weights = logs[sorted_counts[at]]
    weights *= np.repeat(idf[used], spans)
    offset = np.zeros(len(idf), dtype=np.int64)
    offset[used] = np.r_[0, np.cumsum(spans)[:-1]]
    for number, (start, end) in enumerate(itertools.pairwise(by_source)):
        if end > start:
            span = starts[rare_ids[start:end] + 1] - starts[rare_ids[start:end]]
            pairs = ranges(offset[rare_ids[start:end]], span)
            products = np.repeat(rare_values[start:end], span)
            products *= weights[pairs]
            out[number] += np.bincount(rows[pairs], weights=products, minlength=rows_total)


def _row_products(
    joined: Combined,
    name: str,
    logs: np.ndarray,
    idf: np.ndarray,
    sources: tuple[np.ndarray, np.ndarray, np.ndarray],
    low: int,
    high: int,
    places: int,
) -> np.ndarray:
    """The products of the sources' entries (source, id, value) with the weights of the rows ``low:high``, from
    their entries in plan order (added in float64, as the rare ids' in ``_posted_products``): by source, then row."""
    source_of, source_ids, source_values = sources
    ptr = joined[f"{name}_ptr"]
    first, last = int(ptr[low]), int(ptr[high])
    ids = joined[f"{name}_ids"][first:last].astype(np.int64)
    row_of = np.repeat(np.arange(high - low), np.diff(ptr[low : high + 1]))
    order = np.argsort(ids, kind="stable")
    ids, row_of = ids[order], row_of[order]
    weights = logs[joined[f"{name}_counts"][first:last][order]] * idf[ids]
    lo, hi = np.searchsorted(ids, source_ids, side="left"), np.searchsorted(ids, source_ids, side="right")
    pairs = ranges(lo, hi - lo)
    products = np.repeat(source_values, hi - lo) * weights[pairs]
    cells = np.repeat(source_of * (high - low), hi - lo) + row_of[pairs]
    return np.bincount(cells, weights=products, minlength=places * (high - low)).reshape(places, high - low)


def entity_overlaps(
    joined: Combined, weight: np.ndarray, places: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """``weighted_overlap`` of some rows' entities (``places``, one per source; -1: none) with every row's: an
    array by source, then by row, the sums added in another order (covered by ``ArrayBounds._MARGIN``)."""
    rows_total = len(joined["row_item"])
    ptr, ids = joined["entity_ptr"], joined["entity_ids"]
    sizes = np.diff(ptr)
    squares = weight[ids] ** 2
    row_of = np.repeat(np.arange(rows_total), sizes)
    own_rows = np.bincount(row_of, weights=squares, minlength=rows_total)
    known = places >= 0
    at = ranges(ptr[places[known]], sizes[places[known]])
    source_of = np.repeat(np.nonzero(known)[0], sizes[places[known]])
    keep = squares[at] > 0.0
    source_of, source_ids, source_squares = source_of[keep], ids[at][keep], squares[at][keep]
    if not len(source_ids):
        return zeros(out, (len(places), rows_total), BOUND)
    own = np.bincount(source_of, weights=source_squares, minlength=len(places))
    # the rows having each entity
    order = np.argsort(ids.astype(np.uint16) if len(ids) and ids.max() < 1 << 16 else ids, kind="stable")
    having = row_of[order]
    starts = np.r_[0, np.cumsum(np.bincount(ids, minlength=len(weight)))]
    lengths = starts[source_ids + 1] - starts[source_ids]
    out = zeros(out, (len(places), rows_total), BOUND)
    # source by source (their entries come in order): small arrays
    by_source = np.r_[0, np.cumsum(np.bincount(source_of, minlength=len(places)))].tolist()
    for number, (start, end) in enumerate(itertools.pairwise(by_source)):
        if end > start:
            at = ranges(starts[source_ids[start:end]], lengths[start:end])
            shared = out[number]
            shared += np.bincount(
                having[at], weights=np.repeat(source_squares[start:end], lengths[start:end]), minlength=rows_total
            )
            found = np.nonzero(shared)[0]
            shared[found] = shared[found] / np.sqrt(own[number] * own_rows[found])
    return out


def zeros(out: np.ndarray | None, shape: tuple[int, int], dtype: type = np.float64) -> np.ndarray:
    """An array of 0.0 of that shape: ``out`` (of that shape) emptied, or a new one (of ``dtype``)."""
    if out is None:
        return np.zeros(shape, dtype=dtype)
    out.fill(0.0)
    return out


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an array of integers: ``np.unique``'s, without the import of ``numpy.ma`` its
    first call makes (7 ms of a process)."""
    found = np.sort(values)
    return found[np.r_[True, found[1:] != found[:-1]]] if len(found) > 1 else found


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions of some ranges (their starts and lengths), one after the other: steps of 1, and at each
    range's first position the jump from the last range's end, added up (one array, no per-range work)."""
    ends = np.cumsum(lengths)
    out = np.ones(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
    if len(out):
        having = np.nonzero(lengths)[0]
        first, last = starts[having], starts[having] + lengths[having] - 1
        out[0] = first[0]
        out[(ends[having] - lengths[having])[1:]] = first[1:] - last[:-1]
        np.cumsum(out, out=out)
    return out
