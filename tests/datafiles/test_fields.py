"""Typed access to one YAML mapping's keys: each wrong value becomes a problem at its line, with a likely fix."""

from __future__ import annotations

import datetime
from pathlib import Path

from crossplan.graph.datafiles.fields import Fields, kind_of, parse_date
from crossplan.graph.datafiles.yamlfile import YamlMapping, read_yaml
from crossplan.graph.model.nodes import NodeType, Owner, Status, TargetDate


class Reader:
    """A FileContext that records problems and references; ``local`` ids resolve within plan ``p``."""

    def __init__(self, local=()):
        self.problems: list[tuple[int, str]] = []
        self.references: list[tuple[int, str, tuple, str]] = []
        self.local = set(local)

    def problem(self, line, message):
        self.problems.append((line, message))

    def resolve(self, ref):
        return f"p/{ref}" if ref in self.local else ref

    def refer(self, line, target, expected, field_name):
        self.references.append((line, target, tuple(kind.value for kind in expected), field_name))

    def fields(self, mapping, where, allowed, required=(), line=None):
        if not isinstance(mapping, YamlMapping):
            self.problem(line, f"{where} must be a mapping of keys, not {kind_of(mapping)}")
            return None
        return Fields(self, mapping, where)


def fields_of(text: str, local=()) -> tuple[Fields, Reader]:
    reader = Reader(local)
    return Fields(reader, read_yaml(Path("x.yaml"), "x.yaml", text), "an entry"), reader


def test_kinds_are_named_as_a_message_says_them():
    assert [kind_of(value) for value in (None, True, 3, 1.5, "x", [1], {"a": 1})] == [
        "nothing",
        "true/false",
        "a number",
        "a number",
        "text",
        "a list",
        "a mapping",
    ]


def test_dates_are_a_year_a_month_or_a_day_and_real_ones():
    problems = []
    assert [parse_date(value, problems.append) for value in (2020, " 2020-03 ", datetime.date(2020, 2, 29))] == [
        "2020",
        "2020-03",
        "2020-02-29",
    ]
    assert [parse_date(value, problems.append) for value in ("March 2020", "2021-02-29", 1.5, True)] == [None] * 4
    assert problems == [
        "invalid date 'March 2020': write YYYY, YYYY-MM or YYYY-MM-DD",
        "invalid date '2021-02-29': day is out of range for month",
        "invalid date 1.5: write YYYY, YYYY-MM or YYYY-MM-DD",
        "invalid date True: write YYYY, YYYY-MM or YYYY-MM-DD",
    ]


def test_text_has_its_spacing_normalised_and_an_empty_required_text_is_a_problem():
    fields, reader = fields_of('title: "  Two\\n  lines  "\nname: " "\nnote: [a]\n')
    assert fields.text("title") == "Two lines"
    assert fields.text("name", required=True) is None
    assert fields.text("note") is None
    assert fields.text("absent") is None
    assert reader.problems == [(2, "'name' is empty"), (3, "'note' must be text, not a list")]


def test_an_unquoted_value_that_yaml_reads_otherwise_says_how_to_quote_it():
    fields, reader = fields_of("number: 1.10\ndate: 2020-01-02\nflag: true\n")
    assert [fields.text(key) for key in ("number", "date", "flag")] == [None, None, None]
    assert reader.problems == [
        (
            1,
            "'number' must be text, but 1.10 unquoted is read as a number (1.1 after reading): quote it, as in "
            'number: "1.10"',
        ),
        (2, "'date' must be text, but 2020-01-02 unquoted is read as a date: quote it, as in date: \"2020-01-02\""),
        (3, "'flag' must be text, but true unquoted is read as true/false: quote it, as in flag: \"true\""),
    ]


def test_an_id_that_is_not_a_slug_suggests_one():
    fields, reader = fields_of("id: Rec 1_A\nother: rec-1a\n")
    assert fields.slug("id") is None and fields.slug("other") == "rec-1a"
    assert reader.problems == [(1, "id 'Rec 1_A' must be lower-case letters, digits and hyphens (e.g. 'rec-1-a')")]


