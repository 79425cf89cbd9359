"""Write the generated documents of the import gold set (``tests/fixtures/import_gold/``): ``python -m bench.import_gold``.

- ``roundtrip/``: the two shipped plans printed in their own layouts, as PDF (HTML through WeasyPrint) and Word
  (python-docx): the HMIP inspectorate action-plan table (Rec No | Recommendation | Agreed/Partly Agreed/Not Agreed |
  Response | Responsible Owner | Target Date, addressee rows, the two dated response rounds) and the Blueprint's
  thematic table (Thematic Area | Recommendation | Action(s) include: | Refreshed Timescale | Update). Their gold is
  the shipped YAML itself; ``<file>.pages.yaml`` gives the page where each recommendation starts in the PDF.
- ``synthetic/``: each ``*.html`` there (written by hand, with its hand-written ``*.gold.yaml``) printed to PDF; and
  ``image-only.pdf``, a page that is only a picture of text.

The output is deterministic (fixed dates in the files' metadata), so a rerun changes nothing; the files are
committed so that tests and the bench do not need WeasyPrint to run.
"""

from __future__ import annotations

import argparse
import html
import io
import sys
import zipfile
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
GOLD_ROOT = ROOT / "tests" / "fixtures" / "import_gold"
SHIPPED = ROOT / "data" / "plans"
FIXED_DATE = datetime(2026, 1, 1)
RESPONSE_LABELS = {"agreed": "Agreed", "partly-agreed": "Partly Agreed", "not-agreed": "Not Agreed"}
PAGE_STYLE = """
@page { size: A4 landscape; margin: 18mm 12mm 16mm 12mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; }
  @top-right { content: "%(running)s"; font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; }
h1 { font-size: 13pt; }
table { border-collapse: collapse; width: 100%%; }
th, td { border: 0.6pt solid #000; padding: 3pt; vertical-align: top; text-align: left; }
th { background: #d9e2f3; }
tr.addressee td, tr.section td { font-weight: bold; background: #f2f2f2; }
p { margin: 0 0 4pt 0; }
ul { margin: 0; padding-left: 12pt; }
"""


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(part) for part in value)
    return " ".join(str(value or "").split())


def _e(value: Any) -> str:
    return html.escape(_text(value))


def _paragraphs(values: Iterable[Any]) -> str:
    return "".join(f"<p>{_e(value)}</p>" for value in values if _text(value))


def _page_html(title: str, running: str, body: str, footer: bool = True) -> str:
    style = PAGE_STYLE % {"running": running.replace('"', "")}
    if not footer:
        style = style.replace(
            '@bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; }', ""
        )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{style}</style></head><body>{body}</body></html>"
    )


# ---------------------------------------------------------------- HMIP: the inspectorate action-plan table


