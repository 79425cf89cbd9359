"""What ``import_plan`` reports (graph.importing.importer); the imports themselves are in test_importing.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossplan.graph.datafiles.datadir import init_data_dir
from crossplan.graph.errors import CrossplanError
from crossplan.graph.importing.importer import ImportResult, import_plan


def result(**changes) -> ImportResult:
    values = dict(
        plan_id="p",
        plan_path=Path("data/plans/p.yaml"),
        plan_text="",
        source="plan.csv",
        tables="3 rows",
        recommendations=1,
        removed=0,
        updates=2,
        actions=0,
        workstreams=1,
        links=0,
        unknown_organisations=[],
        added_organisations=[],
        organisations_path=Path("data/organisations.yaml"),
        organisations_text=None,
        written=True,
    )
    return ImportResult(**{**values, **changes})


def test_the_summary_counts_what_was_imported():
    assert result().summary() == (
        "Imported 1 recommendation, 2 updates, 0 actions, 1 workstream, 0 links from plan.csv (3 rows) "
        "into data/plans/p.yaml"
    )
    assert (
        result(recommendations=3, removed=1, links=1)
        .summary()
        .startswith("Imported 3 recommendations (1 removed), 2 updates, 0 actions, 1 workstream, 1 link from")
    )


def test_a_dry_run_summary_says_nothing_was_written_and_what_would_be_added():
    summary = result(
        written=False,
        added_organisations=[("ycs", "Youth Custody Service"), ("las", "Local Authorities")],
        unknown_organisations=[],
        warnings=["plan.xlsx:Plan!3:B: the cell holds a formula"],
    ).summary()
    assert summary.splitlines() == [
        "Dry run: would write data/plans/p.yaml with 1 recommendation, 2 updates, 0 actions, 1 workstream, 0 links "
        "from plan.csv (3 rows); nothing written",
        "Would add 2 organisations to data/organisations.yaml: ycs (Youth Custody Service), las (Local Authorities)",
        "Warning: plan.xlsx:Plan!3:B: the cell holds a formula",
    ]


def test_unknown_organisations_are_named_with_the_way_to_add_them():
    summary = result(unknown_organisations=["Local Authorities", "Youth Offending Teams"]).summary()
    assert summary.splitlines()[1] == (
        "Not in data/organisations.yaml (left out of addressed-to; add them with --add-organisations): "
        "Local Authorities; Youth Offending Teams"
    )


def test_a_csv_import_counts_its_rows_and_titles_the_plan_after_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    init_data_dir(tmp_path / "data")
    (tmp_path / "school-attendance_plan.csv").write_text("Rec No,Recommendation\n1,Go to school.\n", encoding="utf-8")
    done = import_plan("school-attendance_plan.csv", "school", "data", dry_run=True)
    assert (done.source, done.tables, done.recommendations, done.written) == (
        "school-attendance_plan.csv",
        "2 rows",
        1,
        False,
    )
    assert "  title: School attendance plan\n" in done.plan_text
    assert not (tmp_path / "data/plans/school.yaml").exists()


def test_the_options_are_checked_before_the_file_is_read(tmp_path):
    init_data_dir(tmp_path / "data")
    with pytest.raises(CrossplanError, match=r"^--map 'Lead=boss': unknown field 'boss'"):
        import_plan(tmp_path / "missing.csv", "plan", tmp_path / "data", mappings={"Lead": "boss"})
