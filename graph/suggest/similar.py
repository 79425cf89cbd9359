"""Suggest links between the items of two plans, each with the evidence a person needs to accept or reject it.

The ranking reads the built store (a few SPARQL queries) and compares plan items — recommendations, actions and
workstreams, each with everything under it (a recommendation's actions and updates, a workstream's
recommendations) — by four general signals, each between 0 and 1:

- ``text``: the TF-IDF cosine of the two items' texts, on lower-cased, lightly stemmed words and pairs of
  neighbouring words, each weighted by how rare it is among all the texts of all plans of the data (an item's
  own text counts twice);
- ``sentence``: the TF-IDF cosine of the best-matching pair of sentences (they become the link's quotes);
- ``entities``: the weighted overlap of the organisations, documents and programmes the two items name, are
  addressed to, are owned by or link to (organisations count with the bodies they are part of); an entity
  weighs ``log((N + 1) / (n + 1))`` where ``n`` of the ``N`` recommendations of the data are connected to it;
- ``phrases``: the cosine of the distinctive phrases (two to five words, used by at least two and at most a
  tenth of all texts, weighted by rarity) that the items use.

The score is their weighted sum (``WEIGHTS``). Everything is plain Python: the data sets are a few hundred short
texts, and a numerical library would take longer to import than the ranking takes to run.

Texts are split into words, terms, phrases and sentences by ``suggest.words``; the items, with their weights over
the whole data set, are held by ``suggest.corpus``; this module ranks the pairs and explains each suggestion.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import add
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UnknownIdError
from ..model.nodes import NodeType, Relation
from ..output import counted
from ..text import did_you_mean
from .bounds import ArrayBounds
from .compact import ROW_TYPES
from .corpus import Corpus, Item, cosine, weighted_overlap
from .everywhere import IndexedCorpus, ItemList, RankDamaged
from .keeping import Places, covered_pairs, drop_nested_sources, existing_pairs, keep_best, may_change

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore

WEIGHTS = {"text": 0.6, "sentence": 0.1, "entities": 0.15, "phrases": 0.15}
"""How much each signal counts in a candidate's score (they sum to 1)."""

ITEM_TYPES = (NodeType.RECOMMENDATION, NodeType.ACTION, NodeType.WORKSTREAM)
"""The kinds of plan item that links are suggested between."""

DUPLICATE_RATIO = 0.85
"""Own texts at least this similar (difflib ratio, case-insensitive) are proposed as duplicate-of."""

METHOD = "crossplan suggest: TF-IDF of item texts, shared entities and distinctive phrases"
"""What an accepted suggestion records as its ``method``."""

_FEED_CUE = re.compile(r"\b(?:feeds?|feeding) into\b|\binform(?:s|ing)?\b|\bcontribut(?:e|es|ing) to\b", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class SharedEntity:
    """An organisation, document or programme both items are connected to."""

    id: str
    type: str
    label: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "label": self.label}


@dataclass
class Evidence:
    """Why two items may be linked: what they share and the best-matching sentence of each."""

    shared_terms: list[str]
    shared_phrases: list[str]
    shared_entities: list[SharedEntity]
    from_sentence: str
    to_sentence: str
    from_sentence_item: str
    to_sentence_item: str
    signals: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        return {
            "shared_terms": self.shared_terms,
            "shared_phrases": self.shared_phrases,
            "shared_entities": [entity.to_json() for entity in self.shared_entities],
            "from_sentence": self.from_sentence,
            "to_sentence": self.to_sentence,
            "from_sentence_item": self.from_sentence_item,
            "to_sentence_item": self.to_sentence_item,
            "signals": {name: round(value, 3) for name, value in self.signals.items()},
        }


