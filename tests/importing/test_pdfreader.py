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
    assert document.pages == 3 and table.row_pages[0] == 1 and table.row_pages[-1] == 3
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
