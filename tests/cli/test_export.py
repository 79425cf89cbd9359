"""export, push and --endpoint through the CLI: exact output, exit codes and every error message."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import rdflib
from servers import free_port  # noqa: E402

from crossplan.graph.model.vocabulary import GRAPH_BASE  # noqa: E402
from crossplan.graph.views.export import export_formats  # noqa: E402

FIXTURES = Path(__file__).parents[1] / "fixtures"
MINI = FIXTURES / "mini"
QUERY_DATA = FIXTURES / "query"


# -- export ---------------------------------------------------------------------------------------------


def test_export_help_names_every_format(invoke):
    text = " ".join(invoke("export", "--help").output.split())
    for name in export_formats():
        assert re.search(rf"\b{re.escape(name)}\b", text), name


def test_the_jsonld_context_exports_on_its_own(invoke):
    from importlib.resources import files

    result = invoke("--data", MINI, "export", "--format", "jsonld-context")
    assert result.exit_code == 0
    assert result.stdout_bytes == (files("crossplan.ontology") / "context.jsonld").read_bytes()
    assert "@context" in json.loads(result.stdout_bytes)


@pytest.mark.parametrize("format_name", [name for name in export_formats() if name != "csv"])
def test_every_format_writes_to_a_file_and_says_so(invoke, tmp_path, format_name):
    target = tmp_path / f"out{export_formats()[format_name].suffix}"
    result = invoke("--data", MINI, "export", "--format", format_name, "-o", target)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"Wrote {target}\n")
    assert target.read_bytes() == invoke("--data", MINI, "export", "--format", format_name).stdout_bytes


def test_csv_to_a_zip_to_a_directory_and_to_stdout(invoke, tmp_path):
    archive = tmp_path / "graph.zip"
    result = invoke("--data", MINI, "export", "--format", "csv", "-o", archive)
    assert (result.exit_code, result.stderr) == (0, f"Wrote {archive}\n")
    assert zipfile.ZipFile(archive).namelist() == ["nodes.csv", "links.csv"]
    folder = tmp_path / "tables"
    folder.mkdir()
    result = invoke("--data", MINI, "export", "--format", "csv", "-o", folder)
    assert (result.exit_code, result.stderr) == (0, f"Wrote nodes.csv and links.csv in {folder}\n")
    assert (folder / "nodes.csv").read_bytes() == zipfile.ZipFile(archive).read("nodes.csv")
    assert invoke("--data", MINI, "export", "--format", "csv").stdout_bytes == archive.read_bytes()
    result = invoke("--data", MINI, "export", "--format", "csv", "-o", tmp_path / "nodes.csv")
    assert (result.exit_code, result.output) == (
        1,
        "Error: csv writes two tables: give -o FILE.zip or -o an existing directory\n",
    )


def test_text_xml_cannot_hold_fails_clearly_and_leaves_the_old_file(invoke, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    plan = data / "plans" / "beta.yaml"
    plan.write_text(
        plan.read_text().replace("text: Map existing", 'text: "\\x07Map existing').replace("practice.", 'practice."')
    )
    target = tmp_path / "graph.rdf"
    target.write_text("previous")
    result = invoke("--data", data, "export", "--format", "rdfxml", "-o", target)
    assert (result.exit_code, result.output) == (
        1,
        (
            "Error: rdfxml cannot hold the control character U+0007 in the text of beta/resettlement-1-action-1 "
            "(XML 1.0 forbids it); remove it from the data, or export as turtle, ntriples, nquads, trig, jsonld or csv\n"
        ),
    )
    assert target.read_text() == "previous"
    turtle = invoke("--data", data, "export", "--format", "turtle")
    assert "\\u0007Map existing" in turtle.stdout


def test_export_one_plan_as_named_graphs(invoke):
    result = invoke("--data", MINI, "export", "--format", "nquads", "--plan", "beta")
    dataset = rdflib.Dataset()
    dataset.parse(data=result.stdout_bytes, format="nquads")
    names = sorted(str(graph.identifier) for graph in dataset.graphs() if len(graph))
    assert names == [
        f"{GRAPH_BASE}beta",
        f"{GRAPH_BASE}registry/documents",
        f"{GRAPH_BASE}registry/organisations",
        f"{GRAPH_BASE}registry/programmes",
    ]


# -- push -----------------------------------------------------------------------------------------------

PUSHED = re.compile(
    r"Pushed 6 graphs \(409 triples\) to (\S+) with (the Graph Store Protocol|SPARQL Update) in \d+ requests, \d+\.\d\d s"
)
MINI_GRAPHS = """\
  https://w3id.org/crossplan/graph/alpha                        52 triples
  https://w3id.org/crossplan/graph/beta                         35 triples
  https://w3id.org/crossplan/graph/registry/documents           12 triples
  https://w3id.org/crossplan/graph/registry/organisations       10 triples
  https://w3id.org/crossplan/graph/registry/programmes           3 triples
  https://w3id.org/crossplan/graph/ontology                    297 triples
