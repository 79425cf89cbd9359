"""`crossplan init`, `crossplan import` and `crossplan template` through the CLI: exact output and exit codes."""

from __future__ import annotations

import importlib

import pytest
from rdflib.compare import isomorphic

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.rdf.quads import to_rdflib

tables = importlib.import_module("tests.fixtures.import.hmip_tables")

FIELDS = "number, id, text, response, update, action, owner, target-date, status, timescale, workstream, addressed-to, note, ignore"


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def mine(here, invoke):
    """A data directory made with `crossplan init`, holding the organisations the HMIP table names."""
    assert invoke("init", "mine").exit_code == 0
    (here / "mine/organisations.yaml").write_text(tables.ORGANISATIONS, encoding="utf-8")
    return here / "mine"


def test_init(here, invoke):
    result = invoke("init", "mine")
    assert (result.exit_code, result.output) == (
        0,
        "Made mine (empty registries, no plans, 3 files)\n"
        "Use it with `crossplan --data mine ...` or `export CROSSPLAN_DATA=mine`; "
        "add a plan with `crossplan --data mine import FILE --plan-id ID`\n",
    )
    assert invoke("--data", "mine", "validate").output == "No problems found\n"
    again = invoke("init", "mine")
    assert (again.exit_code, again.output) == (
        1,
        "Error: mine already exists and is not an empty directory: choose a new one\n",
    )


def test_init_with_shipped(here, invoke):
    result = invoke("init", "copy", "--with-shipped")
    assert result.exit_code == 0
    from crossplan.graph.resources import shipped_data_dir

    shipped = sorted(path.name for path in (shipped_data_dir() / "plans").glob("*.yaml"))
    assert sorted(path.name for path in (here / "copy/plans").glob("*.yaml")) == shipped
    assert result.output.startswith(f"Made copy ({len(shipped)} plans, ")
    assert invoke("--data", "copy", "validate").output == invoke("validate").output


def test_import_writes_the_plan_and_every_command_reads_it(mine, invoke):
    tables.write_xlsx(mine.parent / "action-plan.xlsx")
    result = invoke("--data", "mine", "import", "action-plan.xlsx", "--plan-id", "hmip")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "",
        "Imported 4 recommendations (1 removed), 4 updates, 0 actions, 0 workstreams, 1 link from action-plan.xlsx "
        "(sheet Action plan) into mine/plans/hmip.yaml\n",
    )
    assert invoke("validate", env={"CROSSPLAN_DATA": "mine"}).output == "No problems found\n"
    expected = tables.EXPECTED_PLAN.format(plan_id="hmip")
    (mine.parent / "expected").mkdir()
    for name in ("organisations.yaml", "documents.yaml", "programmes.yaml"):
        (mine.parent / "expected" / name).write_text((mine / name).read_text())
    (mine.parent / "expected/plans").mkdir()
    (mine.parent / "expected/plans/hmip.yaml").write_text(expected)
    assert isomorphic(
        to_rdflib(load_dataset(mine), ["hmip"]), to_rdflib(load_dataset(mine.parent / "expected"), ["hmip"])
    )


def test_dry_run_prints_the_plan_and_writes_nothing(mine, invoke):
    tables.write_csv(mine.parent / "plan.csv")
    result = invoke("--data", "mine", "import", "plan.csv", "--plan-id", "hmip", "--dry-run", "--title", "Resettlement")
    assert result.exit_code == 0
    assert result.stderr == (
        "Dry run: would write mine/plans/hmip.yaml with 4 recommendations (1 removed), 4 updates, 0 actions, "
        "0 workstreams, 1 link from plan.csv (11 rows); nothing written\n"
    )
    assert result.stdout.startswith(
        "# Imported by `crossplan import` from plan.csv.\n"
        "# Each recommendation's comment names the row it came from. Check the texts against the published\n"
        "# document, then add `source:` (a document in documents.yaml) so that `crossplan validate` checks them.\n"
        "plan:\n"
        "  id: hmip\n"
        "  title: Resettlement\n"
        "\n"
        "recommendations:\n"
        "  # plan.csv:4\n"
        "  - id: r1\n"
    )
    assert not (mine / "plans/hmip.yaml").exists()
    written = invoke("--data", "mine", "import", "plan.csv", "--plan-id", "hmip", "--title", "Resettlement")
    assert written.exit_code == 0
    assert (mine / "plans/hmip.yaml").read_text(encoding="utf-8") == result.stdout


