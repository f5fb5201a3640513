"""The ``ld-publish`` command: a thin click layer over the Python API.

Data goes to stdout, messages and progress to stderr. Errors from the one exception hierarchy
(:mod:`ld_publish.errors`) are printed with their hint and end the command with their exit
code; no traceback reaches the user.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from . import __version__
from .errors import EXIT_INPUT, EXIT_INVALID, EXIT_RUNTIME, LdPublishError, UsageError
from .formats import rdf_formats
from .limits import parse_limits
from .mapping import DEFAULT_BASE, Profile
from .pipeline import Options
from .validation import Engine

F = TypeVar("F", bound=Callable[..., Any])


def say(message: str, *, quiet: bool = False, err: bool = True) -> None:
    if not quiet:
        click.echo(message, err=err)


def handle_errors(func: F) -> F:
    """Turn :class:`LdPublishError` into a message and its exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LdPublishError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except OSError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_RUNTIME)
        except Exception as exc:
            # Never a traceback for users; LD_PUBLISH_DEBUG=1 shows it to developers.
            if os.environ.get("LD_PUBLISH_DEBUG"):
                raise
            click.echo(f"error: internal error: {type(exc).__name__}: {exc}\n  hint: this is "
                       "a bug in ld-publish; rerun with LD_PUBLISH_DEBUG=1 and report the "
                       "traceback", err=True)
            sys.exit(EXIT_RUNTIME)

    return wrapper  # type: ignore[return-value]


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal and not ``-q``."""

    def __init__(self, quiet: bool, label: str) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.label = label
        self.start = time.monotonic()
        self.last = 0.0

    def update(self, count: int, extra: str = "") -> None:
        now = time.monotonic()
        if self.enabled and now - self.last > 0.2:
            self.last = now
            rate = count / max(now - self.start, 1e-9)
            click.echo(f"\r{self.label} {count} records ({rate:,.0f}/s) {extra}", err=True,
                       nl=False)

    def done(self) -> None:
        if self.enabled and self.last:
            click.echo("\r\033[K", err=True, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ld-publish")
def main() -> None:
    """Publish scholarly article metadata as validated Schema.org + SPAR linked data."""


def _format_list(value: str) -> tuple[str, ...]:
    names = tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(rdf_formats.get(name).name for name in names)


_common = [
    click.argument("inputs", nargs=-1, required=True),
    click.option("-f", "--from", "reader", metavar="FORMAT",
                 help="Input format (a reader; for validate also an RDF format); detected "
                      "from content when omitted (see `formats`)."),
    click.option("--base", default=DEFAULT_BASE, show_default=True,
                 help="Base IRI under which ld-publish mints IRIs."),
    click.option("--profile", type=click.Choice([p.value for p in Profile]), default="both",
                 show_default=True, help="Vocabularies to emit."),
    click.option("--engine", type=click.Choice(["auto", "fast", "pyshacl"]), default="auto",
                 show_default=True, help="SHACL engine: fast (compiled shapes), pyshacl (the "
                 "slower reference), auto (fast unless the shapes need pyshacl)."),
    click.option("-j", "--workers", type=click.IntRange(0, 256), default=0,
                 help="Worker processes (0: one per core)."),
    click.option("-q", "--quiet", is_flag=True, help="No messages on stderr."),
    click.option("--limit", "limits", multiple=True, metavar="NAME=N",
                 help="Change a limit (repeatable): record-bytes, document-bytes, "
                      "nesting-depth, string-chars, contributors, references."),
]


PREFER_HELP = ("When one work is read from several sources (files or readers), the readers "
               "whose values win field by field, most trusted first (default: the source "
               "with more of each field; see the README).")


def common_options(func: F) -> F:
    for option in reversed(_common):
        func = option(func)
    return func


@main.command()
@common_options
@click.option("-t", "--to", "formats", default="turtle,jsonld", show_default=True,
              help="Comma-separated output formats: turtle, jsonld, ntriples, nquads, trig.")
@click.option("-o", "--out", default="output", show_default=True, type=click.Path(),
              help="Output folder.")
@click.option("--strict", is_flag=True, help="Exit 1 when any record is quarantined (or the "
              "merged record of a work from several sources is).")
@click.option("--report", "report_unmapped", is_flag=True,
              help="Print, per record, the source fields that were not mapped.")
@click.option("--license", "license_iri", metavar="IRI",
              help="Licence of the published metadata (dcterms:license on every record graph).")
@click.option("--cluster", metavar="local[:N]|tcp://HOST:PORT",
              help="Process the records on a Dask cluster: a local one with N worker "
                   "processes, or a running scheduler whose workers see the inputs and OUT "
                   "(see the README). The output is the same as without it.")
@click.option("--partition-size", metavar="BYTES",
              help="With --cluster: input bytes per task (e.g. 64M; default: about four "
                   "tasks per worker).")
@click.option("--dataset", "dataset", type=click.Choice(["nq", "nq.gz"]), default="nq",
              show_default=True,
              help="Form of the run-wide N-Quads file: dataset.nq, or dataset.nq.gz "
                   "(gzip; about a tenth of the size, for runs of millions of records).")
@click.option("--prefer", metavar="READER[,READER...]",
              help=PREFER_HELP)
@handle_errors
def export(inputs: tuple[str, ...], reader: str | None, base: str, profile: str, engine: Engine,
           workers: int, quiet: bool, limits: tuple[str, ...], formats: str, out: str,
           strict: bool, report_unmapped: bool, license_iri: str | None,
           cluster: str | None, partition_size: str | None, dataset: str,
           prefer: str | None) -> None:
    """Export records to RDF files under OUT (one file per record per format)."""
    from .export import export as run_export
    from .merge_run import parse_prefer

    options = Options(base=base, profile=Profile(profile), formats=_format_list(formats),
                      reader=reader, engine=engine, workers=workers, license=license_iri,
                      limits=parse_limits(limits), prefer=parse_prefer(prefer))
    options.mapping()  # a bad --base or --license is a usage error before anything is read
    partition_bytes = _cluster_options(cluster, partition_size)
    progress = Progress(quiet, "exporting")

    def tell(record: dict[str, Any]) -> None:
        if record["status"] == "merged":
            progress.done()
            say(f"merged {record['source']} into {record['into']} ({record['key']})",
                quiet=quiet)
        if record["status"] == "quarantined":
            progress.done()
            say(f"quarantined {record['source']} ({record['key']}): {record['reason']}",
                quiet=quiet)
        if report_unmapped and record.get("not_mapped"):
            progress.done()
            say(f"not mapped in {record['source']}: {', '.join(record['not_mapped'])}",
                quiet=quiet)

    report = run_export(list(inputs), out, options, report_unmapped=report_unmapped,
                        progress=lambda r: progress.update(r.read), on_record=tell,
                        cluster=cluster, partition_bytes=partition_bytes, dataset=dataset)
    progress.done()
    end_run(report, out, quiet=quiet, strict=strict)


def end_run(report: Any, out: str, *, quiet: bool, strict: bool) -> None:
    """What export and site say when they end, and their exit status: notes for skipped
    files, an error per unreadable input, the summary; exit 2 when an input could not be read,
    1 with --strict when a record was quarantined or a work's merged record not published."""
    for skipped in report.skipped_sources:
        say(f"note: {skipped['note']}", quiet=quiet)
    for failure in report.failed_sources:
        say(f"error: {failure['error']}", quiet=False)
    say(f"{report.summary()} -> {out}", quiet=quiet)
    if report.failed_sources:
        sys.exit(EXIT_INPUT)
    if strict and (report.quarantined or report.merges_not_published):
        sys.exit(EXIT_INVALID)


