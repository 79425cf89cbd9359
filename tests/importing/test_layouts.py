"""The layouts of published documents, read end to end by ``import_plan`` from rendered PDFs, web pages and Word."""

from __future__ import annotations

import importlib

import pytest
import yaml

from crossplan.graph.datafiles.datadir import init_data_dir
from crossplan.graph.importing.importer import import_plan
from crossplan.graph.rdf.validation import validate_data

layouts = importlib.import_module("tests.fixtures.import.layouts")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return layouts.write_all(tmp_path_factory.mktemp("docs"))


@pytest.fixture
def data(tmp_path):
    init_data_dir(tmp_path / "data")
    return tmp_path / "data"


def imported(source, data, plan_id="draft"):
    result = import_plan(source, plan_id, data)
    assert validate_data(data) == []  # the saved source text checks every item text
    return result, yaml.safe_load(result.plan_text)


@pytest.mark.parametrize("kind", ["pdf", "html"])
def test_action_plan_table(rendered, data, kind):
    result, plan = imported(rendered[f"action-table.{kind}"], data)
    assert result.read_as[0].startswith("action-plan tables")
    recs = {rec["id"]: rec for rec in plan["recommendations"]}
    assert [recs[key].get("response") for key in ("r1", "r2", "r3", "r4", "r5")] == [
        "agreed",
        "partly-agreed",
        "not-agreed",
        "agreed",
        None,
    ]
    assert recs["r5"]["review"][0].startswith("response: printed 'accepted in principle'")
    assert recs["r1"]["addressee-text"] == "The Youth Justice Board should:"
    assert recs["r1"]["updates"][0]["title"] == "Action Plan (January 2020)"
    assert recs["r3"]["updates"][0]["target-dates"][0]["date"] == "2021-12"
    if kind == "pdf":
        assert [recs[key]["page"] for key in ("r1", "r4")] == [1, 2]
    else:
        assert "page" not in recs["r1"]


@pytest.mark.parametrize("kind", ["pdf", "html"])
def test_numbered_headings_with_boxes(rendered, data, kind):
    result, plan = imported(rendered[f"headings.{kind}"], data)
    assert "each item in a box" in result.read_as[0]
    recs = plan["recommendations"]
    assert recs[0]["text"] == layouts.HEADINGS[0][1]
    assert [rec.get("response") for rec in recs] == ["agreed", None, "not-agreed", None]
    assert any("prose only" in reason for reason in recs[3]["review"])
    assert result.review == sum(len(rec.get("review", [])) for rec in recs)


def test_summary_table_with_headings(rendered, data):
    result, plan = imported(rendered["summary.pdf"], data)
    assert result.read_as[-1] == "a summary table of responses (4 items)"
    assert [rec.get("response") for rec in plan["recommendations"]] == [
        "agreed",
        None,
        "not-agreed",
        "partly-agreed",
    ]


def test_form_tables_with_a_mark_grid(rendered, data):
    result, plan = imported(rendered["forms.pdf"], data)
    assert result.read_as == ["one form table per item (3 tables)"]
    recs = plan["recommendations"]
    assert [rec["number"] for rec in recs] == ["1.1", "1.2", "2.1"]
    assert recs[0]["owners"][0]["text"] == "Ministry of Justice"
    assert recs[0]["target-dates"][0]["date"] == "2022-12"
    assert [rec.get("status-text") for rec in recs] == ["Substantial", "Limited", "Not started"]


def test_word_list_numbering_and_the_saved_source(tmp_path, data):
    source = layouts.write_numbered_docx(tmp_path / "response.docx")
    result, plan = imported(source, data)
    assert [(rec["number"], rec.get("response")) for rec in plan["recommendations"]] == [
        ("1", "agreed"),
        ("2", "not-agreed"),
    ]
    documents = yaml.safe_load((data / "documents.yaml").read_text(encoding="utf-8"))["documents"]
    assert documents[0]["id"] == "draft-source" and documents[0]["original"] == "response.docx"
    assert len(documents[0]["sha256"]) == 64 and plan["plan"]["source"] == "draft-source"
    assert "Publish the number of children" in (data / "sources/draft.txt").read_text(encoding="utf-8")


def test_nothing_written_on_failure_or_dry_run(tmp_path, data, rendered):
    before = sorted(path.name for path in data.rglob("*"))
    import_plan(rendered["headings.pdf"], "draft", data, dry_run=True)
    scan = layouts.write_image_only_pdf(tmp_path / "scan.pdf")
    with pytest.raises(Exception, match="no text layer"):
        import_plan(scan, "other", data)
    assert sorted(path.name for path in data.rglob("*")) == before


