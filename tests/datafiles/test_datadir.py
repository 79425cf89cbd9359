"""Making a data directory of one's own, the action-plan template, and which data directory may be written."""

from __future__ import annotations

import csv
import io

import pytest

from crossplan.graph.datafiles.datadir import (
    TEMPLATE_COLUMNS,
    TEMPLATE_ROWS,
    init_data_dir,
    template_csv,
    writable_data_dir,
    write_template,
)
from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import CrossplanError, DataError
from crossplan.graph.resources import shipped_data_dir


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    """Paths in messages are shown relative to the working directory: work in the test's directory."""
    monkeypatch.chdir(tmp_path)


def test_a_new_data_directory_has_empty_registries_that_load(tmp_path):
    result = init_data_dir("mine")
    assert sorted(path.name for path in (tmp_path / "mine").iterdir()) == [
        "documents.yaml",
        "organisations.yaml",
        "plans",
        "programmes.yaml",
        "sources",
    ]
    assert (result.plans, result.files) == (0, 3)
    assert load_dataset(tmp_path / "mine").nodes == {}
    assert result.summary() == (
        "Made mine (empty registries, no plans, 3 files)\n"
        "Use it with `crossplan --data mine ...` or `export CROSSPLAN_DATA=mine`; "
        "add a plan with `crossplan --data mine import FILE --plan-id ID`"
    )
    assert [path.name for path in tmp_path.iterdir()] == ["mine"]  # no staging directory left beside it


def test_a_copy_of_the_shipped_data_leaves_out_the_packages_own_files(tmp_path):
    result = init_data_dir(tmp_path / "copy", with_shipped=True)
    plans = len(list((shipped_data_dir() / "plans").glob("*.yaml")))
    assert result.plans == plans > 0
    assert f"({plans} plans, " in result.summary()
    assert not [path for path in (tmp_path / "copy").rglob("*") if path.name.startswith("__")]
    assert len(load_dataset(tmp_path / "copy").plans()) == plans


def test_an_existing_empty_directory_is_used(tmp_path):
    (tmp_path / "mine").mkdir()
    assert init_data_dir("mine").files == 3


@pytest.mark.parametrize("make", [lambda path: path.write_text("x"), lambda path: (path / "a").mkdir(parents=True)])
def test_a_file_or_a_directory_that_is_not_empty_is_refused_and_left_alone(tmp_path, make):
    make(tmp_path / "mine")
    before = sorted(str(path) for path in tmp_path.rglob("*"))
    with pytest.raises(CrossplanError) as caught:
        init_data_dir("mine")
    assert str(caught.value) == "mine already exists and is not an empty directory: choose a new one"
    assert sorted(str(path) for path in tmp_path.rglob("*")) == before


def test_the_csv_template_opens_in_excel_with_the_columns_and_example_rows(tmp_path):
    path = write_template("plan.csv")
    assert path.name == "plan.csv"
    data = (tmp_path / "plan.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [list(TEMPLATE_COLUMNS), *map(list, TEMPLATE_ROWS)]
    assert data.decode("utf-8-sig") == template_csv()


def test_the_xlsx_template_has_the_same_rows(tmp_path):
    import openpyxl

    write_template(tmp_path / "plan.XLSX")
    sheet = openpyxl.load_workbook(tmp_path / "plan.XLSX").active
    rows = [tuple(cell if cell is not None else "" for cell in row) for row in sheet.values]
    assert rows[0] == TEMPLATE_COLUMNS
    assert rows[1][0] == TEMPLATE_ROWS[0][0] and rows[2] == TEMPLATE_ROWS[1]


@pytest.mark.parametrize(
    "name, output_format, message",
    [
        ("plan.txt", "pdf", "unknown template format 'pdf' (csv or xlsx)"),
        ("plan.csv", "xlsx", "plan.csv: the name of a .xlsx template must end in .xlsx"),
        ("plan", None, "plan: the name of a .csv template must end in .csv"),
    ],
)
def test_a_template_whose_name_and_format_disagree_is_refused(tmp_path, name, output_format, message):
    with pytest.raises(CrossplanError) as caught:
        write_template(name, output_format)
    assert str(caught.value) == message
    assert list(tmp_path.iterdir()) == []


def test_a_template_never_overwrites_a_file(tmp_path):
    (tmp_path / "plan.csv").write_text("mine", encoding="utf-8")
    with pytest.raises(CrossplanError) as caught:
        write_template("plan.csv")
    assert str(caught.value) == "plan.csv already exists: choose another name with -o FILE"
    assert (tmp_path / "plan.csv").read_text(encoding="utf-8") == "mine"


def test_the_shipped_data_is_never_written(tmp_path):
    for given in (None, shipped_data_dir()):
        with pytest.raises(CrossplanError) as caught:
            writable_data_dir(given)
        assert "is the shipped data, which is not changed: make a copy with `crossplan init DIR --with-shipped`" in str(
            caught.value
        )
    with pytest.raises(CrossplanError, match="^not here$"):
        writable_data_dir(None, refusal="not here")


def test_a_data_directory_of_ones_own_is_checked_before_it_is_written(tmp_path):
    init_data_dir("mine")
    assert writable_data_dir("mine") == tmp_path.joinpath("mine").relative_to(tmp_path)
    with pytest.raises(DataError) as caught:
        writable_data_dir("nowhere")
    assert str(caught.value) == "nowhere: no such data directory (make one with `crossplan init DIR`)"


def test_of_two_inits_at_once_one_makes_the_directory_and_the_other_is_refused(tmp_path, monkeypatch):
    import os as os_module
    from pathlib import Path

    from crossplan.graph.datafiles import datadir

    monkeypatch.chdir(tmp_path)
    target = tmp_path / "mine"
    replace = os_module.replace

    def another_init_first(source, destination):
        (Path(destination) / "plans").mkdir(parents=True, exist_ok=True)  # the other one's directory, just renamed
        return replace(source, destination)

    monkeypatch.setattr(datadir.os, "replace", another_init_first)
    with pytest.raises(CrossplanError, match=r"^mine already exists and is not an empty directory: choose a new one$"):
        datadir.init_data_dir(target)
    assert [path.name for path in tmp_path.iterdir()] == ["mine"]  # no staging directory left behind
