"""Ranking one plan's items against every other plan from the index's arrays (``suggest FROM`` with no TO).

``IndexedCorpus`` is a ``Corpus`` read from the rank rows (``suggest.compact``) instead of the store and every plan's
tokens: the items' places in their plans for all plans, kept as arrays (an ``Item`` is made only when it is read:
the sources, the targets scored, what is explained), and, for an item that is scored, its family's vectors made
from its row exactly as ``Corpus.prepare`` makes them (the same counts in the same order, so the same floats); the
texts and token records are read only for the suggestions that are explained. The plans and entities are read from
the store once per contents of the store (``suggest.storefacts``). The bounds and exact scores over these rows are in
``suggest.bounds``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, repeat
from typing import TYPE_CHECKING, NoReturn, overload

import numpy as np

from ..model.nodes import NodeType
from .compact import RankStore
from .corpus import (
    PHRASE_SHARE,
    SCOPED_LINKS,
    Corpus,
    Item,
    from_record,
    make_index,
)
from .index import Weights
from .joined import KIND_CODES, Combined, combined

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore


class RankDamaged(Exception):
    """An item's texts cannot be read from the rank rows (they are dropped, to be made again)."""


class IndexedCorpus(Corpus):
    """The items of every plan from the rank rows, prepared from them on demand (see the module's description)."""

    def __init__(self, store: GraphStore, from_plan: str) -> None:  # noqa: PLR0915 - one reading of the rows
        self._open_index(store)
        self.usable = False
        if not self.index.usable or self.index.rank is None or from_plan not in self.plans:
            return
        for _ in range(2):  # a damaged row is dropped and made again, once
            if self.index.missing():
                make_index(store)
            rank = self.index.rank
            self.entries = {plan: self.index.entry(plan) for plan in self.index.keys}
            self.folder = next(iter(self.index.keys.values())).parent
            joined, damaged = combined(rank, self.folder, self.entries)
            if joined is not None:
                break
            self.index.forget_rank(damaged)
        else:
            return
        weights = self.index.weights()
        if weights is None:
            return
        self.rank: RankStore = rank
        self.usable = True
        self.joined = joined
        self._read_items(joined)
        self.items = LazyItems(self)  # type: ignore[assignment]  # a mapping, its Items made as they are asked for
        self.sentence_total = joined.sentences
        values = "VALUES ?plan { " + json.dumps(from_plan) + " }"
        self.links = store.select(SCOPED_LINKS.replace("VALUES", values, 1))
        self.direct_entities = {}
        self.texts = {}
        self.detailed: set[str] = set()
        # the weights over the whole data set, from the index's sums, by vocabulary id
        count = max(weights.totals.get("texts", 0), 1)
        self.count = count
        recommendations = weights.totals.get("recommendations", 0)
        self.term_names, self.phrase_names = rank.names("terms"), rank.names("phrases")
        self.entity_names_of = rank.names("entities")
        size = max(rank.largest_id(), 0) + 1
        entity_df = weights.counts("entities", set(self.entity_labels))
        self.idf, self.term_idf, self.term_known = _weighed(
            self.term_names, _counts(weights, "terms"), size, lambda df: math.log((1 + count) / (1 + df)) + 1
        )
        self._log_table = np.zeros(1)
        limit = max(2, int(PHRASE_SHARE * count))
        self.phrase_idf, self.phrase_weight, self.phrase_weighed = _weighed(
            self.phrase_names,
            _counts(weights, "phrases"),
            size,
            lambda df: math.log(count / df) if 2 <= df <= limit else None,
        )
        self.entity_idf = {
            entity: math.log((recommendations + 1) / (entity_df.get(entity, 0) + 1)) for entity in self.entity_labels
        }
        self.entity_weight = np.zeros(size)
        for id_, name in self.entity_names_of.items():
            self.entity_weight[id_] = self.entity_idf.get(name, 0.0)
        # number -> (item id, sentence, {}), filled as items are explained (the vectors: ``ArrayBounds``)
        self.sentence_map: dict[int, tuple[str, str, dict[str, float]]] = {}
        self.sentences = self.sentence_map  # type: ignore[assignment]  # read by number, as Corpus's list is

    # -- the items, made as they are asked for -----------------------------------------------------

    def _read_items(self, joined: Combined) -> None:
        """The item table as lists by item number, and each item's children (as ``Corpus._build_families`` orders
        them: updates last, then by position, then in the table's order)."""
        self.item_ids: list[str] = joined["item_ids"].tolist()
        self.item_number = dict(zip(self.item_ids, range(len(self.item_ids)), strict=True))
        self._name_list: list[str] = joined["names"].tolist()
        self._kinds = [NodeType(code) for code in KIND_CODES]
        kind = joined["item_kind"]
        position = joined["item_position"]
        self._plan_of = np.repeat(np.arange(len(joined["plans"])), np.diff(joined["plan_items"]))
        self._plan_names: list[str] = joined["plans"].tolist()
        # each name's item (-1: none), -1 last: the number of "no name" (-1)
        named = np.fromiter(
            chain(map(self.item_number.get, self._name_list, repeat(-1)), [-1]), np.int64, len(self._name_list) + 1
        )
        parent, workstream = named[joined["item_parent"]], named[joined["item_workstream"]]
        recommendation = kind == KIND_CODES.index(NodeType.RECOMMENDATION.value)
        # an item is under its parent item, else (a recommendation) under its workstream
        owner = np.where(parent >= 0, parent, np.where(recommendation & (workstream >= 0), workstream, -1))
        under = np.nonzero(owner >= 0)[0]
        update = kind == KIND_CODES.index(NodeType.UPDATE.value)
        children = under[np.lexsort((position[under], update[under], owner[under]))]  # stable: then table order
        self._children: list[int] = children.tolist()
        self._child_ptr: list[int] = np.searchsorted(owner[children], np.arange(len(owner) + 1)).tolist()
        self._owner: list[int] = owner.tolist()
        self._parent: list[int] = parent.tolist()
        self._sentence_start: list[int] = joined["item_start"].tolist()
        self._sentence_count: list[int] = joined["item_count"].tolist()
        self._made: dict[int, Item] = {}
        self._kind: list[int] = kind.tolist()
        self._plan_list: list[int] = self._plan_of.tolist()
        self._parent_name: list[int] = joined["item_parent"].tolist()
        self._workstream_name: list[int] = joined["item_workstream"].tolist()
        self._position: list[int] = position.tolist()
        # item number -> its row (-1: none)
        self.row_number = np.full(len(self.item_ids), -1, dtype=np.int64)
        self.row_number[joined["row_item"]] = np.arange(len(joined["row_item"]))
        self._families: dict[str, list[str]] = {}
        self._sentences_of: dict[str, list[int]] = {}

    def item(self, number: int) -> Item:
        """The item of a number of the item table (made once, as ``Corpus`` makes it from the store)."""
        found = self._made.get(number)
        if found is None:
            parent, workstream = self._parent_name[number], self._workstream_name[number]
            first, last = self._child_ptr[number], self._child_ptr[number + 1]
            ids = self.item_ids
            found = self._made[number] = Item(
                ids[number],
                self._kinds[self._kind[number]],
                self._plan_names[self._plan_list[number]],
                "",
                None,
                None,
                None if parent < 0 else self._name_list[parent],
                None if workstream < 0 else self._name_list[workstream],
                self._position[number],
                [ids[child] for child in self._children[first:last]] if last > first else [],
            )
        return found

    def _children_of(self, number: int) -> list[int]:
        return self._children[self._child_ptr[number] : self._child_ptr[number + 1]]

    def plan_items(self, plans: Iterable[str], kinds: Iterable[NodeType]) -> ItemList:
        """The items of some plans of some kinds: plan by plan (sorted), workstreams first, then recommendations,
        actions and the rest, each by id (as ``similar._plan_items`` lists one plan's)."""
        joined = self.joined
        places = {plan: place for place, plan in enumerate(self._plan_names)}
        wanted = np.zeros(len(self._plan_names) + 1, dtype=bool)
        wanted[[places.get(plan, -1) for plan in plans]] = True
        wanted[-1] = False
        order = np.full(len(KIND_CODES), -1)
        for rank, listed in enumerate((NodeType.WORKSTREAM, NodeType.RECOMMENDATION, NodeType.ACTION)):
            order[KIND_CODES.index(listed.value)] = rank
        chosen = np.zeros(len(KIND_CODES), dtype=bool)
        chosen[[KIND_CODES.index(listed.value) for listed in kinds]] = True
        codes = joined["item_kind"]
        numbers = np.nonzero(wanted[self._plan_of] & chosen[codes])[0].tolist()
        by_id = np.array(sorted(numbers, key=self.item_ids.__getitem__), dtype=np.int64)
        kind_order = np.where(order[codes[by_id]] >= 0, order[codes[by_id]], 3)
        # the plans' places are their sorted order (the joined plans are sorted); stable: by id within
        return ItemList(self, by_id[np.lexsort((kind_order, self._plan_of[by_id]))])

    def family(self, item_id: str) -> list[str]:
        """An item and everything under it (``Corpus.family``), worked out once per item from the item table."""
        found = self._families.get(item_id)
        if found is None:
            found = self._families[item_id] = [self.item_ids[number] for number in self._family(item_id)]
        return list(found)

    def _family(self, item_id: str) -> list[int]:
        """The numbers of an item and everything under it, each before its children (in ``_children``'s order)."""
        out: list[int] = []
        children, pointer = self._children, self._child_ptr
        todo = [self.item_number[item_id]]
        while todo:
            current = todo.pop()
            out.append(current)
            first, last = pointer[current], pointer[current + 1]
            if last > first:
                todo += reversed(children[first:last])
        return out

    def same_recommendation(self, first: str, second: str) -> bool:
        """``Corpus.same_recommendation`` from the item table: one is in the other's family when the other is
        among what it is under."""
        one, other = self.item_number[first], self.item_number[second]
        if self._under(one, other) or self._under(other, one):
            return True
        root = self._recommendation_of_number(one)
        return root is not None and root == self._recommendation_of_number(other)

    def _under(self, number: int, above: int) -> bool:
        """Whether an item is ``above`` or under it (in its family)."""
        for _ in range(len(self._owner)):  # (a loop of owners would make the family endless)
            if number == above:
                return True
            number = self._owner[number]
            if number < 0:
                return False
        return False

    def _recommendation_of_number(self, number: int) -> int | None:
        recommendation = KIND_CODES.index(NodeType.RECOMMENDATION.value)
        kinds = self._kind
        for _ in range(len(self._parent)):
            if kinds[number] == recommendation:
                return number
            number = self._parent[number]
            if number < 0:
                return None
        return None

    def _has_text(self, number: int) -> bool:
        return self._sentence_count[number] >= 0

    def _sentence_range(self, number: int) -> range:
        first = self._sentence_start[number]
        return range(first, first + self._sentence_count[number])

    # -- preparing items from their rows ------------------------------------------------------------

    def prepare(self, item: Item) -> None:
        """Gather an item's family vectors from its row: what ``Corpus.prepare`` makes from the texts."""
        if item.prepared:
            return
        item.prepared = True
        row = self.row_of(item.id)
        if row < 0:
            return
        arrays = self.joined
        start, end = arrays["term_ptr"][row : row + 2].tolist()
        ids, counts = arrays["term_ids"][start:end], arrays["term_counts"][start:end]
        item.vector = self._vector(ids, counts, self.term_idf, self.term_known, self.term_names)
        start, end = arrays["phrase_ptr"][row : row + 2].tolist()
        ids, counts = arrays["phrase_ids"][start:end], arrays["phrase_counts"][start:end]
        item.phrase_vector = self._vector(ids, counts, self.phrase_weight, self.phrase_weighed, self.phrase_names)
        weighed = self.phrase_weighed[ids]  # the phrases in ``phrase_idf``
        item.phrases = set(map(self.phrase_names.__getitem__, ids[weighed].tolist()))
        start, end = arrays["entity_ptr"][row : row + 2].tolist()
        item.entities = {self.entity_names_of[id_] for id_ in arrays["entity_ids"][start:end].tolist()}
        members = [number for number in self._family(item.id) if self._has_text(number)]
        item.members = [self.item_ids[number] for number in members]
        for number in members:
            item.sentences.extend(self._sentence_range(number))

    def _vector(
        self, ids: np.ndarray, counts: np.ndarray, weight: np.ndarray, weighed: np.ndarray, names: dict[int, str]
    ) -> dict[str, float]:
        """``vector`` of a row's counts (by id) with the weights by id (``weighed``: those with a weight): the same
        products (``math.log`` of each count), the norm summed in the same order by ``sum``, 0s left out."""
        kept = weighed[ids]
        ids = ids[kept]
        values = self._logs(counts[kept]) * weight[ids]
        norm = math.sqrt(sum((values * values).tolist()))
        if not norm:
            return {}
        values /= norm
        nonzero = values != 0.0
        return dict(zip(map(names.__getitem__, ids[nonzero].tolist()), values[nonzero].tolist(), strict=True))

    def _logs(self, counts: np.ndarray) -> np.ndarray:
        """``1 + math.log(count)`` of some counts (each 1 or more), from a table made as large as they need."""
        largest = int(counts.max(initial=0))
        if largest >= len(self._log_table):
            self._log_table = np.array([0.0] + [1.0 + math.log(count) for count in range(1, 2 * largest + 1)])
        return self._log_table[counts]

    def row_of(self, item_id: str) -> int:
        """The row of an item (-1: none)."""
        number = self.item_number.get(item_id)
        return -1 if number is None else int(self.row_number[number])

    def sentences_of(self, item: Item) -> list[int]:
        """The numbers of the sentences of an item's family (as ``prepare`` lists them)."""
        if item.prepared:
            return item.sentences
        out = self._sentences_of.get(item.id)
        if out is None:
            out = self._sentences_of[item.id] = []
            starts, counts = self._sentence_start, self._sentence_count
            for number in self._family(item.id):
                if counts[number] > 0:  # (-1: no text)
                    out += range(starts[number], starts[number] + counts[number])
        return out

    def detail(self, items: Iterable[Item]) -> None:
        """Read the texts of some prepared items' families (labels, texts, sentences, spellings), to explain them:
        each member's text holds its sentences and spellings only (what explaining reads)."""
        wanted = [member for item in items for member in [item.id, *item.members] if member not in self.detailed]
        found = self.rank.details(self.entries, [(self.items[member].plan, member) for member in wanted])
        for member in wanted:
            self.detailed.add(member)
            data = found.get(member)
            item = self.items[member]
            number = self.item_number[member]
            has_text = self._has_text(number)
            if data is None or (has_text and (data.sentences is None or data.surface is None)):
                self._damaged(item)
            item.label, item.text, item.title = data.label, data.text, data.title
            if has_text and data.sentences is not None and data.surface is not None:
                if len(data.sentences) != self._sentence_count[number]:
                    self._damaged(item)
                # the parts of a token record that explaining reads (the rest empty)
                record = {"sentences": data.sentences, "surface": data.surface, "terms": {}, "sentence_terms": []}
                self.texts[member] = from_record(member, {**record, "phrases": [], "entities": []})
                first = self._sentence_start[number]
                for offset, sentence in enumerate(data.sentences):  # their vectors are the bounds' (``bounds``)
                    self.sentence_map[first + offset] = (member, sentence, {})

    def _damaged(self, item: Item) -> NoReturn:
        """A row that cannot be read: made again, and this ranking done from the store."""
        self.index.forget_rank({item.plan})
        raise RankDamaged(item.id)


