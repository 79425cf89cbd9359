"""The query commands through the CLI: query, queries, show, mapping, impact, path, overdue, duplicates, gaps.

Most tests run on tests/fixtures/query (plans north and south); the last ones run on the shipped data,
with expected answers read from data/plans/*.yaml by this file itself (ruamel.yaml), not from the tool.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"
QUERY_DATA = FIXTURES / "query"
SHIPPED = Path(__file__).parents[2] / "data"
ID = "https://w3id.org/crossplan/id/"


@pytest.fixture
def ask(invoke):
    """Run a command on the fixture data set."""

    def run(*args, input=None):
        return invoke("--data", QUERY_DATA, *args, input=input)

    return run


def error_of(result) -> str:
    return result.output.splitlines()[-1] if result.output else ""


# -- query ------------------------------------------------------------------------------------------


PLANS = "SELECT ?id WHERE { ?p a cp:Plan ; dcterms:identifier ?id } ORDER BY ?id"


def test_query_from_an_argument_prints_csv_when_not_on_a_terminal(ask):
    result = ask("query", PLANS)
    assert (result.exit_code, result.stdout_bytes) == (0, b"id\r\nnorth\r\nsouth\r\n")


def test_query_as_a_table(ask):
    result = ask("query", PLANS, "--format", "table")
    assert result.output == "id\n-----\nnorth\nsouth\n(2 rows)\n"


def test_query_from_a_file_and_from_stdin(ask, tmp_path):
    query_file = tmp_path / "plans.rq"
    query_file.write_text(PLANS, encoding="utf-8")
    assert ask("query", "-f", query_file, "--format", "tsv").output == '?id\n"north"\n"south"\n'
    assert ask("query", "-f", "-", "--format", "tsv", input=PLANS).output == '?id\n"north"\n"south"\n'
    assert ask("query", "--format", "tsv", input=PLANS).output == '?id\n"north"\n"south"\n'


def test_a_query_file_may_declare_parameters_in_its_header(ask, tmp_path):
    query_file = tmp_path / "workstream.rq"
    query_file.write_text(
        "# title: Recommendations of a workstream\n"
        "# param workstream (id): the workstream\n"
        "SELECT ?workstream ?rec WHERE { ?rec cp:inWorkstream ?workstream } ORDER BY ?rec\n",
        encoding="utf-8",
    )
    result = ask("query", "-f", query_file, "--param", "workstream=south/health", "--format", "tsv")
    assert (result.exit_code, result.output) == (0, f"?rec\n<{ID}south/health-1>\n<{ID}south/health-2>\n")


def test_query_json_is_sparql_results_json(ask):
    data = json.loads(ask("query", PLANS, "--format", "json").output)
    assert data == {
        "head": {"vars": ["id"]},
        "results": {
            "bindings": [{"id": {"type": "literal", "value": "north"}}, {"id": {"type": "literal", "value": "south"}}]
        },
    }


def test_query_markdown_and_ask(ask):
    assert ask("query", PLANS, "--format", "markdown").output == "| id |\n| --- |\n| north |\n| south |\n"
    assert ask("query", "ASK { ?p a cp:Plan }").output == "true\n"


def test_construct_prints_turtle(ask):
    import rdflib
    from rdflib.compare import isomorphic

    result = ask("query", "CONSTRUCT { ?p rdfs:label ?t } WHERE { ?p a cp:Plan ; rdfs:label ?t }")
    assert result.exit_code == 0
    expected = rdflib.Graph()
    expected.add((rdflib.URIRef(f"{ID}north"), rdflib.RDFS.label, rdflib.Literal("The North Plan")))
    expected.add((rdflib.URIRef(f"{ID}south"), rdflib.RDFS.label, rdflib.Literal("The South Strategy")))
    assert isomorphic(rdflib.Graph().parse(data=result.output, format="turtle"), expected)


def test_a_saved_query_with_a_parameter(ask):
    result = ask("query", "updates", "--param", "plan=north", "--format", "csv")
    # piped CSV shows ids and prefixed names, like the table
    assert result.stdout_bytes.decode("utf-8") == (
        "date,item,update,status,title\r\n"
        "2020-01,north/r1,north/r1-update-1,,January update\r\n"
        "2020-12,north/r1,north/r1-update-2,cp:Ongoing,December update\r\n"
        "2020-12,north/r2,north/r2-update-1,cp:Complete,Final update\r\n"
    )
    # --full-iris: the SPARQL 1.1 CSV results format
    result = ask("query", "updates", "--param", "plan=north", "--format", "csv", "--full-iris")
    assert result.stdout_bytes.decode("utf-8") == (
        "date,item,update,status,title\r\n"
        f"2020-01,{ID}north/r1,{ID}north/r1-update-1,,January update\r\n"
        f"2020-12,{ID}north/r1,{ID}north/r1-update-2,https://w3id.org/crossplan/ontology#Ongoing,December update\r\n"
        f"2020-12,{ID}north/r2,{ID}north/r2-update-1,https://w3id.org/crossplan/ontology#Complete,Final update\r\n"
    )


def test_a_parameter_value_cannot_change_the_query(ask):
    result = ask("query", "search", "--param", 'phrase=x" ) } UNION { ?item ?p ?o } #', "--format", "csv")
    assert (result.exit_code, result.stdout_bytes) == (0, b"item,type,label\r\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["recommendations"], "Error: missing parameter: --param plan=<id> (the plan, such as hmip-resettlement)"),
        (
            ["recommendations", "--param", "plan=north", "--param", "colour=red"],
            "Error: unknown parameter 'colour' (recommendations takes: plan)",
        ),
        (["recommendations", "--param", "plan=nrth"], "Error: no node with id 'nrth' (did you mean 'north'?)"),
        (
            ["recommendatons"],
            "Error: no saved query 'recommendatons' (did you mean 'recommendations'?) (see `crossplan queries`)",
        ),
    ],
)
def test_saved_query_errors(ask, args, message):
    result = ask("query", *args)
    assert (result.exit_code, result.output) == (1, message + "\n")


def test_a_malformed_param_is_a_usage_error(ask):
    result = ask("query", "recommendations", "--param", "plan")
    assert result.exit_code == 2
    assert error_of(result) == "Error: Invalid value for '--param': --param needs KEY=VALUE, not 'plan'"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "DELETE WHERE { ?s ?p ?o }",
            "1:1: refused: DELETE would change the graph; queries are read-only (use SELECT, CONSTRUCT, DESCRIBE or ASK)\n"
            "  DELETE WHERE { ?s ?p ?o }\n  ^",
        ),
        (
            "LOAD <file:///etc/passwd>",
            "1:1: refused: LOAD would change the graph; queries are read-only (use SELECT, CONSTRUCT, DESCRIBE or ASK)\n"
            "  LOAD <file:///etc/passwd>\n  ^",
        ),
        (
            "DROP ALL",
            "1:1: refused: DROP would change the graph; queries are read-only (use SELECT, CONSTRUCT, DESCRIBE or ASK)\n"
            "  DROP ALL\n  ^",
        ),
        (
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            "1:18: refused: SERVICE would query another server; queries only read this graph\n"
            "  SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }\n                   ^",
        ),
        (
            "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
            "1:10: refused: FROM chooses the graphs to read; queries always read the whole graph "
            "(use GRAPH <…> { } to look inside one plan's graph)\n"
            "  SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }\n           ^",
        ),
        (
            "SELECT * FROM NAMED <file:///tmp/x.ttl> WHERE { ?s ?p ?o }",
            "1:10: refused: FROM chooses the graphs to read; queries always read the whole graph "
            "(use GRAPH <…> { } to look inside one plan's graph)\n"
            "  SELECT * FROM NAMED <file:///tmp/x.ttl> WHERE { ?s ?p ?o }\n           ^",
        ),
        (
            "SELECT ?x WHERE {\n  ?x a foaf:Person\n}",
            "2:8: unknown prefix 'foaf:' (declare it with PREFIX foaf: <…>; pre-bound: cp, rdf, rdfs, xsd, owl, dcterms, skos, org, prov)\n"
            "    ?x a foaf:Person\n         ^",
        ),
        (
            "SELECT (COUNT(*) AS ?n\nWHERE { ?s ?p ?o }",
            "2:1: syntax error: unexpected 'WHERE'\n  WHERE { ?s ?p ?o }\n  ^",
        ),
    ],
)
def test_refusals_and_syntax_errors_are_one_clear_message_and_exit_1(ask, text, message):
    result = ask("query", text)
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")


def test_a_refused_update_changes_nothing(ask):
    ask("query", "DELETE WHERE { ?s ?p ?o }")
    assert ask("query", "ASK { ?p a cp:Plan }").output == "true\n"


def test_a_runaway_query_times_out(ask):
    result = ask("query", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", "--timeout", "0.2")
    assert (result.exit_code, result.output) == (
        1,
        "Error: the query was stopped after 0.2 s (it may be too broad; allow more time with --timeout SECONDS)\n",
    )


def test_query_usage_errors(ask, tmp_path):
    query_file = tmp_path / "q.rq"
    query_file.write_text(PLANS, encoding="utf-8")
    both = ask("query", PLANS, "-f", query_file)
    assert (both.exit_code, error_of(both)) == (
        2,
        "Error: give the query either as an argument or with -f FILE, not both",
    )
    assert (
        error_of(ask("query", "--timeout", "0", PLANS))
        == "Error: Invalid value for '--timeout': 0.0 is not in the range x>0."
    )
    empty = ask("query", input="")
    assert (empty.exit_code, empty.output) == (1, "Error: the query is empty\n")
    wrong = ask("query", PLANS, "--format", "turtle")
    assert (wrong.exit_code, wrong.output) == (
        1,
        "Error: a SELECT result prints as table, csv, tsv, json, markdown, not turtle\n",
    )


def test_queries_lists_the_saved_queries_and_prints_one(invoke):
    listing = invoke("queries")
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].split() == ["name", "parameters", "title"]
    assert "recommendations   plan (id)          Recommendations of a plan" in lines
    text = invoke("queries", "removed").output
    assert text.startswith("# title: Removed items and where their work went\n") and "SELECT ?item" in text
    assert json.loads(invoke("queries", "--format", "json").output)[0]["name"] == "addressed-to"
    missing = invoke("queries", "nope")
    assert (missing.exit_code, missing.output) == (1, "Error: no saved query 'nope' (see `crossplan queries`)\n")


# -- ready-made questions ---------------------------------------------------------------------------


def test_show(ask):
    result = ask("show", "r6-action-1")
    assert (result.exit_code, result.output) == (
        0,
        (
            "north/r6-action-1 (action of north)\n"
            "Open a virtual campus.\n"
            "\n"
            "  plan                    north: The North Plan\n"
            "  parent                  north/r6: Improve education in custody.\n"
            "  status                  ongoing\n"
            "  status as printed       Ongoing\n"
            "  target date as printed  September 2020\n"
            "  target dates            2020-09\n"
            "\n"
            "Links out (1)\n"
            "  → overlaps (related-to) south/housing-2 (suggested)  Offer education in every secure home.\n"
            "      “Open a virtual campus.”\n"
        ),
    )
    assert json.loads(ask("show", "north/r6-action-1", "--format", "json").output)["parent"] == "north/r6"
    assert ask("show", "board", "--format", "csv").output.splitlines()[:4] == [
        "field,value",
        "id,board",
        "type,organisation",
        "label,North Board",
    ]


def test_show_an_unknown_id(ask):
    unknown = ask("show", "south/helth-1")
    assert (unknown.exit_code, unknown.output) == (
        1,
        "Error: no node with id 'south/helth-1' (did you mean 'south/health-1'?)\n",
    )


def test_mapping(ask):
    result = ask("mapping", "north", "south")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("5 of 8 North Plan recommendations link to South Strategy work")
    assert lines[-1] == "Map onto nothing: r5, r7, r8"
    matrix = ask("mapping", "north", "south", "--matrix").output
    assert "r2                ws feeds into" in matrix.splitlines()
    rows = ask("mapping", "north", "south", "--format", "csv").output.splitlines()
    assert (
        rows[3]
        == "north/r3,3,Publish data on outcomes every quarter.,Publish data on outcomes every quarter.,North Board,"
        "south/health,south/health-1,south/health-1,north/r3,duplicate-of,dependency,is duplicated by,explicit,in,"
        "The same as the North Plan's recommendation 3."
    )
    assert json.loads(ask("mapping", "north", "south", "--format", "json").output)["unmapped"] == [
        "north/r5",
        "north/r7",
        "north/r8",
    ]


def test_mapping_errors(ask):
    result = ask("mapping", "north", "r4")
    assert (result.exit_code, result.output) == (1, "Error: 'north/r4' is not a plan (plans: north, south)\n")
    result = ask("mapping", "north", "west")
    assert (result.exit_code, result.output) == (1, "Error: no plan with id 'west' (plans: north, south)\n")


def test_impact(ask):
    result = ask("impact", "housing-fund", "--upstream", "--depth", "2")
    assert (result.exit_code, result.output) == (
        0,
        (
            "housing-fund is fed by 2 items within 2 links (along feeds-into and delegated-to links).\n"
            "The links followed: 2 stated in the documents.\n"
            "\n"
            "hops  item          relation         via           label\n"
            "----  ------------  ---------------  ------------  ---------------------------------------\n"
            "1     south/health  takes over from                Health and Wellbeing\n"
            "2     north/r2      is fed by        south/health  Train staff who work with young adults.\n"
        ),
    )
    csv_rows = ask("impact", "r1", "--format", "csv").output.splitlines()
    assert [row.split(",")[1] for row in csv_rows[1:]] == ["north/r2", "south/health", "housing-fund"]
    assert ask("impact", "r4", "--upstream", "--relation", "related-to").output.startswith(
        "north/r4 is reached from 1 item (along related-to links)"
    )  # an overlap is not said as a dependency
    related = ask("impact", "r4", "--upstream", "--relation", "related-to", "--format", "json")
    assert [item["id"] for item in json.loads(related.output)["items"]] == ["south/housing-1-update-1"]


def test_impact_errors(ask):
    result = ask("impact", "r1", "--relation", "feeds")
    assert (result.exit_code, result.output) == (
        1,
        "Error: unknown relation 'feeds' (one of: duplicate-of, feeds-into, delegated-to, supersedes, references, related-to)\n",
    )
    result = ask("impact", "r1", "--depth", "0")
    assert (result.exit_code, error_of(result)) == (
        2,
        "Error: Invalid value for '--depth': 0 is not in the range x>=1.",
    )


def test_path(ask):
    result = ask("path", "r3", "south/health-2", "--max-length", "2")
    assert (result.exit_code, result.output) == (
        0,
        (
            "1 chain connects north/r3 and south/health-2\n"
            "\n"
            "1. north/r3 ←duplicates— south/health-1 ←duplicates— south/health-2\n"
            "\n"
            "Nodes:\n"
            "  north/r3: Publish data on outcomes every quarter.\n"
            "  south/health-1: Publish data on outcomes every quarter.\n"
            "  south/health-2: Fund trauma services and publish their outcomes.\n"
        ),
    )
    assert ask("path", "r8", "r1").output == "No chain of at most 6 links connects north/r8 and north/r1.\n"
    same = ask("path", "r1", "north/r1")
    assert (same.exit_code, same.output) == (1, "Error: 'north/r1' is both ends: give two different nodes\n")


def test_overdue(ask):
    result = ask("overdue", "--as-of", "2021-06-01", "--plan", "north")
    assert (result.exit_code, result.output) == (
        0,
        (
            "1 item overdue on 2021-06-01\n"
            "\n"
            "item               target          due         days  status   owners      label\n"
            "-----------------  --------------  ----------  ----  -------  ----------  ----------------------\n"
            "north/r6-action-1  September 2020  2020-09-30  244   ongoing  not stated  Open a virtual campus.\n"
        ),
    )
    rows = ask("overdue", "--as-of", "2022-01-01", "--format", "csv").output.splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["north/r6-action-1", "south/health-1", "north/r1"]
    bad = ask("overdue", "--as-of", "31/12/2021")
    assert (bad.exit_code, bad.output) == (1, "Error: '31/12/2021' is not a date (write YYYY-MM-DD)\n")


def test_duplicates_and_gaps(ask):
    groups = json.loads(ask("duplicates", "--format", "json").output)
    assert [[member["id"] for member in group["members"]] for group in groups] == [
        ["north/r1", "north/r5"],
        ["north/r3", "south/health-1", "south/health-2"],
        ["north/r4", "south/oversight-1"],
    ]
    result = ask("gaps", "--plan", "north")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "2 recommendations with gaps"
    assert ask("gaps", "--format", "csv").output.splitlines()[-1] == (
        "south/oversight-1,south,Review the transitions protocol.,Review the transitions protocol.,,yes,yes,yes"
    )


def test_every_command_has_help(invoke):
    for command in ("query", "queries", "show", "mapping", "impact", "path", "overdue", "duplicates", "gaps"):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "--format" in result.output, command


# -- the shipped data ---------------------------------------------------------------------------------


def _shipped_plan(name: str) -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load((SHIPPED / "plans" / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hmip():
    return _shipped_plan("hmip-resettlement")


@pytest.fixture(scope="module")
def blueprint():
    return _shipped_plan("yj-blueprint")


def _items(document: dict) -> dict[str, tuple[str | None, str | None]]:
    """Map every item of a plan file (global id) to (its recommendation, its workstream), as the YAML states."""
    plan = document["plan"]["id"]
    items: dict[str, tuple[str | None, str | None]] = {}
    for workstream in document.get("workstreams") or []:
        items[f"{plan}/{workstream['id']}"] = (None, f"{plan}/{workstream['id']}")
    for rec in document.get("recommendations") or []:
        rec_id = f"{plan}/{rec['id']}"
        place = (rec_id, f"{plan}/{rec['workstream']}" if rec.get("workstream") else None)
        items[rec_id] = place
        for n, action in enumerate(rec.get("actions") or [], start=1):
            action_id = f"{plan}/{action.get('id') or rec['id'] + '-action-' + str(n)}"
            items[action_id] = place
            for m, update in enumerate(action.get("updates") or [], start=1):
                items[f"{plan}/{update.get('id') or action_id.split('/')[1] + '-update-' + str(m)}"] = place
        for n, update in enumerate(rec.get("updates") or [], start=1):
            items[f"{plan}/{update.get('id') or rec['id'] + '-update-' + str(n)}"] = place
    return items


def _links(document: dict, local: dict) -> list[tuple[str, str, str, str]]:
    """Every link of a plan file as (from, to, relation, basis) with global ids (a local id is tried first)."""
    plan = document["plan"]["id"]

    def resolve(reference: str) -> str:
        return f"{plan}/{reference}" if f"{plan}/{reference}" in local else reference

    return [
        (resolve(link["from"]), resolve(link["to"]), link["relation"], link["basis"])
        for link in document.get("links") or []
    ]


def test_shipped_mapping_places_every_link_between_the_plans(invoke, hmip, blueprint):
    """Derived from the two YAML files: every link between an HMIP recommendation (or its parts) and a Blueprint
    item, either way, is on that recommendation's row, placed on the Blueprint recommendation and workstream."""
    hmip_items, blueprint_items = _items(hmip), _items(blueprint)
    expected = {rec: set() for rec, (owner, _ws) in hmip_items.items() if owner == rec}
    for source, target, relation, basis in _links(hmip, hmip_items) + _links(blueprint, blueprint_items):
        for near, far, direction in ((source, target, "out"), (target, source, "in")):
            if near in hmip_items and hmip_items[near][0] and far in blueprint_items:
                rec, workstream = blueprint_items[far]
                expected[hmip_items[near][0]].add((near, far, workstream, rec, relation, basis, direction))
    result = invoke("mapping", "hmip-resettlement", "yj-blueprint", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [row["recommendation"] for row in data["rows"]] == [
        f"hmip-resettlement/{rec['id']}" for rec in hmip["recommendations"]
    ]
    found = {
        row["recommendation"]: {
            (
                link["from_node"],
                link["to_node"],
                link["workstream"],
                link["recommendation"],
                link["relation"],
                link["basis"],
                link["direction"],
            )
            for link in row["links"]
        }
        for row in data["rows"]
    }
    assert found == expected
    assert data["unmapped"] == [rec for rec in found if not expected[rec]]
    assert any(expected.values()), "the shipped plans are linked"


def test_shipped_mapping_facts_from_the_issue(invoke):
    """a4 was removed as a duplicate of r6 and maps onto nothing; the judged cross-plan links exist."""
    data = json.loads(invoke("mapping", "hmip-resettlement", "yj-blueprint", "--format", "json").output)
    rows = {row["recommendation"]: row for row in data["rows"]}
    assert rows["hmip-resettlement/a4"]["status"] == "removed"
    assert rows["hmip-resettlement/a4"]["links"] == []
    assert "hmip-resettlement/a4" in data["unmapped"]
    bases = {link["basis"] for row in data["rows"] for link in row["links"]}
    assert "judged" in bases
    show = json.loads(invoke("show", "hmip-resettlement/a4", "--format", "json").output)
    assert [(link["relation"], link["other"]) for link in show["links_out"]] == [
        ("duplicate-of", "hmip-resettlement/r6")
    ]


def test_shipped_mapping_table_reads_in_100_columns(invoke):
    result = invoke("mapping", "hmip-resettlement", "yj-blueprint")
    assert result.exit_code == 0
    assert max(len(line) for line in result.output.splitlines()) <= 100
    summary = json.loads(invoke("mapping", "hmip-resettlement", "yj-blueprint", "--format", "json").output)["summary"]
    headline = " ".join(result.output.split("\n\n")[0].split())
    assert headline == summary["headline"]  # whole, first
    assert headline.startswith(f"{summary['linked']} of {summary['items']} HMIP resettlement recommendations ")


def test_shipped_duplicates_include_a4_and_r6(invoke):
    groups = json.loads(invoke("duplicates", "--format", "json").output)
    assert any(
        {"hmip-resettlement/a4", "hmip-resettlement/r6"} <= {m["id"] for m in group["members"]} for group in groups
    )


def test_shipped_saved_queries_run(invoke, hmip):
    result = invoke("query", "recommendations", "--param", "plan=hmip-resettlement", "--format", "csv")
    assert result.exit_code == 0
    listed = [line.split(",")[0] for line in result.output.splitlines()[1:]]
    assert listed == [f"hmip-resettlement/{rec['id']}" for rec in hmip["recommendations"]]


def test_shipped_overdue_hmip_items_at_the_start_of_2021(invoke):
    """Read from hmip-resettlement.yaml: targets are on the updates, the latest counts. a6 April 2020 (the audit
    its response text names), r6 October 2020 (its December update says ongoing), r7 August then October 2020;
    the December 2020 responses move r2 (by April 2021), r8 (the first quarter of 2021) and a3 (January 2021) into
    2021, r1 and r4 run to April 2021, r3 and r5 report complete, a1/a2 run to March 2021."""
    rows = json.loads(
        invoke("overdue", "--as-of", "2021-01-01", "--plan", "hmip-resettlement", "--format", "json").output
    )["items"]
    assert [(row["id"], row["due"], row["status"]) for row in rows] == [
        ("hmip-resettlement/a6", "2020-04-30", None),
        ("hmip-resettlement/r6", "2020-10-31", "ongoing"),
        ("hmip-resettlement/r7", "2020-10-31", None),
    ]
    assert rows[1]["status_of"] == "hmip-resettlement/r6-update-2"


def test_shipped_gaps_follow_the_yaml(invoke, hmip, blueprint):
    """Derived from the YAML: owners, target dates, actions and links of a recommendation or its parts."""
    linked = {
        end
        for source, target, _r, _b in _links(hmip, _items(hmip)) + _links(blueprint, _items(blueprint))
        for end in (source, target)
    }
    expected = []
    for rec in hmip["recommendations"]:
        if rec.get("status") in ("removed", "not-applicable"):
            continue
        family = [rec] + (rec.get("actions") or []) + (rec.get("updates") or [])
        family_ids = {item for item, (owner, _ws) in _items(hmip).items() if owner == f"hmip-resettlement/{rec['id']}"}
        missing = []
        if not any(part.get("owners") for part in family):
            missing.append("owner")
        if not any(part.get("target-dates") for part in family):
            missing.append("target date")
        if not rec.get("actions") and not family_ids & linked:
            missing.append("action or link")
        if missing:
            expected.append((f"hmip-resettlement/{rec['id']}", missing))
    found = json.loads(invoke("gaps", "--plan", "hmip-resettlement", "--format", "json").output)
    assert [(gap["id"], gap["missing"]) for gap in found] == expected
    assert expected, "some HMIP recommendations print no owner"


def test_shipped_impact_upstream_of_the_resettlement_workstream(invoke, hmip, blueprint):
    """Derived from the YAML: what feeds into (or is delegated to) the Blueprint's resettlement workstream."""
    target = "yj-blueprint/resettlement-and-transitions"
    direct = {
        source
        for source, to, relation, _b in _links(hmip, _items(hmip)) + _links(blueprint, _items(blueprint))
        if to == target and relation in ("feeds-into", "delegated-to")
    }
    items = json.loads(invoke("impact", target, "--upstream", "--depth", "1", "--format", "json").output)["items"]
    assert {item["id"] for item in items} == direct
    assert {"hmip-youth-resettlement-inspection", "welsh-yot-self-assessment-of-national-standards"} <= direct


def test_did_you_mean_offers_a_plan_where_a_plan_is_expected(invoke):
    """`hmip` is closer in spelling to the organisation `hmpps`, but mapping takes plans: it offers the plan."""
    result = invoke("mapping", "hmip", "yj-blueprint")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: no plan with id 'hmip' (did you mean 'hmip-resettlement'?) (plans: hmip-resettlement, yj-blueprint)\n",
    )
