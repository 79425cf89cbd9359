"""Reading .csv, .xlsx and .docx files safely into tables of text (graph.importing.readers)."""

from __future__ import annotations

import datetime
import zipfile

import pytest

from crossplan.graph.errors import ImportFileError
from crossplan.graph.importing import readers
from crossplan.graph.importing.readers import Table, check_archive, column_letter, excerpt, problems_error, read_tables


def refusal(path, sheet=None) -> str:
    with pytest.raises(ImportFileError) as error:
        read_tables(path, sheet)
    return str(error.value)


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Work beside the files, so that messages name them as ``plan.csv``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_column_letters_run_past_z():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_places_name_the_file_sheet_row_and_column():
    assert Table("plan.csv", "csv", "plan.csv", []).place(3, 1) == "plan.csv:3:B"
    assert Table("plan.csv", "csv", "plan.csv", []).place(3) == "plan.csv:3"
    assert Table("plan.xlsx", "xlsx", "Actions", []).place(12, 27) == "plan.xlsx:Actions!12:AB"
    assert Table("plan.xlsx", "xlsx", "Actions", []).place(12) == "plan.xlsx:Actions!12"
    # a Word table has no column letters: the row is named within its table
    assert Table("plan.docx", "docx", "table 2", []).place(4, 3) == "plan.docx:table 2 row 4"


def test_csv_cells_are_tidied_and_rows_numbered_from_one(here):
    (here / "plan.csv").write_bytes(
        b'\xef\xbb\xbfRec No,Recommendation\r\n1,"  First\xc2\xa0 line \r\n\r\n  second\x07 line  "\r\n,\r\n'
    )
    [table] = read_tables("plan.csv")
    assert (table.display, table.kind, table.name) == ("plan.csv", "csv", "plan.csv")
    # the byte order mark goes; spaces, line ends and control characters are tidied; a row is a record, not a line
    assert table.rows == [(1, ["Rec No", "Recommendation"]), (2, ["1", "First line\n\nsecond line"])]  # blank: not kept


def test_csv_that_is_not_utf8_names_the_line(here):
    (here / "plan.csv").write_bytes("Rec No,Recommendation\n1,First\n2,Caf\u00e9\n".encode("cp1252"))
    assert refusal("plan.csv") == "plan.csv:3: not UTF-8 text (in Excel, save as 'CSV UTF-8')"


def test_csv_has_no_sheets(here):
    (here / "plan.csv").write_text("Rec No,Recommendation\n", encoding="utf-8")
    assert refusal("plan.csv", sheet="1") == (
        "plan.csv: --sheet is for .xlsx workbooks and .docx tables, not CSV files"
    )


def test_files_that_are_missing_of_another_kind_or_too_big(here, monkeypatch):
    assert refusal("missing.csv") == "missing.csv: no such file"
    (here / "plan.ods").write_bytes(b"")
    assert (
        refusal("plan.ods")
        == "plan.ods: cannot import '.ods' files: crossplan imports .pdf, .docx, .html, .xlsx and .csv (UTF-8) files"
    )
    (here / "plan.csv").write_text("x" * 2_500, encoding="utf-8")
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 2_000)
    assert refusal("plan.csv") == "plan.csv: the file is 0.0 MB; crossplan imports files up to 0.0 MB"


