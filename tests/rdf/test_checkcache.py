"""graph/rdf/checkcache.py: validating with each file's results kept gives exactly the problems of a run without them,
after any edit, while reading again only the files that changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from crossplan.graph.datafiles import loading
from crossplan.graph.errors import Problem
from crossplan.graph.rdf import checkcache
from crossplan.graph.rdf.checkcache import FOLDER, cache_folder, validate_with_cache
from crossplan.graph.rdf.validation import validate_data


@pytest.fixture
def data(mini_data, monkeypatch) -> Path:
    """A writable copy of the mini data, as the working directory (so problems read plans/alpha.yaml:N)."""
    monkeypatch.chdir(mini_data)
    return mini_data


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The files the cached validation parses, in order."""
    seen: list[str] = []
    real = checkcache.parse_file

    def parse_file(data_dir, relpath, text=None):
        seen.append(relpath)
        return real(data_dir, relpath, text)

    monkeypatch.setattr(checkcache, "parse_file", parse_file)
    return seen


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _same(data: Path, store: Path, shacl: bool = True) -> list[Problem]:
    """Validate with the cache and without it; the problems must be the same."""
    cached = validate_data(data, shacl=shacl, cache_dir=store)
    assert cached == validate_data(data, shacl=shacl)
    return cached


def test_valid_data_is_read_once_then_taken_from_the_entries(data, store, parsed):
    assert _same(data, store) == []
    assert sorted(parsed) == [
        "documents.yaml",
        "organisations.yaml",
        "plans/alpha.yaml",
        "plans/beta.yaml",
        "programmes.yaml",
    ]
    assert len(os.listdir(store / FOLDER)) == 5
    parsed.clear()
    assert _same(data, store) == []
    assert parsed == []
    # a one-file edit parses that file only, and its old entry is replaced
    _edit(data / "plans" / "beta.yaml", "title: The Beta Blueprint", "title: The Beta Plan")
    assert _same(data, store) == []
    assert parsed == ["plans/beta.yaml"]
    assert len(os.listdir(store / FOLDER)) == 5


def test_no_shacl_then_shacl_completes_the_entries(data, store, parsed):
    assert _same(data, store, shacl=False) == []
    parsed.clear()
    assert _same(data, store) == []
    # the screen's part of each entry is made now: each file is read once more, its other results kept
    assert sorted(parsed) == sorted(loading.data_files(data))
    parsed.clear()
    assert _same(data, store, shacl=False) == []
    assert parsed == []
    parsed.clear()
    assert _same(data, store) == []
    assert parsed == []


# Each edit changes one file (the last, two) and breaks something another, unchanged file relies on.
CROSS_FILE_EDITS = {
    "an id others reference is renamed": [("organisations.yaml", "id: alpha-board", "id: alpha-boards")],
    "a link's target is removed": [
        ("plans/beta.yaml", "id: resettlement-1\n", "id: resettlement-2\n"),
    ],
    "the same id is defined in a second file": [
        ("documents.yaml", "documents:\n", "documents:\n  - id: alpha-board\n    title: A Board\n"),
    ],
    "a plan's source document points at another text": [("documents.yaml", "file: alpha.txt", "file: beta.txt")],
    "a source text changes": [("sources/alpha.txt", "accommodation on release", "accommodation upon release")],
    "an id moves to another file and changes type": [
        ("organisations.yaml", "  - id: alpha-board\n", "  - id: alpha-board-old\n"),
        ("documents.yaml", "documents:\n", "documents:\n  - id: alpha-board\n    title: A Board\n"),
    ],
    "a registry becomes unreadable": [("programmes.yaml", "programmes:", "programmes: [")],
}


@pytest.mark.parametrize("edits", CROSS_FILE_EDITS.values(), ids=CROSS_FILE_EDITS.keys())
def test_a_cross_file_breakage_is_reported_as_without_the_cache(data, store, parsed, edits):
    assert _same(data, store) == []
    parsed.clear()
    for relpath, old, new in edits:
        _edit(data / relpath, old, new)
    problems = _same(data, store)
    assert problems  # the edit broke something: the comparison above compared real problems
    edited = {relpath for relpath, _, _ in edits}
    # the edited files are read again; an unchanged file only if a quote or shape it checked read what changed
    assert edited & set(loading.data_files(data)) <= set(parsed)
    assert _same(data, store) == problems  # and again, from the entries the broken run kept


