"""Upper bounds of a source item's score against every target at once, and the exact scores of the targets they
cannot leave out, from the index's arrays (numpy over the rows: TF-IDF and phrase dot products, the best sentence
cosine and the entity overlap). ``suggest FROM`` (``similar._rank``) orders the targets by bound and scores them in
that order until no unscored target can change what is kept; of a target's sentences, only those whose own bound may
reach the target's best are matched.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, overload

import numpy as np

from .corpus import SHORTEST_SENTENCE
from .everywhere import ItemList
from .norms import kept_norms
from .products import distinct, entity_overlaps, products, ranges

if TYPE_CHECKING:
    from .corpus import Item
    from .everywhere import IndexedCorpus


class ArrayBounds:
    """Upper bounds of some source items' scores against every target, from the rows (numpy: every source and
    every target at once), and the exact scores of the targets they cannot leave out."""

    _MARGIN = 1e-9
    _ROUNDING = 1e-6  # the bounds are kept as float32: see ``products.products``
    _DENSE = 20_000  # an id whose postings times the sources having it exceed this goes in the dense block

    def __init__(
        self,
        corpus: IndexedCorpus,
        targets: Sequence[Item],
        weights: dict[str, float],
        sources: Sequence[Item] | None = None,
    ) -> None:
        """Bounds against ``targets`` for ``sources`` (worked out for all of them at once; any other source asked
        for is worked out alone)."""
        self.corpus = corpus
        self.weights = weights
        self.size = len(targets)
        joined = corpus.joined
        self.rows_total = len(joined["row_item"])
        # each target's row (-1: none)
        if isinstance(targets, ItemList):  # by number: no item made
            numbers = targets.numbers
        else:
            numbers = np.array([corpus.item_number.get(item.id, -1) for item in targets], dtype=np.int64)
        self.target_rows = np.where(numbers >= 0, corpus.row_number[numbers], -1)
        # the vectors' values are the very floats ``vector`` makes: the same products (``math.log`` of each count,
        # the IDF as Python works it out), each norm summed in the same order (``bincount`` adds one by one)
        largest = max(int(joined[name].max(initial=0)) for name in ("term_counts", "phrase_counts", "words_counts"))
        self.logs = np.array([0.0] + [1.0 + math.log(count) for count in range(1, largest + 1)])
        self.idf = {"term": corpus.term_idf, "phrase": corpus.phrase_weight}
        # every sentence's terms, to match the sentences of the targets scored (``matches``)
        self.words_ptr, self.matchable = joined["words_ptr"], joined["matchable"]
        self.words_ids = joined["words_ids"]
        self.words_counts = joined["words_counts"]
        self.bound = np.zeros(0)
        self.term_ids = {name: id_ for id_, name in corpus.term_names.items()}
        self.phrase_ids = {name: id_ for id_, name in corpus.phrase_names.items()}
        self.entity_ids = {name: id_ for id_, name in corpus.entity_names_of.items()}
        self._bounds = np.zeros((0, self.rows_total))  # by source (``_sources``), then by row
        self._sources: dict[str, int] = {}
        self._entity_order: tuple[np.ndarray, np.ndarray] | None = None  # by entity id: its name's rank, weight²
        self._own_entities: tuple[str, np.ndarray, float] = ("", np.zeros(0, dtype=bool), 0.0)
        self._dense_of: dict[str, tuple[str, np.ndarray, np.ndarray]] = {}  # kind -> the source's vector, dense
        self._entries_of: tuple[str, tuple[list[int], list[int], list[int], list[float]]] = ("", ([], [], [], []))
        self._source_terms = np.zeros(0, dtype=bool)  # by term id: in a sentence of ``_entries_of``'s source
        self._reach = np.zeros(0)  # by term id: its highest value in a sentence of ``_entries_of``'s source
        self._words = np.zeros(0, dtype=bool)  # by term id: a word (not a pair of words)
        self._norms = np.full(len(self.matchable), -1.0)  # by sentence: its vector's norm (-1: not worked out yet)
        if sources:
            self._work_out(sources)

    def _work_out(self, sources: Sequence[Item]) -> None:
        """The bounds of some sources against every row (``_bounds``): every term, phrase and entity signal of every
        source against every row at once, added in place."""
        corpus, joined, weights = self.corpus, self.corpus.joined, self.weights
        places = np.array([corpus.row_of(source.id) for source in sources], dtype=np.int64)
        norms = kept_norms(corpus, self.logs)
        bound = products(joined, "term", self.logs, self.idf["term"], places, self._DENSE, norms=norms["term"])
        # a target's best sentence matches one of the source's at most fully, and only if they share a term
        sharing = bound > 0.0
        bound *= weights["text"]
        np.add(bound, weights["sentence"], out=bound, where=sharing)
        del sharing
        # one signal after the other, in one array (as large as the bounds)
        signal = products(joined, "phrase", self.logs, self.idf["phrase"], places, self._DENSE, norms=norms["phrase"])
        for name in ("phrases", "entities"):
            if name == "entities":
                signal = entity_overlaps(joined, corpus.entity_weight, places, out=signal)
            signal *= weights[name]
            bound += signal
        del signal
        self._bounds = bound
        self._sources = {source.id: number for number, source in enumerate(sources)}

    def ranked(self, source: Item, _best: object = None) -> _Order:
        """The targets that may score above 0, highest bound first (``self.bound`` holds the bounds)."""
        if source.id not in self._sources:
            self._work_out([source])
        rows = self.target_rows
        bound = np.where(rows >= 0, self._bounds[self._sources[source.id]][rows], 0.0).astype(np.float64)  # by target
        # the margin covers the signals summed in other orders and the bounds' float32 roundings (``products.products``)
        self.bound = bound * (1 + self._ROUNDING) + self._ROUNDING
        return _Order(bound)

    def matches(self, source: Item, numbers: Iterable[int]) -> dict[int, tuple[float, int]]:
        """Map some sentences to their best cosine with a sentence of the source, and the number of that sentence:
        exactly what ``_SentenceIndex`` finds."""
        wanted, best, which = self._matched(source, np.array(list(numbers), dtype=np.int64))
        matched = np.nonzero(best > 0.0)[0]
        return {
            number: (similarity, left)
            for number, similarity, left in zip(
                wanted[matched].tolist(), best[matched].tolist(), which[matched].tolist(), strict=True
            )
        }

    def _matched(self, source: Item, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Some sentences (sorted, once each), their best cosines with a sentence of the source (0.0: none) and the
        number of the first source sentence giving it (the sentences' vectors are the floats ``vector`` makes: the
        same products, each norm summed in the same order, as ``bincount`` adds its weights one by one)."""
        wanted = distinct(numbers)
        if not len(wanted) or not self._source_entries(source)[2]:
            return wanted, np.zeros(len(wanted)), np.full(len(wanted), -1, dtype=np.int64)
        return (wanted, *self._best(source, len(wanted), *self._sentence_entries(wanted)))

    def _sentence_entries(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The entries (sentence's place in ``wanted``, term id, value) of some sentences that can be matched (a
        sentence too short weighs nothing) sharing a term with the sentences of the source of ``_source_entries``:
        only they add to a cosine. Their values are those ``_unit`` makes: the same product divided by the
        sentence's norm."""
        starts = self.words_ptr[wanted]
        lengths = np.where(self.matchable[wanted] == 1, self.words_ptr[wanted + 1] - starts, 0)
        at = ranges(starts, lengths)
        ids = self.words_ids[at]
        shared = self._source_terms[ids]
        local = np.repeat(np.arange(len(wanted)), lengths)[shared]
        at, ids = at[shared], ids[shared]
        norms = self._sentence_norms(wanted, lengths)
        values = (self.logs[self.words_counts[at]] * self.corpus.term_idf[ids]) / np.where(norms > 0.0, norms, 1.0)[
            local
        ]
        return local, ids, values

    def _best(
        self, source: Item, size: int, local: np.ndarray, ids: np.ndarray, values: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The best cosines of ``size`` sentences (their entries: ``_sentence_entries``) with a sentence of the
        source (0.0: none), and the number of the first source sentence giving it (-1: none)."""
        lefts, entry_left, entry_ids, entry_values = self._source_entries(source)
        postings = _Postings(local, ids, values, size)
        # every source sentence against every sentence at once: each pair's products are added in the order of the
        # source sentence's terms (``bincount`` adds one by one, and the entries come in that order)
        first = np.searchsorted(postings.ids, entry_ids)
        lengths = np.searchsorted(postings.ids, entry_ids, side="right") - first
        at = ranges(first, lengths)
        count = len(lefts)
        keys = postings.rows[at] * count + np.repeat(np.array(entry_left, dtype=np.int64), lengths)
        products = np.repeat(np.array(entry_values), lengths) * postings.values[at]
        scores = np.bincount(keys, weights=products, minlength=count * size).reshape(size, count)
        # the best of each, the first source sentence giving it (as a loop keeping only better ones would)
        best, which = scores.max(axis=1), scores.argmax(axis=1)
        return best, np.where(best > 0.0, np.array(lefts, dtype=np.int64)[which], -1)

    def _scored_sentences(self, source: Item, numbers: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The cosines of some targets' sentences (``numbers``, by target: ``owner``, ascending) with their best
        sentence of the source, and the source sentence giving it (-1: none), exactly where they may be their
        target's highest: elsewhere 0.0 (below the target's highest).

        A sentence's cosine with a sentence of the source (both of norm 1, every value >= 0) is at most (1) its
        values times the highest value of each term in a sentence of the source (``_reach``) and (2) the norm of its
        values of the source's terms (Cauchy-Schwarz): the lower of the two, summed in another order, with
        ``_MARGIN``. A target's two sentences of the highest bounds are worked out first; then only its sentences
        whose bound reaches the best of those."""
        wanted, position = np.unique(numbers, return_inverse=True)
        best, which = np.zeros(len(wanted)), np.full(len(wanted), -1, dtype=np.int64)
        if not len(wanted) or not self._source_entries(source)[2]:
            return best[position], which[position]
        local, ids, values = self._sentence_entries(wanted)
        upper = np.minimum(
            np.bincount(local, weights=values * self._reach[ids], minlength=len(wanted)),
            np.sqrt(np.bincount(local, weights=values * values, minlength=len(wanted))),
        )
        reach = upper[position] * (1 + self._MARGIN)
        # each target's sentences by bound, highest first (the first of equal ones first): the two first
        order = np.lexsort((-reach, owner))
        starts = np.searchsorted(owner[order], owner[order], side="left")
        first = order[(np.arange(len(order)) - starts < 2) & (reach[order] > 0.0)]
        done = np.zeros(len(wanted), dtype=bool)
        for chosen in (position[first], None):
            if chosen is None:  # the sentences that may reach their target's best so far (none: all below 0)
                reached = np.full(int(owner[-1]) + 1, np.inf)
                reached[owner[first]] = 0.0
                np.maximum.at(reached, owner[first], best[position[first]])
                chosen = position[(reach >= reached[owner]) & (reach > 0.0)]
            picked = np.zeros(len(wanted), dtype=bool)
            picked[chosen] = True
            picked &= ~done
            done |= picked
            if picked.any():
                kept = picked[local]
                renumbered = np.cumsum(picked) - 1
                found, left = self._best(
                    source, int(renumbered[-1]) + 1, renumbered[local[kept]], ids[kept], values[kept]
                )
                places = np.nonzero(picked)[0]
                best[places], which[places] = found, left
        return best[position], which[position]

    def _sentence_norms(self, wanted: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The norms of some sentences' vectors (``lengths``: how many of their entries count), each summed in order
        as ``vector`` sums it (``bincount`` adds one by one); each worked out once."""
        norms = self._norms[wanted]
        missing = np.nonzero(norms < 0.0)[0]
        if len(missing):
            at = ranges(self.words_ptr[wanted[missing]], lengths[missing])
            owner = np.repeat(np.arange(len(missing)), lengths[missing])
            weights = self.logs[self.words_counts[at]] * self.corpus.term_idf[self.words_ids[at]]
            norms[missing] = np.sqrt(np.bincount(owner, weights=weights * weights, minlength=len(missing)))
            self._norms[wanted[missing]] = norms[missing]
        return norms

    def _source_entries(self, source: Item) -> tuple[list[int], list[int], list[int], list[float]]:
        """The source's sentences that have a vector, and their entries (sentence, term id, value) in order: made
        once per source (its chunks of targets all ask)."""
        if self._entries_of[0] == source.id:
            return self._entries_of[1]
        if not len(self._words):
            self._words = np.zeros(len(self.corpus.term_idf), dtype=bool)
            self._words[[id_ for id_, name in self.corpus.term_names.items() if " " not in name]] = True
        # the vectors ``sentence_vector`` makes, from the arrays: a sentence that can be matched (of enough distinct
        # words), its values (``vector``: the same products, the norm summed in the same order, 0s left out)
        numbers = np.array(source.sentences, dtype=np.int64)
        starts = self.words_ptr[numbers]
        lengths = np.where(self.matchable[numbers] == 1, self.words_ptr[numbers + 1] - starts, 0)
        at = ranges(starts, lengths)
        owner = np.repeat(np.arange(len(numbers)), lengths)
        ids = self.words_ids[at]
        words = np.bincount(owner, weights=self._words[ids], minlength=len(numbers))
        raw = self.logs[self.words_counts[at]] * self.corpus.term_idf[ids]
        norms = np.sqrt(np.bincount(owner, weights=raw * raw, minlength=len(numbers)))
        values = raw / np.where(norms > 0.0, norms, 1.0)[owner]
        kept = (words >= SHORTEST_SENTENCE)[owner] & (values != 0.0)
        having = distinct(owner[kept])
        lefts: list[int] = numbers[having].tolist()
        entry_left: list[int] = np.searchsorted(having, owner[kept]).tolist()
        entry_ids: list[int] = ids[kept].tolist()
        entry_values: list[float] = values[kept].tolist()
        self._entries_of = (source.id, (lefts, entry_left, entry_ids, entry_values))
        self._source_terms = np.zeros(len(self.corpus.term_idf), dtype=bool)
        self._source_terms[entry_ids] = True
        self._reach = np.zeros(len(self.corpus.term_idf))
        np.maximum.at(self._reach, ids[kept], values[kept])
        return self._entries_of[1]

    def _overlaps(self, source: Item, places: np.ndarray) -> np.ndarray:
        """``weighted_overlap`` of the source's entities with those of some rows (``places``; -1: none): the same
        sums, each in the sorted order of the entities' names (``bincount`` adds one by one)."""
        if self._entity_order is None:
            names = self.corpus.entity_names_of
            weights = self.corpus.entity_idf
            ranks = np.zeros(len(self.corpus.entity_weight), dtype=np.int64)
            squares = np.zeros(len(self.corpus.entity_weight))
            for rank, (id_, name) in enumerate(sorted(names.items(), key=lambda pair: pair[1])):
                ranks[id_], squares[id_] = rank, weights.get(name, 0.0) ** 2
            self._entity_order = (ranks, squares)
        ranks, squares = self._entity_order
        if self._own_entities[0] != source.id:
            mine = np.zeros(len(ranks), dtype=bool)
            known = self.entity_ids
            mine[[known[name] for name in source.entities if name in known]] = True
            self._own_entities = (source.id, mine, _squares(source.entities, self.corpus.entity_idf))
        _, mine, own = self._own_entities
        joined = self.corpus.joined
        ptr, ids = joined["entity_ptr"], joined["entity_ids"]
        lengths = np.where(places >= 0, ptr[places + 1] - ptr[places], 0)
        at = ranges(ptr[places], lengths)
        owner = np.repeat(np.arange(len(places)), lengths)
        order = np.lexsort((ranks[ids[at]], owner))
        found, owner = ids[at][order], owner[order]
        theirs = np.bincount(owner, weights=squares[found], minlength=len(places))
        shared_ones = mine[found]
        shared = np.bincount(owner[shared_ones], weights=squares[found[shared_ones]], minlength=len(places))
        out = np.zeros(len(places))
        having = np.nonzero(shared)[0]
        out[having] = shared[having] / np.sqrt(own * theirs[having])
        return out

    def cosines(self, source: Item, targets: list[Item], name: str, place: np.ndarray | None = None) -> list[float]:
        """The text (``name`` "term") or phrase ("phrase") cosine of the source with some targets: exactly what
        ``cosine`` gives for their vectors (the same products added in the same order, over the shorter vector)."""
        mine = source.vector if name == "term" else source.phrase_vector
        length = len(mine)
        if self._dense_of.get(name, ("",))[0] != source.id:
            ids_of = self.term_ids if name == "term" else self.phrase_ids
            keys = [ids_of[term] for term in mine if term in ids_of]
            size = len(self.corpus.term_idf)
            dense, order = np.zeros(size), np.full(size, -1, dtype=np.int64)
            # a term the arrays do not know: no target has it
            dense[keys] = [value for term, value in mine.items() if term in ids_of]
            order[keys] = np.arange(len(keys))
            self._dense_of[name] = (source.id, dense, order)
        _, dense, order = self._dense_of[name]
        joined = self.corpus.joined
        ptr, ids, counts, idf = joined[f"{name}_ptr"], joined[f"{name}_ids"], joined[f"{name}_counts"], self.idf[name]
        if place is None:  # the targets' rows
            place = np.array([self.corpus.row_of(target.id) for target in targets], dtype=np.int64)
        lengths = np.where(place >= 0, ptr[place + 1] - ptr[place], 0)
        at = ranges(ptr[place], lengths)
        owner = np.repeat(np.arange(len(targets)), lengths)
        found = ids[at]
        # the rows' unit values, as ``vector`` makes them: each norm summed in the row's order (``_unit``)
        values = _unit(owner, self.logs[counts[at]] * idf[found], len(targets))
        weighed = values != 0.0
        weighing = np.bincount(owner[weighed], minlength=len(targets))
        products = values * dense[found]
        # over the target's vector, in its order (the other's missing terms add 0.0)
        theirs = np.bincount(owner, weights=products, minlength=len(targets))
        # over the source's vector, in its order (for the targets whose vector is not the shorter): the shared
        # terms, by target, in the source's order
        places = order[found]
        shared = np.nonzero((places >= 0) & weighed & (weighing >= length)[owner])[0]
        by = shared[np.argsort(owner[shared] * max(length, 1) + places[shared], kind="stable")]
        ours = np.bincount(owner[by], weights=products[by], minlength=len(targets))
        # ``sum`` of nothing is the int 0, as ``cosine`` gives
        chosen = np.where(weighing < length, theirs, ours).tolist()
        return [0 if min(count, length) == 0 else value for count, value in zip(weighing.tolist(), chosen, strict=True)]

    def score(
        self, source: Item, targets: list[Item]
    ) -> list[tuple[Item, float, dict[str, float], int | None, int | None]]:
        """``score_pair`` of the source with some targets (target, score, signals, left and right sentence), their
        cosines and best sentences computed from the arrays: the same floats, without making their vectors."""
        corpus = self.corpus
        found = [corpus.sentences_of(target) for target in targets]
        sizes = np.array([len(numbers) for numbers in found], dtype=np.int64)
        numbers = np.fromiter(itertools.chain.from_iterable(found), dtype=np.int64, count=int(sizes.sum()))
        # each target's best sentence: the first of its sentences with the highest cosine above 0 (as a loop
        # keeping only better ones finds it)
        owner = np.repeat(np.arange(len(targets)), sizes)
        similarity, best_left = self._scored_sentences(source, numbers, owner)
        highest = np.zeros(len(targets))
        having = np.nonzero(sizes)[0]
        if len(having):
            highest[having] = np.maximum.reduceat(similarity, (np.cumsum(sizes) - sizes)[having])
        hits = np.nonzero((similarity > 0.0) & (similarity == highest[owner]))[0]
        matched, first = np.unique(owner[hits], return_index=True)
        sentence = [0.0] * len(targets)
        lefts: list[int | None] = [None] * len(targets)
        rights: list[int | None] = [None] * len(targets)
        at = hits[first]
        for number, value, left, right in zip(
            matched.tolist(),
            similarity[at].tolist(),
            best_left[at].tolist(),
            numbers[at].tolist(),
            strict=True,
        ):
            sentence[number], lefts[number], rights[number] = value, left, right
        places = np.array([corpus.row_of(target.id) for target in targets], dtype=np.int64)
        texts = self.cosines(source, targets, "term", places)
        phrases = self.cosines(source, targets, "phrase", places)
        entities = self._overlaps(source, places).tolist()
        weights = self.weights
        out = []
        for target, text, best_sentence, overlap, phrase, left, right in zip(
            targets, texts, sentence, entities, phrases, lefts, rights, strict=True
        ):
            signals = {"text": text, "sentence": best_sentence, "entities": overlap, "phrases": phrase}
            score = sum(weights[name] * value for name, value in signals.items())
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
            values = bound[self.touched]
            least = np.partition(values, len(values) - self._FIRST)[len(values) - self._FIRST]
            self._sort(self.touched[values >= least])
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
