"""`parallax serve`: the reader's desk (web pages and the JSON API) over the store.

Registered by `parallax.cli` from `COMMANDS`.
"""

from __future__ import annotations

import ipaddress
import os

import click
from click.core import ParameterSource

from parallax.cli.common import db_option, open_store, settings_of, usage


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command()
@db_option
@click.option("--from", "from_paths", multiple=True, metavar="PATH",
              help="Serve a brief of these files/directories instead of a store (read-only demo; repeatable).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the desk to the network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--allow-private", is_flag=True,
              help="Let POST /api/ingest fetch private/loopback addresses (trusted networks only).")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(db: str | None, from_paths: tuple[str, ...], host: str, port: int, allow_private: bool,
          log_level: str) -> None:
    """Serve the daily brief, stories, provenance, articles and the JSON API (docs at /docs).

    Writes (POST /api/ingest, POST /api/corrections) need PARALLAX_API_TOKEN to be set; without
    it they are off. Readers' error reports through the pages need no token.
    """
    import uvicorn

    from parallax.web import create_app

    settings = settings_of()
    if from_paths:
        if db and click.get_current_context().get_parameter_source("db") is ParameterSource.COMMANDLINE:
            raise usage("PX302", "--from", "give --db or --from, not both")  # $PARALLAX_DB alone is no conflict
        from parallax.pipeline import brief_paths

        click.echo(f"briefing {', '.join(from_paths)} ...", err=True)
        source: object = brief_paths(list(from_paths), settings=settings)
    else:
        # A --db (or $PARALLAX_DB) that names no database is a typo, not a new desk: PX507, nothing created
        # (`parallax db migrate` or `ingest` make one). The default database is made on first use.
        source = open_store(db, create=db is None)
    if not _is_loopback(host):
        click.echo(f"warning: binding {host}: the desk is reachable from the network", err=True)
    if not os.environ.get("PARALLAX_API_TOKEN"):
        click.echo("note: PARALLAX_API_TOKEN is not set: the write endpoints are off", err=True)
    app = create_app(source, allow_private=allow_private, settings=settings, brief_process=True)
    click.echo(f"serving on http://{host if ':' not in host else '[' + host + ']'}:{port}/ (API docs at /docs)",
               err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                proxy_headers=False, limit_concurrency=1000, timeout_keep_alive=5)


COMMANDS: list[click.Command] = [serve]
