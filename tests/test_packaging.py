"""The wheel ships the ontology, data and queries; a fresh non-editable install works from any directory."""

import importlib.metadata
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("crossplan-*.whl")
    return built


def test_wheel_contains_the_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "cli.py",
        "graph/__init__.py",
        "graph/ontology/crossplan.ttl",
        "graph/ontology/shapes.ttl",
        "graph/data/organisations.yaml",
        "graph/data/documents.yaml",
        "graph/data/programmes.yaml",
        "graph/data/plans/yj-blueprint.yaml",
        "graph/data/plans/hmip-resettlement.yaml",
        "graph/data/sources/000_b72972d3d8891a02.txt",
        "graph/data/sources/002_5ce6e7942855d53e.txt",
    }
    assert expected <= names
    # every file under data/ and ontology/ in the checkout ships
    for folder, package in (("data", "graph/data"), ("ontology", "graph/ontology")):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"{package}/{path.relative_to(ROOT / folder).as_posix()}" in names, path
    # the saved queries and the browser graph's assets ship too
    for folder, package in (("graph/queries", "graph/queries"), ("graph/viz_assets", "graph/viz_assets")):
        for path in (ROOT / folder).iterdir():
            if path.is_file() and path.suffix in (".rq", ".js", ".css", ".html"):
                assert f"{package}/{path.name}" in names, path
    assert "graph/ontology/context.jsonld" in names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_fresh_install_runs_from_another_directory(wheel, tmp_path):
    environment = tmp_path / "venv"
    # reuse the already-installed dependencies; the wheel itself is installed fresh, without --editable
    venv.create(environment, system_site_packages=True, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": f"{environment / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "CROSSPLAN_CACHE": str(tmp_path / "cache")}
    where = subprocess.run(
        [python, "-c", "import graph, cli; print(graph.__file__); print(cli.__file__)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert all(path.startswith(str(environment)) for path in where), where
    result = subprocess.run([environment / "bin" / "crossplan", "validate"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "No problems found\n", "")
    stats = subprocess.run([environment / "bin" / "crossplan", "stats"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert stats.returncode == 0 and "Plan hmip-resettlement" in stats.stdout
    assert list(elsewhere.iterdir()) == []


def test_generic_top_level_names_are_ours_alone():
    owners = importlib.metadata.packages_distributions()
    assert set(owners.get("graph", [])) == {"crossplan"}
    assert set(owners.get("cli", [])) == {"crossplan"}
    assert "graph" not in sys.stdlib_module_names and "cli" not in sys.stdlib_module_names
    import cli
    import graph

    assert Path(graph.__file__).resolve().parent == ROOT / "graph" or "site-packages" in graph.__file__
    assert Path(cli.__file__).resolve() == ROOT / "cli.py" or "site-packages" in cli.__file__
