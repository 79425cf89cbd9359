"""Measure `crossplan import` on published documents against hand-made gold: ``python -m bench import-accuracy``.

Each document of the gold set (``tests/fixtures/import_gold/gold.yaml``) is imported through the public command,
``crossplan --data DIR import FILE --plan-id ID``, into a fresh data directory made by
``crossplan init DIR --with-shipped``; the plan it writes is scored against the gold plan (``bench/import_scoring.py``
says how: items matched by number, then text, page, owners, dates, response, status, actions and updates, and item
precision and recall). A document the import refuses or cannot read scores 0 ("not readable", with the tool's own
message). A document the gold marks ``expect: refused`` (an image-only PDF) must be refused in under 2 s.

Which crossplan: by default the one installed with this Python; ``--engine-checkout PATH`` runs a checkout's code
(the folder is put on the path as the package ``crossplan``), ``--crossplan EXE`` a given executable.

    python -m bench import-accuracy
    python -m bench import-accuracy --engine-checkout ../other-branch --only real --verbose
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .import_scoring import FIELDS, DocumentScore, FieldScore, score_plan

ROOT = Path(__file__).resolve().parent.parent
GOLD_ROOT = ROOT / "tests" / "fixtures" / "import_gold"
MANIFEST = GOLD_ROOT / "gold.yaml"
REFUSAL_SECONDS = 2.0
# Sets measured for time and memory: listed per document and per set, but left out of the accuracy totals.
SEPARATE_SETS = {"speed"}
# Runs the import and reports the peak resident memory of the largest process under it (crossplan and any child
# it waits for, such as an extraction sandbox), as the last line of stderr.
_PEAK = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print('peak-kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)
_TEXT_LAYER = re.compile(r"text layer|OCR|no text|scanned", re.I)
_COLUMN_NAMES = {"actions": "acts", "updates": "upds", "response": "resp", "owners": "owner", "status": "stat"}


@dataclass
class GoldDocument:
    """One document of the gold set: the file, its gold plan (None when it must be refused) and its labels."""

    name: str
    path: Path
    layout: str
    group: str
    gold: dict[str, Any] | None
    fields: tuple[str, ...] = FIELDS
    expect_refused: bool = False


@dataclass
class ImportRun:
    """What one run of `crossplan import` gave: the plan it wrote (or None), its message, time and peak memory."""

    plan: dict[str, Any] | None
    message: str
    seconds: float
    exit_code: int
    peak_mb: float | None = None


@dataclass
class DocumentResult:
    document: GoldDocument
    run: ImportRun
    score: DocumentScore = field(default_factory=DocumentScore)

    @property
    def readable(self) -> bool:
        return self.run.plan is not None


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_gold_set(manifest: Path = MANIFEST) -> list[GoldDocument]:
    """Read the gold set's manifest: each entry's file, gold plan (with pages from a sidecar), layout and group."""
    base = manifest.parent
    entries = _load_yaml(manifest)["documents"]
    documents = []
    for entry in entries:
        path = base / entry["file"]
        gold = None
        if not entry.get("expect") == "refused":
            gold_path = (
                ROOT / entry["gold"][len("repo:") :] if entry["gold"].startswith("repo:") else base / entry["gold"]
            )
            gold = _load_yaml(gold_path)
            if entry.get("pages"):
                pages = _load_yaml(base / entry["pages"]) or {}
                for item in gold.get("recommendations", []):
                    if item.get("id") in pages:
                        item["page"] = pages[item["id"]]
        documents.append(
            GoldDocument(
                name=entry.get("name") or Path(entry["file"]).name,
                path=path,
                layout=entry["layout"],
                group=entry["set"],
                gold=gold,
                fields=tuple(entry.get("fields") or FIELDS),
                expect_refused=entry.get("expect") == "refused",
            )
        )
    return documents


def crossplan_command(engine_checkout: Path | None, crossplan: str | None, python: str) -> tuple[list[str], dict]:
    """The command that runs crossplan, and its environment (a checkout goes on PYTHONPATH as ``crossplan``)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CROSSPLAN_")}
    if crossplan:
        return [crossplan], environment
    if engine_checkout is not None:
        shim = Path(tempfile.mkdtemp(prefix="crossplan-engine-"))
        (shim / "crossplan").symlink_to(engine_checkout.resolve(), target_is_directory=True)
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(shim), environment.get("PYTHONPATH", "")]))
        # A checkout may be someone else's working tree: leave no bytecode in it.
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return [python, "-m", "crossplan"], environment


