"""crossplan: see how one government plan depends on another.

A thin click front end: each command reads its options, calls one public function of the ``graph``
package and prints the result. Heavy libraries are imported inside the commands that need them.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .graph import __version__, settings
from .graph.questions.registry import QUESTIONS

if TYPE_CHECKING:  # the library is imported by the commands that use it (see tests/project/test_imports.py)
    from .graph.stores.protocol import GraphStore, LocalStore

# numpy is imported later, by the commands that use it: its BLAS (the products of ``suggest FROM``'s bounds) then
# runs on one thread unless told otherwise, as OpenBLAS's waiting threads spin and cost more CPU than they save
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class AppContext:
    """Options shared by every command, resolved once by the group callback."""

    def __init__(
        self,
        data_dir: Path | None = None,
        store_path: Path | None = None,
        endpoint: str | None = None,
        ends_process: bool = False,
    ):
        self.data_dir = data_dir
        self.store_path = store_path
        self.endpoint = endpoint
        self.ends_process = ends_process  # the command is the last thing its process does (``run``)
        self._store: LocalStore | None = None
        self._endpoint_store: GraphStore | None = None

    def store(self) -> GraphStore:
        """Return what questions are asked of: the SPARQL server given by --endpoint, else the embedded store."""
        if self.endpoint:
            if self._endpoint_store is None:
                from .graph.stores.endpoint import open_endpoint

                self._endpoint_store = open_endpoint(
                    self.endpoint, warn=lambda message: click.echo(f"Warning: {message}", err=True)
                )
            return self._endpoint_store
        return self.local_store()

    def local_store(self) -> LocalStore:
        """Open (building or refreshing where needed) the embedded store of the data directory."""
        if self._store is None:
            from .graph.stores.embedded import open_store

            self._store = open_store(self.data_dir, self.store_path)
            if self._store.report is not None and self._store.report.warning:
                click.echo(f"Warning: {self._store.report.warning}", err=True)
        return self._store


pass_app = click.make_pass_decorator(AppContext, ensure=True)


# The sections of `crossplan --help`, in the order a newcomer meets them; commands in the order of their task.
COMMAND_SECTIONS: dict[str, tuple[str, ...]] = {
    "Asking the graph": (
        "mapping",
        "show",
        "impact",
        "path",
        "overdue",
        "gaps",
        "duplicates",
        "stats",
        "query",
        "queries",
    ),
    "Drawing and reporting": ("viz", "report"),
    "Exporting and servers": ("export", "push", "serve"),
    "Adding data": ("init", "template", "import", "validate", "build", "settings"),
    "Reviewing links": ("suggest", "review", "accept", "reject"),
}


class CrossplanGroup(click.Group):
    """A group that turns the library's typed errors into short messages and never shows a traceback."""

    def list_commands(self, ctx):
        ordered = [name for names in COMMAND_SECTIONS.values() for name in names if name in self.commands]
        return ordered + sorted(set(self.commands) - set(ordered))

    def format_commands(self, ctx, formatter):
        """List the commands by task, each with the whole first line of its help."""
        placed = set()
        longest = max((len(name) for name in self.commands), default=0)
        for section, names in [*COMMAND_SECTIONS.items(), ("Other commands", tuple(self.list_commands(ctx)))]:
            rows = []
            for name in names:
                command = self.get_command(ctx, name)
                if command is None or command.hidden or name in placed:
                    continue
                placed.add(name)
                rows.append((name.ljust(longest), command.get_short_help_str(limit=1000)))
            if rows:
                with formatter.section(section):
                    formatter.write_dl(rows)

    def invoke(self, ctx):
        from .graph.errors import CrossplanError, DataError
        from .graph.text import terminal_text  # messages quote data: nothing in them may drive the terminal

        # Fewer collections of the cyclic garbage collector (as mypy does): a command reads tens of thousands of
        # small lists and strings (the per-file tables at a million triples), none of them cyclic, and the default
        # thresholds re-walk them over and over; this makes `duplicates`, `overdue` and `stats` a quarter quicker.
        gc.set_threshold(100_000, 50, 100)
        try:
            return super().invoke(ctx)
        except DataError as error:
            for problem in error.problems:
                click.echo(terminal_text(str(problem)), err=True)
            count = len(error.problems)
            raise click.exceptions.Exit(1) if count == 1 else _fail(f"{count} problems found") from None
        except CrossplanError as error:
            raise click.ClickException(terminal_text(str(error), keep_newlines=True)) from None
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            sys.stderr.close()
            raise click.exceptions.Exit(1) from None
        except ModuleNotFoundError as error:
            raise _missing_dependency(error) from None
        except MemoryError:
            # an input too large for this machine, not a bug (queries have their own memory limit)
            raise click.ClickException("out of memory: the input or the result is too large for this machine") from None
        except (UnicodeError, ValueError) as error:
            argument = _not_utf8_argument()
            if argument is None:
                raise _internal_error(error) from None
            raise click.ClickException(
                f"the argument '{argument}' holds a byte that is not UTF-8: give it as UTF-8 text"
            ) from None
        except (OSError, RuntimeError) as error:
            from .graph.stores.faults import store_fault_message

            message = store_fault_message(error, ctx.find_object(AppContext))
            if message is None:
                raise _internal_error(error) from None
            raise click.ClickException(message) from None
        except Exception as error:  # pragma: no cover - the last line of defence
            raise _internal_error(error) from None


