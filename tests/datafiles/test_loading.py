"""Loading YAML: line-aware errors, one per problem, with a fix where one is likely."""

import textwrap

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import DataError
from crossplan.graph.model.nodes import NodeType, Relation, Status


@pytest.fixture
def mini(mini_data, monkeypatch):
    """The mini data set, with the working directory beside it so paths read ``mini/...``."""
    monkeypatch.chdir(mini_data.parent)
    return mini_data


def problems_after(mini, relpath, text):
    if text.startswith(PLAN_HEAD):
        text = PLAN_HEAD + textwrap.dedent(text[len(PLAN_HEAD) :])
    (mini / relpath).write_text(textwrap.dedent(text), encoding="utf-8")
    return [str(problem) for problem in load_dataset(mini, strict=False).problems]


PLAN_HEAD = "plan:\n  id: gamma\n  title: Gamma\n  source: alpha-source\n"


def test_the_mini_data_set_loads_with_every_node_and_link(mini):
    dataset = load_dataset(mini)
    assert sorted(dataset.nodes) == [
        "alpha",
        "alpha-board",
        "alpha-policy",
        "alpha-source",
        "alpha/r1",
        "alpha/r1-update-1",
        "alpha/r2",
        "beta",
        "beta-source",
        "beta/resettlement",
        "beta/resettlement-1",
        "beta/resettlement-1-action-1",
        "constructive-resettlement",
    ]
    r2 = dataset.nodes["alpha/r2"]
    assert (r2.type, r2.status, r2.label, r2.text) == (
        NodeType.RECOMMENDATION,
        Status.REMOVED,
        "Recommendation 2 (removed)",
        None,
    )
    assert [(link.source_id, link.relation, link.target_id) for link in dataset.links] == [
        ("alpha/r2", Relation.DUPLICATE_OF, "alpha/r1"),
        ("alpha/r1", Relation.RELATED_TO, "beta/resettlement-1"),
        ("beta/resettlement-1", Relation.REFERENCES, "constructive-resettlement"),
    ]
    assert dataset.nodes["alpha/r1"].location.line == 8


def test_strict_loading_raises_every_problem_at_once(mini):
    (mini / "plans/gamma.yaml").write_text(
        "plan:\n  id: gamma\n  title: G\n  source: alpha-sorce\n  owners: [alpha-bord]\n"
    )
    with pytest.raises(DataError) as caught:
        load_dataset(mini)
    assert [str(p) for p in caught.value.problems] == [
        "mini/plans/gamma.yaml:4: source 'alpha-sorce' is not defined (did you mean 'alpha-source'?)",
        "mini/plans/gamma.yaml:5: owners 'alpha-bord' is not defined (did you mean 'alpha-board'?)",
    ]


def test_unknown_link_target_gets_a_did_you_mean(mini):
    problems = problems_after(
        mini,
        "plans/gamma.yaml",
        PLAN_HEAD
        + """\
    links:
      - from: gamma
        to: alpha/r3
        relation: related-to
        basis: judged
        quote: The Alpha Plan
    """,
    )
    assert problems == ["mini/plans/gamma.yaml:7: to 'alpha/r3' is not defined (did you mean 'alpha/r2'?)"]


def test_duplicate_id_names_the_first_definition(mini):
    problems = problems_after(
        mini,
        "plans/gamma.yaml",
        PLAN_HEAD
        + """\
    recommendations:
      - id: r1
        text: one
      - id: r1
        text: two
    """,
    )
    assert problems == ["mini/plans/gamma.yaml:8: duplicate id 'gamma/r1' (first defined at line 6)"]


def test_duplicate_key(mini):
    problems = problems_after(
        mini,
        "plans/gamma.yaml",
        PLAN_HEAD
        + """\
    recommendations:
      - id: r1
        text: one
        text: two
    """,
    )
    assert problems == ["mini/plans/gamma.yaml:8: duplicate key 'text' (first at line 7): remove one"]


def test_unknown_relation_status_basis_and_response(mini):
    problems = problems_after(
        mini,
        "plans/gamma.yaml",
        PLAN_HEAD
        + """\
    recommendations:
      - id: r1
        text: one
        status: compete
        response: partly agreed
    links:
      - from: r1
        to: alpha/r1
        relation: feeds_into
        basis: obvious
        quote: The Alpha Plan
    """,
    )
    assert problems == [
        "mini/plans/gamma.yaml:8: unknown status 'compete' (did you mean 'complete'?)",
        "mini/plans/gamma.yaml:9: unknown response 'partly agreed' (did you mean 'partly-agreed'?)",
        "mini/plans/gamma.yaml:13: unknown relation 'feeds_into' (did you mean 'feeds-into'?)",
        "mini/plans/gamma.yaml:14: unknown basis 'obvious' (one of: explicit, judged, suggested)",
    ]


