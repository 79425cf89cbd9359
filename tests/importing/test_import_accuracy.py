"""The import-accuracy bench: its scorer (matching by number, normalisation, precision and recall) and its gold set.

The figures themselves live in ``python -m bench import-accuracy``; these tests check that the measuring is right.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from bench import import_accuracy, import_gold
from bench.__main__ import main as bench_main
from bench.import_scoring import match_items, normalise_number, normalise_text, score_plan

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "fixtures" / "import_gold"


def _plan(*items: dict) -> dict:
    return {"plan": {"id": "p", "title": "P"}, "recommendations": list(items)}


def _item(number: str | None, text: str, **fields) -> dict:
    item = {"text": text, **fields}
    if number is not None:
        item["number"] = number
    return item


# ---------------------------------------------------------------- normalisation


def test_text_is_compared_after_whitespace_normalisation_only():
    assert normalise_text("  Publish\n the   data.\t") == "Publish the data."
    assert normalise_text(["Publish the", "data."]) == "Publish the data."
    assert normalise_text("Publish the data.") != normalise_text("Publish the data")
    assert normalise_text(None) == ""


@pytest.mark.parametrize(
    ("printed", "key"),
    [("7", "7"), ("7.", "7"), ("Recommendation 7", "7"), ("(7)", "7"), ("4a) i)", "4a.i"), ("4.1", "4.1"), ("", "")],
)
def test_numbers_are_compared_without_words_and_punctuation(printed, key):
    assert normalise_number(printed) == key


# ---------------------------------------------------------------- matching


def test_items_are_matched_by_number_in_print_order_when_numbering_restarts():
    gold = [_item("1", "a"), _item("2", "b"), _item("1", "c")]
    imported = [_item("1.", "a"), _item("1", "c"), _item("2", "b")]
    assert match_items(gold, imported) == [(0, 0), (1, 2), (2, 1)]


def test_an_item_missing_its_number_in_the_import_is_not_matched_by_text_instead():
    gold = [_item("1", "Publish the data every quarter.")]
    imported = [_item(None, "Publish the data every quarter.")]
    assert match_items(gold, imported) == [(0, None)]


def test_unnumbered_gold_items_are_matched_by_close_text_only():
    gold = [_item(None, "Develop a national approach for prevention."), _item(None, "Something else entirely.")]
    imported = [_item(None, "Zebra crossing markings."), _item("1", "Develop a national approach for prevention")]
    assert match_items(gold, imported) == [(0, 1), (1, None)]


def test_items_printed_twice_with_the_same_text_are_matched_in_order():
    same = "Alignment of reporting mechanisms across the funders."
    gold = [_item(None, "First."), _item(None, same), _item(None, "Third."), _item(None, same)]
    imported = [_item(None, "First."), _item(None, same), _item(None, "Third."), _item(None, same)]
    assert match_items(gold, imported) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    # The first of the two is cut short in the import: the whole one still goes with the gold item in its place.
    imported[1] = _item(None, same[:40])
    assert match_items(gold, imported) == [(0, 0), (1, 1), (2, 2), (3, 3)]


# ---------------------------------------------------------------- scoring


def test_a_perfect_import_scores_every_field_and_full_precision_and_recall():
    gold = _plan(
        _item(
            "1",
            "Publish the data.",
            page=2,
            response="agreed",
            status="ongoing",
            owners=[{"text": "YJB"}],
            **{"target-dates": [{"text": "April 2021"}]},
        )
    )
    score = score_plan(gold, copy.deepcopy(gold))
    assert (score.precision, score.recall) == (1.0, 1.0)
    assert score.total.right == score.total.scored == 6
    assert score.mismatches == []


def test_a_field_empty_on_both_sides_is_not_scored_and_a_spurious_value_is_wrong():
    gold = _plan(_item("1", "Publish the data."))
    imported = _plan(_item("1", "Publish the data.", response="agreed"))
    score = score_plan(gold, imported)
    assert score.fields["text"].scored == 1
    assert (score.fields["response"].right, score.fields["response"].scored) == (0, 1)
    assert score.fields["owners"].scored == 0


def test_one_character_makes_the_text_wrong_but_line_breaks_do_not():
    gold = _plan(_item("1", "Publish the data on outcomes."), _item("2", "Review the estate."))
    imported = _plan(_item("1", "Publish the\ndata on  outcomes."), _item("2", "Review the estate"))
    score = score_plan(gold, imported)
    assert (score.fields["text"].right, score.fields["text"].scored) == (1, 2)
    assert [(m.item, m.field) for m in score.mismatches] == [("2", "text")]


def test_owners_and_dates_count_wherever_the_item_puts_them():
    gold = _plan(_item("1", "T", owners=[{"text": "YJB"}], **{"target-dates": [{"text": "April 2021"}]}))
    imported = _plan(
        _item("1", "T", updates=[{"text": "U", "owners": [{"text": "YJB"}], "target-dates": [{"text": "April 2021"}]}])
    )
    score = score_plan(gold, imported, fields=["owners", "dates"])
    assert score.total.right == score.total.scored == 2


def test_precision_and_recall_count_unmatched_items_and_a_missing_item_loses_all_its_fields():
    gold = _plan(_item("1", "A.", response="agreed"), _item("2", "B."))
    imported = _plan(_item("1", "A.", response="agreed"), _item("3", "C."), _item("4", "D."))
    score = score_plan(gold, imported)
    assert (score.gold_items, score.imported_items, score.matched) == (2, 3, 1)
    assert score.precision == pytest.approx(1 / 3)
    assert score.recall == pytest.approx(1 / 2)
    assert (score.fields["text"].right, score.fields["text"].scored) == (1, 2)
    assert (score.fields["response"].right, score.fields["response"].scored) == (1, 1)


def test_a_document_that_could_not_be_read_scores_nothing():
    gold = _plan(_item("1", "A.", response="agreed"), _item("2", "B.", page=3))
    score = score_plan(gold, None)
    assert score.recall == 0.0 and score.precision is None
    assert score.total.right == 0 and score.total.scored == 4  # two texts, a response, a page


def test_a_wrong_response_counts_as_unflagged_unless_review_names_it():
    gold = _plan(_item("1", "A."), _item("2", "B."), _item("3", "C.", response="agreed"))
    imported = _plan(
        _item("1", "A.", response="agreed"),
        _item("2", "B.", response="agreed", review=[{"field": "response", "why": "accepted in principle"}]),
        _item("3", "C.", response="agreed"),
    )
    score = score_plan(gold, imported)
    assert score.unflagged_wrong_responses == 1
    assert (score.fields["response"].right, score.fields["response"].scored) == (1, 3)


def test_statuses_of_an_item_and_its_updates_are_compared_as_a_multiset():
    gold = _plan(_item("1", "A.", updates=[{"text": "u", "status": "complete"}]))
    same = _plan(_item("1", "A.", status="complete"))
    twice = _plan(_item("1", "A.", status="complete", updates=[{"text": "u", "status": "complete"}]))
    assert score_plan(gold, same, ["status"]).total.right == 1
    assert score_plan(gold, twice, ["status"]).total.right == 0


# ---------------------------------------------------------------- the gold set


def test_the_round_trip_gold_is_the_shipped_data_with_the_pages_of_every_item():
    documents = [d for d in import_accuracy.load_gold_set() if d.group == "round-trip"]
    assert {d.path.name for d in documents} == {
        "hmip-resettlement.pdf",
        "hmip-resettlement.docx",
        "yj-blueprint.pdf",
        "yj-blueprint.docx",
    }
    for document in documents:
        shipped = yaml.safe_load((ROOT / "data" / "plans" / f"{document.path.stem}.yaml").read_text(encoding="utf-8"))
        gold = copy.deepcopy(document.gold)
        pages = [item.pop("page", None) for item in gold["recommendations"]]
        assert gold == shipped
        if document.path.suffix == ".pdf":
            assert all(isinstance(page, int) and page >= 1 for page in pages), document.path
            assert pages == sorted(pages)


def test_the_committed_round_trip_and_synthetic_files_are_what_the_generator_makes(tmp_path):
    shutil.copytree(GOLD / "synthetic", tmp_path / "synthetic", ignore=shutil.ignore_patterns("*.pdf"))
    written = import_gold.generate(tmp_path, long=False)
    assert written
    for path in written:
        committed = GOLD / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale: run python -m bench.import_gold"


def test_the_long_table_gold_is_made_from_the_same_rows_as_its_pdf():
    committed = yaml.safe_load((GOLD / "synthetic" / "long-table.gold.yaml").read_text(encoding="utf-8"))
    pages = [item.pop("page") for item in committed["recommendations"]]
    _, plan = import_gold.long_table()
    assert committed == plan
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] >= 50


def test_the_round_trip_word_files_print_every_shipped_recommendation_text():
    from docx import Document

    for name in ("hmip-resettlement", "yj-blueprint"):
        shipped = yaml.safe_load((ROOT / "data" / "plans" / f"{name}.yaml").read_text(encoding="utf-8"))
        table = Document(str(GOLD / "roundtrip" / f"{name}.docx")).tables[0]
        cells = {normalise_text(cell.text) for row in table.rows for cell in row.cells}
        for item in shipped["recommendations"]:
            if item.get("text"):
                assert normalise_text(item["text"]) in cells, (name, item["id"])


def test_every_gold_set_entry_names_a_file_and_a_gold_with_numbered_or_texted_items():
    documents = import_accuracy.load_gold_set()
    assert {d.layout for d in documents} >= {
        "action-plan-table",
        "numbered-headings",
        "form-tables",
        "summary-table",
        "image-only",
    }
    for document in documents:
        assert document.path.is_file(), document.path
        if document.expect_refused:
            assert document.gold is None
            continue
        items = document.gold["recommendations"]
        assert items, document.name
        for item in items:
            assert item.get("number") or item.get("text"), (document.name, item)
            if document.group != "round-trip" and document.path.suffix == ".pdf":
                assert isinstance(item.get("page"), int), (document.name, item.get("id"))


# ---------------------------------------------------------------- the bench end to end


def test_an_engine_checkout_runs_as_the_package_crossplan_and_is_left_unwritten(tmp_path, monkeypatch):
    checkout = tmp_path / "other-branch"
    checkout.mkdir()
    monkeypatch.setenv("CROSSPLAN_DATA", "/somewhere/else")
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    command, environment = import_accuracy.crossplan_command(checkout, None, "/usr/bin/python3")
    assert command == ["/usr/bin/python3", "-m", "crossplan"]
    shim = Path(environment["PYTHONPATH"].split(os.pathsep)[0])
    assert (shim / "crossplan").resolve() == checkout.resolve()
    assert environment["PYTHONDONTWRITEBYTECODE"] == "1"
    assert "CROSSPLAN_DATA" not in environment
    command, environment = import_accuracy.crossplan_command(None, "/opt/bin/crossplan", "/usr/bin/python3")
    assert command == ["/opt/bin/crossplan"] and "PYTHONDONTWRITEBYTECODE" not in environment


def test_the_bench_scores_a_readable_import_and_reports_an_unreadable_one(tmp_path, capsys):
    shutil.copy(ROOT / "docs" / "examples" / "resettlement.csv", tmp_path / "resettlement.csv")
    (tmp_path / "notes.txt").write_text("Recommendation 1\nPublish the data.\n", encoding="utf-8")
    gold = _plan(_item("1", "Publish the data."))
    (tmp_path / "gold.yaml").write_text(yaml.safe_dump(gold), encoding="utf-8")
    (tmp_path / "notes.gold.yaml").write_text(yaml.safe_dump(gold), encoding="utf-8")
    manifest = {
        "documents": [
            {"file": "resettlement.csv", "gold": "gold.yaml", "layout": "action-plan-table", "set": "test"},
            {"file": "notes.txt", "gold": "notes.gold.yaml", "layout": "numbered-headings", "set": "test"},
        ]
    }
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    crossplan = Path(sys.executable).with_name("crossplan")
    arguments = ["--manifest", str(tmp_path / "manifest.yaml"), "--crossplan", str(crossplan)]
    code = bench_main(["import-accuracy", *arguments, "--json", str(tmp_path / "figures.json")])
    out = capsys.readouterr().out
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith(("resettlement.csv", "notes.txt"))}
    assert "read in" in rows["resettlement.csv"]
    assert "not readable" in rows["notes.txt"]
    assert "notes.txt: Error:" in out
    assert "Fields right:" in out
    figures = {entry["document"]: entry for entry in json.loads((tmp_path / "figures.json").read_text())}
    assert figures["resettlement.csv"]["imported_items"] >= 1
    assert figures["notes.txt"]["imported_items"] == 0 and figures["notes.txt"]["gold_items"] == 1