def _not_utf8_argument() -> str | None:
    """Return the first command-line argument holding a byte that is not UTF-8 (shown with ``\\xff``), or None."""
    from .graph.text import shown_name

    for argument in sys.argv[1:]:
        if any(0xDC80 <= ord(character) <= 0xDCFF for character in argument):
            return shown_name(argument)
    return None


def _internal_error(error: Exception) -> click.ClickException:
    if settings.DEBUG.value():
        raise error
    return click.ClickException(
        f"internal error, this is a bug: {type(error).__name__}: {error} (set CROSSPLAN_DEBUG=1 for the traceback)"
    )


# Import names whose distribution on PyPI is spelled differently.
_DISTRIBUTIONS = {"yaml": "PyYAML", "docx": "python-docx", "ruamel": "ruamel.yaml", "sklearn": "scikit-learn"}


def _missing_dependency(error: ModuleNotFoundError) -> click.ClickException:
    """A dependency that is not installed is an installation problem, named as one, not a bug."""
    module = (error.name or "").split(".")[0]
    if not module or module == "crossplan":
        return click.ClickException(f"internal error, this is a bug: ModuleNotFoundError: {error}")
    distribution = _DISTRIBUTIONS.get(module, module)
    return click.ClickException(
        f"the Python package {distribution!r} is not installed in this environment ({sys.executable});"
        f" install crossplan's dependencies with: pip install crossplan  (or: pip install {distribution})"
    )


def _completion_app(ctx) -> AppContext:
    """The data and store options typed so far (completion parses the line but runs no group callback)."""
    app = ctx.find_object(AppContext) or AppContext()
    root = ctx.find_root().params
    return AppContext(app.data_dir or root.get("data"), app.store_path or root.get("store"))


def _complete_plans(ctx, param, incomplete):
    from .graph.completion import complete_ids

    app = _completion_app(ctx)
    return complete_ids(incomplete, app.data_dir, app.store_path, plans_only=True)


def _complete_nodes(ctx, param, incomplete):
    from .graph.completion import complete_ids

    app = _completion_app(ctx)
    return complete_ids(incomplete, app.data_dir, app.store_path)


def _complete_queries(ctx, param, incomplete):
    from .graph.completion import complete_saved_queries

    return complete_saved_queries(incomplete)


def _complete_export_formats(ctx, param, incomplete):
    from .graph.views.export import export_formats

    return [name for name in export_formats() if name.startswith(incomplete)]


def _fail(message: str) -> click.ClickException:
    return click.ClickException(message)


def _finite_seconds(ctx, param, value):
    if value is not None and value != value:  # nan passes every comparison of FloatRange
        raise click.BadParameter("not a number of seconds")
    return value


def _set_data(ctx, param, value):
    if value is not None:
        ctx.ensure_object(AppContext).data_dir = value
    return value


def _set_store(ctx, param, value):
    if value is not None:
        ctx.ensure_object(AppContext).store_path = value
    return value


def data_options(command):
    """Add ``--data`` and ``--store`` to a command (they may also be given before the command name)."""
    command = click.option(
        "--store",
        type=click.Path(file_okay=False, path_type=Path),
        callback=_set_store,
        expose_value=False,
        is_eager=True,
        help="Store directory (default: a per-data-directory cache).",
    )(command)
    command = click.option(
        "--data",
        type=click.Path(file_okay=False, path_type=Path),
        callback=_set_data,
        expose_value=False,
        is_eager=True,
        help="Data directory (default: $CROSSPLAN_DATA or the shipped plans).",
    )(command)
    return command


def _set_endpoint(ctx, param, value):
    if value is not None:
        ctx.ensure_object(AppContext).endpoint = value
    return value


def endpoint_option(command):
    """Add ``--endpoint URL`` to a command (it may also be given before the command name, or as $CROSSPLAN_ENDPOINT)."""
    return click.option(
        "--endpoint",
        metavar="URL",
        callback=_set_endpoint,
        expose_value=False,
        is_eager=True,
        help="Ask this SPARQL 1.1 endpoint instead of the embedded store (default: $CROSSPLAN_ENDPOINT).",
    )(command)