def hmip_html(plan: Mapping[str, Any]) -> str:
    """The HMIP plan as its printed action-plan table (one row per response round)."""
    rows = []
    addressee = None
    for item in plan["recommendations"]:
        if item["id"] == "a1":
            rows.append('<tr class="section"><td colspan="6">We make the additional further recommendations:</td></tr>')
        if item.get("addressee-text") and item["addressee-text"] != addressee:
            addressee = item["addressee-text"]
            rows.append(f'<tr class="addressee"><td></td><td colspan="5">{_e(addressee)}</td></tr>')
        anchor = f'id="item-{item["id"]}"'
        if item.get("status") == "removed" and not item.get("text"):
            duplicate = "6" if item["id"] == "a4" else "?"
            rows.append(
                f"<tr><td {anchor}>{_e(item['number'])}</td>"
                f"<td>Removed as it was a duplicate of recommendation {duplicate}.</td><td></td><td></td><td></td><td></td></tr>"
            )
            continue
        updates = item.get("updates") or [{}]
        span = len(updates)
        for index, update in enumerate(updates):
            cells = []
            if index == 0:
                cells.append(f'<td rowspan="{span}" {anchor}>{_e(item["number"])}</td>')
                cells.append(f'<td rowspan="{span}">{_e(item.get("text"))}</td>')
                cells.append(f'<td rowspan="{span}">{_e(RESPONSE_LABELS.get(item.get("response"), ""))}</td>')
            response = f"<p><b>{_e(update.get('title'))}</b></p>{_paragraphs([update.get('text')])}"
            owners = _paragraphs(owner["text"] for owner in update.get("owners", []))
            dates = _paragraphs(date["text"] for date in update.get("target-dates", []))
            dates += _paragraphs([update.get("status-text")])
            cells += [f"<td>{response}</td>", f"<td>{owners}</td>", f"<td>{dates}</td>"]
            rows.append(f"<tr>{''.join(cells)}</tr>")
    header = (
        "<thead><tr><th>1. Rec No</th><th>2. Recommendation</th><th>3. Agreed/ Partly Agreed/ Not Agreed</th>"
        "<th>4. Response Action Taken/Planned</th><th>5. Responsible Owner (including named individuals and their "
        "functional role or department)</th><th>6. Target Date</th></tr></thead>"
    )
    widths = "<colgroup><col style='width:5%'><col style='width:20%'><col style='width:9%'><col style='width:44%'>"
    widths += "<col style='width:12%'><col style='width:10%'></colgroup>"
    body = f"<h1>{_e(plan['plan']['title'])}</h1><table>{widths}{header}<tbody>{''.join(rows)}</tbody></table>"
    return _page_html(plan["plan"]["title"], "Action plan - youth resettlement", body)


# ---------------------------------------------------------------- Blueprint: the thematic table


def _blueprint_timescale(item: Mapping[str, Any]) -> list[str]:
    if item.get("status-text"):
        return [item["status-text"]]
    return [action["status-text"] for action in item.get("actions", []) if action.get("status-text")]


def _blueprint_actions(item: Mapping[str, Any]) -> str:
    actions = item.get("actions") or []
    if not actions:
        return "<p>N/A - see update</p>"
    if len(actions) == 1:
        return _paragraphs([actions[0]["text"]])
    return "<ul>" + "".join(f"<li>{_e(action['text'])}</li>" for action in actions) + "</ul>"


def blueprint_html(plan: Mapping[str, Any]) -> str:
    """The Blueprint plan as its printed thematic table (thematic area spanning its milestones)."""
    titles = {workstream["id"]: workstream["title"] for workstream in plan["workstreams"]}
    rows = []
    items = plan["recommendations"]
    for index, item in enumerate(items):
        cells = []
        first = index == 0 or items[index - 1]["workstream"] != item["workstream"]
        if first:
            span = sum(1 for other in items if other["workstream"] == item["workstream"])
            cells.append(f'<td rowspan="{span}"><b>{_e(titles[item["workstream"]])}</b></td>')
        cells.append(f'<td id="item-{item["id"]}">{_e(item["text"])}</td>')
        cells.append(f"<td>{_blueprint_actions(item)}</td>")
        cells.append(f"<td>{_paragraphs(_blueprint_timescale(item))}</td>")
        updates = "".join(f"<li>{_e(update['text'])}</li>" for update in item.get("updates", []))
        cells.append(f"<td><ul>{updates}</ul></td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = (
        "<thead><tr><th>Thematic Area</th><th>Recommendation</th><th>Action(s) include:</th>"
        "<th>Refreshed Timescale</th><th>Update</th></tr></thead>"
    )
    widths = "<colgroup><col style='width:10%'><col style='width:20%'><col style='width:25%'><col style='width:12%'>"
    widths += "<col style='width:33%'></colgroup>"
    body = f"<h1>{_e(plan['plan']['title'])}</h1><table>{widths}{header}<tbody>{''.join(rows)}</tbody></table>"
    return _page_html(plan["plan"]["title"], "Youth Justice Blueprint Implementation Plan", body)


# ---------------------------------------------------------------- PDF and Word output


