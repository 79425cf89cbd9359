"""The examples in the package's docstrings run as written (doctest), against the installed package."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import crossplan
import crossplan.graph

# The library and the command line (walking crossplan.graph, not the checkout, which in an editable install
# also holds bench/ and tests/).
MODULES = ["crossplan", "crossplan.cli"] + sorted(
    info.name
    for info in pkgutil.walk_packages(crossplan.graph.__path__, prefix="crossplan.graph.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