def guards_output(function):
    """Add ``--force`` to a command that writes ``-o/--output``, and refuse an output over data without it.

    The check (``graph.files.check_output``) runs before the command does anything: nothing is written.
    """
    import functools

    @functools.wraps(function)
    def checked(*args, force_output=False, **kwargs):
        from .graph.files import check_output
        from .graph.resources import shipped_data_dir

        if kwargs.get("output") is not None:
            app = click.get_current_context().find_object(AppContext) or AppContext()
            check_output(kwargs["output"], [app.data_dir, shipped_data_dir()], force=force_output)
        return function(*args, **kwargs)

    return click.option(
        "--force",
        "force_output",
        is_flag=True,
        help="Write -o/--output even over a file of the data directory or a .yaml/.yml file.",
    )(checked)


def format_option(*choices: str, default: str | None = None):
    """Add ``--format`` with the given choices (the first is the default unless one is named)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help="Output format.",
    )


@click.group(
    cls=CrossplanGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=f"Settings: the environment variables {', '.join(settings.SETTINGS)}; `crossplan settings` lists them.",
)
@click.version_option(__version__, "--version", prog_name="crossplan", message="%(prog)s %(version)s")
@click.option(
    "--data",
    envvar=settings.DATA.name,
    type=click.Path(file_okay=False, path_type=Path),
    help="Data directory (default: $CROSSPLAN_DATA or the shipped plans).",
)
@click.option(
    "--store",
    envvar=settings.STORE.name,
    type=click.Path(file_okay=False, path_type=Path),
    help="Store directory (default: a per-data-directory cache).",
)
@click.option(
    "--endpoint",
    envvar=settings.ENDPOINT.name,
    metavar="URL",
    help="Ask this SPARQL 1.1 endpoint instead of the embedded store (default: $CROSSPLAN_ENDPOINT).",
)
@click.pass_context
def main(ctx, data, store, endpoint):
    """See how one government plan depends on another: build, query, explore and export the plans' graph."""
    app = ctx.ensure_object(AppContext)
    app.data_dir = data
    app.store_path = store
    app.endpoint = endpoint


