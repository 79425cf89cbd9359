"""Adding one entry to a YAML list of a data file without touching the rest (graph.datafiles.append)."""

import difflib
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from crossplan.graph.datafiles.append import add_list_entry
from crossplan.graph.errors import CrossplanError, DataError

SHIPPED = Path(__file__).parents[2] / "data"


ENTRY = {
    "from": "r1",
    "to": "yj-blueprint/custody-1",
    "relation": "related-to",
    "basis": "suggested",
    "quote": "a “quoted”: text, with # and 'marks'",
    "date": "2024-05-02",
}


def only_added(before: str, after: str) -> list[str]:
    """Return the lines added; fail if any line of ``before`` changed or went."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    added = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "insert"), f"lines {i1 + 1}-{i2} changed"
        if tag == "insert":
            added += after.splitlines()[j1:j2]
    return added


def test_adding_a_link_to_a_shipped_plan_only_adds_its_lines():
    path = SHIPPED / "plans" / "hmip-resettlement.yaml"
    before = path.read_text(encoding="utf-8")
    after, line = add_list_entry(path, before, "links", ENTRY)
    added = only_added(before, after)
    assert [text.strip() for text in added if text.strip()][0] == "- from: r1"
    assert after.splitlines()[line - 1].strip() == "- from: r1"
    safe = YAML(typ="safe", pure=True)
    old_links, new_links = safe.load(before)["links"], safe.load(after)["links"]
    assert new_links == old_links + [ENTRY]


def test_a_file_without_links_gets_a_links_section(tmp_path):
    path = tmp_path / "plan.yaml"
    before = "plan:\n  id: x\n  title: X   # a comment\n"
    after, line = add_list_entry(path, before, "links", {"from": "a", "to": "b"})
    assert after == before + "\nlinks:\n  - from: a\n    to: b\n"
    assert line == 6


def test_an_empty_links_key_gets_its_first_entry(tmp_path):
    after, _ = add_list_entry(tmp_path / "p.yaml", "links:\n# the end\n", "links", {"from": "a", "to": "b"})
    assert after == "links:\n  - from: a\n    to: b\n# the end\n"


def test_an_inline_list_is_not_rewritten(tmp_path):
    with pytest.raises(DataError) as raised:
        add_list_entry(tmp_path / "p.yaml", "plan: {}\nlinks: [{from: a, to: b}]\n", "links", {"from": "c", "to": "d"})
    assert str(raised.value).endswith("p.yaml:2: 'links:' must be a block list (one '- ' entry per item) to add to it")


def test_a_comment_goes_above_the_entry_and_lists_are_written_inline(tmp_path):
    text = "organisations:\n  - id: moj\n    name: Ministry of Justice\n"
    entry = {"id": "ycs", "name": "Youth Custody Service", "abbreviations": ["YCS"]}
    after, line = add_list_entry(tmp_path / "organisations.yaml", text, "organisations", entry, comment="Added")
    assert after == text + "  # Added\n  - id: ycs\n    name: Youth Custody Service\n    abbreviations: [YCS]\n"
    assert after.splitlines()[line - 1] == "  - id: ycs"


def test_an_empty_file_gets_the_list(tmp_path):
    after, line = add_list_entry(tmp_path / "organisations.yaml", "", "organisations", {"id": "a", "name": "A"})
    assert after == "organisations:\n  - id: a\n    name: A\n"
    assert line == 2


def test_a_file_nested_too_deep_is_a_located_error(tmp_path):
    with pytest.raises(DataError, match="nested too deep"):
        add_list_entry(tmp_path / "x.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n", "links", {"from": "a"})


@pytest.mark.parametrize("value", ["3", "true", "2024-01-01", "{a: 1}"])
def test_a_key_that_is_not_a_list_is_a_located_error(tmp_path, value):
    text = f"# Registry\norganisations: {value}\n"
    with pytest.raises(DataError, match=r"organisations.yaml:2: 'organisations:' must be a block list"):
        add_list_entry(tmp_path / "organisations.yaml", text, "organisations", {"id": "a", "name": "A"})


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"id": "x", "name": "bad \x1b[2J name"}, "the name holds the control character U+001B"),
        ({"id": "x", "abbreviations": ["ok", "\x07"]}, "the abbreviations holds the control character U+0007"),
        ({"id": "x", "note": "half \ud800"}, "the note holds a lone surrogate (half of a character) U+D800"),
    ],
)
def test_text_the_data_files_cannot_hold_is_refused_before_writing(entry, message):
    with pytest.raises(CrossplanError, match=rf"^{re.escape(message)}: remove it \(nothing was written\)$"):
        add_list_entry(Path("organisations.yaml"), "organisations:\n  - id: a\n", "organisations", entry)


def test_an_empty_inline_list_as_init_writes_it_takes_its_first_entry():
    text = "# Organisations named in the plans\norganisations: []  # none yet\nprogrammes: []\n"
    new_text, line = add_list_entry(Path("organisations.yaml"), text, "organisations", {"id": "a", "name": "A"})
    assert new_text == (
        "# Organisations named in the plans\norganisations:  # none yet\n  - id: a\n    name: A\nprogrammes: []\n"
    )
    assert line == 3
