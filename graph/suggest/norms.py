"""Every row's term and phrase norms for the bounds of ``suggest FROM`` (``suggest.bounds``), kept in the index
folder for the generation and the weights they were worked out from.

A row's norm depends on the IDF of the whole data set, so it cannot be joined once with the rows: after a one-file
edit the weights of every term the edit changes (and, with the count of texts, of all) differ. The norms are kept in
their own file (``suggest.arrayfile``: numbers only, every byte checked) named by a digest of the generation and of
the weights; any other file, or a damaged one, is worked out again (and kept, when the folder can be written).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .arrayfile import read_file, write_file
from .joined import Combined

if TYPE_CHECKING:
    from .everywhere import IndexedCorpus

NORMS = "norms.arrays"  # in the index folder
BLOCK_ROWS = 4096  # rows worked on at a time (the norms, the bounds' dense block): small arrays


def row_norms(joined: Combined, name: str, logs: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """The norms of every row's values of one kind of entry ("term", "phrase"): each row's squares added in another
    order than ``vector``'s (``reduceat``; covered by ``ArrayBounds._MARGIN``), a block of rows at a time."""
    rows_total = len(joined["row_item"])
    ptr, ids, counts = joined[f"{name}_ptr"], joined[f"{name}_ids"], joined[f"{name}_counts"]
    sizes = np.diff(ptr)
    norms = np.zeros(rows_total)
    step = max(1, min(rows_total, BLOCK_ROWS))
    for first in range(0, rows_total, step):
        last = min(first + step, rows_total)
        low, high = int(ptr[first]), int(ptr[last])
        if high > low:
            weights = logs[counts[low:high]]
            weights *= idf[ids[low:high]]
            weights *= weights
            squares = np.add.reduceat(weights, np.minimum(ptr[first:last] - low, high - low - 1))
            norms[first:last] = np.sqrt(np.where(sizes[first:last] > 0, squares, 0.0))
    return norms


def kept_norms(corpus: IndexedCorpus, logs: np.ndarray) -> dict[str, np.ndarray]:
    """Every row's term and phrase norms (``row_norms``), kept in the index folder (``NORMS``) for the generation
    and the weights they were worked out from: they depend on the IDF of the whole data set, so a file kept for
    another generation or other weights, or damaged (``suggest.arrayfile`` checks every byte), is made again."""
    joined = corpus.joined
    weights = {"term": corpus.term_idf, "phrase": corpus.phrase_weight}
    digest = hashlib.sha256(str(joined["key"][0]).encode())
    for values in (logs, *weights.values()):
        digest.update(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    key, rows = digest.hexdigest(), len(joined["row_item"])
    folder: Path | None = getattr(corpus, "folder", None)
    found = read_file(folder / NORMS) if folder is not None else None
    if found is not None and found.meta.get("norms") == key and set(found.arrays) == set(weights):
        kept = found.arrays
        if all(array.dtype == np.float64 and len(array) == rows for array in kept.values()):
            if all(bool(np.all(array >= 0.0)) for array in kept.values()):  # and no NaN
                return kept
    made = {name: row_norms(joined, name, logs, idf) for name, idf in weights.items()}
    if folder is not None:
        write_file(folder / NORMS, made, {"norms": key})  # not kept (read-only, full): worked out next time
    return made
