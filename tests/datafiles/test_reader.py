"""Reading one data file into its nodes, links, references and problems, each problem at its line."""

from __future__ import annotations

import pytest

from crossplan.graph.datafiles.reader import parse_file
from crossplan.graph.model.nodes import NodeType, Relation


@pytest.fixture
def data(tmp_path, monkeypatch):
    """An empty data directory ``data`` (with sources/), the working directory beside it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "sources").mkdir(parents=True)
    return tmp_path / "data"


def problems(parsed) -> list[str]:
    return [str(problem) for problem in parsed.problems]


PLAN = """\
plan:
  id: gamma
  title: Gamma
  owners: [org-a]
recommendations:
  - id: r1
    text: First.
    actions:
      - text: Act.
        updates:
          - text: Done some.
    updates:
      - text: Said so.
  - id: r2
    status: removed
links:
  - from: r2
    to: r1
    relation: duplicate-of
    basis: explicit
    quote: Same.
  - from: r1
    to: beta/r1
    relation: related-to
    basis: judged
    quote: First.
"""


def test_a_plan_file_gives_its_nodes_with_default_ids_and_resolved_local_references(data):
    parsed = parse_file(data, "plans/gamma.yaml", PLAN)
    assert problems(parsed) == [] and not parsed.unreadable
    assert (parsed.kind, parsed.graph) == ("plan", "gamma")
    assert [(node.id, node.type, node.parent) for node in parsed.nodes] == [
        ("gamma", NodeType.PLAN, None),
        ("gamma/r1", NodeType.RECOMMENDATION, None),
        ("gamma/r1-action-1", NodeType.ACTION, "gamma/r1"),
        ("gamma/r1-action-1-update-1", NodeType.UPDATE, "gamma/r1-action-1"),
        ("gamma/r1-update-1", NodeType.UPDATE, "gamma/r1"),
        ("gamma/r2", NodeType.RECOMMENDATION, None),
    ]
    assert parsed.nodes[1].location.line == 6
    assert parsed.nodes[5].label == "Recommendation r2 (removed)"
    assert [(link.source_id, link.relation, link.target_id) for link in parsed.links] == [
        ("gamma/r2", Relation.DUPLICATE_OF, "gamma/r1"),
        ("gamma/r1", Relation.RELATED_TO, "beta/r1"),  # not a local id: left for the loader to check
    ]
    assert [(ref.location.line, ref.target, ref.expected, ref.field) for ref in parsed.references][:1] == [
        (4, "org-a", ("organisation",), "owners")
    ]


def test_text_given_stands_in_for_the_file(data):
    assert not (data / "plans").exists()
    assert parse_file(data, "plans/gamma.yaml", PLAN).nodes[0].title == "Gamma"


def test_a_registry_gives_its_entries_and_their_references(data):
    parsed = parse_file(
        data,
        "organisations.yaml",
        "organisations:\n  - id: org-a\n    name: A\n  - id: org-b\n    name: B\n    part-of: org-a\n",
    )
    assert problems(parsed) == []
    assert (parsed.kind, parsed.graph) == ("organisations", "organisations")
    assert [(node.id, node.type, node.part_of) for node in parsed.nodes] == [
        ("org-a", NodeType.ORGANISATION, None),
        ("org-b", NodeType.ORGANISATION, "org-a"),
    ]
    assert [(ref.location.line, ref.target, ref.field) for ref in parsed.references] == [(6, "org-a", "part-of")]


def test_an_empty_registry_is_no_problem_but_an_empty_plan_is(data):
    assert parse_file(data, "programmes.yaml", "").problems == []
    assert problems(parse_file(data, "plans/gamma.yaml", "")) == [
        "data/plans/gamma.yaml:1: the plan file is empty: it needs a 'plan:' section"
    ]


def test_yaml_that_cannot_be_read_marks_the_file_unreadable(data):
    parsed = parse_file(data, "plans/gamma.yaml", "plan:\n  id: gamma\n  title: [open\n")
    assert parsed.unreadable and parsed.nodes == []
    assert len(parsed.problems) == 1 and problems(parsed)[0].startswith("data/plans/gamma.yaml:4: invalid YAML:")


def test_the_plan_section_is_checked_key_by_key(data):
    parsed = parse_file(data, "plans/gamma.yaml", "plan:\n  id: delta\n  titel: D\nrecomendations: []\n")
    assert sorted(problems(parsed)) == [
        "data/plans/gamma.yaml:2: plan id 'delta' must match the file name 'gamma.yaml'",
        "data/plans/gamma.yaml:2: the plan has no 'title'",
        "data/plans/gamma.yaml:3: unknown key 'titel' in the plan (did you mean 'title'?)",
        "data/plans/gamma.yaml:4: unknown key 'recomendations' in a plan file (did you mean 'recommendations'?)",
    ]
    assert problems(parse_file(data, "plans/gamma.yaml", "plan: gamma\n")) == [
        "data/plans/gamma.yaml:1: 'plan' must be a mapping with id and title"
    ]


def test_a_documents_source_file_must_be_a_plain_name_of_a_file_in_sources(data, tmp_path):
    (data / "sources" / "here.txt").write_text("text", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (data / "sources" / "link.txt").symlink_to(tmp_path / "secret.txt")
    text = "documents:\n" + "".join(
        f"  - id: d{number}\n    title: D\n    file: {name}\n"
        for number, name in enumerate(["here.txt", "../secret.txt", "link.txt", "gone.txt"])
    )
    parsed = parse_file(data, "documents.yaml", text)
    assert [node.id for node in parsed.nodes] == ["d0", "d1", "d2", "d3"]
    assert problems(parsed) == [
        "data/documents.yaml:7: file '../secret.txt' must be a plain file name inside sources/",
        "data/documents.yaml:10: file 'link.txt' in sources/ leads outside the data directory (a link?): copy the "
        "text into sources/ instead",
        "data/documents.yaml:13: file 'gone.txt' is not in sources/",
    ]


def test_a_link_to_itself_and_a_link_stated_twice_are_refused(data):
    link = "  - from: r1\n    to: {to}\n    relation: related-to\n    basis: judged\n    quote: First.\n"
    text = (
        "plan:\n  id: gamma\n  title: Gamma\nrecommendations:\n  - id: r1\n    text: First.\n  - id: r2\n    text: Two.\n"
        "links:\n" + link.format(to="r1") + link.format(to="r2") + link.format(to="r2")
    )
    parsed = parse_file(data, "plans/gamma.yaml", text)
    assert len(parsed.links) == 1
    assert problems(parsed) == [
        "data/plans/gamma.yaml:10: a link from 'gamma/r1' to itself",
        f"data/plans/gamma.yaml:20: duplicate link {parsed.links[0].key} (first at line 15)",
    ]


def test_a_recommendation_needs_text_unless_removed_and_a_workstream_of_its_own_plan(data):
    text = (
        "plan:\n  id: gamma\n  title: Gamma\nworkstreams:\n  - id: housing\n    title: Housing\n"
        "recommendations:\n  - id: r1\n    workstream: housin\n  - id: r2\n    text: Two.\n    workstream: housing\n"
    )
    parsed = parse_file(data, "plans/gamma.yaml", text)
    assert problems(parsed) == [
        "data/plans/gamma.yaml:8: recommendation 'gamma/r1' has no 'text' (only a removed recommendation may have none)",
        "data/plans/gamma.yaml:9: workstream 'housin' is not a workstream of this plan (did you mean 'gamma/housing'?)",
    ]
    assert parsed.nodes[-1].workstream == "gamma/housing"
