"""Start-up stays light: commands import the heavy libraries (pyvis, networkx, scikit-learn, pyshacl, rdflib…) only
when they use them. Each command runs in a fresh interpreter, which then reports what it had imported."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "mini"
HEAVY = {"pyvis", "networkx", "sklearn", "pyshacl", "rdflib", "openpyxl", "docx", "playwright", "jinja2", "requests"}

SCRIPT = """
import json, sys
from crossplan.cli import main
code = 0
try:
    main(sys.argv[2:], prog_name="crossplan")
except SystemExit as exit:
    code = exit.code or 0
loaded = sorted(sys.modules)
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "modules": loaded}, out)
"""


def run_cli(tmp_path: Path, *arguments: str) -> set[str]:
    """Run the CLI in a new interpreter; return the modules it imported, and their top-level packages."""
    report = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(report), *arguments],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outcome = json.loads(report.read_text(encoding="utf-8"))
    assert outcome["code"] == 0, result.stderr
    return set(outcome["modules"]) | {name.split(".")[0] for name in outcome["modules"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The mini data set and a store already built from it (so that the commands below only read it)."""
    from crossplan.graph.stores.embedded import build_store

    store = tmp_path_factory.mktemp("store") / "store"
    build_store(FIXTURE, store)
    return FIXTURE, store


@pytest.mark.parametrize(
    "arguments",
    [
        ("--help",),
        ("stats", "--help"),
        ("query", "--help"),
    ],
)
def test_help_imports_nothing_heavy(tmp_path, arguments):
    loaded = run_cli(tmp_path, *arguments)
    assert loaded & HEAVY == set()
    assert "pyoxigraph" not in loaded and "crossplan.graph.stores.embedded" not in loaded
    assert loaded & {"starlette", "uvicorn", "anyio", "weasyprint"} == set()


def test_build_imports_nothing_heavy(tmp_path):
    loaded = run_cli(tmp_path, "--data", str(FIXTURE), "--store", str(tmp_path / "store"), "build")
    assert loaded & HEAVY == set()
    assert "pyoxigraph" in loaded  # the command did run


def test_an_up_to_date_build_imports_no_numpy(tmp_path):
    """A whole new store makes suggest's index (numpy), and a rebuild of one file updates it; finding nothing changed
    reads none of it."""
    data, store = tmp_path / "data", str(tmp_path / "store")
    shutil.copytree(FIXTURE, data)
    assert "numpy" in run_cli(tmp_path, "--data", str(data), "--store", store, "build")  # the index is made
    assert "numpy" not in run_cli(tmp_path, "--data", str(data), "--store", store, "build")  # up to date
    plan = next((data / "plans").glob("*.yaml"))
    plan.write_text(plan.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert "numpy" in run_cli(tmp_path, "--data", str(data), "--store", store, "build")  # its entries updated
    assert "numpy" not in run_cli(tmp_path, "--data", str(data), "--store", store, "build")  # up to date again


@pytest.mark.parametrize(
    "arguments",
    [
        ("stats",),
        ("stats", "--format", "json"),
        ("query", "SELECT ?plan WHERE { ?plan a cp:Plan }", "--format", "csv"),
        ("query", "SELECT ?plan WHERE { ?plan a cp:Plan }", "--format", "json"),
    ],
)
def test_queries_on_a_built_store_import_nothing_heavy(tmp_path, built, arguments):
    data, store = built
    loaded = run_cli(tmp_path, "--data", str(data), "--store", str(store), *arguments)
    assert loaded & HEAVY == set()
    assert "pyoxigraph" in loaded


def test_validate_imports_pyshacl_only_for_the_shapes(tmp_path):
    store = str(tmp_path / "store")  # validate keeps each file's results there: a fresh one, so the shapes are read
    without = run_cli(tmp_path, "--data", str(FIXTURE), "--store", store, "validate", "--no-shacl")
    assert without & HEAVY == set()
    with_shapes = run_cli(tmp_path, "--data", str(FIXTURE), "--store", store, "validate")
    # the check above can fail: this is what an import looks like (the shapes are read with rdflib; pyshacl itself
    # runs only on the nodes the screen suspects, and the fixture has none)
    assert "rdflib" in with_shapes
    # nothing changed since: every file's screen is kept, the shapes are not even read
    assert run_cli(tmp_path, "--data", str(FIXTURE), "--store", store, "validate") & HEAVY == set()


def test_help_reads_only_the_declarations(tmp_path):
    """``crossplan --help`` loads the settings table and the question registry, not the questions, model or errors."""
    loaded = run_cli(tmp_path, "--help")
    ours = {name for name in loaded if name.startswith("crossplan.")}
    assert ours <= {
        "crossplan.cli",
        "crossplan.graph",
        "crossplan.graph.settings",
        "crossplan.graph.questions",
        "crossplan.graph.questions.registry",
    }
    assert "crossplan.graph.questions.registry" in ours  # the commands are made from it: the check above can fail


def test_suggest_imports_only_what_listing_needs(tmp_path, built):
    """Listing suggestions neither writes nor checks the data, nor draws: those parts are not imported."""
    data, store = built
    loaded = run_cli(tmp_path, "--data", str(data), "--store", str(store), "suggest", "alpha")
    assert "crossplan.graph.suggest.similar" in loaded  # the command did run
    assert loaded & {"crossplan.graph.views.viz", "crossplan.graph.rdf.validation", "pyvis", "rdflib"} == set()
