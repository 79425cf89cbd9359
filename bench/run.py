"""Run every benchmark and print one table (and the targets of issues 7 and 19, met or missed, beside the figures).

Groups (``--only``): ``cli``, ``build`` (with raw pyoxigraph's bulk load of the same triples, run alternately with
the full build so that their ratio shares the machine's load), ``questions`` (each question as a whole command: the
first answer, after a one-file edit, and asked again), ``suggest`` (10k and 100k), ``queries``, ``export``, ``viz``
``page`` (the browser page, through ``bench/page.py``'s ``bench_rows(bench)`` when it offers one) and ``serve``
(``crossplan serve`` and the Oxigraph server under wrk, uncached queries, and their ratio: ``bench/serve_load.py``).

Every step that a user would run from a shell is run exactly so: the installed ``crossplan`` entry point in a
new process, timed from start to exit, with its peak memory (``ru_maxrss`` from ``os.wait4``). The query
engines are compared in-process (``bench/steps.py``), one process per engine and data set. Everything the
benchmark writes goes to ``bench/out/`` (git-ignored); it installs nothing. Python bytecode of the project is
cached under ``bench/out/pycache`` (``PYTHONPYCACHEPREFIX``), as it would be in a normal installation, and one
unmeasured run warms it before each cold-process measurement.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .generate import ensure_scale
from .queries import PREFIXES, QUERIES

OUT = Path(__file__).parent / "out"
REPO = Path(__file__).resolve().parent.parent
SHIPPED_MAPPING = ("hmip-resettlement", "yj-blueprint")
ENGINES = ("crossplan", "pyoxigraph-memory", "pyoxigraph-disk", "rdflib")


@dataclass
class Row:
    """One line of the table: a median over ``runs`` runs, and the peak memory of the process(es)."""

    group: str
    name: str
    scale: str
    seconds: float | None
    runs: int
    peak_mb: float | None = None
    note: str = ""
    cpu: float | None = None  # median processor time (user + system): what the work costs on an idle machine
    extra: dict = field(default_factory=dict)


@dataclass
class Process:
    seconds: float
    cpu: float
    peak_mb: float
    code: int
    stdout: str
    stderr: str


class Bench:
    def __init__(self, arguments):
        self.arguments = arguments
        self.repeat = max(1, arguments.repeat)
        self.rows: list[Row] = []
        OUT.mkdir(exist_ok=True)
        self.scratch = Path(tempfile.mkdtemp(prefix="run-", dir=OUT))
        self.env = dict(os.environ)
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env.update(
            PYTHONPYCACHEPREFIX=str(OUT / "pycache"),
            CROSSPLAN_CACHE=str(self.scratch / "cache"),
            CROSSPLAN_PROGRESS="0",
        )
        for name in ("CROSSPLAN_DATA", "CROSSPLAN_STORE"):
            self.env.pop(name, None)
        self.crossplan = _entry_point()
        self.commands = {name: self._has_command(name) for name in ("query", "mapping", "viz", "export")}

    # -- running processes ---------------------------------------------------------------------

    def process(self, command: list[str], stdin: str | None = None, env_path: bool = False) -> Process:
        """Run a command in a new process; return its wall time, peak memory, exit code and output.

        ``env_path`` puts the repository on PYTHONPATH (for ``python -m bench.steps``)."""
        env = dict(self.env, PYTHONPATH=str(REPO)) if env_path else self.env
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
            if stdin is not None:
                inp.write(stdin.encode("utf-8"))
                inp.seek(0)
            started = time.perf_counter()
            child = subprocess.Popen(command, stdin=inp, stdout=out, stderr=err, env=env, cwd=self.scratch)
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            return Process(
                seconds,
                usage.ru_utime + usage.ru_stime,
                usage.ru_maxrss / 1024,
                child.returncode,
                out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"),
            )

    def timed(
        self,
        group: str,
        name: str,
        scale: str,
        command: list[str],
        runs: int | None = None,
        warm: bool = True,
        before=None,
        expect: str | None = None,
    ) -> Row:
        """Measure a command ``runs`` times in fresh processes and record the median (``before`` runs first each time)."""
        runs = runs or self.repeat
        if warm:
            self.process(command)
        times, cpus, peaks, note = [], [], [], ""
        for _ in range(runs):
            if before is not None:
                before()
            result = self.process(command)
            if result.code != 0:
                note = f"exit {result.code}: {(result.stderr or result.stdout).strip().splitlines()[-1:]}"
                break
            if expect is not None and expect not in result.stdout + result.stderr:
                note = f"unexpected output: {(result.stdout + result.stderr).strip()[:120]}"
            times.append(result.seconds)
            cpus.append(result.cpu)
            peaks.append(result.peak_mb)
        row = Row(
            group,
            name,
            scale,
            statistics.median(times) if times else None,
            len(times),
            max(peaks) if peaks else None,
            note,
            statistics.median(cpus) if cpus else None,
        )
        self.add(row)
        return row

    def add(self, row: Row) -> None:
        self.rows.append(row)
        seconds = "—" if row.seconds is None else _seconds(row.seconds)
        cpu = "" if row.cpu is None else f"cpu {_seconds(row.cpu)}"
        print(
            f"  {row.group:<8} {row.name:<52} {row.scale:<9} {seconds:>9} {cpu:>14}  n={row.runs}  {row.note}",
            flush=True,
        )

    def _has_command(self, name: str) -> bool:
        return self.process([*self.crossplan, name, "--help"]).code == 0

    def cli(self, *arguments: str) -> list[str]:
        return [*self.crossplan, *arguments]

    # -- the benchmarks ------------------------------------------------------------------------

    def run_cli(self, data: dict[str, tuple[Path, dict]]) -> None:
        cold = max(self.repeat, 5)
        self.timed("cli", "python -c pass", "-", [sys.executable, "-c", "pass"], runs=cold)
        self.timed("cli", "crossplan --help", "-", self.cli("--help"), runs=cold)
        shipped_store = str(self.scratch / "stores" / "shipped")
        mapping_query = PREFIXES + QUERIES["mapping"]
        self.process(self.cli("--store", shipped_store, "build"))
        self.timed(
            "cli", "crossplan stats (store cached)", "shipped", self.cli("--store", shipped_store, "stats"), runs=cold
        )
        if self.commands["query"]:
            self.timed(
                "cli",
                "crossplan query (store cached)",
                "shipped",
                self.cli("--store", shipped_store, "query", mapping_query, "--format", "csv"),
                runs=cold,
            )
            fresh = self.scratch / "stores" / "fresh"
            self.timed(
                "cli",
                "crossplan query (first run: builds the store)",
                "shipped",
                self.cli("--store", str(fresh), "query", mapping_query, "--format", "csv"),
                runs=cold,
                before=lambda: shutil.rmtree(fresh, ignore_errors=True),
            )
        else:
            self.add(Row("cli", "crossplan query", "shipped", None, 0, note="no `crossplan query` command yet"))
        if self.commands["mapping"]:
            self.timed(
                "cli",
                "crossplan mapping (store cached)",
                "shipped",
                self.cli("--store", shipped_store, "mapping", *SHIPPED_MAPPING),
                runs=cold,
            )
        else:
            self.add(Row("cli", "crossplan mapping", "shipped", None, 0, note="no `crossplan mapping` command yet"))
        for scale, (directory, meta) in data.items():
            store = str(self.store_of(scale))
            self.process(self.cli("--data", str(directory), "--store", store, "build"))
            self.timed(
                "cli",
                "crossplan stats (store cached)",
                scale,
                self.cli("--data", str(directory), "--store", store, "stats"),
            )
            if self.commands["query"]:
                self.timed(
                    "cli",
                    "crossplan query (store cached)",
                    scale,
                    self.cli("--data", str(directory), "--store", store, "query", mapping_query, "--format", "csv"),
                )
            if self.commands["mapping"]:
                self.timed(
                    "cli",
                    "crossplan mapping (store cached)",
                    scale,
                    self.cli("--data", str(directory), "--store", store, "mapping", *meta["mapping"]),
                )

    def run_build(self, data: dict[str, tuple[Path, dict]]) -> None:
        """Full build, rebuild after one file, up-to-date check; and raw pyoxigraph's bulk load + optimize of the same
        triples on disk, run beside each full build (alternately) so that their ratio shares the machine's load."""
        for scale, (directory, meta) in data.items():
            store = str(self.store_of(scale))
            full = self.cli("--data", str(directory), "--store", store, "build", "--rebuild")
            raw_directory = self.scratch / f"raw-{scale}"
            raw = [
                sys.executable,
                "-m",
                "bench.steps",
                "raw-load",
                "--data",
                str(directory),
                "--nt",
                str(directory.parent / "data.nt"),
                "--store",
                str(raw_directory),
                "--meta",
                str(directory.parent / "meta.json"),
                "--scratch",
                str(self.scratch),
            ]
            ours, theirs = [], []
            for _ in range(self.repeat):
                ours.append(self.process(full))
                shutil.rmtree(raw_directory, ignore_errors=True)
                theirs.append(self.process(raw, env_path=True))
                shutil.rmtree(raw_directory, ignore_errors=True)
            self.add_processes("build", "full build from YAML (crossplan build --rebuild)", scale, ours, "files parsed")
            self.add_processes("build", "raw pyoxigraph: bulk load + optimize of the N-Triples on disk", scale, theirs)
            edited = directory / meta["edit_plan"]
            self.timed(
                "build",
                "rebuild after one plan file changes",
                scale,
                self.cli("--data", str(directory), "--store", store, "build"),
                warm=False,
                before=lambda path=edited: _toggle_edit(path),
                expect="1 file parsed",
            )
            self.timed(
                "build",
                "up-to-date check (crossplan build, nothing changed)",
                scale,
                self.cli("--data", str(directory), "--store", store, "build"),
                expect="up to date",
            )

    def add_processes(
        self, group: str, name: str, scale: str, results: list[Process], expect: str | None = None
    ) -> Row:
        good = [result for result in results if result.code == 0]
        note = "" if len(good) == len(results) else f"exit {results[0].code}: {results[0].stderr.strip()[-160:]}"
        if expect and good and not any(expect in result.stdout + result.stderr for result in good):
            note = f"unexpected output: {(good[0].stdout + good[0].stderr).strip()[:120]}"
        row = Row(
            group,
            name,
            scale,
            statistics.median(r.seconds for r in good) if good else None,
            len(good),
            max(r.peak_mb for r in good) if good else None,
            note,
            statistics.median(r.cpu for r in good) if good else None,
        )
        self.add(row)
        return row

    QUESTIONS = (
        ("show ID", lambda meta: ["show", meta["lookup"]]),
        ("mapping FROM TO", lambda meta: ["mapping", *meta["mapping"]]),
        ("impact ID", lambda meta: ["impact", meta["feeds_start"]]),
        ("path ID ID", lambda meta: ["path", meta["feeds_start"], meta["lookup"]]),
        ("duplicates", lambda meta: ["duplicates"]),
        ("overdue", lambda meta: ["overdue", "--as-of", "2021-06-30"]),
        ("gaps", lambda meta: ["gaps"]),
        ("stats", lambda meta: ["stats"]),
    )

    def run_questions(self, data: dict[str, tuple[Path, dict]]) -> None:
        """The ready-made questions at each scale, each as a whole cold command: the first answer from a freshly
        built store, the answer after one plan file changed (the command rebuilds that file first), and asked again.

        Nothing is remembered between commands (no answer is kept beside the store), so "first" and "again" differ
        only by the operating system's file cache.
        """
        for scale, (directory, meta) in data.items():
            store = self.store_of(scale)
            edited = directory / meta["edit_plan"]
            self.process(self.cli("--data", str(directory), "--store", str(store), "build", "--rebuild"))
            self.timed(
                "question", "crossplan --help (the yardstick)", scale, self.cli("--help"), runs=max(self.repeat, 5)
            )
            for name, arguments in self.QUESTIONS:
                command = self.cli("--data", str(directory), "--store", str(store), *arguments(meta))
                first = self.process(command)
                self.add_processes("question", f"crossplan {name} (first answer)", scale, [first])
                self.timed(
                    "question",
                    f"crossplan {name} (after a one-file edit)",
                    scale,
                    command,
                    warm=False,
                    before=lambda path=edited: _toggle_edit(path),
                )
                self.timed("question", f"crossplan {name} (asked again)", scale, command)

    def run_suggest(self, data: dict[str, tuple[Path, dict]]) -> None:
        """``crossplan suggest FROM TO`` at 10k and 100k (the scales issue 19 names), first run and again."""
        for scale, (directory, meta) in data.items():
            if scale not in ("10k", "100k"):
                continue
            store = str(self.store_of(scale))
            self.process(self.cli("--data", str(directory), "--store", store, "build"))
            command = self.cli("--data", str(directory), "--store", store, "suggest", *meta["mapping"])
            self.add_processes("suggest", "crossplan suggest FROM TO (first run)", scale, [self.process(command)])
            self.timed("suggest", "crossplan suggest FROM TO (again)", scale, command)

    def run_page(self) -> None:
        """The browser page at 2k and 10k nodes, measured by ``bench/page.py`` when it offers ``bench_rows``."""
        try:
            from . import page
        except ImportError as error:
            self.add(Row("page", "browser page", "-", None, 0, note=f"bench/page.py not importable: {error}"))
            return
        measure = getattr(page, "bench_rows", None)
        if measure is None:
            self.add(
                Row("page", "browser page", "-", None, 0, note="run `python -m bench.page` (no bench_rows hook yet)")
            )
            return
        for row in measure(self):
            self.add(Row("page", runs=1, **row))

    def run_serve(self) -> None:
        """crossplan serve beside the Oxigraph server under wrk, uncached queries (``bench/serve_load.py --wrk``)."""
        from . import serve_load

        if not shutil.which("wrk"):
            self.add(Row("serve", "wrk uncached SELECT", "-", None, 0, note="wrk is not installed"))
            return
        for row in serve_load.bench_rows(self):
            self.add(Row("serve", runs=1, **row))

    def run_queries(self, data: dict[str, tuple[Path, dict]]) -> None:
        for scale, (directory, meta) in data.items():
            store = self.store_of(scale)
            self.process(self.cli("--data", str(directory), "--store", str(store), "build"))
            results = {}
            for engine in ENGINES:
                if engine == "rdflib" and meta["triples"] > self.arguments.skip_rdflib_above:
                    self.add(
                        Row(
                            "query",
                            "rdflib: skipped",
                            scale,
                            None,
                            0,
                            note=f"more than {self.arguments.skip_rdflib_above:,} triples (--skip-rdflib-above)",
                        )
                    )
                    continue
                command = [
                    sys.executable,
                    "-m",
                    "bench.steps",
                    engine,
                    "--data",
                    str(directory),
                    "--nt",
                    str(directory.parent / "data.nt"),
                    "--store",
                    str(store),
                    "--meta",
                    str(directory.parent / "meta.json"),
                    "--scratch",
                    str(self.scratch),
                    "--repeat",
                    str(self.repeat),
                    "--budget",
                    "20",
                ]
                old_cwd = self.env.get("PYTHONPATH")
                self.env["PYTHONPATH"] = str(REPO) + (os.pathsep + old_cwd if old_cwd else "")
                result = self.process(command)
                self.env.pop("PYTHONPATH") if old_cwd is None else self.env.update(PYTHONPATH=old_cwd)
                if result.code != 0:
                    self.add(Row("query", f"{engine}: failed", scale, None, 0, note=result.stderr.strip()[-200:]))
                    continue
                outcome = json.loads(result.stdout)
                results[engine] = outcome
                self.add(
                    Row(
                        "load",
                        f"{engine}: open/load",
                        scale,
                        outcome["load"],
                        1,
                        result.peak_mb,
                        cpu=outcome["load_cpu"],
                    )
                )
                for name, measured in outcome["queries"].items():
                    times = measured["times"]
                    note = f"gave up after {times[-1]:.0f} s" if measured.get("gave_up") else f"{measured['rows']} rows"
                    self.add(
                        Row(
                            "query",
                            f"{name} [{engine}]",
                            scale,
                            statistics.median(times),
                            len(times),
                            note=note,
                            cpu=statistics.median(measured["cpu"]),
                            extra={"engine": engine, "query": name, "rows": measured["rows"]},
                        )
                    )
            counts = {
                engine: {name: q["rows"] for name, q in outcome["queries"].items()}
                for engine, outcome in results.items()
            }
            for name in QUERIES:
                seen = {engine: rows[name] for engine, rows in counts.items() if rows.get(name) is not None}
                if len(set(seen.values())) > 1:
                    self.add(Row("query", f"{name}: engines disagree", scale, None, 0, note=str(seen)))

    def run_export(self, data: dict[str, tuple[Path, dict]]) -> None:
        scale = "100k" if "100k" in data else next(iter(data))
        directory, _ = data[scale]
        store = str(self.store_of(scale))
        self.process(self.cli("--data", str(directory), "--store", store, "build"))
        for name in ("ntriples", "turtle"):
            target = self.scratch / f"export.{name}"
            self.timed(
                "export",
                f"crossplan export --format {name} -o FILE",
                scale,
                self.cli("--data", str(directory), "--store", store, "export", "--format", name, "-o", str(target)),
            )

    def run_viz(self) -> None:
        if not self.commands["viz"]:
            self.add(Row("viz", "crossplan viz", "-", None, 0, note="no `crossplan viz` command yet"))
            return
        for scale in ("nodes-2k", "nodes-10k"):
            directory, meta = ensure_scale(scale, self.arguments.root, self.arguments.seed)
            store = str(self.store_of(scale))
            self.process(self.cli("--data", str(directory), "--store", store, "build"))
            target = self.scratch / f"viz-{scale}.html"
            row = self.timed(
                "viz",
                f"crossplan viz -o FILE ({meta['nodes']:,} nodes)",
                scale,
                self.cli("--data", str(directory), "--store", store, "viz", "-o", str(target)),
            )
            if target.exists():
                row.extra["html_mb"] = round(target.stat().st_size / 1e6, 1)
                row.note = (row.note + f" {row.extra['html_mb']} MB of HTML").strip()

    def store_of(self, scale: str) -> Path:
        return self.scratch / "stores" / scale

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