class LazyItems(Mapping[str, Item]):
    """The items of an ``IndexedCorpus`` by id, in the item table's order, each made when it is first asked for."""

    def __init__(self, corpus: IndexedCorpus) -> None:
        self.corpus = corpus

    def __getitem__(self, item_id: str) -> Item:
        return self.corpus.item(self.corpus.item_number[item_id])

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.corpus.item_number

    def __iter__(self) -> Iterator[str]:
        return iter(self.corpus.item_ids)

    def __len__(self) -> int:
        return len(self.corpus.item_ids)


class ItemList(Sequence[Item]):
    """Some items of an ``IndexedCorpus`` by their numbers in its item table, each made when it is first read."""

    def __init__(self, corpus: IndexedCorpus, numbers: np.ndarray) -> None:
        self.corpus = corpus
        self.numbers = numbers
        self._numbers: list[int] = numbers.tolist()

    @property
    def ids(self) -> list[str]:
        return [self.corpus.item_ids[number] for number in self._numbers]

    @overload
    def __getitem__(self, at: int) -> Item: ...

    @overload
    def __getitem__(self, at: slice) -> list[Item]: ...

    def __getitem__(self, at: int | slice) -> Item | list[Item]:
        if isinstance(at, slice):
            return [self.corpus.item(number) for number in self._numbers[at]]
        return self.corpus.item(self._numbers[at])

    def __iter__(self) -> Iterator[Item]:
        return map(self.corpus.item, self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)


