"""Importing action-plan tables (graph.importing) and making data directories (graph.datadir).

The fixture files are built here, in the shape of the HMIP resettlement action plan
(tests/fixtures/import/hmip_tables.py); the imported plan's graph is compared by isomorphism with the graph
of a plan file written by hand for the same table.
"""

from __future__ import annotations

import importlib
import zipfile
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from crossplan.graph.datafiles.datadir import TEMPLATE_COLUMNS, init_data_dir, template_csv, write_template
from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import CrossplanError, DataError, ImportFileError
from crossplan.graph.importing import readers
from crossplan.graph.importing.importer import import_plan
from crossplan.graph.model.nodes import NodeType
from crossplan.graph.rdf.quads import to_rdflib
from crossplan.graph.resources import shipped_data_dir

tables = importlib.import_module("tests.fixtures.import.hmip_tables")


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    """A fresh `crossplan init` directory with the organisations the HMIP table names; cwd is its parent."""
    monkeypatch.chdir(tmp_path)
    init_data_dir(tmp_path / "data")
    (tmp_path / "data/organisations.yaml").write_text(tables.ORGANISATIONS, encoding="utf-8")
    return Path("data")


def expected_graph(tmp_path: Path, plan_id: str, text: str | None = None):
    """The graph of the plan a curator would write by hand for the HMIP table."""
    expected = tmp_path / f"expected-{plan_id}"
    init_data_dir(expected)
    (expected / "organisations.yaml").write_text(tables.ORGANISATIONS, encoding="utf-8")
    (expected / f"plans/{plan_id}.yaml").write_text(
        text or tables.EXPECTED_PLAN.format(plan_id=plan_id), encoding="utf-8"
    )
    return to_rdflib(load_dataset(expected), [plan_id])


def imported_graph(data: Path, plan_id: str):
    return to_rdflib(load_dataset(data), [plan_id])


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()
    }


def raises_import_error(*args, **kwargs) -> str:
    with pytest.raises(ImportFileError) as error:
        import_plan(*args, **kwargs)
    return str(error.value)


# --------------------------------------------------------------------------------------------
# The HMIP-shaped table in every format


@pytest.mark.parametrize("kind", ["csv", "xlsx", "docx"])
def test_import_gives_the_graph_of_the_hand_written_plan(kind, data, tmp_path):
    source = tables.WRITERS[kind](tmp_path / f"action-plan.{kind}")
    result = import_plan(source, "hmip", data)
    assert result.written and (data / "plans/hmip.yaml").is_file()
    assert (result.recommendations, result.removed, result.updates, result.links) == (4, 1, 4, 1)
    assert result.unknown_organisations == []
    assert isomorphic(imported_graph(data, "hmip"), expected_graph(tmp_path, "hmip"))


def test_docx_without_merged_continuation_cells_gives_the_same_graph(data, tmp_path):
    source = tables.write_docx(tmp_path / "plan.docx", merge_continuations=False)
    import_plan(source, "hmip", data)
    assert isomorphic(imported_graph(data, "hmip"), expected_graph(tmp_path, "hmip"))


def test_csv_with_a_byte_order_mark_and_semicolons_gives_the_same_graph(data, tmp_path):
    source = tables.write_csv(tmp_path / "plan.csv", delimiter=";", bom=True)
    import_plan(source, "hmip", data)
    assert isomorphic(imported_graph(data, "hmip"), expected_graph(tmp_path, "hmip"))


def test_the_plan_file_is_readable_yaml_with_the_rows_named(data, tmp_path):
    text = import_plan(tables.write_xlsx(tmp_path / "plan.xlsx"), "hmip", data).plan_text
    assert text.startswith("# Imported by `crossplan import` from plan.xlsx, sheet Action plan.\n")
    assert "  # plan.xlsx:Action plan!4\n  - id: r1\n" in text
    assert (
        "    text: >-\n"
        "      Provide central payment of accommodation retainers where necessary, to ensure that children have\n"
        "      suitable accommodation in place, a minimum of one month prior to the earliest date of release.\n"
    ) in text
    assert "    addressed-to: [moj, dfe]\n" in text
    assert (data / "plans/hmip.yaml").read_text(encoding="utf-8") == text