@main.command()
@data_options
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL shapes (YAML, reference and quote checks only).")
@pass_app
def validate(app, no_shacl):
    """Check the data: YAML, ids and references, quotes against sources, SHACL shapes."""
    from .graph.rdf.validation import validate_data
    from .graph.resources import shipped_data_dir
    from .graph.stores.manifest import default_store_path
    from .graph.text import terminal_text

    store = app.store_path or default_store_path(app.data_dir or shipped_data_dir())  # each file's results kept there
    problems = validate_data(app.data_dir, shacl=not no_shacl, cache_dir=store)
    if not problems:
        click.echo("No problems found", err=True)
        return
    for problem in problems:
        click.echo(terminal_text(str(problem)), err=True)  # messages quote the data: escaped, never obeyed
    raise _fail(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")


@main.command()
@data_options
@click.option("--rebuild", is_flag=True, help="Rebuild everything, not only the files that changed.")
@pass_app
def build(app, rebuild):
    """Compile the data into the embedded Oxigraph store (only the files that changed)."""
    from .graph.output import counted
    from .graph.stores.build import SUGGEST_INDEX
    from .graph.stores.embedded import build_store, open_store
    from .graph.text import display_path

    report = build_store(app.data_dir, app.store_path, rebuild=rebuild)
    assert report.store_path is not None  # build_store never falls back to an in-memory store
    where = display_path(report.store_path)
    if (report.parsed and not report.reused) or not (report.store_path / SUGGEST_INDEX).is_dir():
        # a whole new store: suggest's text index made now, so the first `suggest` only reads
        from .graph.suggest.corpus import make_index

        make_index(open_store(app.data_dir, app.store_path))
    elif report.parsed:
        # some files rebuilt: the index entries of the plans that changed (the cost of those plans), unless many
        # are (then the next `suggest` makes them); the up-to-date check reads nothing of it (nor imports numpy)
        from .graph.suggest.corpus import update_index

        update_index(open_store(app.data_dir, app.store_path))
    if not report.changed:
        click.echo(f"Store is up to date: {counted(len(report.reused), 'file')} in {where}", err=True)
        return
    click.echo(
        f"Built {where}: {counted(len(report.parsed), 'file')} parsed, {len(report.reused)} reused, "
        f"{len(report.removed)} removed, {report.quads_added} triples added in {report.seconds:.2f} s",
        err=True,
    )


@main.command()
@data_options
@click.option(
    "--format",
    "output_format",
    required=True,
    metavar="FORMAT",
    shell_complete=_complete_export_formats,
    help="RDF: turtle, ntriples, nquads, trig, jsonld, rdfxml; jsonld-context (the JSON-LD context alone); "
    "graph tools: graphml, gexf; spreadsheets: csv (a zip, or two files into an existing directory).",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write to this file (atomically) instead of stdout."
)
@click.option(
    "--plan",
    "plans",
    multiple=True,
    metavar="ID",
    shell_complete=_complete_plans,
    help="Only this plan (repeatable); registries are always included.",
)
@guards_output
@pass_app
def export(app, output_format, output, plans):
    """Export the whole graph (or some plans) as RDF, for graph tools (Gephi, Cytoscape) or for spreadsheets."""
    from .graph.views.export import export_formats, export_graph

    if output_format not in export_formats():
        raise click.BadParameter(
            f"'{output_format}' is not one of: {', '.join(export_formats())}", param_hint="--format"
        )
    data = export_graph(app.local_store(), output_format, output, plans or None)
    if data is not None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    elif output.is_dir():
        click.echo(f"Wrote nodes.csv and links.csv in {output}", err=True)
    else:
        click.echo(f"Wrote {output}", err=True)


@main.command("settings")
def settings_command():
    """List the CROSSPLAN_* environment variables: each one's value now, default and meaning."""
    click.echo(settings.format_settings(), nl=False)


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--with-shipped", is_flag=True, help="Start from a copy of the shipped plans and registries.")
def init_command(directory, with_shipped):
    """Make a data directory of your own (empty registries, or a copy of the shipped data)."""
    from .graph.datafiles.datadir import init_data_dir

    click.echo(init_data_dir(directory, with_shipped=with_shipped).summary(), err=True)


def _split_mappings(ctx, param, values):
    from .graph.errors import CrossplanError
    from .graph.importing.headers import parse_mapping

    try:
        return dict(parse_mapping(value) for value in values)
    except CrossplanError as error:
        raise click.BadParameter(str(error)) from None


@main.command("import")
@data_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan-id", required=True, metavar="ID", help="Id of the new plan (its file is plans/ID.yaml).")
@click.option("--title", help="Plan title (default: the document's or table's title, or the file name).")
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="COLUMN=FIELD",
    callback=_split_mappings,
    help="Read a column as a field (repeatable); FIELD: number, id, text, response, update, action, owner, "
    "target-date, status, timescale, workstream, addressed-to, note or ignore.",
)
@click.option(
    "--sheet", metavar="NAME", help="Worksheet of an .xlsx file (default: the first), or table number of a .docx file."
)
@click.option("--dry-run", is_flag=True, help="Print the plan file that would be written; write nothing.")
@click.option("--force", is_flag=True, help="Replace an existing plan file of that id (and its saved source).")
@click.option("--add-organisations", is_flag=True, help="Add organisations not in organisations.yaml to it.")
@pass_app
def import_command(app, file, plan_id, title, mappings, sheet, dry_run, force, add_organisations):
    """Import a published plan (PDF, Word, web page) or an action-plan table as a new draft plan.

    Reads .pdf, .docx, .html/.htm, .csv and .xlsx; the draft is validated before it is written. A document's layout is recognised and reported ("Read as: ..."); its extracted text is saved with the plan as
    its source, and each item's review: list names the fields to check."""
    from .graph.importing.importer import import_plan

    result = import_plan(
        file,
        plan_id,
        app.data_dir,
        title=title,
        mappings=mappings,
        sheet=sheet,
        dry_run=dry_run,
        force=force,
        add_organisations=add_organisations,
    )
    if dry_run:
        click.echo(result.plan_text, nl=False)
    click.echo(result.summary(), err=True)


@main.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "xlsx"]),
    help="Template format (default: from the -o file name, else csv).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: action-plan-template.csv or .xlsx); never overwritten.",
)
def template(output_format, output):
    """Write an empty action-plan template with the expected columns and one example row."""
    from .graph.datafiles.datadir import TEMPLATE_COLUMNS, write_template

    path = write_template(output or Path(f"action-plan-template.{output_format or 'csv'}"), output_format)
    click.echo(f"Wrote {path} ({len(TEMPLATE_COLUMNS)} columns; replace the example rows with your plan)", err=True)


# -- asking the graph: SPARQL, saved queries and ready-made questions -----------------------------------

_QUESTION_FORMATS = ("table", "csv", "json")


def _split_parameters(ctx, param, values):
    from .graph.errors import QueryError
    from .graph.questions.query import parse_parameters

    try:
        return parse_parameters(values)
    except QueryError as error:
        raise click.BadParameter(str(error)) from None


