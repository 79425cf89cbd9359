"""Read one PDF page's characters, ruled lines and shaded boxes with pypdfium2, and its tables with pdfplumber's
table algorithm (edges → intersections → cells → tables), as the plain data ``pdfreader.assemble`` takes.

pdfplumber reads a page through pdfminer in Python (about half a CPU second for a dense page, too slow for the
50-page goal); PDFium reads the same page in C. Characters come in PDFium's reading order, with their boxes, type
sizes and weights; lines are made of them (a cell's characters by cell), a space where PDFium has one or the gap is
wide. Ruled lines come from path segments; a filled, non-white rectangle is a shaded box.
"""

from __future__ import annotations

import ctypes
from collections import Counter
from typing import Any

_SNAP = 3.0
_MIN_EDGE = 3.0


def read_page(pdf: Any, index: int) -> dict:
    """Return {"number", "lines", "tables", "sizes"} for page ``index`` (0-based) of a pypdfium2 PdfDocument."""
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        width, height = page.get_size()
        edges, shaded = _paths(page, height, raw)
        textpage = page.get_textpage()
        try:
            chars = _chars(textpage, height, raw)
        finally:
            textpage.close()
    finally:
        page.close()
    tables = _tables(edges)
    boxes = list(shaded)
    table_data = []
    in_cell: dict[int, tuple[int, tuple[float, float, float, float]]] = {}
    for number, (bbox, grid) in enumerate(tables):
        cells = [cell for row in grid for cell in row if cell is not None]
        if all(len(row) == 1 for row in grid):
            boxes.append(bbox)  # a one-column frame round text is a box, not a table
            continue
        for position, char in enumerate(chars):
            if position in in_cell:
                continue
            x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
            for cell in cells:
                if cell[0] <= x <= cell[2] and cell[1] <= y <= cell[3]:
                    in_cell[position] = (number, cell)
                    break
        table_data.append((number, bbox, grid))
    texts: dict[tuple[int, tuple[float, float, float, float]], list[dict]] = {}
    free = []
    for position, char in enumerate(chars):
        if position in in_cell:
            texts.setdefault(in_cell[position], []).append(char)
        else:
            free.append(char)
    out_tables = []
    for number, bbox, grid in table_data:
        cell_lines = {cell: _lines(texts.get((number, cell), [])) for row in grid for cell in row if cell is not None}
        pitch = _line_pitch(list(cell_lines.values()))
        rows = [["" if cell is None else _cell_text(cell_lines[cell], pitch) for cell in row] for row in grid]
        out_tables.append([bbox[1], rows])
    lines = []
    for line in _lines(free):
        centre_x, centre_y = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
        box = next((list(b) for b in boxes if b[0] <= centre_x <= b[2] and b[1] <= centre_y <= b[3]), None)
        lines.append({key: line[key] for key in ("text", "top", "bottom", "x0", "size", "bold")} | {"box": box})
    sizes = Counter(char["size"] for char in chars if not char["space"])
    return {
        "number": index + 1,
        "lines": lines,
        "tables": out_tables,
        "sizes": [[size, count] for size, count in sizes.items()],
        "width": width,
    }


def _line_pitch(cells: list[list[dict]]) -> float | None:
    """The usual distance from one line's top to the next in a table's cells (its line spacing), or None."""
    pitches = Counter(
        round(below["top"] - above["top"], 1)
        for lines in cells
        for above, below in zip(lines, lines[1:], strict=False)
        if 0 < below["top"] - above["top"] < 3 * max(above["size"], 1.0)
    )
    return pitches.most_common(1)[0][0] if pitches else None


def _cell_text(lines: list[dict], pitch: float | None = None) -> str:
    """A cell's lines, with a blank line where the gap above a line shows a new paragraph: wider than half a line,
    or wider than the table's usual line spacing by a quarter of the type size (paragraph spacing)."""
    parts: list[str] = []
    for position, line in enumerate(lines):
        if position:
            above = lines[position - 1]
            gap = line["top"] - above["bottom"]
            spaced = pitch is not None and line["top"] - above["top"] > pitch + 0.25 * max(above["size"], 1.0)
            parts.append("\n\n" if spaced or gap > 0.5 * max(above["bottom"] - above["top"], 1.0) else "\n")
        parts.append(line["text"])
    return "".join(parts)


