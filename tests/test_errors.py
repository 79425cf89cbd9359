"""Every error the library raises to its callers is declared in ``errors.py`` and is a ``CrossplanError``, so the
CLI (and a notebook) can catch them all in one place."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import crossplan
import crossplan.graph
from crossplan.graph import errors

# Control flow inside the HTTP server, turned into responses there and never raised to a caller; and warnings.
INTERNAL = {
    "crossplan.graph.serve.sparql.ProtocolError",
    "crossplan.graph.serve.auth.Refusal",
    "crossplan.graph.serve.views.Timeout",
    "crossplan.graph.serve.views.Failed",
    "crossplan.graph.rdf.shapecheck.Unsupported",  # caught in compile_shapes: never leaves the module
    "crossplan.graph.suggest.corpus._ReadEverything",  # caught in Corpus: never leaves the module
    "crossplan.graph.suggest.everywhere.RankDamaged",  # caught in suggest_links: it then ranks from the store
}


def test_every_exception_is_declared_in_errors_and_is_a_crossplan_error():
    found = []
    for info in pkgutil.walk_packages(crossplan.graph.__path__, prefix="crossplan.graph."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Exception) and not issubclass(value, Warning):
                if value.__module__ == info.name and f"{info.name}.{name}" not in INTERNAL:
                    found.append(f"{info.name}.{name}")
    assert all(name.startswith("crossplan.graph.errors.") for name in found), found
    declared = [value for value in vars(errors).values() if inspect.isclass(value) and issubclass(value, Exception)]
    assert all(issubclass(value, errors.CrossplanError) for value in declared)
    assert {"StoreError", "LocalOnlyError", "VizOptionError", "ServeError"} <= {value.__name__ for value in declared}