def _plan_id(name: str) -> str:
    """A plan id that cannot clash with a shipped plan: ``gold-`` and the file name (with its extension)."""
    return "gold-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "document")


def run_import(
    document: GoldDocument, command: Sequence[str], environment: Mapping[str, str], timeout: float
) -> ImportRun:
    """Import one document into a fresh copy of the shipped data; the plan it wrote, parsed, or None."""
    work = Path(tempfile.mkdtemp(prefix="import-accuracy-"))
    try:
        data = work / "data"
        made = subprocess.run(
            [*command, "init", str(data), "--with-shipped"], capture_output=True, text=True, env=dict(environment)
        )
        if made.returncode != 0:
            return ImportRun(None, f"crossplan init failed: {made.stderr.strip() or made.stdout.strip()}", 0.0, 1)
        plan_id = _plan_id(document.name)
        start = time.perf_counter()
        try:
            finished = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    _PEAK,
                    *command,
                    "--data",
                    str(data),
                    "import",
                    str(document.path.resolve()),
                    "--plan-id",
                    plan_id,
                ],
                capture_output=True,
                text=True,
                env=dict(environment),
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return ImportRun(None, f"timed out after {timeout:.0f} s", timeout, -1)
        seconds = time.perf_counter() - start
        stderr, peak_mb = _split_peak(finished.stderr)
        message = "\n".join(part.strip() for part in (finished.stdout, stderr) if part.strip())
        written = data / "plans" / f"{plan_id}.yaml"
        plan = None
        if finished.returncode == 0 and written.exists():
            try:
                loaded = _load_yaml(written)
            except yaml.YAMLError as error:
                message += f"\n(the plan written is not YAML: {error})"
            else:
                plan = loaded if isinstance(loaded, dict) else None
        return ImportRun(plan, message, seconds, finished.returncode, peak_mb)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _split_peak(stderr: str) -> tuple[str, float | None]:
    """The import's own stderr, and the peak memory (MB) the wrapper reported after it."""
    lines = stderr.rstrip("\n").split("\n")
    if lines and lines[-1].startswith("peak-kib "):
        return "\n".join(lines[:-1]), int(lines[-1].split()[1]) / 1024
    return stderr, None


def measure(
    documents: Sequence[GoldDocument], command: Sequence[str], environment: Mapping[str, str], timeout: float = 120.0
) -> list[DocumentResult]:
    """Import and score every document."""
    results = []
    for document in documents:
        run = run_import(document, command, environment, timeout)
        result = DocumentResult(document, run)
        if document.gold is not None:
            result.score = score_plan(document.gold, run.plan, document.fields)
        results.append(result)
    return results


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.0f}%"


def _status(result: DocumentResult) -> str:
    if result.document.expect_refused:
        if result.run.exit_code == 0 or result.run.plan is not None:
            return "NOT refused"
        if not _TEXT_LAYER.search(result.run.message):
            return "refused, but not for want of a text layer"
        fast = result.run.seconds < REFUSAL_SECONDS
        return f"refused in {result.run.seconds:.1f} s" + ("" if fast else f", over the {REFUSAL_SECONDS:.0f} s limit")
    if not result.readable:
        return "not readable"
    peak = f", {result.run.peak_mb:.0f} MB" if result.run.peak_mb is not None else ""
    return f"read in {result.run.seconds:.1f} s{peak}"


