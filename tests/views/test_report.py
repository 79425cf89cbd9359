"""The briefing (`crossplan report`): every figure equals the graph's answer, the page is inert and offline,
the PDF holds the plans' words."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from chromium import files_only, launch

from crossplan.graph.questions.duplicates import find_duplicate_groups
from crossplan.graph.questions.gaps import find_gaps
from crossplan.graph.questions.mapping import find_mapping
from crossplan.graph.questions.overdue import find_overdue
from crossplan.graph.stores.embedded import open_store
from crossplan.graph.views.report import gather_report, render_html, render_pdf
from tests.views.test_matrix import HOSTILE, make_hostile

AS_OF = "2021-06-30"
PAIR = ("hmip-resettlement", "yj-blueprint")
# Reading the PDF back needs Debian's poppler-utils (pdftotext, pdfinfo), installed by scripts/install-system-deps.sh:
# these tests are in the browser tier (Debian's rendering stack), not in the fast tier.
pdftotext = pytest.mark.browser


class _Page(HTMLParser):
    """Every tag with its attributes, the data-figure values, and the text outside <style>."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.figures: dict[str, str] = {}
        self.text: list[str] = []
        self._figure: str | None = None
        self._style = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        self._style = tag == "style"
        if "data-figure" in attributes:
            assert attributes["data-figure"] not in self.figures, attributes["data-figure"]
            self._figure = attributes["data-figure"]
            self.figures[self._figure] = ""

    def handle_endtag(self, tag):
        self._figure = None
        self._style = False

    def handle_data(self, data):
        if self._figure:
            self.figures[self._figure] += data
        if not self._style:
            self.text.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def shipped():
    return open_store(None)


@pytest.fixture(scope="module")
def shipped_html(shipped) -> str:
    return render_html(gather_report(shipped, *PAIR, as_of=AS_OF), shipped)


# -- the figures are the graph's answers -------------------------------------------------------------

_COUNT = "SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE {{ ?item cp:inPlan ?plan ; a {type} . ?plan dcterms:identifier '{plan}' }}"
_REMOVED = "SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE {{ ?item cp:inPlan ?plan ; cp:status cp:Removed . ?plan dcterms:identifier '{plan}' }}"
_RESPONSES = """SELECT ?rec ?response WHERE {{ ?rec a cp:Recommendation ; cp:inPlan ?plan . ?plan dcterms:identifier '{plan}'
  OPTIONAL {{ ?rec cp:response ?response }} }}"""
_STATUSES = """SELECT ?rec ?own ?update ?date ?position ?reported WHERE {{ ?rec a cp:Recommendation ; cp:inPlan ?plan .
  ?plan dcterms:identifier '{plan}'
  OPTIONAL {{ ?rec cp:status ?own }}
  OPTIONAL {{ ?rec cp:hasUpdate ?update . ?update cp:status ?reported .
             OPTIONAL {{ ?update dcterms:date ?date }} OPTIONAL {{ ?update cp:position ?position }} }} }}"""
_ROUND_FIGURES = """SELECT ?date (COUNT(DISTINCT ?u) AS ?updates) (COUNT(DISTINCT ?item) AS ?items) WHERE {{
  ?item cp:inPlan ?plan ; cp:hasUpdate ?u . ?plan dcterms:identifier '{plan}'
  OPTIONAL {{ ?u dcterms:date ?date }} }} GROUP BY ?date"""
_ROUND_TARGETS = """SELECT DISTINCT ?date ?item ?target WHERE {{
  ?item cp:inPlan ?plan ; cp:hasUpdate ?u . ?u cp:targetDate ?target . ?plan dcterms:identifier '{plan}'
  OPTIONAL {{ ?u dcterms:date ?date }} }}"""
