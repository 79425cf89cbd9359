"""The benchmark command: ``python -m bench run`` (timings table), ``python -m bench generate`` (data only) and
``python -m bench import-accuracy`` (imports of published documents scored against gold)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .generate import DATA_ROOT, DEFAULT_SEED, NODE_SCALES, TRIPLE_SCALES, ensure_scale
from .import_accuracy import add_arguments as add_accuracy_arguments
from .import_accuracy import run_accuracy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="Write the synthetic data sets (YAML and N-Triples).")
    generate.add_argument(
        "--scales",
        default="10k,100k,1m,nodes-2k,nodes-10k",
        help="Comma-separated scales: 10k, 100k, 1m (triples), nodes-2k, nodes-10k (nodes).",
    )
    generate.add_argument("--seed", type=int, default=DEFAULT_SEED)
    generate.add_argument("--root", type=Path, default=DATA_ROOT, help="Where to write (default: bench/data/).")
    run = commands.add_parser("run", help="Generate what is missing, run every benchmark and print the table.")
    run.add_argument("--scales", default="10k,100k,1m", help="Comma-separated triple scales: 10k, 100k, 1m.")
    run.add_argument("--repeat", type=int, default=3, help="Repetitions of each measurement (the median is shown).")
    run.add_argument("--seed", type=int, default=DEFAULT_SEED)
    run.add_argument("--root", type=Path, default=DATA_ROOT, help="Where the data sets live (default: bench/data/).")
    run.add_argument(
        "--only",
        default="",
        help="Comma-separated benchmark groups to run (default: all): "
        "cli, build, questions, suggest, queries, export, viz, page, serve; pairs (issue 30) only when named.",
    )
    run.add_argument(
        "--skip-rdflib-above",
        type=int,
        default=2_000_000,
        help="Skip rdflib on data sets with more triples than this (default: never at the shipped scales).",
    )
    run.add_argument("--json", type=Path, help="Also write every measurement to this JSON file.")
    accuracy = commands.add_parser(
        "import-accuracy", help="Import the gold documents with crossplan and score each field against the gold."
    )
    add_accuracy_arguments(accuracy)
    arguments = parser.parse_args(argv)
    if arguments.command == "import-accuracy":
        return run_accuracy(arguments)
    scales = [scale.strip() for scale in arguments.scales.split(",") if scale.strip()]
    for scale in scales:
        if scale not in TRIPLE_SCALES and scale not in NODE_SCALES:
            parser.error(f"unknown scale '{scale}'")
    if arguments.command == "generate":
        for scale in scales:
            ensure_scale(scale, arguments.root, arguments.seed)
        return 0
    from .run import run_benchmarks

    return run_benchmarks(arguments, scales)


if __name__ == "__main__":
    sys.exit(main())