def test_dry_run_writes_nothing_and_shows_what_would_be_written(data, tmp_path):
    source = tables.write_csv(tmp_path / "plan.csv")
    before = snapshot(data)
    dry = import_plan(source, "hmip", data, dry_run=True, add_organisations=True)
    assert snapshot(data) == before and not dry.written
    real = import_plan(source, "hmip", data)
    assert dry.plan_text == real.plan_text == (data / "plans/hmip.yaml").read_text(encoding="utf-8")


def test_the_title_option_overrides_the_title_row(data, tmp_path):
    import_plan(tables.write_csv(tmp_path / "plan.csv"), "hmip", data, title="  Resettlement   action plan ")
    assert load_dataset(data).nodes["hmip"].title == "Resettlement action plan"


def test_without_a_title_row_the_file_name_is_the_title(data, tmp_path):
    import_plan(tables.write_csv(tmp_path / "youth_resettlement-plan.csv", title=None), "hmip", data)
    assert load_dataset(data).nodes["hmip"].title == "Youth resettlement plan"


# --------------------------------------------------------------------------------------------
# Organisations


def test_unknown_organisations_are_listed_and_left_out(data, tmp_path):
    (data / "organisations.yaml").write_text(
        tables.ORGANISATIONS.replace("  - id: dfe\n    name: Department for Education\n    abbreviations: [DfE]\n", "")
    )
    before = (data / "organisations.yaml").read_text()
    result = import_plan(tables.write_csv(tmp_path / "plan.csv"), "hmip", data)
    assert result.unknown_organisations == ["Department for Education"]
    assert load_dataset(data).nodes["hmip/r1"].addressed_to == ["moj"]
    assert (data / "organisations.yaml").read_text() == before


def test_add_organisations_appends_them_keeping_the_registry_comments(data, tmp_path):
    registry = data / "organisations.yaml"
    registry.write_text(
        "# My organisations.\norganisations:\n  - id: moj   # the ministry\n    name: Ministry of Justice\n"
    )
    rows = [
        ["The Ministry of Justice, Youth Custody Service (YCS) and Local Authorities should:"],
        ["1", "Do the thing."],
    ]
    result = import_plan(tables.write_csv(tmp_path / "plan.csv", rows=rows), "plan", data, add_organisations=True)
    assert result.added_organisations == [("ycs", "Youth Custody Service"), ("local-authorities", "Local Authorities")]
    assert registry.read_text() == (
        "# My organisations.\n"
        "organisations:\n"
        "  - id: moj   # the ministry\n"
        "    name: Ministry of Justice\n"
        "  # Added by `crossplan import`\n"
        "  - id: ycs\n"
        "    name: Youth Custody Service\n"
        "    abbreviations: [YCS]\n"
        "  - id: local-authorities\n"
        "    name: Local Authorities\n"
    )
    assert load_dataset(data).nodes["plan/r1"].addressed_to == ["moj", "ycs", "local-authorities"]


def test_added_organisations_get_ids_that_are_not_taken(data, tmp_path):
    rows = [["The Hmip Office should:"], ["1", "Do the thing."]]
    result = import_plan(
        tables.write_csv(tmp_path / "plan.csv", rows=rows), "hmip-office", data, add_organisations=True
    )
    assert result.added_organisations == [("hmip-office-2", "Hmip Office")]


# --------------------------------------------------------------------------------------------
# Programme plans: workstreams, statuses and actions, no Rec No