_ROUND_STATUSES = """SELECT ?date ?status (COUNT(DISTINCT ?u) AS ?n) WHERE {{
  ?item cp:inPlan ?plan ; cp:hasUpdate ?u . ?u cp:status ?status . ?plan dcterms:identifier '{plan}'
  OPTIONAL {{ ?u dcterms:date ?date }} }} GROUP BY ?date ?status"""
_ROUNDS = "SELECT DISTINCT ?date WHERE {{ ?item cp:inPlan ?plan ; cp:hasUpdate ?u . ?plan dcterms:identifier '{plan}' OPTIONAL {{ ?u dcterms:date ?date }} }}"


def _local(iri: str | None) -> str | None:
    return None if iri is None else re.sub(r"(?<!^)(?=[A-Z])", "-", iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]).lower()


def expected_figures(store, plans: list[str], pairs: list[tuple[str, str]], as_of: str) -> dict[str, int]:
    """Ask the graph each question the briefing answers, here, independently of the report's code."""
    expected: dict[str, int] = {}
    for plan in plans:
        for kind, term in [
            ("workstream", "cp:Workstream"),
            ("recommendation", "cp:Recommendation"),
            ("action", "cp:Action"),
            ("update", "cp:Update"),
        ]:
            expected[f"plan.{plan}.items.{kind}"] = store.select(_COUNT.format(type=term, plan=plan))[0]["n"]
        expected[f"plan.{plan}.removed"] = store.select(_REMOVED.format(plan=plan))[0]["n"]
        responses: dict[str, str | None] = {}
        for row in store.select(_RESPONSES.format(plan=plan)):
            responses[row["rec"]] = _local(row["response"])
        expected[f"plan.{plan}.recommendations"] = len(responses)
        for response in ("agreed", "partly-agreed", "not-agreed"):
            expected[f"plan.{plan}.response.{response}"] = sum(value == response for value in responses.values())
        expected[f"plan.{plan}.response.not stated"] = sum(value is None for value in responses.values())
        own: dict[str, str | None] = {}
        latest: dict[str, tuple] = {}
        for row in store.select(_STATUSES.format(plan=plan)):
            own.setdefault(row["rec"], _local(row["own"]))
            if row["reported"]:
                key = (row["date"] or "", row["position"] or 0, row["update"])
                if row["rec"] not in latest or key > latest[row["rec"]][0]:
                    latest[row["rec"]] = (key, _local(row["reported"]))
        progress = [own[rec] or latest.get(rec, (None, "not stated"))[1] for rec in own]
        for status in ("complete", "ongoing", "not-applicable", "removed", "not stated"):
            expected[f"plan.{plan}.progress.{status}"] = progress.count(status)
        expected[f"plan.{plan}.overdue"] = len(find_overdue(store, datetime.date.fromisoformat(as_of), plan).items)
        expected[f"plan.{plan}.gaps"] = len(find_gaps(store, plan))
        expected[f"plan.{plan}.rounds"] = len(store.select(_ROUNDS.format(plan=plan)))
        for row in store.select(_ROUND_FIGURES.format(plan=plan)):
            key = f"plan.{plan}.round.{row['date'] or 'undated'}"
            expected[f"{key}.updates"], expected[f"{key}.items"] = row["updates"], row["items"]
            expected[f"{key}.target-dates"] = sum(
                target["date"] == row["date"] for target in store.select(_ROUND_TARGETS.format(plan=plan))
            )
        for row in store.select(_ROUND_STATUSES.format(plan=plan)):
            expected[f"plan.{plan}.round.{row['date'] or 'undated'}.status.{_local(row['status'])}"] = row["n"]
    for first, second in pairs:
        mapping = find_mapping(store, first, second)
        key = f"pair.{mapping.from_plan}.{mapping.to_plan}"
        linked = [row for row in mapping.rows if row.links]
        expected[f"{key}.recommendations"] = len(mapping.rows)
        expected[f"{key}.mapped"] = len(linked)
        expected[f"{key}.unmapped"] = len(mapping.unmapped)
        every = [link for row in mapping.rows for link in row.links] + mapping.other_links
        expected[f"{key}.links"] = len(every)
        for relation in ("duplicate-of", "feeds-into", "delegated-to", "supersedes", "references", "related-to"):
            expected[f"{key}.relation.{relation}"] = sum(
                any(link.relation == relation for link in row.links) for row in linked
            )
            expected[f"{key}.relation-links.{relation}"] = sum(link.relation == relation for link in every)
        for basis in ("explicit", "judged", "suggested"):
            expected[f"{key}.basis.{basis}"] = sum(any(link.basis == basis for link in row.links) for row in linked)
            expected[f"{key}.basis-links.{basis}"] = sum(link.basis == basis for link in every)
        for workstream, _title in mapping.workstreams:
            expected[f"{key}.column.{workstream}"] = sum(
                any(link.workstream == workstream for link in row.links) for row in linked
            )
        if any(link.workstream is None for row in linked for link in row.links):
            expected[f"{key}.column.(other)"] = sum(
                any(link.workstream is None for link in row.links) for row in linked
            )
        expected[f"{key}.empty"] = sum(
            all(link.workstream != workstream for link in every) for workstream, _ in mapping.workstreams
        )
    expected["duplicates"] = sum(bool(set(group.plans) & set(plans)) for group in find_duplicate_groups(store))
    return expected


