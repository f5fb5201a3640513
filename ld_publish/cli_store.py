"""Command-line commands for stores: ``load``, ``query``, ``serve``.

The lead's ``cli.py`` adds :data:`commands` to the main group; ``python -m ld_publish.cli_store``
runs them on their own. Data (query results) go to stdout, progress and counts to stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import LdPublishError, StoreError, UsageError
from .limits import parse_limits
from .load import load
from .loaders import LoaderOptions, LoadReport
from .loaders.http import HttpTransport
from .loaders.profiles import profiles
from .loaders.sparql import make_client
from .mapping import DEFAULT_BASE, Profile
from .merge_run import parse_prefer
from .pipeline import Options, SourceFailure
from .query import FORMATS, format_answer, query_endpoint, query_store

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_STORE = "output/store"
DEFAULT_PASSWORD_ENV = "LD_PUBLISH_PASSWORD"
STORE_TYPES = ("oxigraph-server", "virtuoso", "fuseki", "graphdb", "generic")


def handled(command: F) -> F:
    """The main CLI's last line of defence (``cli.handle_errors``: an OSError or a bug is a
    message and an exit code, not a traceback), looked up when the command runs because ``cli``
    imports this module."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .cli import handle_errors
        return handle_errors(command)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def fail(error: LdPublishError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


def read_password(user: str | None, password_env: str | None, password_file: str | None
                  ) -> str | None:
    """The password, from a file or an environment variable - never from the command line."""
    if not user:
        return None
    if password_file:
        try:
            return Path(password_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as e:
            raise UsageError(f"cannot read --password-file {password_file}: "
                             f"{e.strerror}") from None
    name = password_env or DEFAULT_PASSWORD_ENV
    value = os.environ.get(name)
    if value is None:
        raise UsageError(f"--user {user} given but ${name} is not set",
                         hint=f"export {name}=... or give --password-file PATH")
    return value


def store_options(f: F) -> F:
    for opt in reversed([
        click.option("--store", "store_path", default=None, metavar="PATH",
                     help=f"embedded Oxigraph store folder (default {DEFAULT_STORE})"),
        click.option("--endpoint", metavar="URL", help="SPARQL server (base or endpoint URL)"),
        click.option("--store-type", type=click.Choice(STORE_TYPES), default="generic",
                     show_default=True, help="server kind, for its endpoint layout and quirks"),
        click.option("--user", help="user name for the server"),
        click.option("--password-env", metavar="NAME",
                     help=f"environment variable holding the password "
                          f"(default {DEFAULT_PASSWORD_ENV})"),
        click.option("--password-file", metavar="PATH", help="file holding the password"),
        click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0,
                     show_default=True, help="seconds per HTTP request"),
        click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
                     help="retries of an idempotent request after a transient failure"),
    ]):
        f = opt(f)
    return f


def build_options(store_path: str | None, endpoint: str | None, store_type: str,
                  user: str | None, password_env: str | None, password_file: str | None,
                  timeout: float, retries: int, gsp: str | None = None,
                  update: str | None = None) -> LoaderOptions:
    if store_path and (endpoint or gsp or update):
        raise UsageError("--store and --endpoint/--gsp/--update exclude each other")
    return LoaderOptions(store_path=store_path or DEFAULT_STORE, endpoint=endpoint,
                         gsp_url=gsp, update_url=update, store_type=store_type, user=user,
                         password=read_password(user, password_env, password_file),
                         timeout=timeout, retries=retries)


@click.command("load")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@store_options
@click.option("--gsp", metavar="URL", help="Graph Store Protocol URL (overrides the profile)")
@click.option("--update", metavar="URL", help="SPARQL Update URL (overrides the profile)")
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="record graphs per request")
@click.option("--journal", metavar="PATH", help="load journal: a killed run resumes from it")
@click.option("--force", is_flag=True, help="reload graphs even when their hash is unchanged")
@click.option("--bulk", is_flag=True, help="first loads: add graphs new to the store with the "
              "store's bulk loader (not atomic; rerun a killed bulk load to finish it)")
@click.option("--bulk-dir", metavar="DIR", help="Virtuoso --bulk: a folder the server can read "
              "(in its DirsAllowed); each batch is written there for its bulk loader (ld_dir)")
@click.option("--bulk-dir-server", metavar="PATH",
              help="the --bulk-dir folder as the server sees it, when not at the same path")
@click.option("--quarantine", "quarantine_dir", default="output/quarantine", show_default=True,
              metavar="DIR", help="where records that cannot be loaded are written")
@click.option("-f", "--from", "reader", metavar="READER",
              help="input format of record files; detected from content when omitted")