def test_form_status_takes_the_nearest_level_above_each_mark():
    from crossplan.graph.importing.builder import Recommendation
    from crossplan.graph.importing.layouts import _form_status, _title_row

    levels = [(4, "Not started"), (6, "Limited"), (9, "Substantial"), (12, "Completed")]
    done = Recommendation("x", "r1", "1", None, [], None)
    _form_status(done, levels, [""] * 11 + ["a, b", "", ""])
    assert (done.progress.status.value, done.progress.status_text) == ("complete", "Completed")
    mixed = Recommendation("x", "r2", "2", None, [], None)
    _form_status(mixed, levels, [""] * 8 + ["a", "", "", "b, c", "", ""])
    assert mixed.progress.status.value == "ongoing" and mixed.review == [
        "status: marked Completed, Substantial; read as ongoing"
    ]
    assert _title_row(["", "3. Modernize the Freedom of Information Act", ""]) == (
        "3",
        "Modernize the Freedom of Information Act",
    )
    assert _title_row(["Lead", "NARA"]) is None


def test_a_file_over_the_size_limit_is_refused_naming_it(rendered, data, monkeypatch):
    from crossplan.graph.errors import ImportFileError
    from crossplan.graph.importing import readers

    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1_000)  # one limit, checked by readers.check_import_file
    with pytest.raises(
        ImportFileError, match=r"headings.pdf: the file is [\d.]+ MB; crossplan imports files up to 0.0 MB"
    ):
        import_plan(rendered["headings.pdf"], "draft", data)


def test_the_header_report_names_the_layout_and_the_flags(rendered, data):
    result = import_plan(rendered["headings.pdf"], "draft", data, dry_run=True)
    lines = result.summary().splitlines()
    assert lines[0].startswith("Dry run: would write") and "(2 pages)" in lines[0]
    assert "Read as: numbered headings, each item in a box or shaded panel followed by the response" in lines
    assert any(line.startswith("Review: ") and "flagged field" in line for line in lines)
    assert any(line.startswith("Would save the extracted text as ") for line in lines)


def test_a_tick_glyph_below_a_thin_empty_row_marks_the_level():
    from crossplan.graph.importing.builder import PlanBuilder
    from crossplan.graph.importing.document import TABLE, Block, Document
    from crossplan.graph.importing.layouts import _read_forms
    from crossplan.graph.importing.organisations import OrganisationIndex

    rows = [
        ["", "2. Publish the annual report", "", "", "", ""],
        ["Lead government actors", "", "OMB", "", "", ""],
        ["Brief description", "", "Publish a report every year.", "", "", ""],
        ["Completion level", "", "Not started", "Limited", "Substantial", "Completed"],
        ["", "", "", "", "", ""],
        ["", "", "", "", "", "\uf0fc"],  # a Wingdings tick (private use), after a thin empty row
        ["End date", "", "This commitment is complete.", "", "", ""],
    ]
    document = Document("pdf", "nap.pdf", 1)
    document.blocks = [Block(TABLE, 1, rows=rows, row_pages=[1] * len(rows))]
    builder = PlanBuilder(OrganisationIndex([], set(), False), {}, lenient=True)
    assert _read_forms(document, builder) == 1
    [rec] = builder.recommendations
    assert (rec.number, rec.text, rec.progress.status.value) == ("2", ["Publish the annual report"], "complete")


def test_form_owners_split_at_lists_and_along_with():
    from crossplan.graph.importing.builder import PlanBuilder
    from crossplan.graph.importing.layouts import _owner_parts
    from crossplan.graph.importing.organisations import OrganisationIndex

    builder = PlanBuilder(OrganisationIndex([], set(), False), {}, lenient=True)
    text = "DHS Customs and Border Protection (CBP) along with other Federal agencies, OMB, Treasury, and GSA"
    assert _owner_parts(text, builder) == [
        "DHS Customs and Border Protection (CBP)",
        "other Federal agencies",
        "OMB",
        "Treasury",
        "GSA",
    ]


def test_a_form_title_wrapped_into_a_row_of_its_own_is_whole():
    from crossplan.graph.importing.layouts import _wrapped_title

    rows = [
        ["", "5. Harness the Ingenuity of the American", ""],
        ["", "Public", ""],
        ["Lead government actors", "", "GSA"],
    ]
    assert (
        _wrapped_title(rows, "Harness the Ingenuity of the American") == "Harness the Ingenuity of the American Public"
    )
    labelled = [rows[0], ["Lead government actors", "GSA", ""]]
    assert _wrapped_title(labelled, "Harness the Ingenuity") == "Harness the Ingenuity"


def test_form_owners_set_out_with_semicolons_keep_their_commas():
    from crossplan.graph.importing.builder import PlanBuilder
    from crossplan.graph.importing.layouts import _owner_parts
    from crossplan.graph.importing.organisations import OrganisationIndex

    builder = PlanBuilder(OrganisationIndex([], set(), False), {}, lenient=True)
    text = "National League of Cities; City of Chicago; City of Vallejo, California; and others"
    assert _owner_parts(text, builder) == [
        "National League of Cities",
        "City of Chicago",
        "City of Vallejo, California",
    ]
