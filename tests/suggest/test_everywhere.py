"""Ranking one plan against every other plan from the index's arrays (graph.suggest.everywhere): exactly the
suggestions of the unindexed ranking, from what the build keeps, with damaged rows made again."""

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.suggest import bounds, similar
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


def used_the_index(monkeypatch):
    """Count the rankings done from the index's arrays."""
    used = []
    real = bounds.ArrayBounds.__init__

    def init(self, *args):
        used.append(1)
        real(self, *args)

    monkeypatch.setattr(bounds.ArrayBounds, "__init__", init)
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
    with sqlite3.connect(database) as connection:  # every item's sentences one short (of the texts that have some)
        rows = connection.execute("SELECT entry, item, data FROM items").fetchall()
        for entry, item, data in rows:
            found = json.loads(data)
            if not isinstance(found, list):  # still unreadable (not explained since)
                continue
            label, text, title, sentences, surface = found
            if sentences:
                shortened = json.dumps([label, text, title, sentences[:-1], surface])
                connection.execute("UPDATE items SET data = ? WHERE entry = ? AND item = ?", (shortened, entry, item))
    used.clear()
    assert as_json(suggest_links(open_store(four_plans, store_path), "north", None, top=2)) == expected
    assert as_json(suggest_links(open_store(four_plans, store_path), "north", None, top=2)) == expected
    assert used  # made again: the arrays used


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


def test_the_items_made_from_the_item_table_are_those_read_from_the_store(tmp_path):
    """Each item is made when asked for, with the place in its plan and the children the store gives it; their
    families, nesting and listing by plan are the unindexed corpus's."""
    from crossplan.graph.model.nodes import NodeType
    from crossplan.graph.suggest.corpus import Corpus
    from crossplan.graph.suggest.everywhere import IndexedCorpus
    from crossplan.graph.suggest.similar import ITEM_TYPES, _plan_items

    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    store = open_store(data, tmp_path / "store")
    make_index(store)
    corpus = Corpus(memory_store(load_dataset(data)))
    indexed = IndexedCorpus(store, "hmip-resettlement")
    assert indexed.usable and not indexed._made  # nothing made yet
    assert sorted(indexed.items) == sorted(corpus.items) and len(indexed.items) == len(corpus.items)
    assert "no/such-item" not in indexed.items
    fields = ("id", "type", "plan", "parent", "workstream", "position", "children")
    for item_id, item in corpus.items.items():
        made = indexed.items[item_id]
        assert made is indexed.items[item_id]  # made once
        assert [getattr(made, name) for name in fields] == [getattr(item, name) for name in fields]
        assert indexed.family(item_id) == corpus.family(item_id)
    ids = sorted(corpus.items)
    for first in ids[::7]:
        for second in ids[::11]:
            assert indexed.same_recommendation(first, second) == corpus.same_recommendation(first, second)
    plans = sorted(corpus.plans)
    for kinds in (ITEM_TYPES, (NodeType.RECOMMENDATION,), (NodeType.UPDATE, NodeType.WORKSTREAM)):
        listed = indexed.plan_items(set(plans[1:]), kinds)
        expected = [item.id for plan in plans[1:] for item in _plan_items(corpus, plan, kinds)]
        assert listed.ids == expected and [item.id for item in listed] == expected
        assert listed[0] is indexed.items[expected[0]] and [item.id for item in listed[1:3]] == expected[1:3]
        assert [item.id for item in _plan_items(indexed, plans[0], kinds)] == [
            item.id for item in _plan_items(corpus, plans[0], kinds)
        ]


def test_the_weights_are_those_of_the_whole_data_and_read_once_per_contents_of_the_store(tmp_path, monkeypatch):
    """The IDF of every term, phrase and entity is what counting over every text gives; the plans and entities are
    read from the store once for its contents, kept beside the index (a damaged copy is read again)."""
    from crossplan.graph.suggest import everywhere, storefacts
    from crossplan.graph.suggest.corpus import Corpus

    from .test_storefacts import counting_selects

    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    store = open_store(data, tmp_path / "store")
    make_index(store)
    corpus = Corpus(memory_store(load_dataset(data)))
    first = everywhere.IndexedCorpus(store, "hmip-resettlement")
    assert first.idf == corpus.idf and first.phrase_idf == corpus.phrase_idf and first.entity_idf == corpus.entity_idf
    assert first.plans == corpus.plans and first.entity_labels == corpus.entity_labels
    assert {first.term_names[id_]: value for id_, value in enumerate(first.term_idf) if value} == corpus.idf
    kept = tmp_path / "store" / FOLDER / storefacts.STORE_FACTS
    assert kept.is_file()
    asked = counting_selects(monkeypatch, store)
    again = everywhere.IndexedCorpus(store, "hmip-resettlement")
    assert len(asked) == 1  # the plan's links only
    assert again.plans == first.plans and again.entity_labels == first.entity_labels
    assert again.entity_names == first.entity_names and again.entity_parents == first.entity_parents
    kept.write_text('{"key": 1}', encoding="utf-8")  # damaged: read again, and kept again
    asked.clear()
    assert everywhere.IndexedCorpus(store, "hmip-resettlement").entity_labels == first.entity_labels
    assert len(asked) == 3 and '"plans"' in kept.read_text(encoding="utf-8")
    # each name's count is the sums' (the tables are read whole)
    weights = again.index.weights()
    for table, names in (("terms", again.term_names), ("phrases", again.phrase_names)):
        counts = everywhere._counts(weights, table)
        assert counts and counts == weights.counts(table, set(counts))
        assert set(names.values()) <= set(counts)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Six plans of the bench's generator (seed 11): workstreams whose recommendations score nearly as they do."""
    from bench.generate import generate

    data = tmp_path_factory.mktemp("generated") / "data"
    generate(data, 6, seed=11)
    return data


def _scoring(may_change):
    """``keeping.may_change`` replaced: which targets not scored yet the ranking scores next."""
    return lambda corpus, kept, ranked, bound, scored, places: np.nonzero(may_change(kept, bound) & ~scored)[0].tolist()


@pytest.mark.parametrize("top", [1, 2, 3])
def test_the_targets_left_unscored_cannot_change_what_is_kept(generated, tmp_path, monkeypatch, top):
    """Only targets that may come before the last kept one, or make a workstream read before it give way, are
    scored: every target reached scored gives the same suggestions; the first kind alone would miss some."""
    store = open_store(generated, tmp_path / "store")
    kept = as_json(suggest_links(store, "ccg-mental-health-0004", None, top=top))
    monkeypatch.setattr(similar, "may_change", _scoring(lambda kept, bound: bound > 0.0))
    assert as_json(suggest_links(store, "ccg-mental-health-0004", None, top=top)) == kept
    monkeypatch.setattr(similar, "may_change", _scoring(lambda kept, bound: bound >= kept[-1].score))
    assert as_json(suggest_links(store, "ccg-mental-health-0004", None, top=top)) != kept
