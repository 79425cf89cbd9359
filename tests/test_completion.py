"""Shell completion offers plan ids, node ids, saved-query names and formats, as bash would ask for them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MINI = Path(__file__).parent / "fixtures" / "query"


def complete(tmp_path: Path, *words: str) -> list[str]:
    """Return what `crossplan` offers for the last of ``words`` (bash's protocol: type,value lines)."""
    line = ["crossplan", *words]
    env = {
        **os.environ,
        "COMP_WORDS": " ".join(line),
        "COMP_CWORD": str(len(line) - 1),
        "_CROSSPLAN_COMPLETE": "bash_complete",
        "CROSSPLAN_CACHE": str(tmp_path / "cache"),
    }
    result = subprocess.run([sys.executable, "-m", "crossplan"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


@pytest.mark.parametrize(
    "words, expected",
    [
        (("mapping", "n"), ["north"]),
        (("mapping", "north", "s"), ["south"]),
        (("gaps", "--plan", "so"), ["south"]),
        (("query", "recomm"), ["recommendations"]),
        (("queries", "up"), ["updates"]),
        (("export", "--format", "tu"), ["turtle"]),
        (("stats", "--format", ""), ["table", "json"]),
    ],
)
def test_completes_the_kind_the_argument_expects(tmp_path, words, expected):
    assert complete(tmp_path, "--data", str(MINI), *words) == expected


def test_node_ids_global_and_short(tmp_path):
    offered = complete(tmp_path, "--data", str(MINI), "show", "north/r")
    assert offered and all(word.startswith("north/r") for word in offered)
    assert "north/r1" in offered
    short = complete(tmp_path, "--data", str(MINI), "impact", "r1")
    assert "r1" in short


def test_a_broken_data_directory_completes_nothing(tmp_path):
    broken = tmp_path / "broken"
    (broken / "plans").mkdir(parents=True)
    (broken / "plans" / "bad.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    assert complete(tmp_path, "--data", str(broken), "show", "r") == []
