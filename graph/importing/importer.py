"""Import an action-plan table from a CSV, Excel (.xlsx) or Word (.docx) file as a new plan file.

``import_plan`` reads the file's tables (readers), finds the header row (headers), builds the recommendations
from the rows (builder), matches the organisations they name (organisations) and writes the plan as YAML
(yamlout). The new plan is validated with the rest of the data directory before anything is written.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from ..datafiles.datadir import writable_data_dir
from ..datafiles.loading import load_dataset
from ..datafiles.lock import data_dir_lock
from ..datafiles.parsed import PLANS_DIR
from ..datafiles.yamlfile import YamlList, YamlMapping, read_yaml
from ..errors import CrossplanError, DataError, Problem
from ..files import write_texts_atomically
from ..model.nodes import SLUG, Status
from ..output import counted
from ..rdf.validation import validate_data
from ..text import display_path, normalise_space, shown_name
from .builder import PlanBuilder, Recommendation
from .headers import check_mappings
from .organisations import OrganisationIndex
from .readers import Table, read_tables
from .yamlout import organisations_yaml, render_plan


@dataclass
class ImportResult:
    """What an import wrote (or, with ``dry_run``, would write)."""

    plan_id: str
    plan_path: Path
    plan_text: str
    source: str
    tables: str
    recommendations: int
    removed: int
    updates: int
    actions: int
    workstreams: int
    links: int
    unknown_organisations: list[str]
    added_organisations: list[tuple[str, str]]
    organisations_path: Path
    organisations_text: str | None
    written: bool
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Describe the import in a few lines, as the CLI prints it."""
        removed = f" ({self.removed} removed)" if self.removed else ""
        counts = (
            f"{counted(self.recommendations, 'recommendation')}{removed}, {counted(self.updates, 'update')}, "
            f"{counted(self.actions, 'action')}, {counted(self.workstreams, 'workstream')}, {counted(self.links, 'link')}"
        )
        where = display_path(self.plan_path)
        if self.written:
            lines = [f"Imported {counts} from {self.source} ({self.tables}) into {where}"]
        else:
            lines = [f"Dry run: would write {where} with {counts} from {self.source} ({self.tables}); nothing written"]
        organisations = display_path(self.organisations_path)
        if self.added_organisations:
            verb = "Added" if self.written else "Would add"
            added = ", ".join(f"{org_id} ({name})" for org_id, name in self.added_organisations)
            lines.append(f"{verb} {counted(len(self.added_organisations), 'organisation')} to {organisations}: {added}")
        if self.unknown_organisations:
            lines.append(
                f"Not in {organisations} (left out of addressed-to; add them with --add-organisations): "
                + "; ".join(self.unknown_organisations)
            )
        lines += [f"Warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)


def import_plan(
    source: Path | str,
    plan_id: str,
    data_dir: Path | str | None = None,
    *,
    title: str | None = None,
    mappings: dict[str, str] | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    add_organisations: bool = False,
) -> ImportResult:
    """Import an action-plan table as ``plans/<plan_id>.yaml`` of a data directory.

    ``source`` is a .csv, .xlsx or .docx file; ``mappings`` maps a column header to one of ``FIELDS``;
    ``sheet`` names the worksheet of an .xlsx file (default: the first) or the table number of a .docx file.
    The whole data set is validated with the new plan (and any organisations added with
    ``add_organisations``) before anything is written; ``dry_run`` writes nothing.
    Returns an ImportResult. Raises ImportFileError (naming file, sheet, row and column) when the file cannot
    be read, CrossplanError for a bad plan id, data directory or existing plan, and DataError when the result
    would not validate.
    """
    data_dir = writable_data_dir(
        data_dir,
        refusal="will not import into the shipped data: make a data directory of your own with "
        "`crossplan init DIR` and pass `--data DIR` (or set CROSSPLAN_DATA=DIR)",
    )
    if not SLUG.fullmatch(plan_id or ""):
        suggestion = re.sub(r"[^a-z0-9]+", "-", (plan_id or "").lower()).strip("-") or "my-plan"
        raise CrossplanError(
            f"plan id '{plan_id}' must be lower-case letters, digits and hyphens (e.g. '{suggestion}')"
        )
    plan_relpath = f"{PLANS_DIR}/{plan_id}.yaml"
    plan_path = data_dir / plan_relpath
    if plan_path.exists() and not force:
        raise CrossplanError(f"{display_path(plan_path)} already exists (use --force to replace it)")
    columns = check_mappings(mappings or {})
    source = Path(source)
    tables = read_tables(source, sheet)
    # held from reading the data to renaming the files, so that concurrent writers lose nothing
    with nullcontext() if dry_run else data_dir_lock(data_dir):
        if plan_path.exists() and not force:
            raise CrossplanError(f"{display_path(plan_path)} already exists (use --force to replace it)")
        dataset = load_dataset(data_dir, strict=False)
        organisations = OrganisationIndex.from_dataset(dataset, plan_id, add_organisations)
        builder = PlanBuilder(organisations, columns)
        builder.read(tables)
        builder.raise_problems()
        plan_title = normalise_space(title or "") or builder.title or _title_from_name(source)
        plan_text = render_plan(plan_id, plan_title, builder, _describe_source(source, tables))

        organisations_path = data_dir / "organisations.yaml"
        overrides = {plan_relpath: plan_text}
        organisations_text = None
        if organisations.added:
            organisations_text = organisations_yaml(organisations_path, organisations.added)
            overrides["organisations.yaml"] = organisations_text
        problems = validate_data(data_dir, overrides=overrides)
        if problems:
            raise DataError(_relocate(problems, display_path(plan_path), plan_text, builder.recommendations))
        if not dry_run:
            plan_path.parent.mkdir(exist_ok=True)
            written = {organisations_path: organisations_text} if organisations_text is not None else {}
            write_texts_atomically({**written, plan_path: plan_text})  # both files or neither
    recommendations = builder.recommendations
    return ImportResult(
        plan_id=plan_id,
        plan_path=plan_path,
        plan_text=plan_text,
        source=display_path(source),
        tables=_describe_tables(tables, builder.tables_used),
        recommendations=len(recommendations),
        removed=sum(1 for rec in recommendations if rec.progress.status is Status.REMOVED),
        updates=sum(len(rec.updates) for rec in recommendations),
        actions=sum(len(rec.actions) for rec in recommendations),
        workstreams=len(builder.workstreams),
        links=len(builder.links()),
        unknown_organisations=organisations.unknown,
        added_organisations=[(entry.id, entry.name) for entry in organisations.added],
        organisations_path=organisations_path,
        warnings=[warning for table in tables for warning in table.warnings],
        organisations_text=organisations_text,
        written=not dry_run,
    )


def _relocate(
    problems: list[Problem], plan_display: str, plan_text: str, recommendations: list[Recommendation]
) -> list[Problem]:
    """Point validation problems in the unwritten plan file at the rows they came from."""
    try:
        document = read_yaml(Path(plan_display), plan_display, plan_text)
        items = document.get("recommendations") if isinstance(document, YamlMapping) else None
        lines = list(items.item_lines) if isinstance(items, YamlList) else []
    except Exception:  # the text did not even parse: report the problems as they are
        lines = []
    relocated = []
    for problem in problems:
        if problem.path != plan_display:
            relocated.append(
                Problem(problem.path, problem.line, f"{problem.message} (with the imported plan; nothing was written)")
            )
            continue
        index = max((i for i, line in enumerate(lines) if line <= problem.line), default=None)
        if index is None or index >= len(recommendations):
            relocated.append(
                Problem(
                    problem.path,
                    problem.line,
                    f"{problem.message} (in the plan as it would be written: see --dry-run; nothing was written)",
                )
            )
            continue
        relocated.append(
            Problem(
                recommendations[index].place,
                0,
                f"{problem.message} (line {problem.line} of the plan as "
                "it would be written; see --dry-run; nothing was written)",
            )
        )
    return relocated


def _describe_source(source: Path, tables: list[Table]) -> str:
    if tables and tables[0].kind == "xlsx":
        return f"{shown_name(source.name)}, sheet {tables[0].name}"
    return shown_name(source.name)


def _describe_tables(tables: list[Table], used: list[Table]) -> str:
    kind = tables[0].kind
    if kind == "xlsx":
        return f"sheet {tables[0].name}"
    if kind == "csv":
        return f"{len(tables[0].rows)} rows"
    return ", ".join(table.name for table in used)


def _title_from_name(source: Path) -> str:
    return shown_name(" ".join(re.split(r"[-_\s]+", source.stem)).strip().capitalize() or source.name)
