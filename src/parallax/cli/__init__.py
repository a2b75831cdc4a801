"""Command line: each command is a thin wrapper over the library call of the same name.

Commands are registered explicitly at the bottom of this module, by area: here `brief` and `clean`;
`parallax.cli.desk` (stories, daily, feed, coverage, db), `parallax.cli.ingest` (ingest, watch, sources),
`parallax.cli.web` (serve), `parallax.cli.scale` (scale run, scale merge). What they share (`--db`, opening
the store, writing output, coded errors) is in `parallax.cli.common`. The group's `--config FILE` applies to every command: the TOML is read into
`parallax.config.Settings`, kept on the click context and made the settings in effect while the command runs.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from parallax.cli import desk, ingest, scale, web
from parallax.cli.common import (
    EXIT_SOME_FAILED,
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

_IMPORTED = time.perf_counter()
ONE_SHOT_THREADS = 4  # encoder threads of a one-shot `parallax brief` at most (unless embed.threads says)
log = logging.getLogger(__name__)

MAX_BYTES_OPTION = click.option("--max-bytes", type=click.IntRange(min=1), default=None, metavar="N",
                                help="Size cap per page in bytes (default: [read] max_bytes, 5000000).")

CONFIG_HELP = ("Settings file (TOML), for every command: one table per stage overriding the defaults, e.g. "
               "[stories] threshold = 0.3 or [brief] repeat_similarity = 0.75 (see docs/ARCHITECTURE.md). "
               "Recorded in the JSON output's settings.config.")


def _is_database_error(exc: BaseException) -> bool:
    """Whether `exc` is SQLAlchemy's (checked without importing SQLAlchemy, which a brief never needs)."""
    import sys

    sa = sys.modules.get("sqlalchemy.exc")
    return sa is not None and isinstance(exc, sa.SQLAlchemyError)