def test_a_programme_plan_without_rec_numbers(data, tmp_path):
    header = ["Thematic Area", "Recommendation (milestone)", "Action(s) include:", "Refreshed Timescale", "Update"]
    rows = [
        [
            "Prevention",
            "Develop a national approach.",
            "• Map existing measures.\n• Consider a position statement.",
            "ONGOING - Long term (2022/2023+)",
            "A Pathfinder was commissioned.",
        ],
        ["", "Enhanced monitoring of prevention activity.", "Explore Dyfed Powys materials.", "COMPLETE", ""],
        ["", "", "", "", "The YJB has a national project."],
        ["Custody", "Review the custodial estate.", "", "N/A", ""],
    ]
    source = tables.write_xlsx(
        tmp_path / "blueprint.xlsx", rows=rows, header=header, title="Blueprint implementation plan"
    )
    result = import_plan(source, "blueprint", data)
    assert (result.recommendations, result.workstreams, result.actions, result.updates) == (3, 2, 3, 2)
    nodes = load_dataset(data).nodes
    summary = {
        node_id: (
            node.type.value,
            node.workstream,
            node.status and node.status.value,
            node.status_text,
            node.timescale,
            node.text,
        )
        for node_id, node in nodes.items()
        if node.plan == "blueprint"
    }
    assert summary == {
        "blueprint/prevention": ("workstream", None, None, None, None, None),
        "blueprint/custody": ("workstream", None, None, None, None, None),
        "blueprint/prevention-1": (
            "recommendation",
            "blueprint/prevention",
            "ongoing",
            "ONGOING - Long term (2022/2023+)",
            "Long term (2022/2023+)",
            "Develop a national approach.",
        ),
        "blueprint/prevention-1-action-1": (
            "action",
            "blueprint/prevention",
            None,
            None,
            None,
            "Map existing measures.",
        ),
        "blueprint/prevention-1-action-2": (
            "action",
            "blueprint/prevention",
            None,
            None,
            None,
            "Consider a position statement.",
        ),
        "blueprint/prevention-1-update-1": (
            "update",
            "blueprint/prevention",
            None,
            None,
            None,
            "A Pathfinder was commissioned.",
        ),
        "blueprint/prevention-2": (
            "recommendation",
            "blueprint/prevention",
            "complete",
            "COMPLETE",
            None,
            "Enhanced monitoring of prevention activity.",
        ),
        "blueprint/prevention-2-action-1": (
            "action",
            "blueprint/prevention",
            None,
            None,
            None,
            "Explore Dyfed Powys materials.",
        ),
        "blueprint/prevention-2-update-1": (
            "update",
            "blueprint/prevention",
            None,
            None,
            None,
            "The YJB has a national project.",
        ),
        "blueprint/custody-1": (
            "recommendation",
            "blueprint/custody",
            "not-applicable",
            "N/A",
            None,
            "Review the custodial estate.",
        ),
    }
    assert nodes["blueprint"].title == "Blueprint implementation plan"
    assert nodes["blueprint/prevention"].title == "Prevention"


def test_map_names_other_columns_and_ignore_leaves_one_out(data, tmp_path):
    header = ["Ref", "Recommendation", "Accountable body", "Internal RAG", "Due by"]
    rows = [["7", "Publish the guidance.", "YJB Board Secretary", "Amber", "31/03/2021"]]
    source = tables.write_csv(tmp_path / "plan.csv", rows=rows, header=header, title=None)
    mappings = {"Accountable body": "owner", "internal rag": "ignore", "DUE BY": "target-date"}
    import_plan(source, "plan", data, mappings=mappings)
    rec = load_dataset(data).nodes["plan/r7"]
    assert (rec.number, rec.text) == ("7", "Publish the guidance.")
    assert [(owner.text, owner.organisation) for owner in rec.owners] == [("YJB Board Secretary", "yjb")]
    assert [(target.text, target.date) for target in rec.target_dates] == [("31/03/2021", "2021-03-31")]


def test_sheet_selects_a_worksheet(data, tmp_path):
    other = ("Second", [["Rec No", "Recommendation"], [5, "Only on the second sheet."]])
    source = tables.write_xlsx(tmp_path / "plan.xlsx", extra_sheets=[other])
    import_plan(source, "second", data, sheet="Second")
    assert [node.id for node in load_dataset(data).nodes.values() if node.plan == "second"] == ["second/r5"]


def test_excel_dates_and_numbers_are_read_as_printed(data, tmp_path):
    import datetime

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Rec No", "Recommendation", "Target Date"])
    workbook.active.append([1.0, "Report quarterly.", datetime.datetime(2021, 3, 31)])
    workbook.save(tmp_path / "plan.xlsx")
    import_plan(tmp_path / "plan.xlsx", "plan", data)
    rec = load_dataset(data).nodes["plan/r1"]
    assert (rec.number, [(t.text, t.date) for t in rec.target_dates]) == ("1", [("2021-03-31", "2021-03-31")])


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_template_imports(kind, data, tmp_path):
    path = write_template(tmp_path / f"template.{kind}")
    result = import_plan(path, "example", data)
    assert result.unknown_organisations == []
    rec = load_dataset(data).nodes["example/resettlement-1"]
    assert (rec.number, rec.response.value, rec.status.value, rec.addressed_to) == ("1", "agreed", "ongoing", ["yjb"])
    update = load_dataset(data).nodes["example/resettlement-1-update-1"]
    assert (update.title, update.date, [owner.organisation for owner in update.owners]) == (
        "Action Plan (January 2020)",
        "2020-01",
        ["yjb"],
    )