def test_a_text_in_pieces_is_read_piece_by_piece():
    fields, reader = fields_of("text:\n  - first  part\n  - ''\n  - 12\n  - second\nwhole: one  piece\n")
    assert fields.pieces("text") == ["first part", "second"]
    assert fields.pieces("whole") == ["one piece"]
    assert fields.pieces("absent") == []
    assert reader.problems == [
        (3, "each piece of 'text' must be non-empty text"),
        (4, "each piece of 'text' must be text, but 12 unquoted is read as a number: quote it, as in - \"12\""),
    ]


def test_a_list_of_text_takes_one_text_and_names_each_wrong_item():
    fields, reader = fields_of("one: AB\nmany:\n  - A  B\n  - [x]\n  - 2020\nbad: {a: b}\n")
    assert fields.text_list("one") == ["AB"]
    assert fields.text_list("many") == ["A B"]
    assert fields.text_list("bad") == []
    assert reader.problems == [
        (4, "each of 'many' must be text, not a list"),
        (5, "each of 'many' must be text, but 2020 unquoted is read as a number: quote it, as in - \"2020\""),
        (6, "'bad' must be a list of text, not a mapping"),
    ]


def test_references_resolve_local_ids_and_are_recorded_with_their_line():
    fields, reader = fields_of("to: r1\nowners:\n  - org-a\n  - Org B\n  - 3\nsource: x/y/z\n", local={"r1"})
    assert fields.reference("to", ()) == "p/r1"
    assert fields.references("owners", (NodeType.ORGANISATION,)) == ["org-a"]
    assert fields.reference("source", (NodeType.DOCUMENT,)) is None
    assert reader.references == [(1, "p/r1", (), "to"), (3, "org-a", ("organisation",), "owners")]
    assert reader.problems == [
        (4, "'owners' value 'Org B' is not an id (lower-case letters, digits and hyphens, optionally <plan>/<item>)"),
        (5, "each of 'owners' must be an id, not a number"),
        (6, "'source' value 'x/y/z' is not an id (lower-case letters, digits and hyphens, optionally <plan>/<item>)"),
    ]


def test_a_choice_suggests_the_closest_spelling_or_lists_them_all():
    fields, reader = fields_of("status: Not Applicable\nother: finished\nlast: ongoing\n")
    assert fields.choice("last", Status) is Status.ONGOING
    assert fields.choice("status", Status) is None and fields.choice("other", Status) is None
    assert reader.problems == [
        (1, "unknown status 'Not Applicable' (did you mean 'not-applicable'?)"),
        (2, "unknown other 'finished' (one of: complete, ongoing, not-applicable, removed)"),
    ]


def test_owners_are_organisation_ids_or_a_printed_text():
    fields, reader = fields_of(
        "owners:\n  - org-a\n  - text: Head of  Policy\n    organisation: org-b\n  - note: x\n  - [x]\n"
    )
    assert fields.owners("owners") == [Owner(None, "org-a"), Owner("Head of Policy", "org-b")]
    assert reader.references == [
        (2, "org-a", ("organisation",), "owner"),
        (4, "org-b", ("organisation",), "organisation"),
    ]
    assert reader.problems == [
        (5, "an owner needs 'text' (as printed) or 'organisation' (an id)"),
        (6, "an owner must be a mapping of keys, not a list"),
    ]


def test_target_dates_need_a_text_or_a_date():
    fields, reader = fields_of(
        'target-dates:\n  - text: March  2020\n    date: "2020-03"\n  - date: 2021\n  - {}\n  - date: soon\n'
    )
    assert fields.target_dates("target-dates") == [TargetDate("March 2020", "2020-03"), TargetDate(None, "2021")]
    assert reader.problems == [
        (5, "a target date needs 'text' (as printed) or 'date'"),
        (6, "invalid date 'soon': write YYYY, YYYY-MM or YYYY-MM-DD"),
        (6, "a target date needs 'text' (as printed) or 'date'"),
    ]


def test_a_list_that_is_not_one_is_a_problem():
    fields, reader = fields_of("items: x\n")
    assert fields.list_of("items") == [] and fields.list_of("absent") == []
    assert reader.problems == [(1, "'items' must be a list, not text")]
