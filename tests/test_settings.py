"""The settings table (graph/settings.py): every CROSSPLAN_* variable declared once, parsed by one parser per kind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crossplan.graph import settings
from crossplan.graph.errors import EndpointError, SettingError

PACKAGE = Path(settings.__file__).parents[1]


def test_every_variable_the_code_names_is_declared_once():
    named = set(
        subprocess.run(
            ["grep", "-rhoE", r"CROSSPLAN_[A-Z_]+[A-Z]", str(PACKAGE / "graph"), str(PACKAGE / "cli.py")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    assert named == set(settings.SETTINGS)
    assert all(setting.help.endswith((".", ")")) for setting in settings.SETTINGS.values())


@pytest.mark.parametrize(
    ("setting", "text", "value"),
    [
        (settings.ENDPOINT_TIMEOUT, "2.5", 2.5),
        (settings.ENDPOINT_TIMEOUT, "", 60.0),
        (settings.ENDPOINT_MAX_MB, "4", 4),
        (settings.QUERY_MEMORY, " ", 1024),
        (settings.PROGRESS, "0", False),
        (settings.PROGRESS, "1", True),
        (settings.PROGRESS, "", None),
        (settings.DEBUG, "yes", True),
        (settings.CACHE, "/tmp/c", Path("/tmp/c")),
    ],
)
def test_a_value_is_parsed_or_the_default_given(setting, text, value):
    assert setting.value({setting.name: text}) == value


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "0", "-1", "soon", "1e999"])
def test_a_non_finite_or_invalid_number_is_refused_naming_the_variable(text):
    with pytest.raises(
        SettingError,
        match=f"^CROSSPLAN_ENDPOINT_TIMEOUT='{text}' is not a number of seconds above 0 and at most 86400$",
    ):
        settings.ENDPOINT_TIMEOUT.value({"CROSSPLAN_ENDPOINT_TIMEOUT": text})


def test_the_caller_chooses_the_error_and_a_secret_is_never_shown():
    with pytest.raises(EndpointError, match="^CROSSPLAN_ENDPOINT_MAX_MB='2.5' is not a whole number of megabytes"):
        settings.ENDPOINT_MAX_MB.value({"CROSSPLAN_ENDPOINT_MAX_MB": "2.5"}, EndpointError)
    with pytest.raises(SettingError) as caught:
        settings.SERVE_TOKEN.value({"CROSSPLAN_SERVE_TOKEN": "hunter2"})
    assert "hunter2" not in str(caught.value) and str(caught.value).startswith("CROSSPLAN_SERVE_TOKEN is shorter")
    with pytest.raises(SettingError, match="^CROSSPLAN_PROGRESS='yes' is neither 0"):
        settings.PROGRESS.value({"CROSSPLAN_PROGRESS": "yes"})


def test_the_listing_shows_each_value_now_but_no_secret():
    text = settings.format_settings({"CROSSPLAN_ENDPOINT_PASSWORD": "hunter2", "CROSSPLAN_QUERY_MEMORY": "200"})
    assert "CROSSPLAN_ENDPOINT_PASSWORD=(set)" in text and "hunter2" not in text
    assert "CROSSPLAN_QUERY_MEMORY=200\n    Megabytes a query may add" in text
    assert "CROSSPLAN_DATA=(not set)" in text
    assert [line.split("=")[0] for line in text.splitlines()[::2]] == list(settings.SETTINGS)


def test_crossplan_settings_and_the_help_name_every_setting(runner):
    from crossplan.cli import main

    listed = runner.invoke(main, ["settings"], env={"CROSSPLAN_ENDPOINT_TIMEOUT": "5"})
    assert listed.exit_code == 0 and "CROSSPLAN_ENDPOINT_TIMEOUT=5\n" in listed.output
    helped = runner.invoke(main, ["--help"])
    assert all(name in " ".join(helped.output.split()) for name in settings.SETTINGS)
    bad = subprocess.run(
        [sys.executable, "-m", "crossplan", "--endpoint", "http://127.0.0.1:9/sparql", "stats"],
        env={"CROSSPLAN_ENDPOINT_TIMEOUT": "inf", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert (bad.returncode, bad.stderr) == (
        1,
        "Error: CROSSPLAN_ENDPOINT_TIMEOUT='inf' is not a number of seconds above 0 and at most 86400\n",
    )
