"""The ``site`` command: a static linked-data site from records (see ld_publish/site/).

``cli.py`` adds :data:`commands` to the main group. Messages go to stderr; ``site`` prints no
data.
"""

from __future__ import annotations

import click
from click.core import ParameterSource

from .cli import (
    PREFER_HELP,
    Progress,
    _cluster_options,
    common_options,
    end_run,
    handle_errors,
    say,
)
from .errors import UsageError
from .limits import parse_limits
from .mapping import Profile
from .merge_run import parse_prefer
from .pipeline import Options, Outcome
from .site.build import SiteOptions, build_site, check_site_base
from .validation import Engine


@click.command("site")
@common_options
@click.option("-o", "--out", default="site", show_default=True, type=click.Path(),
              help="Site folder (updated in place: only changed files are rewritten).")
@click.option("--title", default="Linked data", show_default=True,
              help="The site's title (front page, dataset description).")
@click.option("--license", "license_iri", metavar="IRI",
              help="Licence of the published metadata (dcterms:license, rel=license).")
@click.option("--strict", is_flag=True, help="Exit 1 when any record is quarantined (or the "
              "merged record of a work from several sources is).")
@click.option("--cluster", metavar="local[:N]|tcp://HOST:PORT",
              help="Read, map, validate and render the records on a Dask cluster whose "
                   "workers see the inputs and OUT (see the README); the site is the same as "
                   "without it.")
@click.option("--partition-size", metavar="BYTES",
              help="With --cluster: input bytes per task (e.g. 64M).")
@click.option("--prefer", metavar="READER[,READER...]", help=PREFER_HELP)
@handle_errors
def site_command(inputs: tuple[str, ...], reader: str | None, base: str, profile: str,
                 engine: Engine, workers: int, quiet: bool, limits: tuple[str, ...], out: str,
                 title: str, license_iri: str | None, strict: bool, cluster: str | None,
                 partition_size: str | None, prefer: str | None) -> None:
    """Publish records as a static site under OUT: a landing page per record, a document at
    every minted IRI (HTML, Turtle, JSON-LD, N-Triples), VoID, sitemap and server
    configuration. --base must end in / and is where the site will be hosted."""
    source = click.get_current_context().get_parameter_source("base")
    if source is ParameterSource.DEFAULT:
        raise UsageError("site needs --base: the address the site will be served at",
                         hint="e.g. --base https://journal.example/ld/ (ending in /)")
    check_site_base(base)
    options = Options(base=base, profile=Profile(profile), reader=reader, engine=engine,
                      workers=workers, license=license_iri, limits=parse_limits(limits),
                      prefer=parse_prefer(prefer))
    partition_bytes = _cluster_options(cluster, partition_size)
    progress = Progress(quiet, "publishing")

    def quarantined(outcome: Outcome) -> None:
        progress.done()
        say(f"quarantined {outcome.source.label()} ({outcome.key}): {outcome.reason}",
            quiet=quiet)

    def merged(outcome: Outcome) -> None:
        progress.done()
        say(f"merged {outcome.source.label()} into {outcome.merged_into} ({outcome.key})",
            quiet=quiet)

    report = build_site(list(inputs), out, options, SiteOptions(title, license_iri),
                        on_quarantine=quarantined, progress=lambda r: progress.update(r.read),
                        cluster=cluster, partition_bytes=partition_bytes, on_merged=merged)
    progress.done()
    end_run(report, out, quiet=quiet, strict=strict)


commands: list[click.Command] = [site_command]