def _cluster_options(cluster: str | None, partition_size: str | None) -> int | None:
    """The partition size in bytes; both options checked before anything is read."""
    if cluster is None:
        if partition_size is not None:
            raise UsageError("--partition-size is for --cluster runs",
                             hint="add --cluster local, or drop --partition-size")
        return None
    from .cluster import parse_cluster
    from .partitions import parse_size

    parse_cluster(cluster)
    return parse_size(partition_size) if partition_size is not None else None


@main.command()
@common_options
@click.option("--format", "output_format", type=click.Choice(["text", "json", "turtle"]),
              default="text", show_default=True,
              help="Report format (stdout); turtle is a W3C SHACL sh:ValidationReport.")
@click.option("--shapes", "shape_paths", multiple=True, type=click.Path(exists=True),
              metavar="PATH", help="Shapes file or folder added to the bundled shapes "
                                   "(repeatable).")
@click.option("--replace-shapes", is_flag=True,
              help="Validate against --shapes only, without the bundled shapes.")
@click.option("--prefer", metavar="READER[,READER...]", help=PREFER_HELP)
@handle_errors
def validate(inputs: tuple[str, ...], reader: str | None, base: str, profile: str,
             engine: Engine, workers: int, quiet: bool, limits: tuple[str, ...],
             output_format: str,
             shape_paths: tuple[str, ...], replace_shapes: bool, prefer: str | None) -> None:
    """Validate records, or published RDF, against the SHACL shapes.

    INPUTS are records in any format `export` reads, or RDF as published (Turtle, JSON-LD,
    N-Triples, N-Quads, TriG: each named graph is checked as it stands). Exit 0 when everything
    conforms, 1 when there are violations, 2 when an input cannot be read.
    """
    from .merge_run import parse_prefer
    from .pipeline import shapes_of
    from .validate import validate as run_validate

    if replace_shapes and not shape_paths:
        raise UsageError("--replace-shapes needs --shapes PATH",
                         hint="give the shapes to validate against with --shapes")
    options = Options(base=base, profile=Profile(profile), formats=(), reader=reader,
                      engine=engine, workers=workers, shapes=shape_paths,
                      replace_shapes=replace_shapes, limits=parse_limits(limits),
                      prefer=parse_prefer(prefer))
    result = run_validate(list(inputs), options)
    if output_format == "turtle":
        click.echo(result.report.to_turtle(shapes_of(options)), nl=False)
    else:
        click.echo({"text": result.report.to_text, "json": result.report.to_json}[
            output_format]())
    failures = [f for f in result.failed_sources if not f.skipped]
    for failure in result.failed_sources:
        if failure.skipped:
            say(f"note: {failure.error.message}", quiet=quiet)
        else:
            say(f"error: {failure.error}", quiet=False)
    say(result.summary(), quiet=quiet)
    if failures:
        sys.exit(EXIT_INPUT)
    if not result.conforms:
        sys.exit(EXIT_INVALID)


@main.command()
def formats() -> None:
    """List the readers (input formats) and writers (output formats)."""
    from .readers import readers
    from .writers import writers

    click.echo("Readers (--from):")
    for name, reader in readers.items():
        aliases = ", ".join(readers.aliases_of(name))
        suffix = f" (aliases: {aliases})" if aliases else ""
        click.echo(f"  {name:<12} {reader.description}{suffix}")
    click.echo("Writers (--to):")
    for name, _writer in writers.items():
        fmt = rdf_formats.get(name)
        click.echo(f"  {name:<12} {fmt.label}, {fmt.media_type}, .{fmt.extension}")


# Store and site commands live in their own modules; added here like any plugin command group
# would be.
for _module in ("ld_publish.cli_store", "ld_publish.cli_site"):
    try:
        for _command in importlib.import_module(_module).commands:
            main.add_command(_command)
    except ModuleNotFoundError as _exc:  # pragma: no cover - only while a module is absent
        if _exc.name != _module:
            raise