def test_row_limit_counts_only_rows_with_text(here, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ROWS", 3)
    (here / "plan.csv").write_text("a,b\n1,x\n2,y\n,\n,\n", encoding="utf-8")
    assert len(read_tables("plan.csv")[0].rows) == 3  # empty rows past the limit do no harm, and are not kept
    (here / "plan.csv").write_text("a,b\n1,x\n2,y\n3,z\n", encoding="utf-8")
    assert refusal("plan.csv") == "plan.csv: more than 3 rows; split the table into smaller files"


def test_blank_csv_lines_count_against_the_row_limit(here, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ROWS", 3)
    (here / "plan.csv").write_text("a,b\n1,x\n" + "\n" * 10 + ",,\n" * 1000, encoding="utf-8")
    assert refusal("plan.csv") == (
        "plan.csv:7: more than 6 lines (blank lines included); delete the blank lines or split the table into smaller files"
    )


def test_a_forged_grid_span_is_refused_before_rows_are_built(here):
    import docx

    word = docx.Document()
    table = word.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Rec No"
    word.save(str(here / "plan.docx"))
    forge_grid_span(here / "plan.docx", 100_000_000)
    assert refusal("plan.docx") == (
        "plan.docx:table 1 row 1: the row declares 100,000,001 columns; crossplan reads tables of up to 50 columns"
    )


def forge_grid_span(path, span):
    """Give the first cell of a .docx a gridSpan of ``span`` (Word would never write it)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    xml = xml.replace("<w:tcPr>", f'<w:tcPr><w:gridSpan w:val="{span}"/>', 1)
    parts["word/document.xml"] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_column_limit_names_the_first_cell_beyond_it(here, monkeypatch):
    monkeypatch.setattr(readers, "MAX_COLUMNS", 3)
    (here / "plan.csv").write_text("a,b,c,,\n1,2,3,,\n", encoding="utf-8")
    assert read_tables("plan.csv")[0].rows == [(1, ["a", "b", "c"]), (2, ["1", "2", "3"])]  # empty ones cut off
    (here / "plan.csv").write_text("a,b,c\n1,2,3,,extra\n", encoding="utf-8")
    assert refusal("plan.csv") == (
        "plan.csv:2:E: more than 3 columns; delete the columns that are not part of the plan"
    )


def test_xlsx_values_are_read_as_printed_with_the_workbook_title(here):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.properties.title = "  The   Plan "
    workbook.active.title = "First"
    workbook.active.append(["Rec No", "Done", "Target Date", "Time"])
    workbook.active.append([3.0, True, datetime.datetime(2021, 3, 31), datetime.datetime(2021, 3, 31, 9, 30)])
    workbook.create_sheet("Second").append(["Only here"])
    workbook.save(here / "plan.xlsx")
    [table] = read_tables("plan.xlsx")
    assert (table.name, table.title) == ("First", "The Plan")
    assert table.rows[1] == (2, ["3", "TRUE", "2021-03-31", "2021-03-31 09:30:00"])
    assert read_tables("plan.xlsx", sheet="Second")[0].rows == [(1, ["Only here"])]
    assert refusal("plan.xlsx", sheet="Third") == "plan.xlsx: no sheet 'Third' (sheets: First, Second)"


def test_docx_tables_take_the_short_paragraph_above_as_title(here):
    import docx

    document = docx.Document()
    document.add_paragraph("Main recommendations")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "first"
    document.add_paragraph("A paragraph far too long to be a heading. " * 6)
    second = document.add_table(rows=2, cols=2)
    second.rows[1].cells[1].text = "second"
    document.save(here / "plan.docx")
    tables = read_tables("plan.docx")
    assert [(t.name, t.title, t.rows) for t in tables] == [
        ("table 1", "Main recommendations", [(1, ["first", ""])]),
        ("table 2", "Main recommendations", [(1, ["", ""]), (2, ["", "second"])]),
    ]
    assert [t.name for t in read_tables("plan.docx", sheet="2")] == ["table 2"]
    for sheet in ("3", "0", "Sheet1"):
        assert refusal("plan.docx", sheet=sheet) == (
            f"plan.docx: --sheet '{sheet}' is not a table number (the document has 2 tables)"
        )


def test_a_docx_without_tables(here):
    import docx

    document = docx.Document()
    document.add_paragraph("No table here.")
    document.save(here / "plan.docx")
    assert refusal("plan.docx") == "plan.docx: the document has no tables"


def test_archives_with_too_many_members_or_a_declaration_are_refused(here, monkeypatch):
    with zipfile.ZipFile(here / "plan.xlsx", "w") as archive:
        for number in range(4):
            archive.writestr(f"part{number}.xml", b"<a/>")
    monkeypatch.setattr(readers, "MAX_ARCHIVE_MEMBERS", 3)
    with pytest.raises(ImportFileError, match=r"^plan\.xlsx: the archive holds 4 files; refusing to open it$"):
        check_archive(here / "plan.xlsx", "plan.xlsx")
    monkeypatch.setattr(readers, "MAX_ARCHIVE_MEMBERS", 5_000)
    check_archive(here / "plan.xlsx", "plan.xlsx")  # harmless parts pass
    with zipfile.ZipFile(here / "plan.docx", "w") as archive:
        archive.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE x>'.encode("utf-16-be"))
    with pytest.raises(ImportFileError, match=r"^plan\.docx: word/document\.xml declares a document type"):
        check_archive(here / "plan.docx")


def test_excerpts_and_many_problems_are_kept_short(monkeypatch):
    assert excerpt("  a\n b  ") == "a b"
    assert excerpt("x" * 50, 10) == "xxxxxxx..."
    monkeypatch.setattr(readers, "MAX_REPORTED_PROBLEMS", 2)
    error = problems_error(["one", "two", "three", "four"])
    assert str(error) == "one\ntwo\n... and 2 more problems"
    assert error.problems == ["one", "two", "three", "four"]
    assert str(problems_error(["only"])) == "only"


def test_openpyxl_parses_through_defusedxml():
    import defusedxml.ElementTree
    import openpyxl
    from openpyxl.reader import strings
    from openpyxl.worksheet import _reader

    assert openpyxl.DEFUSEDXML is True
    assert _reader.iterparse is defusedxml.ElementTree.iterparse
    assert strings.iterparse is defusedxml.ElementTree.iterparse
    readers.check_defusedxml()