def test_invalid_dates(mini):
    problems = problems_after(
        mini,
        "plans/gamma.yaml",
        PLAN_HEAD
        + """\
    recommendations:
      - id: r1
        text: one
        target-dates:
          - text: March 2020
            date: March 2020
          - text: soon
            date: "2020-13"
    """,
    )
    assert problems == [
        "mini/plans/gamma.yaml:10: invalid date 'March 2020': write YYYY, YYYY-MM or YYYY-MM-DD",
        "mini/plans/gamma.yaml:12: invalid date '2020-13': month must be in 1..12",
    ]


def test_empty_quote_and_missing_quote(mini):
    problems = problems_after(
        mini,
        "plans/gamma.yaml",
        PLAN_HEAD
        + """\
    links:
      - from: gamma
        to: alpha
        relation: related-to
        basis: judged
        quote: ""
      - from: gamma
        to: beta
        relation: related-to
        basis: judged
    """,
    )
    assert problems == [
        "mini/plans/gamma.yaml:10: empty quote: give the exact words from the source that justify the link",
        "mini/plans/gamma.yaml:11: a link has no 'quote'",
    ]


def test_wrong_types_and_unknown_keys(mini):
    problems = problems_after(
        mini,
        "plans/gamma.yaml",
        PLAN_HEAD
        + """\
    recommendations:
      - id: r1
        txt: one
        addressed-to: {yjb: true}
      - just text
    """,
    )
    assert problems == [
        "mini/plans/gamma.yaml:6: recommendation 'gamma/r1' has no 'text' (only a removed recommendation may have none)",
        "mini/plans/gamma.yaml:7: unknown key 'txt' in a recommendation (did you mean 'text'?)",
        "mini/plans/gamma.yaml:8: 'addressed-to' must be an id or a list of ids, not a mapping",
        "mini/plans/gamma.yaml:9: a recommendation must be a mapping of keys, not text",
    ]


def test_owner_must_be_an_organisation_and_workstream_must_be_local(mini):
    problems = problems_after(
        mini,
        "plans/gamma.yaml",
        PLAN_HEAD
        + """\
    recommendations:
      - id: r1
        text: one
        workstream: beta/resettlement
        owners:
          - text: The Beta team
            organisation: beta
    """,
    )
    assert problems == [
        "mini/plans/gamma.yaml:8: workstream 'beta/resettlement' is not a workstream of this plan",
        "mini/plans/gamma.yaml:11: organisation 'beta' is a plan, not a organisation",
    ]


def test_yaml_syntax_error_is_located(mini):
    problems = problems_after(mini, "plans/gamma.yaml", "plan:\n  id: gamma\n  title: [unclosed\n")
    assert len(problems) == 1 and problems[0].startswith("mini/plans/gamma.yaml:4: invalid YAML:")


def test_yaml_1_2_keeps_yes_and_no_as_text(mini):
    (mini / "plans/gamma.yaml").write_text(
        PLAN_HEAD + "recommendations:\n  - id: r1\n    number: no\n    text: yes\n", encoding="utf-8"
    )
    node = load_dataset(mini).nodes["gamma/r1"]
    assert (node.number, node.text) == ("no", "yes")


def test_plan_id_must_match_file_name_and_ids_must_be_slugs(mini):
    problems = problems_after(
        mini,
        "plans/gamma.yaml",
        """\
    plan:
      id: delta
      title: Delta
    recommendations:
      - id: R 1
        text: one
    """,
    )
    assert problems == [
        "mini/plans/gamma.yaml:2: plan id 'delta' must match the file name 'gamma.yaml'",
        "mini/plans/gamma.yaml:5: id 'R 1' must be lower-case letters, digits and hyphens (e.g. 'r-1')",
    ]


def test_text_in_pieces_is_joined_and_each_piece_kept(mini):
    (mini / "plans/gamma.yaml").write_text(
        PLAN_HEAD + "recommendations:\n  - id: r1\n    text:\n      - first part\n      - second  part\n",
        encoding="utf-8",
    )
    node = load_dataset(mini).nodes["gamma/r1"]
    assert node.text == "first part second part"
    assert node.text_pieces == ["first part", "second part"]


def test_overrides_check_a_change_before_it_is_written(mini):
    dataset = load_dataset(
        mini, strict=False, overrides={"plans/gamma.yaml": "plan:\n  id: gamma\n  title: G\n  source: nope\n"}
    )
    assert [str(p) for p in dataset.problems] == ["mini/plans/gamma.yaml:4: source 'nope' is not defined"]
    assert not (mini / "plans/gamma.yaml").exists()