# --------------------------------------------------------------------------------------------
# Errors in the table: each names the place and what is wrong, and nothing is written


def test_unknown_column(data, tmp_path):
    header = tables.HEADER[:5] + ["Budget (£k)"]
    source = tables.write_csv(tmp_path / "plan.csv", header=header)
    assert raises_import_error(source, "hmip", data) == (
        "plan.csv:2:F: unknown column 'Budget (£k)': name it with --map 'Budget (£k)=FIELD' (FIELD one of: number, id, "
        "text, response, update, action, owner, target-date, status, timescale, workstream, addressed-to, note, ignore)"
    )
    assert not (data / "plans/hmip.yaml").exists()


def test_missing_rec_no_after_an_addressee_row(data, tmp_path):
    rows = [["The Youth Justice Board should:"], ["", "Ensure that data is available.", "Agreed"]]
    source = tables.write_xlsx(tmp_path / "plan.xlsx", rows=rows)
    assert raises_import_error(source, "hmip", data) == (
        "plan.xlsx:Action plan!4: no Rec No: this row follows the addressee row at plan.xlsx:Action plan!3, "
        "so it must start a recommendation"
    )


def test_formula_cells_are_reported_not_evaluated(data, tmp_path):
    rows = [["1", "Ensure that data is available.", "Agreed", "", "", "=DATE(2020,4,1)"], ["=1+1", "Another."]]
    source = tables.write_xlsx(tmp_path / "plan.xlsx", rows=rows)
    assert raises_import_error(source, "hmip", data) == (
        "plan.xlsx:Action plan!3:F: the cell holds a formula (=DATE(2020,4,1)); crossplan does not evaluate formulas: "
        "replace it with its value (Copy, Paste Values)\n"
        "plan.xlsx:Action plan!4:A: the cell holds a formula (=1+1); crossplan does not evaluate formulas: "
        "replace it with its value (Copy, Paste Values)"
    )


def test_duplicate_rec_numbers(data, tmp_path):
    rows = [["1", "First."], ["2", "Second."], ["1", "First again."]]
    source = tables.write_csv(tmp_path / "plan.csv", rows=rows)
    assert raises_import_error(source, "hmip", data) == "plan.csv:5: duplicate Rec No '1' (first at plan.csv:3)"


def test_a_rec_no_must_be_a_number(data, tmp_path):
    rows = [["1", "First."], ["Note", "Additional recommendations appear from 1-3 then 5-8."]]
    source = tables.write_docx(tmp_path / "plan.docx", rows=rows)
    assert raises_import_error(source, "hmip", data) == (
        "plan.docx:table 2 row 3: 'Note' is not a recommendation number (it needs a digit)"
    )


def test_bad_response_and_status_values(data, tmp_path):
    header = ["Rec No", "Recommendation", "Agreed/Partly Agreed/Not Agreed", "Status"]
    rows = [["1", "First.", "Maybe", "Amber"]]
    source = tables.write_csv(tmp_path / "plan.csv", rows=rows, header=header, title=None)
    assert raises_import_error(source, "hmip", data) == (
        "plan.csv:2:C: response 'Maybe' is not Agreed, Partly Agreed or Not Agreed\n"
        "plan.csv:2:D: status 'Amber' is not Complete, Ongoing, N/A or Removed (leave the column out with "
        "--map 'COLUMN=ignore', or write one of those)"
    )


def test_a_continuation_row_cannot_change_the_response(data, tmp_path):
    rows = [["1", "First.", "Agreed"], ["", "", "Not Agreed"]]
    source = tables.write_csv(tmp_path / "plan.csv", rows=rows)
    assert raises_import_error(source, "hmip", data) == (
        "plan.csv:4:C: response 'not-agreed' differs from 'agreed' at plan.csv:3:C for the same recommendation"
    )


