"""graph/rdf/validation.py: quotes against their sources, overrides, SHACL located at the node, the rejections file."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import Problem
from crossplan.graph.rdf import shapecheck, validation
from crossplan.graph.rdf.validation import check_shapes, normalise_source, validate_data

MINI = Path(__file__).parent.parent / "fixtures" / "mini"
R1_TEXT = "Improve accommodation on release for children leaving custody, a minimum of one month prior to release."


def _replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(_replace(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")


@pytest.fixture
def data(mini_data, monkeypatch) -> Path:
    """A writable copy of the mini data, as the working directory (so problems read plans/alpha.yaml:N)."""
    monkeypatch.chdir(mini_data)
    return mini_data


def test_the_mini_fixture_is_valid_with_shacl():
    assert validate_data(MINI) == []


def test_normalise_source_rejoins_hyphen_broken_words_and_collapses_space():
    assert (
        normalise_source("Map existing pre-\ncourt  diversion\n\tpractice.")
        == "Map existing pre-court diversion practice."
    )
    assert normalise_source("well-\r\n  known") == "well-known"
    # a dash between words is not a broken word: the line break stays a space
    assert normalise_source("long -\nterm") == "long - term"


def test_a_link_quote_not_in_its_source_is_reported_at_the_link(data):
    _edit(data / "plans" / "alpha.yaml", "quote: accommodation on release", "quote: accommodation at release")
    assert validate_data(data) == [
        Problem(
            "plans/alpha.yaml",
            33,
            "quote of link alpha/r1 related-to beta/resettlement-1 is not in its source alpha.txt: "
            '"accommodation at release" (quote it exactly as printed)',
        )
    ]


def test_an_item_text_not_in_its_source_is_reported_at_the_item_with_a_shortened_excerpt(data):
    _edit(data / "plans" / "alpha.yaml", "custody, a minimum", "custody; a minimum")
    (problem,) = validate_data(data)
    assert (problem.path, problem.line) == ("plans/alpha.yaml", 8)
    assert problem.message.startswith("text of 'alpha/r1' is not in its source alpha.txt: \"Improve accommodation")
    # a long text is cut to 57 characters and an ellipsis
    excerpt = problem.message.split('"')[1]
    assert excerpt == R1_TEXT.replace(",", ";")[:57] + "..."


def test_a_target_quote_is_checked_against_the_target_plans_source(data):
    # the words are in alpha.txt (the link's own plan) but not in beta.txt (the target's)
    _edit(
        data / "plans" / "alpha.yaml",
        "target-quote: accommodation in place before release",
        "target-quote: minimum of one month prior to release",
    )
    problems = validate_data(data)
    assert [str(problem) for problem in problems] == [
        "plans/alpha.yaml:33: target-quote of link alpha/r1 related-to beta/resettlement-1 is not in its source "
        'beta.txt: "minimum of one month prior to release" (quote it exactly as printed)'
    ]


def test_overrides_are_checked_instead_of_the_files_on_disk(data):
    plan = data / "plans" / "alpha.yaml"
    on_disk = plan.read_text(encoding="utf-8")
    changed = _replace(on_disk, "quote: accommodation on release", "quote: accommodation at release")
    problems = validate_data(data, overrides={"plans/alpha.yaml": changed})
    assert [(p.path, p.line) for p in problems] == [("plans/alpha.yaml", 33)]
    assert plan.read_text(encoding="utf-8") == on_disk
    # an override may add a file; its references are checked against the rest
    added = "plan:\n  id: gamma\n  title: The Gamma Plan\n  source: nowhere\n"
    assert [str(p) for p in validate_data(data, overrides={"plans/gamma.yaml": added})] == [
        "plans/gamma.yaml:4: source 'nowhere' is not defined"
    ]
    assert not (data / "plans" / "gamma.yaml").exists()


def test_a_shacl_violation_is_located_at_the_nodes_line(data):
    dataset = load_dataset(data)
    # the loader refuses such a recommendation, so make it in memory: no text and not removed
    dataset.nodes["alpha/r1"].text = None
    problems = check_shapes(dataset)
    assert Problem("plans/alpha.yaml", 8, "alpha/r1: a recommendation needs its text unless it was removed") in problems
    assert {(p.path, p.line) for p in problems} == {("plans/alpha.yaml", 8)}


def test_shapes_run_only_when_asked_and_when_the_other_checks_pass(data, monkeypatch):
    calls = []
    monkeypatch.setattr(validation, "check_shapes", lambda dataset: calls.append(dataset) or [])
    assert validate_data(data, shacl=False) == []
    assert calls == []
    _edit(data / "plans" / "alpha.yaml", "quote: accommodation on release", "quote: accommodation at release")
    assert len(validate_data(data)) == 1
    assert calls == []


def test_the_rejections_file_is_checked_with_lines(data):
    (data / "suggestions").mkdir()
    (data / "suggestions" / "rejected.yaml").write_text(
        "rejected:\n"
        "  - from: alpha/r1\n"
        "    to: beta/resettlement-1\n"
        '    date: "2024-05-02"\n'
        "  - from: alpha/r9\n"
        "    to: beta/resettlement-1\n"
        "    date: 2024-5-2\n",
        encoding="utf-8",
    )
    problems = [str(problem) for problem in validate_data(data)]
    assert len(problems) == 2
    assert problems[0].startswith("suggestions/rejected.yaml:5: 'from' 'alpha/r9' is not an item of a plan")
    assert problems[1].startswith("suggestions/rejected.yaml:7: invalid date")


def test_a_valid_rejections_file_is_clean(data):
    (data / "suggestions").mkdir()
    (data / "suggestions" / "rejected.yaml").write_text(
        "rejected:\n  - from: alpha/r1\n    to: beta/resettlement-1\n", encoding="utf-8"
    )
    assert validate_data(data, shacl=False) == []


def test_a_shacl_violation_is_reported_on_a_first_run_and_after_an_edit(data, monkeypatch):
    dataset = load_dataset(data)
    assert check_shapes(dataset) == []
    dataset.nodes["alpha/r1"].text = None
    first = check_shapes(dataset)
    assert first == [Problem("plans/alpha.yaml", 8, "alpha/r1: a recommendation needs its text unless it was removed")]
    # the same verdict as pyshacl over every triple (the path taken when the shapes cannot be screened)
    with monkeypatch.context() as patch:
        patch.setattr(shapecheck, "compile_shapes", lambda shapes: None)
        assert check_shapes(dataset) == first
    # after an edit of one file: nothing is remembered between runs, the edited file's violation is found
    _edit(data / "plans" / "beta.yaml", "title: The Beta Blueprint", "title: The Beta Plan")
    dataset = load_dataset(data)
    assert check_shapes(dataset) == []
    dataset.nodes["beta/resettlement"].label = ""
    assert check_shapes(dataset) == [
        Problem("plans/beta.yaml", 7, "beta/resettlement: a node needs a non-empty label (rdfs:label)")
    ]
