"""Writing the imported plan and the added organisations as YAML (graph.importing.yamlout)."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from crossplan.graph.errors import DataError
from crossplan.graph.importing.builder import PlanBuilder
from crossplan.graph.importing.organisations import NewOrganisation, OrganisationIndex
from crossplan.graph.importing.readers import Table
from crossplan.graph.importing.yamlout import _text, organisations_yaml, render_plan

LONG = (
    "Provide central payment of accommodation retainers where necessary, to ensure that children have suitable "
    "accommodation in place, a minimum of one month prior to the earliest date of release."
)


def builder_of(rows: list[list[str]], display: str = "in/plan.csv") -> PlanBuilder:
    builder = PlanBuilder(OrganisationIndex([("moj", "Ministry of Justice", ["MoJ"])], set(), add=False), {})
    builder.read([Table(display, "csv", "plan.csv", list(enumerate(rows, start=1)))])
    assert builder.problems == []
    return builder


def load(text: str):
    return YAML(typ="safe", pure=True).load(text)


def test_a_plan_as_the_data_format_reads_it():
    builder = builder_of(
        [
            ["Theme", "Rec No", "Recommendation", "Update", "Target Date", "Owner"],
            ["Ministry of Justice should:", "", "", "", "", ""],
            ["Housing", "1", LONG, "Update (2021)\nStarted.", "2021", "MoJ"],
            ["", "2", "Removed as a duplicate of recommendation 1.", "", "", ""],
        ]
    )
    text = render_plan("hmip", "The plan", builder, "plan.csv")
    document = load(text)
    assert document["plan"] == {"id": "hmip", "title": "The plan"}
    assert document["workstreams"] == [{"id": "housing", "title": "Housing"}]
    first, second = document["recommendations"]
    # numbers and dates stay strings, which a plain YAML scalar would not
    assert (first["id"], first["number"], first["workstream"], first["addressed-to"]) == (
        "housing-1",
        "1",
        "housing",
        ["moj"],
    )
    assert first["text"] == LONG
    assert first["updates"] == [
        {
            "title": "Update (2021)",
            "date": "2021",
            "text": "Started.",
            "owners": [{"text": "MoJ", "organisation": "moj"}],
            "target-dates": [{"text": "2021", "date": "2021"}],
        }
    ]
    assert (second["status"], second["status-text"]) == ("removed", "Removed as a duplicate of recommendation 1.")
    assert "text" not in second
    assert document["links"] == [
        {
            "from": "housing-2",
            "to": "housing-1",
            "relation": "duplicate-of",
            "basis": "explicit",
            "quote": "Removed as a duplicate of recommendation 1.",
        }
    ]


def test_the_plan_names_its_source_and_each_row_by_the_file_name():
    text = render_plan("p", "T", builder_of([["Rec No", "Recommendation"], ["1", "A."], ["2", "B."]]), "plan.csv")
    lines = text.splitlines()
    assert lines[0] == "# Imported by `crossplan import` from plan.csv."
    assert "  # plan.csv:2\n  - id: r1\n" in text and "  # plan.csv:3\n  - id: r2\n" in text
    assert "in/plan.csv" not in text  # the folder it was read from is not part of the name
    assert "workstreams" not in load(text) and "links" not in load(text)


def test_long_texts_are_folded_blocks_that_read_back_unchanged():
    assert _text("Short text.") == "Short text."
    folded = _text(LONG)
    assert str(folded) == LONG
    text = render_plan("p", "T", builder_of([["Rec No", "Recommendation"], ["1", LONG + "\n\n• " + LONG]]), "x")
    block = text.split("    text: >-\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert all(len(line) <= 6 + 96 for line in block)
    # the paragraph break and the bullet survive; the loader then collapses the remaining whitespace
    assert load(text)["recommendations"][0]["text"] == f"{LONG}\n• {LONG}"


def test_organisations_are_appended_keeping_the_file(tmp_path):
    registry = tmp_path / "organisations.yaml"
    registry.write_text("# Mine.\norganisations:\n  - id: moj   # the ministry\n    name: Ministry of Justice\n")
    added = [NewOrganisation("ycs", "Youth Custody Service", "YCS"), NewOrganisation("las", "Local Authorities", None)]
    text = organisations_yaml(registry, added)
    assert text == (
        "# Mine.\n"
        "organisations:\n"
        "  - id: moj   # the ministry\n"
        "    name: Ministry of Justice\n"
        "  # Added by `crossplan import`\n"
        "  - id: ycs\n"
        "    name: Youth Custody Service\n"
        "    abbreviations: [YCS]\n"
        "  - id: las\n"
        "    name: Local Authorities\n"
    )
    assert registry.read_text().startswith("# Mine.") and "ycs" not in registry.read_text()  # nothing written


def test_organisations_without_a_registry_file_start_one(tmp_path):
    text = organisations_yaml(tmp_path / "organisations.yaml", [NewOrganisation("ycs", "Youth Custody Service", None)])
    assert load(text) == {"organisations": [{"id": "ycs", "name": "Youth Custody Service"}]}


def test_a_registry_that_is_not_yaml_is_reported_at_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    registry = tmp_path / "organisations.yaml"
    registry.write_text("organisations:\n  - id: [moj\n")
    with pytest.raises(DataError) as error:
        organisations_yaml(registry, [NewOrganisation("ycs", "Youth Custody Service", None)])
    assert str(error.value).startswith("organisations.yaml:3: invalid YAML: ")
