"""Ranking one plan against every other plan from the index's arrays (graph.suggest.everywhere): exactly the
suggestions of the unindexed ranking, from what the build keeps, with damaged rows made again."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.suggest import everywhere, similar
from crossplan.graph.suggest.compact import DATABASE
from crossplan.graph.suggest.corpus import make_index
from crossplan.graph.suggest.index import FOLDER
from crossplan.graph.suggest.similar import suggest_links

SHIPPED = Path(__file__).parents[2] / "data"
SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"

OPTIONS = [
    {"top": 1},
    {"top": 3},
    {"top": 2, "min_score": 0.05},
    {"top": 3, "include_existing": True},
    {"top": 2, "item_types": ("recommendation",)},
    {"top": 2, "excluded": {("north/n1", "south/s1")}},
]


def as_json(found):
    return [s.to_json() for s in found]


@pytest.fixture
def four_plans(tmp_path):
    """The north/south fixture with two more plans, west and east: reworded copies of north and south."""
    data = tmp_path / "data"
    shutil.copytree(SUGGEST, data)
    add_reworded_copy(data, "north", "west", ("The North", "The West"), ("accommodation", "housing"))
    add_reworded_copy(data, "south", "east", ("The South", "The East"), ("training", "learning"))
    return data


def add_reworded_copy(data, plan, copy, title, word):
    """Write ``plans/COPY.yaml``: PLAN's file with the id COPY, its title and one word replaced (``(old, new)``)."""
    text = (data / "plans" / f"{plan}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"id: {plan}", f"id: {copy}").replace(*title).replace(*word)
    (data / "plans" / f"{copy}.yaml").write_text(text, encoding="utf-8")


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
    return data, indexed, targets, everywhere.ArrayBounds(indexed, targets, similar.WEIGHTS)


def used_the_index(monkeypatch):
    """Count the rankings done from the index's arrays."""
    used = []
    real = everywhere.ArrayBounds.__init__

    def init(self, *args):
        used.append(1)
        real(self, *args)

    monkeypatch.setattr(everywhere.ArrayBounds, "__init__", init)
    return used


@pytest.mark.parametrize("options", OPTIONS)
def test_every_plan_ranked_from_the_arrays_as_without_an_index(four_plans, tmp_path, monkeypatch, options):
    unindexed = memory_store(load_dataset(four_plans))
    store = open_store(four_plans, tmp_path / "store")
    used = used_the_index(monkeypatch)
    for plan in ("north", "south", "west", "east"):
        expected = as_json(suggest_links(unindexed, plan, None, **options))
        assert as_json(suggest_links(store, plan, None, **options)) == expected
    assert len(used) == 4
    assert expected


def test_the_shipped_data_ranked_from_the_arrays_as_without_an_index(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    unindexed = memory_store(load_dataset(data))
    store = open_store(data, tmp_path / "store")
    make_index(store)
    used = used_the_index(monkeypatch)
    for plan in ("hmip-resettlement", "yj-blueprint"):
        for options in ({"top": 3}, {"top": 5, "min_score": 0.02}, {"top": 2, "include_existing": True}):
            found = as_json(suggest_links(store, plan, None, **options))
            assert found and found == as_json(suggest_links(unindexed, plan, None, **options))
    assert used


def test_only_pairs_the_bounds_cannot_exclude_are_scored(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    store = open_store(data, tmp_path / "store")
    make_index(store)
    scored = []
    real = everywhere.ArrayBounds.score

    def counting(self, source, targets):
        scored.extend((source.id, target.id) for target in targets)
        return real(self, source, targets)

    monkeypatch.setattr(everywhere.ArrayBounds, "score", counting)
    assert suggest_links(store, "hmip-resettlement", None, top=1)
    indexed = everywhere.IndexedCorpus(store, "hmip-resettlement")
    sources = similar._plan_items(indexed, "hmip-resettlement", similar.ITEM_TYPES)
    targets = similar._plan_items(indexed, "yj-blueprint", similar.ITEM_TYPES)
    assert 0 < len(scored) < len(sources) * len(targets)  # some pairs left out (at 1M: 3,000 of 3 million)


def test_the_sentence_cosines_from_the_arrays_are_those_of_the_sentence_index(shipped_bounds):
    """The arrays' sentence vectors are the very floats ``vector`` makes: the best matches are equal, not close,
    and the same sentence of the source gives them."""
    from crossplan.graph.suggest.corpus import Corpus

    data, indexed, targets, bounds = shipped_bounds
    corpus = Corpus(memory_store(load_dataset(data)))
    reference = similar._plan_items(corpus, "yj-blueprint", similar.ITEM_TYPES)
    for target in reference:
        corpus.prepare(target)
    index = similar._SentenceIndex(corpus, {number for target in reference for number in target.sentences})
    compared = 0
    for source in similar._plan_items(indexed, "hmip-resettlement", similar.ITEM_TYPES):
        indexed.prepare(source)
        bounds.ranked(source)
        twin = corpus.items[source.id]
        corpus.prepare(twin)
        expected = index.best_matches(twin)
        for target, other in zip(targets, reference, strict=True):
            indexed.prepare(target)
            found = bounds.matches(source, target.sentences)
            want = {n: expected[m] for n, m in zip(target.sentences, other.sentences, strict=True) if m in expected}
            assert {n: value for n, (value, _) in found.items()} == {n: value for n, (value, _) in want.items()}
            assert {n: indexed.sentences[left][0] for n, (_, left) in found.items()} == {
                n: corpus.sentences[left][0] for n, (_, left) in want.items()
            }
            compared += len(found)
    assert compared


def test_damaged_rows_are_made_again_and_the_ranking_is_unchanged(four_plans, tmp_path, monkeypatch):
    expected = as_json(suggest_links(memory_store(load_dataset(four_plans)), "north", None, top=2))
    store_path = tmp_path / "store"
    make_index(open_store(four_plans, store_path))
    database = store_path / FOLDER / DATABASE
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE plans SET arrays = X'00112233' WHERE rowid = 1")  # not an array
        connection.execute("UPDATE plans SET items = '[1, 2]' WHERE rowid = 2")  # not a list of items
    used = used_the_index(monkeypatch)
    assert as_json(suggest_links(open_store(four_plans, store_path), "north", None, top=2)) == expected
    assert used  # the damaged rows were made again, and the arrays used
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE items SET data = '{}'")  # every item's texts unreadable
    assert as_json(suggest_links(open_store(four_plans, store_path), "north", None, top=2)) == expected
    assert as_json(suggest_links(open_store(four_plans, store_path), "north", None, top=2)) == expected


def test_after_a_one_file_edit_only_that_plan_is_made_again(four_plans, tmp_path, monkeypatch):
    store_path = tmp_path / "store"
    make_index(open_store(four_plans, store_path))
    west = four_plans / "plans" / "west.yaml"
    west.write_text(west.read_text(encoding="utf-8").replace("Train the staff", "Train the officers"), encoding="utf-8")
    tokenised = []
    from crossplan.graph.suggest import corpus as corpus_module

    real = corpus_module.Corpus._tokenise

    def counting(self, item_id, text):
        tokenised.append(item_id)
        return real(self, item_id, text)

    monkeypatch.setattr(corpus_module.Corpus, "_tokenise", counting)
    found = as_json(suggest_links(open_store(four_plans, store_path), "north", None, top=3))
    assert tokenised and {item.split("/")[0] for item in tokenised} == {"west"}
    assert found == as_json(suggest_links(memory_store(load_dataset(four_plans)), "north", None, top=3))


def test_the_cosines_from_the_arrays_are_those_of_the_vectors(shipped_bounds):
    """Text and phrase cosines computed from the arrays are the floats ``cosine`` gives for the vectors ``prepare``
    makes (and the int 0 when either vector is empty, as ``cosine`` gives)."""
    from crossplan.graph.suggest.corpus import cosine

    data, indexed, targets, bounds = shipped_bounds
    sources = similar._plan_items(indexed, "hmip-resettlement", similar.ITEM_TYPES)
    for item in sources + targets:
        indexed.prepare(item)
    kinds = set()
    for source in sources:
        texts = bounds.cosines(source, targets, "term")
        phrases = bounds.cosines(source, targets, "phrase")
        for target, text, phrase in zip(targets, texts, phrases, strict=True):
            expected = (cosine(source.vector, target.vector), cosine(source.phrase_vector, target.phrase_vector))
            assert (text, phrase) == expected
            assert (type(text), type(phrase)) == tuple(map(type, expected))
            kinds |= {type(phrase), bool(phrase)}
    assert kinds == {int, float, True, False}  # empty vectors, and cosines of 0.0 and above, all met


@pytest.mark.parametrize("size", [10, 300, 5000])
def test_the_targets_are_ordered_as_far_as_read_as_if_all_were_sorted(size):
    import numpy as np

    generator = np.random.default_rng(size)
    bound = np.round(generator.random(size), 2)  # many equal bounds
    bound[generator.random(size) < 0.2] = 0.0  # targets out of reach
    touched = np.nonzero(bound > 0.0)[0]
    expected = touched[np.lexsort((touched, -bound[touched]))].tolist()
    order = everywhere._Order(bound)
    assert len(order) == len(expected)
    assert order[0:10] == expected[0:10]
    assert [order[number] for number in range(min(len(expected), 300))] == expected[:300]
    assert order[0 : len(expected)] == expected
    assert order[-1] == expected[-1]
