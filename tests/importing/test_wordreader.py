"""Word documents of any layout: automatic list numbering, merged cells, a forged column span refused."""

from __future__ import annotations

import importlib

import docx
import pytest

from crossplan.graph.errors import ImportFileError
from crossplan.graph.importing import readers
from crossplan.graph.importing.document import TABLE
from crossplan.graph.importing.wordreader import format_number, read_docx

layouts = importlib.import_module("tests.fixtures.import.layouts")
readers_tests = importlib.import_module("tests.importing.test_readers")


def test_list_numbers_are_computed_from_numbering_xml(tmp_path):
    document = read_docx(layouts.write_numbered_docx(tmp_path / "r.docx"), "r.docx")
    numbered = [(block.number, block.text) for block in document.blocks if block.number]
    assert [number for number, _ in numbered] == ["1.", "2."]
    assert numbered[0][1] == "Publish the number of children held in custody each month."


def test_number_formats():
    assert [format_number(9, style) for style in ("decimal", "lowerRoman", "upperLetter")] == ["9", "ix", "I"]


def test_merged_cells_are_read_once(tmp_path):
    word = docx.Document()
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "1"
    table.cell(0, 1).text = "first"
    table.cell(1, 1).text = "second"
    word.save(str(tmp_path / "t.docx"))
    [block] = [block for block in read_docx(tmp_path / "t.docx", "t.docx").blocks if block.kind == TABLE]
    assert block.rows == [["1", "first"], ["", "second"]]


def test_a_huge_grid_span_is_refused(tmp_path):
    word = docx.Document()
    word.add_table(rows=1, cols=2).cell(0, 0).text = "x"
    word.save(str(tmp_path / "t.docx"))
    readers_tests.forge_grid_span(tmp_path / "t.docx", 100_000_000)
    with pytest.raises(ImportFileError, match=r"t.docx: table row 1 declares 100,000,001 columns"):
        read_docx(tmp_path / "t.docx", "t.docx")


def test_bulleted_paragraphs_of_a_cell_keep_their_bullet(tmp_path):
    word = docx.Document()
    table = word.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Update"
    cell = table.cell(0, 1)
    cell.paragraphs[0].text = "First point."
    cell.paragraphs[0].style = word.styles["List Bullet"]
    cell.add_paragraph("Second point.", style="List Bullet")
    cell.add_paragraph("Plain note.")
    word.save(str(tmp_path / "b.docx"))
    [block] = [block for block in read_docx(tmp_path / "b.docx", "b.docx").blocks if block.kind == TABLE]
    assert block.rows == [["Update", "• First point.\n\n• Second point.\n\nPlain note."]]
    [template] = readers.read_tables(tmp_path / "b.docx")
    assert template.rows[0][1][1] == "• First point.\n• Second point.\nPlain note."