def test_unknown_organisations_are_listed_and_added_on_request(here, invoke):
    invoke("init", "mine")
    (here / "mine/organisations.yaml").write_text(
        "organisations:\n  - id: hmpps\n    name: Her Majesty's Prison and Probation Service\n", encoding="utf-8"
    )
    tables.write_docx(here / "plan.docx")
    listed = invoke("--data", "mine", "import", "plan.docx", "--plan-id", "hmip", "--dry-run")
    assert listed.stderr == (
        "Dry run: would write mine/plans/hmip.yaml with 4 recommendations (1 removed), 4 updates, 0 actions, "
        "0 workstreams, 1 link from plan.docx (table 2); nothing written\n"
        "Not in mine/organisations.yaml (left out of addressed-to; add them with --add-organisations): "
        "Ministry of Justice; Department for Education; Youth Justice Board\n"
    )
    added = invoke("--data", "mine", "import", "plan.docx", "--plan-id", "hmip", "--add-organisations")
    assert (added.exit_code, added.output) == (
        0,
        "Imported 4 recommendations (1 removed), 4 updates, 0 actions, 0 workstreams, 1 link from plan.docx (table 2) "
        "into mine/plans/hmip.yaml\n"
        "Added 3 organisations to mine/organisations.yaml: ministry-of-justice (Ministry of Justice), "
        "department-for-education (Department for Education), youth-justice-board (Youth Justice Board)\n",
    )
    nodes = load_dataset(here / "mine").nodes
    assert nodes["hmip/r1"].addressed_to == ["ministry-of-justice", "department-for-education"]
    assert nodes["hmip/r2"].addressed_to == ["hmpps"]
    assert nodes["hmip/r3"].addressed_to == ["youth-justice-board"]
    assert invoke("--data", "mine", "validate").output == "No problems found\n"


def test_map_and_sheet(mine, invoke):
    header = ["Ref", "Recommendation", "Accountable body"]
    tables.write_xlsx(
        mine.parent / "plan.xlsx", sheet="Cover", extra_sheets=[("Plan", [header, [7, "Publish the guidance.", "YJB"]])]
    )
    result = invoke(
        "--data",
        "mine",
        "import",
        "plan.xlsx",
        "--plan-id",
        "plan",
        "--sheet",
        "Plan",
        "--map",
        "Accountable body=owner",
    )
    assert result.output == (
        "Imported 1 recommendation, 0 updates, 0 actions, 0 workstreams, 0 links from plan.xlsx (sheet Plan) "
        "into mine/plans/plan.yaml\n"
    )
    assert [owner.organisation for owner in load_dataset(mine).nodes["plan/r7"].owners] == ["yjb"]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--map", "Budget"], f"Invalid value for '--map': 'Budget' is not COLUMN=FIELD (fields: {FIELDS})"),
        ([], "Missing option '--plan-id'."),
    ],
)
def test_usage_errors_exit_2(mine, invoke, arguments, message):
    tables.write_csv(mine.parent / "plan.csv")
    plan_id = [] if not arguments else ["--plan-id", "hmip"]
    result = invoke("--data", "mine", "import", "plan.csv", *plan_id, *arguments)
    assert result.exit_code == 2
    assert result.output.endswith(f"\nError: {message}\n")


