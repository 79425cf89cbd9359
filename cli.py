"""crossplan: see how one government plan depends on another.

A thin click front end: each command reads its options, calls one public function of the ``graph``
package and prints the result. Heavy libraries are imported inside the commands that need them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from graph import __version__


class AppContext:
    """Options shared by every command, resolved once by the group callback."""

    def __init__(self, data_dir: Path | None = None, store_path: Path | None = None, endpoint: str | None = None):
        self.data_dir = data_dir
        self.store_path = store_path
        self.endpoint = endpoint
        self._store = None

    def store(self):
        """Open (building or refreshing where needed) the embedded store of the data directory."""
        if self._store is None:
            from graph.store import open_store

            self._store = open_store(self.data_dir, self.store_path)
        return self._store


pass_app = click.make_pass_decorator(AppContext, ensure=True)


class CrossplanGroup(click.Group):
    """A group that turns the library's typed errors into short messages and never shows a traceback."""

    def invoke(self, ctx):
        from graph.errors import CrossplanError, DataError

        try:
            return super().invoke(ctx)
        except DataError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            count = len(error.problems)
            raise click.exceptions.Exit(1) if count == 1 else _fail(f"{count} problems found") from None
        except CrossplanError as error:
            raise click.ClickException(str(error)) from None
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            sys.stderr.close()
            raise click.exceptions.Exit(1)
        except Exception as error:  # pragma: no cover - the last line of defence
            if os.environ.get("CROSSPLAN_DEBUG"):
                raise
            raise click.ClickException(
                f"internal error, this is a bug: {type(error).__name__}: {error} (set CROSSPLAN_DEBUG=1 for the traceback)"
            ) from None


def _fail(message: str) -> click.ClickException:
    return click.ClickException(message)


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
        "--store", type=click.Path(file_okay=False, path_type=Path), callback=_set_store, expose_value=False,
        is_eager=True, help="Store directory (default: a per-data-directory cache).",
    )(command)
    command = click.option(
        "--data", type=click.Path(file_okay=False, path_type=Path), callback=_set_data, expose_value=False,
        is_eager=True, help="Data directory (default: $CROSSPLAN_DATA or the shipped plans).",
    )(command)
    return command


def format_option(*choices: str, default: str | None = None):
    """Add ``--format`` with the given choices (the first is the default unless one is named)."""
    return click.option(
        "--format", "output_format", type=click.Choice(choices), default=default or choices[0], show_default=True,
        help="Output format.",
    )


@click.group(cls=CrossplanGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="crossplan", message="%(prog)s %(version)s")
@click.option("--data", envvar="CROSSPLAN_DATA", type=click.Path(file_okay=False, path_type=Path),
              help="Data directory (default: $CROSSPLAN_DATA or the shipped plans).")
@click.option("--store", envvar="CROSSPLAN_STORE", type=click.Path(file_okay=False, path_type=Path),
              help="Store directory (default: a per-data-directory cache).")
@click.pass_context
def main(ctx, data, store):
    """See how one government plan depends on another: build, query, explore and export the plans' graph."""
    app = ctx.ensure_object(AppContext)
    app.data_dir = data
    app.store_path = store


@main.command()
@data_options
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL shapes (YAML, reference and quote checks only).")
@pass_app
def validate(app, no_shacl):
    """Check the data: YAML, ids and references, quotes against sources, SHACL shapes."""
    from graph.validation import validate_data

    problems = validate_data(app.data_dir, shacl=not no_shacl)
    if not problems:
        click.echo("No problems found")
        return
    for problem in problems:
        click.echo(str(problem), err=True)
    raise _fail(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")


@main.command()
@data_options
@click.option("--rebuild", is_flag=True, help="Rebuild everything, not only the files that changed.")
@pass_app
def build(app, rebuild):
    """Compile the data into the embedded Oxigraph store (only the files that changed)."""
    from graph.store import build_store
    from graph.loading import display_path

    report = build_store(app.data_dir, app.store_path, rebuild=rebuild)
    where = display_path(report.store_path)
    if not report.changed:
        click.echo(f"Store is up to date: {len(report.reused)} files in {where}")
        return
    click.echo(
        f"Built {where}: {len(report.parsed)} files parsed, {len(report.reused)} reused, "
        f"{len(report.removed)} removed, {report.quads_added} triples added in {report.seconds:.2f} s"
    )


@main.command()
@data_options
@format_option("table", "json")
@pass_app
def stats(app, output_format):
    """Count nodes by type, links by relation and basis, items by plan, status and response."""
    from graph.stats import compute_stats, format_stats

    result = compute_stats(app.store())
    if output_format == "json":
        import json

        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(format_stats(result), nl=False)


@main.command()
@data_options
@click.option("--format", "output_format", required=True, metavar="FORMAT",
              help="turtle, ntriples (and every other registered format: see `crossplan export --help`).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (atomically) instead of stdout.")
@click.option("--plan", "plans", multiple=True, metavar="ID", help="Only this plan (repeatable); registries are always included.")
@pass_app
def export(app, output_format, output, plans):
    """Export the whole graph (or some plans) as RDF or for graph tools."""
    from graph.export import export_formats, export_graph

    if output_format not in export_formats():
        raise click.BadParameter(f"'{output_format}' is not one of: {', '.join(export_formats())}", param_hint="--format")
    data = export_graph(app.store(), output_format, output, plans or None)
    if data is not None:
        click.get_binary_stream("stdout").write(data)
    else:
        click.echo(f"Wrote {output}", err=True)


if __name__ == "__main__":
    main()