def _row(label: str, layout: str, score: DocumentScore, status: str) -> list[str]:
    cells = [label, layout, status, _percent(score.precision), _percent(score.recall)]
    cells += [_percent(score.fields[name].share) if name in score.fields else "" for name in FIELDS]
    cells.append(_percent(score.total.share))
    return cells


def _table(rows: list[list[str]], header: list[str], first: str = "document") -> str:
    header = [first, *header[1:]]
    widths = [max(len(str(row[index])) for row in [header, *rows]) for index in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines)


def _group_table(results: Sequence[DocumentResult], key: str, header: list[str], counted: set[int]) -> str:
    """One row per layout (or set), then the TOTAL of the documents that count towards the accuracy figures."""
    groups: dict[str, list[DocumentResult]] = {}
    for result in results:
        groups.setdefault(getattr(result.document, key), []).append(result)
    rows = []
    for name, members in sorted(groups.items()):
        rows.append(_row(name, "", _merged(members), f"{sum(r.readable for r in members)}/{len(members)} read"))
    total = [r for r in results if id(r) in counted]
    rows.append(_row("TOTAL", "", _merged(total), f"{sum(r.readable for r in total)}/{len(total)} read"))
    return _table([row[:1] + row[2:] for row in rows], header[:1] + header[2:], "set" if key == "group" else key)


def _merged(results: Sequence[DocumentResult]) -> DocumentScore:
    merged = DocumentScore(fields={name: FieldScore() for name in FIELDS})
    for result in results:
        merged.merge(result.score)
    return merged


def _targets(results: Sequence[DocumentResult], counted: Sequence[DocumentResult]) -> list[str]:
    """The goals of issue 25, each with the figure measured here."""
    lines = ["", "Targets (issue 25):"]

    def share(group: str) -> tuple[float | None, float | None]:
        members = [r for r in counted if r.document.group == group]
        if not members:
            return None, None
        return _merged(members).total.share, min(r.score.total.share or 0.0 for r in members)

    round_trip, _ = share("round-trip")
    lines.append(f"  round trip of the shipped plans >= 95% of fields: {_percent(round_trip)}")
    real, lowest = share("real")
    lines.append(f"  real documents >= 90% of fields, none below 75%: {_percent(real)}, lowest {_percent(lowest)}")
    wrong = _merged(counted).unflagged_wrong_responses
    lines.append(f"  no wrong response left unflagged: {wrong} unflagged")
    for result in results:
        if result.document.expect_refused:
            lines.append(
                f"  {result.document.name} refused in < {REFUSAL_SECONDS:.0f} s: {_status(result)} "
                f"({_first_line(result.run.message)})"
            )
        elif result.document.group in SEPARATE_SETS:
            lines.append(f"  {result.document.name} in <= 10 s and <= 500 MB: {_status(result)}")
    return lines


def format_results(results: Sequence[DocumentResult], verbose: bool = False) -> str:
    """The tables: one row per document, then per layout and per set, the targets; mismatches when verbose."""
    header = ["document", "layout", "import", "prec", "recall", *[_COLUMN_NAMES.get(n, n) for n in FIELDS], "fields"]
    scored = [result for result in results if not result.document.expect_refused]
    counted = [result for result in scored if result.document.group not in SEPARATE_SETS]
    counted_ids = {id(result) for result in counted}
    rows = [_row(r.document.name, r.document.layout, r.score, _status(r)) for r in scored]
    out = ["Import accuracy: per document (share of scored fields right; '-' = nothing to score)", _table(rows, header)]
    separate = ", ".join(sorted(SEPARATE_SETS))
    out += ["", f"Import accuracy: per layout (without the {separate} set)"]
    out.append(_group_table(counted, "layout", header, counted_ids))
    out += ["", f"Import accuracy: per set (TOTAL without the {separate} set)"]
    out.append(_group_table(scored, "group", header, counted_ids))
    total = _merged(counted)
    lowest = min((r.score.total.share or 0.0 for r in counted), default=0.0)
    out += [
        "",
        f"Fields right: {total.total.right}/{total.total.scored} ({_percent(total.total.share)}); "
        f"lowest document {_percent(lowest)}; items: precision {_percent(total.precision)}, "
        f"recall {_percent(total.recall)}",
    ]
    out += _targets(results, counted)
    unreadable = [r for r in results if not r.readable and not r.document.expect_refused]
    if unreadable:
        out += ["", "Not readable:"]
        out += [f"  {r.document.name}: {_first_line(r.run.message)}" for r in unreadable]
    if verbose:
        out += ["", "Wrong fields (gold | import; texts from their first difference):"]
        for result in scored:
            for mismatch in result.score.mismatches:
                gold, imported = _difference(mismatch.gold, mismatch.imported)
                out.append(f"  {result.document.name} {mismatch.item} {mismatch.field}: {gold} | {imported}")
    return "\n".join(out)