def test_every_figure_in_the_report_is_the_graphs_answer(shipped, shipped_html):
    figures = parse(shipped_html).figures
    expected = expected_figures(shipped, list(PAIR), [PAIR], AS_OF)
    assert {name: int(value) for name, value in figures.items()} == expected


def test_every_figure_of_every_linked_pair_and_of_one_plan(mini_data):
    store = open_store(mini_data)
    page = parse(render_html(gather_report(store, as_of=AS_OF), store))
    assert {name: int(value) for name, value in page.figures.items()} == expected_figures(
        store, ["alpha", "beta"], [("alpha", "beta")], AS_OF
    )
    page = parse(
        render_html(gather_report(store, "beta", "alpha", as_of=AS_OF), store)
    )  # onto a plan without workstreams
    assert {name: int(value) for name, value in page.figures.items()} == expected_figures(
        store, ["beta", "alpha"], [("beta", "alpha")], AS_OF
    )
    page = parse(render_html(gather_report(store, plan="beta", as_of=AS_OF), store))
    assert {name: int(value) for name, value in page.figures.items()} == expected_figures(store, ["beta"], [], AS_OF)


def test_a_briefing_asks_for_each_mapping_once(shipped, monkeypatch):
    """The matrix and the drawing of a pair show one mapping: the drawing is given it, not asking the store again."""
    from crossplan.graph.views.report import contents
    from crossplan.graph.views.viz import view

    asked = []

    def counted(store, from_plan, to_plan):
        asked.append((from_plan, to_plan))
        return find_mapping(store, from_plan, to_plan)

    monkeypatch.setattr(contents, "find_mapping", counted)
    monkeypatch.setattr(view, "find_mapping", counted)
    page = render_html(gather_report(shipped, *PAIR, as_of=AS_OF), shipped)
    assert asked == [PAIR] and "<svg" in page


def test_the_reporting_rounds_are_the_plans_update_rounds(shipped, shipped_html):
    report = gather_report(shipped, *PAIR, as_of=AS_OF)
    hmip = report.plans[0]
    titles = {
        row["title"]
        for row in shipped.select(
            "SELECT DISTINCT ?title WHERE { ?i cp:inPlan ?p ; cp:hasUpdate ?u . ?u dcterms:title ?title . ?p dcterms:identifier 'hmip-resettlement' }"
        )
    }
    assert {title for round_ in hmip.rounds for title in round_.titles} == titles
    assert [round_.date for round_ in hmip.rounds] == sorted(round_.date for round_ in hmip.rounds)
    text = " ".join(parse(shipped_html).text)
    for title in titles:
        assert title in text
    # what a later round changed is what its updates say, against the round before
    for change in (change for round_ in hmip.rounds[1:] for change in round_.changes):
        assert change.before != change.after


