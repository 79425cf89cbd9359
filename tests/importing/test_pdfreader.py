"""Reading PDFs: the preflight's refusals and the layout facts pdfplumber gives (tables across pages, boxes)."""

from __future__ import annotations

import importlib

import pytest

from crossplan.graph.errors import ImportFileError
from crossplan.graph.importing import pdfreader
from crossplan.graph.importing.document import HEADING, TABLE
from crossplan.graph.importing.pdfreader import read_pdf

layouts = importlib.import_module("tests.fixtures.import.layouts")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return layouts.write_all(tmp_path_factory.mktemp("pdf"))


def test_a_pdf_without_text_layer_is_refused(tmp_path):
    path = layouts.write_image_only_pdf(tmp_path / "scan.pdf")
    with pytest.raises(ImportFileError, match=r"scan.pdf: no text layer .*OCR is not supported"):
        read_pdf(path, "scan.pdf")


def test_an_encrypted_pdf_is_refused(tmp_path):
    path = layouts.write_encrypted_pdf(tmp_path / "secret.pdf")
    with pytest.raises(ImportFileError, match=r"secret.pdf: the PDF is encrypted"):
        read_pdf(path, "secret.pdf")


def test_too_many_pages_names_the_limit(rendered, monkeypatch):
    monkeypatch.setattr(pdfreader, "MAX_PAGES", 2)
    with pytest.raises(ImportFileError, match=r"has 3 pages; crossplan imports PDFs of up to 2 pages"):
        read_pdf(rendered["action-table.pdf"], "action-table.pdf")


def test_a_table_continued_over_pages_is_one_table_without_repeated_headers(rendered):
    document = read_pdf(rendered["action-table.pdf"], "action-table.pdf")
    [table] = [block for block in document.blocks if block.kind == TABLE]
    # the last row starts on page 2 and goes on at the top of page 3: one row, on the page where it starts
    assert document.pages == 3 and table.row_pages[0] == 1 and table.row_pages[-1] == 2
    assert table.rows[-1][0] == "5" and "can see what has changed" in " ".join(table.rows[-1][3].split())[-300:]
    assert sum(1 for row in table.rows if row[0].startswith("Rec")) == 1
    assert [row[0] for row in table.rows if row[0].isdigit()] == ["1", "2", "3", "4", "5"]
    texts = [block.text for block in document.blocks]
    assert not any("Youth Justice Action Plan 2024" in text for text in texts)  # the running header
    assert not any(text.startswith("Page ") for text in texts)  # the footer


def test_boxed_paragraphs_and_headings(rendered):
    document = read_pdf(rendered["headings.pdf"], "headings.pdf")
    boxed = [block.text for block in document.blocks if block.boxed]
    assert boxed[0] == "The department should publish a resettlement strategy for children within a year."
    assert "Recommendation 1" in [block.text for block in document.blocks if block.kind == HEADING]


def test_a_row_broken_by_the_page_is_joined_and_a_new_row_is_not():
    from crossplan.graph.importing.document import Block, Document

    def table(page: int, rows: list[list[str]]) -> Block:
        return Block(TABLE, page, rows=rows, row_pages=[page] * len(rows))

    header = ["Area", "Recommendation", "Timescale", "Update"]
    document = Document("pdf", "t.pdf", 3)
    document.blocks = [
        table(1, [header, ["Prevention", "Align funding across the Board and", "N/A", "Avoid duplica-"]]),
        table(2, [header, ["", "prevention activity.", "", "tion of effort."], ["", "Review it.", "N/A", "Done."]]),
        table(3, [header, ["Custody", "Adopt the proposal.", "ONGOING", "Started."]]),
    ]
    pdfreader._join_continued_tables(document)
    [joined] = document.blocks
    assert joined.rows[1] == [
        "Prevention",
        "Align funding across the Board and\nprevention activity.",
        "N/A",
        "Avoid duplica-\ntion of effort.",
    ]
    assert [row[1] for row in joined.rows[2:]] == ["Review it.", "Adopt the proposal."]  # "Review it." ends a row
    assert joined.row_pages == [1, 1, 2, 3]
    tail = table(2, [header, ["", "", "N/A", ""]])
    new = table(3, [header, ["System Oversight", "Establish a model.", "", "• In December"]])
    document.blocks = [tail, new]
    pdfreader._join_continued_tables(document)
    assert document.blocks[0].rows[1] == ["System Oversight", "Establish a model.", "N/A", "• In December"]
    assert document.blocks[0].row_pages == [2, 2]


def test_a_row_broken_at_a_paragraph_beside_a_name_that_goes_on_is_one_row():
    above = [
        "3",
        "Review it.",
        "Agreed",
        "Action Plan (January 2020)",
        "Police Powers Unit\nCrime, Policing and",
        "June",
    ]
    below = ["", "", "", "The Government's review of bail.", "Fire Group Home\nOffice", ""]
    assert pdfreader._row_continues(above, below)
    ended = ["3", "Review it.", "Agreed", "Done in 2020.", "Police Powers Unit and", "June"]
    assert not pdfreader._row_continues(ended, below)  # a sentence ends above a new one