@main.command()
@data_options
@endpoint_option
@click.argument("text", required=False, metavar="QUERY|NAME", shell_complete=_complete_queries)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.File("rb"),
    help="Read the query from a .rq file ('-' for stdin).",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_split_parameters,
    help="Bind a parameter of the query as a value (repeatable).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "tsv", "json", "markdown", "turtle", "ntriples", "jsonld"]),
    help="Output format (default: table on a terminal, else csv; turtle for CONSTRUCT/DESCRIBE).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True, max=86_400),
    callback=_finite_seconds,
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop the query after this long.",
)
@click.option(
    "--full-iris",
    is_flag=True,
    help="CSV with full IRIs (the SPARQL results format) instead of ids and prefixed names.",
)
@pass_app
def query(app, text, query_file, params, output_format, timeout, full_iris):
    """Run a read-only SPARQL query (argument, -f FILE or stdin) or a saved query by NAME."""
    from .graph.questions.query import run_query
    from .graph.sparql.results import format_result
    from .graph.sparql.workers import engine_failure, run_in_child

    if text is not None and query_file is not None:
        raise click.UsageError("give the query either as an argument or with -f FILE, not both")
    if text is None:
        text = _read_query(query_file)

    def answer() -> str:  # in a forked child, which opens the store: an abort inside the engine ends it alone
        result = run_query(app.store(), text, params, timeout=timeout)
        warning = f"only the first {len(result.rows or result.triples)} results are shown; add a LIMIT"
        output = format_result(result, output_format, terminal=sys.stdout.isatty(), full_iris=full_iris)
        return json.dumps({"warning": warning if result.truncated else None, "output": output})

    import pyoxigraph  # noqa: F401 - the child needs it: imported once, before the fork, not after it

    answered = json.loads(run_in_child(answer, lambda number: engine_failure(text, number)))
    if answered["warning"]:
        click.echo(f"Warning: {answered['warning']}", err=True)
    click.echo(answered["output"], nl=False)


def _read_query(stream) -> str:
    """Read a query from a file opened in binary (or stdin), refusing text that is not UTF-8 with where it fails."""
    from .graph.text import display_path

    stream = stream if stream is not None else sys.stdin.buffer
    name = getattr(stream, "name", "-")
    data = stream.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        where = display_path(Path(name)) if isinstance(name, str) and name not in ("-", "<stdin>") else "standard input"
        raise _fail(f"{where}: the query is not UTF-8 at byte {error.start}") from None


@main.command()
@click.argument("names", nargs=-1, metavar="[NAME]...", shell_complete=_complete_queries)
@format_option("table", "json")
def queries(names, output_format):
    """List the saved queries (or print the text of the ones named)."""
    from .graph.questions.query import format_saved_queries, saved_queries, saved_query

    chosen = [saved_query(name) for name in names] if names else saved_queries()
    click.echo(format_saved_queries(chosen, output_format, full=bool(names)), nl=False)


@main.command()
@data_options
@endpoint_option
@click.argument("from_plan", metavar="FROM_PLAN", shell_complete=_complete_plans)
@click.argument("to_plan", metavar="TO_PLAN", shell_complete=_complete_plans)
@click.option(
    "--matrix",
    is_flag=True,
    help="A recommendations × workstreams matrix instead of the list; with --format csv, json or xlsx, "
    "the matrix as data (cells name the linked items, relation, basis and link number).",
)
@format_option(*_QUESTION_FORMATS, "xlsx")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of stdout (needed for xlsx on a terminal).",
)
@guards_output
@pass_app
def mapping(app, from_plan, to_plan, matrix, output_format, output):
    """Show how one plan's recommendations map onto another plan's workstreams and recommendations."""
    from .graph.questions.mapping import find_mapping, format_mapping
    from .graph.views.matrix import MATRIX_FORMATS, write_matrix, write_output

    if output_format == "xlsx" and not matrix:
        raise click.UsageError("--format xlsx writes the matrix: add --matrix")
    if matrix and output_format in MATRIX_FORMATS:
        if output is None and MATRIX_FORMATS[output_format].binary and sys.stdout.isatty():
            raise click.UsageError(f"{output_format} is binary: write it to a file with -o FILE.{output_format}")
        data = write_matrix(app.store(), from_plan, to_plan, output_format, output)
    else:
        data = format_mapping(find_mapping(app.store(), from_plan, to_plan), output_format, matrix=matrix).encode(
            "utf-8"
        )
        if output is not None:
            write_output(output, data)
            data = None
    if data is not None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        click.echo(f"Wrote {output}", err=True)


