"""Ranking one plan's items against every other plan from the index's arrays (``suggest FROM`` with no TO).

``IndexedCorpus`` is a ``Corpus`` read from the rank rows (``suggest.compact``) instead of the store and every plan's
tokens: the items' places in their plans for all plans, and, for an item that is scored, its family's vectors made
from its row exactly as ``Corpus.prepare`` makes them (the same counts in the same order, so the same floats); the
texts and token records are read only for the suggestions that are explained. The bounds and exact scores over
these rows are in ``suggest.bounds``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from ..model.nodes import NodeType
from ..questions.plans import plan_titles
from .compact import RankStore
from .corpus import (
    PHRASE_SHARE,
    SCOPED_LINKS,
    SHORTEST_SENTENCE,
    Corpus,
    Item,
    from_record,
    make_index,
    vector,
)
from .index import TokenIndex, names_digest
from .joined import KIND_CODES, Combined, combined

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore


class RankDamaged(Exception):
    """An item's texts cannot be read from the rank rows (they are dropped, to be made again)."""


class IndexedCorpus(Corpus):
    """The items of every plan from the rank rows, prepared from them on demand (see the module's description)."""

    def __init__(self, store: GraphStore, from_plan: str) -> None:  # noqa: PLR0915 - one reading of the rows
        self._families: dict[str, list[str]] = {}
        self._sentences_of: dict[str, list[int]] = {}
        self.plans = plan_titles(store)
        self._read_entities(store)
        self.index = TokenIndex(store, names_digest(self.entity_names, self.entity_parents))
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
        self.items = {}
        item_ids = joined["item_ids"].tolist()
        self.item_number = {item_id: number for number, item_id in enumerate(item_ids)}
        names = joined["names"].tolist()
        kinds = [NodeType(code) for code in KIND_CODES]
        plan_of = np.repeat(np.arange(len(joined["plans"])), np.diff(joined["plan_items"])).tolist()
        plans = joined["plans"].tolist()
        starts, counts = joined["item_start"].tolist(), joined["item_count"].tolist()
        self.sentence_start: dict[str, int] = {}
        self.sentence_count: dict[str, int] = {}
        for item_id, kind, plan, parent, workstream, position, start, count in zip(
            item_ids,
            joined["item_kind"].tolist(),
            plan_of,
            joined["item_parent"].tolist(),
            joined["item_workstream"].tolist(),
            joined["item_position"].tolist(),
            starts,
            counts,
            strict=True,
        ):
            self.items[item_id] = Item(
                item_id,
                kinds[kind],
                plans[plan],
                "",
                None,
                None,
                None if parent < 0 else names[parent],
                None if workstream < 0 else names[workstream],
                position,
            )
            if count >= 0:
                self.sentence_start[item_id] = start
                self.sentence_count[item_id] = count
        # item id -> its row (-1: none)
        self.row_number = np.full(len(item_ids), -1, dtype=np.int64)
        self.row_number[joined["row_item"]] = np.arange(len(joined["row_item"]))
        sentences = joined.sentences
        self.sentence_total = sentences
        self._build_families()
        self._families.clear()
        values = "VALUES ?plan { " + json.dumps(from_plan) + " }"
        self.links = store.select(SCOPED_LINKS.replace("VALUES", values, 1))
        self.direct_entities = {}
        self.texts = {}
        self.detailed: set[str] = set()
        # the weights over the whole data set, from the index's sums, by vocabulary id
        count = max(weights.totals.get("texts", 0), 1)
        self.count = count
        recommendations = weights.totals.get("recommendations", 0)
        self.term_names = rank.names("terms")
        self.phrase_names = rank.names("phrases")
        self.entity_names_of = rank.names("entities")
        size = max([0, *self.term_names, *self.phrase_names, *self.entity_names_of]) + 1
        term_df = weights.counts("terms", set(self.term_names.values()))
        phrase_df = weights.counts("phrases", set(self.phrase_names.values()))
        entity_df = weights.counts("entities", set(self.entity_labels))
        self.idf = {term: math.log((1 + count) / (1 + df)) + 1 for term, df in term_df.items()}
        limit = max(2, int(PHRASE_SHARE * count))
        self.phrase_idf = {phrase: math.log(count / df) for phrase, df in phrase_df.items() if 2 <= df <= limit}
        self.entity_idf = {
            entity: math.log((recommendations + 1) / (entity_df.get(entity, 0) + 1)) for entity in self.entity_labels
        }
        self.term_idf = np.zeros(size)
        for id_, name in self.term_names.items():
            self.term_idf[id_] = self.idf.get(name, 0.0)
        self.phrase_weight = np.zeros(size)
        for id_, name in self.phrase_names.items():
            self.phrase_weight[id_] = self.phrase_idf.get(name, 0.0)
        self.entity_weight = np.zeros(size)
        for id_, name in self.entity_names_of.items():
            self.entity_weight[id_] = self.entity_idf.get(name, 0.0)
        # number -> (item id, sentence, vector), filled as items are prepared or explained
        self.sentence_map: dict[int, tuple[str, str, dict[str, float]]] = {}
        self.sentences = self.sentence_map  # type: ignore[assignment]  # read by number, as Corpus's list is

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
        terms = _slice(arrays, "term", row)
        counts = {self.term_names[id_]: value for id_, value in terms}
        item.vector = vector(counts, self.idf)
        phrases = _slice(arrays, "phrase", row)
        phrase_counts = {name: value for id_, value in phrases if (name := self.phrase_names[id_]) in self.phrase_idf}
        item.phrases = set(phrase_counts)
        item.phrase_vector = vector(phrase_counts, self.phrase_idf)
        start, end = arrays["entity_ptr"][row : row + 2].tolist()
        item.entities = {self.entity_names_of[id_] for id_ in arrays["entity_ids"][start:end].tolist()}
        item.members = [member for member in self.family(item.id) if member in self.sentence_start]
        for member in item.members:
            first = self.sentence_start[member]
            item.sentences.extend(range(first, first + self.sentence_count[member]))

    def row_of(self, item_id: str) -> int:
        """The row of an item (-1: none)."""
        number = self.item_number.get(item_id)
        return -1 if number is None else int(self.row_number[number])

    def family(self, item_id: str) -> list[str]:
        """An item and everything under it (``Corpus.family``), worked out once per item (the families are made)."""
        found = self._families.get(item_id)
        if found is None:
            found = self._families[item_id] = super().family(item_id)
        return list(found)

    def sentences_of(self, item: Item) -> list[int]:
        """The numbers of the sentences of an item's family (as ``prepare`` lists them)."""
        if item.prepared:
            return item.sentences
        out = self._sentences_of.get(item.id)
        if out is None:
            out = self._sentences_of[item.id] = []
            for member in self.family(item.id):
                if member in self.sentence_start:
                    first = self.sentence_start[member]
                    out.extend(range(first, first + self.sentence_count[member]))
        return out

    def entities_of(self, item: Item) -> set[str]:
        """The entities of an item's family, with the bodies they are part of (as ``prepare`` gathers them)."""
        if item.prepared:
            return item.entities
        row = self.row_of(item.id)
        if row < 0:
            return set()
        arrays = self.joined
        start, end = arrays["entity_ptr"][row : row + 2].tolist()
        return {self.entity_names_of[id_] for id_ in arrays["entity_ids"][start:end].tolist()}

    def sentence_vector(self, item: Item, number: int) -> dict[str, float]:
        """The vector of a sentence of a prepared item (as ``Corpus`` makes it), kept in ``sentences``."""
        if number not in self.sentence_map:
            member = next(m for m in item.members if 0 <= number - self.sentence_start[m] < self.sentence_count[m])
            self.sentence_map[number] = (member, "", self._sentence_vector(member, number))
        return self.sentence_map[number][2]

    def _sentence_vector(self, member: str, number: int) -> dict[str, float]:
        arrays = self.joined
        if not arrays["matchable"][number]:
            return {}
        start, end = arrays["words_ptr"][number : number + 2].tolist()
        ids, values = arrays["words_ids"][start:end].tolist(), arrays["words_counts"][start:end].tolist()
        counts = {self.term_names[id_]: value for id_, value in zip(ids, values, strict=True)}
        words_in_it = sum(1 for term in counts if " " not in term)
        return vector(counts, self.idf) if words_in_it >= SHORTEST_SENTENCE else {}

    def detail(self, items: Iterable[Item]) -> None:
        """Read the texts of some prepared items' families (labels, texts, sentences, spellings), to explain them."""
        wanted = [member for item in items for member in [item.id, *item.members] if member not in self.detailed]
        found = self.rank.details(self.entries, [(self.items[member].plan, member) for member in wanted])
        for member in wanted:
            self.detailed.add(member)
            data = found.get(member)
            item = self.items[member]
            if data is None:  # a damaged row: made again, and this ranking done from the store
                self.index.forget_rank({item.plan})
                raise RankDamaged(member)
            item.label, item.text, item.title = data["label"], data["text"], data["title"]
            if data["record"] and member in self.sentence_start:
                self.texts[member] = text = from_record(member, data["record"])
                first = self.sentence_start[member]
                for offset, sentence in enumerate(text.sentences):
                    number = first + offset
                    vector_of = self.sentence_map[number][2] if number in self.sentence_map else {}
                    self.sentence_map[number] = (member, sentence, vector_of)


def _slice(arrays: Combined, name: str, row: int) -> list[tuple[int, int]]:
    start, end = arrays[f"{name}_ptr"][row : row + 2].tolist()
    return list(
        zip(arrays[f"{name}_ids"][start:end].tolist(), arrays[f"{name}_counts"][start:end].tolist(), strict=True)
    )
