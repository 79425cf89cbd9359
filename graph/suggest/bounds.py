"""Upper bounds of a source item's score against every target at once, and the exact scores of the targets they
cannot leave out, from the index's arrays (numpy over the rows: TF-IDF and phrase dot products, the best sentence
cosine and the entity overlap). ``suggest FROM`` (``similar._rank``) orders the targets by bound and scores them in
that order until no unscored target can change what is kept.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, overload

import numpy as np

from .joined import Combined, keep_norms, kept_norms, norms_key

if TYPE_CHECKING:
    from .corpus import Item
    from .everywhere import IndexedCorpus


class ArrayBounds:
    """Upper bounds of one source item's score against every target, from the rows (numpy, every target at once)."""

    _MARGIN = 1e-9

    def __init__(
        self, corpus: IndexedCorpus, targets: list[Item], weights: dict[str, float], sources: list[Item] | None = None
    ) -> None:
        """Bounds against ``targets`` for the items of ``sources``' plans (by default, every plan's items)."""
        self.corpus = corpus
        self.weights = weights
        self.size = len(targets)
        position = {item.id: number for number, item in enumerate(targets)}
        joined = corpus.joined
        rows_total = len(joined["row_item"])
        # every row's target position (-1: not a target), and each target's row
        numbers = np.array([corpus.item_number.get(item.id, -1) for item in targets], dtype=np.int64)
        self.target_rows = np.where(numbers >= 0, corpus.row_number[numbers], -1)
        self.rows_total = rows_total
        # the vectors' values are the very floats ``vector`` makes: the same products (``math.log`` of each count,
        # the IDF as Python works it out), each norm summed in the same order (``bincount`` adds one by one)
        largest = max(int(joined[name].max(initial=0)) for name in ("term_counts", "phrase_counts", "words_counts"))
        self.logs = np.array([0.0] + [1.0 + math.log(count) for count in range(1, largest + 1)])
        self.vectors: dict[str, tuple[np.ndarray, ...]] = {}
        self.postings: dict[str, _Postings] = {}
        # the rows' norms depend on the rows and the weights only: kept once worked out (``joined.kept_norms``)
        key = norms_key(str(joined["key"][0]), corpus.term_idf, corpus.phrase_weight, self.logs)
        kept = kept_norms(corpus.folder, key, rows_total)
        made: dict[str, np.ndarray] = {}
        for name, idf in (("term", corpus.term_idf), ("phrase", corpus.phrase_weight)):
            ptr, ids = joined[f"{name}_ptr"], joined[f"{name}_ids"]
            sizes = np.diff(ptr)
            if kept is not None:
                norms = kept[name]
            else:
                rows = np.repeat(np.arange(rows_total), sizes)
                raw = self.logs[joined[f"{name}_counts"]] * idf[ids]
                norms = made[name] = np.sqrt(np.bincount(rows, weights=raw * raw, minlength=rows_total))
            self.postings[name] = _Postings.ordered(joined, name, self.logs, idf, norms)
            # by row: where its entries start, how many; their values are made for the rows scored (``cosines``)
            divisors = np.where(norms > 0.0, norms, 1.0)
            self.vectors[name] = (ptr[:-1], sizes, ids, joined[f"{name}_counts"], idf, divisors)
        if kept is None:
            keep_norms(corpus.folder, key, made)
        # every sentence's terms, to match the sentences of the targets scored (``matches``)
        self.words_ptr, self.matchable = joined["words_ptr"], joined["matchable"]
        self.words_ids = joined["words_ids"]
        self.words_counts = joined["words_counts"]
        self.positions = position
        # entities: the rows having each, and each row's sum of squared weights
        e_ptr = joined["entity_ptr"]
        self.e_row = np.repeat(np.arange(rows_total), np.diff(e_ptr))
        self.e_id = joined["entity_ids"]
        squares = corpus.entity_weight[self.e_id] ** 2
        self.entity_squares = np.bincount(self.e_row, weights=squares, minlength=rows_total)
        order = np.argsort(self.e_id, kind="stable")
        self.entity_rows, self.entity_keys = self.e_row[order], self.e_id[order]
        self.bound = np.zeros(0)
        self.term_ids = {name: id_ for id_, name in corpus.term_names.items()}
        self.phrase_ids = {name: id_ for id_, name in corpus.phrase_names.items()}
        self.entity_ids = {name: id_ for id_, name in corpus.entity_names_of.items()}
        self._squares_of: tuple[str, float] = ("", 0.0)
        self._entities_of: dict[str, tuple[set[str], float]] = {}
        self._entries_of: tuple[str, tuple[list[int], list[int], list[int], list[float]]] = ("", ([], [], [], []))

    def ranked(self, source: Item, _best: object = None) -> _Order:
        """The targets that may score above 0, highest bound first (``self.bound`` holds the bounds)."""
        text = self.postings["term"].dot(source.vector, self.term_ids)
        phrases = self.postings["phrase"].dot(source.phrase_vector, self.phrase_ids)
        # a target's best sentence matches one of the source's at most fully, and only if they share a term
        sentence = (text > 0.0).astype(np.float64)
        shared = np.zeros(self.rows_total)
        own = 0.0
        for entity in sorted(source.entities):
            weight = self.corpus.entity_idf.get(entity, 0.0) ** 2
            own += weight
            id_ = self.entity_ids.get(entity)
            if id_ is None or weight == 0.0:
                continue
            start, end = np.searchsorted(self.entity_keys, [id_, id_ + 1])
            shared[self.entity_rows[start:end]] += weight
        entities = np.zeros(self.rows_total)
        if own > 0.0:
            having = np.nonzero(shared > 0.0)[0]
            entities[having] = shared[having] / np.sqrt(own * self.entity_squares[having])
        bound = (
            self.weights["text"] * text
            + self.weights["sentence"] * sentence
            + self.weights["entities"] * entities
            + self.weights["phrases"] * phrases
        )
        rows = self.target_rows
        bound = np.where(rows >= 0, bound[rows], 0.0)  # by target
        self.bound = bound * (1 + self._MARGIN) + self._MARGIN
        return _Order(bound)

    def matches(self, source: Item, numbers: Iterable[int]) -> dict[int, tuple[float, int]]:
        """Map some sentences to their best cosine with a sentence of the source, and the number of that sentence:
        exactly what ``_SentenceIndex`` finds (the sentences' vectors are the floats ``vector`` makes: the same
        products, each norm summed in the same order, as ``bincount`` adds its weights one by one)."""
        wanted = np.array(sorted(set(numbers)), dtype=np.int64)
        if not len(wanted):
            return {}
        starts, ends = self.words_ptr[wanted], self.words_ptr[wanted + 1]
        lengths = ends - starts
        at = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(int(lengths.sum()))
        local = np.repeat(np.arange(len(wanted)), lengths)
        # 0 for the words of a sentence too short to be matched: it weighs nothing
        ids = np.where(np.repeat(self.matchable[wanted], lengths) == 1, self.words_ids[at], 0)
        values = self.logs[self.words_counts[at]] * self.corpus.term_idf[ids]
        postings = _Postings(local, ids, _unit(local, values, len(wanted)), len(wanted))
        # every source sentence against every wanted one at once: each pair's products are added in the order of
        # the source sentence's terms (``bincount`` adds one by one, and the entries come in that order)
        lefts, entry_left, entry_ids, entry_values = self._source_entries(source)
        if not entry_ids:
            return {}
        first = np.searchsorted(postings.ids, entry_ids)
        lengths = np.searchsorted(postings.ids, entry_ids, side="right") - first
        at = np.repeat(first - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(int(lengths.sum()))
        owner = np.repeat(np.arange(len(entry_ids)), lengths)
        size = len(wanted)
        keys = np.array(entry_left, dtype=np.int64)[owner] * size + postings.rows[at]
        products = np.array(entry_values)[owner] * postings.values[at]
        scores = np.bincount(keys, weights=products, minlength=len(lefts) * size).reshape(len(lefts), size)
        # the best of each, the first source sentence giving it (as a loop keeping only better ones would)
        best, which = scores.max(axis=0), scores.argmax(axis=0)
        matched = np.nonzero(best > 0.0)[0]
        return {
            number: (similarity, lefts[left])
            for number, similarity, left in zip(
                wanted[matched].tolist(), best[matched].tolist(), which[matched].tolist(), strict=True
            )
        }

    def _source_entries(self, source: Item) -> tuple[list[int], list[int], list[int], list[float]]:
        """The source's sentences that have a vector, and their entries (sentence, term id, value) in order: made
        once per source (its chunks of targets all ask)."""
        if self._entries_of[0] == source.id:
            return self._entries_of[1]
        lefts: list[int] = []
        entry_left: list[int] = []
        entry_ids: list[int] = []
        entry_values: list[float] = []
        for left in source.sentences:
            found = self.corpus.sentence_vector(source, left)
            known = [(self.term_ids[term], value) for term, value in found.items() if term in self.term_ids]
            if found:
                entry_left += [len(lefts)] * len(known)
                entry_ids += [id_ for id_, _ in known]
                entry_values += [value for _, value in known]
                lefts.append(left)
        self._entries_of = (source.id, (lefts, entry_left, entry_ids, entry_values))
        return self._entries_of[1]

    def _overlap(self, source: Item, target: Item) -> float:
        """``weighted_overlap`` of the source's and a target's entities: the same sums (in sorted order), each set's
        own worked out once (per source, per target)."""
        weights = self.corpus.entity_idf
        if self._squares_of[0] != source.id:
            self._squares_of = (source.id, _squares(source.entities, weights))
        theirs = self._entities_of.get(target.id)
        if theirs is None:
            members = self.corpus.entities_of(target)
            theirs = self._entities_of[target.id] = (members, _squares(members, weights))
        shared = _squares(source.entities & theirs[0], weights)
        return shared / math.sqrt(self._squares_of[1] * theirs[1]) if shared else 0.0

    def cosines(self, source: Item, targets: list[Item], name: str) -> list[float]:
        """The text (``name`` "term") or phrase ("phrase") cosine of the source with some targets: exactly what
        ``cosine`` gives for their vectors (the same products added in the same order, over the shorter vector)."""
        mine = source.vector if name == "term" else source.phrase_vector
        length = len(mine)
        ids_of = self.term_ids if name == "term" else self.phrase_ids
        first, sizes, ids, counts, idf, divisors = self.vectors[name]
        keys = [ids_of[term] for term in mine if term in ids_of]
        if len(keys) != len(mine):  # a term the arrays do not know: no target has it
            mine = {term: value for term, value in mine.items() if term in ids_of}
        size = len(self.corpus.term_idf)
        dense, order = np.zeros(size), np.full(size, -1, dtype=np.int64)
        dense[keys] = list(mine.values())
        order[keys] = np.arange(len(keys))
        place = np.array([self.corpus.row_of(target.id) for target in targets], dtype=np.int64)
        lengths = sizes[place]
        at = np.repeat(first[place] - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(int(lengths.sum()))
        owner = np.repeat(np.arange(len(targets)), lengths)
        # the rows' unit values, as ``_unit`` makes them (the same product divided by the same norm)
        values = (self.logs[counts[at]] * idf[ids[at]]) / divisors[place[owner]]
        weighing = np.bincount(owner, weights=values != 0.0, minlength=len(targets)).astype(np.int64)
        products = values * dense[ids[at]]
        # over the target's vector, in its order (the other's missing terms add 0.0)
        theirs = np.bincount(owner, weights=products, minlength=len(targets))
        # over the source's vector, in its order: the shared terms, by target, in the source's order
        shared = np.nonzero((order[ids[at]] >= 0) & (values != 0.0))[0]
        by = np.lexsort((order[ids[at]][shared], owner[shared]))
        ours = np.bincount(owner[shared][by], weights=products[shared][by], minlength=len(targets))
        out: list[float] = []  # (or the int 0)
        for number, count in enumerate(weighing.tolist()):
            if min(count, length) == 0:
                out.append(0)  # ``sum`` of nothing: the int 0, as ``cosine`` gives
            else:
                out.append(float(theirs[number] if count < length else ours[number]))
        return out

    def score(
        self, source: Item, targets: list[Item]
    ) -> list[tuple[Item, float, dict[str, float], int | None, int | None]]:
        """``score_pair`` of the source with some targets (target, score, signals, left and right sentence), their
        cosines and best sentences computed from the arrays: the same floats, without making their vectors."""
        corpus = self.corpus
        sentences = {target.id: corpus.sentences_of(target) for target in targets}
        best_sentences = self.matches(source, (number for found in sentences.values() for number in found))
        texts = self.cosines(source, targets, "term")
        phrases = self.cosines(source, targets, "phrase")
        out = []
        for target, text, phrase in zip(targets, texts, phrases, strict=True):
            sentence = 0.0
            left: int | None = None
            right: int | None = None
            for number in sentences[target.id]:
                similarity, match = best_sentences.get(number, (0.0, -1))
                if similarity > sentence:
                    sentence, left, right = similarity, match, number
            signals = {
                "text": text,
                "sentence": sentence,
                "entities": self._overlap(source, target),
                "phrases": phrase,
            }
            score = sum(self.weights[name] * value for name, value in signals.items())
            out.append((target, score, signals, left, right))
        return out


class _Order:
    """The targets of bound above 0, highest bound first, then by position: sorted as far as they are read (the
    first ones usually suffice), the same order as sorting them all."""

    _FIRST = 256

    def __init__(self, bound: np.ndarray) -> None:
        self.bound = bound
        self.touched = np.nonzero(bound > 0.0)[0]
        self.sorted: list[int] = []
        self.complete = False
        if len(self.touched) > self._FIRST:
            # every target whose bound is at least the FIRST-th highest: the start of the whole order
            least = -np.partition(-bound[self.touched], self._FIRST - 1)[self._FIRST - 1]
            self._sort(self.touched[bound[self.touched] >= least])
        else:
            self._sort(self.touched)
            self.complete = True

    def _sort(self, found: np.ndarray) -> None:
        self.sorted = found[np.lexsort((found, -self.bound[found]))].tolist()

    def __len__(self) -> int:
        return len(self.touched)

    def _reach(self, end: int) -> None:
        if end > len(self.sorted) and not self.complete:
            self._sort(self.touched)
            self.complete = True

    @overload
    def __getitem__(self, at: int) -> int: ...

    @overload
    def __getitem__(self, at: slice) -> list[int]: ...

    def __getitem__(self, at: int | slice) -> int | list[int]:
        if isinstance(at, slice):
            self._reach(len(self.touched) if at.stop is None or at.stop < 0 else at.stop)
        else:
            self._reach(len(self.touched) if at < 0 else at + 1)
        return self.sorted[at]


def _squares(members: set[str], weights: dict[str, float]) -> float:
    """The sum of a set's squared weights, in sorted order (as ``weighted_overlap`` sums them)."""
    return sum(weights.get(m, 0.0) ** 2 for m in sorted(members))


def _unit(rows: np.ndarray, values: np.ndarray, size: int, norms: np.ndarray | None = None) -> np.ndarray:
    """Values divided by the norm of their row (summed in order, one by one, as ``vector`` sums them; or given)."""
    if norms is None:
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=size))
    # a row of norm 0 has only values 0: divided by 1, they stay 0
    return values / np.where(norms > 0.0, norms, 1.0)[rows]