@pytest.mark.parametrize(
    "write, arguments, message",
    [
        (
            lambda d: tables.write_csv(d / "plan.csv"),
            ["--map", "Budget=money"],
            f"--map 'Budget=money': unknown field 'money' (did you mean 'owner'?) (fields: {FIELDS})",
        ),
        (
            lambda d: tables.write_csv(d / "plan.csv", header=tables.HEADER[:5] + ["Budget"]),
            [],
            f"plan.csv:2:F: unknown column 'Budget': name it with --map 'Budget=FIELD' (FIELD one of: {FIELDS})",
        ),
        (
            lambda d: tables.write_xlsx(d / "plan.csv", rows=[["The YJB should:"], ["", "Text."]]),
            [],
            "plan.csv:1: not UTF-8 text (in Excel, save as 'CSV UTF-8')",
        ),
        (
            lambda d: tables.write_xlsx(d / "plan.xlsx", rows=[["The YJB should:"], ["", "Text."]]),
            [],
            "plan.xlsx:Action plan!4: no Rec No: this row follows the addressee row at plan.xlsx:Action plan!3, "
            "so it must start a recommendation",
        ),
        (
            lambda d: tables.write_xlsx(d / "plan.xlsx", rows=[["1", "=A1"]]),
            [],
            "plan.xlsx:Action plan!3:B: the cell holds a formula (=A1); crossplan does not evaluate formulas: "
            "replace it with its value (Copy, Paste Values)",
        ),
        (
            lambda d: tables.write_csv(d / "plan.csv", rows=[["1", "A."], ["1", "B."]]),
            [],
            "plan.csv:4: duplicate Rec No '1' (first at plan.csv:3)",
        ),
        (
            lambda d: (d / "plan.doc").write_bytes(b"\xd0\xcf\x11\xe0"),
            [],
            "plan.doc: cannot import '.doc' files: crossplan imports .pdf, .docx, .html, .xlsx and .csv (UTF-8) files",
        ),
        (
            lambda d: tables.write_xlsx(d / "plan.xlsx"),
            ["--sheet", "Sheet9"],
            "plan.xlsx: no sheet 'Sheet9' (sheets: Action plan)",
        ),
        (
            lambda d: tables.write_csv(d / "plan.csv"),
            ["--sheet", "1"],
            "plan.csv: --sheet is for .xlsx workbooks and .docx tables, not CSV files",
        ),
        (
            lambda d: tables.write_docx(d / "plan.docx"),
            ["--sheet", "3"],
            "plan.docx: --sheet '3' is not a table number (the document has 2 tables)",
        ),
    ],
)
def test_errors_name_the_place_and_write_nothing(mine, invoke, write, arguments, message):
    write(mine.parent)
    name = next(path.name for path in mine.parent.iterdir() if path.name.startswith("plan."))
    before = sorted((path.name, path.read_bytes()) for path in mine.rglob("*") if path.is_file())
    result = invoke("--data", "mine", "import", name, "--plan-id", "hmip", *arguments)
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert sorted((path.name, path.read_bytes()) for path in mine.rglob("*") if path.is_file()) == before


def test_an_existing_plan_needs_force(mine, invoke):
    tables.write_csv(mine.parent / "plan.csv")
    assert invoke("--data", "mine", "import", "plan.csv", "--plan-id", "hmip").exit_code == 0
    again = invoke("--data", "mine", "import", "plan.csv", "--plan-id", "hmip", "--title", "New title")
    assert (again.exit_code, again.output) == (
        1,
        "Error: mine/plans/hmip.yaml already exists (use --force to replace it)\n",
    )
    forced = invoke("--data", "mine", "import", "plan.csv", "--plan-id", "hmip", "--title", "New title", "--force")
    assert forced.exit_code == 0
    assert load_dataset(mine).nodes["hmip"].title == "New title"


def test_a_plan_that_would_not_validate_is_not_written(mine, invoke):
    tables.write_csv(mine.parent / "plan.csv")
    result = invoke("--data", "mine", "import", "plan.csv", "--plan-id", "moj")
    assert (result.exit_code, result.output) == (
        1,
        "mine/plans/moj.yaml:5: duplicate id 'moj' (first defined at mine/organisations.yaml:3) "
        "(in the plan as it would be written: see --dry-run; nothing was written)\n",
    )
    assert not (mine / "plans/moj.yaml").exists()


def test_the_shipped_data_is_refused(here, invoke):
    tables.write_csv(here / "plan.csv")
    result = invoke("import", "plan.csv", "--plan-id", "hmip")
    assert (result.exit_code, result.output) == (
        1,
        "Error: will not import into the shipped data: make a data directory of your own with `crossplan init DIR` "
        "and pass `--data DIR` (or set CROSSPLAN_DATA=DIR)\n",
    )


def test_template(here, invoke, mine):
    result = invoke("template")
    assert (result.exit_code, result.output) == (
        0,
        "Wrote action-plan-template.csv (8 columns; replace the example rows with your plan)\n",
    )
    result = invoke("template", "-o", "plan.xlsx")
    assert (result.exit_code, result.output) == (
        0,
        "Wrote plan.xlsx (8 columns; replace the example rows with your plan)\n",
    )
    again = invoke("template", "--format", "xlsx", "-o", "plan.xlsx")
    assert (again.exit_code, again.output) == (1, "Error: plan.xlsx already exists: choose another name with -o FILE\n")
    imported = invoke("--data", "mine", "import", "plan.xlsx", "--plan-id", "example")
    assert imported.output == (
        "Imported 1 recommendation, 1 update, 0 actions, 1 workstream, 0 links from plan.xlsx (sheet Action plan) "
        "into mine/plans/example.yaml\n"
    )
