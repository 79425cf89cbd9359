"""The bench's table of the pair commands (issue 30) says what the issue's targets compare."""

from __future__ import annotations

from bench.pairs import BUILD_NAME, format_pairs
from bench.run import Row


def _row(name: str, scale: str, seconds: float, cpu: float) -> Row:
    return Row("pairs", name, scale, seconds, 1, peak_mb=100.0, cpu=cpu)


def test_suggest_a_is_set_against_show_and_validate_against_the_build():
    rows = [
        _row(BUILD_NAME, "1m", 10.0, 20.0),
        _row("crossplan show ID", "1m", 0.2, 0.16),
        _row("crossplan suggest A B", "1m", 0.9, 0.8),
        _row("crossplan suggest A (after a one-file edit)", "1m", 1.8, 1.6),
        _row("crossplan suggest A", "1m", 1.5, 1.2),
        _row("crossplan validate", "1m", 5.0, 6.0),
    ]
    text = format_pairs(rows)
    assert "crossplan suggest A (after a one-file edit) at 1m: 9.0× `show` (wall, cpu 10.0×)" in text
    assert "crossplan suggest A at 1m: 7.5× `show` (wall, cpu 7.5×)" in text
    assert "crossplan suggest A B at 1m" not in text  # a pair command: set against 100k, not against show
    assert "crossplan validate at 1m: 0.30× the full build's cpu" in text
