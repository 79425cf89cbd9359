"""Which scored candidates are kept: not rejected, not already linked or made redundant by a link in the data, not
nested in a better one (a recommendation and its action), and a workstream giving way to one of its recommendations
that scores nearly as well (``similar._rank`` asks, for the scored and the unindexed ranking alike); and which targets
not scored yet may still change that, by their bounds (``may_change``).
"""

from __future__ import annotations

import functools
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol, TypeVar

import numpy as np

from ..model.nodes import NodeType, Relation

if TYPE_CHECKING:
    from .corpus import Corpus

SPECIFIC_SHARE = 0.9  # a recommendation scoring this share of its workstream's score is preferred to it


class Scored(Protocol):
    """A scored pair (``similar.Candidate`` before it is explained, ``similar.Suggestion`` after)."""

    score: float
    existing: list[str]

    @property
    def source_id(self) -> str: ...

    @property
    def target_id(self) -> str: ...


Pair = TypeVar("Pair", bound=Scored)
_LINEAGES: weakref.WeakKeyDictionary[Corpus, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def existing_pairs(corpus: Corpus) -> dict[frozenset[str], list[str]]:
    """The pairs of items linked in the data (either way round), with the relations linking them."""
    pairs: dict[frozenset[str], list[str]] = defaultdict(list)
    for row in corpus.links:
        pairs[frozenset((row["from"], row["to"]))].append(Relation.from_term(row["relation"]).value)
    return pairs


def covered_pairs(corpus: Corpus, existing: dict[frozenset[str], list[str]]) -> set[tuple[str, str]]:
    """Return the pairs a link already in the data makes redundant: the same ends, or broader ones, or parts."""
    covered: set[tuple[str, str]] = set()
    for pair in existing:
        ends = tuple(pair)
        if len(ends) != 2 or not all(end in corpus.items for end in ends):
            continue
        first, second = (lineage(corpus, end) for end in ends)
        covered.update((x, y) for x in first for y in second)
        covered.update((y, x) for x in first for y in second)
    return covered


def keep_best(
    corpus: Corpus,
    ranked: list[Pair],
    existing: dict[frozenset[str], list[str]],
    covered: set[tuple[str, str]],
    excluded: set[tuple[str, str]],
    top: int,
    min_score: float,
    include_existing: bool,
) -> list[Pair]:
    """Keep the best candidates of one item: not nested in a better one, not redundant, not rejected."""
    kept: list[Pair] = []
    kept_lineages: list[frozenset[str]] = []
    scores = {s.target_id: s.score for s in ranked}
    for suggestion in ranked:
        pair = (suggestion.source_id, suggestion.target_id)
        if excluded & {pair, pair[::-1]}:
            continue
        # a workstream gives way to one of its recommendations that scores nearly as well: the recommendation
        # says more precisely what is linked
        target = corpus.items[suggestion.target_id]
        inside = target.children if target.type is NodeType.WORKSTREAM else []
        if any(scores.get(item, 0.0) >= SPECIFIC_SHARE * suggestion.score for item in inside):
            continue
        if frozenset(pair) in existing:
            if not include_existing:
                continue
            suggestion.existing = existing[frozenset(pair)]
        elif (pair in covered and not include_existing) or any(pair[1] in found for found in kept_lineages):
            continue
        if suggestion.score <= 0.0 or suggestion.score < min_score or len(kept) >= top:
            continue
        kept.append(suggestion)
        kept_lineages.append(lineage(corpus, suggestion.target_id))
        if len(kept) >= top:  # the rest would all be left out
            break
    return kept


class Places:
    """Each target's place in the list of targets, by id (``ids`` lists them), made when first asked for."""

    def __init__(self, ids: Callable[[], list[str]]) -> None:
        self.ids = ids
        self._found: dict[str, int] | None = None

    def of(self, ids: Iterable[str]) -> list[int]:
        """The places of some ids (those not among the targets left out)."""
        if self._found is None:
            listed = self.ids()
            self._found = dict(zip(listed, range(len(listed)), strict=True))
        return [self._found[id_] for id_ in ids if id_ in self._found]


def may_change(
    corpus: Corpus, kept: list[Pair], ranked: list[Pair], bound: np.ndarray, scored: np.ndarray, places: Places
) -> list[int]:
    """The targets not scored yet (their places) that may change what ``keep_best`` keeps (``kept``, from
    ``ranked``), by their bounds (each at least the target's score): it reads the candidates in order up to the last
    kept one, so only a target that would come before it (scoring at least as much), or a recommendation of a
    workstream read by then that would make it give way (scoring ``SPECIFIC_SHARE`` of it), can; one that scores less
    than both is read after that, and changes nothing."""
    last = kept[-1]
    may = (bound >= last.score) & ~scored
    for candidate in ranked:
        target = corpus.items[candidate.target_id]
        if target.type is NodeType.WORKSTREAM and target.children:
            inside = np.array(places.of(target.children), dtype=np.int64)
            may[inside[(bound[inside] >= SPECIFIC_SHARE * candidate.score) & ~scored[inside]]] = True
        if candidate is last:
            break
    return np.nonzero(may)[0].tolist()


def drop_nested_sources(corpus: Corpus, suggestions: list[Pair], same_plan: bool) -> list[Pair]:
    """Of suggestions whose sources are nested (a recommendation and its action) and whose targets are the same
    or nested, keep the best; a workstream gives way to one of its recommendations that scores nearly as well.
    Within one plan, a pair the other way round counts as the same."""
    best = {(s.source_id, s.target_id): s.score for s in suggestions}
    nested = functools.cache(functools.partial(nested_items, corpus))
    kept: list[Pair] = []
    by_source: dict[str, list[Pair]] = {}  # the kept ones, by source: only those of a nested source are compared
    for suggestion in suggestions:
        source, target = suggestion.source_id, suggestion.target_id
        item = corpus.items[source]
        if item.type is NodeType.WORKSTREAM and any(
            best.get((child, target), 0.0) >= SPECIFIC_SHARE * suggestion.score for child in item.children
        ):
            continue
        if any(
            other != source and nested(other, source) and any(nested(k.target_id, target) for k in found)
            for other, found in by_source.items()
        ) or (same_plan and any(nested(k.source_id, target) and nested(k.target_id, source) for k in kept)):
            continue
        kept.append(suggestion)
        by_source.setdefault(source, []).append(suggestion)
    return kept


def nested_items(corpus: Corpus, first: str, second: str) -> bool:
    """Whether two items are the same or one is in the other's lineage (a recommendation and its action)."""
    return first == second or first in lineage(corpus, second) or second in lineage(corpus, first)


def lineage(corpus: Corpus, item_id: str) -> frozenset[str]:
    """Return the items a link to this one makes redundant: itself, what it is part of and, unless it is a
    workstream (whose recommendations are worth linking one by one), its actions and updates (kept per corpus)."""
    if item_id not in (known := _LINEAGES.setdefault(corpus, {})):
        item = corpus.items[item_id]
        out = {item_id} if item.type is NodeType.WORKSTREAM else set(corpus.family(item_id))
        while True:
            parent = item.parent or (item.workstream if item.type is NodeType.RECOMMENDATION else None)
            if parent not in corpus.items:
                break
            out.add(parent)
            item = corpus.items[parent]
        known[item_id] = frozenset(out)
    return known[item_id]