def test_no_header_row(data, tmp_path):
    source = tmp_path / "plan.csv"
    source.write_text("Budget,Spend\n1,2\n", encoding="utf-8")
    assert raises_import_error(source, "hmip", data) == (
        "plan.csv:1: no header row found in the first 20 rows: expected columns such as 'Rec No', 'Recommendation', "
        "'Agreed/Partly Agreed/Not Agreed', 'Response Action Taken/Planned' (name other columns with --map COLUMN=FIELD)"
    )


def test_data_under_a_column_without_header(data, tmp_path):
    rows = [["1", "First.", "", "", "", "", "stray note"]]
    source = tables.write_csv(tmp_path / "plan.csv", rows=rows)
    assert raises_import_error(source, "hmip", data) == (
        "plan.csv:3:G: 'stray note' is in a column with no header: give the column a header, or delete it"
    )


def test_map_errors(data, tmp_path):
    source = tables.write_csv(tmp_path / "plan.csv")
    with pytest.raises(CrossplanError) as error:
        import_plan(source, "hmip", data, mappings={"Budget": "money"})
    assert str(error.value) == (
        "--map 'Budget=money': unknown field 'money' (did you mean 'owner'?) (fields: number, id, text, response, update, action, owner, "
        "target-date, status, timescale, workstream, addressed-to, note, ignore)"
    )
    assert raises_import_error(source, "hmip", data, mappings={"Budget": "ignore"}) == (
        "plan.csv: --map names a column 'Budget' that is not in the header (columns: '1. Rec No', '2. Recommendation', "
        "'3. Agreed/ Partly Agreed/ Not Agreed', '4. Response Action Taken/Planned', '5. Responsible Owner (including "
        "named individuals and their functional role or department)', '6. Target Date')"
    )


def test_unknown_sheet(data, tmp_path):
    source = tables.write_xlsx(tmp_path / "plan.xlsx")
    assert raises_import_error(source, "hmip", data, sheet="Plan") == "plan.xlsx: no sheet 'Plan' (sheets: Action plan)"


@pytest.mark.parametrize(
    "name, message",
    [
        (
            "plan.xls",
            "plan.xls: cannot import '.xls' files: crossplan imports .pdf, .docx, .html, .xlsx and .csv (UTF-8) files",
        ),
        (
            "plan.doc",
            "plan.doc: cannot import '.doc' files: crossplan imports .pdf, .docx, .html, .xlsx and .csv (UTF-8) files",
        ),
        ("plan.pdf", "plan.pdf: not a readable PDF (Failed to load document (PDFium: Data format error).)"),
        (
            "plan",
            "plan: cannot import files without an extension: crossplan imports .pdf, .docx, .html, .xlsx and .csv (UTF-8) files",
        ),
    ],
)
def test_wrong_extension(name, message, data, tmp_path):
    (tmp_path / name).write_bytes(b"Rec No,Recommendation\n")
    assert raises_import_error(tmp_path / name, "hmip", data) == message


def test_a_text_file_named_xlsx(data, tmp_path):
    (tmp_path / "plan.xlsx").write_text("Rec No,Recommendation\n")
    assert (
        raises_import_error(tmp_path / "plan.xlsx", "hmip", data)
        == "plan.xlsx: not an Excel .xlsx file (it is not a zip archive)"
    )


def test_csv_that_is_not_utf8(data, tmp_path):
    (tmp_path / "plan.csv").write_bytes("Rec No,Recommendation\n1,Caf\u00e9 culture\n".encode("cp1252"))
    assert (
        raises_import_error(tmp_path / "plan.csv", "hmip", data)
        == "plan.csv:2: not UTF-8 text (in Excel, save as 'CSV UTF-8')"
    )


# --------------------------------------------------------------------------------------------
# Untrusted spreadsheets


def test_spreadsheets_are_refused_when_defusedxml_is_not_in_use(data, tmp_path, monkeypatch):
    from xml.etree.ElementTree import iterparse

    from openpyxl.xml import functions

    monkeypatch.setattr(functions, "iterparse", iterparse)
    source = tables.write_xlsx(tmp_path / "plan.xlsx")
    assert raises_import_error(source, "hmip", data) == (
        "openpyxl is not using defusedxml (is OPENPYXL_DEFUSEDXML set to False?); refusing to read spreadsheets"
    )