def _difference(gold: Any, imported: Any) -> tuple[str, str]:
    """Both values as short text; two texts (or lists of texts) are shown from a little before they differ."""
    if isinstance(gold, tuple) and isinstance(imported, tuple):
        gold, imported = " / ".join(gold), " / ".join(imported)
    if isinstance(gold, str) and isinstance(imported, str) and len(gold) + len(imported) > 160:
        at = next(
            (i for i, (a, b) in enumerate(zip(gold, imported, strict=False)) if a != b), min(len(gold), len(imported))
        )
        start = max(0, at - 30)
        prefix = "..." if start else ""
        return _shown(prefix + gold[start:]), _shown(prefix + imported[start:])
    return _shown(gold), _shown(imported)


def _first_line(message: str) -> str:
    lines = [line for line in message.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no message)"


def _shown(value: Any) -> str:
    if isinstance(value, frozenset):
        value = sorted(value, key=str)
    text = str(value)
    return text if len(text) <= 90 else text[:87] + "..."


def results_as_json(results: Sequence[DocumentResult]) -> list[dict[str, Any]]:
    """Every document's figures, for a JSON file."""
    return [
        {
            "document": r.document.name,
            "layout": r.document.layout,
            "set": r.document.group,
            "status": _status(r),
            "seconds": round(r.run.seconds, 3),
            "peak_mb": None if r.run.peak_mb is None else round(r.run.peak_mb, 1),
            "message": r.run.message,
            "gold_items": r.score.gold_items,
            "imported_items": r.score.imported_items,
            "matched": r.score.matched,
            "fields": {name: [s.right, s.scored] for name, s in r.score.fields.items()},
            "unflagged_wrong_responses": r.score.unflagged_wrong_responses,
        }
        for r in results
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m bench import-accuracy``."""
    parser.add_argument("--engine-checkout", type=Path, help="Run the crossplan of this checkout (its folder).")
    parser.add_argument("--crossplan", help="Run this crossplan executable instead.")
    parser.add_argument("--python", default=sys.executable, help="The Python that runs crossplan (default: this one).")
    parser.add_argument("--manifest", type=Path, default=MANIFEST, help="The gold set (default: %(default)s).")
    parser.add_argument("--only", default="", help="Comma-separated sets or layouts to run (e.g. real,round-trip).")
    parser.add_argument("--timeout", type=float, default=120.0, help="Seconds allowed per import.")
    parser.add_argument("--verbose", action="store_true", help="Also list every wrong field.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this JSON file.")


def run_accuracy(arguments: argparse.Namespace) -> int:
    """Run the bench with parsed arguments and print the tables."""
    documents = load_gold_set(arguments.manifest)
    wanted = {name.strip() for name in arguments.only.split(",") if name.strip()}
    if wanted:
        documents = [d for d in documents if d.group in wanted or d.layout in wanted or d.name in wanted]
    command, environment = crossplan_command(arguments.engine_checkout, arguments.crossplan, arguments.python)
    results = measure(documents, command, environment, arguments.timeout)
    print(format_results(results, arguments.verbose))
    if arguments.json:
        arguments.json.write_text(json.dumps(results_as_json(results), indent=2), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import-accuracy", description=__doc__)
    add_arguments(parser)
    return run_accuracy(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
