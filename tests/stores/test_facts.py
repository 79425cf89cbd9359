"""Each data file's facts tables: the columns the whole-graph questions read, checked field by field on reading."""

from __future__ import annotations

import copy
import json

import pytest

from crossplan.graph.datafiles.reader import parse_file
from crossplan.graph.stores.facts import (
    FACTS_FORMAT,
    LINK_FIELDS,
    NODE_FIELDS,
    GraphFacts,
    file_facts,
    graph_facts,
    read_facts,
    text_key,
    write_facts,
)

GAMMA = """\
plan:
  id: gamma
  title: Gamma
recommendations:
  - id: r1
    text: Find  homes
    target-dates:
      - text: March 2020
        date: "2020-03"
    updates:
      - date: "2021-01"
        text: Progress.
        status: ongoing
        target-dates:
          - date: "2021"
  - id: r2
    text: Done thing.
    status: complete
    owners:
      - text: Someone
    target-dates:
      - date: "2019"
  - id: r3
    text: Nothing known.
    actions:
      - text: Act.
        owners:
          - text: Team
  - id: r4
    status: removed
links:
  - from: r4
    to: r1
    relation: duplicate-of
    basis: explicit
    quote: Same as 1.
  - from: r1
    to: r3
    relation: related-to
    basis: judged
    quote: homes
"""
IDS = ["gamma", "gamma/r1", "gamma/r1-update-1", "gamma/r2", "gamma/r3", "gamma/r3-action-1", "gamma/r4"]


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    parsed = parse_file(tmp_path_factory.mktemp("data"), "plans/gamma.yaml", GAMMA)
    assert parsed.problems == []
    return file_facts(parsed)


def _column(table: dict, name: str, node_id: str):
    return table["nodes"][name][table["nodes"]["id"].index(node_id)]


def test_text_key_ignores_case_and_spacing_only():
    assert text_key("Find  homes\n") == text_key(" find HOMES")
    assert text_key("Find homes") != text_key("Find a home")


def test_a_row_per_node_with_its_columns(facts):
    nodes = facts["nodes"]
    assert list(nodes) == list(NODE_FIELDS)
    assert nodes["id"] == IDS
    assert nodes["type"] == [
        "plan",
        "recommendation",
        "update",
        "recommendation",
        "recommendation",
        "action",
        "recommendation",
    ]
    assert _column(facts, "plan", "gamma") is None and _column(facts, "plan", "gamma/r1") == "gamma"
    assert _column(facts, "parent", "gamma/r3-action-1") == "gamma/r3"
    assert _column(facts, "text_key", "gamma/r1") == text_key("find homes")
    assert _column(facts, "text_key", "gamma/r1-update-1") is None  # only recommendations and actions have one
    assert (_column(facts, "target_dates", "gamma/r1"), _column(facts, "target_texts", "gamma/r1")) == (
        ["2020-03"],
        ["March 2020"],
    )
    assert [_column(facts, "owned", node_id) for node_id in ("gamma/r1", "gamma/r2", "gamma/r3-action-1")] == [
        False,
        True,
        True,
    ]
    assert _column(facts, "status", "gamma/r4") == "removed"


def test_a_row_per_link_with_the_quote_only_for_duplicates(facts):
    links = facts["links"]
    assert list(links) == list(LINK_FIELDS)
    assert list(zip(links["source"], links["relation"], links["target"], links["quote"], strict=True)) == [
        ("gamma/r4", "duplicate-of", "gamma/r1", "Same as 1."),
        ("gamma/r1", "related-to", "gamma/r3", None),
    ]


def test_overdue_holds_the_latest_target_and_the_status_that_counts(facts):
    overdue = facts["overdue"]
    # r2 is complete and r3 has no target date: only r1 can fall due, by its update's later target
    assert [facts["nodes"]["id"][row] for row in overdue["row"]] == ["gamma/r1"]
    assert overdue["due"] == ["2021-12-31"] and overdue["target"] == ["2021"]
    assert overdue["holder"] == ["gamma/r1-update-1"]
    assert overdue["target_text"] == [None]  # the update's target has no printed text
    assert (overdue["status"], overdue["status_of"]) == (["ongoing"], ["gamma/r1-update-1"])


def test_gaps_hold_each_live_recommendations_family_and_what_it_lacks(facts):
    gaps = facts["gaps"]
    rows = {facts["nodes"]["id"][row]: index for index, row in enumerate(gaps["row"])}
    assert sorted(rows) == ["gamma/r1", "gamma/r2", "gamma/r3"]  # the removed r4 has no gaps
    r1, r3 = rows["gamma/r1"], rows["gamma/r3"]
    assert (gaps["no_owner"][r1], gaps["no_target"][r1], gaps["actions"][r1]) == (True, False, False)
    assert gaps["family"][r1] == ["gamma/r1", "gamma/r1-update-1"]
    assert (gaps["no_owner"][r3], gaps["no_target"][r3], gaps["actions"][r3]) == (False, True, True)
    assert gaps["family"][r3] == ["gamma/r3", "gamma/r3-action-1"]


def test_a_table_written_is_read_back_the_same(facts, tmp_path):
    write_facts(tmp_path / "t.json", facts)
    assert read_facts(tmp_path / "t.json") == facts
    assert read_facts(tmp_path / "missing.json") is None
    (tmp_path / "t.json").write_text('{"format": ', encoding="utf-8")
    assert read_facts(tmp_path / "t.json") is None


def _spoil_format(table):
    table["format"] = FACTS_FORMAT - 1


def _spoil_type(table):
    table["nodes"]["position"][0] = "1"


def _spoil_length(table):
    table["links"]["quote"].append(None)


def _spoil_row(table):
    table["overdue"]["row"][0] = len(table["nodes"]["id"])


def _spoil_date(table):
    table["nodes"]["target_dates"][1] = [2020]


def _spoil_column(table):
    del table["gaps"]["family"]


@pytest.mark.parametrize("spoil", [_spoil_format, _spoil_type, _spoil_length, _spoil_row, _spoil_date, _spoil_column])
def test_a_table_of_another_format_or_with_a_bad_cell_is_not_used(facts, tmp_path, spoil):
    table = copy.deepcopy(facts)
    spoil(table)
    (tmp_path / "t.json").write_text(json.dumps(table), encoding="utf-8")
    assert read_facts(tmp_path / "t.json") is None


def test_merged_tables_keep_each_items_row_pointing_at_its_node(facts):
    merged = GraphFacts.merge([facts, facts])
    count = len(IDS)
    assert merged.columns["id"] == IDS + IDS
    assert merged.items["overdue"]["row"] == [1, count + 1]
    assert [merged.columns["id"][row] for row in merged.items["gaps"]["row"]] == [
        "gamma/r1",
        "gamma/r2",
        "gamma/r3",
    ] * 2
    assert list(merged.rows("id", "type"))[1] == ("gamma/r1", "recommendation")
    assert list(merged.link_rows("source", "target")) == [("gamma/r4", "gamma/r1"), ("gamma/r1", "gamma/r3")] * 2


def test_a_stores_facts_cover_every_node_of_its_data(mini):
    found = graph_facts(mini)
    ids = [row["id"] for row in mini.select("SELECT ?id WHERE { ?n dcterms:identifier ?id }")]
    assert sorted(found.columns["id"]) == sorted(ids)


def test_a_store_without_tables_has_no_facts():
    class Endpoint:
        def fact_tables(self):
            return None

    assert graph_facts(Endpoint()) is None