"""


def test_push_then_refuse_to_overwrite_then_replace(invoke, server):
    result = invoke("--data", MINI, "push", "--endpoint", server.url, env=server.environ)
    assert result.exit_code == 0, result.output
    first, rest = result.stderr.split("\n", 1)
    match = PUSHED.fullmatch(first)
    assert match and match.group(2) == "the Graph Store Protocol"
    expected_target = (
        server.url.replace("/sparql", "/sparql-graph-crud-auth")
        if server.name == "virtuoso"
        else server.url.replace("/query", "/store")
    )
    assert match.group(1) == expected_target
    assert rest == MINI_GRAPHS
    again = invoke("--data", MINI, "push", "--endpoint", server.url, env=server.environ)
    assert (again.exit_code, again.output) == (
        1,
        (
            f"Error: the server already holds 52 triples in <{GRAPH_BASE}alpha> and 5 more of the graphs: pass --replace to replace them\n"
        ),
    )
    replaced = invoke("--data", MINI, "push", "--replace", env={**server.environ, "CROSSPLAN_ENDPOINT": server.url})
    assert replaced.exit_code == 0 and replaced.stderr.split("\n", 1)[1] == MINI_GRAPHS


def test_push_through_sparql_update(invoke, server):
    update = (
        server.url.replace("/sparql", "/sparql-auth")
        if server.name == "virtuoso"
        else server.url.replace("/query", "/update")
    )
    result = invoke(
        "--data",
        MINI,
        "push",
        "--endpoint",
        server.url,
        "--graph-store",
        server.url + "-none",
        "--update-endpoint",
        update,
        env=server.environ,
    )
    assert result.exit_code == 0, result.output
    match = PUSHED.fullmatch(result.stderr.split("\n", 1)[0])
    assert match and match.groups() == (update, "SPARQL Update")


def test_push_needs_an_endpoint(invoke):
    result = invoke("--data", MINI, "push", env={"CROSSPLAN_ENDPOINT": ""})
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: give the server's SPARQL endpoint with --endpoint URL (or set CROSSPLAN_ENDPOINT)\n"
    )


def test_push_without_credentials_says_what_to_set(invoke, virtuoso_server):
    virtuoso_server.clear()
    result = invoke(
        "--data",
        MINI,
        "push",
        "--endpoint",
        virtuoso_server.url,
        env={"CROSSPLAN_ENDPOINT_USER": "", "CROSSPLAN_ENDPOINT_PASSWORD": "", "NETRC": "/nonexistent"},
    )
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: the server at {virtuoso_server.url}-graph-crud refused the upload: 403 Forbidden"
    )
    assert result.output.endswith(
        "(it needs a user name and password: set CROSSPLAN_ENDPOINT_USER and CROSSPLAN_ENDPOINT_PASSWORD, or add a netrc entry for 127.0.0.1)\n"
    )


def test_push_with_netrc_credentials(invoke, virtuoso_server, tmp_path):
    virtuoso_server.clear()
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login crossplan password {virtuoso_server.credentials.password}\n")
    netrc.chmod(0o600)
    result = invoke(
        "--data",
        MINI,
        "push",
        "--endpoint",
        virtuoso_server.url,
        env={"CROSSPLAN_ENDPOINT_USER": "", "CROSSPLAN_ENDPOINT_PASSWORD": "", "NETRC": str(netrc)},
    )
    assert result.exit_code == 0, result.output
    assert virtuoso_server.credentials.password not in result.output


# -- the questions through --endpoint ----------------------------------------------------------------------

QUESTIONS = [
    (
        "query",
        "SELECT ?id ?title WHERE { ?p a cp:Plan ; dcterms:identifier ?id ; rdfs:label ?title } ORDER BY ?id",
        "--format",
        "table",
    ),
    ("query", "SELECT * WHERE { ?item cp:inPlan ?plan ; dcterms:identifier ?id } ORDER BY ?id", "--format", "csv"),
    ("query", "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a cp:Plan ; rdfs:label ?l }", "--format", "ntriples"),
    ("query", "ASK { ?p a cp:Plan }"),
    ("queries",),
    ("show", "north/r1"),
    ("show", "r2", "--format", "json"),
    ("mapping", "north", "south"),
    ("mapping", "north", "south", "--matrix"),
    ("impact", "north/r1"),
    ("impact", "housing-fund", "--upstream", "--depth", "2"),
    ("impact", "r4", "--upstream", "--relation", "related-to", "--format", "json"),
    ("path", "r3", "south/health-2"),
    ("path", "r8", "r1"),
    ("overdue", "--as-of", "2022-01-01"),
    ("duplicates",),
    ("gaps",),
    ("stats",),
]


@pytest.fixture(scope="module")
def loaded(request, tmp_path_factory):
    """Both servers holding the query fixture's data, pushed with the CLI."""
    from click.testing import CliRunner

    from crossplan.cli import main

    urls = {}
    for name in ("virtuoso", "oxigraph"):
        server = request.getfixturevalue(f"{name}_server")
        server.clear()
        result = CliRunner().invoke(
            main, ["--data", str(QUERY_DATA), "push", "--endpoint", server.url], env=server.environ
        )
        assert result.exit_code == 0, result.output
        urls[name] = server.url
    return urls


