"""The mapping matrix as data: `mapping FROM TO --matrix --format csv|json|xlsx [-o FILE]`."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from crossplan.graph.questions.mapping import find_mapping
from crossplan.graph.stores.embedded import open_store
from crossplan.graph.views.export import spreadsheet_safe
from crossplan.graph.views.matrix import (
    LINK_HEADERS,
    OTHER_COLUMN,
    RELATION_COLOURS,
    build_matrix,
    cell_text,
    link_cells,
)

HOSTILE = {
    "title": '<script>alert("plan")</script> Alpha',
    "text": "=cmd|' /C calc'!A0 \"><svg onload=alert('text')> <img src=http://example.org/x.png>",
    "update": "<iframe src=http://example.org/></iframe> partners",
    "quote": '=HYPERLINK("http://example.org/evil") </blockquote><script>alert("quote")</script>',
    "workstream": "@SUM(1+1) <b>Resettlement</b>",
}


def make_hostile(data: Path) -> Path:
    """Put formula-like text and markup into every field of the mini data set the outputs show."""
    alpha = data / "plans" / "alpha.yaml"
    text = alpha.read_text(encoding="utf-8")
    text = text.replace("title: The Alpha Plan", f"title: {json.dumps(HOSTILE['title'])}")
    text = text.replace(
        "text: Improve accommodation on release for children leaving custody, a minimum of one month prior to release.",
        f"text: {json.dumps(HOSTILE['text'])}",
    )
    text = text.replace("text: The Board will work with partners.", f"text: {json.dumps(HOSTILE['update'])}")
    text = text.replace("quote: accommodation on release", f"quote: {json.dumps(HOSTILE['quote'])}")
    alpha.write_text(text, encoding="utf-8")
    beta = data / "plans" / "beta.yaml"
    beta.write_text(
        beta.read_text(encoding="utf-8").replace("title: Resettlement", f"title: {json.dumps(HOSTILE['workstream'])}"),
        encoding="utf-8",
    )
    return data


@pytest.fixture
def hostile_data(mini_data) -> Path:
    return make_hostile(mini_data)


def test_the_matrix_places_every_mapping_link_once_and_numbers_it(mini_data):
    store = open_store(mini_data)
    mapping = find_mapping(store, "alpha", "beta")
    matrix = build_matrix(store, "alpha", "beta")
    assert [row.recommendation for row in matrix.rows] == [row.recommendation for row in mapping.rows]
    assert matrix.columns == mapping.workstreams
    assert [link.number for link in matrix.links] == list(range(1, len(matrix.links) + 1))
    expected = [
        (row.recommendation, link.to_node, link.relation, link.basis) for row in mapping.rows for link in row.links
    ]
    assert [(link.from_recommendation, link.to_node, link.relation, link.basis) for link in matrix.links] == expected
    cell = matrix.rows[0].cells["beta/resettlement"]
    assert cell_text(cell) == "resettlement-1 related-to (judged) [1]"
    link = matrix.links[0]
    assert (link.quote, link.target_quote, link.source) == (
        "accommodation on release",
        "accommodation in place before release",
        "alpha-source",
    )
    assert matrix.rows[1].cells == {}


def test_the_shipped_matrix_agrees_with_the_mapping_question():
    store = open_store(None)
    mapping = find_mapping(store, "hmip-resettlement", "yj-blueprint")
    matrix = build_matrix(store, "hmip-resettlement", "yj-blueprint")
    for row, mapping_row in zip(matrix.rows, mapping.rows, strict=True):
        marks = sorted(
            (column, entry.to_node, entry.relation, entry.basis)
            for column, entries in row.cells.items()
            for entry in entries
        )
        wanted = sorted(
            (link.workstream if link.workstream else OTHER_COLUMN, link.to_node, link.relation, link.basis)
            for link in mapping_row.links
        )
        assert marks == wanted
    assert all(link.source for link in matrix.links)


def test_json_matrix(mini_data, invoke):
    result = invoke("--data", mini_data, "mapping", "alpha", "beta", "--matrix", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["columns"] == [{"id": "beta/resettlement", "title": "Resettlement"}]
    assert data["rows"][0]["cells"]["beta/resettlement"][0] == {
        "link": 1,
        "to_node": "beta/resettlement-1",
        "relation": "related-to",
        "basis": "judged",
        "direction": "out",
    }
    assert data["links"][0]["quote"] == "accommodation on release"


def test_csv_matrix_has_a_column_per_workstream(mini_data, invoke):
    result = invoke("--data", mini_data, "mapping", "alpha", "beta", "--matrix", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert rows[0] == ["recommendation", "number", "text", "status", "response", "Resettlement", "owners"]
    assert rows[1][0] == "alpha/r1" and rows[1][5] == "resettlement-1 related-to (judged) [1]"
    assert rows[2][0] == "alpha/r2" and rows[2][5] == ""


def read_xlsx(path: Path):
    from openpyxl import load_workbook

    return load_workbook(path)


@pytest.mark.parametrize("pair", [("alpha", "beta"), ("beta", "alpha")])
def test_xlsx_reads_back_as_the_json(mini_data, invoke, tmp_path, pair):
    out = tmp_path / "matrix.xlsx"
    result = invoke("--data", mini_data, "mapping", *pair, "--matrix", "--format", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    data = json.loads(invoke("--data", mini_data, "mapping", *pair, "--matrix", "--format", "json").stdout)
    book = read_xlsx(out)
    assert book.sheetnames == ["About", "matrix", "links"] and book.active.title == "matrix"
    sheet = book["matrix"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = ["No.", "Recommendation", "Id", "Status", "Response"] + [column["title"] for column in data["columns"]]
    assert values[0] == [*header, "Owners", "Links"]
    labels = {link["to_node"]: link["to_label"] for link in data["links"]}
    body, totals = values[1:-1], values[-1]
    for row, got in zip(data["rows"], body, strict=True):
        number = int(row["number"]) if str(row["number"] or "").isdigit() else row["number"]
        wanted = [number, row["text"] or row["label"], row["recommendation"], row["status"], row["response"]]
        assert got[:5] == [spreadsheet_safe(value) if value is not None else None for value in wanted]
        for column, cell in zip(data["columns"], got[5:-2], strict=True):
            entries = row["cells"].get(column["id"], [])
            # labels, not ids: each mark names its target item and how it links
            assert (cell or "").count("\n") + bool(cell) == len(entries)
            for entry in entries:
                assert (labels[entry["to_node"]] or "")[:20] in cell and f"({entry['basis']})" in cell
                assert entry["to_node"] not in cell
        assert got[-2] == (spreadsheet_safe("; ".join(owner["label"] for owner in row["owners"])) or None)
        # counts are numbers
        assert got[-1] == sum(len(entries) for entries in row["cells"].values())
    assert totals[0] == "Total" and totals[-1] == len([link for link in data["links"] if link["from_recommendation"]])
    assert totals[5:-2] == [
        sum(len(row["cells"].get(column["id"], [])) for row in data["rows"]) for column in data["columns"]
    ]
    links = [[cell.value for cell in row] for row in book["links"].iter_rows()]
    assert links[0] == [header.capitalize() for header in LINK_HEADERS]
    from crossplan.graph.questions.mapping import MappingLink

    assert links[1:] == [link_cells(MappingLink(**link)) for link in data["links"]]
    # formatted for reading and printing: an Excel table, frozen header, wrapped text, landscape fitted to the
    # width with the header row on every page, a colour per relation, links between the sheets
    assert list(sheet.tables) == ["Matrix"] and sheet.tables["Matrix"].tableStyleInfo.name
    assert sheet.freeze_panes == "C2" and book["links"].freeze_panes == "B2"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"
    assert all(cell.alignment.wrap_text for row in sheet.iter_rows() for cell in row)
    for row_number, row in enumerate(data["rows"], start=2):
        for offset, column in enumerate(data["columns"]):
            cell = sheet.cell(row=row_number, column=6 + offset)
            entries = row["cells"].get(column["id"], [])
            if entries:
                assert cell.fill.fgColor.rgb.endswith(RELATION_COLOURS[entries[0]["relation"]])
                first = min(entry["link"] for marks in row["cells"].values() for entry in marks)
                for linked in (
                    sheet.cell(row=row_number, column=3),
                    sheet.cell(row=row_number, column=len(header) + 2),
                ):
                    assert linked.hyperlink.location == f"'links'!A{first + 1}"
                assert (
                    book["links"].cell(row=entries[0]["link"] + 1, column=1).hyperlink.location
                    == f"'matrix'!C{row_number}"
                )
    # what it is, as of when, from what data, how to read it, the relation classes; workbook properties
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}
    assert {"What it is", "The answer", "As of", "Data", "How to read it", "Relation", "Basis"} <= set(about)
    assert about["Data"].startswith("sha256:") and about["As of"][:2] == "20"
    assert about["related-to"] == "overlap" and about["feeds-into"] == "dependency"
    assert book.properties.title.startswith("How ") and book.properties.creator == "crossplan"


def test_hostile_text_stays_inert_in_csv_and_xlsx(hostile_data, invoke, tmp_path):
    out = tmp_path / "hostile.xlsx"
    assert (
        invoke("--data", hostile_data, "mapping", "alpha", "beta", "--matrix", "--format", "xlsx", "-o", out).exit_code
        == 0
    )
    book = read_xlsx(out)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
    matrix = book["matrix"]
    assert matrix["B2"].value == "'" + HOSTILE["text"] and matrix["F1"].value == "'" + HOSTILE["workstream"]
    assert book["links"]["J2"].value == "'" + HOSTILE["quote"]
    text = invoke("--data", hostile_data, "mapping", "alpha", "beta", "--matrix", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][5] == "'" + HOSTILE["workstream"] and rows[1][2] == "'" + HOSTILE["text"]


def test_xlsx_needs_the_matrix(mini_data, invoke):
    result = invoke("--data", mini_data, "mapping", "alpha", "beta", "--format", "xlsx")
    assert result.exit_code == 2
    assert "--format xlsx writes the matrix: add --matrix" in result.output


def test_xlsx_is_not_written_to_a_terminal(mini_data, tmp_path):
    leader, follower = pty.openpty()
    env = dict(os.environ, CROSSPLAN_CACHE=str(tmp_path / "cache"))
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "crossplan",
            "--data",
            str(mini_data),
            "mapping",
            "alpha",
            "beta",
            "--matrix",
            "--format",
            "xlsx",
        ],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
        timeout=120,
        check=False,
    )
    os.close(follower)
    os.close(leader)
    assert process.returncode == 2
    assert b"xlsx is binary: write it to a file with -o FILE.xlsx" in process.stderr


def test_errors_are_one_located_line(mini_data, invoke, tmp_path):
    result = invoke(
        "--data",
        mini_data,
        "mapping",
        "alpha",
        "beta",
        "--matrix",
        "--format",
        "xlsx",
        "-o",
        tmp_path / "no" / "m.xlsx",
    )
    assert result.exit_code == 1
    assert (
        result.output.strip() == f"Error: {tmp_path / 'no' / 'm.xlsx'}: the directory {tmp_path / 'no'} does not exist"
    )
    result = invoke("--data", mini_data, "mapping", "alph", "beta", "--matrix", "--format", "csv")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "did you mean 'alpha'" in result.output
