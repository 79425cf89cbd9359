"""Duplicate groups (``duplicates``) on the fixture plans north and south, and the mini data set.

In tests/fixtures/query: north/r1 feeds into north/r2, which feeds into the south/health workstream, which is
delegated to the housing-fund programme; north/r5 duplicates north/r1; south/health-2 duplicates
south/health-1, which duplicates north/r3; north/r4 and south/oversight-1 print the same text.
The ``store`` fixture is in conftest.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.questions.duplicates import find_duplicate_groups, format_duplicates
from crossplan.graph.stores.embedded import memory_store

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_duplicate_groups(store):
    groups = find_duplicate_groups(store)
    assert [(group.kind, [m.id for m in group.members], group.plans) for group in groups] == [
        ("linked", ["north/r1", "north/r5"], ["north"]),
        ("linked", ["north/r3", "south/health-1", "south/health-2"], ["north", "south"]),
        ("same text", ["north/r4", "south/oversight-1"], ["north", "south"]),
    ]
    assert [(link.source, link.target, link.basis) for link in groups[1].links] == [
        ("south/health-1", "north/r3", "explicit"),
        ("south/health-2", "south/health-1", "judged"),
    ]


def test_format_duplicates(store):
    groups = find_duplicate_groups(store)
    assert format_duplicates(groups, width=100) == (
        "3 groups of duplicates\n"
        "\n"
        "item               status    duplicate of    label\n"
        "-----------------  --------  --------------  --------------------------------------------------\n"
        "1. joined by duplicate-of links, within north\n"
        "north/r1                                     Find homes for children before they leave custody.\n"
        "north/r5           removed   north/r1        Recommendation 5 (removed)\n"
        "\n"
        "2. joined by duplicate-of links, across plans north, south\n"
        "north/r3           complete                  Publish data on outcomes every quarter.\n"
        "south/health-1     ongoing   north/r3        Publish data on outcomes every quarter.\n"
        "south/health-2               south/health-1  Fund trauma services and publish their outcomes.\n"
        "\n"
        "3. the same text, not linked, across plans north, south\n"
        "north/r4                                     Review the transitions protocol.\n"
        "south/oversight-1                            Review the transitions protocol.\n"
    )
    assert (
        format_duplicates(groups, "csv").splitlines()[1]
        == "1,linked,north/r1,north,recommendation,,Find homes for children before they leave custody.,"
        "Find homes for children before they leave custody."
    )
    assert json.loads(format_duplicates(groups, "json"))[1]["plans"] == ["north", "south"]
    assert format_duplicates([]) == "No duplicates found.\n"


def test_duplicates_on_the_mini_data_set():
    groups = find_duplicate_groups(memory_store(load_dataset(FIXTURES / "mini")))
    assert [(group.kind, [m.id for m in group.members]) for group in groups] == [("linked", ["alpha/r1", "alpha/r2"])]