@click.option("--base", default=DEFAULT_BASE, show_default=True,
              help="base IRI for minted IRIs (record inputs)")
@click.option("--profile", type=click.Choice([p.value for p in Profile]), default="both",
              show_default=True, help="vocabularies to emit (record inputs)")
@click.option("-j", "--workers", type=click.IntRange(0, 256), default=0,
              help="worker processes for mapping and validation (0: one per core)")
@click.option("--strict", is_flag=True, help="exit 1 if any record was quarantined (or the "
              "merged record of a work from several sources was)")
@click.option("-q", "--quiet", is_flag=True, help="print only errors and the final counts")
@click.option("--limit", "limits", multiple=True, metavar="NAME=N",
              help="change a limit on record inputs (repeatable; as for export)")
@click.option("--prefer", metavar="READER[,READER...]",
              help="one work read from several sources: the readers whose values win when "
                   "they are merged, most trusted first (as for export)")
@click.option("--cluster", metavar="local[:N]|tcp://HOST:PORT",
              help="read, map and validate the records on a Dask cluster (as export "
                   "--cluster; see the README); the store is loaded from here, with the same "
                   "result as without it")
@click.option("--partition-size", metavar="BYTES",
              help="with --cluster: input bytes per task (e.g. 64M)")
@click.option("--work-dir", metavar="DIR", type=click.Path(file_okay=False),
              help="with --cluster: a folder every worker sees, or a prefix on object storage "
                   "(s3://BUCKET/PREFIX), for their intermediate files (default: a temporary "
                   "folder, which only workers on this machine see)")
@handled
def load_command(inputs: tuple[str, ...], store_path: str | None, endpoint: str | None,
                 store_type: str, user: str | None, password_env: str | None,
                 password_file: str | None, timeout: float, retries: int, gsp: str | None,
                 update: str | None, batch_size: int, journal: str | None, force: bool,
                 bulk: bool, bulk_dir: str | None, bulk_dir_server: str | None,
                 quarantine_dir: str, reader: str | None, base: str, profile: str,
                 workers: int, strict: bool, quiet: bool, limits: tuple[str, ...],
                 prefer: str | None, cluster: str | None, partition_size: str | None,
                 work_dir: str | None) -> None:
    """Load records (anything `export` reads) or an export's output folder / N-Quads files
    into a triplestore: one named graph per record, replaced, never appended."""
    failures: list[SourceFailure] = []

    def quarantined(source: str, reason: str) -> None:
        click.echo(f"quarantined {source}: {reason}", err=True)

    def resumed(already: int) -> None:
        click.echo(f"resuming the load recorded in {journal} ({already} graphs already "
                   "loaded)", err=True)

    def split(count: int, reason: str) -> None:
        click.echo(f"splitting a batch of {count} graphs in two: {reason}", err=True)

    def progress(report: LoadReport) -> None:
        if not quiet and sys.stderr.isatty():
            click.echo(f"\r{report.read} read, {report.loaded} loaded, "
                       f"{report.unchanged} unchanged, {report.quarantined} quarantined",
                       err=True, nl=False)

    try:
        from .cli import _cluster_options  # cli imports this module

        partition_bytes = _cluster_options(cluster, partition_size)
        if work_dir is not None and cluster is None:
            raise UsageError("--work-dir is for --cluster runs",
                             hint="add --cluster local, or drop --work-dir")
        options = build_options(store_path, endpoint, store_type, user, password_env,
                                password_file, timeout, retries, gsp, update)
        if (bulk_dir or bulk_dir_server) and not bulk:
            raise UsageError("--bulk-dir and --bulk-dir-server go with --bulk")
        if bulk_dir_server and not bulk_dir:
            raise UsageError("--bulk-dir-server needs --bulk-dir")
        options.bulk_dir, options.bulk_dir_server = bulk_dir, bulk_dir_server
        pipeline = Options(base=base, profile=Profile(profile), reader=reader, workers=workers,
                           limits=parse_limits(limits), prefer=parse_prefer(prefer))
        report = load(list(inputs), options, pipeline=pipeline, quarantine_dir=quarantine_dir,
                      journal_path=journal, batch_size=batch_size, force=force, bulk=bulk,
                      on_quarantine=quarantined, on_failure=failures.append,
                      on_resume=None if quiet else resumed,
                      on_split=None if quiet else split, progress=progress,
                      cluster=cluster, partition_bytes=partition_bytes, work_dir=work_dir)
    except LdPublishError as e:
        fail(e)
        return
    if not quiet and sys.stderr.isatty():
        click.echo("", err=True)
    for failure in failures:
        if failure.skipped:
            if not quiet:
                click.echo(f"note: {failure.error.message}", err=True)
        else:
            click.echo(f"error: {failure.error}", err=True)
    click.echo(report.summary(), err=True)
    if any(not failure.skipped for failure in failures):
        sys.exit(2)
    if strict and (report.quarantined or report.merges_not_published):
        sys.exit(1)


