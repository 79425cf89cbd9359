"""Trust: an imported spreadsheet or document cannot declare XML entities, and its formulas are never evaluated."""

from __future__ import annotations

import importlib
import re
import zipfile
from pathlib import Path

import pytest

from crossplan.graph.errors import ImportFileError
from crossplan.graph.importing.importer import import_plan

tables = importlib.import_module("tests.fixtures.import.hmip_tables")


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    from crossplan.graph.datafiles.datadir import init_data_dir

    monkeypatch.chdir(tmp_path)  # messages name files relative to the working directory
    target = tmp_path / "data"
    init_data_dir(target, with_shipped=True)
    return target


def _rewrite(path: Path, member: str, change) -> Path:
    """Rewrite one member of a zip archive with ``change(bytes) -> bytes``."""
    with zipfile.ZipFile(path) as archive:
        contents = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    contents[member] = change(contents[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return path


DOCTYPE = '<!DOCTYPE worksheet [<!ENTITY plan "Ensure that data is available.">]>'


def _with_doctype(encoding: str = "utf-8", declaration: str = DOCTYPE):
    def change(data: bytes) -> bytes:
        text = data.decode("utf-8")
        text = re.sub(r"^(<\?xml[^>]*\?>)?", lambda match: (match.group(1) or "") + declaration, text, count=1)
        if encoding != "utf-8":
            text = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"', 1)
            return text.encode(encoding)
        return text.encode("utf-8")

    return change


@pytest.mark.parametrize(
    "member", ["xl/worksheets/sheet1.xml", "docProps/core.xml", "xl/workbook.xml", "[Content_Types].xml"]
)
def test_an_xlsx_declaring_entities_is_refused(data, tmp_path, member):
    source = tables.write_xlsx(tmp_path / "plan.xlsx")
    _rewrite(source, member, _with_doctype())
    with pytest.raises(ImportFileError) as caught:
        import_plan(source, "hmip", data)
    assert str(caught.value) == (
        f"plan.xlsx: {member} declares a document type or entities (<!DOCTYPE>/<!ENTITY>), "
        "which no spreadsheet or document program writes; refusing to open it"
    )
    assert not (data / "plans" / "hmip.yaml").exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_declaration_in_another_encoding_is_refused_too(data, tmp_path, encoding):
    source = tables.write_xlsx(tmp_path / "plan.xlsx")
    _rewrite(source, "xl/worksheets/sheet1.xml", _with_doctype(encoding))
    with pytest.raises(ImportFileError, match="declares a document type or entities"):
        import_plan(source, "hmip", data)


def test_an_external_entity_is_refused(data, tmp_path):
    source = tables.write_xlsx(tmp_path / "plan.xlsx")
    _rewrite(
        source,
        "xl/worksheets/sheet1.xml",
        _with_doctype(declaration='<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'),
    )
    with pytest.raises(ImportFileError, match="declares a document type or entities"):
        import_plan(source, "hmip", data)


def test_a_docx_declaring_entities_is_refused(data, tmp_path):
    source = tables.write_docx(tmp_path / "plan.docx")
    _rewrite(source, "word/document.xml", _with_doctype(declaration='<!DOCTYPE w [<!ENTITY a "b">]>'))
    with pytest.raises(ImportFileError, match=r"^plan.docx: word/document.xml declares a document type or entities"):
        import_plan(source, "hmip", data)


# -- formulas: the saved value, with a warning; never evaluated ----------------------------------------------------


HYPERLINK = '=HYPERLINK("https://example.org/plan","Ensure that data is available.")'


def _with_saved_value(value: str, kind: str = "str"):
    """Give the first formula cell the value a spreadsheet program saves beside it (openpyxl saves none)."""

    def change(data: bytes) -> bytes:
        text = data.decode("utf-8")
        text = re.sub(r'<c r="([A-Z]+\d+)"><f>', lambda match: f'<c r="{match.group(1)}" t="{kind}"><f>', text, count=1)
        text = re.sub(r"</f><v\s*/>|</f><v></v>", f"</f><v>{value}</v>", text, count=1)
        return text.encode("utf-8")

    return change


def test_a_formula_with_a_saved_value_imports_the_value_with_a_warning(data, tmp_path):
    source = tables.write_xlsx(tmp_path / "plan.xlsx", rows=[["1", HYPERLINK, "Agreed"]])
    _rewrite(source, "xl/worksheets/sheet1.xml", _with_saved_value("Ensure that data is available."))
    result = import_plan(source, "hmip", data, dry_run=True)
    assert "text: Ensure that data is available." in result.plan_text
    assert "HYPERLINK" not in result.plan_text
    assert result.warnings == [
        (
            'plan.xlsx:Action plan!3:B: the cell holds a formula (=HYPERLINK("https://example.org/plan"...); '
            "imported the value saved with it, 'Ensure that data is available.' (never evaluated)"
        ),
    ]
    assert "Warning: plan.xlsx:Action plan!3:B: the cell holds a formula" in result.summary()


def test_the_cli_prints_the_formula_warning(data, tmp_path, invoke):
    source = tables.write_xlsx(tmp_path / "plan.xlsx", rows=[["1", HYPERLINK, "Agreed"]])
    _rewrite(source, "xl/worksheets/sheet1.xml", _with_saved_value("Ensure that data is available."))
    result = invoke("import", source, "--plan-id", "hmip", "--data", data)
    assert result.exit_code == 0, result.output
    assert "Warning: plan.xlsx:Action plan!3:B: the cell holds a formula" in result.output


def test_a_formula_without_a_saved_value_is_refused_located(data, tmp_path):
    source = tables.write_xlsx(tmp_path / "plan.xlsx", rows=[["1", HYPERLINK, "Agreed"]])
    with pytest.raises(ImportFileError) as caught:
        import_plan(source, "hmip", data)
    assert str(caught.value).startswith("plan.xlsx:Action plan!3:B: the cell holds a formula (=HYPERLINK(")
    assert "crossplan does not evaluate formulas" in str(caught.value)
    assert not (data / "plans" / "hmip.yaml").exists()


def test_a_formula_whose_saved_value_is_an_error_is_refused(data, tmp_path):
    source = tables.write_xlsx(tmp_path / "plan.xlsx", rows=[["1", "=1/0", "Agreed"]])
    _rewrite(source, "xl/worksheets/sheet1.xml", _with_saved_value("#DIV/0!", kind="e"))
    with pytest.raises(
        ImportFileError,
        match=r"^plan.xlsx:Action plan!3:B: the cell holds a formula \(=1/0\) whose "
        r"saved value is an error \(#DIV/0!\)",
    ):
        import_plan(source, "hmip", data)
