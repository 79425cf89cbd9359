"""The commands about one pair of plans, and ``validate``, at every scale (issue 30): ``python -m bench run --only pairs``.

Each is a whole cold command on the bench's own data (the most-linked pair of plans of each scale, ``meta.json``'s
``mapping``), timed as the other groups are (``Bench.timed``: a warm-up, then the median of ``--repeat`` runs, with
the peak memory). ``suggest`` and ``validate`` are also timed in the cases that cost more: the first run after a full
build, and straight after a one-file edit (``suggest`` then re-makes that plan's index entry, ``validate`` that file's
results, ``graph/rdf/checkcache.py``); ``suggest`` once more after a one-file edit and a ``crossplan build`` (which
re-makes the entry itself). ``format_pairs`` sets each command at the largest scale against the one below it, the
``validate`` runs against the full build, and the ``suggest A`` runs against ``show`` (issue 30: ≤ 10× at 1M).
"""

from __future__ import annotations

from pathlib import Path

PAIR_COMMANDS = (
    ("show ID", lambda meta: ["show", meta["lookup"]]),
    ("mapping A B", lambda meta: ["mapping", *meta["mapping"]]),
    ("mapping A B --matrix --format xlsx", lambda meta: ["mapping", *meta["mapping"], "--matrix", "--format", "xlsx"]),
    ("viz --mapping A B -o m.svg", lambda meta: ["viz", "--mapping", *meta["mapping"], "-o", "m.svg"]),
    ("report A B -o r.html", lambda meta: ["report", *meta["mapping"], "-o", "r.html"]),
    ("report A B -o r.pdf", lambda meta: ["report", *meta["mapping"], "-o", "r.pdf"]),
    ("suggest A B", lambda meta: ["suggest", *meta["mapping"]]),
    ("suggest A", lambda meta: ["suggest", meta["mapping"][0]]),
    ("validate", lambda meta: ["validate"]),
)


BUILD_NAME = "crossplan build --rebuild (full)"


def run_pairs(bench, data: dict[str, tuple[Path, dict]]) -> None:
    """Measure ``PAIR_COMMANDS`` at each scale (rows of group ``pairs``)."""
    from .run import _toggle_edit

    for scale, (directory, meta) in data.items():
        store = str(bench.store_of(scale))
        base = ("--data", str(directory), "--store", store)
        # the full build, timed: ``validate`` is measured against it (issue 30: ≤ 1.2× the full build)
        bench.timed("pairs", BUILD_NAME, scale, bench.cli(*base, "build", "--rebuild"), runs=1, warm=False)
        for name, arguments in PAIR_COMMANDS:
            command = bench.cli(*base, *arguments(meta))
            if name.startswith(("suggest", "validate")):
                bench.add_processes("pairs", f"crossplan {name} (first after a build)", scale, [bench.process(command)])
                edited = directory / meta["edit_plan"]
                bench.timed(
                    "pairs",
                    f"crossplan {name} (after a one-file edit)",
                    scale,
                    command,
                    warm=False,
                    before=lambda path=edited: _toggle_edit(path),
                )
                if name.startswith("suggest"):  # and with ``crossplan build`` between (it updates the index)
                    build = bench.cli(*base, "build")
                    bench.timed(
                        "pairs",
                        f"crossplan {name} (after a one-file edit and build)",
                        scale,
                        command,
                        warm=False,
                        before=lambda path=edited, build=build: (_toggle_edit(path), bench.process(build)),
                    )
            bench.timed("pairs", f"crossplan {name}", scale, command, runs=1 if scale == "1m" else None)


def format_pairs(rows) -> str:
    """The pair commands as issue 30 tabulates them: time and peak memory per scale, and the 1M / 100k ratio."""
    pairs = [row for row in rows if row.group == "pairs"]
    scales = list(dict.fromkeys(row.scale for row in pairs))
    if not pairs:
        return ""
    found = {(row.name, row.scale): row for row in pairs}
    names = list(dict.fromkeys(row.name for row in pairs))
    header = "| command | " + " | ".join(f"{scale}: wall (cpu), peak RSS" for scale in scales) + " | 1m / 100k |"
    lines = [header, "| --- |" + " ---: |" * (len(scales) + 1)]
    for name in names:
        cells = []
        for scale in scales:
            row = found.get((name, scale))
            cells.append(
                "—"
                if row is None or row.seconds is None
                else f"{row.seconds:.2f} s (cpu {row.cpu or 0:.2f} s), {row.peak_mb or 0:,.0f} MB"
            )
        big, small = found.get((name, "1m")), found.get((name, "100k"))
        ratio = (
            f"{big.seconds / small.seconds:.1f}× (cpu {(big.cpu or 0) / (small.cpu or 1):.1f}×)"
            if big and small and big.seconds is not None and small.seconds
            else "—"
        )
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")
    against = []
    for scale in scales:
        build = found.get((BUILD_NAME, scale))
        for name in names:
            row = found.get((name, scale))
            if name.startswith("crossplan validate") and build and build.cpu and row and row.cpu is not None:
                against.append(f"{name} at {scale}: {row.cpu / build.cpu:.2f}× the full build's cpu")
    show = "crossplan show ID"
    for scale in scales:
        yardstick = found.get((show, scale))
        for name in names:
            row = found.get((name, scale))
            if name.startswith("crossplan suggest A") and not name.startswith("crossplan suggest A B"):
                if yardstick and yardstick.seconds and row and row.seconds is not None:
                    cpu = f", cpu {row.cpu / yardstick.cpu:.1f}×" if row.cpu and yardstick.cpu else ""
                    against.append(f"{name} at {scale}: {row.seconds / yardstick.seconds:.1f}× `show` (wall{cpu})")
    if against:
        lines += ["", *against]
    return "\n".join(lines)