def _chars(textpage: Any, height: float, raw: Any) -> list[dict]:
    count = raw.FPDFText_CountChars(textpage.raw)
    loose = raw.FS_RECTF()
    chars: list[dict] = []
    weights: dict[int, bool] = {}
    for index in range(count):
        code = raw.FPDFText_GetUnicode(textpage.raw, index)
        if code in (0xFFFE, 0xFFFF, 0):
            continue
        text = "-" if code == 2 else chr(code)  # PDFium gives a hyphen at a line end as 2
        if text in "\r\n":
            if chars:
                chars[-1]["break"] = True
            continue
        if text.isspace():
            if chars:
                chars[-1]["space_after"] = True
            continue
        # the loose box spans the font's ascent to descent: its height is the type size as set, whatever the matrix
        raw.FPDFText_GetLooseCharBox(textpage.raw, index, loose)
        size = round(abs(loose.top - loose.bottom), 1)
        weight = raw.FPDFText_GetFontWeight(textpage.raw, index)
        bold = weights.get(weight)
        if bold is None:
            bold = weights[weight] = weight >= 600
        chars.append(
            {
                "text": text,
                "x0": loose.left,
                "x1": loose.right,
                "top": height - max(loose.top, loose.bottom),
                "bottom": height - min(loose.top, loose.bottom),
                "size": size,
                "bold": bold,
                "space": False,
            }
        )
    return chars


def _lines(chars: list[dict]) -> list[dict]:
    """Group characters (in reading order) into lines: a new line where the text drops below the current line or
    jumps back or far to the right; a space where PDFium puts one or the gap is wide."""
    lines: list[dict] = []
    current: dict | None = None
    previous: dict | None = None
    for char in chars:
        size = max(char["size"], 4.0)
        if current is not None and previous is not None:
            middle = (char["top"] + char["bottom"]) / 2
            same_line = current["top"] - size * 0.3 <= middle <= current["bottom"] + size * 0.3
            gap = char["x0"] - previous["x1"]
            if not same_line or gap < -size or gap > size * 3:
                current = None
            elif previous.get("space_after") or gap > size * 0.35:
                current["parts"].append(" ")
        if current is None:
            current = {"parts": [], "top": char["top"], "bottom": char["bottom"], "x0": char["x0"], "x1": char["x1"]}
            current["sizes"], current["bold"] = Counter(), 0
            lines.append(current)
        current["parts"].append(char["text"])
        current["top"], current["bottom"] = min(current["top"], char["top"]), max(current["bottom"], char["bottom"])
        current["x0"], current["x1"] = min(current["x0"], char["x0"]), max(current["x1"], char["x1"])
        current["sizes"][char["size"]] += 1
        current["bold"] += char["bold"]
        previous = char
    out = []
    for line in lines:
        count = sum(line["sizes"].values())
        text = "".join(line["parts"]).strip()
        if text:
            out.append(
                {
                    "text": text,
                    "top": line["top"],
                    "bottom": line["bottom"],
                    "x0": line["x0"],
                    "x1": line["x1"],
                    "size": line["sizes"].most_common(1)[0][0],
                    "bold": line["bold"] > count * 0.8,
                }
            )
    return _attach_markers(out)


_MARKERS = {"•", "▪", "◦", "●", "■", "–", "-", "*", "\uf0b7", "\uf0a7"}
"""A list marker drawn on its own (often after the text, so read as a line of its own)."""


def _attach_markers(lines: list[dict]) -> list[dict]:
    """Put each list marker drawn alone at the start of the line level with it on its right ("• Map existing ...");
    a marker with no such line stays where it is."""
    markers = [line for line in lines if line["text"] in _MARKERS]
    if not markers:
        return lines
    kept = [line for line in lines if line["text"] not in _MARKERS]
    unattached = []
    for marker in markers:
        middle = (marker["top"] + marker["bottom"]) / 2
        beside = [
            line
            for line in kept
            if marker["x1"] - 1 <= line["x0"] <= marker["x1"] + 6 * max(line["size"], 4.0)
            and line["top"] - 0.3 * line["size"] <= middle <= line["bottom"] + 0.3 * line["size"]
            and not line["text"].startswith(tuple(_MARKERS))
        ]
        if not beside:
            unattached.append(marker)
            continue
        line = min(beside, key=lambda line: abs((line["top"] + line["bottom"]) / 2 - middle))
        sign = "•" if marker["text"] in ("\uf0b7", "\uf0a7") else marker["text"]  # a Symbol-font bullet
        line["text"], line["x0"] = f"{sign} {line['text']}", marker["x0"]
    out = {id(line) for line in kept} | {id(marker) for marker in unattached}
    return [line for line in lines if id(line) in out]


