"""The news desk's commands: `parallax stories | daily | feed | coverage | db migrate | db info`.

(`parallax brief --story ID [--since-last]` lives in `parallax.cli`'s `brief` and calls
parallax.desk.brief_story_text.) Registered by `parallax.cli` from `COMMANDS`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from parallax.cli.common import bad_parameter, db_option, fail, open_store, output_option, write_output


@click.command()
@db_option
@click.option("--since", help="Only stories updated since: 2026-03-10, 2026-03-10T08:00, or 12h / 3d / 2w ago.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0, 10_000_000), default=0)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stories(db: str | None, since: str | None, limit: int, offset: int, fmt: str) -> None:
    """List the stored stories, most recently updated first, with their articles and independent origins."""
    from parallax.text.dates import parse_since

    try:
        when = parse_since(since)
    except (ValueError, OverflowError) as exc:
        raise bad_parameter("--since", f"{exc}; use 2026-03-10, 2026-03-10T08:00, 12h, 3d or 2w") from exc
    with open_store(db, create=False) as store:
        rows = store.list_stories(since=when, limit=limit, offset=offset)
    if fmt == "json":
        keys = ("id", "headline", "articles", "origins", "updated")
        click.echo(json.dumps({"stories": [{k: r[k] for k in keys} for r in rows]}, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no stories")
        return
    click.echo(f"{'story':18} {'origins':>7} {'articles':>8}  {'updated':20}  headline")
    for r in rows:
        click.echo(f"{r['id']:18} {r['origins']:>7} {len(r['articles']):>8}  {r['updated'][:19]:20}  "
                   f"{(r['headline'] or '')[:90]}")


@click.command("daily")
@db_option
@click.option("--date", "day", help="The day (YYYY-MM-DD); default: the latest day with articles.")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html"]), default="md", show_default=True)
@click.option("--length", type=click.Choice(["short", "standard", "full"]), default="short", show_default=True)
@output_option
def daily_cmd(db: str | None, day: str | None, fmt: str, length: str, output: Path | None) -> None:
    """The daily briefing: the day's stories ranked by independent origins, each with its brief."""
    from parallax.desk import daily
    from parallax.render import render

    try:
        d = date.fromisoformat(day) if day else None
    except ValueError as exc:
        raise bad_parameter("--date", f"{exc}; use YYYY-MM-DD") from exc
    with open_store(db, create=False) as store:
        brief = daily(store, d, length=length)
        if not brief.stories:
            raise fail("PX501", str(brief.settings.get("daily")), "no stories on that day")
        write_output(render(brief, fmt), output, f"{len(brief.stories)} stories")


@click.command()
@db_option
@output_option
@click.option("--stories", "n_stories", type=click.IntRange(1, 1000), default=30, show_default=True,
              help="Latest story updates.")
@click.option("--days", type=click.IntRange(1, 3650), default=7, show_default=True, help="Latest daily briefings.")
@click.option("--title", default="Parallax briefs", show_default=True)
@click.option("--self-url", help="The feed's own URL (rel=self link).")
def feed(db: str | None, output: Path | None, n_stories: int, days: int, title: str, self_url: str | None) -> None:
    """Write an Atom feed of briefs: per-story updates and the daily briefings."""
    from parallax.desk.feed import atom_feed

    with open_store(db, create=False) as store:
        text = atom_feed(store, stories=n_stories, days=days, title=title, self_url=self_url)
    write_output(text, output, "Atom feed")


@click.command("coverage")
@click.argument("story_id")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def coverage_cmd(story_id: str, db: str | None, fmt: str) -> None:
    """Which outlets and origin groups covered STORY_ID (with the source registry's metadata)."""
    from parallax.desk import coverage

    with open_store(db, create=False) as store:
        cov = coverage(store, story_id)
    if fmt == "json":
        click.echo(json.dumps(cov, ensure_ascii=False, indent=2))
        return
    click.echo(f"{cov['story']}: {cov['articles']} articles, {cov['origins']} independent origins")
    for o in cov["outlets"]:
        reg = o.get("registry") or {}
        meta = ", ".join(f"{k}: {v}" for k, v in reg.items() if k not in ("domain",))
        click.echo(f"  {o['outlet']} [{o['domain'] or '-'}] {len(o['articles'])} article(s), origin "
                   f"{', '.join(o['origin_groups'])}{'  (' + meta + ')' if meta else ''}")
    for g in cov["origin_groups"]:
        click.echo(f"  origin {g['id']}: {', '.join(g['articles'])}")


@click.group()
def db() -> None:
    """The database: migrations and facts about it."""


@db.command("migrate")
@db_option
def db_migrate(db: str | None) -> None:
    """Apply the pending schema migrations (they also run whenever the database is opened)."""
    with open_store(db, migrate=False) as store:
        applied = store.migrate()
        click.echo(f"{store.info()['url']}: " + (f"applied {', '.join(applied)}" if applied else "up to date"))


@db.command("info")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def db_info(db: str | None, fmt: str) -> None:
    """Where the database is, its migrations and how much it holds (never creates one)."""
    with open_store(db, migrate=False, create=False) as store:
        info = store.info()
    if fmt == "json":
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"database   {info['url']} ({info['dialect']}{', read-only' if info['read_only'] else ''})")
    click.echo(f"migrations {', '.join(info['migrations']) or 'none'}"
               + (f"; pending {', '.join(info['pending'])}" if info["pending"] else "")
               + (f"; from a newer Parallax: {', '.join(info['unknown'])}" if info["unknown"] else ""))
    click.echo(f"index      {info['index']}")
    for k, v in info["counts"].items():
        click.echo(f"{k:10} {'-' if v is None else v}")


COMMANDS: list[click.Command] = [stories, daily_cmd, feed, coverage_cmd, db]
