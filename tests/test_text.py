"""Text helpers (graph/text.py): collapsing whitespace, showing paths as a user sees them, did-you-mean hints."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crossplan.graph.text import (
    clean_text,
    did_you_mean,
    display_path,
    normalise_space,
    spreadsheet_text,
    terminal_text,
    unclean_character,
    xml_text,
)


def test_normalise_space_collapses_every_kind_of_whitespace_and_strips():
    assert normalise_space("  two\n  lines ") == "two lines"
    assert normalise_space("a\tb\r\nc\u00a0d") == "a b c d"
    assert normalise_space(" \n\t ") == ""


def test_a_path_inside_the_working_directory_is_shown_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "plans" / "alpha.yaml") == str(Path("plans", "alpha.yaml"))
    assert display_path(Path("plans/alpha.yaml")) == str(Path("plans", "alpha.yaml"))
    assert display_path(tmp_path) == "."


def test_a_path_under_home_but_outside_the_working_directory_is_shown_from_tilde(tmp_path, monkeypatch):
    home = tmp_path / "home" / "user"
    elsewhere = tmp_path / "work"
    elsewhere.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)
    assert display_path(home / "data" / "plans.yaml") == "~/data/plans.yaml"
    # a sibling whose name starts with the home directory's name is not inside it
    sibling = tmp_path / "home" / "username" / "x.yaml"
    assert display_path(sibling) == str(sibling)


def test_a_path_outside_both_is_shown_whole(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(work)
    outside = tmp_path / "other" / "file.txt"
    assert display_path(outside) == str(outside)


@pytest.mark.parametrize("home", ["/", ""])
def test_a_root_or_empty_home_never_turns_a_path_into_tilde(tmp_path, monkeypatch, home):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", home)
    monkeypatch.chdir(work)
    outside = tmp_path / "other" / "file.txt"
    assert not display_path(outside).startswith("~")


def test_did_you_mean_suggests_the_closest_candidate():
    assert did_you_mean("nroth", ["north", "south"]) == " (did you mean 'north'?)"
    assert did_you_mean("r6", iter(["r6x", "q"])) == " (did you mean 'r6x'?)"  # any iterable, read once


def test_did_you_mean_finds_a_global_id_by_its_local_part():
    # the same local id in another plan, when the plan part was wrong
    assert did_you_mean("gamma/resettlement-1", ["alpha/r1", "beta/resettlement-1"]) == (
        " (did you mean 'beta/resettlement-1'?)"
    )
    # a short form misspelt: compared with the local part of each global id
    assert did_you_mean("resettlment-1", ["alpha/r1", "beta/resettlement-1"]) == (
        " (did you mean 'beta/resettlement-1'?)"
    )


def test_did_you_mean_is_empty_when_nothing_is_close():
    assert did_you_mean("zzz", ["north", "south"]) == ""
    assert did_you_mean("north", []) == ""


def test_a_folder_whose_name_starts_with_two_dots_is_inside(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "..notes" / "x.yaml") == os.path.join("..notes", "x.yaml")


# -- clean, then safe ------------------------------------------------------------------------------


def test_clean_text_removes_controls_and_lone_surrogates_and_joins_pairs():
    assert clean_text("a\x00b\x01c\x1b[31m\x7f\x85\x9b d") == "abc[31m d"
    assert clean_text("tab\tline\ncr\r") == "tab\tline\ncr\r"
    assert clean_text("a \ud800 b \udfff") == "a  b "
    assert clean_text("\ud83d\ude00") == "\U0001f600"
    assert clean_text("\ufffe\uffff ok") == " ok"
    assert unclean_character("fine 😀 \u202e") is None and unclean_character("x\x9by") == "\x9b"


@pytest.mark.parametrize("text", ["\x01=cmd|' /C calc'!A0", "=HYPERLINK(1)", "\x00+1", "@SUM", "\t=x", "-2"])
def test_spreadsheet_text_never_starts_a_formula_even_behind_a_control_character(text):
    safe = spreadsheet_text(text)
    assert isinstance(safe, str) and safe.startswith("'") and unclean_character(safe) is None
    assert spreadsheet_text(3) == 3 and spreadsheet_text(None) is None and spreadsheet_text("plain") == "plain"


def test_xml_text_is_always_well_formed():
    from xml.dom.minidom import parseString

    text = "".join(chr(code) for code in range(0, 0xA0)) + "\ud800\ufffe<&>\"'"
    parsed = parseString(f'<a b="{xml_text(text)}">{xml_text(text, quotes=False)}</a>'.encode())
    assert parsed.documentElement.firstChild.data == clean_text(text).replace("\r", "\n")  # XML reads CR as LF
    assert parsed.documentElement.getAttribute("b").strip() == clean_text(text).strip()  # white space normalised


def test_terminal_text_shows_escapes_bidi_and_surrogates_never_obeys_them():
    shown = terminal_text("\x1b]52;c;aGVsbG8=\x07 \u202eevil\u2066 \ud800 \x9b2J\u2028")
    assert shown == "\\x1b]52;c;aGVsbG8=\\x07 \\u202eevil\\u2066 \\ud800 \\x9b2J\\u2028"
    assert shown.encode("utf-8") and shown.isprintable()
    assert terminal_text("two\nlines\tx", keep_newlines=True) == "two\nlines\\tx"
