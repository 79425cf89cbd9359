"""`crossplan suggest`, `accept`, `reject` and `review` through the CLI, on the hand-written north/south plans.

The right link of each north recommendation is known from how the fixture was written (see tests/suggest/test_similar.py):
n1 -> s1, n2 -> s2, n3 -> s5 (the same words), n5 -> s3 (n5 "will inform" it); n4 -> s4 is already in the data.
"""

import datetime
import difflib
import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crossplan.graph.resources import shipped_data_dir
from crossplan.graph.text import display_path

SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"
TODAY = datetime.date.today().isoformat()
METHOD = "crossplan suggest: TF-IDF of item texts, shared entities and distinctive phrases"
RECOMMENDATIONS = ("--top", "1", "--type", "recommendation")


@pytest.fixture
def fx(tmp_path, monkeypatch):
    """A writable copy of the fixture, with the working directory beside it so paths read ``fx/...``."""
    shutil.copytree(SUGGEST, tmp_path / "fx")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "fx"


def suggestions(invoke, *options):
    result = invoke("--data", "fx", "suggest", "north", "south", "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def added_lines(before: str, after: str) -> list[str]:
    """Return the lines added to a file; fail if any other line changed."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    added = []
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "insert"), f"line {i1 + 1} changed"
        added += after.splitlines()[j1:j2] if tag == "insert" else []
    return added


# --------------------------------------------------------------------------------------------
# suggest


def test_suggest_lists_the_right_links_with_their_evidence(invoke, fx):
    scores = {(s["from"], s["to"]): s["score"] for s in suggestions(invoke, *RECOMMENDATIONS)}
    assert list(scores) == [
        ("north/n3", "south/s5"),
        ("north/n2", "south/s2"),
        ("north/n1", "south/s1"),
        ("north/n5", "south/s3"),
    ]
    result = invoke("--data", "fx", "suggest", "north", "south", *RECOMMENDATIONS)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "4 suggestions for 4 items of north: at most 1 per item (--top 1), best first."
    assert lines[1] == "  #  score  relation      from -> to"
    rows = [line for line in lines if "->" in line][1:]
    assert rows == [
        f"  1  {scores['north/n3', 'south/s5']:.3f}  duplicate-of  north/n3 -> south/s5",
        f"  2  {scores['north/n2', 'south/s2']:.3f}  related-to    north/n2 -> south/s2",
        f"  3  {scores['north/n1', 'south/s1']:.3f}  related-to    north/n1 -> south/s1",
        f"  4  {scores['north/n5', 'south/s3']:.3f}  feeds-into    north/n5 -> south/s3",
    ]
    card = lines[lines.index(rows[3]) :]
    assert card[1].startswith("     shared: ") and '"children under youth justice supervision"' in card[1]
    assert card[2:] == [
        "     from:   “The report will inform the attendance strategy for children under youth justice supervision.”"
        "  [north/n5-update-1]",
        "     to:     “Raise school attendance for children under youth justice supervision.”  [south/s3]",
    ]


def test_suggest_in_a_process_of_its_own_leaves_what_it_made_to_the_exit(invoke, fx):
    """Run as the ``crossplan`` script (``cli.run``), a ranking's leftovers are frozen, never walked by the collector
    (the process ends with the command); run in a caller's process, the caller keeps its collector and what it
    collects."""
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count(), gc.isenabled(), file=sys.stderr))\n"
        "from crossplan.cli import run\n"
        "sys.argv = ['crossplan', '--data', 'fx', 'suggest', 'north', 'south', '--format', 'json']\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    frozen, count, enabled = done.stderr.splitlines()[-1].split()
    assert frozen == "frozen" and int(count) > 0 and enabled == "True"
    assert json.loads(done.stdout) == suggestions(invoke)  # the same answer as in a caller's process
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_suggest_json_has_the_documented_keys(invoke, fx):
    found = suggestions(invoke)
    assert [s["number"] for s in found] == list(range(1, len(found) + 1))
    for record in found:
        assert {"from", "to", "score", "relation", "existing", "evidence"} <= set(record)
        assert record["existing"] is False
        assert record["relation"] in ("duplicate-of", "feeds-into", "related-to")
        assert record["evidence"]["from_sentence"] and record["evidence"]["to_sentence"]


def test_suggest_without_a_target_plan_ranks_every_other_plan(invoke, fx):
    north = (fx / "plans" / "north.yaml").read_text(encoding="utf-8")
    (fx / "plans" / "west.yaml").write_text(north.replace("id: north", "id: west"), encoding="utf-8")
    result = invoke("--data", "fx", "suggest", "north", "--format", "json", *RECOMMENDATIONS)
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    # west is north word for word: each north recommendation's best link is its copy, named with its plan
    assert {(s["from"], s["to"], s["to_plan"]) for s in found} == {
        (f"north/{n}", f"west/{n}", "west") for n in ("n1", "n2", "n3", "n4", "n5")
    }
    assert [s["score"] for s in found] == sorted((s["score"] for s in found), reverse=True)
    assert invoke("--data", "fx", "accept", "1").exit_code == 0  # the numbered list is kept as for a pair


def test_suggest_top_and_min_score(invoke, fx):
    per_item: dict[str, int] = {}
    for record in suggestions(invoke, "--top", "2", "--min-score", "0"):
        per_item[record["from"]] = per_item.get(record["from"], 0) + 1
    assert max(per_item.values()) == 2
    strong = suggestions(invoke, "--min-score", "0.5")
    everything = suggestions(invoke, "--min-score", "0")
    assert strong == [dict(s, number=i) for i, s in enumerate((s for s in everything if s["score"] >= 0.5), start=1)]


def test_suggest_flags_existing_links_only_when_asked(invoke, fx):
    assert ("north/n4", "south/s4") not in {(s["from"], s["to"]) for s in suggestions(invoke, "--top", "5")}
    flagged = [s for s in suggestions(invoke, "--include-existing") if s["existing"]]
    assert [(s["from"], s["to"], s["existing_relations"]) for s in flagged] == [
        ("north/n4", "south/s4", ["related-to"])
    ]
    table = invoke("--data", "fx", "suggest", "north", "south", "--include-existing").output
    assert "north/n4 -> south/s4  (already linked: related-to)" in table


def test_suggest_csv(invoke, fx):
    result = invoke("--data", "fx", "suggest", "north", "south", "--format", "csv", *RECOMMENDATIONS)
    lines = result.output.splitlines()
    assert lines[0] == (
        "number,from,to,score,relation,existing,shared_terms,shared_phrases,shared_entities,from_sentence,to_sentence"
    )
    assert lines[1].startswith("1,north/n3,south/s5,")
    assert lines[1].endswith(
        ",Improve school attendance for children on community orders."
        ",Improve school attendance for children on community orders."
    )


def test_suggest_an_unknown_plan(invoke, fx):
    result = invoke("--data", "fx", "suggest", "nort", "south")
    assert (result.exit_code, result.output) == (1, "Error: no plan with id 'nort' (did you mean 'north'?)\n")


# --------------------------------------------------------------------------------------------
# accept


def test_accept_by_number_adds_exactly_one_link_and_keeps_the_rest(invoke, fx):
    plan = fx / "plans/north.yaml"
    before = plan.read_text(encoding="utf-8")
    listed = suggestions(invoke, *RECOMMENDATIONS)
    result = invoke("--data", "fx", "accept", "2")
    assert (result.exit_code, result.output) == (
        0,
        "Added north/n2 related-to south/s2 (basis suggested) at fx/plans/north.yaml:65\n",
    )
    assert added_lines(before, plan.read_text(encoding="utf-8")) == [
        "",
        "  - from: n2",
        "    to: south/s2",
        "    relation: related-to",
        "    basis: suggested",
        '    quote: "The Probation Service has refreshed the Transitions Guidance and its training on maturity."',
        '    target-quote: "Work with the Probation Service to refresh the Transitions Guidance."',
        f'    method: "{METHOD} (score {listed[1]["score"]:.3f})"',
        f'    date: "{TODAY}"',
    ]
    assert invoke("--data", "fx", "validate").output == "No problems found\n"
    # the link is now in the data, so it is no longer suggested
    assert ("north/n2", "south/s2") not in {(s["from"], s["to"]) for s in suggestions(invoke, "--top", "5")}


def test_accept_by_ids_with_a_relation_and_a_note(invoke, fx):
    plan = fx / "plans/north.yaml"
    before = plan.read_text(encoding="utf-8")
    result = invoke("--data", "fx", "accept", "n1", "s1", "--relation", "feeds-into", "--note", "Both about housing.")
    assert (result.exit_code, result.output) == (
        0,
        "Added north/n1 feeds-into south/s1 (basis suggested) at fx/plans/north.yaml:65\n",
    )
    added = added_lines(before, plan.read_text(encoding="utf-8"))
    assert added[:8] == [
        "",
        "  - from: n1",
        "    to: south/s1",
        "    relation: feeds-into",
        "    basis: suggested",
        '    quote: "The Department for Housing is reviewing accommodation retainers with local authorities."',
        '    target-quote: "Work with the Department for Housing and local authorities on accommodation."',
        f'    method: "{METHOD} (score {added[7].rsplit("score ", 1)[1][:5]})"',
    ]
    assert added[8:] == [f'    date: "{TODAY}"', '    note: "Both about housing."']


def test_accept_writes_nothing_when_the_result_would_be_invalid(invoke, fx):
    plan = fx / "plans/north.yaml"
    before = plan.read_text(encoding="utf-8")
    result = invoke("--data", "fx", "accept", "n1", "s1", "--quote", "Words that are not in the source.")
    assert (result.exit_code, result.output) == (
        1,
        (
            "fx/plans/north.yaml:65: quote of link north/n1 related-to south/s1 is not in its source north.txt: "
            '"Words that are not in the source." (quote it exactly as printed)\n'
        ),
    )
    result = invoke("--data", "fx", "accept", "n4", "s4", "--relation", "related-to")
    assert (result.exit_code, result.output) == (
        1,
        "fx/plans/north.yaml:65: duplicate link north/n4 related-to south/s4 (first at line 58)\n",
    )
    assert plan.read_text(encoding="utf-8") == before
    assert sorted(path.name for path in plan.parent.iterdir()) == ["north.yaml", "south.yaml"]  # no temporary file left


def test_accept_errors(invoke, fx):
    usage = "Error: give a suggestion number (from the last `crossplan suggest`) or two item ids FROM TO\n"
    result = invoke("--data", "fx", "accept", "1")
    assert (result.exit_code, result.output) == (
        1,
        "Error: there are no numbered suggestions yet: run `crossplan suggest FROM_PLAN TO_PLAN` first\n",
    )
    suggestions(invoke, *RECOMMENDATIONS)
    result = invoke("--data", "fx", "accept", "7")
    assert (result.exit_code, result.output) == (
        1,
        "Error: there is no suggestion 7: the last `crossplan suggest` listed 1-4\n",
    )
    result = invoke("--data", "fx", "accept", "n1", "s9")
    assert (result.exit_code, result.output) == (1, "Error: no node with id 's9'\n")
    result = invoke("--data", "fx", "accept", "n1", "housing-department")
    assert (result.exit_code, result.output) == (1, "Error: 'housing-department' is not an item of a plan\n")
    for arguments in (("n1",), ("1", "2", "3")):
        result = invoke("--data", "fx", "accept", *arguments)
        assert result.exit_code == 2 and result.output.endswith(usage)
    result = invoke("--data", "fx", "accept", "1", "--relation", "linked")
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: Invalid value for '--relation': 'linked' is not one of: duplicate-of, "
        "feeds-into, delegated-to, supersedes, references, related-to\n"
    )


def test_the_shipped_data_is_never_written(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = (
        f"Error: {display_path(shipped_data_dir())} is the shipped data, which is not changed: make a copy "
        "with `crossplan init DIR --with-shipped` and use `--data DIR`\n"
    )
    for arguments in (("accept", "1"), ("reject", "1"), ("review", "hmip-resettlement", "yj-blueprint")):
        result = invoke(*arguments)
        assert (result.exit_code, result.output) == (1, message)


# --------------------------------------------------------------------------------------------
# reject


def test_reject_is_remembered(invoke, fx):
    suggestions(invoke, *RECOMMENDATIONS)
    result = invoke("--data", "fx", "reject", "4", "--note", "A report is not attendance work.")
    assert (result.exit_code, result.output) == (
        0,
        "Rejected north/n5 -> south/s3 (remembered in fx/suggestions/rejected.yaml:3)\n",
    )
    assert (fx / "suggestions/rejected.yaml").read_text(encoding="utf-8") == (
        "# Suggested links a person rejected: `crossplan suggest` never proposes them again.\n"
        "rejected:\n"
        "  - from: north/n5\n"
        "    to: south/s3\n"
        f'    date: "{TODAY}"\n'
        '    note: "A report is not attendance work."\n'
    )
    assert ("north/n5", "south/s3") not in {(s["from"], s["to"]) for s in suggestions(invoke, "--top", "5")}
    result = invoke("--data", "fx", "reject", "n5", "south/s3")
    assert (result.exit_code, result.output) == (
        1,
        "Error: north/n5 -> south/s3 is already rejected (fx/suggestions/rejected.yaml:3)\n",
    )
    assert invoke("--data", "fx", "validate").output == "No problems found\n"  # the file is not read as data
    result = invoke("--data", "fx", "accept", "n5", "south/s3")  # a rejected pair is accepted only with --force
    assert (result.exit_code, result.output) == (
        1,
        "Error: north/n5 -> south/s3 was rejected (fx/suggestions/rejected.yaml:3): accept it anyway with --force\n",
    )
    result = invoke("--data", "fx", "accept", "n5", "south/s3", "--force")
    assert result.exit_code == 0 and result.output.startswith("Added north/n5 ")


def test_a_broken_rejections_file_stops_suggest(invoke, fx):
    (fx / "suggestions").mkdir()
    (fx / "suggestions/rejected.yaml").write_text(
        "rejected:\n  - from: north/n5\n    to: south/s33\n", encoding="utf-8"
    )
    result = invoke("--data", "fx", "suggest", "north", "south")
    assert (result.exit_code, result.output) == (
        1,
        "fx/suggestions/rejected.yaml:3: 'to' 'south/s33' is not an item of a plan (did you mean 'south/s3'?)\n",
    )


# --------------------------------------------------------------------------------------------
# review


def test_review_walks_the_suggestions_one_by_one(invoke, fx):
    plan = fx / "plans/north.yaml"
    before = plan.read_text(encoding="utf-8")
    result = invoke("--data", "fx", "review", "north", "south", *RECOMMENDATIONS, input="a\nr\nx\ns\nq\n")
    assert result.exit_code == 0, result.output
    prompt = "[a]ccept, [r]eject, [s]kip, [q]uit: "
    lines = result.output.splitlines()
    assert [line for line in lines if line.startswith(prompt) or line[:1] in tuple("[ARSE")] == [
        "[1/4]",
        f"{prompt}a",
        "Added north/n3 duplicate-of south/s5 at fx/plans/north.yaml:65",
        "[2/4]",
        f"{prompt}r",
        "Rejected north/n2 -> south/s2 (remembered in fx/suggestions/rejected.yaml:3)",
        "[3/4]",
        f"{prompt}x",
        "Error: 'x' is not one of 'a', 'r', 's', 'q'.",
        f"{prompt}s",
        "Skipped",
        "[4/4]",
        f"{prompt}q",
        "Accepted 1, rejected 1, skipped 1, not reviewed 1",
    ]
    assert lines[lines.index("[1/4]") + 1].endswith("duplicate-of  north/n3 -> south/s5")
    added = added_lines(before, plan.read_text(encoding="utf-8"))
    assert added[1:5] == ["  - from: n3", "    to: south/s5", "    relation: duplicate-of", "    basis: suggested"]
    rejected = (fx / "suggestions/rejected.yaml").read_text(encoding="utf-8")
    assert "  - from: north/n2\n    to: south/s2\n" in rejected
    assert invoke("--data", "fx", "validate").output == "No problems found\n"


# --------------------------------------------------------------------------------------------
# the browser graph


def test_viz_draws_suggestions_only_when_asked(invoke, fx):
    import re

    expected = {(s["from"], s["to"]) for s in suggestions(invoke)}
    drawn = {}
    for flag in ((), ("--suggestions", "north", "south")):
        result = invoke("--data", "fx", "viz", "-o", "page.html", *flag)
        assert result.exit_code == 0, result.output
        page = (fx.parent / "page.html").read_text(encoding="utf-8")
        edges = re.findall(r'\{"from":"([^"]+)","to":"([^"]+)","relation":"[^"]+","basis":"suggested"', page)
        drawn[bool(flag)] = set(edges)
    assert drawn == {False: set(), True: expected}
    result = invoke("--data", "fx", "viz", "-o", "page.html", "--suggestions", "north", "nort")
    assert (result.exit_code, result.output) == (1, "Error: no plan with id 'nort' (did you mean 'north'?)\n")
