"""The house rules of the package's structure, read from the code's own imports: one-way layers, no cycles, no
private names taken from another module, our own modules imported at the top, modules of a readable size."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: the layers from the bottom up; a module may import from its own layer and the layers below it, never above
LAYERS = [
    ("shared", ["graph/errors.py", "graph/settings.py", "graph/text.py", "graph/files.py", "graph/output.py",
                "graph/progress.py", "graph/resources.py", "graph/memory.py", "graph/__init__.py"]),
    ("model", ["graph/model/"]),
    ("datafiles", ["graph/datafiles/"]),
    ("rdf", ["graph/rdf/"]),
    ("sparql", ["graph/sparql/"]),
    ("stores", ["graph/stores/"]),
    ("questions", ["graph/questions/"]),
    ("views", ["graph/views/"]),
    ("importing", ["graph/importing/"]),
    ("suggest", ["graph/suggest/"]),
    ("serve", ["graph/serve/"]),
    ("cli", ["graph/completion.py", "cli.py", "__init__.py", "__main__.py"]),
]  # fmt: skip

#: modules allowed past the size limit, each with the one concern that keeps it whole
LONG_MODULES: dict[str, str] = {
    "cli.py": "the command line: one short click command per library function, in the order of `crossplan --help`",
}

#: modules that import the library inside functions, and why
LAZY_IMPORTERS: dict[str, str] = {
    "cli.py": "each command imports the part of the library it calls, so that `crossplan --help` and shell "
    "completion (one process per Tab) start in a tenth of a second (tests/project/test_imports.py)",
    "graph/settings.py": "cli.py reads the settings at start-up: the error module only when a value is bad",
    "graph/questions/registry.py": "cli.py makes its commands at start-up: the error module only when a form's value is"
    " bad, the finders and formatters when asked",
    "graph/suggest/review.py": "`suggest` lists: what writes or checks the data (validation, the YAML writer) and the"
    " browser graph's edges only for the commands that use them",
}
MAX_LINES = 650


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (``crossplan.graph.stores.embedded``)."""
    modules = {}
    for path in [ROOT / "cli.py", ROOT / "__init__.py", ROOT / "__main__.py", *(ROOT / "graph").rglob("*.py")]:
        if "__pycache__" in path.parts:
            continue
        parts = ["crossplan", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _layer(path: Path) -> int:
    relative = path.relative_to(ROOT).as_posix()
    for index, (_, places) in enumerate(LAYERS):
        if any(relative == place or (place.endswith("/") and relative.startswith(place)) for place in places):
            return index
    raise AssertionError(f"{relative} belongs to no layer: add it to LAYERS")


def _imports(name: str, path: Path) -> list[tuple[str, list[str], bool, int]]:
    """(imported module, names taken, imported at module level, line) for each import of our own package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    top_level = {id(node) for node in tree.body}
    for node in tree.body:  # `if TYPE_CHECKING:` blocks count as module level
        if isinstance(node, ast.If):
            top_level.update(id(child) for child in node.body)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == "crossplan" or target.startswith("crossplan."):
                taken = [alias.name for alias in node.names]
                # `from . import views` takes a module
                modules = [f"{target}.{alias}" for alias in taken if f"{target}.{alias}" in MODULES]
                found.append((target, taken, id(node) in top_level, node.lineno))
                found.extend((module, [], id(node) in top_level, node.lineno) for module in modules)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("crossplan"):
                    found.append((alias.name, [], id(node) in top_level, node.lineno))
    return found


def test_every_module_belongs_to_a_layer():
    assert len(MODULES) > 40
    for path in MODULES.values():
        _layer(path)


def test_layers_import_downwards_only():
    wrong = []
    for name, path in MODULES.items():
        for target, _, _, line in _imports(name, path):
            if target in MODULES and _layer(MODULES[target]) > _layer(path):
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line} ({LAYERS[_layer(path)][0]}) imports {target} "
                    f"({LAYERS[_layer(MODULES[target])][0]})"
                )
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    graph = {
        name: {target for target, _, _, _ in _imports(name, path) if target in MODULES and target != name}
        for name, path in MODULES.items()
    }
    # a package's __init__ that re-exports its modules is not a cycle with them: drop module -> own package edges
    for name, targets in graph.items():
        graph[name] = {target for target in targets if not name.startswith(target + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_no_private_name_is_taken_from_another_module():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} takes {', '.join(n for n in taken if n.startswith('_'))} from {target}"
        for name, path in MODULES.items()
        for target, taken, _, line in _imports(name, path)
        if any(n.startswith("_") and not n.startswith("__") for n in taken)
    ]
    assert not wrong, "\n".join(wrong)


def test_our_own_modules_are_imported_at_the_top():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {target} inside a function"
        for name, path in MODULES.items()
        for target, _, top, line in _imports(name, path)
        if not top and path.relative_to(ROOT).as_posix() not in LAZY_IMPORTERS
    ]
    assert not wrong, "\n".join(wrong)


def test_modules_stay_readable():
    long = {
        path.relative_to(ROOT).as_posix(): count
        for path in MODULES.values()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert set(long) <= set(LONG_MODULES), f"over {MAX_LINES} lines: {long}"


#: modules tested through another module's tests, and why
TESTED_ELSEWHERE: dict[str, str] = {
    "graph/datafiles/parsed.py": "two dataclasses and the folder names, no behaviour of their own",
    "graph/serve/app.py": "the server is tested running, in a subprocess, through HTTP (tests/serve/)",
    "graph/serve/auth.py": "the server is tested running (tests/serve/test_serve.py: tokens, refusals)",
    "graph/serve/questions.py": "the server is tested running (tests/serve/test_serve.py: every question's page)",
    "graph/serve/tasks.py": "the worker tasks are tested through the running server (tests/serve/test_tasks.py)",
    "graph/serve/sparql.py": "the SPARQL protocol is tested against the running server (tests/serve/test_serve_protocol.py)",
    "graph/serve/views.py": "the server is tested running (tests/serve/test_serve.py, test_serve_browser.py)",
    "graph/serve/workspace.py": "the server is tested running (tests/serve/test_serve.py: generations, edits, accept)",
    "graph/views/report/charts.py": "the report is tested whole, HTML and PDF (tests/views/test_report.py)",
    "graph/views/report/contents.py": "the report is tested whole, HTML and PDF (tests/views/test_report.py)",
    "graph/views/report/render.py": "the report is tested whole, HTML and PDF (tests/views/test_report.py)",
    "graph/views/viz/layout.py": "positions are tested on the page and the view (tests/views/viz/test_view.py, test_page*.py)",
    "graph/views/viz/reading.py": "what is read is tested through build_view (tests/views/viz/test_view.py)",
    "graph/views/viz/styles.py": "constants, checked where drawn (tests/views/viz/test_mapping.py, test_page.py)",
    "graph/views/viz/svg.py": "the standalone SVG is tested with the drawing (tests/views/viz/test_mapping.py)",
}


def test_every_module_has_its_test_module():
    missing = []
    for path in MODULES.values():
        relative = path.relative_to(ROOT)
        if relative.parts[0] != "graph" or path.name == "__init__.py":
            continue
        folder = Path("tests", *relative.parts[1:-1])
        if not (ROOT / folder / f"test_{path.stem}.py").exists() and relative.as_posix() not in TESTED_ELSEWHERE:
            missing.append(f"{relative} has no {folder / ('test_' + path.stem + '.py')}")
    assert not missing, "\n".join(missing)
    assert all((ROOT / place).exists() for place in TESTED_ELSEWHERE), "a listed module no longer exists"


# -- the store interface: questions and views see a GraphStore, never which store it is ------------------------------

#: the concrete stores and what only they know, named nowhere outside graph/stores/
CONCRETE_STORES = {"CrossplanStore", "EndpointStore", "ServedStore"}
STORE_INTERNALS = {"crossplan.graph.stores.facts", "crossplan.graph.stores.embedded.CrossplanStore",
                   "crossplan.graph.stores.endpoint.EndpointStore", "crossplan.graph.stores.served.ServedStore"}  # fmt: skip
STORE_ENGINE_ATTRIBUTES = {"oxigraph", "graphs_stored", "fact_tables", "graph_store"}


def _outside_stores():
    for name, path in MODULES.items():
        relative = path.relative_to(ROOT).as_posix()
        if not relative.startswith("graph/stores/"):
            yield name, path, relative


def test_no_module_outside_stores_imports_a_concrete_store():
    wrong = [
        f"{relative}:{line} imports {target}{' (' + ', '.join(taken) + ')' if taken else ''}"
        for name, path, relative in _outside_stores()
        for target, taken, _, line in _imports(name, path)
        if target in STORE_INTERNALS
        or any(f"{target}.{item}" in STORE_INTERNALS or item in CONCRETE_STORES for item in taken)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_module_outside_stores_asks_which_store_it_has():
    wrong = []
    for _name, path, relative in _outside_stores():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("isinstance", "issubclass"):
                checked = ast.unparse(node.args[1]) if len(node.args) > 1 else ""
                if "store" in ast.unparse(node.args[0]).lower() or any(c in checked for c in CONCRETE_STORES):
                    wrong.append(f"{relative}:{node.lineno} {ast.unparse(node)}")
            if isinstance(node, ast.Attribute) and node.attr in STORE_ENGINE_ATTRIBUTES:
                wrong.append(f"{relative}:{node.lineno} reads .{node.attr}")
    assert not wrong, "\n".join(wrong)