def test_the_appendix_numbers_every_link_and_the_marks_point_at_it(shipped_html):
    page = parse(shipped_html)
    anchors = {attributes["id"] for _tag, attributes in page.tags if attributes.get("id", "").startswith("link-")}
    targets = {
        attributes["href"][1:]
        for tag, attributes in page.tags
        if tag == "a" and attributes.get("href", "").startswith("#link-")
    }
    assert targets and targets <= anchors
    assert len(anchors) == int(page.figures[f"pair.{PAIR[0]}.{PAIR[1]}.links"])
    assert re.search(r"data sha256:[0-9a-f]{16}", shipped_html)


# -- offline, inert ----------------------------------------------------------------------------------


def assert_inert(page: str) -> _Page:
    parsed = parse(page)
    for tag, attributes in parsed.tags:
        assert tag not in ("script", "iframe", "img", "object", "embed", "link", "b"), (tag, attributes)
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        assert not any(
            str(value).lstrip().lower().startswith(("javascript:", "http:", "https:"))
            for name, value in attributes.items()
            if name in ("href", "src", "xlink:href")
        ), (tag, attributes)
    return parsed


def test_hostile_text_stays_text_in_html_and_svg(mini_data):
    data = make_hostile(mini_data)
    store = open_store(data)
    page = render_html(gather_report(store, "alpha", "beta", as_of=AS_OF), store)
    parsed = assert_inert(page)
    text = "".join(parsed.text)
    for payload in (HOSTILE["title"], HOSTILE["quote"], HOSTILE["workstream"]):
        assert payload in text, payload
    assert "<svg onload" not in page and "<script>" not in page
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert svgs  # the charts (and the mapping drawing, where viz has it)
    for svg in svgs:  # data text inside the drawings is escaped: no element or attribute came from it
        assert "<script" not in svg and "<svg onload" not in svg and "<b>" not in svg
        assert not any(name.startswith("on") for _tag, attributes in parse(svg).tags for name in attributes)


@pdftotext
def test_hostile_text_is_printed_as_text_in_the_pdf(mini_data, tmp_path):
    data = make_hostile(mini_data)
    store = open_store(data)
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(render_pdf(render_html(gather_report(store, "alpha", "beta", as_of=AS_OF), store)))
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert '<script>alert("plan")</script> Alpha' in text
    assert "@SUM(1+1) <b>Resettlement</b>" in text


@pytest.mark.browser
def test_the_page_opens_offline_in_chromium_without_requests_or_errors(shipped_html, tmp_path):
    from playwright.sync_api import sync_playwright

    path = tmp_path / "briefing.html"
    path.write_text(shipped_html, encoding="utf-8")
    requests, errors = [], []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(java_script_enabled=False)
            blocked = files_only(page)
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(path.as_uri())
            assert page.title().startswith("Briefing: hmip-resettlement → yj-blueprint")
            assert page.locator("table.matrix tr").count() == 1 + int(
                parse(shipped_html).figures[f"pair.{PAIR[0]}.{PAIR[1]}.recommendations"]
            )
            # two charts per plan and, on page 1, one per pair (its recommendations by workstream)
            assert page.locator("svg.chart").count() == 2 * 2 + 1
            box = page.locator("table.matrix").bounding_box()
            assert box and box["width"] > 0
            # chart labels are whole: every text lies inside its chart
            assert page.evaluate(
                "Array.from(document.querySelectorAll('svg.chart text')).every(t => { const b = t.getBBox();"
                " const s = t.ownerSVGElement.viewBox.baseVal; return b.x >= -0.5 && b.x + b.width <= s.width + 0.5; })"
            )
            # the mapping figure's text is 12 px or more on screen
            sizes = page.evaluate(
                "Array.from(document.querySelectorAll('.picture svg text')).map(t => t.getBoundingClientRect().height)"
            )
            smallest = page.evaluate(
                "(() => { const svg = document.querySelector('.picture svg'); const scale = svg.getBoundingClientRect().width /"
                " svg.viewBox.baseVal.width; return Math.min(...Array.from(svg.querySelectorAll('text')).map("
                "t => parseFloat(t.getAttribute('font-size')) * scale)); })()"
            )
            assert sizes and smallest >= 12
        finally:
            browser.close()
    assert (requests, blocked, errors) == ([path.as_uri()], [], [])


