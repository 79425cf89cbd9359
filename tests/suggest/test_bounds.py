"""Upper bounds and exact scores from the index's arrays (graph.suggest.bounds): the same floats as the vectors and
the sentence index give, only the pairs the bounds cannot exclude scored, the targets in the order of their bounds."""

import shutil

import numpy as np
import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.suggest import bounds, everywhere, similar
from crossplan.graph.suggest.corpus import cosine, make_index
from crossplan.graph.suggest.similar import suggest_links

from .test_everywhere import SHIPPED


@pytest.fixture
def shipped_bounds(tmp_path):
    """The shipped data indexed: the data folder, the HMIP plan's indexed corpus, the Blueprint's items as targets
    and the bounds over them."""
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    store = open_store(data, tmp_path / "store")
    make_index(store)
    indexed = everywhere.IndexedCorpus(store, "hmip-resettlement")
    targets = similar._plan_items(indexed, "yj-blueprint", similar.ITEM_TYPES)
    return data, indexed, targets, bounds.ArrayBounds(indexed, targets, similar.WEIGHTS)


def test_only_pairs_the_bounds_cannot_exclude_are_scored(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    store = open_store(data, tmp_path / "store")
    make_index(store)
    scored = []
    real = bounds.ArrayBounds.score

    def counting(self, source, targets):
        scored.extend((source.id, target.id) for target in targets)
        return real(self, source, targets)

    monkeypatch.setattr(bounds.ArrayBounds, "score", counting)
    assert suggest_links(store, "hmip-resettlement", None, top=1)
    indexed = everywhere.IndexedCorpus(store, "hmip-resettlement")
    sources = similar._plan_items(indexed, "hmip-resettlement", similar.ITEM_TYPES)
    targets = similar._plan_items(indexed, "yj-blueprint", similar.ITEM_TYPES)
    assert 0 < len(scored) < len(sources) * len(targets)  # some pairs left out (at 1M: 3,000 of 3 million)


def test_the_sentence_cosines_from_the_arrays_are_those_of_the_sentence_index(shipped_bounds):
    """The arrays' sentence vectors are the very floats ``vector`` makes: the best matches are equal, not close,
    and the same sentence of the source gives them."""
    from crossplan.graph.suggest.corpus import Corpus

    data, indexed, targets, array_bounds = shipped_bounds
    corpus = Corpus(memory_store(load_dataset(data)))
    reference = similar._plan_items(corpus, "yj-blueprint", similar.ITEM_TYPES)
    for target in reference:
        corpus.prepare(target)
    index = similar._SentenceIndex(corpus, {number for target in reference for number in target.sentences})
    compared = 0
    for source in similar._plan_items(indexed, "hmip-resettlement", similar.ITEM_TYPES):
        indexed.prepare(source)
        indexed.detail([source])  # its sentences read: each names its item
        array_bounds.ranked(source)
        twin = corpus.items[source.id]
        corpus.prepare(twin)
        expected = index.best_matches(twin)
        for target, other in zip(targets, reference, strict=True):
            indexed.prepare(target)
            found = array_bounds.matches(source, target.sentences)
            want = {n: expected[m] for n, m in zip(target.sentences, other.sentences, strict=True) if m in expected}
            assert {n: value for n, (value, _) in found.items()} == {n: value for n, (value, _) in want.items()}
            assert {n: indexed.sentences[left][0] for n, (_, left) in found.items()} == {
                n: corpus.sentences[left][0] for n, (_, left) in want.items()
            }
            compared += len(found)
    assert compared


def test_the_cosines_from_the_arrays_are_those_of_the_vectors(shipped_bounds):
    """Text and phrase cosines computed from the arrays are the floats ``cosine`` gives for the vectors ``prepare``
    makes (and the int 0 when either vector is empty, as ``cosine`` gives)."""

    data, indexed, targets, array_bounds = shipped_bounds
    sources = similar._plan_items(indexed, "hmip-resettlement", similar.ITEM_TYPES)
    for item in sources + targets:
        indexed.prepare(item)
    kinds = set()
    for source in sources:
        texts = array_bounds.cosines(source, targets, "term")
        phrases = array_bounds.cosines(source, targets, "phrase")
        for target, text, phrase in zip(targets, texts, phrases, strict=True):
            expected = (cosine(source.vector, target.vector), cosine(source.phrase_vector, target.phrase_vector))
            assert (text, phrase) == expected
            assert (type(text), type(phrase)) == tuple(map(type, expected))
            kinds |= {type(phrase), bool(phrase)}
    assert kinds == {int, float, True, False}  # empty vectors, and cosines of 0.0 and above, all met


@pytest.mark.parametrize("size", [10, 300, 5000])
def test_the_targets_are_ordered_as_far_as_read_as_if_all_were_sorted(size):

    generator = np.random.default_rng(size)
    bound = np.round(generator.random(size), 2)  # many equal bounds
    bound[generator.random(size) < 0.2] = 0.0  # targets out of reach
    touched = np.nonzero(bound > 0.0)[0]
    expected = touched[np.lexsort((touched, -bound[touched]))].tolist()
    order = bounds._Order(bound)
    assert len(order) == len(expected)
    assert order[0:10] == expected[0:10]
    assert [order[number] for number in range(min(len(expected), 300))] == expected[:300]
    assert order[0 : len(expected)] == expected
    assert order[-1] == expected[-1]


def test_the_bounds_are_at_least_the_scores_on_the_shipped_data(shipped_bounds):
    """Every target's bound is at least its exact score (the float ``score_pair`` gives), and not far above it:
    the sentence signal (1 when a term is shared) is the only loose one."""
    data, indexed, targets, array_bounds = shipped_bounds
    compared = 0
    for source in similar._plan_items(indexed, "hmip-resettlement", similar.ITEM_TYPES):
        indexed.prepare(source)
        reached = set(array_bounds.ranked(source)[:])
        bound = array_bounds.bound
        for position, (_, score, signals, _, _) in enumerate(array_bounds.score(source, targets)):
            assert score <= bound[position]
            # the bounds are kept as float32: at most their rounding margin (``ranked`` adds it) above
            rounding = bounds.ArrayBounds._ROUNDING
            tight = score + similar.WEIGHTS["sentence"] * (1 - signals["sentence"]) + 1e-6
            assert bound[position] <= tight * (1 + 2 * rounding) + rounding
            assert position in reached or score == 0.0
            compared += score > 0.0
    assert compared > 100


def test_the_source_sentences_vectors_from_the_arrays_are_those_the_corpus_makes(shipped_bounds):
    """The source's sentence vectors made from the arrays are those the unindexed corpus makes: the same sentences,
    terms in the same order, the same floats."""
    data, indexed, targets, array_bounds = shipped_bounds
    from crossplan.graph.suggest.corpus import Corpus

    corpus = Corpus(memory_store(load_dataset(data)))
    compared = 0
    for source in similar._plan_items(indexed, "hmip-resettlement", similar.ITEM_TYPES):
        indexed.prepare(source)
        indexed.detail([source])
        unindexed = corpus.items[source.id]
        corpus.prepare(unindexed)
        assert [indexed.sentences[left][:2] for left in source.sentences] == [
            corpus.sentences[number][:2] for number in unindexed.sentences
        ]  # the same sentences of the same members, in the same order
        lefts, entry_left, entry_ids, entry_values = array_bounds._source_entries(source)
        expected = {
            left: corpus.sentences[number][2]
            for left, number in zip(source.sentences, unindexed.sentences, strict=True)
        }
        assert lefts == [left for left in source.sentences if expected[left]]
        names = indexed.term_names
        found: dict[int, list[tuple[str, float]]] = {left: [] for left in lefts}
        for left, id_, value in zip(entry_left, entry_ids, entry_values, strict=True):
            found[lefts[left]].append((names[id_], value))
        assert found == {left: list(expected[left].items()) for left in lefts}
        compared += len(lefts)
    assert compared > 20


def test_the_best_sentences_scored_are_those_of_every_sentence_matched(shipped_bounds, monkeypatch):
    """``score`` works out only the sentences whose bound may reach their target's best: the best sentence, its
    cosine and the source sentence giving it are those found when every sentence is matched (``matches``)."""
    data, indexed, targets, array_bounds = shipped_bounds
    worked_out = []
    real = bounds.ArrayBounds._best

    def counting(self, source, size, *entries):
        worked_out.append(size)
        return real(self, source, size, *entries)

    monkeypatch.setattr(bounds.ArrayBounds, "_best", counting)
    total = in_score = 0
    for source in similar._plan_items(indexed, "hmip-resettlement", similar.ITEM_TYPES):
        indexed.prepare(source)
        worked_out.clear()
        scored = array_bounds.score(source, targets)
        in_score += sum(worked_out)
        total += len({number for target in targets for number in indexed.sentences_of(target)})
        for target, (_, _, signals, left, right) in zip(targets, scored, strict=True):
            found = array_bounds.matches(source, indexed.sentences_of(target))
            best = max((value for value, _ in found.values()), default=0.0)
            first = next(
                (number for number in indexed.sentences_of(target) if number in found and found[number][0] == best),
                None,
            )
            assert signals["sentence"] == best
            assert (left, right) == ((found[first][1], first) if first is not None else (None, None))
    assert 0 < in_score < total  # sentences left out by their bound
