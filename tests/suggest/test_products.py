"""The products behind the bounds (graph.suggest.products): never below the exact cosines, also when the entries by
id are a base generation's and some plans' rows are new, and the ranges' positions."""

import math

import numpy as np
import pytest

from crossplan.graph.suggest import norms, products
from crossplan.graph.suggest.bounds import ArrayBounds
from crossplan.graph.suggest.corpus import cosine, vector
from crossplan.graph.suggest.joined import Combined


def random_rows(generator, rows, vocabulary, kind="term"):
    """Random joined arrays of one kind of entry (each row's ids distinct, some rows empty), as ``Combined``
    keeps them: by row and sorted by id."""
    sizes = generator.integers(0, 40, rows)
    sizes[generator.random(rows) < 0.1] = 0
    ids = np.concatenate([generator.choice(np.arange(1, vocabulary), size, replace=False) for size in sizes])
    ids = ids.astype(np.int32)
    counts = generator.integers(1, 6, len(ids)).astype(np.int32)
    row_of = np.repeat(np.arange(rows), sizes)
    order = np.argsort(ids, kind="stable")
    return Combined(
        {
            "row_item": np.arange(rows, dtype=np.int32),
            f"{kind}_ptr": np.r_[0, np.cumsum(sizes)].astype(np.int64),
            f"{kind}_ids": ids,
            f"{kind}_counts": counts,
            f"{kind}_sorted_ids": ids[order],
            f"{kind}_sorted_rows": row_of[order].astype(np.int32),
            f"{kind}_sorted_counts": counts[order],
        }
    )


def patched_rows(generator, rows, vocabulary, replaced, grown):
    """Random joined arrays as a delta on a base leaves them (``Combined.kept_rows``): the rows in plan order are
    the base's but for ``replaced`` of them (a range in the middle, and the last ones) put in ``grown`` more rows
    each; the entries by id stay the base's."""
    base = random_rows(generator, rows, vocabulary)
    first, later = rows // 3, rows - replaced
    fresh = [random_rows(generator, replaced + grown, vocabulary) for _ in range(2)]
    pieces = [
        (base, 0, first),
        (fresh[0], 0, replaced + grown),
        (base, first + replaced, later),
        (fresh[1], 0, replaced + grown),
    ]
    sizes = np.concatenate([np.diff(part["term_ptr"])[low:high] for part, low, high in pieces])
    ids = np.concatenate(
        [part["term_ids"][part["term_ptr"][low] : part["term_ptr"][high]] for part, low, high in pieces]
    )
    counts = np.concatenate(
        [part["term_counts"][part["term_ptr"][low] : part["term_ptr"][high]] for part, low, high in pieces]
    )
    arrays = {name: base[name] for name in ("term_sorted_ids", "term_sorted_rows", "term_sorted_counts")}
    arrays |= {
        "row_item": np.arange(len(sizes), dtype=np.int32),
        "term_ptr": np.r_[0, np.cumsum(sizes)].astype(np.int64),
        "term_ids": ids,
        "term_counts": counts,
    }
    kept = np.array([[0, first, 0], [first + replaced, later, first + replaced + grown]], dtype=np.int64)
    return Combined(arrays, posted_rows=rows, kept_rows=kept)


@pytest.mark.parametrize("dense", [0, 200, 10**9])  # every id in the dense block, some, none
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("block", [4096, 64])  # the rows at once, or in blocks (the last one shorter)
@pytest.mark.parametrize("patched", [None, 0, 7, -5])  # joined afresh; a delta's rows: as many, more, fewer
def test_the_products_bound_the_exact_cosines(seed, dense, block, patched, monkeypatch):
    """``products`` (float32 blocks, sums in other orders) with the bounds' margin is never below the cosine of
    the vectors ``vector`` makes, and at most the float32 margin above it; also when the entries by id are a base
    generation's and some rows new (a delta)."""
    monkeypatch.setattr(products, "BLOCK_ROWS", block)  # the dense block's rows
    monkeypatch.setattr(norms, "BLOCK_ROWS", block)  # the rows' norms
    generator = np.random.default_rng(seed)
    rows, vocabulary = 300, 120
    if patched is None:
        joined = random_rows(generator, rows, vocabulary)
    else:
        joined = patched_rows(generator, rows, vocabulary, 20, patched)
        rows = len(joined["row_item"])
    idf = np.r_[0.0, 1.0 + 6.0 * generator.random(vocabulary - 1)]
    idf[generator.random(vocabulary) < 0.05] = 0.0  # terms no longer weighed
    logs = np.array([0.0] + [1.0 + math.log(count) for count in range(1, 6)])
    places = np.r_[generator.choice(rows, 12, replace=False), -1]
    found = products.products(joined, "term", logs, idf, places, dense, norms.row_norms(joined, "term", logs, idf))
    ptr, ids, counts = joined["term_ptr"], joined["term_ids"], joined["term_counts"]
    weights = {str(id_): float(idf[id_]) for id_ in range(vocabulary) if idf[id_]}

    def vector_of(row):
        start, end = ptr[row], ptr[row + 1]
        return vector({str(i): int(c) for i, c in zip(ids[start:end], counts[start:end], strict=True)}, weights)

    vectors = [vector_of(row) for row in range(rows)]
    for number, place in enumerate(places.tolist()):
        mine = vectors[place] if place >= 0 else {}
        exact = np.array([cosine(mine, theirs) for theirs in vectors], dtype=np.float64)
        # what the bounds add for the float32 they are kept as and the sums in other orders
        margin = ArrayBounds._ROUNDING
        assert found.dtype == np.float32
        assert np.all(exact <= found[number].astype(np.float64) * (1 + margin) + margin)
        assert np.all(found[number] <= exact * (1 + 1e-3) + 1e-12)
        assert np.array_equal(found[number] > 0.0, exact > 0.0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_ranges_are_the_positions_of_each_range_in_turn(seed):
    """``ranges`` lists each range's positions one range after the other, empty ranges (first, last, all) too."""
    generator = np.random.default_rng(seed)
    starts = generator.integers(0, 1000, 50)
    lengths = generator.integers(0, 5, 50)
    lengths[[0, -1]] = 0
    for chosen in (slice(None), slice(0, 1), slice(3, 3), slice(10, 20)):
        expected = [
            position
            for start, length in zip(starts[chosen], lengths[chosen], strict=True)
            for position in range(start, start + length)
        ]
        assert products.ranges(starts[chosen], lengths[chosen]).tolist() == expected
    assert products.ranges(starts, np.zeros(50, dtype=np.int64)).tolist() == []


@pytest.mark.parametrize("size", [0, 1, 2, 50, 5000])
def test_the_distinct_values_are_those_of_numpy_unique(size):
    values = np.random.default_rng(size).integers(-20, 40, size)
    found = products.distinct(values)
    assert found.tolist() == sorted(set(values.tolist())) and found.dtype == values.dtype
