"""Upper bounds and exact scores from the index's arrays (graph.suggest.bounds): the same floats as the vectors and
the sentence index give, only the pairs the bounds cannot exclude scored, the targets in the order of their bounds."""

import shutil

import numpy as np
import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.suggest import bounds, everywhere, similar
from crossplan.graph.suggest.corpus import make_index
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
    from crossplan.graph.suggest.corpus import cosine

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