@click.command("query")
@click.argument("query", required=False)
# No -f: in export, validate and load it means --from (the input format).
@click.option("--file", "query_file", type=click.Path(), help="read the query from a file "
              "('-' for stdin)")
@store_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="solutions: table, csv, tsv, json; graphs (CONSTRUCT, DESCRIBE): turtle "
                   "(also for table), ntriples, jsonld")
@click.option("-q", "--quiet", is_flag=True, help="no summary on stderr")
@handled
def query_command(query: str | None, query_file: str | None, store_path: str | None,
                  endpoint: str | None, store_type: str, user: str | None,
                  password_env: str | None, password_file: str | None, timeout: float,
                  retries: int, fmt: str, quiet: bool) -> None:
    """Run a SPARQL query (text, --file, or stdin) and print the results to stdout.

    On the embedded store the default graph is the union of the record graphs (so no GRAPH
    clause is needed); on an Oxigraph server it is the union of all its graphs."""
    try:
        text = _query_text(query, query_file)
        options = build_options(store_path, endpoint, store_type, user, password_env,
                                password_file, timeout, retries)
        if options.endpoint:
            profile = profiles.get(store_type)
            url = profile.endpoints(options.endpoint, authenticated=bool(user)).query
            with make_client(options, profile) as client:
                transport = HttpTransport(client, retries=retries,
                                          secrets=(options.password or "",))
                union = {"union-default-graph": ""} if store_type == "oxigraph-server" else {}
                answer = query_endpoint(transport, url, text, union)
        else:
            answer = query_store(options.store_path, text)
    except LdPublishError as e:
        fail(e)
        return
    click.echo(format_answer(answer, fmt), nl=False)
    if not quiet:
        click.echo(answer.summary(), err=True)


def _query_text(query: str | None, query_file: str | None) -> str:
    if query and query_file:
        raise UsageError("give the query as text or --file, not both")
    if query_file == "-" or (not query and not query_file):
        if not query_file and sys.stdin.isatty():
            raise UsageError("no query given", hint="give it as an argument, --file or stdin")
        return sys.stdin.read()
    if query_file:
        try:
            return Path(query_file).read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot read the query file {query_file}: {e.strerror}") from None
    assert query is not None
    return query


@click.command("serve")
@click.option("--site", "site_dir", type=click.Path(file_okay=False), default=None,
              metavar="DIR", help="serve a site built by `ld-publish site` (pages, documents, "
                                  "303s, /sparql) in this process")
@click.option("--store", "store_path", default=None, metavar="PATH",
              help=f"embedded store (default {DEFAULT_STORE}; with --site, when that is "
                   "missing, the site's dataset.nq.gz is queried from memory)")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to bind; anything but loopback exposes the store to the network")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True)
@click.option("--read-only", is_flag=True,
              help="serve without the update endpoint (--site is always read-only)")
@click.option("--query-timeout", type=click.FloatRange(min=0.1), default=30.0,
              show_default=True, help="seconds a /sparql query may take (--site)")
@click.option("-q", "--quiet", is_flag=True, help="do not log requests (--site)")
@handled
def serve_command(site_dir: str | None, store_path: str | None, host: str, port: int,
                  read_only: bool, query_timeout: float, quiet: bool) -> None:
    """Serve a site (--site DIR) or the embedded store over SPARQL HTTP (`oxigraph serve`).

    Stops cleanly, exit 0, on Ctrl-C or SIGTERM."""
    try:
        if site_dir is not None:
            from .site.server import serve_site
            status = serve_site(Path(site_dir), Path(store_path) if store_path else None,
                                Path(DEFAULT_STORE), host, port, quiet, query_timeout)
        else:
            from .serve import serve
            location = store_path or DEFAULT_STORE
            click.echo(f"serving {location} at http://{host}:{port}/ (query: /query, "
                       f"update: /update, graph store: /store)", err=True)
            status = serve(location, host, port, read_only)
    except LdPublishError as e:
        fail(e)
        return
    if status:
        fail(StoreError(f"the Oxigraph server stopped with status {status}"))


commands: list[click.Command] = [load_command, query_command, serve_command]



if __name__ == "__main__":
    click.Group("ld-publish", commands=commands)()