def write_pdf(page_html: str, target: Path) -> dict[str, int]:
    """Print HTML to PDF with WeasyPrint; the 1-based page of each ``item-<id>`` anchor."""
    from weasyprint import HTML

    document = HTML(string=page_html, base_url=str(target.parent)).render()
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            if anchor.startswith("item-"):
                pages.setdefault(anchor[len("item-") :], number)
    metadata = document.metadata
    metadata.created = metadata.modified = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
    target.write_bytes(document.write_pdf())
    return pages


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _add_paragraphs(cell: Any, texts: Iterable[str], bold_first: bool = False) -> None:
    texts = [text for text in texts if text]
    for index, text in enumerate(texts):
        paragraph = cell.paragraphs[0] if index == 0 and not cell.paragraphs[0].text else cell.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = bold_first and index == 0


def _add_bullets(cell: Any, texts: Iterable[str]) -> None:
    for index, text in enumerate(texts):
        paragraph = cell.paragraphs[0] if index == 0 and not cell.paragraphs[0].text else cell.add_paragraph()
        paragraph.style = "List Bullet"
        paragraph.add_run(text)


def _save_docx(document: Any, target: Path) -> None:
    """Save with fixed dates (core properties and zip entries), so that the file is the same on every run."""
    document.core_properties.created = FIXED_DATE
    document.core_properties.modified = FIXED_DATE
    document.core_properties.last_printed = FIXED_DATE
    buffer = io.BytesIO()
    document.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(out, "w") as copy:
        for info in sorted(source.infolist(), key=lambda entry: entry.filename != "[Content_Types].xml"):
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            copy.writestr(fixed, source.read(info.filename))
    target.write_bytes(out.getvalue())


def hmip_docx(plan: Mapping[str, Any], target: Path) -> None:
    """The HMIP plan as a Word action-plan table (merged cells for each recommendation's rounds)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.header.paragraphs[0].text = "Action plan - youth resettlement"
    document.add_heading(plan["plan"]["title"], level=1)
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    headings = [
        "1. Rec No",
        "2. Recommendation",
        "3. Agreed/ Partly Agreed/ Not Agreed",
        "4. Response Action Taken/Planned",
        "5. Responsible Owner (including named individuals and their functional role or department)",
        "6. Target Date",
    ]
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = heading
    _repeat_header(table.rows[0])
    addressee = None
    for item in plan["recommendations"]:
        if item["id"] == "a1":
            row = table.add_row()
            row.cells[0].merge(row.cells[5]).text = "We make the additional further recommendations:"
        if item.get("addressee-text") and item["addressee-text"] != addressee:
            addressee = item["addressee-text"]
            row = table.add_row()
            row.cells[1].merge(row.cells[5]).text = _text(addressee)
        if item.get("status") == "removed" and not item.get("text"):
            row = table.add_row()
            row.cells[0].text = item["number"]
            row.cells[1].text = "Removed as it was a duplicate of recommendation 6."
            continue
        updates = item.get("updates") or [{}]
        rows = [table.add_row() for _ in updates]
        for row, update in zip(rows, updates, strict=True):
            _add_paragraphs(row.cells[3], [_text(update.get("title")), _text(update.get("text"))], bold_first=True)
            _add_paragraphs(row.cells[4], [_text(owner["text"]) for owner in update.get("owners", [])])
            dates = [_text(date["text"]) for date in update.get("target-dates", [])]
            _add_paragraphs(row.cells[5], [*dates, _text(update.get("status-text"))])
        first, last = rows[0], rows[-1]
        for column, value in ((0, item["number"]), (1, _text(item.get("text")))):
            merged = first.cells[column].merge(last.cells[column]) if len(rows) > 1 else first.cells[column]
            merged.text = value
        label = RESPONSE_LABELS.get(item.get("response"), "")
        merged = first.cells[2].merge(last.cells[2]) if len(rows) > 1 else first.cells[2]
        merged.text = label
    _save_docx(document, target)


def blueprint_docx(plan: Mapping[str, Any], target: Path) -> None:
    """The Blueprint plan as a Word thematic table (the thematic area merged down its milestones)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    document.add_heading(plan["plan"]["title"], level=1)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, heading in zip(
        table.rows[0].cells,
        ["Thematic Area", "Recommendation", "Action(s) include:", "Refreshed Timescale", "Update"],
        strict=True,
    ):
        cell.text = heading
    _repeat_header(table.rows[0])
    titles = {workstream["id"]: workstream["title"] for workstream in plan["workstreams"]}
    for workstream in plan["workstreams"]:
        items = [item for item in plan["recommendations"] if item["workstream"] == workstream["id"]]
        rows = [table.add_row() for _ in items]
        for row, item in zip(rows, items, strict=True):
            row.cells[1].text = _text(item["text"])
            actions = [_text(action["text"]) for action in item.get("actions", [])]
            if not actions:
                row.cells[2].text = "N/A - see update"
            elif len(actions) == 1:
                row.cells[2].text = actions[0]
            else:
                _add_bullets(row.cells[2], actions)
            _add_paragraphs(row.cells[3], _blueprint_timescale(item))
            _add_bullets(row.cells[4], [_text(update["text"]) for update in item.get("updates", [])])
        merged = rows[0].cells[0].merge(rows[-1].cells[0]) if len(rows) > 1 else rows[0].cells[0]
        merged.text = titles[workstream["id"]]
    _save_docx(document, target)