@dataclass
class Suggestion:
    """A candidate link from an item of one plan to an item of another, with its score and evidence."""

    source_id: str
    target_id: str
    score: float
    relation: Relation
    evidence: Evidence
    source_label: str = ""
    target_label: str = ""
    source_type: str = ""
    target_type: str = ""
    existing: list[str] = field(default_factory=list)  # relations of links already in the data between the two
    number: int = 0
    source_text: str = ""  # whole, beside the label (which may be shortened)
    target_text: str = ""
    target_plan: str = ""  # the plan of the target item

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "from": self.source_id,
            "to": self.target_id,
            "to_plan": self.target_plan,
            "score": round(self.score, 3),
            "relation": self.relation.value,
            "existing": bool(self.existing),
            "existing_relations": self.existing,
            "from_type": self.source_type,
            "to_type": self.target_type,
            "from_label": self.source_label,
            "to_label": self.target_label,
            "from_text": self.source_text,
            "to_text": self.target_text,
            "evidence": self.evidence.to_json(),
        }


@dataclass
class Candidate:
    """A scored pair of plan items, not yet explained: its signals and its best-matching pair of sentences."""

    source: Item
    target: Item
    score: float
    signals: dict[str, float]
    left: int | None  # the source's sentence of the best-matching pair (an index into Corpus.sentences)
    right: int | None  # the target's
    existing: list[str] = field(default_factory=list)  # relations of links already in the data between the two

    @property
    def source_id(self) -> str:
        return self.source.id

    @property
    def target_id(self) -> str:
        return self.target.id


# --------------------------------------------------------------------------------------------
# Ranking


