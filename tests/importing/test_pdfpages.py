"""One PDF page read with PDFium: lines from characters, ruled tables with merged cells, shaded boxes."""

from __future__ import annotations

import importlib

import pypdfium2 as pdfium

from crossplan.graph.importing.pdfpages import read_page

layouts = importlib.import_module("tests.fixtures.import.layouts")


def test_a_form_table_with_spans_and_marks(tmp_path):
    path = layouts.write_pdf(layouts.forms_html(), tmp_path / "forms.pdf")
    pdf = pdfium.PdfDocument(str(path))
    page = read_page(pdf, 0)
    pdf.close()
    top, rows = page["tables"][0]
    assert rows[0][:2] == ["Commitment description", "Publish the data on children in custody every quarter."]
    assert rows[0][2:] == ["", "", ""]  # the spanned cells
    assert rows[3] == ["Completion level", "Not started", "Limited", "Substantial", "Complete"]
    assert rows[4] == ["", "", "", "✔", ""]  # the mark sits under Substantial
    texts = [line["text"] for line in page["lines"]]
    assert "Commitment 1.1" in texts and page["number"] == 1


def test_shaded_boxes_mark_their_lines(tmp_path):
    path = layouts.write_pdf(layouts.headings_html(), tmp_path / "headings.pdf")
    pdf = pdfium.PdfDocument(str(path))
    page = read_page(pdf, 0)
    pdf.close()
    boxed = [line["text"] for line in page["lines"] if line["box"]]
    assert boxed and boxed[0].startswith("The department should publish a resettlement strategy")
    assert not any(line["box"] for line in page["lines"] if line["text"].startswith("Accepted."))


def test_a_cell_line_spaced_wider_than_the_tables_line_spacing_starts_a_paragraph():
    from crossplan.graph.importing.pdfpages import _cell_text, _line_pitch

    def line(text: str, top: float) -> dict:
        return {"text": text, "top": top, "bottom": top + 11.0, "size": 8.5}

    owners = [line("HMPPS", 100.0), line("Regional Director,", 113.9), line("NPS North West", 123.8)]
    other = [line("Policy YCS", 200.0), line("Business Change", 213.9)]
    wrapped = [line("The MoJ will", 300.0), line("consult widely", 309.9), line("and publish.", 319.8)]
    pitch = _line_pitch([owners, other, wrapped])
    assert pitch == 9.9
    assert _cell_text(owners, pitch) == "HMPPS\n\nRegional Director,\nNPS North West"
    assert _cell_text(other, pitch) == "Policy YCS\n\nBusiness Change"
    assert _cell_text(wrapped, pitch) == "The MoJ will\nconsult widely\nand publish."
    assert _cell_text(other) == "Policy YCS\nBusiness Change"  # no usual spacing known: only a wide gap counts


def test_a_bullet_drawn_after_its_text_goes_to_the_start_of_its_line():
    from crossplan.graph.importing.pdfpages import _attach_markers

    def line(text: str, x0: float, top: float) -> dict:
        return {"text": text, "top": top, "bottom": top + 10.0, "x0": x0, "x1": x0 + 5.0 * len(text), "size": 9.0}

    lines = [line("Map existing", 20.0, 100.0), line("measures.", 20.0, 110.0), line("Consult.", 20.0, 125.0)]
    lines += [line("•", 10.0, 100.5), line("•", 10.0, 125.5), line("•", 10.0, 300.0)]
    assert [item["text"] for item in _attach_markers(lines)] == ["• Map existing", "measures.", "• Consult.", "•"]
