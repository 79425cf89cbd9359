"""The plan items of a data set, read from the store and tokenised once, with what ranking them needs.

``Corpus`` holds every plan item (recommendations, actions, updates, workstreams) with its family (what is
nested under it), its texts split into sentences, terms and phrases, the organisations, documents and
programmes it names or is connected to, and the weights of all of them over the whole data set: the IDF of
terms, of distinctive phrases and of entities. ``Corpus.prepare`` gathers one item's TF-IDF vectors.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import math
import os
import sys
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model.nodes import NodeType
from ..sparql.patterns import link_pattern
from .compact import PlanRows
from .index import TokenIndex, TokenRecord, encode_record, names_digest
from .joined import refresh
from .storefacts import store_facts
from .words import (
    NameFinder,
    phrases_of_infos,
    split_sentences,
    straight_quotes,
    terms_of_infos,
    word_info,
    word_spellings,
)

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore

PHRASE_SHARE = 0.1  # a phrase is distinctive when at most this share of all texts use it (and at least 2 do)
SHORTEST_SENTENCE = 3  # sentences of fewer distinct words (after stop words) are never matched
_OWN_TEXT_WEIGHT = 2  # an item's own text counts twice as much as each text under it

_ITEMS = """SELECT ?id ?type ?plan ?label ?text ?title ?parent ?workstream ?position WHERE {
  ?n cp:inPlan ?p ; a ?type ; dcterms:identifier ?id ; rdfs:label ?label .
  ?p dcterms:identifier ?plan .
  OPTIONAL { ?n cp:text ?text }
  OPTIONAL { ?n dcterms:title ?title }
  OPTIONAL { ?up cp:hasAction|cp:hasUpdate ?n . ?up dcterms:identifier ?parent }
  OPTIONAL { ?n cp:inWorkstream ?w . ?w dcterms:identifier ?workstream }
  OPTIONAL { ?n cp:position ?position }
}"""
_ITEM_ORGANISATIONS = """SELECT ?id ?organisation WHERE {
  ?n cp:inPlan ?p ; dcterms:identifier ?id . ?p dcterms:identifier ?plan .
  { ?n cp:addressedTo ?o } UNION { ?n cp:ownedBy ?o }
  ?o dcterms:identifier ?organisation
}"""
_ALL_ITEM_ORGANISATIONS = """SELECT ?id ?organisation WHERE {
  { ?n cp:addressedTo ?o } UNION { ?n cp:ownedBy ?o }
  ?n cp:inPlan ?p ; dcterms:identifier ?id . ?o dcterms:identifier ?organisation
}"""  # the same rows as ``_ITEM_ORGANISATIONS`` of every plan (each plan has an identifier), from the links' ends
_LINKS = f"""SELECT ?from ?to ?relation WHERE {{
  {link_pattern("?f", "?t", link="?l", basis=None, quote=None)}
  ?f dcterms:identifier ?from . ?t dcterms:identifier ?to
}}"""


# The same for some plans (``VALUES`` is replaced by their ids), written so that the store starts from the plans: an
# OPTIONAL whose pattern does not start from the item, or a UNION of the two ends, reads every item's and link's.
_SCOPED_ITEMS = """SELECT ?id ?type ?plan ?label ?text ?title ?workstream ?position WHERE {
  VALUES ?p dcterms:identifier ?plan . ?p a cp:Plan . ?n cp:inPlan ?p .
  ?n a ?type ; dcterms:identifier ?id ; rdfs:label ?label .
  OPTIONAL { ?n cp:text ?text }
  OPTIONAL { ?n dcterms:title ?title }
  OPTIONAL { ?n cp:inWorkstream ?w . ?w dcterms:identifier ?workstream }
  OPTIONAL { ?n cp:position ?position }
}"""
_SCOPED_PARENTS = """SELECT ?id ?parent WHERE {
  VALUES ?p dcterms:identifier ?plan . ?p a cp:Plan . ?n cp:inPlan ?p ; dcterms:identifier ?id .
  ?up cp:hasAction|cp:hasUpdate ?n . ?up dcterms:identifier ?parent
}"""
SCOPED_LINKS = f"""SELECT DISTINCT ?l ?from ?to ?relation WHERE {{
  VALUES ?q dcterms:identifier ?plan . ?q a cp:Plan .
  {{ ?f cp:inPlan ?q . ?l cp:from ?f }} UNION {{ ?t cp:inPlan ?q . ?l cp:to ?t }}
  {link_pattern("?f", "?t", link="?l", basis=None, quote=None)}
  ?f dcterms:identifier ?from . ?t dcterms:identifier ?to
}}"""


def vector(counts: dict[str, int], idf: dict[str, float]) -> dict[str, float]:
    """Return the L2-normalised TF-IDF vector (sub-linear term frequency) of term counts."""
    vector = {term: (1.0 + math.log(count)) * idf[term] for term, count in counts.items() if count >= 1 and term in idf}
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {term: value / norm for term, value in vector.items() if value} if norm else {}


def cosine(left: dict[str, float], right: dict[str, float]) -> float:
    if len(right) < len(left):
        left, right = right, left
    return sum(value * right.get(term, 0.0) for term, value in left.items())


def weighted_overlap(left: set[str], right: set[str], weights: dict[str, float]) -> float:
    """Return the cosine of two sets whose members weigh ``weights[member]``."""
    # summed in sorted order: a set's order changes with the process's string hashing, and so would the last bits
    squares = [sum(weights.get(m, 0.0) ** 2 for m in sorted(members)) for members in (left & right, left, right)]
    return squares[0] / math.sqrt(squares[1] * squares[2]) if squares[0] else 0.0


class _ReadEverything(Exception):
    """The weights cannot be looked up in the index: the whole data set must be read to count them."""


@dataclass
class _Text:
    """One printed text of a plan item (its own text, or a workstream's title), tokenised once."""

    item: str
    sentences: list[str]
    terms: dict[str, int]  # a Counter when tokenised here, a plain dict when read from the index
    phrases: set[str]
    entities: set[str]
    surface: dict[str, dict[str, int]]
    sentence_terms: list[dict[str, int]]


@dataclass
class Item:
    id: str
    type: NodeType
    plan: str
    label: str
    text: str | None
    title: str | None
    parent: str | None
    workstream: str | None
    position: int
    children: list[str] = field(default_factory=list)
    prepared: bool = False
    members: list[str] = field(default_factory=list)  # the item and everything under it that has text
    vector: dict[str, float] = field(default_factory=dict)
    phrase_vector: dict[str, float] = field(default_factory=dict)
    phrases: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)
    sentences: list[int] = field(default_factory=list)  # indexes into Corpus.sentences


