"""Command line: each command is a thin wrapper over the library call of the same name."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from parallax.errors import ParallaxError
from parallax.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="parallax")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """Parallax: many outlets in, one short, neutral, fully cited brief out."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("paths", nargs=-1, required=False)
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html"]), default="md", show_default=True,
              help="Output format.")
@click.option("--story", "story_id", help="Brief a stored story (see `parallax stories`) instead of PATHS.")
@click.option("--since-last", is_flag=True, help="With --story: what changed since the story's last brief.")
@click.option("--db", envvar="PARALLAX_DB", default=None, metavar="URL",
              help="Database for --story (default: $PARALLAX_DB, else the user data dir).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
@click.option("--length", type=click.Choice(["short", "standard", "full"]), default="standard", show_default=True,
              help="short: <=6 facts/120 words; standard: <=12/250; full: <=30/700 per story.")
@click.option("--single-story", is_flag=True, help="Treat all inputs as one story (skip story grouping).")
@click.option("--strict", is_flag=True, help="Exit with status 2 if any input could not be read.")
def brief(paths: tuple[str, ...], fmt: str, output: Path | None, length: str, single_story: bool,
          strict: bool, story_id: str | None, since_last: bool, db: str | None) -> None:
    """Brief PATHS: files (.txt, .html, .json, .jsonl), directories, or - for stdin; or a stored --story.

    Pages that cannot be read are reported on stderr with a code (PX1xx) and the rest is briefed.
    """
    from parallax.pipeline import brief_paths
    from parallax.render import render

    if story_id:
        if paths:
            raise click.UsageError("give PATHS or --story, not both")
        from parallax.desk import brief_story_text

        try:
            text = brief_story_text(story_id, db=db, fmt=fmt, since_last=since_last, length=length)
        except ParallaxError as exc:
            raise click.ClickException(str(exc)) from exc
        _write(text, output)
        return
    if since_last:
        raise click.UsageError("--since-last needs --story")
    if not paths:
        raise click.UsageError("give PATHS (files, directories or -) or --story ID")

    try:
        result = brief_paths(list(paths), stdin=sys.stdin.buffer if "-" in paths else None, length=length,
                             single_story=single_story)
    except ParallaxError as exc:
        raise click.ClickException(str(exc)) from exc
    for err in result.errors:
        click.echo(f"parallax: {err.code} {err.input}: {err.message}", err=True)
    if not result.articles:
        raise click.ClickException("no readable article among the inputs")
    _write(render(result, fmt), output, f"{len(result.stories)} stories, {len(result.articles)} articles")
    if strict and result.errors:
        sys.exit(2)


def _write(text: str, output: Path | None, what: str = "") -> None:
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}{f' ({what})' if what else ''}", err=True)
    else:
        click.echo(text)


@main.command()
@click.argument("paths", nargs=-1, required=True)
def clean(paths: tuple[str, ...]) -> None:
    """Show what cleaning keeps and removes for each page in PATHS."""
    from parallax.stages.clean import clean_article
    from parallax.stages.read import read_paths

    articles, errors = read_paths(list(paths))
    for err in errors:
        click.echo(f"parallax: {err.code} {err.input}: {err.message}", err=True)
    for a in articles:
        clean_article(a)
        click.echo(f"== {a.id} ({a.input}) — {a.title or 'no title'}")
        for r in a.removed:
            first = r.text.splitlines()[0][:100]
            click.echo(f"  - removed {r.kind}: {first}")
        click.echo(f"  kept {len(a.text.split())} words in {a.text.count(chr(10) + chr(10)) + 1} paragraphs")


def _register_command_modules() -> None:
    """Commands of other areas live in their own modules (desk: the store; ingest: fetching; web: serve)."""
    from parallax.cli import desk, ingest, web

    for mod in (desk, ingest, web):
        mod.register(main)


_register_command_modules()

if __name__ == "__main__":  # pragma: no cover
    main()
