"""Trust: no command writes over the data (or a YAML file) through -o/--output without --force."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest


def _fingerprint(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


COMMANDS = [
    ("viz",),
    ("export", "--format", "turtle"),
    ("mapping", "alpha", "beta"),
    ("report", "alpha", "beta"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=[command[0] for command in COMMANDS])
@pytest.mark.parametrize("target", ["plans/alpha.yaml", "documents.yaml", "sources/alpha.txt", "plans/new.yaml"])
def test_a_command_does_not_write_over_the_data(mini_data, invoke, command, target):
    before = _fingerprint(mini_data)
    result = invoke(*command, "--data", mini_data, "-o", mini_data / target)
    assert result.exit_code == 1, result.output
    assert "will not write over a file of the data directory" in result.output
    assert "--force" in result.output
    assert "internal error" not in result.output
    assert _fingerprint(mini_data) == before


def test_the_shipped_plans_are_guarded_by_default(invoke, tmp_path, monkeypatch):
    from crossplan.graph.resources import shipped_data_dir

    plan = next((shipped_data_dir() / "plans").glob("*.yaml"))
    before = plan.read_bytes()
    monkeypatch.chdir(tmp_path)
    result = invoke("viz", "-o", plan)
    assert result.exit_code == 1
    assert "will not write over a file of the data directory" in result.output
    assert plan.read_bytes() == before


def test_a_link_to_a_data_file_is_guarded_too(mini_data, invoke, tmp_path):
    link = tmp_path / "page.html"
    link.symlink_to(mini_data / "plans" / "alpha.yaml")
    before = _fingerprint(mini_data)
    result = invoke("viz", "--data", mini_data, "-o", link)
    assert result.exit_code == 1
    assert _fingerprint(mini_data) == before


def test_an_existing_yaml_file_anywhere_is_not_replaced(mini_data, invoke, tmp_path):
    other = tmp_path / "settings.yml"
    other.write_text("keep: me\n", encoding="utf-8")
    result = invoke("export", "--data", mini_data, "--format", "turtle", "-o", other)
    assert result.exit_code == 1
    assert "will not replace a YAML file that crossplan did not write" in result.output
    assert other.read_text(encoding="utf-8") == "keep: me\n"


def test_force_writes_where_asked(mini_data, invoke):
    target = mini_data / "graph.ttl"
    target.write_text("old", encoding="utf-8")
    result = invoke("export", "--data", mini_data, "--format", "turtle", "-o", target, "--force")
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") != "old"


def test_ordinary_outputs_are_untouched_by_the_guard(mini_data, invoke, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("an older page", encoding="utf-8")
    assert invoke("viz", "--data", mini_data, "-o", page).exit_code == 0
    assert invoke("export", "--data", mini_data, "--format", "turtle", "-o", tmp_path / "graph.ttl").exit_code == 0
    assert (mini_data / "new-page.html").exists() is False
    assert invoke("viz", "--data", mini_data, "-o", mini_data / "new-page.html").exit_code == 0  # a new non-data file