@pdftotext
def test_the_pdf_is_fit_to_print(tmp_path, invoke):
    pdf = tmp_path / "briefing.pdf"
    assert invoke("report", *PAIR, "--as-of", AS_OF, "-o", pdf).exit_code == 0
    layout = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = layout.split("<page ")[1:]
    used = []
    for page in pages:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page) if float(y) < height - 50]
        used.append(max(bottoms) / height)
    # no nearly blank page: each is at least half used, but for the last of a section that ends before a
    # deliberate break (the mapping's landscape pages, the appendix)
    texts = [" ".join(re.findall(r">([^<]+)</word>", page)) for page in pages]
    breaks = {index - 1 for index, text in enumerate(texts) if "The mapping:" in text or "Appendix:" in text}
    assert all(share >= 0.5 for index, share in enumerate(used[:-1]) if index not in breaks), used
    # the mapping figure prints at 8 pt or more: its smallest text (word boxes are about 1.16 × the size)
    figure = next(page for page, text in zip(pages, texts, strict=True) if "The mapping:" in text)
    footer = float(re.search(r'height="([\d.]+)"', figure).group(1)) - 50
    heights = [
        float(bottom) - float(top)
        for top, bottom in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', figure)
        if float(bottom) < footer and float(top) > 60
    ]
    assert min(heights) / 1.164 >= 8  # 1.164: DejaVu Sans, the tallest of the fonts used, so the size is not overstated


@pdftotext
def test_the_pdf_holds_every_recommendation_and_workstream(shipped, tmp_path, invoke):
    pdf = tmp_path / "briefing.pdf"
    result = invoke("report", *PAIR, "--as-of", AS_OF, "-o", pdf)
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    mapping = find_mapping(shipped, *PAIR)
    for row in mapping.rows:
        assert re.search(rf"(^|\s){re.escape(row.recommendation.rsplit('/', 1)[1])}\s", text), row.recommendation
    for _workstream, title in mapping.workstreams:
        assert title in text, title
    pages = int(re.search(r"Page 1 of (\d+)", text).group(1))
    assert pages > 1 and f"Page {pages} of {pages}" in text
    assert f"As of {AS_OF}" in text and "made " in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)


# -- the command ----------------------------------------------------------------------------------


def test_report_command_writes_html_for_a_pair_one_plan_or_every_pair(mini_data, invoke, tmp_path):
    out = tmp_path / "b.html"
    result = invoke("--data", mini_data, "report", "alpha", "beta", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out} (2 plans; alpha → beta)\n"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (
        invoke("--data", mini_data, "report", "--plan", "alpha", "-o", out).output
        == f"Wrote {out} (1 plan; no pairs)\n"
    )
    assert invoke("--data", mini_data, "report", "-o", out).output == f"Wrote {out} (2 plans; alpha → beta)\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (["alph", "beta"], "Error: no plan 'alph' (did you mean 'alpha'?)"),
        (["alpha", "alpha"], "Error: FROM and TO are the same plan 'alpha': give two different plans"),
        (["alpha", "beta", "--as-of", "30/06/2021"], "Error: '30/06/2021' is not a date (write YYYY-MM-DD)"),
        (["alpha", "beta", "-o", "{tmp}/b.docx"], "Error: {tmp}/b.docx: write the report to a .html or .pdf file"),
        (
            ["alpha", "beta", "-o", "{tmp}/missing/b.pdf"],
            "Error: {tmp}/missing/b.pdf: the directory {tmp}/missing does not exist",
        ),
    ],
)
def test_report_errors_are_one_located_line(mini_data, invoke, tmp_path, args, message):
    result = invoke("--data", mini_data, "report", *[arg.format(tmp=tmp_path) for arg in args])
    assert result.exit_code == 1
    assert result.output == message.format(tmp=tmp_path) + "\n"


