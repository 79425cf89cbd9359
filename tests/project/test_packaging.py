"""The wheel installs one top-level name, ``crossplan``, with the ontology, data and queries inside it.

A fresh, non-editable install works from any directory, beside another distribution that ships its own
top-level ``cli.py`` and ``graph/`` and in a working directory that holds a ``graph.py`` and a ``cli.py``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("crossplan-*.whl")
    return built


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def other_wheel(folder: Path) -> Path:
    """A small distribution of someone else's that ships top-level ``cli.py`` and ``graph/``."""
    files = {
        "cli.py": b"def main():\n    print('the other cli')\n",
        "graph/__init__.py": b"OWNER = 'othertool'\n",
        "othertool-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: othertool\nVersion: 1.0\n",
        "othertool-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "othertool-1.0.dist-info/entry_points.txt": b"[console_scripts]\nothertool = cli:main\n",
    }
    record = [_record_line(name, data) for name, data in files.items()]
    record.append("othertool-1.0.dist-info/RECORD,,")
    path = folder / "othertool-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("othertool-1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return path


def test_wheel_has_one_top_level_name_and_every_resource(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {name.split("/")[0] for name in names} == {"crossplan", "crossplan-0.1.0.dist-info"}
    expected = {
        "crossplan/__init__.py",
        "crossplan/__main__.py",
        "crossplan/cli.py",
        "crossplan/graph/__init__.py",
        "crossplan/ontology/crossplan.ttl",
        "crossplan/ontology/shapes.ttl",
        "crossplan/ontology/context.jsonld",
        "crossplan/data/plans/yj-blueprint.yaml",
        "crossplan/data/plans/hmip-resettlement.yaml",
    }
    assert expected <= names
    # every file under data/ and ontology/ in the checkout ships
    for folder in ("data", "ontology"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"crossplan/{folder}/{path.relative_to(ROOT / folder).as_posix()}" in names, path
    # every file of the library ships: modules, saved queries, page and report assets, vendored code
    for path in (ROOT / "graph").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            assert f"crossplan/{path.relative_to(ROOT).as_posix()}" in names, path
    assert "crossplan/py.typed" in names
    assert not any(name.startswith(("crossplan/tests/", "crossplan/bench/", "tests/", "bench/")) for name in names)
    top_level = zipfile.ZipFile(wheel).read("crossplan-0.1.0.dist-info/top_level.txt").decode().split()
    assert top_level == ["crossplan"]


@pytest.fixture(scope="module")
def fresh_install(wheel, tmp_path_factory):
    """A new venv holding the crossplan wheel and another tool's ``cli``/``graph``; dependencies come from the
    environment running the tests (added by a .pth line, after the venv's own site-packages), never from the base
    interpreter."""
    root = tmp_path_factory.mktemp("fresh")
    environment = root / "venv"
    venv.create(environment, system_site_packages=False, with_pip=True)
    python = environment / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    for package in (other_wheel(root), wheel):
        subprocess.run(
            [python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(package)],
            check=True,
            capture_output=True,
        )
    # Only now the dependencies: had pip seen the test environment's own crossplan, it would have installed nothing.
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    workdir = root / "notebooks"
    workdir.mkdir()
    (workdir / "graph.py").write_text("raise SystemExit('the user graph.py was imported')\n", encoding="utf-8")
    (workdir / "cli.py").write_text("raise SystemExit('the user cli.py was imported')\n", encoding="utf-8")
    env = {"PATH": f"{environment / 'bin'}:/usr/bin:/bin", "HOME": str(root), "CROSSPLAN_CACHE": str(root / "cache")}
    return environment, workdir, env


def run(environment, workdir, env, *command):
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=300)


def test_fresh_install_runs_beside_other_top_level_names(fresh_install):
    environment, workdir, env = fresh_install
    python = str(environment / "bin" / "python")
    result = run(environment, workdir, env, str(environment / "bin" / "crossplan"), "validate")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "No problems found\n")
    stats = run(environment, workdir, env, python, "-m", "crossplan", "stats")
    assert stats.returncode == 0 and "Plan hmip-resettlement" in stats.stdout, stats.stderr
    api = run(
        environment,
        workdir,
        env,
        python,
        "-c",
        "from crossplan import open_store, validate_data; import crossplan; print(crossplan.__file__)",
    )
    assert api.returncode == 0, api.stderr
    assert api.stdout.strip().startswith(str(environment)), api.stdout
    # the other tool is untouched: its cli and graph are its own
    other = run(environment, workdir, env, str(environment / "bin" / "othertool"))
    assert other.stdout == "the other cli\n", other.stderr
    elsewhere = workdir.parent / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    owner = run(environment, elsewhere, env, python, "-c", "import graph; print(graph.OWNER)")
    assert owner.stdout == "othertool\n", owner.stderr
    assert sorted(path.name for path in workdir.iterdir()) == ["cli.py", "graph.py"]


def test_installed_tree_has_one_top_level_name(fresh_install):
    environment, workdir, env = fresh_install
    listing = run(
        environment,
        workdir,
        env,
        str(environment / "bin" / "python"),
        "-c",
        "import importlib.metadata as m\nfor f in m.files('crossplan'): print(f)",
    )
    installed = listing.stdout.split()
    site_entries = {name.split("/")[0] for name in installed if not name.startswith("..")}
    scripts = sorted(Path(name).name for name in installed if name.startswith(".."))
    assert site_entries == {"crossplan", "crossplan-0.1.0.dist-info"}
    assert scripts == ["crossplan"]


def test_a_missing_dependency_is_reported_as_such(tmp_path):
    """With a dependency hidden, the command names the package to install and does not call it a bug."""
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pyoxigraph' or name.startswith('pyoxigraph.'):\n"
        "            raise ModuleNotFoundError(\"No module named 'pyoxigraph'\", name='pyoxigraph')\n"
        "sys.meta_path.insert(0, Block())\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "CROSSPLAN_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "crossplan", "stats"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "internal error" not in result.stderr
    assert "pyoxigraph" in result.stderr and "pip install" in result.stderr, result.stderr
