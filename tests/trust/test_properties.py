"""Properties that hold whatever the text (hypothesis): the YAML reader, id minting, the SPARQL guard and every writer.

The next class of hostile input should be found here, not by a user: text with control characters, lone surrogates,
bidi overrides, formula starts and markup goes through each reader and writer, which must either give the right
answer or a typed, located refusal — never another exception, a live formula, a broken file or a raw escape.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from xml.dom.minidom import parseString

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.datafiles.yamlfile import read_yaml
from crossplan.graph.errors import DataError, QueryError
from crossplan.graph.importing.printed import slug
from crossplan.graph.model.nodes import SLUG
from crossplan.graph.model.vocabulary import CP, RDFS
from crossplan.graph.sparql.guard import check_query
from crossplan.graph.stores.embedded import CrossplanStore, memory_store
from crossplan.graph.text import (
    clean_text,
    join_surrogate_pairs,
    spreadsheet_text,
    terminal_text,
    unclean_character,
    xml_text,
)
from crossplan.graph.views.export import csv_tables, export_graph
from crossplan.graph.views.matrix import build_matrix, matrix_csv, matrix_xlsx
from crossplan.graph.views.report import gather_report
from crossplan.graph.views.report import render_html as render_report
from crossplan.graph.views.viz.page import mapping_svg, render_html

SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"
FAST = settings(max_examples=300, deadline=None, database=None)
SLOW = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# What breaks writers: controls (C0, DEL, C1, NEL, CSI), bidi and line separators, lone surrogates, non-characters,
# formula starts, markup and quotes.
NASTY_CHARACTERS = list("\x00\x01\x07\x08\x0b\x1b\x7f\x85\x9b\x9c\u200b\u202e\u2066\u2028\u2029\ufeff\ufffe\uffff")
NASTY_CHARACTERS += list("=+-@\t\r\n<>&\"'\\/]") + ["\ud800", "\udfff", "\ud83d", "\ude00", "\U0001f600"]
NASTY = NASTY_CHARACTERS + ["]]>", "</script>", "=HYPERLINK(", "\\u0000"]
HOSTILE = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(NASTY_CHARACTERS)), max_size=40) | st.lists(
    st.sampled_from(NASTY + ["a", " ", "é"]), max_size=20
).map("".join)
# What an RDF literal can hold (pyoxigraph takes no lone surrogate): everything else that is hostile.
STORABLE = HOSTILE.map(lambda text: re.sub("[\ud800-\udfff]", "?", text))
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# -- the YAML reader ---------------------------------------------------------------------------------


YAML_PIECES = list("ab:-[]{}\"'\\ \n\t#&*!|>%@`,?0xYAML1.3") + NASTY_CHARACTERS
YAML_PIECES += ['"', "\\U", "\\u", "\\x", "\\N", "\\0", "FFFFFFFF", "00110000", "0010FFFF", "d800", "%YAML 1.", "---"]
YAML_PIECES += ["!!python/object:os.system ", "&a ", "*a", "<<: ", "? ", "!!binary ", "\r\n", "\ufeff"]


@FAST
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join))
def test_any_text_is_read_or_refused_with_a_line(text):
    try:
        read_yaml(Path("f.yaml"), "f.yaml", text)
    except DataError as error:
        assert all(problem.path == "f.yaml" and problem.line >= 0 for problem in error.problems)


@FAST
@given(HOSTILE)
def test_a_quoted_text_reads_back_as_written_or_is_refused_where_it_is(value):
    # JSON's strings are YAML 1.2 double-quoted scalars, with surrogate pairs for characters beyond U+FFFF
    text = f"a: 1\nb: {json.dumps(value)}\n"
    expected = join_surrogate_pairs(value)
    if unclean_character(expected) is None:
        assert read_yaml(Path("f.yaml"), "f.yaml", text) == {"a": 1, "b": expected}
    else:
        with pytest.raises(DataError, match=r"^f\.yaml:2: text holds "):
            read_yaml(Path("f.yaml"), "f.yaml", text)


# -- id minting --------------------------------------------------------------------------------------


@FAST
@given(HOSTILE, st.integers(min_value=1, max_value=80))
def test_a_minted_id_is_a_slug_or_empty_and_stable(text, width):
    minted = slug(text, width)
    assert minted == "" or SLUG.fullmatch(minted)
    assert len(minted) <= width and slug(minted, width) == minted


# -- the SPARQL guard --------------------------------------------------------------------------------


QUERY_PIECES = st.sampled_from(
    [
        "SELECT",
        "*",
        "?s",
        "WHERE",
        "{",
        "}",
        "(",
        ")",
        "<http://x>",
        '"a"',
        "'''",
        "#",
        "\\u0053",
        "SERVICE",
        "INSERT",
        "DATA",
        "FROM",
        "PREFIX",
        "p:",
        "FILTER",
        "1",
        ".",
        ";",
        "\n",
        " ",
    ]
    + NASTY
)


@FAST
@given(st.one_of(HOSTILE, st.lists(QUERY_PIECES, max_size=30).map(" ".join)))
def test_the_guard_accepts_or_refuses_with_a_query_error(text):
    try:
        check_query(text)
    except QueryError:
        pass


@FAST
@given(st.lists(st.booleans(), min_size=7, max_size=7), st.lists(st.booleans(), min_size=7, max_size=7))
def test_service_is_refused_however_it_is_spelled(upper, escaped):
    word = "".join(
        (f"\\u{ord(c.upper() if up else c.lower()):04X}" if esc else (c.upper() if up else c.lower()))
        for c, up, esc in zip("service", upper, escaped, strict=True)
    )
    with pytest.raises(QueryError, match="refused: SERVICE"):
        check_query(f"SELECT * WHERE {{ {word} <http://x.example/sparql> {{ ?s ?p ?o }} }}")


# -- the makers of safe text -------------------------------------------------------------------------


@FAST
@given(HOSTILE)
def test_each_target_gets_clean_then_safe_text(value):
    cleaned = clean_text(value)
    assert unclean_character(cleaned) is None
    cell = spreadsheet_text(value)
    assert isinstance(cell, str) and unclean_character(cell) is None and not cell.startswith(FORMULA_START)
    assert cell in (cleaned, "'" + cleaned)
    document = parseString(f'<a b="{xml_text(value)}">{xml_text(value, quotes=False)}</a>'.encode())
    assert document.documentElement.firstChild is None or document.documentElement.firstChild.data == (
        cleaned.replace("\r\n", "\n").replace("\r", "\n")
    )
    shown = terminal_text(value, keep_newlines=True)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]", shown)
    shown.encode("utf-8")


# -- every writer, over a store whose texts are hostile ----------------------------------------------


@pytest.fixture(scope="module")
def fixture_quads():
    return list(memory_store(load_dataset(SUGGEST)).oxigraph)


def hostile_store(quads, text: str) -> CrossplanStore:
    """The suggest fixture with every label and text replaced by ``text`` (as a SPARQL server might hold it)."""
    from pyoxigraph import Literal, Quad, Store

    replaced = {str(RDFS.label), str(CP.text)}
    store = Store()
    store.extend(
        Quad(
            quad.subject,
            quad.predicate,
            Literal(text) if quad.predicate.value in replaced and isinstance(quad.object, Literal) else quad.object,
            quad.graph_name,
        )
        for quad in quads
    )
    return CrossplanStore(store, None, None)


def spreadsheet_cells(data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row]


@SLOW
@given(text=STORABLE)
def test_csv_and_xlsx_hold_no_formula_and_no_control_character(fixture_quads, text):
    import openpyxl

    store = hostile_store(fixture_quads, text)
    matrix = build_matrix(store, "north", "south")
    cells = spreadsheet_cells(matrix_csv(matrix))
    for table in csv_tables(store).values():
        cells += spreadsheet_cells(table)
    for cell in cells:
        assert not cell.startswith(FORMULA_START) and unclean_character(cell) is None, cell
    workbook = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(matrix)))
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str):
                    assert not cell.value.startswith("=") and unclean_character(cell.value) is None
    with zipfile.ZipFile(io.BytesIO(matrix_xlsx(matrix))) as archive:
        assert not any("<f>" in archive.read(name).decode("utf-8") for name in archive.namelist())


@settings(SLOW, max_examples=10)  # three whole documents an example
@given(text=STORABLE)
def test_svg_html_and_the_briefing_stay_well_formed(fixture_quads, text):
    store = hostile_store(fixture_quads, text)
    svg = mapping_svg(store, "north", "south")
    parseString(svg.encode("utf-8"))  # well-formed XML whatever the labels
    page = render_html(store)
    page.encode("utf-8")
    plain = render_html(hostile_store(fixture_quads, "plain"))
    assert page.count("</script") == plain.count("</script")  # no text closes the data's script element
    assert page.count("<svg") == plain.count("<svg") and page.count("<b>") == plain.count("<b>")
    briefing = render_report(gather_report(store, "north", "south"), store)
    plain_store = hostile_store(fixture_quads, "plain")
    plain_briefing = render_report(gather_report(plain_store, "north", "south"), plain_store)
    control = re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", briefing)
    assert not control, briefing[max(0, control.start() - 300) : control.start() + 50]
    for tag in ("<script", "<svg", "<b>", "<img", "<iframe"):
        assert briefing.count(tag) == plain_briefing.count(tag), tag
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", page)


@SLOW
@given(text=STORABLE)
def test_turtle_carries_any_text_back(fixture_quads, text):
    import rdflib

    store = hostile_store(fixture_quads, text)
    graph = rdflib.Dataset()
    graph.parse(data=export_graph(store, "turtle"), format="turtle")
    labels = {str(o) for _s, p, o, _g in graph.quads((None, rdflib.RDFS.label, None, None))}
    assert labels == {text}
