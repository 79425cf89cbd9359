"""No internal error from input (issue 28): odd encodings, names, directives, URLs and environment values become a
located refusal or the right answer, and nothing a data file holds can drive the terminal."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"
NOT_UTF8 = os.fsdecode(b"d\xff")  # a name with byte 0xFF, as Python sees it (a lone surrogate)


@pytest.fixture
def fx(tmp_path, monkeypatch) -> Path:
    shutil.copytree(SUGGEST, tmp_path / "fx")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "fx"


def put(fx: Path, old: str, new: str) -> Path:
    plan = fx / "plans" / "north.yaml"
    text = plan.read_text(encoding="utf-8")
    assert old in text
    plan.write_text(text.replace(old, new, 1), encoding="utf-8")
    return plan


def no_bug(result) -> None:
    assert "internal error" not in result.output and "Traceback" not in result.output, result.output


@pytest.mark.parametrize("command", [("validate",), ("build",), ("export", "--format", "turtle"), ("stats",)])
@pytest.mark.parametrize("escape", ["a \\ud800 b", "\\udfff", "\\x01=cmd|' /C calc'!A0", "\\e]52;c;aGk=\\a"])
def test_control_characters_and_lone_surrogates_in_yaml_are_refused_where_they_are(fx, invoke, command, escape):
    put(fx, "title: The North Action Plan", f'title: "{escape}"')
    result = invoke("--data", "fx", *command)
    no_bug(result)
    assert result.exit_code == 1
    assert result.output.startswith("fx/plans/north.yaml:4: text holds ")


def test_a_json_style_surrogate_pair_is_read_as_its_character(fx, invoke):
    put(fx, "title: The North Action Plan", 'title: "North \\ud83d\\ude00"')
    assert invoke("--data", "fx", "validate").output == "No problems found\n"
    shown = invoke("--data", "fx", "show", "north")
    assert shown.exit_code == 0 and "North \U0001f600" in shown.output


def test_an_unknown_yaml_version_is_located(fx, invoke):
    put(fx, "# The North", "%YAML 1.3\n---\n# The North")
    result = invoke("--data", "fx", "validate")
    assert (result.exit_code, result.output) == (
        1,
        "fx/plans/north.yaml:1: unsupported YAML version '1.3': write %YAML 1.2 (or leave the directive out)\n"
        "Error: 1 problem found\n",
    )


def test_validate_never_prints_a_terminal_escape_or_bidi_override_from_the_data(fx, invoke):
    put(fx, "owners: [justice-ministry]", 'owners: [justice-ministry]\n  "k\\u202e\\u2066": 1')
    put(fx, "id: n1", 'id: "n1\\u202e"')
    result = invoke("--data", "fx", "validate")
    assert result.exit_code == 1
    assert "\u202e" not in result.output and "\u2066" not in result.output and "\x1b" not in result.output
    assert "unknown key 'k\\u202e\\u2066' in the plan" in result.output
    assert "id 'n1\\u202e' must be lower-case letters" in result.output


def test_show_escapes_bidi_overrides(fx, invoke):
    put(fx, "title: The North Action Plan", 'title: "North \\u202eevil"')
    result = invoke("--data", "fx", "show", "north")
    assert result.exit_code == 0 and "North \\u202eevil" in result.output and "\u202e" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("build",),
        ("stats",),
        ("show", "north"),
        ("suggest", "north", "south"),
        ("accept", "n1", "s1"),
        ("reject", "n2", "s2"),
        ("mapping", "north", "south"),
        ("export", "--format", "turtle"),
    ],
)
def test_a_data_directory_whose_path_is_not_utf8_works(fx, invoke, command):
    data = fx.parent / NOT_UTF8
    fx.rename(data)
    result = invoke("--data", data, *command)
    no_bug(result)
    assert result.exit_code == 0, result.output


def test_import_of_a_file_named_with_byte_ff(fx, invoke, tmp_path):
    data = fx.parent / NOT_UTF8
    fx.rename(data)
    source = tmp_path / os.fsdecode(b"plan\xff.csv")
    source.write_text("Rec No,Recommendation\n1,Provide suitable accommodation.\n", encoding="utf-8")
    result = invoke("--data", data, "import", source, "--plan-id", "odd")
    no_bug(result)
    assert result.exit_code == 0 and "from plan\\xff.csv" in result.output
    written = (data / "plans" / "odd.yaml").read_text(encoding="utf-8")
    assert "plan\\xff.csv" in written or "Plan\\xff" in written
    assert invoke("--data", data, "validate").output == "No problems found\n"


def test_a_query_that_is_not_utf8_says_where(fx, invoke, tmp_path):
    query = tmp_path / "q.rq"
    query.write_bytes(b'SELECT * WHERE { ?s ?p "\xff" }')
    result = invoke("--data", "fx", "query", "-f", query)
    assert (result.exit_code, result.output) == (1, "Error: q.rq: the query is not UTF-8 at byte 24\n")
    result = invoke("--data", "fx", "query", input=b"SELECT \xfe")
    assert (result.exit_code, result.output) == (1, "Error: standard input: the query is not UTF-8 at byte 7\n")
    query.write_bytes(b"\xef\xbb\xbfSELECT (1 AS ?one) {}")  # a byte-order mark is not part of the query
    assert invoke("--data", "fx", "query", "-f", query, "--format", "csv").output == "one\n1\n"


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://[::1", "'http://[::1' is not a valid address of a SPARQL endpoint (Invalid IPv6 URL)"),
        ("http://h:99999/s", "'http://h:99999/s' is not a valid address of a SPARQL endpoint (Port out of range"),
    ],
)
def test_a_malformed_endpoint_url_is_refused(invoke, url, message):
    result = invoke("--endpoint", url, "stats")
    assert result.exit_code == 1 and result.output.startswith(f"Error: {message}")


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400", "0"])
def test_a_non_finite_endpoint_timeout_names_the_variable(invoke, value):
    result = invoke("--endpoint", "http://127.0.0.1:9/sparql", "stats", env={"CROSSPLAN_ENDPOINT_TIMEOUT": value})
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: CROSSPLAN_ENDPOINT_TIMEOUT='{value}' is not a number of seconds")


@pytest.mark.parametrize(
    "arguments",
    [("show", b"n\xff"), ("query", "search", "--param", b"phrase=a\xff"), ("impact", b"n\xff")],
    ids=["show", "query-param", "impact"],
)
def test_an_argument_that_is_not_utf8_is_named(fx, tmp_path, arguments):
    import subprocess
    import sys

    environ = {**os.environ, "CROSSPLAN_CACHE": str(tmp_path / "cache")}
    environ.pop("CROSSPLAN_ENDPOINT", None)
    command = [sys.executable.encode(), b"-m", b"crossplan", b"--data", b"fx"]
    command += [argument if isinstance(argument, bytes) else argument.encode() for argument in arguments]
    result = subprocess.run(command, capture_output=True, env=environ, cwd=fx.parent)
    shown = arguments[-1].decode("utf-8", "backslashreplace")
    assert (result.returncode, result.stderr.decode()) == (
        1,
        f"Error: the argument '{shown}' holds a byte that is not UTF-8: give it as UTF-8 text\n",
    )


def test_a_query_holding_a_byte_that_is_not_utf8_is_located(fx, invoke):
    result = invoke("--data", "fx", "query", 'SELECT * { ?s ?p "' + os.fsdecode(b"\xff") + '" }')
    assert (result.exit_code, result.output) == (
        1,
        "Error: 1:19: the query holds a byte that is not UTF-8 (or half of a character): remove it\n"
        '  SELECT * { ?s ?p "\\xff" }\n'
        "                    ^\n",
    )


@pytest.mark.parametrize(
    "command",
    [("accept", "n1", "s1", "--note", "bad \x1b[2J note"), ("reject", "n1", "s2", "--note", "bad \x1b[2J note")],
    ids=["accept", "reject"],
)
def test_a_note_with_a_control_character_is_refused_and_nothing_is_written(fx, invoke, command):
    before = (fx / "plans" / "north.yaml").read_text(encoding="utf-8")
    result = invoke("--data", "fx", *command)
    assert (result.exit_code, result.output) == (
        1,
        "Error: the note holds the control character U+001B: remove it (nothing was written)\n",
    )
    assert (fx / "plans" / "north.yaml").read_text(encoding="utf-8") == before
    assert not (fx / "suggestions").exists()
    assert invoke("--data", "fx", "suggest", "north", "south").exit_code == 0


@pytest.mark.parametrize(
    "value, message",
    [
        ("nan", "Invalid value for '--timeout': not a number of seconds"),
        ("inf", "Invalid value for '--timeout': inf is not in the range 0<x<=86400."),
    ],
)
def test_a_query_time_limit_must_be_a_finite_number_of_seconds(fx, invoke, value, message):
    result = invoke("--data", "fx", "query", "SELECT * { ?s ?p ?o } LIMIT 1", "--timeout", value)
    assert result.exit_code == 2 and result.output.endswith(f"Error: {message}\n")