def _rewrite_member(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        contents = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    contents[member] = change(contents[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)


def test_xml_entities_are_refused(data, tmp_path):
    source = tables.write_xlsx(tmp_path / "plan.xlsx")
    laughs = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    _rewrite_member(
        source, "xl/worksheets/sheet1.xml", lambda xml: laughs + xml.replace(b"<t>ACTION", b"<t>&lol2;ACTION", 1)
    )
    assert raises_import_error(source, "hmip", data) == (
        "plan.xlsx: xl/worksheets/sheet1.xml declares a document type or entities (<!DOCTYPE>/<!ENTITY>), which no "
        "spreadsheet or document program writes; refusing to open it"
    )


def test_zip_bombs_are_refused_before_they_are_opened(data, tmp_path):
    source = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)
    message = raises_import_error(source, "hmip", data)
    assert message.startswith("bomb.xlsx: xl/worksheets/sheet1.xml unpacks to 30.0 MB from 0.0 MB (")
    assert message.endswith(" times; a zip bomb?); refusing to open it")


def test_archives_that_unpack_to_too_much_are_refused(data, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_UNPACKED_BYTES", 10_000)
    source = tables.write_docx(tmp_path / "plan.docx")
    message = raises_import_error(source, "hmip", data)
    assert message.startswith("plan.docx: it unpacks to ") and message.endswith(
        " MB (more than 0.0 MB); refusing to open it"
    )


def test_oversized_files_are_refused(data, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1_000)
    source = tables.write_csv(tmp_path / "plan.csv")
    assert (
        raises_import_error(source, "hmip", data)
        == "plan.csv: the file is 0.0 MB; crossplan imports files up to 0.0 MB"
    )


def test_row_and_column_limits(data, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ROWS", 5)
    source = tables.write_xlsx(tmp_path / "plan.xlsx")
    assert (
        raises_import_error(source, "hmip", data)
        == "plan.xlsx:Action plan: more than 5 rows; split the table into smaller files"
    )
    monkeypatch.setattr(readers, "MAX_ROWS", 10_000)
    monkeypatch.setattr(readers, "MAX_COLUMNS", 4)
    assert raises_import_error(source, "hmip", data) == (
        "plan.xlsx:Action plan!2:E: more than 4 columns; delete the columns that are not part of the plan"
    )


# --------------------------------------------------------------------------------------------
# The data directory and the plan file


def test_an_existing_plan_is_replaced_only_with_force(data, tmp_path):
    source = tables.write_csv(tmp_path / "plan.csv")
    import_plan(source, "hmip", data)
    with pytest.raises(CrossplanError) as error:
        import_plan(source, "hmip", data, title="Second")
    assert str(error.value) == "data/plans/hmip.yaml already exists (use --force to replace it)"
    import_plan(source, "hmip", data, title="Second", force=True)
    assert load_dataset(data).nodes["hmip"].title == "Second"


def test_a_plan_that_fails_validation_writes_nothing(data, tmp_path):
    before = snapshot(data)
    rows = tables.ROWS + [["Local Authorities should:"], ["5", "Work with partners."]]
    with pytest.raises(DataError) as error:  # the plan id is already an organisation's id
        import_plan(tables.write_csv(tmp_path / "plan.csv", rows=rows), "yjb", data, add_organisations=True)
    assert [str(problem) for problem in error.value.problems] == [
        "data/plans/yjb.yaml:5: duplicate id 'yjb' (first defined at data/organisations.yaml:12) "
        "(in the plan as it would be written: see --dry-run; nothing was written)"
    ]
    assert snapshot(data) == before


def test_replacing_a_plan_that_others_link_to_fails_and_points_at_the_link(mini_data, tmp_path, monkeypatch):
    monkeypatch.chdir(mini_data.parent)
    before = snapshot(mini_data)
    source = tables.write_csv(tmp_path / "beta.csv", rows=[["1", "Something else."]], title="Beta")
    with pytest.raises(DataError) as error:
        import_plan(source, "beta", mini_data, force=True)
    assert [str(problem) for problem in error.value.problems] == [
        "mini/plans/alpha.yaml:34: to 'beta/resettlement-1' is not defined (with the imported plan; nothing was written)"
    ]
    assert snapshot(mini_data) == before


def test_validation_problems_in_the_new_plan_point_at_the_row_they_came_from(data, tmp_path, monkeypatch):
    # The importer only writes what validates, so no table makes a recommendation invalid; a problem
    # stands in for one here (say a stricter shape) to check where it is reported.
    from crossplan.graph.errors import Problem
    from crossplan.graph.importing import importer

    lines = []

    def validate_data(data_dir, overrides):
        text = overrides["plans/hmip.yaml"]
        lines.append(text.splitlines().index("  - id: r3") + 2)  # the line of r3's number
        return [Problem("data/plans/hmip.yaml", lines[0], "hmip/r3: a stricter shape")]

    monkeypatch.setattr(importer, "validate_data", validate_data)
    with pytest.raises(DataError) as error:
        import_plan(tables.write_xlsx(tmp_path / "plan.xlsx"), "hmip", data)
    assert [str(problem) for problem in error.value.problems] == [
        f"plan.xlsx:Action plan!10: hmip/r3: a stricter shape (line {lines[0]} of the plan as it would be written; "
        "see --dry-run; nothing was written)"
    ]
    assert not (data / "plans/hmip.yaml").exists()


def test_the_shipped_data_is_not_imported_into(tmp_path):
    source = tables.write_csv(tmp_path / "plan.csv")
    message = (
        "will not import into the shipped data: make a data directory of your own with `crossplan init DIR` "
        "and pass `--data DIR` (or set CROSSPLAN_DATA=DIR)"
    )
    for data_dir in (None, shipped_data_dir()):
        with pytest.raises(CrossplanError) as error:
            import_plan(source, "new-plan", data_dir)
        assert str(error.value) == message


def test_a_missing_data_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as error:
        import_plan(tables.write_csv(tmp_path / "plan.csv"), "hmip", "nowhere")
    assert str(error.value) == "nowhere: no such data directory (make one with `crossplan init DIR`)"


def test_a_bad_plan_id(data, tmp_path):
    with pytest.raises(CrossplanError) as error:
        import_plan(tables.write_csv(tmp_path / "plan.csv"), "HMIP Plan", data)
    assert str(error.value) == "plan id 'HMIP Plan' must be lower-case letters, digits and hyphens (e.g. 'hmip-plan')"


def test_init_makes_an_empty_valid_data_directory(tmp_path):
    from crossplan.graph.rdf.validation import validate_data

    result = init_data_dir(tmp_path / "mine")
    assert sorted(snapshot(tmp_path / "mine")) == ["documents.yaml", "organisations.yaml", "programmes.yaml"]
    assert (tmp_path / "mine/plans").is_dir() and (tmp_path / "mine/sources").is_dir()
    assert (result.plans, result.files) == (0, 3)
    assert validate_data(tmp_path / "mine") == []


def test_init_with_shipped_copies_the_shipped_data(tmp_path):
    shipped = shipped_data_dir()
    expected = {
        str(path.relative_to(shipped))
        for path in shipped.rglob("*")
        if path.is_file() and path.name != "__init__.py" and "__pycache__" not in path.parts
    }
    result = init_data_dir(tmp_path / "mine", with_shipped=True)
    assert set(snapshot(tmp_path / "mine")) == expected
    assert result.plans == len(list((shipped / "plans").glob("*.yaml")))


def test_init_refuses_a_directory_that_is_not_empty(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/notes.txt").write_text("mine")
    with pytest.raises(CrossplanError) as error:
        init_data_dir("mine")
    assert str(error.value) == "mine already exists and is not an empty directory: choose a new one"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mine"]


def test_init_accepts_an_empty_directory(tmp_path):
    (tmp_path / "mine").mkdir()
    assert init_data_dir(tmp_path / "mine").files == 3


def test_templates(tmp_path):
    import openpyxl

    csv_path = write_template(tmp_path / "t.csv")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf" + ",".join(TEMPLATE_COLUMNS).encode())
    assert csv_path.read_text(encoding="utf-8-sig") == template_csv()
    xlsx_path = write_template(tmp_path / "t.xlsx")
    rows = list(openpyxl.load_workbook(xlsx_path).active.values)
    assert rows[0] == TEMPLATE_COLUMNS and rows[1][0] == "The Youth Justice Board should:" and len(rows) == 3
    with pytest.raises(CrossplanError) as error:
        write_template(csv_path)
    assert str(error.value).endswith("t.csv already exists: choose another name with -o FILE")
    with pytest.raises(CrossplanError) as error:
        write_template(tmp_path / "t.txt", "xlsx")
    assert str(error.value).endswith("t.txt: the name of a .xlsx template must end in .xlsx")


def test_section_headings_group_recommendations_numbered_again(data, tmp_path):
    rows = [
        ["Main recommendations"],
        ["The Youth Justice Board should:"],
        ["1", "Ensure that data is available."],
        ["2", "Publish the data."],
        ["Additional recommendations"],
        ["Her Majesty’s Prison and Probation Service should:"],
        ["1", "Review the transitions protocol."],
        ["2", "Removed as it was a duplicate of main recommendation 1."],
        ["3", "Removed as a duplicate of recommendation 1."],
    ]
    import_plan(tables.write_docx(tmp_path / "plan.docx", rows=rows), "hmip", data)
    dataset = load_dataset(data)
    recommendations = {
        node.id: (node.workstream, node.number, node.addressed_to, node.status and node.status.value)
        for node in dataset.nodes.values()
        if node.type is NodeType.RECOMMENDATION
    }
    assert recommendations == {
        "hmip/main-recommendations-1": ("hmip/main-recommendations", "1", ["yjb"], None),
        "hmip/main-recommendations-2": ("hmip/main-recommendations", "2", ["yjb"], None),
        "hmip/additional-recommendations-1": ("hmip/additional-recommendations", "1", ["hmpps"], None),
        "hmip/additional-recommendations-2": ("hmip/additional-recommendations", "2", ["hmpps"], "removed"),
        "hmip/additional-recommendations-3": ("hmip/additional-recommendations", "3", ["hmpps"], "removed"),
    }
    # "main recommendation 1" names its group; plain "recommendation 1" could be either, so no link is guessed.
    assert [
        (link.source_id, link.relation.value, link.target_id, link.basis.value, link.quote) for link in dataset.links
    ] == [
        (
            "hmip/additional-recommendations-2",
            "duplicate-of",
            "hmip/main-recommendations-1",
            "explicit",
            "Removed as it was a duplicate of main recommendation 1.",
        ),
    ]


def test_unknown_names_are_listed_as_printed(data, tmp_path):
    rows = [["Her Majesty’s Inspectorate of Probation (HMI Probation) should:"], ["1", "Inspect."]]
    result = import_plan(tables.write_csv(tmp_path / "plan.csv", rows=rows), "plan", data)
    assert result.unknown_organisations == ["Her Majesty’s Inspectorate of Probation (HMI Probation)"]


def test_a_recommendation_without_text(data, tmp_path):
    rows = [["1", "First."], ["2", ""], ["3", "Removed."]]
    source = tables.write_csv(tmp_path / "plan.csv", rows=rows)
    assert raises_import_error(source, "hmip", data) == (
        "plan.csv:4: recommendation 2 has no text (if it was removed, write 'Removed' in its Recommendation or Status cell)"
    )


def test_the_rows_of_a_rejected_recommendation_are_not_reported_again(data, tmp_path):
    rows = [["1", "First."], ["1", "Again."], ["", "", "", "Action Plan Update (December 2020)\nMore."]]
    source = tables.write_csv(tmp_path / "plan.csv", rows=rows)
    assert raises_import_error(source, "hmip", data) == "plan.csv:4: duplicate Rec No '1' (first at plan.csv:3)"


def test_a_header_row_repeated_on_a_new_page_is_skipped(data, tmp_path):
    rows = tables.ROWS[:3] + [tables.HEADER] + tables.ROWS[3:]
    import_plan(tables.write_docx(tmp_path / "plan.docx", rows=rows), "hmip", data)
    assert isomorphic(imported_graph(data, "hmip"), expected_graph(tmp_path, "hmip"))
