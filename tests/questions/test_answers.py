"""Same answers after the questions stopped building a projection of the whole graph and remembering pickles.

``tests/fixtures/answers/*.json`` were captured with ``python -m bench.answers`` from the code before the change
(every question over a networkx projection of the store): the two fixture data sets and the bench generator's
10k set (seeded, so the same data every time). The questions must give exactly those answers. On the shipped data,
which curators edit, the embedded store's answers are compared live with the generic ones a SPARQL server gets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.answers import collect_answers
from bench.generate import ensure_scale
from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.questions import duplicates, gaps, network, overdue, stats
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.stores.protocol import BaseStore

FIXTURES = Path(__file__).parents[1] / "fixtures"
CAPTURED = FIXTURES / "answers"


def _compare(answers: dict, expected: dict) -> None:
    assert sorted(answers) == sorted(expected)
    for question, wanted in expected.items():
        if isinstance(wanted, dict) and question != "stats":
            for key, answer in wanted.items():
                assert answers[question][key] == answer, f"{question} {key}"
        assert answers[question] == wanted, question


@pytest.mark.parametrize("name", ["query", "mini"])
def test_the_fixture_answers_are_the_same_as_before(name):
    answers = json.loads(json.dumps(collect_answers(memory_store(load_dataset(FIXTURES / name)))))
    _compare(answers, json.loads((CAPTURED / f"{name}.json").read_text(encoding="utf-8")))


def test_the_bench_10k_answers_are_the_same_as_before_from_an_on_disk_store(tmp_path):
    directory, _meta = ensure_scale("10k", tmp_path / "data", quiet=True)
    store = open_store(directory, tmp_path / "store")
    answers = json.loads(json.dumps(collect_answers(store)))
    _compare(answers, json.loads((CAPTURED / "bench-10k.json").read_text(encoding="utf-8")))


class _Endpoint(BaseStore):
    """The embedded store seen only through SPARQL, as the questions see a server: the generic facts and walk."""

    def __init__(self, store):
        self.select = store.select
        self.query = store.query
        self.data_graphs = store.data_graphs


def test_walking_the_store_gives_what_walking_its_tables_gives_on_the_shipped_data():
    store = open_store()
    endpoint = _Endpoint(store)
    ids = sorted(
        row["id"] for row in store.select("SELECT ?id WHERE { ?l a cp:Link ; cp:from ?n . ?n dcterms:identifier ?id }")
    )
    for node in ids[::3]:
        for direction in ("downstream", "upstream"):
            assert network.find_impact(store, node, direction) == network.find_impact(endpoint, node, direction)
    for first, second in zip(ids[::7], ids[3::7], strict=False):
        if first != second:
            assert network.find_paths(store, first, second) == network.find_paths(endpoint, first, second)
    assert duplicates.find_duplicate_groups(store) == duplicates.find_duplicate_groups(endpoint)


def test_the_per_file_tables_give_what_the_store_gives_on_the_shipped_data():
    store = open_store()
    assert store.fact_tables() is not None
    endpoint = _Endpoint(store)
    for date in ("2019-01-01", "2021-06-30", "2030-01-01"):
        assert overdue.find_overdue(store, date) == overdue.find_overdue(endpoint, date)
    assert gaps.find_gaps(store) == gaps.find_gaps(endpoint)
    assert stats.compute_stats(store) == stats.compute_stats(endpoint)


def test_a_damaged_or_foreign_table_is_ignored_and_the_store_read_instead(mini_data, tmp_path):
    path = tmp_path / "store"
    expected = collect_answers(open_store(mini_data, path))
    tables = sorted((path / "facts").glob("*.json"))
    assert len(tables) == 5
    for damage in (
        b"",
        b"[]",
        b'{"format": 1, "nodes": [["x"]], "links": []}',
        b'{"format": 99, "nodes": [], "links": []}',
        b"\x80\x04\x95 a pickle",
        b"[" * 100_000,
    ):
        tables[0].write_bytes(damage)
        store = open_store(mini_data, path)
        assert store.fact_tables() is None
        assert collect_answers(store) == expected