def test_an_alpha_link_reports_its_removed_target(data, store):
    assert _same(data, store) == []
    _edit(data / "plans" / "beta.yaml", "id: resettlement-1\n", "id: resettlement-2\n")
    messages = [str(problem) for problem in _same(data, store)]
    assert any(message.startswith("plans/alpha.yaml:") and "beta/resettlement-1" in message for message in messages)


def test_a_problem_in_an_unchanged_file_is_still_reported(data, store, parsed):
    _edit(data / "plans" / "alpha.yaml", "quote: accommodation on release", "quote: accommodation at release")
    first = _same(data, store)
    assert [(problem.path, problem.line) for problem in first] == [("plans/alpha.yaml", 33)]
    parsed.clear()
    _edit(data / "plans" / "beta.yaml", "title: The Beta Blueprint", "title: The Beta Plan")
    assert _same(data, store) == first
    assert parsed == ["plans/beta.yaml"]
    # a reference problem kept in an unchanged file's entry, too
    _edit(data / "plans" / "alpha.yaml", "owners: [alpha-board]", "owners: [alpha-bored]")
    second = _same(data, store)
    assert any("'alpha-bored' is not defined" in problem.message for problem in second)
    parsed.clear()
    _edit(data / "plans" / "beta.yaml", "title: The Beta Plan", "title: The Beta Blueprint")
    assert _same(data, store) == second
    assert parsed == ["plans/beta.yaml"]


def test_the_rejections_file_is_checked_against_every_files_ids(data, store):
    assert _same(data, store) == []
    (data / "suggestions").mkdir()
    (data / "suggestions" / "rejected.yaml").write_text(
        "rejected:\n  - from: alpha/r1\n    to: beta/resettlement-1\n", encoding="utf-8"
    )
    assert _same(data, store) == []
    _edit(data / "plans" / "beta.yaml", "id: resettlement-1\n", "id: resettlement-2\n")
    assert any(problem.path.startswith("suggestions") for problem in _same(data, store))


DAMAGE = {
    "truncated": lambda text: text[: len(text) // 2],
    "not JSON": lambda text: "\x00garbage",
    "a line that is text": lambda text: text.replace(
        ',"nodes":[[', ',"nodes":[["x","plan",null,null,null,null,"7"],[', 1
    ),
    "a field missing": lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k != "references"}),
    "another format": lambda text: json.dumps({**json.loads(text), "format": 0}),
    "a list for a dict": lambda text: json.dumps({**json.loads(text), "offers": []}),
    "an offer of the wrong width": lambda text: json.dumps(
        {**json.loads(text), "offers": {k: [] for k in json.loads(text)["offers"] or ["#x"]}}
    ),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_entry_is_recomputed(data, store, parsed, damage):
    for edit in (None, ("quote: accommodation on release", "quote: accommodation at release")):
        if edit:
            _edit(data / "plans" / "alpha.yaml", *edit)
        first = _same(data, store)
        assert bool(first) == bool(edit)
        for path in (store / FOLDER).iterdir():
            path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
        parsed.clear()
        assert _same(data, store) == first
        assert sorted(parsed) == sorted(loading.data_files(data))  # every entry was refused
        parsed.clear()
        assert _same(data, store) == first
        assert parsed == []  # and written again, whole


def test_an_unchanged_files_shape_check_sees_another_files_edit(data, store, monkeypatch):
    """Links whose ends the YAML checks do not see: only the shapes find that alpha's link now points nowhere."""
    real = loading.parse_file

    def blind(data_dir, relpath, text=None):
        parsed_file = real(data_dir, relpath, text)
        parsed_file.references = [ref for ref in parsed_file.references if ref.field not in ("from", "to")]
        for link in parsed_file.links:
            link.target_quote = None  # no quote looks the target up: only the shapes read it
        return parsed_file

    monkeypatch.setattr(loading, "parse_file", blind)
    monkeypatch.setattr(checkcache, "parse_file", blind)
    assert _same(data, store) == []
    _edit(data / "plans" / "beta.yaml", "id: resettlement-1\n", "id: resettlement-2\n")
    _edit(data / "plans" / "beta.yaml", "from: resettlement-1\n", "from: resettlement-2\n")  # beta's own link holds
    problems = _same(data, store)
    # alpha.yaml is unchanged: its link's check read beta/resettlement-1's id, which beta.yaml no longer gives
    assert any(
        problem.path == "plans/alpha.yaml" and "a link has exactly one defined 'to' node" in problem.message
        for problem in problems
    )


