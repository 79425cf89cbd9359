"""The resources shipped inside the package, read through importlib.resources."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def ontology_text() -> str:
    """Return the Turtle text of the crossplan ontology."""
    return (files("crossplan.ontology") / "crossplan.ttl").read_text(encoding="utf-8")


def shapes_text() -> str:
    """Return the Turtle text of the SHACL shapes."""
    return (files("crossplan.ontology") / "shapes.ttl").read_text(encoding="utf-8")


def shipped_data_dir() -> Path:
    """Return the directory of the shipped data (the two curated plans and their registries)."""
    return Path(str(files("crossplan.data")))


def queries_dir() -> Path:
    """Return the directory of the saved ``.rq`` queries."""
    return Path(str(files("crossplan.graph.questions.saved")))