def _counts(weights: Weights, table: str) -> dict[str, int]:
    """The summed counts of a kind ("terms", "phrases") of the index's sums (``Weights``), the table read whole (a
    count that is not an integer is left out, as counted nowhere)."""
    query = f"SELECT name, count FROM {table} WHERE typeof(count) = 'integer'"  # noqa: S608 - a table of the sums
    return dict(weights.connection.execute(query))


def _weighed(
    names: dict[int, str], counts: dict[str, int], size: int, weigh: Callable[[int], float | None]
) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    """The weights of some names (id -> name) by name and by id (0.0: none), and by id whether a name has one, from
    their counts (counted nowhere, or ``weigh`` None: no weight), each count's weight worked out once."""
    found = list(map(counts.get, names.values()))
    made: dict[int | None, float | None] = {count: weigh(count) for count in set(found) if count is not None}
    made[None] = None
    values = list(map(made.__getitem__, found))  # None: no weight
    by_name = {name: value for name, value in zip(names.values(), values, strict=True) if value is not None}
    ids = np.fromiter(names, dtype=np.int64, count=len(names))
    having = np.array([value is not None for value in values], dtype=bool)
    by_id = np.zeros(size)
    by_id[ids[having]] = [value for value in values if value is not None]
    weighed = np.zeros(size, dtype=bool)
    weighed[ids[having]] = True
    return by_name, by_id, weighed
