"""The store a server answers from (graph/stores/served.py): in memory or from disk, the same graph; slow answers
remembered; a request's dataset (default-graph-uri, named-graph-uri) chooses the graphs queried. On tests/fixtures/mini.
"""

from __future__ import annotations

import time

import pytest

from crossplan.graph.model.vocabulary import graph_iri
from crossplan.graph.stores import served
from crossplan.graph.stores.protocol import GraphStore, ServedGraph
from crossplan.graph.stores.served import open_served

COUNT_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture
def generations(mini_data, tmp_path):
    in_memory = open_served(mini_data, tmp_path / "store", memory_limit=10**9)
    on_disk = open_served(mini_data, tmp_path / "store", memory_limit=0)
    return in_memory, on_disk


def test_a_store_that_fits_is_copied_into_memory_else_answered_from_disk_with_the_same_graph(generations):
    (memory, memory_quads, in_memory), (disk, disk_quads, from_memory) = generations
    assert in_memory and not from_memory
    assert memory_quads == disk_quads > 0
    for store in (memory, disk):
        assert isinstance(store, ServedGraph) and isinstance(store, GraphStore)
    assert memory.data_graphs() == disk.data_graphs()
    assert memory.all_graphs() == sorted([*memory.data_graphs(), graph_iri("ontology")])
    by_graph = {row["g"]: row["n"] for row in memory.select(COUNT_BY_GRAPH)}
    assert by_graph == {row["g"]: row["n"] for row in disk.select(COUNT_BY_GRAPH)}
    assert set(by_graph) == set(memory.all_graphs())
    assert (memory.facts().columns, memory.facts().links) == (disk.facts().columns, disk.facts().links)


def test_only_a_slow_answer_is_remembered(generations, monkeypatch):
    store = generations[0][0]
    calls = []

    def quick():
        calls.append("quick")
        return 1

    def slow():
        calls.append("slow")
        time.sleep(served.REMEMBER_SECONDS * 2)
        return 2

    assert store.remembered("quick", quick) == 1 and store.remembered("quick", quick) == 1
    assert store.remembered("slow", slow) == 2 and store.remembered("slow", slow) == 2
    assert calls == ["quick", "quick", "slow"]
    assert store.remembered("refused", slow, keep=lambda value: False) == 2
    assert store.remembered("refused", slow, keep=lambda value: False) == 2
    assert calls == ["quick", "quick", "slow", "slow", "slow"]


@pytest.mark.parametrize("which", [0, 1], ids=["in-memory", "on-disk"])
def test_a_dataset_chooses_the_graphs_a_query_reads(generations, which):
    store = generations[which][0]
    alpha, beta = graph_iri("alpha"), graph_iri("beta")
    whole = store.select(COUNT_DEFAULT)[0]["n"]
    assert store.with_dataset().select(COUNT_DEFAULT)[0]["n"] == whole
    assert store.with_dataset(store.all_graphs()).select(COUNT_DEFAULT)[0]["n"] == whole

    def count(dataset):
        return next(iter(dataset.query(COUNT_DEFAULT)))["n"].value

    alpha_only = int(count(store.with_dataset([alpha])))
    beta_only = int(count(store.with_dataset([beta])))
    by_graph = {row["g"]: row["n"] for row in store.select(COUNT_BY_GRAPH)}
    assert (alpha_only, beta_only) == (by_graph[alpha], by_graph[beta])
    named = store.with_dataset(named_graphs=[alpha]).query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert [solution["g"].value for solution in named] == [alpha]
    assert store.with_dataset([alpha]).data_graphs() == store.data_graphs()
