"""Trust: a data file cannot change silently, crash the loader, or make crossplan read outside the data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.datafiles.yamlfile import MAX_DEPTH, read_yaml
from crossplan.graph.errors import DataError
from crossplan.graph.rdf.validation import validate_data


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(data: Path) -> str:
    with pytest.raises(DataError) as caught:
        load_dataset(data)
    return str(caught.value)


# -- text written so that YAML reads something else (item 6) ------------------------------------------------------


@pytest.mark.parametrize(
    "written, read_as",
    [
        ("1.10", "a number (1.1 after reading)"),
        ("12345", "a number"),
        ("0x1F", "a number (31 after reading)"),
        ("1_000", "a number (1000 after reading)"),
        ("1e3", "a number (1000.0 after reading)"),
        ("true", "true/false"),
        ("2020-01-01", "a date"),
    ],
)
def test_a_text_field_written_as_something_else_is_refused_with_the_quoted_fix(mini_data, written, read_as):
    plan = mini_data / "plans" / "alpha.yaml"
    _replace(plan, 'number: "1"', f"number: {written}")
    message = problems_of(mini_data)
    assert (
        f"plans/alpha.yaml:9: 'number' must be text, but {written} unquoted is read as {read_as}: "
        f'quote it, as in number: "{written}"' in message
    )


def test_the_quoted_fix_is_accepted_and_kept_as_written(mini_data):
    _replace(mini_data / "plans" / "alpha.yaml", 'number: "1"', 'number: "1.10"')
    dataset = load_dataset(mini_data)
    assert dataset.nodes["alpha/r1"].number == "1.10"


def test_an_id_or_title_written_as_a_number_is_refused(mini_data):
    _replace(mini_data / "plans" / "alpha.yaml", "title: The Alpha Plan", "title: 2020")
    _replace(mini_data / "plans" / "alpha.yaml", "  - id: r2", "  - id: 22")
    message = problems_of(mini_data)
    assert "alpha.yaml:3: 'title' must be text, but 2020 unquoted is read as a number" in message
    assert (
        "alpha.yaml:23: 'id' must be text, but 22 unquoted is read as a number: quote it, as in id: \"22\"" in message
    )


def test_an_item_of_a_text_list_written_as_a_number_is_refused(mini_data):
    _replace(mini_data / "organisations.yaml", "abbreviations: [", "abbreviations: [1.50, ")
    assert (
        'must be text, but 1.50 unquoted is read as a number (1.5 after reading): quote it, as in - "1.50"'
        in problems_of(mini_data)
    )


def test_dates_in_date_fields_still_need_no_quotes(mini_data):
    _replace(mini_data / "plans" / "alpha.yaml", 'date: "2020-03"', "date: 2020-03-31")
    assert load_dataset(mini_data).nodes["alpha/r1"].target_dates[0].date == "2020-03-31"


# -- nesting (item 8) ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "[" * 20_000 + "]" * 20_000,
        "{a: " * 20_000 + "1" + "}" * 20_000,
        "[" * 200 + "]" * 200,
    ],
)
def test_deep_nesting_in_a_value_is_a_located_data_error(value):
    with pytest.raises(DataError) as caught:
        read_yaml(Path("plan.yaml"), "plans/x.yaml", f"plan:\n  id: x\n  title: {value}\n")
    assert (
        str(caught.value)
        == f"plans/x.yaml:3: lists or mappings are nested more than {MAX_DEPTH} deep here: flatten them"
    )


def test_deep_block_nesting_is_a_located_data_error():
    text = "plan:\n" + "".join(" " * depth + "a:\n" for depth in range(1, 3000))
    with pytest.raises(DataError, match=r"^plans/x.yaml:\d+: lists or mappings are nested more than"):
        read_yaml(Path("plan.yaml"), "plans/x.yaml", text)


def test_deep_nesting_through_the_cli_is_one_line_not_an_internal_error(mini_data, invoke):
    _replace(mini_data / "plans" / "alpha.yaml", "title: The Alpha Plan", "title: " + "[" * 20_000 + "]" * 20_000)
    result = invoke("validate", "--data", mini_data)
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert f"alpha.yaml:3: lists or mappings are nested more than {MAX_DEPTH} deep here" in result.output


# -- source texts stay inside the data directory (item 4) -----------------------------------------------------------


@pytest.fixture
def secret(tmp_path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    path = outside / "secret.txt"
    path.write_text("The Board will work with partners. password=hunter2\n", encoding="utf-8")
    return path


def test_a_source_text_linked_to_a_file_outside_is_refused(mini_data, secret):
    source = mini_data / "sources" / "alpha.txt"
    source.unlink()
    source.symlink_to(secret)
    message = problems_of(mini_data)
    assert "documents.yaml:5: file 'alpha.txt' in sources/ leads outside the data directory (a link?)" in message


def test_a_sources_directory_linked_outside_is_refused(mini_data, secret):
    import shutil

    shutil.copy(mini_data / "sources" / "alpha.txt", secret.parent / "alpha.txt")
    shutil.copy(mini_data / "sources" / "beta.txt", secret.parent / "beta.txt")
    shutil.rmtree(mini_data / "sources")
    (mini_data / "sources").symlink_to(secret.parent, target_is_directory=True)
    message = problems_of(mini_data)
    assert "file 'alpha.txt' in sources/ leads outside the data directory" in message
    assert "file 'beta.txt' in sources/ leads outside the data directory" in message


def test_a_link_loop_in_sources_is_refused_not_a_crash(mini_data):
    source = mini_data / "sources" / "alpha.txt"
    source.unlink()
    os.symlink(source, source)
    message = problems_of(mini_data)
    assert "file 'alpha.txt' in sources/ leads outside the data directory" in message


def test_a_link_inside_the_data_directory_is_still_read(mini_data):
    source = mini_data / "sources" / "alpha.txt"
    (mini_data / "sources" / "alpha-original.txt").write_bytes(source.read_bytes())
    source.unlink()
    source.symlink_to("alpha-original.txt")
    assert validate_data(mini_data, shacl=False) == []


def test_a_source_text_that_is_not_utf8_is_a_located_problem(mini_data, invoke):
    (mini_data / "sources" / "alpha.txt").write_bytes(b"\xff\xfe not text")
    result = invoke("validate", "--data", mini_data, "--no-shacl")
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "alpha.txt: not UTF-8 text (byte 0): save the source text as UTF-8" in result.output


def test_a_piece_of_text_written_as_a_number_is_refused_with_the_fix(mini_data):
    _replace(
        mini_data / "plans" / "alpha.yaml",
        "    text: Improve accommodation on release for children leaving custody, "
        "a minimum of one month prior to release.",
        "    text: [Improve accommodation on release, 1.50]",
    )
    assert (
        "each piece of 'text' must be text, but 1.50 unquoted is read as a number (1.5 after reading): "
        'quote it, as in - "1.50"'
    ) in problems_of(mini_data)