@main.command()
@data_options
@endpoint_option
@click.argument("from_plan", metavar="[FROM_PLAN", required=False)
@click.argument("to_plan", metavar="TO_PLAN]", required=False)
@click.option("--plan", metavar="ID", help="A briefing of this one plan alone.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("crossplan-report.html"),
    show_default=True,
    help="Write the briefing here: .html (one self-contained page) or .pdf (A4).",
)
@click.option(
    "--as-of", metavar="DATE", help="Count as overdue what falls due before this day (YYYY-MM-DD; default today)."
)
@guards_output
@pass_app
def report(app, from_plan, to_plan, plan, output, as_of):
    """Write a briefing of two plans (or --plan ID, or every linked pair) as HTML or PDF, every figure from the graph."""
    from .graph.views.report import make_report

    if to_plan is None and from_plan is not None:
        raise click.UsageError("give two plans (FROM_PLAN TO_PLAN), or --plan ID for one plan")
    result = make_report(app.store(), output, from_plan, to_plan, plan=plan, as_of=as_of)
    pairs = (
        ", ".join(f"{pair.matrix.from_plan} → {pair.matrix.to_plan}" for pair in result.pairs) or "no pairs"
        if len(result.pairs) <= 3
        else f"{len(result.pairs)} pairs of plans"
    )
    click.echo(f"Wrote {output} ({len(result.plans)} plan{'s' if len(result.plans) != 1 else ''}; {pairs})", err=True)


def _question_parameter(argument):
    """The click argument or option(s) of a question's argument (``graph/questions/registry.py``)."""
    complete = {"plan": _complete_plans, "node": _complete_nodes}.get(argument.kind)
    if argument.positional:
        return click.argument(argument.name, metavar=argument.metavar, shell_complete=complete)
    option = "--" + argument.name.replace("_", "-")
    if argument.flags:
        flags = [
            click.option(f"--{choice}", argument.name, flag_value=choice, help=text)
            if choice != argument.default
            else click.option(f"--{choice}", argument.name, flag_value=choice, default=True, help=text)
            for choice, text in zip(argument.choices, argument.flag_help, strict=True)
        ]
        return lambda function: functools.reduce(lambda inner, flag: flag(inner), reversed(flags), function)
    if argument.kind == "number":
        default = int(argument.default) if argument.default else None
        return click.option(
            option,
            argument.name,
            type=click.IntRange(min=1),
            default=default,
            show_default=default is not None,
            metavar=argument.metavar or None,
            help=argument.help,
        )
    return click.option(
        option,
        argument.name,
        multiple=argument.multiple,
        metavar=argument.metavar or None,
        shell_complete=complete,
        help=argument.help,
    )


def _question_command(question):
    """Add the command of a registered question: its arguments, ``--format``, and one call of its finder."""

    def command(app, output_format, **values):
        answer = question.find(app.store(), *(values[argument.name] for argument in question.arguments))
        click.echo(question.format(answer, output_format), nl=False)

    command.__doc__ = question.description
    function = format_option(*question.formats)(pass_app(command))
    for argument in reversed(question.arguments):
        function = _question_parameter(argument)(function)
    main.command(question.name)(data_options(endpoint_option(function)))


for _question in QUESTIONS.values():
    if _question.name not in main.commands:  # a command written out here (mapping: its matrix) comes first
        _question_command(_question)


# -- suggested links: rank, accept, reject, review ----------------------------------------------------


def suggestion_options(command, to_required=True):
    """Add FROM_PLAN TO_PLAN and the ranking options shared by ``suggest`` and ``review``."""
    command = click.option(
        "--type",
        "item_types",
        multiple=True,
        type=click.Choice(["recommendation", "action", "workstream"]),
        help="Only items of this kind (repeatable; default: all three).",
    )(command)
    command = click.option(
        "--min-score",
        type=click.FloatRange(0, 1),
        default=0.05,
        show_default=True,
        metavar="S",
        help="Leave out candidates scoring less than S.",
    )(command)
    command = click.option(
        "--top",
        type=click.IntRange(min=1),
        default=3,
        show_default=True,
        metavar="K",
        help="At most K candidates per item of FROM_PLAN.",
    )(command)
    command = click.argument(
        "to_plan",
        metavar="TO_PLAN" if to_required else "[TO_PLAN]",
        required=to_required,
        shell_complete=_complete_plans,
    )(command)
    return click.argument("from_plan", metavar="FROM_PLAN", shell_complete=_complete_plans)(command)


def _relation(ctx, param, value):
    from .graph.model.nodes import Relation

    if value is not None and value not in Relation.spellings():
        raise click.BadParameter(f"'{value}' is not one of: {', '.join(Relation.spellings())}")
    return value


def _check_choice(choice):
    if not (len(choice) == 2 or (len(choice) == 1 and choice[0].isdigit())):
        raise click.UsageError("give a suggestion number (from the last `crossplan suggest`) or two item ids FROM TO")