@pytest.mark.server
@pytest.mark.parametrize("name", ["virtuoso", "oxigraph"])
@pytest.mark.parametrize("arguments", QUESTIONS, ids=lambda arguments: " ".join(arguments)[:40])
def test_every_question_answers_the_same_through_endpoint(invoke, loaded, name, arguments):
    local = invoke("--data", QUERY_DATA, *arguments)
    assert local.exit_code == 0, local.output
    before = invoke("--endpoint", loaded[name], *arguments)  # the group option
    after = invoke(arguments[0], "--endpoint", loaded[name], *arguments[1:]) if arguments[0] != "queries" else before
    environment = invoke(*arguments, env={"CROSSPLAN_ENDPOINT": loaded[name]})
    for remote in (before, after, environment):
        assert (remote.exit_code, remote.output) == (0, local.output), arguments


def test_an_unusable_endpoint_is_one_clear_error(invoke):
    result = invoke("--endpoint", "ftp://example.org/sparql", "show", "alpha/r1")
    assert (result.exit_code, result.output) == (
        1,
        "Error: 'ftp://example.org/sparql' is not an http:// or https:// address of a SPARQL endpoint\n",
    )
    port = free_port()
    result = invoke("query", "--endpoint", f"http://127.0.0.1:{port}/sparql", "ASK { ?s ?p ?o }")
    assert (result.exit_code, result.output) == (
        1,
        f"Error: cannot connect to http://127.0.0.1:{port}/sparql: connection refused (is the server running?)\n",
    )


def test_commands_that_need_the_local_data_say_so(invoke, loaded, mini_data):
    result = invoke("--data", mini_data, "--endpoint", loaded["oxigraph"], "reject", "alpha/r1", "beta/resettlement-1")
    assert (result.exit_code, result.output) == (
        1,
        (
            "Error: this works on the local data, not on a SPARQL server: drop --endpoint (or unset CROSSPLAN_ENDPOINT)\n"
        ),
    )


def test_a_result_virtuoso_cuts_is_warned_about(invoke, loaded):
    query = "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y } LIMIT 20000"
    result = invoke("--endpoint", loaded["virtuoso"], "query", query, "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr == (
        "Warning: the server cut the result at 10000 rows (its ResultSetMaxRows limit); "
        "narrow the query or page through it with LIMIT and OFFSET\n"
    )
    assert len(result.stdout.splitlines()) == 10001