def suggest_links(
    store: GraphStore,
    from_plan: str,
    to_plan: str | None,
    *,
    top: int = 3,
    min_score: float = 0.0,
    include_existing: bool = False,
    item_types: tuple[NodeType | str, ...] | None = ITEM_TYPES,
    excluded: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> list[Suggestion]:
    """Rank candidate links from the items of ``from_plan`` to the items of ``to_plan``, best first.

    ``store`` is the built store of a data directory (``open_store``) or a ``memory_store``. At most ``top``
    candidates are kept per item of ``from_plan``, none scoring below ``min_score`` (nor 0); ``item_types`` limits
    the kinds of item compared (default: recommendations, actions and workstreams).

    Left out: pairs in ``excluded`` (rejected ones, either way round); pairs already linked in the data (either
    way) unless ``include_existing``, which keeps them flagged ``existing``; and, unless ``include_existing``,
    pairs a link in the data makes redundant (a link between two recommendations covers their workstreams,
    actions and updates). Of two candidates that are nested (a recommendation and its action) only the better
    is kept, and a workstream gives way to one of its recommendations that scores nearly as well. Within one
    plan each pair comes once. Suggestions are numbered from 1 in the order returned.

    With ``to_plan`` None the targets are the items of every other plan, ranked across plans: at most ``top``
    candidates per item of ``from_plan`` in all (each ``Suggestion`` names its target's plan, ``target_plan``).
    Raises UnknownIdError for an unknown plan.
    """
    kinds = tuple(NodeType(kind) if isinstance(kind, str) else kind for kind in (item_types or ITEM_TYPES))
    options = (set(excluded), top, min_score, include_existing)
    if to_plan is None and set(kinds) <= set(ROW_TYPES):
        indexed = IndexedCorpus(store, from_plan)
        if indexed.usable:
            try:
                return _rank(indexed, from_plan, None, kinds, *options)
            except RankDamaged:
                pass  # ranked from the store instead; the damaged rows are made again
    corpus = Corpus(store, None if to_plan is None else {from_plan, to_plan})
    return _rank(corpus, from_plan, to_plan, kinds, *options)


def _rank(
    corpus: Corpus,
    from_plan: str,
    to_plan: str | None,
    kinds: tuple[NodeType, ...],
    excluded: set[tuple[str, str]],
    top: int,
    min_score: float,
    include_existing: bool,
) -> list[Suggestion]:
    """Rank the candidates (``suggest_links``) from a corpus: every target's vectors made beforehand, or (an
    ``IndexedCorpus``) only those of the targets the bounds cannot leave out."""
    for plan in (from_plan, to_plan):
        if plan is not None and plan not in corpus.plans:
            raise UnknownIdError(f"no plan with id '{plan}'{did_you_mean(plan, corpus.plans)}")
    if to_plan is None and isinstance(corpus, IndexedCorpus):  # listed from the item table, made as they are read
        targets: Sequence[Item] = corpus.plan_items({plan for plan in corpus.plans if plan != from_plan}, kinds)
    elif to_plan is None:
        by_plan: dict[str, list[Item]] = defaultdict(list)
        for item in corpus.items.values():
            by_plan[item.plan].append(item)
        others = sorted(plan for plan in corpus.plans if plan != from_plan)
        targets = [target for plan in others for target in _plan_items(corpus, plan, kinds, by_plan[plan])]
    else:
        targets = _plan_items(corpus, to_plan, kinds)
    index: _SentenceIndex | None = None
    bounds: _Bounds | ArrayBounds
    if isinstance(corpus, IndexedCorpus):
        bounds = ArrayBounds(corpus, targets, WEIGHTS, _plan_items(corpus, from_plan, kinds))
    else:
        for target in targets:
            corpus.prepare(target)
        index = _SentenceIndex(corpus, {number for target in targets for number in target.sentences})
        bounds = _Bounds(targets, len(corpus.sentences), corpus.entity_idf)
    existing = existing_pairs(corpus)
    covered = covered_pairs(corpus, existing)
    places = Places(lambda: targets.ids if isinstance(targets, ItemList) else [target.id for target in targets])
    suggestions: list[Suggestion] = []
    for source in _plan_items(corpus, from_plan, kinds):
        corpus.prepare(source)
        best_sentences = index.best_matches(source) if index is not None else {}
        ranked: list[Candidate] = []
        order = bounds.ranked(source, best_sentences)
        scored = np.zeros(len(targets), dtype=bool)  # by target's place: scored, or left out (the same family)
        # the arrays' bounds are all but the scores themselves: a few more than ``top`` are scored first
        done, step = 0, (2 * top + 2 if isinstance(bounds, ArrayBounds) else max(32, 4 * top))
        wanted: list[int] = []
        while True:
            if not wanted:  # the next targets by bound, twice as many each time, until ``top`` are kept
                if done >= len(order):
                    break
                wanted, done, step = order[done : done + step], done + step, 2 * step
            chunk = [targets[position] for position in wanted if not scored[position]]
            scored[wanted] = True
            chunk = [target for target in chunk if not corpus.same_recommendation(source.id, target.id)]
            if isinstance(bounds, ArrayBounds):  # the chunk's targets scored from the arrays
                ranked += [Candidate(source, *found) for found in bounds.score(source, chunk)]
            else:
                ranked += [score_pair(corpus, source, target, best_sentences) for target in chunk]
            ranked.sort(key=lambda s: (-s.score, s.target_id))
            kept = keep_best(corpus, ranked, existing, covered, excluded, top, min_score, include_existing)
            wanted = may_change(corpus, kept, ranked, bounds.bound, scored, places) if len(kept) >= top else []
            if len(kept) >= top and not wanted:
                break
        kept = keep_best(corpus, ranked, existing, covered, excluded, top, min_score, include_existing)
        if isinstance(corpus, IndexedCorpus):
            for candidate in kept:
                corpus.prepare(candidate.target)
            corpus.detail([source, *(candidate.target for candidate in kept)])
        suggestions += [explain(corpus, candidate) for candidate in kept]
    ordered = sorted(suggestions, key=lambda s: (-s.score, s.source_id, s.target_id))
    suggestions = drop_nested_sources(corpus, ordered, same_plan=from_plan == to_plan)
    for number, suggestion in enumerate(suggestions, start=1):
        suggestion.number = number
    return suggestions


def explain_pair(store: GraphStore, source_id: str, target_id: str) -> Suggestion:
    """Score one pair of plan items and gather its evidence (to accept a link that was not suggested).

    Raises UnknownIdError when either id is not an item of a plan.
    """
    corpus = Corpus(store)
    for item_id in (source_id, target_id):
        if item_id not in corpus.items:
            raise UnknownIdError(f"'{item_id}' is not an item of a plan")
    source, target = corpus.items[source_id], corpus.items[target_id]
    corpus.prepare(source)
    corpus.prepare(target)
    candidate = score_pair(corpus, source, target, _SentenceIndex(corpus, set(target.sentences)).best_matches(source))
    suggestion = explain(corpus, candidate)
    suggestion.existing = existing_pairs(corpus).get(frozenset((source_id, target_id)), [])
    return suggestion


class _SentenceIndex:
    """An inverted index of some sentences, to find each one's best match among another item's sentences.

    The postings are numpy arrays; each sentence's score adds the same products in the same order (term by term)
    as a loop over Python floats would, so the cosines are exactly those of one.
    """

    def __init__(self, corpus: Corpus, numbers: set[int]) -> None:
        self.corpus = corpus
        self.numbers = np.array(sorted(numbers), dtype=np.int64)
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for position, number in enumerate(self.numbers.tolist()):
            for term, value in corpus.sentences[number][2].items():
                positions, weights = postings[term]
                positions.append(position)
                weights.append(value)
        self.postings = {
            term: (np.array(positions, dtype=np.int64), np.array(weights, dtype=np.float64))
            for term, (positions, weights) in postings.items()
        }

    def best_matches(self, source: Item) -> dict[int, tuple[float, int]]:
        """Map each indexed sentence to (best cosine, number of the source sentence that gives it)."""
        size = len(self.numbers)
        best = np.zeros(size, dtype=np.float64)
        best_left = np.full(size, -1, dtype=np.int64)
        for left in source.sentences:
            scores = np.zeros(size, dtype=np.float64)
            for term, value in self.corpus.sentences[left][2].items():
                found = self.postings.get(term)
                if found is not None:
                    positions, weights = found  # a sentence is listed once per term: no repeated positions
                    scores[positions] += value * weights
            better = scores > best
            best[better] = scores[better]
            best_left[better] = left
        matched = np.nonzero(best_left >= 0)[0]
        return {
            number: (similarity, left)
            for number, similarity, left in zip(
                self.numbers[matched].tolist(), best[matched].tolist(), best_left[matched].tolist(), strict=True
            )
        }


class _Bounds:
    """Upper bounds of the scores of one source item against every target, from postings of the targets' terms.

    A target that shares no term, phrase, entity or matched sentence with the source scores exactly 0 and is left
    out (numpy arrays: postings per term, the bounds of every target). The bound adds the exact sentence signal and
    the text, phrase and entity signals summed in another order (hence the margin).
    """

    _MARGIN = 1e-9

    def __init__(self, targets: Sequence[Item], sentence_count: int, entity_idf: dict[str, float]) -> None:
        self.size = len(targets)
        self.entity_idf = entity_idf
        terms: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        phrases: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        entities: dict[str, list[int]] = defaultdict(list)
        sentence_numbers: list[int] = []
        sentence_positions: list[int] = []
        for position, target in enumerate(targets):
            for postings, vector in ((terms, target.vector), (phrases, target.phrase_vector)):
                for term, value in vector.items():
                    postings[term][0].append(position)
                    postings[term][1].append(value)
            for entity in target.entities:
                entities[entity].append(position)
            sentence_numbers += target.sentences
            sentence_positions += [position] * len(target.sentences)
        self.terms = {term: (np.array(p, dtype=np.int64), np.array(v)) for term, (p, v) in terms.items()}
        self.phrases = {term: (np.array(p, dtype=np.int64), np.array(v)) for term, (p, v) in phrases.items()}
        self.entities = {entity: np.array(p, dtype=np.int64) for entity, p in entities.items()}
        self.entity_squares = np.array(
            [sum(entity_idf.get(entity, 0.0) ** 2 for entity in sorted(target.entities)) for target in targets]
        )
        self.sentence_numbers = np.array(sentence_numbers, dtype=np.int64)
        self.sentence_positions = np.array(sentence_positions, dtype=np.int64)
        self.sentence_count = sentence_count
        self.bound = np.zeros(0)

    def ranked(self, source: Item, best_sentences: dict[int, tuple[float, int]]) -> list[int]:
        """The targets that may score above 0, highest bound first (``self.bound`` holds the bounds)."""
        bound = np.zeros(self.size)
        for vector, postings, weight in (
            (source.vector, self.terms, WEIGHTS["text"]),
            (source.phrase_vector, self.phrases, WEIGHTS["phrases"]),
        ):
            for term, value in vector.items():
                found = postings.get(term)
                if found is not None:
                    bound[found[0]] += (weight * value) * found[1]  # a target is listed once per term
        if best_sentences:
            similarity = np.zeros(self.sentence_count)
            similarity[np.fromiter(best_sentences, dtype=np.int64)] = [value for value, _ in best_sentences.values()]
            sentence = np.zeros(self.size)
            np.maximum.at(sentence, self.sentence_positions, similarity[self.sentence_numbers])
            bound += WEIGHTS["sentence"] * sentence
        # the entity signal itself (``weighted_overlap``), summed in another order: covered by the margin
        shared = np.zeros(self.size)
        for entity in source.entities:
            having = self.entities.get(entity)
            if having is not None:
                shared[having] += self.entity_idf.get(entity, 0.0) ** 2
        own = sum(self.entity_idf.get(entity, 0.0) ** 2 for entity in source.entities)
        if own > 0.0:
            sharing = np.nonzero(shared > 0.0)[0]
            bound[sharing] += WEIGHTS["entities"] * shared[sharing] / np.sqrt(own * self.entity_squares[sharing])
        self.bound = bound + self._MARGIN
        touched = np.nonzero(bound > 0.0)[0]
        return touched[np.lexsort((touched, -bound[touched]))].tolist()


def _plan_items(
    corpus: Corpus, plan: str, item_types: tuple[NodeType, ...], among: Iterable[Item] | None = None
) -> list[Item]:
    """The items of a plan of some types (``among`` some items, by default all), workstreams first, then by id."""
    if among is None and isinstance(corpus, IndexedCorpus):  # from the item table: only these items made
        return list(corpus.plan_items([plan], item_types))
    candidates = corpus.items.values() if among is None else among
    items = [item for item in candidates if item.plan == plan and item.type in item_types]
    order = {NodeType.WORKSTREAM: 0, NodeType.RECOMMENDATION: 1, NodeType.ACTION: 2}
    return sorted(items, key=lambda item: (order.get(item.type, 3), item.id))


def score_pair(corpus: Corpus, source: Item, target: Item, best_sentences: dict[int, tuple[float, int]]) -> Candidate:
    """Score one candidate link (its evidence and proposed relation are found by ``explain``).

    ``best_sentences`` maps each sentence of the target's plan to its best cosine with a sentence of the source.
    """
    sentence = 0.0
    left: int | None = None
    right: int | None = None
    for number in target.sentences:
        similarity, match = best_sentences.get(number, (0.0, -1))
        if similarity > sentence:
            sentence, left, right = similarity, match, number
    signals = {
        "text": cosine(source.vector, target.vector),
        "sentence": sentence,
        "entities": weighted_overlap(source.entities, target.entities, corpus.entity_idf),
        "phrases": cosine(source.phrase_vector, target.phrase_vector),
    }
    score = sum(WEIGHTS[name] * value for name, value in signals.items())
    return Candidate(source, target, score, signals, left, right)


def explain(corpus: Corpus, candidate: Candidate) -> Suggestion:
    """Turn a scored candidate into a suggestion: its evidence and proposed relation."""
    source, target = candidate.source, candidate.target
    left_item, left_text = _quote_of(corpus, source, candidate.left)
    right_item, right_text = _quote_of(corpus, target, candidate.right)
    shared_phrases = _maximal(source.phrases & target.phrases)
    by_rarity = lambda phrase: (-corpus.phrase_idf[phrase], -len(phrase), phrase)  # noqa: E731
    evidence = Evidence(
        shared_terms=_top_terms(corpus, source, target),
        shared_phrases=[corpus.describe(p, source, target) for p in sorted(shared_phrases, key=by_rarity)[:5]],
        shared_entities=_describe_entities(corpus, source.entities & target.entities),
        from_sentence=left_text,
        to_sentence=right_text,
        from_sentence_item=left_item,
        to_sentence_item=right_item,
        signals=candidate.signals,
    )
    return Suggestion(
        source.id,
        target.id,
        candidate.score,
        propose_relation(corpus.own_text(source.id), corpus.own_text(target.id), left_text),
        evidence,
        source.label,
        target.label,
        source.type.value,
        target.type.value,
        existing=candidate.existing,
        source_text=source.text or source.title or source.label,
        target_text=target.text or target.title or target.label,
        target_plan=target.plan,
    )


def _quote_of(corpus: Corpus, item: Item, number: int | None) -> tuple[str, str]:
    """Return (item id, sentence) of a sentence, or the item's own first sentence when nothing matched."""
    if number is None:
        if not item.sentences:
            return item.id, ""
        number = item.sentences[0]
    return corpus.sentences[number][0], corpus.sentences[number][1]


def _maximal(found: set[str]) -> set[str]:
    """Drop phrases contained in a longer phrase of the same set (a run of its words)."""
    # the runs of words inside the phrases, level by level from the longest: a run of n words is inside a phrase of
    # n + 1 words or inside a run of them, i.e. it is one of them less its first or its last word
    by_spaces: dict[int, set[str]] = defaultdict(set)
    for phrase in found:
        by_spaces[phrase.count(" ")].add(phrase)
    inside: set[str] = set()
    level: set[str] = set()
    for spaces in range(max(by_spaces, default=0), min(by_spaces, default=0), -1):
        level |= by_spaces.get(spaces, set())
        level = {run.partition(" ")[2] for run in level} | {run.rpartition(" ")[0] for run in level}
        inside |= level
    return found - inside


def _top_terms(corpus: Corpus, source: Item, target: Item, count: int = 6) -> list[str]:
    """The shared words (not pairs of words) that add most to the text signal, as written."""
    # over the shorter vector (a product is the same either way round; the order is the sort's)
    fewer, more = sorted((source.vector, target.vector), key=len)
    contributions = {term: value * more[term] for term, value in fewer.items() if term in more and " " not in term}
    best = sorted(contributions, key=lambda term: (-contributions[term], term))[:count]
    return [corpus.describe(term, source, target) for term in best]


def _describe_entities(corpus: Corpus, entities: set[str]) -> list[SharedEntity]:
    ordered = sorted(entities, key=lambda entity: (-corpus.entity_idf.get(entity, 0.0), entity))
    return [SharedEntity(entity, *corpus.entity_labels[entity]) for entity in ordered if corpus.entity_idf.get(entity)]


def propose_relation(source_text: str, target_text: str, source_sentence: str) -> Relation:
    """Propose a relation: duplicate-of when the wording nearly matches, feeds-into when the best-matching
    sentence says it informs or feeds into something, otherwise related-to.

    >>> propose_relation("Develop a national strategy.", "Develop a national strategy", "")
    <Relation.DUPLICATE_OF: 'duplicate-of'>
    >>> propose_relation("A", "B", "The findings will inform the 2030 strategy.")
    <Relation.FEEDS_INTO: 'feeds-into'>
    >>> propose_relation("A", "B", "This plan will be informed by the thematic.")
    <Relation.RELATED_TO: 'related-to'>
    """
    if source_text and target_text and _may_be_duplicates(left := source_text.lower(), right := target_text.lower()):
        if left == right or _nearly_matching(left, right):
            return Relation.DUPLICATE_OF
    if _FEED_CUE.search(source_sentence):
        return Relation.FEEDS_INTO
    return Relation.RELATED_TO


def _may_be_duplicates(left: str, right: str) -> bool:
    """Whether two texts may be as similar as ``DUPLICATE_RATIO`` (``SequenceMatcher.ratio`` at least that): False
    only when an upper bound of the ratio is below it.

    The ratio is ``2 M / T`` of the ``M`` characters its matching blocks hold (a common subsequence) and both
    lengths ``T``; ``M`` is at most the longest common subsequence, ``(T - d) / 2`` for the ``d`` characters
    inserted and deleted to turn one text into the other. ``d`` is at least the difference of the lengths
    (``real_quick_ratio``) and the characters the texts do not share (``quick_ratio``); and, as one character
    inserted or deleted changes at most three of a text's pairs of neighbouring characters, at least a third of
    the pairs the texts do not share.

    >>> _may_be_duplicates("develop a national strategy.", "develop a national strategy")
    True
    >>> _may_be_duplicates("abcd", "dcba")  # the same characters, no pair shared
    False
    """
    if left == right:
        return True
    total = len(left) + len(right)
    most = min(len(left), len(right))
    if 2.0 * most / total < DUPLICATE_RATIO:
        return False
    most = min(most, sum((Counter(left) & Counter(right)).values()))
    if 2.0 * most / total < DUPLICATE_RATIO:
        return False
    shared = sum((Counter(map(add, left, left[1:])) & Counter(map(add, right, right[1:]))).values())
    unshared = len(left) + len(right) - 2 - 2 * shared
    changed = -(-unshared // 3)  # characters inserted or deleted, at least (a third, rounded up)
    return 2.0 * min(most, (total - changed) // 2) / total >= DUPLICATE_RATIO


def _nearly_matching(left: str, right: str) -> bool:
    """``SequenceMatcher(None, left, right, autojunk=False).ratio() >= DUPLICATE_RATIO`` (two texts, not both
    empty), worked out only as far as the answer needs.

    The ratio is ``2 M / T`` of the characters ``M`` its matching blocks hold: the longest common run, then the
    same again on each side of it (``get_matching_blocks``). The blocks are found with difflib's own
    ``find_longest_match`` and summed; it stops as soon as those found reach the ratio, or when they cannot
    reach it with what is left: each side still to search holds at most its shorter length, and all the blocks
    together at most the longest common subsequence (they are one).

    >>> _nearly_matching("develop a national strategy.", "develop a national strategy")
    True
    >>> _nearly_matching("develop a national strategy.", "publish a local plan")
    False
    """
    import difflib  # noqa: PLC0415 - seldom needed: imported when it is

    total = len(left) + len(right)
    most = _common_subsequence(left, right)
    if 2.0 * most / total < DUPLICATE_RATIO:
        return False
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    found, room, todo = 0, min(len(left), len(right)), [(0, len(left), 0, len(right))]
    while todo:
        if 2.0 * found / total >= DUPLICATE_RATIO:
            return True
        if 2.0 * min(found + room, most) / total < DUPLICATE_RATIO:
            return False
        low, high, start, end = todo.pop()
        room -= min(high - low, end - start)
        at, to, size = matcher.find_longest_match(low, high, start, end)
        found += size
        if size and low < at and start < to:
            todo.append((low, at, start, to))
            room += min(at - low, to - start)
        if size and at + size < high and to + size < end:
            todo.append((at + size, high, to + size, end))
            room += min(high - at - size, end - to - size)
    return 2.0 * found / total >= DUPLICATE_RATIO


def _common_subsequence(left: str, right: str) -> int:
    """The length of the longest common subsequence of two texts (bit-parallel: one bit per character of
    ``left``, a zero bit for each character of it in the subsequence).

    >>> _common_subsequence("a national strategy", "national strategies")
    16
    """
    where: dict[str, int] = {}
    for place, character in enumerate(left):
        where[character] = where.get(character, 0) | 1 << place
    full = (1 << len(left)) - 1
    bits = full
    for character in right:
        matched = bits & where.get(character, 0)
        bits = ((bits + matched) | (bits - matched)) & full
    return len(left) - bits.bit_count()


def say_top(suggestions: list[Suggestion], top: int, from_plan: str) -> str:
    """Say what a list of suggestions holds: ``top`` is per item of ``from_plan``, not for the whole list.

    >>> say_top([], 3, "north")
    'No suggestions (at most 3 per item of north).'
    """
    if not suggestions:
        return f"No suggestions (at most {top} per item of {from_plan})."
    items = len({suggestion.source_id for suggestion in suggestions})
    return (
        f"{counted(len(suggestions), 'suggestion')} for {counted(items, 'item')} of {from_plan}: at most {top} "
        f"per item (--top {top}), best first."
    )