@main.command()
@data_options
@functools.partial(suggestion_options, to_required=False)
@click.option("--include-existing", is_flag=True, help="Rank links already in the data too (flagged as existing).")
@format_option("table", "json", "csv")
@pass_app
def suggest(app, from_plan, to_plan, top, min_score, item_types, include_existing, output_format):
    """Suggest links from the items of one plan to another's (without TO_PLAN: every other plan's), with evidence."""
    from .graph.memory import collector_paused, keep_freed_memory
    from .graph.suggest.review import format_suggestions, list_suggestions

    keep_freed_memory()
    # a ranking leaves no cycles worth collecting (18 passes, 25 ms at 1M; peak memory the same); in a process that
    # ends with the command, what it leaves is never walked either (the collector took 90 ms of it at exit at 1M)
    with collector_paused(leave=app.ends_process):
        found = list_suggestions(
            app.store(),
            from_plan,
            to_plan,
            top=top,
            min_score=min_score,
            include_existing=include_existing,
            item_types=item_types or None,
        )
    if output_format == "table" and found:
        from .graph.suggest.similar import say_top

        click.echo(say_top(found, top, from_plan))
    click.echo(format_suggestions(found, output_format), nl=False)


@main.command()
@data_options
@click.argument("choice", nargs=-1, required=True, metavar="NUMBER | FROM TO")
@click.option("--relation", callback=_relation, metavar="RELATION", help="The relation (default: the one proposed).")
@click.option("--quote", help="Words of FROM's source to quote instead of the best-matching sentence.")
@click.option("--target-quote", help="Words of TO's source to quote instead of the best-matching sentence.")
@click.option("--note", help="Why the link holds (kept with the link).")
@click.option("--force", is_flag=True, help="Accept the link even though the pair was rejected.")
@pass_app
def accept(app, choice, relation, quote, target_quote, note, force):
    """Write a suggested link (a number from the last `suggest`, or FROM TO) into its plan's YAML."""
    from .graph.suggest.review import accept_suggestion
    from .graph.text import display_path

    _check_choice(choice)
    written = accept_suggestion(
        app.store(), choice, relation=relation, quote=quote, target_quote=target_quote, note=note, force=force
    )
    click.echo(
        f"Added {written.description} (basis suggested) at {display_path(written.path)}:{written.line}", err=True
    )


@main.command()
@data_options
@click.argument("choice", nargs=-1, required=True, metavar="NUMBER | FROM TO")
@click.option("--note", help="Why the link is wrong (kept with the rejection).")
@pass_app
def reject(app, choice, note):
    """Remember that a suggested link is wrong, so that it is never suggested again."""
    from .graph.suggest.review import reject_suggestion
    from .graph.text import display_path

    _check_choice(choice)
    written = reject_suggestion(app.store(), choice, note=note)
    click.echo(f"Rejected {written.description} (remembered in {display_path(written.path)}:{written.line})", err=True)


@main.command()
@data_options
@suggestion_options
@pass_app
def review(app, from_plan, to_plan, top, min_score, item_types):
    """Walk the suggested links between two plans one by one: accept, reject, skip or quit."""
    from .graph.suggest.review import REVIEW_CHOICES, review_suggestions

    prompt = ", ".join(f"[{key}]{word[1:]}" for key, word in REVIEW_CHOICES.items())
    ask = lambda: click.prompt(prompt, type=click.Choice(list(REVIEW_CHOICES)), show_choices=False)  # noqa: E731
    summary = review_suggestions(
        app.store(),
        from_plan,
        to_plan,
        ask=ask,
        tell=click.echo,
        top=top,
        min_score=min_score,
        item_types=item_types or None,
    )
    click.echo(summary)


@main.command()
@data_options
@click.option(
    "--endpoint",
    metavar="URL",
    callback=_set_endpoint,
    expose_value=False,
    is_eager=True,
    help="The server's SPARQL query endpoint (default: $CROSSPLAN_ENDPOINT).",
)
@click.option(
    "--graph", metavar="IRI", help="Put everything into this one named graph (default: one per plan and per registry)."
)
@click.option(
    "--replace",
    is_flag=True,
    help="Replace graphs the server already holds (and drop those of plans no longer in the data).",
)
@click.option("--graph-store", metavar="URL", help="Graph Store Protocol endpoint (default: derived from --endpoint).")
@click.option(
    "--update-endpoint",
    metavar="URL",
    help="SPARQL Update endpoint, used where there is no Graph Store (default: derived).",
)
@pass_app
def push(app, graph, replace, graph_store, update_endpoint):
    """Load the graph into a SPARQL 1.1 server: one named graph per plan, through the Graph Store Protocol."""
    from .graph.stores.push import push_graph

    if not app.endpoint:
        raise click.UsageError("give the server's SPARQL endpoint with --endpoint URL (or set CROSSPLAN_ENDPOINT)")
    report = push_graph(
        app.local_store(), app.endpoint, graph=graph, replace=replace, graph_store=graph_store, update=update_endpoint
    )
    click.echo(report.summary(), nl=False, err=True)


