"""The foundation commands through the CLI: validate, build, stats, export, --version, --help."""

import json

import pytest
import rdflib
from rdflib.compare import isomorphic

from crossplan.cli import main
from tests.conftest import FIXTURES


@pytest.fixture
def mini(mini_data, monkeypatch):
    monkeypatch.chdir(mini_data.parent)
    return mini_data


def test_version(invoke):
    result = invoke("--version")
    assert (result.exit_code, result.output) == (0, "crossplan 0.1.0\n")


def test_every_command_has_help(invoke):
    for name, command in main.commands.items():
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        assert command.help and command.help.split("\n")[0].strip(), f"{name} has no help text"


def test_validate_ok(invoke, mini):
    result = invoke("--data", "mini", "validate")
    assert (result.exit_code, result.output) == (0, "No problems found\n")


def test_validate_accepts_data_after_the_command_name_and_from_the_environment(invoke, mini):
    assert invoke("validate", "--data", "mini").output == "No problems found\n"
    assert invoke("validate", env={"CROSSPLAN_DATA": "mini"}).output == "No problems found\n"


def test_validate_lists_problems_one_per_line_and_exits_1(invoke, mini):
    plan = mini / "plans/alpha.yaml"
    plan.write_text(plan.read_text().replace("relation: duplicate-of", "relation: duplicates"), encoding="utf-8")
    registry = mini / "organisations.yaml"
    registry.write_text(registry.read_text().replace("name: Alpha Board\n", "name: Alpha Board\n    name: Again\n"))
    result = invoke("--data", "mini", "validate")
    assert result.exit_code == 1
    assert result.output == (
        "mini/organisations.yaml:4: duplicate key 'name' (first at line 3): remove one\n"
        "mini/plans/alpha.yaml:30: unknown relation 'duplicates' (did you mean 'duplicate-of'?)\n"
        "Error: 2 problems found\n"
    )


def test_validate_checks_quotes_against_the_source(invoke, mini):
    plan = mini / "plans/beta.yaml"
    plan.write_text(
        plan.read_text().replace("quote: Adopt constructive resettlement", "quote: Adopt constructive settlement")
    )
    result = invoke("--data", "mini", "validate")
    assert result.exit_code == 1
    assert result.output == (
        "mini/plans/beta.yaml:20: quote of link beta/resettlement-1 references constructive-resettlement is not in its "
        'source beta.txt: "Adopt constructive settlement" (quote it exactly as printed)\n'
        "Error: 1 problem found\n"
    )


def test_validate_reports_a_missing_data_directory(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("--data", "nowhere", "validate")
    assert result.exit_code == 1
    assert result.output == "nowhere: no such data directory (make one with `crossplan init DIR`)\n"


def test_build_then_up_to_date_then_notices_a_change(invoke, mini):
    store = "store"
    first = invoke("--data", "mini", "--store", store, "build")
    assert first.exit_code == 0
    assert first.output.startswith(f"Built {store}: 5 files parsed, 0 reused, 0 removed, ")
    second = invoke("--data", "mini", "--store", store, "build")
    assert second.output == f"Store is up to date: 5 files in {store}\n"
    plan = mini / "plans/beta.yaml"
    plan.write_text(plan.read_text().replace("title: Resettlement", "title: Resettlement and transitions"))
    third = invoke("--data", "mini", "--store", store, "build")
    assert third.output.startswith(f"Built {store}: 1 file parsed, 4 reused, 0 removed, ")
    (mini / "plans/alpha.yaml").unlink()
    # beta no longer has anything pointing at it from alpha, but alpha's removal must not break beta
    fourth = invoke("--data", "mini", "--store", store, "build")
    assert fourth.output.startswith(f"Built {store}: 0 files parsed, 4 reused, 1 removed, ")


def test_build_with_bad_data_leaves_the_previous_store_intact(invoke, mini):
    store = "store"
    invoke("--data", "mini", "--store", store, "build")
    plan = mini / "plans/beta.yaml"
    plan.write_text(plan.read_text().replace("workstream: resettlement", "workstream: resettlment"))
    result = invoke("--data", "mini", "--store", store, "build")
    assert result.exit_code == 1
    assert (
        result.output
        == "mini/plans/beta.yaml:12: workstream 'resettlment' is not a workstream of this plan (did you mean 'beta/resettlement'?)\n"
    )
    plan.write_text(plan.read_text().replace("workstream: resettlment", "workstream: resettlement"))
    again = invoke("--data", "mini", "--store", store, "build")
    # the failed build changed nothing, so the restored file matches the store again
    assert again.output == f"Store is up to date: 5 files in {store}\n"


def test_build_refuses_a_foreign_directory(invoke, mini, tmp_path):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"x")
    result = invoke("--data", "mini", "--store", foreign, "build")
    assert result.exit_code == 1
    assert result.output == "Error: photos: not a crossplan store and not empty; choose another --store\n"
    assert [p.name for p in foreign.iterdir()] == ["cat.jpg"]


