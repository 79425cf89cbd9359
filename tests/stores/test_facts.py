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
    read_facts,
    read_graph_facts,
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
    table["nodes"]["owned"][0] = None


def _spoil_date(table):
    table["nodes"]["target_dates"][1] = [2020]


def _spoil_column(table):
    del table["nodes"]["date"]


@pytest.mark.parametrize("spoil", [_spoil_format, _spoil_type, _spoil_length, _spoil_row, _spoil_date, _spoil_column])
def test_a_table_of_another_format_or_with_a_bad_cell_is_not_used(facts, tmp_path, spoil):
    table = copy.deepcopy(facts)
    spoil(table)
    (tmp_path / "t.json").write_text(json.dumps(table), encoding="utf-8")
    assert read_facts(tmp_path / "t.json") is None


def test_merged_tables_are_the_files_tables_one_after_another(facts):
    merged = GraphFacts.merge([facts, facts])
    assert merged.columns["id"] == IDS + IDS
    assert list(merged.rows("id", "type"))[1] == ("gamma/r1", "recommendation")
    assert list(merged.link_rows("source", "target")) == [("gamma/r4", "gamma/r1"), ("gamma/r1", "gamma/r3")] * 2


def _by_node(facts: GraphFacts) -> dict:
    """Each node's row, its lists of target dates and texts as sets (a store keeps no order among them)."""
    return {
        row[0]: tuple(sorted(cell) if isinstance(cell, list) else cell for cell in row)
        for row in facts.rows(*NODE_FIELDS)
    }


def test_the_tables_read_over_sparql_are_those_the_build_wrote(mini, store):
    for built in (mini, store):
        tables, read = built.facts(), read_graph_facts(built)
        assert _by_node(read) == _by_node(tables)
        assert sorted(read.link_rows(*LINK_FIELDS)) == sorted(set(tables.link_rows(*LINK_FIELDS)))


def test_a_stores_facts_cover_every_node_of_its_data(mini):
    found = mini.facts()
    ids = [row["id"] for row in mini.select("SELECT ?id WHERE { ?n dcterms:identifier ?id }")]
    assert sorted(found.columns["id"]) == sorted(ids)