def _toggle_edit(path: Path) -> None:
    """Change one plan file the way a curator would: flip the first ongoing/complete status."""
    text = path.read_text(encoding="utf-8")
    if "status: ongoing" in text:
        text = text.replace("status: ongoing", "status: complete", 1)
    else:
        text = text.replace("status: complete", "status: ongoing", 1)
    path.write_text(text, encoding="utf-8")


def _entry_point() -> list[str]:
    """The installed ``crossplan`` script beside this Python (not a version-manager shim, which adds its own start-up)."""
    script = Path(sys.executable).parent / "crossplan"
    if script.exists():
        return [str(script)]
    found = shutil.which("crossplan")
    return [found] if found else [sys.executable, "-m", "crossplan"]


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def machine_description() -> dict:
    import pyoxigraph
    import rdflib

    memory = ""
    try:
        memory = (
            subprocess.run(["free", "-h"], capture_output=True, text=True, check=False)
            .stdout.splitlines()[1]
            .split()[1]
        )
    except (OSError, IndexError):
        pass
    return {
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "load average": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def format_table(rows: list[Row]) -> str:
    """Return the measurements as a Markdown table."""
    lines = [
        "| group | benchmark | data | median wall | median CPU | runs | peak RSS | note |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        seconds = "—" if row.seconds is None else _seconds(row.seconds)
        cpu = "" if row.cpu is None else _seconds(row.cpu)
        peak = "" if row.peak_mb is None else f"{row.peak_mb:,.0f} MB"
        lines.append(
            f"| {row.group} | {row.name} | {row.scale} | {seconds} | {cpu} | {row.runs} | {peak} | {row.note} |"
        )
    return "\n".join(lines)


def format_comparison(rows: list[Row]) -> str:
    """Return one table per data set: each query's median on every engine, and the ratios the targets speak of.

    Ratios are given on wall time and on processor time: on a shared machine the second is the steadier.
    """
    wall: dict[str, dict[str, dict[str, float]]] = {}
    cpu: dict[str, dict[str, dict[str, float]]] = {}
    for row in rows:
        if row.group == "query" and row.extra.get("engine") and row.seconds is not None:
            wall.setdefault(row.scale, {}).setdefault(row.extra["query"], {})[row.extra["engine"]] = row.seconds
            cpu.setdefault(row.scale, {}).setdefault(row.extra["query"], {})[row.extra["engine"]] = row.cpu or 0.0

    def ratio(table: dict, ours: str, other: str) -> str:
        return f"{table[ours] / table[other]:.2f}×" if table.get(ours) and table.get(other) else "—"

    out = []
    for scale, queries in wall.items():
        out += [
            f"\nQueries at {scale} (median wall time; ratio = crossplan ÷ engine, wall and CPU; speed-up = rdflib ÷ crossplan):",
            "",
            "| query | crossplan | pyoxigraph memory | pyoxigraph disk | rdflib | ÷ memory | ÷ memory (CPU) "
            "| ÷ disk | ÷ disk (CPU) | rdflib speed-up |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, engines in queries.items():
            cells = [_seconds(engines[e]) if e in engines else "—" for e in ENGINES]
            cpus = cpu[scale][name]
            cells += [
                ratio(engines, "crossplan", "pyoxigraph-memory"),
                ratio(cpus, "crossplan", "pyoxigraph-memory"),
                ratio(engines, "crossplan", "pyoxigraph-disk"),
                ratio(cpus, "crossplan", "pyoxigraph-disk"),
            ]
            speed = engines.get("rdflib", 0) / engines["crossplan"] if engines.get("crossplan") else 0
            cells.append(f"{speed:.0f}×" if speed else "—")
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def format_targets(rows: list[Row]) -> str:
    """Return the targets of issue 7, each with its measured value and whether it is met."""

    def find(group: str, name: str, scale: str) -> float | None:
        for row in rows:
            if row.group == group and row.name == name and row.scale == scale:
                return row.seconds
        return None

    lines = ["| target | measured | met |", "| --- | --- | --- |"]

    def target(label: str, value: float | None, limit: float, shown: str | None = None) -> None:
        if value is None:
            lines.append(f"| {label} | not measured | — |")
        else:
            lines.append(f"| {label} | {shown or _seconds(value)} | {'yes' if value <= limit else 'NO'} |")

    target("cold `crossplan --help` ≤ 0.15 s", find("cli", "crossplan --help", "-"), 0.15)
    target(
        "cold `crossplan query`, shipped data ≤ 0.5 s (store cached)",
        find("cli", "crossplan query (store cached)", "shipped"),
        0.5,
    )
    target(
        "cold `crossplan query`, shipped data ≤ 0.5 s (first run, builds the store)",
        find("cli", "crossplan query (first run: builds the store)", "shipped"),
        0.5,
    )
    scales = sorted(
        {row.scale for row in rows if row.group == "build"},
        key=lambda s: ("10k", "100k", "1m").index(s) if s in ("10k", "100k", "1m") else 9,
    )
    largest = scales[-1] if scales else None
    if largest:
        target(
            f"warm `crossplan query` at {largest} ≤ 2 s (with process start)",
            find("cli", "crossplan query (store cached)", largest),
            2.0,
        )
    for scale in [scale for scale in scales if scale in ("100k", "1m")]:  # the scales the target names
        full = find("build", "full build from YAML (crossplan build --rebuild)", scale)
        one = find("build", "rebuild after one plan file changes", scale)
        if full and one:
            target(
                f"rebuild after one change ≤ 10 % of full build at {scale}",
                one / full,
                0.10,
                f"{_seconds(one)} / {_seconds(full)} = {one / full:.1%}",
            )
    if largest:
        per_engine: dict[str, dict[str, float]] = {}
        per_engine_cpu: dict[str, dict[str, float]] = {}
        for row in rows:
            if row.group == "query" and row.scale == largest and row.extra.get("engine") and row.seconds:
                per_engine.setdefault(row.extra["engine"], {})[row.extra["query"]] = row.seconds
                per_engine_cpu.setdefault(row.extra["engine"], {})[row.extra["query"]] = row.cpu or row.seconds
        ours = per_engine.get("crossplan", {})
        for other in ("pyoxigraph-memory", "pyoxigraph-disk"):
            for label, table in (("wall", per_engine), ("CPU", per_engine_cpu)):
                mine, theirs = table.get("crossplan", {}), table.get(other, {})
                common = [name for name in mine if name in theirs and theirs[name] >= 0.005]  # ignore sub-5 ms queries
                if common:
                    worst = max(common, key=lambda name: mine[name] / theirs[name])
                    ratio = mine[worst] / theirs[worst]
                    target(
                        f"queries within 1.5× raw pyoxigraph ({other.split('-')[1]}) at {largest}, {label}",
                        ratio,
                        1.5,
                        f"worst {worst}: {ratio:.2f}×",
                    )
        rdflib = per_engine.get("rdflib", {})
        for name in ("mapping", "count-by-status", "2-hop"):
            if name in ours and name in rdflib:
                speed = rdflib[name] / ours[name]
                lines.append(
                    f"| {name} ≥ 10× faster than rdflib at {largest} | {speed:.0f}× | {'yes' if speed >= 10 else 'NO'} |"
                )
    return "\n".join(lines)


LOCAL_QUESTIONS = ("show ID", "mapping FROM TO", "impact ID", "path ID ID")
WHOLE_GRAPH_QUESTIONS = ("duplicates", "overdue", "gaps", "stats")


def format_issue19_targets(rows: list[Row]) -> str:
    """Return issue 19's targets beside the figures: the questions as whole cold commands, and the build.

    Ratios are of medians measured in the same run (the machine's load is shared by both sides of each ratio).
    """

    def find(group: str, name: str, scale: str) -> Row | None:
        return next(
            (
                row
                for row in rows
                if row.group == group and row.name == name and row.scale == scale and row.seconds is not None
            ),
            None,
        )

    lines = [
        "| target (issue 19) | data | measured (wall) | ratio (wall) | ratio (CPU) | limit | met (wall) |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
    ]

    def target(
        label: str,
        scale: str,
        mine: float | None,
        theirs: float | None,
        limit: float,
        shown: str,
        cpu: tuple | None = None,
    ) -> None:
        if mine is None or not theirs:
            lines.append(f"| {label} | {scale} | not measured | — | — | {limit:g}× | — |")
            return
        ratio = mine / theirs
        by_cpu = f"{cpu[0] / cpu[1]:.2f}×" if cpu and cpu[0] and cpu[1] else "—"
        lines.append(
            f"| {label} | {scale} | {shown} | {ratio:.2f}× | {by_cpu} | {limit:g}× | "
            f"{'yes' if ratio <= limit else 'NO'} |"
        )

    scales = [
        scale for scale in ("10k", "100k", "1m") if any(row.scale == scale and row.group == "question" for row in rows)
    ]
    for scale in scales:
        for phase in ("first answer", "after a one-file edit"):
            show = find("question", f"crossplan show ID ({phase})", scale)
            for name in LOCAL_QUESTIONS[1:]:
                mine = find("question", f"crossplan {name} ({phase})", scale)
                if mine and show:
                    target(
                        f"`{name.split()[0]}` ≤ 2× `crossplan show` ({phase})",
                        scale,
                        mine.seconds,
                        show.seconds,
                        2,
                        f"{_seconds(mine.seconds)} vs {_seconds(show.seconds)}",
                        (mine.cpu, show.cpu),
                    )
            yardstick = find("question", "crossplan --help (the yardstick)", scale)
            for name in WHOLE_GRAPH_QUESTIONS:
                mine = find("question", f"crossplan {name} ({phase})", scale)
                if mine and yardstick:
                    target(
                        f"`{name}` ≤ 15× `crossplan --help` ({phase})",
                        scale,
                        mine.seconds,
                        yardstick.seconds,
                        15,
                        f"{_seconds(mine.seconds)} vs {_seconds(yardstick.seconds)}",
                        (mine.cpu, yardstick.cpu),
                    )
    for scale in [
        scale
        for scale in ("10k", "100k", "1m")
        if find("build", "full build from YAML (crossplan build --rebuild)", scale)
    ]:
        ours = find("build", "full build from YAML (crossplan build --rebuild)", scale)
        raw = find("build", "raw pyoxigraph: bulk load + optimize of the N-Triples on disk", scale)
        if raw:
            target(
                "full build time ≤ 2× raw pyoxigraph on disk",
                scale,
                ours.seconds,
                raw.seconds,
                2,
                f"{_seconds(ours.seconds)} vs {_seconds(raw.seconds)}",
                (ours.cpu, raw.cpu),
            )
            target(
                "full build peak memory ≤ 1.5× raw pyoxigraph",
                scale,
                ours.peak_mb,
                raw.peak_mb,
                1.5,
                f"{ours.peak_mb:,.0f} MB vs {raw.peak_mb:,.0f} MB",
            )
    return "\n".join(lines)


def run_benchmarks(arguments, scales: list[str]) -> int:
    """Generate what is missing, run the selected benchmark groups, print the tables; return an exit code."""
    only = {name.strip() for name in arguments.only.split(",") if name.strip()}

    def wanted(group: str) -> bool:
        return not only or group in only

    machine = machine_description()
    print("Machine: " + ", ".join(f"{key} {value}" for key, value in machine.items()), flush=True)
    data = {scale: ensure_scale(scale, arguments.root, arguments.seed) for scale in scales}
    for scale, (_, meta) in data.items():
        print(
            f"  {scale}: {meta['triples']:,} triples, {meta['nodes']:,} nodes, {meta['plans']} plans, "
            f"{meta['yaml_bytes'] / 1e6:.1f} MB of YAML",
            flush=True,
        )
    bench = Bench(arguments)
    started = time.perf_counter()
    try:
        # Work on copies: the rebuild benchmark edits a plan file.
        work = {}
        for scale, (directory, meta) in data.items():
            copy = bench.scratch / "data" / scale / "yaml"
            shutil.copytree(directory, copy)
            for name in ("data.nt", "meta.json"):
                shutil.copy(directory.parent / name, copy.parent / name)
            work[scale] = (copy, meta)
        missing = [name for name, present in bench.commands.items() if not present]
        if missing:
            print(f"(commands not available yet, their rows are skipped: {', '.join(missing)})", flush=True)
        if wanted("build"):
            bench.run_build(work)
        if wanted("cli"):
            bench.run_cli(work)
        if wanted("questions"):
            bench.run_questions(work)
        if wanted("queries"):
            bench.run_queries(work)
        if wanted("suggest"):
            bench.run_suggest(work)
        if wanted("export"):
            bench.run_export(work)
        if wanted("viz"):
            bench.run_viz()
        if wanted("page"):
            bench.run_page()
        if wanted("serve"):
            bench.run_serve()
        if "pairs" in only:  # long at 1M (issue 30): only when asked for
            from .pairs import run_pairs

            run_pairs(bench, work)
    finally:
        bench.close()
    machine["load average (end)"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
    machine["total"] = f"{time.perf_counter() - started:.0f} s"
    print()
    print("Machine: " + ", ".join(f"{key} {value}" for key, value in machine.items()))
    for scale, (_, meta) in data.items():
        print(
            f"- {scale}: {meta['triples']:,} triples, {meta['nodes']:,} nodes, {meta['plans']} plans, "
            f"{meta['yaml_bytes'] / 1e6:.1f} MB of YAML"
        )
    print()
    print(format_table(bench.rows))
    print(format_comparison(bench.rows))
    print()
    print(format_targets(bench.rows))
    print()
    print(format_issue19_targets(bench.rows))
    if "pairs" in only:
        from .pairs import format_pairs

        print()
        print(format_pairs(bench.rows))
    if arguments.json:
        arguments.json.write_text(
            json.dumps(
                {
                    "machine": machine,
                    "data": {s: m for s, (_, m) in data.items()},
                    "rows": [asdict(row) for row in bench.rows],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0
