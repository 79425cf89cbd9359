"""A full disk is named where it happened: the data file, the store or the output file, by the path that failed.

The disk is filled by making the operating system's rename or write fail with ENOSPC for one path only.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"


@pytest.fixture
def fx(tmp_path, monkeypatch) -> Path:
    shutil.copytree(SUGGEST, tmp_path / "fx")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "fx"


def full_for(monkeypatch, name: str) -> None:
    """Make every rename onto a file called ``name`` fail as on a full disk."""
    replace = os.replace

    def failing(source, target, *args, **kwargs):
        if Path(target).name == name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing)


def test_accept_on_a_full_disk_names_the_plan_file_and_keeps_it(fx, invoke, monkeypatch):
    assert invoke("--data", "fx", "build").exit_code == 0
    before = (fx / "plans/north.yaml").read_text(encoding="utf-8")
    full_for(monkeypatch, "north.yaml")
    result = invoke("--data", "fx", "accept", "n1", "s1")
    assert result.exit_code == 1
    assert result.output.startswith("Error: fx/plans/north.yaml: the disk is full (no space left on device)")
    assert "store" not in result.output
    assert (fx / "plans/north.yaml").read_text(encoding="utf-8") == before
    assert sorted(path.name for path in (fx / "plans").iterdir()) == ["north.yaml", "south.yaml"]


def test_reject_on_a_full_disk_names_the_rejections_file(fx, invoke, monkeypatch):
    assert invoke("--data", "fx", "build").exit_code == 0
    full_for(monkeypatch, "rejected.yaml")
    result = invoke("--data", "fx", "reject", "n1", "s1")
    assert result.exit_code == 1
    assert result.output.startswith("Error: fx/suggestions/rejected.yaml: the disk is full")
    assert not (fx / "suggestions/rejected.yaml").exists()


def test_an_output_file_on_a_full_disk_is_named(fx, invoke, monkeypatch, tmp_path):
    full_for(monkeypatch, "out.ttl")
    result = invoke("--data", "fx", "export", "--format", "turtle", "-o", "out.ttl")
    assert result.exit_code == 1
    assert result.output.startswith("Error: out.ttl: the disk is full")
    assert not (tmp_path / "out.ttl").exists()


def test_an_import_on_a_full_disk_writes_neither_the_plan_nor_the_organisations(invoke, monkeypatch, tmp_path):
    import tempfile

    monkeypatch.chdir(tmp_path)
    assert invoke("init", "mine").exit_code == 0
    assert invoke("template", "-o", "plan.csv").exit_code == 0
    before = (tmp_path / "mine" / "organisations.yaml").read_text(encoding="utf-8")
    mkstemp = tempfile.mkstemp

    def full_for_the_plan(*args, **kwargs):
        if kwargs.get("prefix", "").startswith(".new."):
            raise OSError(errno.ENOSPC, "No space left on device")
        return mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", full_for_the_plan)
    result = invoke("--data", "mine", "import", "plan.csv", "--plan-id", "new", "--add-organisations")
    assert result.exit_code == 1
    assert result.output.startswith("Error: mine/plans/new.yaml: the disk is full")
    assert (tmp_path / "mine" / "organisations.yaml").read_text(encoding="utf-8") == before  # not half an import
    assert not (tmp_path / "mine" / "plans" / "new.yaml").exists()
    assert sorted(path.name for path in (tmp_path / "mine").iterdir()) == [
        "documents.yaml",
        "organisations.yaml",
        "plans",
        "programmes.yaml",
        "sources",
    ]
