"""A briefing's questions read the plans it is about (graph/views/report/scope.py): the same answers as the whole graph.

The fixture: the query data set (north, south) and a third plan, west, whose items link to both, duplicate one of
north's (and one another: a chain two hops from the pair), and print one of north's texts word for word.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.questions.duplicates import find_duplicate_groups
from crossplan.graph.questions.gaps import find_gaps
from crossplan.graph.questions.overdue import find_overdue
from crossplan.graph.questions.stats import compute_stats
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.views.report.scope import plans_store

FIXTURES = Path(__file__).parents[2] / "fixtures"

_WEST = """plan:
  id: west
  title: The West Plan
  owners: [agency]

recommendations:
  - id: w1
    number: "1"
    text: Share the housing map with the North Board.
    target-dates:
      - text: May 2020
        date: "2020-05"
  - id: w4
    number: "4"
    text: Train the staff who work with young adults.
  - id: w5
    number: "5"
    text: Train all staff working with young adults.
  - id: w6
    number: "6"
    text: Review the transitions protocol.
  - id: w7
    number: "7"
    text: Keep the plan under review.

links:
  - from: w1
    to: north/r1
    relation: feeds-into
    basis: explicit
    quote: Share the housing map
  - from: w4
    to: north/r2
    relation: duplicate-of
    basis: judged
    quote: Train the staff
  - from: w5
    to: w4
    relation: duplicate-of
    basis: judged
    quote: Train all staff
  - from: w7
    to: w1
    relation: duplicate-of
    basis: judged
    quote: Keep the plan under review.
"""


@pytest.fixture(scope="module")
def three_plans(tmp_path_factory):
    directory = tmp_path_factory.mktemp("three") / "data"
    shutil.copytree(FIXTURES / "query", directory)
    (directory / "plans" / "west.yaml").write_text(_WEST, encoding="utf-8")
    return memory_store(load_dataset(directory))


@pytest.fixture(scope="module")
def shipped():
    return open_store()


CASES = [("three_plans", ("north", "south")), ("three_plans", ("north",)), ("shipped", ("hmip-resettlement",))]


@pytest.mark.parametrize(("data", "plans"), CASES)
def test_the_questions_answer_about_the_plans_what_the_whole_graph_answers(request, data, plans):
    store = request.getfixturevalue(data)
    seen = plans_store(store, plans)
    for plan in plans:
        assert find_overdue(seen, "2024-01-01", plan) == find_overdue(store, "2024-01-01", plan)
        assert find_gaps(seen, plan) == find_gaps(store, plan)
        assert compute_stats(seen)["plans"][plan] == compute_stats(store)["plans"][plan]
    touching = [group for group in find_duplicate_groups(store) if set(plans) & set(group.plans)]
    assert touching
    assert [group for group in find_duplicate_groups(seen) if set(plans) & set(group.plans)] == touching


def test_duplicates_are_followed_along_their_chain_and_to_the_same_text_in_other_plans(three_plans):
    groups = {
        (group.kind, tuple(member.id for member in group.members))
        for group in find_duplicate_groups(plans_store(three_plans, ["north"]))
    }
    assert ("linked", ("north/r2", "west/w4", "west/w5")) in groups  # w5 is two links away from north
    assert ("same text", ("north/r4", "south/oversight-1", "west/w6")) in groups
    assert not any("west/w7" in members for _kind, members in groups)  # a duplicate of an item one hop away


def test_the_tables_hold_only_what_the_plans_reach(three_plans):
    facts = plans_store(three_plans, ["north"]).facts()
    ids = set(facts.columns["id"])
    # south/health-2 duplicates south/health-1, which duplicates north/r3: a chain
    assert {"north/r1", "north/r6-action-1", "west/w4", "west/w5", "west/w6", "south/health-2"} <= ids
    assert not {"south/housing-2", "west/w1", "west/w7"} & ids  # linked to north, but not duplicating its items
    north = {node for node in ids if node.split("/")[0] == "north"}
    links = set(facts.link_rows("source", "relation", "target"))
    assert ("west/w1", "feeds-into", "north/r1") in links
    assert all(source in north or target in north or relation == "duplicate-of" for source, relation, target in links)


def test_a_plans_store_answers_queries_as_the_store_does(three_plans):
    seen = plans_store(three_plans, ["north"])
    query = "SELECT ?id WHERE { ?n a cp:Plan ; dcterms:identifier ?id } ORDER BY ?id"
    assert seen.select(query) == three_plans.select(query)
    assert (seen.data_dir, seen.remote) == (three_plans.data_dir, three_plans.remote)


def test_a_plans_store_of_a_sparql_server_answers_as_the_local_one(oxigraph_server, three_plans):
    from crossplan.graph.stores.endpoint import Connection
    from crossplan.graph.stores.push import push_graph

    oxigraph_server.clear()
    push_graph(three_plans, oxigraph_server.url, connection=Connection(oxigraph_server.credentials))
    remote = plans_store(oxigraph_server.store(), ["north"])
    local = plans_store(three_plans, ["north"])
    assert find_gaps(remote, "north") == find_gaps(local, "north")
    assert find_overdue(remote, "2024-01-01", "north") == find_overdue(local, "2024-01-01", "north")
    assert find_duplicate_groups(remote) == find_duplicate_groups(local)
    oxigraph_server.clear()
