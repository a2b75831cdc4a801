"""Command line: each command is a thin wrapper over the library call of the same name.

Commands are registered explicitly at the bottom of this module, by area: here `brief` and `clean`;
`parallax.cli.desk` (stories, daily, feed, coverage, db), `parallax.cli.ingest` (ingest, watch, sources),
`parallax.cli.web` (serve), `parallax.cli.scale` (scale run, scale merge). What they share (`--db`, opening
the store, writing output, coded errors) is in `parallax.cli.common`. The group's `--config FILE` applies to every command: the TOML is read into
`parallax.config.Settings`, kept on the click context and made the settings in effect while the command runs.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from parallax.cli import desk, ingest, scale, web
from parallax.cli.common import (
    SETTINGS_KEY,
    CodedError,
    db_option,
    fail,
    output_option,
    settings_of,
    usage,
    write_output,
)
from parallax.config import Settings, use
from parallax.errors import ParallaxError, error
from parallax.version import __version__

log = logging.getLogger(__name__)

CONFIG_HELP = ("Settings file (TOML), for every command: one table per stage overriding the defaults, e.g. "
               "[stories] threshold = 0.3 or [brief] repeat_similarity = 0.75 (see docs/ARCHITECTURE.md). "
               "Recorded in the JSON output's settings.config.")


class ParallaxGroup(click.Group):
    """A click group whose commands' failures all reach the user with a catalogue code.

    A `ParallaxError` from a library call becomes "Error: PXnnn …" (exit 1, or 2 for PX302/PX303); any
    other exception is PX000 (an unexpected error), its traceback logged at -v."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ParallaxError as exc:
            raise CodedError(exc) from exc
        except Exception as exc:
            log.info("unexpected error", exc_info=True)
            raise CodedError(error("PX000", "", f"{type(exc).__name__}: {exc}")) from exc


@click.group(cls=ParallaxGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="parallax")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help=CONFIG_HELP)
@click.pass_context
def main(ctx: click.Context, verbose: int, config_file: Path | None) -> None:
    """Parallax: many outlets in, one short, neutral, fully cited brief out.

    Errors are reported on stderr with a code (PXnnn); exit status 1, or 2 for a bad command line or
    --config file.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if config_file is not None:
        s = Settings.from_toml(config_file)  # PX303 when unreadable, not TOML, or naming unknown settings
        ctx.meta[SETTINGS_KEY] = s
        ctx.with_resource(use(s))


@click.command()
@click.argument("paths", nargs=-1, required=False)
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html"]), default="md", show_default=True,
              help="Output format.")
@click.option("--story", "story_id", help="Brief a stored story (see `parallax stories`) instead of PATHS.")
@click.option("--since-last", is_flag=True, help="With --story: what changed since the story's last brief.")
@db_option
@output_option
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
            raise usage("PX302", "--story", "give PATHS or --story, not both")
        from parallax.desk import brief_story_text

        write_output(brief_story_text(story_id, db=db, fmt=fmt, since_last=since_last, length=length), output)
        return
    if since_last:
        raise usage("PX302", "--since-last", "--since-last needs --story")
    if not paths:
        raise usage("PX301", "", "give PATHS (files, directories or -) or --story ID")

    result = brief_paths(list(paths), stdin=sys.stdin.buffer if "-" in paths else None, length=length,
                         single_story=single_story, settings=settings_of())
    for err in result.errors:
        click.echo(f"parallax: {err.code} {err.input}: {err.message}", err=True)
    if not result.articles:
        raise fail("PX301", "", "no readable article among the inputs")
    write_output(render(result, fmt), output, f"{len(result.stories)} stories, {len(result.articles)} articles")
    if strict and result.errors:
        sys.exit(2)


@click.command()
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


# ---- registration: every command of every area, in one place ---------------------------------------------

COMMANDS: list[click.Command] = [
    brief, clean,
    *desk.COMMANDS,     # stories, daily, feed, coverage, db
    *ingest.COMMANDS,   # ingest, watch, sources
    *web.COMMANDS,      # serve
    *scale.COMMANDS,    # scale run, scale merge
]
for _command in COMMANDS:
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