def _paths(page: Any, height: float, raw: Any) -> tuple[list[dict], list[tuple[float, float, float, float]]]:
    """Return the page's ruled edges (pdfplumber's edge dicts) and its shaded boxes (filled, not white)."""
    edges: list[dict] = []
    shaded: list[tuple[float, float, float, float]] = []
    matrix = raw.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        handle = obj.raw
        raw.FPDFPageObj_GetMatrix(handle, matrix)
        points: list[list[tuple[float, float]]] = []
        for index in range(raw.FPDFPath_CountSegments(handle)):
            segment = raw.FPDFPath_GetPathSegment(handle, index)
            raw.FPDFPathSegment_GetPoint(segment, x, y)
            px = matrix.a * x.value + matrix.c * y.value + matrix.e
            py = height - (matrix.b * x.value + matrix.d * y.value + matrix.f)
            kind = raw.FPDFPathSegment_GetType(segment)
            if kind == raw.FPDF_SEGMENT_MOVETO or not points:
                points.append([(px, py)])
            else:
                points[-1].append((px, py))
            if raw.FPDFPathSegment_GetClose(segment):
                points[-1].append(points[-1][0])
        raw.FPDFPath_GetDrawMode(handle, fill_mode, stroke)
        filled = fill_mode.value != 0 and raw.FPDFPageObj_GetFillColor(handle, r, g, b, a) and a.value > 0
        for polyline in points:
            xs = [point[0] for point in polyline]
            ys = [point[1] for point in polyline]
            box = (min(xs), min(ys), max(xs), max(ys))
            if filled and box[2] - box[0] > 40 and box[3] - box[1] > 8 and min(r.value, g.value, b.value) < 245:
                shaded.append(box)
            if filled and (box[2] - box[0] <= 2 or box[3] - box[1] <= 2):
                _edge(edges, box[0], box[1], box[2], box[3])  # a thin filled rectangle is a rule
                continue
            for (x0, y0), (x1, y1) in zip(polyline, polyline[1:], strict=False):
                _edge(edges, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return edges, shaded


def _edge(edges: list[dict], x0: float, top: float, x1: float, bottom: float) -> None:
    if bottom - top <= 2 and x1 - x0 >= _MIN_EDGE:
        middle = (top + bottom) / 2
        edges.append(
            {"x0": x0, "x1": x1, "top": middle, "bottom": middle, "width": x1 - x0, "height": 0, "orientation": "h"}
        )
    elif x1 - x0 <= 2 and bottom - top >= _MIN_EDGE:
        middle = (x0 + x1) / 2
        edges.append(
            {
                "x0": middle,
                "x1": middle,
                "top": top,
                "bottom": bottom,
                "width": 0,
                "height": bottom - top,
                "orientation": "v",
            }
        )


def _tables(edges: list[dict]) -> list[tuple[tuple[float, float, float, float], list[list[Any]]]]:
    """Find ruled tables as pdfplumber does; return (bbox, rows of cell bboxes, None where a merged cell covers)."""
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

    vertical = [edge for edge in edges if edge["orientation"] == "v"]
    horizontal = [edge for edge in edges if edge["orientation"] == "h"]
    if not vertical or not horizontal:
        return []
    # a row cut by the page break: the column rules run past the last (or before the first) ruled line
    x0, x1 = min(edge["x0"] for edge in vertical), max(edge["x1"] for edge in vertical)
    lowest, highest = max(edge["bottom"] for edge in vertical), min(edge["top"] for edge in vertical)
    for y in (lowest, highest):
        if all(abs(edge["top"] - y) > _SNAP for edge in horizontal):
            edges.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0, "orientation": "h"})
    merged = merge_edges(edges, _SNAP, _SNAP, _SNAP, _SNAP)
    merged = [edge for edge in merged if max(edge["width"], edge["height"]) >= _MIN_EDGE]
    intersections = edges_to_intersections(merged, _SNAP, _SNAP)
    cells = intersections_to_cells(intersections)
    found = []
    for table in cells_to_tables(cells):
        if len(table) < 1:
            continue
        xs = sorted({round(cell[0], 1) for cell in table})
        tops = sorted({round(cell[1], 1) for cell in table})
        grid: list[list[Any]] = [[None] * len(xs) for _ in tops]
        for cell in table:
            grid[tops.index(round(cell[1], 1))][xs.index(round(cell[0], 1))] = cell
        bbox = (
            min(cell[0] for cell in table),
            min(cell[1] for cell in table),
            max(cell[2] for cell in table),
            max(cell[3] for cell in table),
        )
        found.append((bbox, grid))
    return found