# ---------------------------------------------------------------- a long action-plan table (speed and memory)

_SUBJECTS = (
    "education plans",
    "accommodation on release",
    "health assessments",
    "family contact",
    "case records",
    "staff training",
    "resettlement data",
    "transition to adult services",
)
_BODIES = ("Youth Custody Service", "Youth Justice Board", "Department for Education", "Ministry of Justice")
_RESPONSES = (("Accepted", "agreed"), ("Accepted in part", "partly-agreed"), ("Not accepted", "not-agreed"))
_MONTHS = ("January", "March", "June", "September", "December")
LONG_TABLE_ITEMS = 205


def long_table(items: int = LONG_TABLE_ITEMS) -> tuple[str, dict[str, Any]]:
    """A long action-plan table (about 50 pages) and its gold plan, both made from the same rows."""
    rows, gold = [], []
    for index in range(items):
        number = str(index + 1)
        subject = _SUBJECTS[index % len(_SUBJECTS)]
        lead = _BODIES[index % len(_BODIES)]
        partner = _BODIES[(index + 1) % len(_BODIES)]
        label, response = _RESPONSES[index % len(_RESPONSES)]
        month = f"{_MONTHS[index % len(_MONTHS)]} {2027 + index % 3}"
        status = "Complete" if index % 4 == 0 else "Ongoing"
        text = (
            f"Review the arrangements for {subject} in establishment {number} and publish the findings, "
            f"with the steps that will be taken and the dates by which they will be completed."
        )
        update = " ".join(
            f"The review of {subject} in establishment {number} will look at the experience of children, "
            f"staff and partners, and will report to the oversight board (paragraph {part})."
            for part in range(1, 5)
        )
        rows.append(
            f'<tr><td id="item-r{number}">{number}</td><td>{_e(text)}</td><td>{label}</td><td><p>{_e(update)}</p></td>'
            f"<td>{_e(lead)}</td><td>{_e(partner)}</td><td>{month}</td><td>{status}</td></tr>"
        )
        item: dict[str, Any] = {"id": f"r{number}", "number": number, "text": text, "response": response}
        item["status"] = status.lower()
        item["owners"] = [{"text": lead}, {"text": partner}]
        item["target-dates"] = [{"text": month}]
        gold.append(item)
    header = (
        "<thead><tr><th>No.</th><th>Recommendation</th><th>Response</th><th>Action to be taken</th><th>Lead</th>"
        "<th>Partners</th><th>Timeline</th><th>Status</th></tr></thead>"
    )
    body = f"<h1>Action plan: establishment reviews</h1><table>{header}<tbody>{''.join(rows)}</tbody></table>"
    plan = {"plan": {"id": "long-table", "title": "Action plan: establishment reviews"}, "recommendations": gold}
    return _page_html("Action plan: establishment reviews", "OFFICIAL", body), plan


