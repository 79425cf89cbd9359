"""Load a data directory of YAML plans and registries into a Dataset, and check references across its files.

Only this package (and the importer) reads the data files: each file is read by ``reader.parse_file``; this
module lists the files, gathers their nodes and links and checks ids and references between them. Every problem
is reported as ``file:line: what is wrong (and a likely fix)``; nothing is half-loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, Problem
from ..files import resolve_inside
from ..model.nodes import Link, Location, Node, NodeType
from ..resources import shipped_data_dir
from ..text import did_you_mean, display_path
from .parsed import PLANS_DIR, REGISTRY_FILES, SOURCES_DIR, ParsedFile, Reference
from .reader import parse_file


@dataclass
class Dataset:
    """The whole data directory, loaded: nodes by global id and every link."""

    data_dir: Path
    files: list[ParsedFile]
    nodes: dict[str, Node]
    links: list[Link]
    problems: list[Problem]

    def plans(self) -> list[Node]:
        return [node for node in self.nodes.values() if node.type is NodeType.PLAN]

    def source_path(self, document_id: str) -> Path | None:
        """Return the path of a document's shipped source text, if it has one."""
        document = self.nodes.get(document_id)
        if document is None or not document.source_file:
            return None
        # followed links included: a source text is never read from outside the data directory
        return resolve_inside(self.data_dir, self.data_dir / SOURCES_DIR / document.source_file)


def data_files(data_dir: Path) -> list[str]:
    """List the data files of a directory, as paths relative to it (registries first, then plans)."""
    names = [name for name in REGISTRY_FILES if (data_dir / name).is_file()]
    plans_dir = data_dir / PLANS_DIR
    if plans_dir.is_dir():
        names += sorted(
            f"{PLANS_DIR}/{path.name}"
            for path in plans_dir.iterdir()
            if path.suffix in (".yaml", ".yml") and path.is_file()
        )
    return names


def check_data_dir(data_dir: Path) -> None:
    """Raise DataError unless ``data_dir`` is a directory that looks like crossplan data."""
    if not data_dir.exists():
        raise DataError.at(display_path(data_dir), 0, "no such data directory (make one with `crossplan init DIR`)")
    if not data_dir.is_dir():
        raise DataError.at(display_path(data_dir), 0, "not a directory")
    if not data_files(data_dir):
        raise DataError.at(
            display_path(data_dir), 0, "no organisations.yaml, documents.yaml, programmes.yaml or plans/*.yaml here"
        )


def load_dataset(
    data_dir: Path | str | None = None, *, strict: bool = True, overrides: dict[str, str] | None = None
) -> Dataset:
    """Load and check every file of a data directory (default: the shipped data).

    ``overrides`` maps a relative path (``plans/new.yaml``) to YAML text that stands in for that file
    (or adds it), so a change can be checked before anything is written.
    Returns a Dataset; with ``strict`` (the default) raises DataError listing every problem instead.
    """
    data_dir = Path(data_dir) if data_dir is not None else shipped_data_dir()
    overrides = overrides or {}
    if not overrides:
        check_data_dir(data_dir)
    names = data_files(data_dir) if data_dir.is_dir() else []
    names += sorted(name for name in overrides if name not in names)
    files = [parse_file(data_dir, relpath, overrides.get(relpath)) for relpath in names]
    nodes: dict[str, Node] = {}
    links: list[Link] = []
    for parsed in files:
        for node in parsed.nodes:
            nodes.setdefault(node.id, node)
        links.extend(parsed.links)
    problems = [problem for parsed in files for problem in parsed.problems]
    if not any(parsed.unreadable for parsed in files):
        # an unreadable file defines ids we cannot see: checking references now would only add noise
        problems += check_references(files)
    dataset = Dataset(data_dir, files, nodes, links, sorted(set(problems)))
    if strict and dataset.problems:
        raise DataError(dataset.problems)
    return dataset


def definitions_of(files: list[ParsedFile]) -> list[tuple[str, str, Location]]:
    """Return (global id, node type, location) for every node the files define."""
    return [(node.id, node.type.value, node.location) for parsed in files for node in parsed.nodes]


def check_references(files: list[ParsedFile]) -> list[Problem]:
    """Check ids are unique and every reference names a node of the right type."""
    return check_definitions(definitions_of(files), [ref for parsed in files for ref in parsed.references])


def check_definitions(definitions: list[tuple[str, str, Location]], references: list[Reference]) -> list[Problem]:
    """Check a list of definitions for duplicate ids and a list of references against them."""
    problems: list[Problem] = []
    index: dict[str, tuple[str, Location]] = {}
    for global_id, kind, location in definitions:
        first = index.get(global_id)
        if first is not None:
            where = f"line {first[1].line}" if first[1].path == location.path else str(first[1])
            problems.append(
                Problem(location.path, location.line, f"duplicate id '{global_id}' (first defined at {where})")
            )
        else:
            index[global_id] = (kind, location)
    return problems + check_file_references(references, index)


def check_file_references(references: list[Reference], index: dict[str, tuple[str, Location]]) -> list[Problem]:
    """Check a list of references against an index of defined ids."""
    problems = []
    for reference in references:
        found = index.get(reference.target)
        location = reference.location
        if found is None:
            candidates = [
                gid for gid, (kind, _) in index.items() if not reference.expected or kind in reference.expected
            ]
            problems.append(
                Problem(
                    location.path,
                    location.line,
                    f"{reference.field} '{reference.target}' is not defined{did_you_mean(reference.target, candidates)}",
                )
            )
        elif reference.expected and found[0] not in reference.expected:
            wanted = " or ".join(reference.expected)
            problems.append(
                Problem(
                    location.path,
                    location.line,
                    f"{reference.field} '{reference.target}' is a {found[0]}, not a {wanted}",
                )
            )
    return problems