class Corpus:
    """Every plan item of the data set, tokenised, with the statistics the ranking needs."""

    entity_labels: dict[str, tuple[str, str]]  # entity -> (type, label)
    entity_parents: dict[str, set[str]]
    entity_names: dict[str, set[str]]  # a name as matched -> entities

    def __init__(self, store: GraphStore, plans: Iterable[str] | None = None, *, weigh: bool = True) -> None:
        """Read and tokenise the items of the data set; ``plans`` (with a store that keeps the index, see
        ``suggest.index``): only those plans' items are read, their weights looked up in the index's sums. Without
        ``weigh`` the texts are only tokenised and indexed (``make_index``)."""
        self._open_index(store)
        scope = None
        if self.index.usable and plans is not None:
            scope = set(plans) | self.index.missing()
            if scope >= set(self.plans):
                scope = None
        values = "" if scope is None else "VALUES ?plan { " + " ".join(json.dumps(p) for p in sorted(scope)) + " }"
        self.items: dict[str, Item] = {}
        if scope is None:
            rows = store.select(_ITEMS)
        else:
            rows = store.select(_SCOPED_ITEMS.replace("VALUES", values, 1))
            parents = {row["id"]: row["parent"] for row in store.select(_SCOPED_PARENTS.replace("VALUES", values, 1))}
            for row in rows:
                row["parent"] = parents.get(row["id"])
        for row in rows:
            try:
                node_type = NodeType.from_term(row["type"])
            except ValueError:
                continue
            self.items[row["id"]] = Item(
                row["id"],
                node_type,
                row["plan"],
                row["label"],
                row["text"],
                row["title"],
                row["parent"],
                row["workstream"],
                row["position"] or 0,
            )
        del rows  # the items are made: their rows are let go before the texts are tokenised
        self.links = store.select(_LINKS if scope is None else SCOPED_LINKS.replace("VALUES", values, 1))
        self._read_direct_entities(store, values)
        if not weigh:
            self.links = []  # only indexing: nothing ranks, and the links' entities are in ``direct_entities``
        self._build_families()
        try:
            self._index_texts(whole=scope is None, weigh=weigh)
        except _ReadEverything:  # the index's sums cannot be kept (a read-only cache): read every plan
            self.__init__(store, weigh=weigh)  # type: ignore[misc]

    # -- structure ---------------------------------------------------------------------------

    def _open_index(self, store: GraphStore) -> None:
        """Read the plans and the entities (``store_facts``), and open the index their names key (the entities
        taken once per rows read: a run opens the index twice, for the index and for the ranking)."""
        self.plans, entities = store_facts(store)
        global _TAKEN
        if _TAKEN is not None and _TAKEN[0] is entities:
            _, self.entity_labels, self.entity_parents, self.entity_names, self._names, digest = _TAKEN
        else:
            self._take_entities(entities)
            digest = names_digest(self.entity_names, self.entity_parents)
            _TAKEN = (entities, self.entity_labels, self.entity_parents, self.entity_names, self._names, digest)
        self.index = TokenIndex(store, digest)

    def _take_entities(self, rows: list[dict]) -> None:
        """Keep the entities of the rows of ``ENTITIES``: their labels, parents and the names they are found by."""
        self.entity_labels = {}
        self.entity_parents = defaultdict(set)
        names: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            self.entity_labels[row["id"]] = (NodeType.from_term(row["type"]).value, row["label"])
            names[row["id"]].add(row["label"].strip())
            if row["alternative"]:
                names[row["id"]].add(row["alternative"].strip())
            if row["parent"]:
                self.entity_parents[row["id"]].add(row["parent"])
        self.entity_names = defaultdict(set)
        exact, folded = [], []
        for entity, labels in names.items():
            for name in labels:
                key = straight_quotes(name)
                if " " in name:
                    self.entity_names[key.lower()].add(entity)
                    folded.append(key)
                else:
                    self.entity_names[key].add(entity)
                    exact.append(key)
        self._names = (exact, folded)  # compiled into ``entity_patterns`` when a text is first tokenised

    @functools.cached_property
    def entity_finders(self) -> list[NameFinder]:
        exact, folded = self._names
        return [NameFinder(exact, fold=False), NameFinder(folded, fold=True)]

    def _read_direct_entities(self, store: GraphStore, values: str) -> None:
        self.direct_entities: dict[str, set[str]] = defaultdict(set)
        query = (
            _ALL_ITEM_ORGANISATIONS if not values else _ITEM_ORGANISATIONS.replace("WHERE {", "WHERE { " + values, 1)
        )
        for row in store.select(query):
            self.direct_entities[row["id"]].add(row["organisation"])
        for row in self.links:
            if row["to"] in self.entity_labels and row["from"] in self.items:
                self.direct_entities[row["from"]].add(row["to"])
            if row["from"] in self.entity_labels and row["to"] in self.items:
                self.direct_entities[row["to"]].add(row["from"])

    def _mentions(self, text: str) -> set[str]:
        text = straight_quotes(text)
        found: set[str] = set()
        for finder in self.entity_finders:
            for name in finder.find(text):
                found |= self.entity_names.get(name, set())
        return found

    def _with_parents(self, entities: set[str]) -> set[str]:
        out, todo = set(), list(entities)
        while todo:
            entity = todo.pop()
            if entity not in out:
                out.add(entity)
                todo.extend(self.entity_parents.get(entity, ()))
        return out

    def _build_families(self) -> None:
        for item in self.items.values():
            if item.parent in self.items:
                self.items[item.parent].children.append(item.id)
            elif item.workstream in self.items and item.type is NodeType.RECOMMENDATION:
                self.items[item.workstream].children.append(item.id)
        for item in self.items.values():
            if len(item.children) > 1:  # most items have none or one: nothing to order
                item.children.sort(key=self._child_order)

    def _child_order(self, child: str) -> tuple[bool, int]:
        return self.items[child].type is NodeType.UPDATE, self.items[child].position

    def family(self, item_id: str) -> list[str]:
        """Return an item and everything under it (actions, updates, a workstream's recommendations)."""
        out, todo = [], [item_id]
        while todo:
            current = todo.pop(0)
            out.append(current)
            todo[:0] = self.items[current].children
        return out

    def same_recommendation(self, first: str, second: str) -> bool:
        """Tell whether two items are one, or nested, or parts of one recommendation (never worth a link)."""
        if first in self.family(second) or second in self.family(first):
            return True
        root = self._recommendation_of(first)
        return root is not None and root == self._recommendation_of(second)

    def _recommendation_of(self, item_id: str) -> str | None:
        item = self.items[item_id]
        while item.type is not NodeType.RECOMMENDATION:
            if item.parent not in self.items:
                return None
            item = self.items[item.parent]
        return item.id

    def own_text(self, item_id: str) -> str:
        item = self.items[item_id]
        parts = (item.title if item.type is NodeType.WORKSTREAM else None, item.text)
        return " ".join(part for part in parts if part)

    # -- texts ---------------------------------------------------------------------------------

    def _index_texts(self, whole: bool, weigh: bool = True) -> None:
        """Tokenise the items' texts (or read their tokens from the index) and weigh their terms, phrases and
        entities over the whole data set: counted here when every plan is read (``whole``), else looked up in the
        index's sums."""
        self.texts: dict[str, _Text] = {}
        by_plan: dict[str, list[str]] = defaultdict(list)
        for item_id, item in self.items.items():
            by_plan[item.plan].append(item_id)
        stored_of: dict[str, dict[str, TokenRecord]] = {}
        work: dict[str, list[tuple[str, str]]] = {}  # plan -> the (item id, text) pairs to tokenise
        reused: dict[str, dict[str, TokenRecord]] = {}  # plan -> the records of its earlier entry still true
        for plan, item_ids in by_plan.items():
            stored = stored_of[plan] = self.index.records(plan)
            earlier: dict[str, TokenRecord] | None = None
            for item_id in item_ids:
                text = self.own_text(item_id)
                record = stored.get(item_id)
                if text and (record is None or record["text"] != text):
                    if earlier is None:  # an edited file: the texts it did not change are tokenised already
                        earlier = {} if stored or not self.index.usable else self.index.earlier_records(plan)
                    record = earlier.get(item_id)
                    if record is not None and record["text"] == text:
                        reused.setdefault(plan, {})[item_id] = record
                    else:
                        work.setdefault(plan, []).append((item_id, text))
        # only indexing: a plan's texts are let go once it is stored, unless an item of another plan has them in
        # its family (its counts read them)
        shared = {
            self.items[child].plan
            for item in self.items.values()
            for child in item.children
            if self.items[child].plan != item.plan
        }
        with self.index.batch() if self.index.usable else contextlib.nullcontext():
            for plan, made, encoded in itertools.chain(
                ((plan, {}, {}) for plan in by_plan if plan not in work), self._tokenise_plans(work)
            ):
                stored = stored_of.pop(plan)
                records: dict[str, TokenRecord] = {}
                for item_id in by_plan[plan]:
                    text = self.own_text(item_id)
                    record = made.get(item_id) or reused.get(plan, {}).get(item_id) or stored.get(item_id)
                    if text and record is not None:
                        self.texts[item_id] = from_record(item_id, record)
                        records[item_id] = record
                if self.index.usable and (
                    records != stored or not self.index.has_stats(plan) or not self.index.has_rank(plan)
                ):
                    rows = PlanRows(self, plan, by_plan[plan])
                    encoded = {item: encoded[item] for item in records if item in encoded}  # those made here
                    self.index.store(plan, records, self._plan_stats(by_plan[plan]), rows, encoded)
                if not weigh and self.index.usable and plan not in shared:
                    for item_id in by_plan[plan]:
                        self.texts.pop(item_id, None)
        weights = self.index.weights() if self.index.usable else None  # kept up to date for the next ranking
        if not weigh:
            return
        if whole:
            stats = self._plan_stats(list(self.items))
            count = max(stats["texts"], 1)
            term_frequency, phrase_frequency = stats["terms"], stats["phrases"]
            entity_frequency, recommendations = stats["entities"], stats["recommendations"]
        elif weights is None:  # the sums cannot be kept: count over every plan
            raise _ReadEverything
        else:
            count = max(weights.totals.get("texts", 0), 1)
            term_frequency = weights.counts("terms", {term for text in self.texts.values() for term in text.terms})
            phrase_frequency = weights.counts("phrases", {p for text in self.texts.values() for p in text.phrases})
            entity_frequency = weights.counts("entities", set(self.entity_labels))
            recommendations = weights.totals.get("recommendations", 0)
        self.idf = {term: math.log((1 + count) / (1 + df)) + 1 for term, df in term_frequency.items()}
        limit = max(2, int(PHRASE_SHARE * count))
        self.phrase_idf = {phrase: math.log(count / df) for phrase, df in phrase_frequency.items() if 2 <= df <= limit}
        # an entity connected to every recommendation weighs nothing: ``log((N + 1) / (df + 1))``
        self.entity_idf = {
            entity: math.log((recommendations + 1) / (entity_frequency.get(entity, 0) + 1))
            for entity in self.entity_labels
        }
        self.sentences: list[tuple[str, str, dict[str, float]]] = []  # (item id, sentence, vector)
        self.sentence_ranges: dict[str, range] = {}
        for item_id, tokenised in self.texts.items():
            start = len(self.sentences)
            for sentence, counts in zip(tokenised.sentences, tokenised.sentence_terms, strict=False):
                # a heading or a fragment of one or two words matches too easily to be evidence
                words_in_it = sum(1 for term in counts if " " not in term)
                weights_of = vector(counts, self.idf) if words_in_it >= SHORTEST_SENTENCE else {}
                self.sentences.append((item_id, sentence, weights_of))
            self.sentence_ranges[item_id] = range(start, len(self.sentences))

    def _plan_stats(self, item_ids: list[str]) -> dict:
        """Count what some items add to the weights: their texts, and in how many of them each term and phrase
        occurs; their recommendations, and in how many of their families each entity (with its parents) occurs."""
        texts = [self.texts[item_id] for item_id in item_ids if item_id in self.texts]
        terms: Counter = Counter(term for text in texts for term in text.terms)
        phrases: Counter = Counter(phrase for text in texts for phrase in text.phrases)
        recommendations = [item_id for item_id in item_ids if self.items[item_id].type is NodeType.RECOMMENDATION]
        entities: Counter = Counter()
        for item_id in recommendations:
            found: set[str] = set()
            for member in self.family(item_id):
                found |= self.direct_entities.get(member, set())
                found |= self.texts[member].entities if member in self.texts else set()
            entities.update(self._with_parents(found))
        return {
            "texts": len(texts),
            "recommendations": len(recommendations),
            "terms": dict(terms),
            "phrases": dict(phrases),
            "entities": dict(entities),
        }

    def _tokenise_plans(
        self, work: dict[str, list[tuple[str, str]]]
    ) -> Iterator[tuple[str, dict[str, TokenRecord], dict[str, str]]]:
        """Tokenise some plans' texts (plan -> (item id, text) pairs), yielding each plan's records as it is done: in
        forked worker processes when there are many texts (a full build's index), else here. With each plan, the
        records the workers encoded (as its entry keeps them: the workers send the text, decoded here)."""
        count = sum(map(len, work.values()))
        workers = min(os.cpu_count() or 1, 8)
        # forking copies only this thread: with others running (a server), the texts are tokenised here
        forkable = sys.platform.startswith("linux") and threading.active_count() == 1
        if count < _PARALLEL_TEXTS or workers < 2 or not forkable:
            for plan, pairs in work.items():
                yield plan, dict(_records(self, pairs)), {}
            return
        import multiprocessing

        global _FORKED
        _FORKED = self  # what the forked workers tokenise with (copied into them, never sent)
        pool = multiprocessing.get_context("fork").Pool(workers)
        try:
            # a few plans ahead only: the plans done wait here for their turn, and they are large
            pending: deque = deque()
            for plan, pairs in work.items():
                pending.append((plan, pool.apply_async(_tokenise_in_worker, (pairs,))))
                if len(pending) > 2 * workers:
                    done, result = pending.popleft()
                    yield done, *_decoded(result.get())
            while pending:
                done, result = pending.popleft()
                yield done, *_decoded(result.get())
            pool.close()
        finally:
            _FORKED = None
            pool.terminate()
            pool.join()

    def _tokenise(self, item_id: str, text: str) -> _Text:
        sentences = split_sentences(text)
        sentence_terms: list[dict[str, int]] = []
        term_lists, phrase_sets, spelling_lists = [], [], []
        for sentence in sentences:
            counts, listed, sentence_phrases, spellings = _sentence(sentence)
            sentence_terms.append(counts)  # the memo's: read, never changed
            term_lists.append(listed)
            phrase_sets.append(sentence_phrases)
            spelling_lists.append(spellings)
        # counted over the sentences' terms in turn: the keys in the order of their first occurrence, as adding
        # each sentence's counts in turn (``Counter.update``) orders them
        all_terms = Counter(itertools.chain.from_iterable(term_lists))
        surface: dict[str, dict[str, int]] = {}  # a stem's spellings, each stem and spelling in the order first seen
        for (token, key), count in Counter(itertools.chain.from_iterable(spelling_lists)).items():
            spelled = surface.get(token)
            if spelled is None:
                surface[token] = {key: count}
            else:
                spelled[key] = count
        found_phrases: set[str] = set().union(*phrase_sets)
        return _Text(item_id, sentences, all_terms, found_phrases, self._mentions(text), surface, sentence_terms)

    def prepare(self, item: Item) -> None:
        """Gather an item's family: its TF-IDF and phrase vectors, sentences and entities (once)."""
        if item.prepared:
            return
        item.prepared = True
        counts: Counter = Counter()
        phrase_counts: Counter = Counter()
        entities: set[str] = set()
        for member in self.family(item.id):
            entities |= self.direct_entities.get(member, set())
            text = self.texts.get(member)
            if text is None:
                continue
            item.members.append(member)
            weight = _OWN_TEXT_WEIGHT if member == item.id and item.type is not NodeType.WORKSTREAM else 1
            for term, value in text.terms.items():
                counts[term] += value * weight
            phrase_counts.update(sorted(text.phrases & self.phrase_idf.keys()))  # in an order hashing cannot change
            entities |= text.entities
            item.sentences.extend(self.sentence_ranges[member])
        item.vector = vector(counts, self.idf)
        item.phrases = set(phrase_counts)
        item.phrase_vector = vector(phrase_counts, self.phrase_idf)
        item.entities = self._with_parents(entities)

    def describe(self, term: str, left: Item, right: Item) -> str:
        """Return a term as written (its most common spelling in the two items' texts)."""
        # each item's spellings of a word (how often each is written in its members' texts, in the order first met),
        # summed once per item and word: the same items and words recur
        made: dict[tuple[str, str], dict[str, int]] = vars(self).setdefault("_spelled", {})

        def spellings(item: Item, part: str) -> dict[str, int]:
            counts = made[item.id, part] = {}
            for member in item.members:
                for written, count in self.texts[member].surface.get(part, {}).items():
                    counts[written] = counts.get(written, 0) + count
            return counts

        spelled = []
        for part in term.split(" "):
            counts = made.get((left.id, part)) or spellings(left, part)
            more = made.get((right.id, part)) or spellings(right, part)
            if more:  # the right's after the left's: as if counted over the members of both in order
                counts = dict(counts)
                for written, count in more.items():
                    counts[written] = counts.get(written, 0) + count
            # the most common, the first counted of equals (as ``Counter.most_common`` picks)
            spelled.append(max(counts, key=counts.__getitem__) if counts else part)
        return " ".join(spelled)