def test_an_unwritable_output_is_one_line(mini_data, invoke, tmp_path):
    # A place no one can write, root included: a folder inside a regular file.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file\n", encoding="utf-8")
    result = invoke("--data", mini_data, "report", "alpha", "beta", "-o", blocker / "b.html")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {blocker / 'b.html'}: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert blocker.read_text(encoding="utf-8") == "a file\n"


def test_an_output_that_is_a_directory_is_one_line(mini_data, invoke, tmp_path):
    folder = tmp_path / "b.html"
    folder.mkdir()
    result = invoke("--data", mini_data, "report", "alpha", "beta", "-o", folder)
    assert result.exit_code == 2
    assert (
        result.output.splitlines()[-1] == f"Error: Invalid value for '-o' / '--output': File '{folder}' is a directory."
    )


def test_many_pairs_leave_the_drawings_out_and_say_how_to_get_one(mini_data, monkeypatch):
    from crossplan.graph.views.report import render

    store = open_store(mini_data)
    report = gather_report(store, "alpha", "beta", as_of=AS_OF)
    monkeypatch.setattr(render, "MAX_DRAWINGS", 0)
    text = " ".join(" ".join(parse(render_html(report, store)).text).split())
    assert "crossplan viz --mapping alpha beta -o mapping.svg" in text


def test_the_pdf_is_made_without_fetching_anything(monkeypatch):
    from crossplan.graph.views.report import render

    asked = []

    def refuse(url, *args, **kwargs):
        asked.append(url)
        raise ValueError("refused")

    monkeypatch.setattr(render, "_refuse_fetch", refuse)
    pdf = render_pdf(
        '<p>text</p><img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="https://example.org/x.css">'
    )
    assert pdf.startswith(b"%PDF")
    assert asked and all(url.startswith(("http://127.0.0.1:9/", "https://example.org/")) for url in asked)


def test_the_fingerprint_follows_the_data(mini_data, tmp_path):
    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.stores.embedded import memory_store
    from crossplan.graph.views.report.contents import data_fingerprint

    copy = tmp_path / "copy"
    shutil.copytree(mini_data, copy)
    assert data_fingerprint(open_store(mini_data)) == data_fingerprint(open_store(copy))
    in_memory = data_fingerprint(memory_store(load_dataset(mini_data)))
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", in_memory)
    make_hostile(copy)
    assert data_fingerprint(open_store(mini_data)) != data_fingerprint(open_store(copy))
    assert data_fingerprint(memory_store(load_dataset(copy))) != in_memory


def test_the_fingerprint_takes_the_digests_the_store_recorded_and_reads_only_the_other_files(mini_data, monkeypatch):
    from pathlib import Path

    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.stores.embedded import memory_store
    from crossplan.graph.views.report.contents import data_fingerprint

    on_disk = open_store(mini_data)
    assert set(on_disk.file_digests()) == {
        "documents.yaml",
        "organisations.yaml",
        "programmes.yaml",
        "plans/alpha.yaml",
        "plans/beta.yaml",
    }
    hashed = data_fingerprint(memory_store(load_dataset(mini_data)))  # no record: every file read and hashed
    read = []
    original = Path.read_bytes

    def reading(path):
        read.append(path.relative_to(mini_data).as_posix())
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", reading)
    assert data_fingerprint(on_disk) == hashed
    assert read and all(not name.endswith(".yaml") for name in read)  # the source texts only