def test_stats_counts(invoke, mini):
    result = invoke("--data", "mini", "stats", "--format", "json")
    assert result.exit_code == 0
    stats = json.loads(result.output)
    assert stats["nodes"] == {
        "plan": 2,
        "workstream": 1,
        "recommendation": 3,
        "action": 1,
        "update": 1,
        "organisation": 2,
        "document": 2,
        "programme": 1,
    }
    assert stats["relations"] == {
        "duplicate-of": 1,
        "feeds-into": 0,
        "delegated-to": 0,
        "supersedes": 0,
        "references": 1,
        "related-to": 1,
    }
    assert stats["basis"] == {"explicit": 2, "judged": 1, "suggested": 0}
    assert stats["plans"] == {
        "alpha": {"recommendation": 2, "update": 1},
        "beta": {"workstream": 1, "recommendation": 1, "action": 1},
    }
    assert stats["status"] == {"complete": 0, "ongoing": 1, "not-applicable": 0, "removed": 1}
    assert stats["response"] == {"agreed": 1, "partly-agreed": 0, "not-agreed": 0}


def test_stats_table(invoke, mini):
    output = invoke("--data", "mini", "stats").output
    assert "Nodes by type\n  plan                 2\n" in output
    assert "Plan beta\n  workstream           1\n  recommendation       1\n  action               1\n" in output


@pytest.mark.parametrize("format_name, rdflib_format", [("turtle", "turtle"), ("ntriples", "nt")])
def test_export_is_isomorphic_to_the_reviewed_golden_graph(invoke, mini, format_name, rdflib_format):
    result = invoke("--data", "mini", "export", "--format", format_name)
    assert result.exit_code == 0
    exported = rdflib.Graph().parse(data=result.stdout_bytes, format=rdflib_format)
    expected = rdflib.Graph().parse(FIXTURES / "mini-expected.ttl", format="turtle")
    assert isomorphic(exported, expected)


def test_export_to_a_file_is_atomic(invoke, mini, tmp_path):
    target = tmp_path / "out.ttl"
    target.write_text("previous")
    result = invoke("--data", "mini", "export", "--format", "nosuch", "-o", target)
    assert result.exit_code == 2
    assert "'nosuch' is not one of" in result.output
    assert target.read_text() == "previous"
    result = invoke("--data", "mini", "export", "--format", "turtle", "-o", target)
    assert result.exit_code == 0
    assert len(rdflib.Graph().parse(target, format="turtle")) > 50
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.ttl")] == []


def test_export_one_plan(invoke, mini):
    result = invoke("--data", "mini", "export", "--format", "ntriples", "--plan", "beta")
    graph = rdflib.Graph().parse(data=result.stdout_bytes, format="nt")
    ids = {str(o) for o in graph.objects(None, rdflib.URIRef("http://purl.org/dc/terms/identifier"))}
    assert "beta/resettlement-1" in ids and "alpha/r1" not in ids and "alpha-board" in ids
    missing = invoke("--data", "mini", "export", "--format", "turtle", "--plan", "gamma")
    assert (missing.exit_code, missing.output) == (1, "Error: no plan 'gamma' in the data (plans: alpha, beta)\n")


def test_shipped_data_validates(invoke):
    result = invoke("validate")
    assert (result.exit_code, result.output) == (0, "No problems found\n")


def test_validate_checks_remembered_rejections(invoke, mini):
    (mini / "suggestions").mkdir()
    (mini / "suggestions/rejected.yaml").write_text(
        'rejected:\n  - from: alpha/r9\n    to: beta/resettlement-1\n    date: "2026-11-23"\n', encoding="utf-8"
    )
    result = invoke("--data", "mini", "validate")
    assert result.exit_code == 1
    assert result.output.startswith("mini/suggestions/rejected.yaml:2: 'from' 'alpha/r9' is not an item of a plan")