def test_the_entries_live_in_the_store_directory_never_in_the_data(data, tmp_path):
    assert cache_folder(tmp_path / "new", data) == tmp_path / "new" / FOLDER
    assert cache_folder(data / "store", data) is None
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "letter.txt").write_text("mine", encoding="utf-8")
    assert cache_folder(tmp_path / "papers", data) is None  # not a store: nothing written there
    assert validate_with_cache(data, tmp_path / "papers", True) == []
    assert os.listdir(tmp_path / "papers") == ["letter.txt"]
    (tmp_path / "built").mkdir()
    (tmp_path / "built" / "manifest.json").write_text("{}", encoding="utf-8")
    assert cache_folder(tmp_path / "built", data) == tmp_path / "built" / FOLDER


def test_the_command_keeps_its_entries_in_the_store_that_build_then_uses(data, invoke, tmp_path):
    store = tmp_path / "store"
    result = invoke("--data", str(data), "--store", str(store), "validate")
    assert result.exit_code == 0, result.output
    assert len(os.listdir(store / FOLDER)) == 5
    result = invoke("--data", str(data), "--store", str(store), "build")
    assert result.exit_code == 0, result.output
    _edit(data / "plans" / "alpha.yaml", "quote: accommodation on release", "quote: accommodation at release")
    result = invoke("--data", str(data), "--store", str(store), "validate")
    assert result.exit_code == 1
    assert "plans/alpha.yaml:33: quote of link alpha/r1 related-to beta/resettlement-1" in result.output
    assert not any(name.startswith(".") for name in os.listdir(data))


def test_a_files_own_problems_are_those_of_its_bytes(data, store, parsed):
    alpha = data / "plans" / "alpha.yaml"
    alpha.write_bytes(alpha.read_bytes().replace(b"\n", b"\r\n"))  # Windows line ends: the same lines
    assert _same(data, store) == []
    beta = data / "plans" / "beta.yaml"
    beta.write_bytes(beta.read_bytes().replace(b"Beta Blueprint", b"Beta \xff Blueprint"))
    problems = _same(data, store)
    assert [(problem.path, problem.line) for problem in problems] == [("plans/beta.yaml", 1)]
    parsed.clear()
    assert _same(data, store) == problems
    assert parsed == []


def test_the_shipped_data_gives_the_same_problems_first_and_after_edits(tmp_path, store, monkeypatch, parsed):
    import shutil

    from crossplan.graph.resources import shipped_data_dir

    data = tmp_path / "shipped"
    shutil.copytree(shipped_data_dir(), data)
    monkeypatch.chdir(data)
    assert _same(data, store) == []
    plan = data / "plans" / "hmip-resettlement.yaml"
    _edit(plan, '    text: "Provide central payment', '    text: "Provide a central payment')
    parsed.clear()
    problems = _same(data, store)
    assert [(problem.path, problem.message[:22]) for problem in problems] == [
        ("plans/hmip-resettlement.yaml", "text of 'hmip-resettle")
    ]
    assert parsed == ["plans/hmip-resettlement.yaml"]


def test_entries_of_other_code_or_other_shapes_are_not_read(data, store, parsed, monkeypatch):
    assert _same(data, store) == []
    everything = sorted(loading.data_files(data))
    monkeypatch.setattr(checkcache, "code_digest", lambda: "another version")
    parsed.clear()
    assert _same(data, store) == []
    assert sorted(parsed) == everything
    parsed.clear()
    assert _same(data, store) == []
    assert parsed == []
    shapes = checkcache.shapes_text()
    monkeypatch.setattr(checkcache, "shapes_text", lambda: shapes + "\n# edited\n")
    parsed.clear()
    assert _same(data, store) == []
    assert sorted(parsed) == everything
