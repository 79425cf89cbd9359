"""`crossplan viz`: exact output, exit codes and error messages; nothing is written when it fails.

Node and link counts of the small fixture (tests/fixtures/mini) are worked out by hand from its YAML:
12 nodes (2 plans, 1 workstream, 3 recommendations, 1 action, 2 organisations, 2 documents,
1 programme; the update is listed in its recommendation's panel) and 12 links (3 links, 1 addressee,
2 owners, 6 part-of).
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


def kilobytes(path: Path) -> str:
    return f"{path.stat().st_size / 1024:.0f} KB"


@pytest.mark.parametrize(
    ("options", "nodes", "links"),
    [
        ((), 12, 12),
        (("--plan", "alpha"), 5, 7),
        (("--plan", "alpha", "--plan", "beta"), 10, 12),
        (("--focus", "r1"), 4, 4),
        (("--focus", "alpha/r1", "--depth", "2"), 8, 10),
        (("--relations", "duplicate-of"), 2, 1),
        (("--relations", "related-to,references", "--relations", "part-of"), 10, 8),
        (("--mapping", "alpha", "beta"), 4, 1),
        (("--mapping", "alpha", "beta", "--relations", "feeds-into"), 4, 0),
    ],
)
def test_viz_writes_the_page_and_says_what_it_holds(invoke, tmp_path, options, nodes, links):
    out = tmp_path / "page.html"
    result = invoke("--data", MINI, "viz", "-o", out, *options)
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}: {nodes} nodes, {links} links ({kilobytes(out)})\n"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_viz_writes_crossplan_graph_html_by_default(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("viz", "--data", MINI)
    assert result.exit_code == 0, result.output
    assert (
        result.output
        == f"Wrote crossplan-graph.html: 12 nodes, 12 links ({kilobytes(tmp_path / 'crossplan-graph.html')})\n"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["crossplan-graph.html"]


def test_viz_open_launches_the_written_page(invoke, tmp_path, monkeypatch):
    launched = []
    monkeypatch.setattr(click, "launch", lambda target, **kwargs: launched.append(target) or 0)
    out = tmp_path / "page.html"
    result = invoke("--data", MINI, "viz", "-o", out, "--open")
    assert result.exit_code == 0, result.output
    assert launched == [str(out)]


@pytest.mark.parametrize(
    ("options", "code", "message"),
    [
        (
            ("--relations", "feeds"),
            2,
            "Error: 'feeds' is not a relation (did you mean 'feeds-into'?); choose from duplicate-of, "
            "feeds-into, delegated-to, supersedes, references, related-to, owned-by, addressed-to, part-of",
        ),
        (("--depth", "2"), 2, "Error: --depth is only used with --focus"),
        (("--focus", "r1", "--depth", "0"), 2, "Error: --depth must be at least 1"),
        (("--mapping", "alpha", "alpha"), 2, "Error: --mapping needs two different plans"),
        (
            ("--mapping", "alpha", "beta", "--focus", "r1"),
            2,
            "Error: --mapping cannot be combined with --plan or --focus",
        ),
        (("--focus", "r9"), 1, "Error: no node with id 'r9'"),
        (("--focus", "alpha/r1", "--plan", "beta"), 1, "Error: 'alpha/r1' is not in the selected plans (beta)"),
        (("--plan", "gamma"), 1, "Error: no plan 'gamma' (plans: alpha, beta)"),
        (("--mapping", "alpha", "betta"), 1, "Error: no plan 'betta' (did you mean 'beta'?) (plans: alpha, beta)"),
    ],
)
def test_viz_refuses_bad_options_and_writes_nothing(invoke, tmp_path, options, code, message):
    out = tmp_path / "page.html"
    result = invoke("--data", MINI, "viz", "-o", out, *options)
    assert result.exit_code == code
    assert result.output.splitlines()[-1] == message
    if code == 1:
        assert result.output == message + "\n"
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_viz_into_a_missing_directory_fails_cleanly(invoke, tmp_path):
    out = tmp_path / "missing" / "page.html"
    result = invoke("--data", MINI, "viz", "-o", out)
    assert (result.exit_code, result.output) == (1, f"Error: {out}: the directory {out.parent} does not exist\n")


def test_viz_reports_bad_data_by_file_and_line(invoke, mini_data, tmp_path):
    plan = mini_data / "plans" / "alpha.yaml"
    lines = plan.read_text(encoding="utf-8").splitlines()
    number = next(index for index, line in enumerate(lines, 1) if line.strip() == "relation: duplicate-of")
    lines[number - 1] = lines[number - 1].replace("duplicate-of", "duplicates")
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "page.html"
    result = invoke("--data", mini_data, "viz", "-o", out)
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert result.output.endswith(
        f"plans/alpha.yaml:{number}: unknown relation 'duplicates' (did you mean 'duplicate-of'?)\n"
    )
    assert not out.exists()


def test_viz_help_names_every_preset(invoke):
    result = invoke("viz", "--help")
    assert result.exit_code == 0
    first = " ".join(result.output.split("\n\n")[1].split())
    assert (
        first
        == "Draw the plans as one self-contained HTML page (no network needed): how one plan maps onto another, a matrix, the full graph."
    )
    for option in (
        "-o, --output FILE",
        "--open",
        "--plan ID",
        "--focus ID",
        "--depth N",
        "--relations LIST",
        "--mapping FROM_PLAN TO_PLAN",
        "--endpoint URL",
    ):
        assert option in result.output
