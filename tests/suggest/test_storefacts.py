"""The plans and entities the suggestions read (graph.suggest.storefacts): kept beside the index by the build's
``make_index``, read back without asking the store, read again when the store's contents change or the copy is
damaged."""

import shutil
from pathlib import Path

from crossplan.graph.questions.plans import plan_titles
from crossplan.graph.stores.embedded import open_store
from crossplan.graph.suggest import storefacts
from crossplan.graph.suggest.corpus import make_index
from crossplan.graph.suggest.index import FOLDER

SHIPPED = Path(__file__).parents[2] / "data"


def counting_selects(monkeypatch, store):
    """Record the queries the store's ``select`` is asked from now on."""
    asked = []
    real = type(store).select

    def select(self, query, *args, **kwargs):
        asked.append(query)
        return real(self, query, *args, **kwargs)

    monkeypatch.setattr(type(store), "select", select)
    return asked


def test_the_index_keeps_the_facts_and_suggest_reads_them_without_asking_the_store(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    store = open_store(data, tmp_path / "store")
    expected = (plan_titles(store), store.select(storefacts.ENTITIES))
    make_index(store)
    kept = tmp_path / "store" / FOLDER / storefacts.STORE_FACTS
    assert kept.is_file()  # written by the index, before any suggest
    asked = counting_selects(monkeypatch, store)
    assert storefacts.store_facts(open_store(data, tmp_path / "store")) == expected
    assert asked == []


def test_other_contents_or_a_damaged_copy_are_read_again(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    store = open_store(data, tmp_path / "store")
    make_index(store)
    kept = tmp_path / "store" / FOLDER / storefacts.STORE_FACTS
    plan = data / "plans" / "hmip-resettlement.yaml"
    before = storefacts.store_facts(store)[0]["hmip-resettlement"]
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace('title: "Action plan: A', 'title: "Action plan (edited): A', 1), "utf-8")
    edited = open_store(data, tmp_path / "store")
    asked = counting_selects(monkeypatch, edited)
    plans, _ = storefacts.store_facts(edited)
    assert plans["hmip-resettlement"] != before and asked  # read from the store, not the old copy
    asked.clear()
    assert storefacts.store_facts(edited)[0] == plans and asked == []  # and kept for these contents
    kept.write_text('{"key": 1}', encoding="utf-8")
    assert storefacts.store_facts(edited)[0] == plans and asked  # damaged: read again


def test_a_plan_file_edit_reads_only_its_titles_and_a_registry_edit_the_entities(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    make_index(open_store(data, tmp_path / "store"))
    plan = data / "plans" / "hmip-resettlement.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace('title: "Action plan: A', 'title: "Action plan (edited): A', 1), "utf-8")
    edited = open_store(data, tmp_path / "store")
    asked = counting_selects(monkeypatch, edited)
    plans, entities = storefacts.store_facts(edited)
    assert len(asked) == 1 and '"hmip-resettlement"' in asked[0]  # that plan's title, by id
    assert list(plans.items()) == list(plan_titles(edited).items()) and "(edited)" in plans["hmip-resettlement"]
    assert entities == edited.select(storefacts.ENTITIES)
    asked.clear()
    assert storefacts.store_facts(edited) == (plans, entities) and asked == []  # once per run, kept
    registry = data / "organisations.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("name: Youth Justice Board", "name: Youth Justice Board (E)", 1),
        "utf-8",
    )
    renamed = open_store(data, tmp_path / "store")
    asked = counting_selects(monkeypatch, renamed)
    plans, entities = storefacts.store_facts(renamed)
    assert storefacts.ENTITIES in asked and plans == plan_titles(renamed)
    assert entities == renamed.select(storefacts.ENTITIES)
    assert any(row["label"] == "Youth Justice Board (E)" for row in entities)
