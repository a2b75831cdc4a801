"""Commands: `parallax ingest`, `parallax watch`, `parallax sources add|list|import|export`.

Thin wrappers over `parallax.ingest`. The database is `--db URL` (a SQLite path or postgresql://…),
else $PARALLAX_DB, else the store's default file. Registered by `parallax.cli` from `COMMANDS`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from parallax.cli.common import (
    EXIT_NOTHING_DONE,
    EXIT_SOME_FAILED,
    bad_parameter,
    db_option,
    fail,
    open_store,
)


def _fetch_options(f):
    """The options every fetching command shares."""
    opts = [
        click.option("--allow-private", is_flag=True,
                     help="Allow private, loopback and link-local addresses (local test servers, intranets)."),
        click.option("--allow-network", "allow_networks", multiple=True, metavar="CIDR",
                     help="Allow one non-public network (repeatable), e.g. 10.1.2.0/24."),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=3600), default=None,
                     help="Seconds per connect/read (default 15)."),
        click.option("--retries", type=click.IntRange(0, 20), default=None,
                     help="Retries on timeouts, 5xx and 429 (default 2)."),
        click.option("--rate", "min_interval", type=click.FloatRange(0, 3600), default=None, metavar="SECONDS",
                     help="Minimum seconds between two requests to one host (default 1)."),
        click.option("--max-bytes", type=click.IntRange(min=1), default=None,
                     help="Size cap per page (default 5000000)."),
        click.option("--user-agent", default=None, help="User-Agent header (default Parallax/<version> (+URL))."),
        click.option("--ignore-robots", is_flag=True, help="Do not read robots.txt (only for your own sites)."),
        click.option("--progress/--no-progress", default=None,
                     help="Progress bar on stderr (default: when stderr is a terminal)."),
        db_option,
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _options(allow_networks: tuple[str, ...], timeout: float | None, retries: int | None,
             min_interval: float | None, max_bytes: int | None, user_agent: str | None,
             ignore_robots: bool) -> dict[str, Any]:
    import ipaddress

    for n in allow_networks:
        try:
            ipaddress.ip_network(n, strict=False)
        except ValueError as exc:
            raise bad_parameter("--allow-network", f"{n!r} is not a network (CIDR)") from exc
    return {"allow_networks": allow_networks or None, "timeout": timeout, "retries": retries,
            "min_interval": min_interval, "max_bytes": max_bytes, "user_agent": user_agent,
            "respect_robots": False if ignore_robots else None}


def _report(summary, *, as_json: bool, title: str = "ingest") -> None:
    for f in summary.warnings:
        click.echo(f"parallax: warning {f.code} {f.source}: {f.reason}", err=True)
    if summary.stopped is not None:
        s = summary.stopped
        click.echo(f"Error: {s.code} {s.source}: {s.reason}", err=True)
        click.echo("stopped: no later input could have been stored; the totals are for what was done", err=True)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{title}: {summary.line()}", err=True)
    if summary.failures:
        click.echo("failed:", err=True)
        for f in summary.failures:
            click.echo(f"  {f.code} {f.source}: {f.reason}", err=True)
    if summary.interrupted:
        click.echo("interrupted: the totals above are for what was done before Ctrl-C", err=True)



@click.command("ingest")
@click.argument("sources", nargs=-1, required=True)
@_fetch_options
@click.option("--refetch", is_flag=True, help="Ignore stored ETag/Last-Modified and re-fetch known feed items.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option("--strict", is_flag=True, help="Count warnings (e.g. a malformed feed whose entries were kept) "
              "as failures for the exit status.")
def ingest_cmd(sources: tuple[str, ...], allow_private: bool, allow_networks: tuple[str, ...],
               timeout: float | None, retries: int | None, min_interval: float | None, max_bytes: int | None,
               user_agent: str | None, ignore_robots: bool, progress: bool | None, db: str | None,
               refetch: bool, as_json: bool, strict: bool) -> None:
    """Add SOURCES to the store: files, directories, JSONL, WARC files, page URLs, RSS/Atom feed URLs.

    Feed items are fetched as full pages. Failures are listed with a code (PX1xx reading, PX4xx
    fetching, PX5xx storing) and the rest goes on; the summary says new, duplicate, unchanged and failed.
    Exit status: 0 all added (or already there), 1 some inputs failed, 2 nothing could be done (a bad
    command line, no input that could be read or fetched, or a database that cannot be opened or written:
    the run stops at the first such error).
    """
    from parallax.ingest import ingest

    opts = _options(allow_networks, timeout, retries, min_interval, max_bytes, user_agent, ignore_robots)
    with open_store(db, writable=True) as store:
        summary = ingest(list(sources), store, allow_private=allow_private, progress=progress, refetch=refetch,
                         on_failure=None, **opts)
    _report(summary, as_json=as_json)
    if summary.interrupted:
        sys.exit(130)
    if summary.stopped is not None:
        sys.exit(EXIT_NOTHING_DONE)
    if summary.failures and not (summary.new or summary.duplicate or summary.unchanged):
        sys.exit(EXIT_NOTHING_DONE)  # no input could be read or fetched: nothing was done (as `brief`)
    if summary.failures or (strict and summary.warnings):
        sys.exit(EXIT_SOME_FAILED)


@click.command("watch")
@click.argument("feeds", nargs=-1, required=True)
@click.option("--interval", type=click.FloatRange(min=1), default=900.0, show_default=True,
              help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Poll once and exit.")
@_fetch_options
def watch_cmd(feeds: tuple[str, ...], interval: float, once: bool, allow_private: bool,
              allow_networks: tuple[str, ...], timeout: float | None, retries: int | None,
              min_interval: float | None, max_bytes: int | None, user_agent: str | None, ignore_robots: bool,
              progress: bool | None, db: str | None) -> None:
    """Re-poll FEEDS every --interval seconds; unchanged feeds cost one 304. Ctrl-C stops cleanly."""
    from parallax.ingest import watch

    opts = _options(allow_networks, timeout, retries, min_interval, max_bytes, user_agent, ignore_robots)

    def on_round(n: int, s) -> None:
        click.echo(f"round {n}: {s.line()}", err=True)
        for f in s.failures:
            click.echo(f"  {f.code} {f.source}: {f.reason}", err=True)

    with open_store(db, writable=True) as store:
        total = watch(list(feeds), store, interval=interval, once=once, on_round=on_round,
                      allow_private=allow_private, progress=progress, **opts)
    click.echo(f"watch {'stopped' if total.interrupted else 'done'}: {total.line()}", err=True)
    if total.stopped is not None:
        click.echo(f"Error: {total.stopped.code} {total.stopped.source}: {total.stopped.reason}", err=True)
        sys.exit(EXIT_NOTHING_DONE)
    if total.failures:
        sys.exit(EXIT_SOME_FAILED)


@click.group("sources")
def sources_group() -> None:
    """The source registry: domain -> name, owner, country, lean, reliability, notes (all yours)."""


@sources_group.command("add")
@click.argument("domain")
@click.option("--name")
@click.option("--owner")
@click.option("--country")
@click.option("--lean")
@click.option("--reliability")
@click.option("--notes")
@click.option("--feed-url", help="The outlet's feed, for `parallax watch`.")
@db_option
def sources_add(domain: str, db: str | None, **fields: str | None) -> None:
    """Add or update DOMAIN. Only the fields you give are set; the others stay as they are (or unknown)."""
    from parallax.ingest.sources import normalise_domain

    try:
        d = normalise_domain(domain)
    except ValueError as exc:
        raise bad_parameter("DOMAIN", str(exc)) from exc
    given = {k: v.strip() for k, v in fields.items() if v is not None and v.strip()}
    with open_store(db, writable=True) as store:
        saved = store.upsert_source(d, **given)
    click.echo(f"{saved['domain']}: " + ", ".join(f"{k}={saved.get(k)!r}" for k in
                                                  ("name", "owner", "country", "lean", "reliability")))


@sources_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "toml", "json"]), default="table",
              show_default=True)
@db_option
def sources_list(fmt: str, db: str | None) -> None:
    """List the registry. Unknown values show as '-' (table) or stay empty."""
    from parallax.ingest.sources import COLUMNS, to_csv, to_toml

    with open_store(db, create=False) as store:
        rows = store.list_sources()
    if fmt == "csv":
        click.echo(to_csv(rows), nl=False)
    elif fmt == "toml":
        click.echo(to_toml(rows), nl=False)
    elif fmt == "json":
        click.echo(json.dumps([{c: r.get(c) for c in COLUMNS} for r in rows], ensure_ascii=False, indent=2))
    else:
        cols = ("domain", "name", "owner", "country", "lean", "reliability")
        table = [[str(r.get(c)) if r.get(c) not in (None, "") else "-" for c in cols] for r in rows]
        widths = [max([len(c)] + [len(t[i]) for t in table]) for i, c in enumerate(cols)]
        click.echo("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip())
        for t in table:
            click.echo("  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)).rstrip())
        if not rows:
            click.echo("(no sources: add with `parallax sources add DOMAIN --name ...` or import a CSV/TOML)",
                       err=True)


@sources_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def sources_import(files: tuple[Path, ...], db: str | None) -> None:
    """Import FILES (.csv with a header row, or .toml). All files are checked before anything is written."""
    from parallax.ingest.sources import SourceFileError, import_sources, read_sources

    rows = []
    for f in files:
        try:
            rows.extend(read_sources(f))
        except SourceFileError as exc:
            raise fail("PX100", "", str(exc)) from exc
    with open_store(db, writable=True) as store:
        res = import_sources(store, rows)
    click.echo(f"imported {len(rows)} sources: {res.added} added, {res.updated} updated")


@sources_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def sources_export(file: Path, db: str | None) -> None:
    """Write the registry to FILE (.csv or .toml), re-importable with `parallax sources import`."""
    from parallax.ingest.sources import to_csv, to_toml

    if file.suffix.lower() not in (".csv", ".toml"):
        raise bad_parameter("FILE", f"{file.name}: use a .csv or .toml file")
    with open_store(db, create=False) as store:
        rows = store.list_sources()
    file.write_text(to_toml(rows) if file.suffix.lower() == ".toml" else to_csv(rows), encoding="utf-8")
    click.echo(f"wrote {len(rows)} sources to {file}")


COMMANDS: list[click.Command] = [ingest_cmd, watch_cmd, sources_group]