@functools.lru_cache(maxsize=1 << 15)
def _sentence(sentence: str) -> tuple[Counter, tuple[str, ...], frozenset[str], tuple[tuple[str, str], ...]]:
    """One sentence's term counts, its terms in order (``terms_of``), phrases and (stem, spelling) of each word
    (sentences recur: worked out once)."""
    infos = [word_info(written) for written in word_spellings(sentence)]
    listed = terms_of_infos(infos)
    return (
        Counter(listed),
        tuple(listed),
        frozenset(phrases_of_infos(infos)),
        tuple((info[0], info[1]) for info in infos),
    )


# the entities last taken (``Corpus._open_index``): the rows, then what ``_take_entities`` made of them and their digest
_TAKEN: tuple | None = None
_PARALLEL_TEXTS = 5000  # below this many texts to tokenise, starting worker processes costs more than it saves
_FORKED: Corpus | None = None


def _records(corpus: Corpus, pairs: list[tuple[str, str]]) -> list[tuple[str, TokenRecord]]:
    """Tokenise some texts of a corpus into index records (item id, record)."""
    out = []
    for item_id, text in pairs:
        tokenised = corpus._tokenise(item_id, text)
        record = {  # as ``to_record`` makes it, without copying what ``_tokenise`` made afresh
            "text": text,
            "sentences": tokenised.sentences,
            "terms": dict(tokenised.terms),
            "sentence_terms": [dict(counts) for counts in tokenised.sentence_terms],
            "phrases": sorted(tokenised.phrases),
            "entities": sorted(tokenised.entities),
            "surface": tokenised.surface,
        }
        out.append((item_id, record))
    return out