class _Postings:
    """A sparse matrix of unit-length rows, by column: the rows having each id, with their values."""

    def __init__(
        self, rows: np.ndarray, ids: np.ndarray, values: np.ndarray, size: int, wanted: np.ndarray | None = None
    ) -> None:
        """Postings of the non-zero values (of the ``wanted`` ids only, a mask by id, when given)."""
        keep = values != 0.0  # what weighs nothing (a phrase too common or too rare, a sentence too short) goes
        if wanted is not None:
            keep &= wanted[ids]
        rows, ids, values = rows[keep], ids[keep], values[keep]
        if len(ids) and ids.max() < 1 << 16:
            order = np.argsort(ids.astype(np.uint16), kind="stable")  # a radix sort
        else:
            order = np.argsort(ids)  # within an id each row comes once: their order does not change a sum
        self.ids, self.rows, self.values = ids[order], rows[order], values[order]
        self.size = size
        self.starts: np.ndarray | None = None
        self.made = np.zeros(0, dtype=bool)
        self.making: tuple[np.ndarray, ...] = ()

    @classmethod
    def ordered(cls, joined: Combined, name: str, logs: np.ndarray, idf: np.ndarray, norms: np.ndarray) -> _Postings:
        """Postings of the joined rows' entries of a kind ("term", "phrase"), from the entries kept in the order of
        their ids, their values made as the rows' (``_unit`` with the rows' norms), with each id's range."""
        postings = cls.__new__(cls)
        ids, rows = joined[f"{name}_sorted_ids"], joined[f"{name}_sorted_rows"]
        # the values are made id by id, for the ids a vector asks for (``_made``); the values 0 stay: adding 0.0
        # changes no sum
        postings.ids, postings.rows, postings.values = ids, rows.astype(np.intp), np.zeros(len(ids))
        postings.size = len(norms)
        postings.starts = np.searchsorted(ids, np.arange(len(idf) + 1))
        postings.made = np.zeros(len(idf), dtype=bool)
        postings.making = (joined[f"{name}_sorted_counts"], logs, idf, np.where(norms > 0.0, norms, 1.0))
        return postings

    def _make(self, wanted: np.ndarray) -> None:
        """Make the values of some ids' postings (as ``_unit`` makes them: the same product divided by the same norm)."""
        new = wanted[~self.made[wanted]]
        if not len(new):
            return
        self.made[new] = True
        assert self.starts is not None
        starts, lengths = self.starts[new], self.starts[new + 1] - self.starts[new]
        at = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(int(lengths.sum()))
        counts, logs, idf, divisors = self.making
        self.values[at] = (logs[counts[at]] * np.repeat(idf[new], lengths)) / divisors[self.rows[at]]

    def dot(self, vector_of: dict[str, float], ids_of: dict[str, int]) -> np.ndarray:
        """The products with a vector (name -> value), each row's added one by one in the vector's order."""
        keys = [(ids_of[name], value) for name, value in vector_of.items() if name in ids_of]
        if not keys:
            return np.zeros(self.size)
        wanted = np.array([key for key, _ in keys], dtype=np.int64)
        if self.starts is not None:  # each id's postings are a slice: taken in turn, as below
            self._make(wanted)
            rows: list[np.ndarray] = []
            weights: list[np.ndarray] = []
            firsts, lasts = self.starts[wanted].tolist(), self.starts[wanted + 1].tolist()
            for (_, value), start, end in zip(keys, firsts, lasts, strict=True):
                if end > start:
                    rows.append(self.rows[start:end])
                    weights.append(value * self.values[start:end])
            if not rows:
                return np.zeros(self.size)
            return np.bincount(np.concatenate(rows), weights=np.concatenate(weights), minlength=self.size)
        starts = np.searchsorted(self.ids, wanted)
        ends = np.searchsorted(self.ids, wanted, side="right")
        lengths = ends - starts
        if not lengths.any():
            return np.zeros(self.size)
        # the postings of each id in turn: ``bincount`` adds its weights to the rows in this order
        at = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(int(lengths.sum()))
        weights = np.repeat(np.array([value for _, value in keys]), lengths) * self.values[at]
        return np.bincount(self.rows[at], weights=weights, minlength=self.size)
