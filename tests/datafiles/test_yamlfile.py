"""The two YAML parsers behind graph.yamlfile agree: libyaml (fast, with our YAML 1.2 scalar resolution) and ruamel.

A file is read by libyaml unless libyaml rejects it or it holds something libyaml reads differently (a %YAML
directive, NEL/LS/PS line breaks); then ruamel reads it, so error messages are ruamel's in every case. These
tests run both parsers on a corpus of awkward YAML and on real data files and require the same values, types
and line numbers from both, or a fall-back to ruamel.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from crossplan.graph.datafiles import yamlfile
from crossplan.graph.datafiles.yamlfile import YamlList, YamlMapping, read_yaml, resolve_plain_scalar
from crossplan.graph.errors import DataError

ROOT = Path(__file__).resolve().parents[2]

CASES = {
    "yaml11-booleans": "a: yes\nb: no\nc: on\nd: off\ne: y\nf: N\ng: Yes\n",
    "yaml12-booleans": "a: true\nb: True\nc: FALSE\nd: false\n",
    "nulls": "a: null\nb: ~\nc:\nd: Null\ne: NULL\nf: 'null'\n",
    "ints": "a: 0o17\nb: 0x1F\nc: 1_000\nd: 017\ne: 08\nf: -3\ng: +4\nh: 0b101\ni: 2020\n",
    "floats": "a: 1.5\nb: 1e3\nc: .inf\nd: -.inf\ne: .nan\nf: -.5\ng: 1.\nh: 6.8523015e+5\n",
    "dates": 'a: 2020-01-02\nb: "2020-03"\nc: 2020-03\nd: 2001-12-14t21:59:43.10-05:00\n',
    "quoted": "a: 'yes'\nb: \"123\"\nc: \"true\"\nd: 'it''s'\ne: \"tab\\there\\u00e9 \\/ slash\"\n",
    "explicit-tags": 'a: !!str 123\nb: !!str yes\nc: !!int "5"\nd: !!float 1\n',
    "block-scalars": "a: |\n  line one\n  line two\nb: >\n  folded\n  text\n\n  para\nc: |-\n  strip\nd: >+\n  keep\n\n",
    "multiline-plain": "a: this is a long\n  plain scalar over\n  three lines\nb: x\n",
    "multiline-double": 'a: "double quoted\n  over lines \\\n  with escape"\nb: y\n',
    "flow": "a: [x, y, 'z', 1, true]\nb: {k: v, n: 2}\nc: []\nd: {}\n",
    "nested": "plan:\n  id: p\n  owners:\n    - text: T\n      organisation: o\n    - o2\nlist:\n- a\n- - b\n  - c\n",
    "anchors": "base: &b\n  x: 1\nother: *b\nlist: [*b, *b]\n",
    "comments": "# top\na: 1 # trailing\n# mid\nb: 'x # not comment'\n",
    "bom": "\ufeffa: 1\nb: 2\n",
    "crlf": "a: 1\r\nb: two\r\nc:\r\n  - x\r\n",
    "unicode": "a: Children’s needs — “quoted”\nb: ünïcödé 😀\n",
    "document-markers": "---\na: 1\n...\n",
    "empty": "",
    "only-comment": "# nothing\n",
    "scalar-root": "just text\n",
    "list-root": "- 1\n- two\n",
    "non-string-key-int": "1: x\n",
    "non-string-key-bool": "true: x\n",
    "non-string-key-null": "null: x\n",
    "quoted-key": "'1': x\n\"true\": y\n",
    "complex-key": "? [a, b]\n: x\n",
    "duplicate-key": "a: 1\nb: 2\na: 3\n",
    "duplicate-quoted-key": "a: 1\n'a': 2\n",
    "merge-key": "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
    "value-tag": "a: =\n",
    "custom-tag": "a: !custom x\n",
    "unclosed-quote": 'a: "open\nb: 2\n',
    "bad-indent": "a:\n  b: 1\n c: 2\n",
    "tab-indent": "a:\n\tb: 1\n",
    "two-documents": "a: 1\n---\nb: 2\n",
    "control-char": "a: bell\x07here\n",
    "yaml11-directive": "%YAML 1.1\n---\na: yes\n",
    "yaml12-directive": "%YAML 1.2\n---\na: yes\n",
    "nel-line-break": "a: x\x85b: y\n",
    "line-separator": "a: x\u2028y\nb: 2\n",
    "paragraph-separator-in-quotes": 'a: "x\u2029y"\nb: 2\n',
    "colon-in-plain": "a: http://example.org/x:y\nb: key: value\n",
    "plain-with-hash": "a: x#y\nb: x #y\n",
    "long-key": "a" * 1100 + ": x\n",
    "indicator-start": "a: @x\n",
    "backquote": "a: `x\n",
    "trailing-spaces": "a: x   \nb:    y\n",
    "empty-values-in-list": "a:\n  -\n  - ''\n  - ~\n",
    "special-floats-strings": "a: 1.2.3\nb: 1e\nc: .5e+3\nd: +.inf\ne: 0x\n",
    "sexagesimal": "a: 1:20\nb: 190:20:30.15\n",
    "octal-like": "a: 0o8\nb: 00\nc: 0\n",
    "escapes": 'a: "\\x41\\u263A\\U0001F600\\N\\_\\L\\P\\e\\0"\n',
    "invalid-escape": 'a: "\\q"\n',
    "alias-undefined": "a: *nope\n",
    "deep-nesting": "a:" + "".join("\n" + "  " * i + "- " for i in range(1, 30)) + "x\n",
}


def _shape(value):
    """A comparable picture of a converted document: values, their types and every line number."""
    if isinstance(value, YamlMapping):
        return ("mapping", value.line, tuple((key, value.key_lines[key], _shape(item)) for key, item in value.items()))
    if isinstance(value, YamlList):
        return ("list", value.line, tuple(value.item_lines), tuple(_shape(item) for item in value))
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def _read_with(compose, text: str):
    """Compose and convert with one parser; return ("fallback",), ("value", shape) or ("error", message)."""
    try:
        node = compose(text)
        if node is yamlfile._UNREADABLE:
            return ("fallback",)
        return ("value", None if node is None else _shape(yamlfile._Converter("f.yaml").convert(node)))
    except DataError as error:
        return ("error", str(error))


def _reference(text: str):
    return _read_with(lambda t: yamlfile._compose_reference(t, "f.yaml"), text)


@pytest.mark.parametrize("name", sorted(CASES))
def test_libyaml_reads_every_case_as_ruamel_does_or_hands_it_to_ruamel(name):
    fast = _read_with(yamlfile._compose_fast, CASES[name])
    if fast != ("fallback",):
        assert fast == _reference(CASES[name])


def test_unicode_line_breaks_and_version_directives_go_to_ruamel():
    for name in (
        "nel-line-break",
        "line-separator",
        "paragraph-separator-in-quotes",
        "yaml11-directive",
        "yaml12-directive",
    ):
        assert yamlfile._compose_fast(CASES[name]) is yamlfile._UNREADABLE, name


def test_files_of_the_shipped_data_and_the_fixtures_read_alike_and_take_the_fast_path():
    paths = sorted((ROOT / "data").rglob("*.yaml")) + sorted((ROOT / "tests" / "fixtures").rglob("*.yaml"))
    assert paths
    fast_paths = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        fast = _read_with(yamlfile._compose_fast, text)
        if fast != ("fallback",):
            fast_paths += 1
            assert fast == _reference(text), path
    # Every well-formed file of the shipped data takes the fast path: that is where the speed comes from.
    for path in sorted((ROOT / "data").rglob("*.yaml")):
        assert yamlfile._compose_fast(path.read_text(encoding="utf-8")) is not yamlfile._UNREADABLE, path


def test_yaml_1_2_scalars():
    document = read_yaml(
        Path("f.yaml"), "f.yaml", CASES["yaml11-booleans"] + "h: true\ni: ~\nj: 0x1F\nk: 1_000\nl: 2020-03\n"
    )
    assert dict(document) == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": "off",
        "e": "y",
        "f": "N",
        "g": "Yes",
        "h": True,
        "i": None,
        "j": 31,
        "k": 1000,
        "l": "2020-03",
    }
    assert resolve_plain_scalar("1.5") == "tag:yaml.org,2002:float"
    assert resolve_plain_scalar("017") == "tag:yaml.org,2002:int"  # then kept as text: int("017", 0) fails
    assert read_yaml(Path("f.yaml"), "f.yaml", "a: 017\nb: '5'\n") == {"a": "017", "b": "5"}


def test_line_numbers_of_keys_and_items():
    document = read_yaml(Path("f.yaml"), "f.yaml", "# c\nplan:\n  id: p\n\n  owners:\n    - a\n\n    - b\n")
    assert document.line == 2 and document.key_lines == {"plan": 2}
    assert document["plan"].key_lines == {"id": 3, "owners": 5}
    assert document["plan"]["owners"].item_lines == [6, 8]


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: 1\nb: 2\na: 3\n", "f.yaml:3: duplicate key 'a' (first at line 1): remove one"),
        ("base: &b {x: 1}\nc:\n  <<: *b\n", "f.yaml:3: merge keys (<<) are not supported"),
        ("1: x\n", "f.yaml:1: key 1 must be text"),
        ('a: "open\nb: 2\n', "f.yaml:3: invalid YAML: found unexpected end of stream"),
        ("a:\n\tb: 1\n", "f.yaml:2: invalid YAML: found character '\\t' that cannot start any token"),
        ("a: !custom x\n", "f.yaml:1: unsupported YAML tag !custom"),
        (
            'a: 1\nb: "a \\ud800 b"\n',
            "f.yaml:2: text holds a lone surrogate U+D800 (half of a character): write the character",
        ),
        ('a: "\\udc00"\n', "f.yaml:1: text holds a lone surrogate U+DC00 (half of a character): write the character"),
        ("a:\n  - \"\\x01=cmd|' /C calc'!A0\"\n", "f.yaml:2: text holds the control character U+0001: remove it"),
        ('a: "\\e]52;c;aGk=\\a"\n', "f.yaml:1: text holds the control character U+001B: remove it"),
        ('"k\\x9b": 1\n', "f.yaml:1: text holds the control character U+009B: remove it"),
        ("a: 'DEL \x7f'\n", "f.yaml:1: invalid YAML: the character U+007F is not allowed"),
        (
            'a: 1\nb: "\\U00110000"\n',
            "f.yaml:2: invalid YAML: an escape names no character (Unicode ends at \\U0010FFFF)",
        ),
        ('a: "\\UFFFFFFFF"\n', "f.yaml:1: invalid YAML: an escape names no character (Unicode ends at \\U0010FFFF)"),
        (
            "%YAML 1.3\n---\na: 1\n",
            "f.yaml:1: unsupported YAML version '1.3': write %YAML 1.2 (or leave the directive out)",
        ),
        (
            "# c\n%YAML 9.9\n---\na: 1\n",
            "f.yaml:2: invalid YAML: found incompatible YAML document (version 1.* is required)",
        ),
    ],
)
def test_errors_name_the_line(text, message):
    with pytest.raises(DataError) as caught:
        read_yaml(Path("f.yaml"), "f.yaml", text)
    assert str(caught.value) == message


def test_generated_benchmark_data_reads_alike(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from bench.generate import generate

    generate(tmp_path / "data", 2, seed=7)
    for path in sorted(tmp_path.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        fast = _read_with(yamlfile._compose_fast, text)
        assert fast[0] == "value", path
        assert fast == _reference(text), path


def test_a_json_style_surrogate_pair_is_the_character_it_stands_for():
    assert read_yaml(Path("f.yaml"), "f.yaml", 'a: "\\ud83d\\ude00 and \\U0001F600"\n') == {
        "a": "\U0001f600 and \U0001f600"
    }
    assert read_yaml(Path("f.yaml"), "f.yaml", 'a: "tab\\t, line\\n, \\u202e kept"\n') == {
        "a": "tab\t, line\n, \u202e kept"
    }