def _tokenise_in_worker(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Tokenise texts in a forked worker: the records as their entry keeps them (compact JSON, one string each, so
    that sending them costs a copy and the main process does not encode them again)."""
    assert _FORKED is not None  # set before the workers were forked
    return [(item_id, encode_record(record)) for item_id, record in _records(_FORKED, pairs)]


def _decoded(results: list[tuple[str, str]]) -> tuple[dict[str, TokenRecord], dict[str, str]]:
    encoded = dict(results)
    return {item_id: json.loads(text) for item_id, text in encoded.items()}, encoded


def make_index(store: GraphStore) -> None:
    """Make the index entries (and the summed counts) of the plans of a store that have none, as the build does:
    the next ``suggest`` then finds every plan tokenised. Nothing is ranked or weighed."""
    index = Corpus(store, (), weigh=False).index
    refresh(index)  # every plan's rows joined for this generation (``suggest.joined``)


def update_index(store: GraphStore, most: int = 8) -> set[str]:
    """After a rebuild of some files: make the index entries of the plans that changed and join their rows (a delta,
    ``suggest.joined``), as the next ``suggest`` would, when at most ``most`` plans need them. More (an edited
    organisation renames what every plan's texts name) are left to the next ``suggest``. The plans made."""
    opened = Corpus.__new__(Corpus)  # the index only: nothing read or tokenised yet
    opened._open_index(store)
    index = opened.index
    missing = index.missing() if index.usable else set()
    if len(missing) > most or not index.usable:
        return set()
    make_index(store)
    return missing


def from_record(item_id: str, record: TokenRecord) -> _Text:
    """Return a tokenised text as its index record keeps it."""
    return _Text(
        item_id,
        record["sentences"],
        record["terms"],
        set(record["phrases"]),
        set(record["entities"]),
        record["surface"],
        record["sentence_terms"],
    )