# ---------------------------------------------------------------- the image-only page


def image_only_pdf(target: Path) -> None:
    """A one-page PDF whose only content is a picture of a recommendation (no text layer)."""
    import base64

    from PIL import Image, ImageDraw

    picture = Image.new("L", (1240, 500), 255)
    draw = ImageDraw.Draw(picture)
    lines = [
        "Recommendation 1",
        "The Department should publish its data on outcomes for children leaving custody every quarter.",
        "Response: Accepted. The Department will publish the first quarterly report in April 2027.",
    ]
    for index, line in enumerate(lines):
        draw.text((40, 40 + 60 * index), line, fill=0)
    png = io.BytesIO()
    picture.save(png, format="PNG", optimize=False)
    encoded = base64.b64encode(png.getvalue()).decode("ascii")
    body = f'<img src="data:image/png;base64,{encoded}" style="width: 100%" alt="">'
    write_pdf(_page_html("Scanned response", "", body, footer=False), target)


def _write_pages(pages: Mapping[str, int], target: Path) -> None:
    text = "# The 1-based page where each recommendation starts in the PDF (from the printed anchors).\n"
    text += yaml.safe_dump(dict(pages), sort_keys=False)
    target.write_text(text, encoding="utf-8")


def generate(root: Path = GOLD_ROOT, long: bool = True) -> list[Path]:
    """Write every generated file of the gold set under ``root`` (the 50-page table unless ``long`` is false)."""
    written = []
    roundtrip = root / "roundtrip"
    roundtrip.mkdir(parents=True, exist_ok=True)
    hmip = yaml.safe_load((SHIPPED / "hmip-resettlement.yaml").read_text(encoding="utf-8"))
    blueprint = yaml.safe_load((SHIPPED / "yj-blueprint.yaml").read_text(encoding="utf-8"))
    for name, plan, make_html, make_docx in (
        ("hmip-resettlement", hmip, hmip_html, hmip_docx),
        ("yj-blueprint", blueprint, blueprint_html, blueprint_docx),
    ):
        pdf = roundtrip / f"{name}.pdf"
        pages = write_pdf(make_html(plan), pdf)
        _write_pages(pages, roundtrip / f"{name}.pdf.pages.yaml")
        make_docx(plan, roundtrip / f"{name}.docx")
        written += [pdf, roundtrip / f"{name}.pdf.pages.yaml", roundtrip / f"{name}.docx"]
    synthetic = root / "synthetic"
    for source in sorted(synthetic.glob("*.html")):
        pdf = source.with_suffix(".pdf")
        write_pdf(source.read_text(encoding="utf-8"), pdf)
        written.append(pdf)
    image_only_pdf(synthetic / "image-only.pdf")
    written.append(synthetic / "image-only.pdf")
    if not long:
        return written
    page_html, plan = long_table()
    pages = write_pdf(page_html, synthetic / "long-table.pdf")
    for item in plan["recommendations"]:
        item["page"] = pages[item["id"]]
    gold_text = "# Gold for long-table.pdf, made with it by bench/import_gold.py (long_table) from the same rows.\n"
    (synthetic / "long-table.gold.yaml").write_text(gold_text + yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    written += [synthetic / "long-table.pdf", synthetic / "long-table.gold.yaml"]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_gold", description=__doc__)
    parser.add_argument("--root", type=Path, default=GOLD_ROOT, help="Where to write (default: %(default)s).")
    arguments = parser.parse_args(argv)
    for path in generate(arguments.root):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