class ParallaxGroup(click.Group):
    """A click group whose commands' failures all reach the user with a catalogue code.

    A `ParallaxError` from a library call becomes "Error: PXnnn …" (exit 2: nothing could be done); a
    database driver's error its coded form (PX5xx, never SQL); any other exception is PX000 (an unexpected
    error). Tracebacks go to the log at -v only."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ParallaxError as exc:
            log.info("%s", exc, exc_info=True)
            raise CodedError(exc) from exc
        except Exception as exc:
            if _is_database_error(exc):
                from parallax.store.engine import translate

                log.info("database error", exc_info=True)
                raise CodedError(translate(exc)) from exc
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

    Errors are reported on stderr with a code (PXnnn). Exit status: 0 all good; 1 some inputs failed
    (ingest, clean, brief --strict); 2 a bad command line or --config file, or nothing could be done.
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
@click.option("--strict", is_flag=True, help="Exit with status 1 if any input could not be read.")
@click.option("--no-record", is_flag=True, help="With --story: do not record this brief as a new version "
              "(read-only stores never record).")
@click.option("--profile", is_flag=True, help="Print wall and CPU seconds per stage (and start-up, models, "
              "output) on stderr.")
@MAX_BYTES_OPTION
def brief(paths: tuple[str, ...], fmt: str, output: Path | None, length: str, single_story: bool,
          strict: bool, story_id: str | None, since_last: bool, db: str | None, no_record: bool,
          max_bytes: int | None, profile: bool) -> None:
    """Brief PATHS: files (.txt, .html, .json, .jsonl), directories, or - for stdin; or a stored --story.

    Pages that cannot be read are reported on stderr with a code (PX1xx) and the rest is briefed (exit 0;
    with --strict, exit 1). No readable page at all: exit 2.
    """
    from parallax.pipeline import brief_paths
    from parallax.render import render
    from parallax.stages.prepare import Timings, stage
    from parallax.stages.read import date_warnings

    timings = Timings()
    timings["start-up"], timings.cpu["start-up"] = process_age(), time.process_time()
    from parallax.text.encoder import prefer_threads

    prefer_threads(min(os.cpu_count() or 1, ONE_SHOT_THREADS))  # one brief, the machine's cores: less wall, same answer

    if story_id:
        if paths:
            raise usage("PX302", "--story", "give PATHS or --story, not both")
        from parallax.desk import brief_story_text

        write_output(brief_story_text(story_id, db=db, fmt=fmt, since_last=since_last, length=length,
                                      record=not no_record), output)
        return
    if since_last:
        raise usage("PX302", "--since-last", "--since-last needs --story")
    if not paths:
        raise usage("PX301", "", "give PATHS (files, directories or -) or --story ID")

    with use(_with_max_bytes(settings_of(), max_bytes)) as s:
        result = brief_paths(list(paths), stdin=sys.stdin.buffer if "-" in paths else None, length=length,
                             single_story=single_story, settings=s, timings=timings)
    for err in result.errors:
        click.echo(f"parallax: {err.code} {err.input}: {err.message}", err=True)
    for w in date_warnings(result.articles):
        click.echo(f"parallax: warning {w.code} {w.input}: {w.message}", err=True)
    if not result.articles:
        raise fail("PX301", "", "no readable article among the inputs")
    with stage(timings, "output"):
        write_output(render(result, fmt), output, f"{len(result.stories)} stories, {len(result.articles)} articles")
    if profile:
        click.echo(profile_table(timings, len(result.articles)), err=True)
    if strict and result.errors:
        sys.exit(EXIT_SOME_FAILED)


def process_age() -> float:
    """Seconds since this process started (Linux /proc; elsewhere since this module was imported)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            started = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            up = float(fh.read().split()[0])
        return max(0.0, up - started / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


def profile_table(timings: Any, pages: int) -> str:
    """`brief --profile`'s table: wall and CPU seconds per stage, in the order they ran, and the total."""
    rows = [(name, wall, timings.cpu.get(name, 0.0)) for name, wall in timings.items()]
    wall, cpu = sum(r[1] for r in rows), sum(r[2] for r in rows)
    lines = [f"parallax: profile of {pages} page(s)", f"  {'stage':12s} {'wall s':>7s} {'CPU s':>7s} {'CPU %':>6s}"]
    lines += [f"  {name:12s} {w:7.3f} {c:7.3f} {100 * c / max(cpu, 1e-9):5.1f}%" for name, w, c in rows]
    lines.append(f"  {'total':12s} {wall:7.3f} {cpu:7.3f}  (start-up: the process up to the brief: Python, imports, settings;"
                 " models: loading and hash checks; output: render and write)")
    return "\n".join(lines)


def _with_max_bytes(s: Settings | None, max_bytes: int | None) -> Settings | None:
    """The settings in effect with `read.max_bytes` replaced by --max-bytes (when given)."""
    if max_bytes is None:
        return s
    from parallax.config import settings

    return (s or settings()).replace(read={"max_bytes": max_bytes})


@click.command()
@click.argument("paths", nargs=-1, required=True)
@MAX_BYTES_OPTION
def clean(paths: tuple[str, ...], max_bytes: int | None) -> None:
    """Show what cleaning keeps and removes for each page in PATHS (exit 1 when some could not be read)."""
    from parallax.stages.prepare import prepare_article
    from parallax.stages.read import read_paths

    failed = False
    with use(_with_max_bytes(settings_of(), max_bytes)):
        articles, errors = read_paths(list(paths))
        for err in errors:
            click.echo(f"parallax: {err.code} {err.input}: {err.message}", err=True)
        failed = bool(errors)
        if not articles:
            raise fail("PX301", "", "no readable page among the inputs")
        for a in articles:
            err = prepare_article(a)  # the steps every brief runs, within the page's time budget
            if err is not None:
                click.echo(f"parallax: {err.code} {err.input}: {err.message}", err=True)
                failed = True
                if err.code != "PX107":  # no text left: what cleaning removed is still worth showing
                    continue
            _show_cleaning(a)
    if failed:
        sys.exit(EXIT_SOME_FAILED)


def _show_cleaning(a: Any) -> None:
    click.echo(f"== {a.id} ({a.input}) — {a.title or 'no title'}")
    for r in a.removed:
        first = (r.text.splitlines() or [""])[0][:100]
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
