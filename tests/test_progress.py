"""Progress bars: drawn on a terminal only (never in CI or into a pipe), erased when done, wired into build."""

from __future__ import annotations

import io

import pytest

from crossplan.graph import progress
from crossplan.graph.progress import ProgressBar, progress_bar, progress_enabled, track


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def quiet_env(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("CROSSPLAN_PROGRESS", raising=False)


def test_enabled_only_on_a_terminal_outside_ci(quiet_env, monkeypatch):
    assert progress_enabled(FakeTerminal()) is True
    assert progress_enabled(io.StringIO()) is False
    monkeypatch.setenv("CI", "true")
    assert progress_enabled(FakeTerminal()) is False
    monkeypatch.setenv("CROSSPLAN_PROGRESS", "1")
    assert progress_enabled(io.StringIO()) is True
    monkeypatch.setenv("CROSSPLAN_PROGRESS", "0")
    monkeypatch.delenv("CI")
    assert progress_enabled(FakeTerminal()) is False


def test_a_bar_is_drawn_then_erased(quiet_env):
    terminal = FakeTerminal()
    with progress_bar("Loading the store", total=4, unit="triples", stream=terminal, delay=0) as bar:
        bar.advance(2)
        drawn = terminal.getvalue()
    assert drawn.startswith("\rLoading the store [##############..............]  50%  2/4 triples  0:00")
    assert terminal.getvalue().endswith("\r" + " " * len(drawn.strip("\r")) + "\r")


def test_nothing_is_written_when_not_a_terminal(quiet_env):
    stream = io.StringIO()
    with progress_bar("Parsing YAML", total=3, stream=stream, delay=0) as bar:
        bar.advance(3)
    assert stream.getvalue() == ""


def test_nothing_is_drawn_before_the_delay(quiet_env):
    terminal = FakeTerminal()
    with progress_bar("Parsing YAML", total=3, stream=terminal, delay=60) as bar:
        bar.advance(3)
    assert terminal.getvalue() == ""


def test_a_bar_without_a_total_counts(quiet_env):
    bar = ProgressBar("Exporting", unit="triples", enabled=False)
    bar.advance(1500)
    bar.started = 1000.0  # a whole-number clock: started + 3 - started can be 2.999… on a real one
    assert bar.line(now=1003.0) == "Exporting  1,500 triples  0:03"


def test_track_yields_every_item_and_counts_them(quiet_env):
    terminal = FakeTerminal()
    assert list(track(["a", "b", "c"], "Parsing YAML", unit="files", stream=terminal, delay=0)) == ["a", "b", "c"]
    assert "\rParsing YAML [" in terminal.getvalue()
    assert "1/3 files" in terminal.getvalue()


def test_a_closed_stream_turns_the_bar_off(quiet_env):
    terminal = FakeTerminal()
    bar = ProgressBar("Parsing YAML", total=2, stream=terminal, delay=0)
    terminal.close()
    bar.advance(1)
    bar.close()
    assert bar.enabled is False


def test_build_shows_progress_on_stderr_when_asked_and_keeps_stdout_clean(invoke, mini_data, tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "DEFAULT_DELAY", 0)
    result = invoke("--data", mini_data, "--store", tmp_path / "store", "build", env={"CROSSPLAN_PROGRESS": "1"})
    assert result.exit_code == 0
    # a full build streams: each file is parsed and loaded before the next is read
    assert "\rBuilding the store [" in result.stderr
    assert result.stderr.rsplit("\r", 1)[-1].startswith("Built ")  # the bar is wiped, then the summary
    assert result.stdout == ""