@main.command()
@data_options
@endpoint_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("crossplan-graph.html"),
    show_default=True,
    help="Write the page to this file.",
)
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default web browser.")
@click.option(
    "--plan", "plans", multiple=True, metavar="ID", help="Only this plan's items and what they link to (repeatable)."
)
@click.option("--focus", metavar="ID", help="Only the nodes around this one (a global id, or a short one such as r6).")
@click.option("--depth", type=int, metavar="N", help="How many hops around --focus  [default: 1]")
@click.option(
    "--relations",
    multiple=True,
    metavar="LIST",
    help="Only links of these relations and the nodes they join, comma-separated (feeds-into,duplicate-of).",
)
@click.option(
    "--mapping",
    nargs=2,
    metavar="FROM_PLAN TO_PLAN",
    help="Open on this plan pair's mapping; with -o FILE.svg (or .png) write just that drawing, for slides.",
)
@click.option(
    "--size",
    type=click.Choice(["default", "slide", "a4"]),
    default="default",
    show_default=True,
    help="With --mapping and -o FILE.svg/.png: as drawn, a 16:9 slide, or an A4 landscape page.",
)
@click.option(
    "--suggestions",
    nargs=2,
    metavar="FROM_PLAN TO_PLAN",
    help="Also draw the links `crossplan suggest FROM_PLAN TO_PLAN` proposes, dotted (off by default).",
)
@guards_output
@pass_app
def viz(app, output, open_page, plans, focus, depth, relations, mapping, size, suggestions):
    """Draw the plans as one self-contained HTML page (no network needed): how one plan maps onto another, a matrix, the full graph."""
    from .graph.suggest.review import suggested_edges
    from .graph.views.viz import VizOptionError, write_html, write_mapping_image

    if mapping and output.suffix.lower() != ".html":
        # A picture for slides: the same drawing as the page's mapping view, as SVG (or PNG).
        if plans or focus or depth or relations or suggestions or open_page:
            raise click.UsageError("--mapping with an .svg or .png output takes no other view option")
        try:
            click.echo(write_mapping_image(app.store(), output, mapping[0], mapping[1], size=size), err=True)
        except VizOptionError as error:
            raise click.UsageError(str(error)) from None
        return
    if size != "default":
        raise click.UsageError("--size draws the mapping as a picture: use it with --mapping and -o FILE.svg (or .png)")
    extra = suggested_edges(app.store(), *suggestions) if suggestions else ()
    try:
        summary = write_html(
            app.store(),
            output,
            plans=plans,
            focus=focus,
            depth=depth,
            relations=relations or None,
            mapping=mapping,
            extra_edges=extra,
        )
    except VizOptionError as error:
        raise click.UsageError(str(error)) from None
    click.echo(summary.describe(), err=True)
    if open_page:
        click.launch(str(summary.path))


@main.command()
@data_options
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (anything but loopback is warned about).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port to listen on.")
@click.option(
    "--allow-edits", is_flag=True, help="Let the review queue accept and reject (each write needs the edit token)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True, max=86_400),
    callback=_finite_seconds,
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop a SPARQL query after this long (as `crossplan query --timeout`).",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests addressed to this host name (repeatable; loopback and this machine's names always).",
)
@click.option(
    "--cors", is_flag=True, help="Let web pages on other sites query /sparql (Access-Control-Allow-Origin: *)."
)
@pass_app
def serve(app, host, port, allow_edits, timeout, allowed_hosts, cors):
    """Serve the graph, a query console, the questions and the review queue to a browser, and SPARQL to other tools."""
    from .graph.serve.app import run_server
    from .graph.serve.auth import edit_token

    try:
        token, generated = edit_token()
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    run_server(
        app.data_dir,
        app.store_path,
        host=host,
        port=port,
        allow_edits=allow_edits,
        token=token,
        generated=generated,
        timeout=timeout,
        allowed_hosts=allowed_hosts,
        cors=cors,
        echo=lambda line: click.echo(line, err=line.startswith("Warning")),
    )


def run() -> None:
    """The ``crossplan`` script and ``python -m crossplan``: ``main`` in a process of its own, which ends with the
    command (a command may then leave what it made for the system to take back: see ``suggest``)."""
    main(prog_name="crossplan", obj=AppContext(ends_process=True))


if __name__ == "__main__":
    run()
