"""What the commands share: the `--db` option, opening the store, writing output, and coded errors.

Every failure a user sees carries a `parallax.errors` catalogue code (`PXnnn input: what went wrong: what
to do`), one line, never a traceback (that goes to the log at -v). Exit status (docs/ERRORS.md):

- 0  all good;
- 1  some inputs failed (each named on stderr with its code) and the rest was done: `ingest`, `clean`,
     `watch --once`, and `brief --strict` (plain `brief` reports them and exits 0);
- 2  a bad command line or `--config` file, or nothing could be done: no readable input, a database that
     cannot be opened or written, an unknown story, an unexpected error (PX000).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from parallax.config import Settings
from parallax.errors import ParallaxError, error

if TYPE_CHECKING:
    from parallax.store import Store

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = "Database: a SQLite file path or postgresql://… URL (default: $PARALLAX_DB, else the user data dir)."
EXIT_OK, EXIT_SOME_FAILED, EXIT_NOTHING_DONE = 0, 1, 2
SETTINGS_KEY = "parallax.settings"  # where the group keeps the --config Settings (click's ctx.meta)


class CodedError(click.ClickException):
    """A `ParallaxError` that ends a command, as click shows it: "Error: PXnnn input: message" on stderr,
    exit status 2 (nothing could be done)."""

    exit_code = EXIT_NOTHING_DONE

    def __init__(self, exc: ParallaxError) -> None:
        super().__init__(str(exc))
        self.code = exc.code


def fail(code: str, input: str = "", detail: str = "") -> CodedError:
    """The click exception for catalogue `code` (raise it): `fail("PX501", day, "no stories on that day")`."""
    return CodedError(error(code, input, detail))


def usage(code: str, input: str = "", detail: str = "") -> click.UsageError:
    """A coded usage error (click prints the command's usage line with it; exit 2)."""
    return click.UsageError(str(error(code, input, detail)))


def bad_parameter(hint: str, detail: str) -> click.BadParameter:
    """A coded PX302 error about one option or argument (`hint`: its name as the user typed it)."""
    return click.BadParameter(str(error("PX302", "", detail)), param_hint=hint)


def db_option(f: F) -> F:
    """`--db URL` (also $PARALLAX_DB): the one database option of every command that uses the store."""
    return click.option("--db", "db", envvar="PARALLAX_DB", default=None, metavar="URL", help=DB_HELP)(f)


def output_option(f: F) -> F:
    """`-o/--output FILE`: write there instead of stdout."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write to FILE, not stdout.")(f)


def open_store(db: str | None, *, migrate: bool = True, create: bool = True, writable: bool = False) -> Store:
    """The store at `db` (None: $PARALLAX_DB, else the default file); any failure as a coded CLI error.

    `create`: make a missing SQLite file (read-only commands pass False: PX507, and no file is made).
    `writable`: refuse a store that can only be read (PX505) before anything is attempted. A SQLite file
    we may not write is opened read-only (never migrated)."""
    import logging

    from parallax.store import Store
    from parallax.store.engine import translate

    try:
        store = Store(db, migrate=migrate, create=create)
    except ParallaxError as exc:
        raise CodedError(exc) from exc
    except Exception as exc:  # a driver's own error (cannot connect, permission denied ...): say which
        logging.getLogger(__name__).info("cannot open %s", db, exc_info=True)
        raise CodedError(translate(exc, db or "(default database)")) from exc
    if writable and store.read_only:
        store.close()
        raise fail("PX505", store.url, "it can only be read")
    return store


def write_output(text: str, output: Path | None, what: str = "") -> None:
    """`text` to `output` (creating its folder; "wrote FILE (what)" on stderr) or to stdout."""
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}{f' ({what})' if what else ''}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


def settings_of(ctx: click.Context | None = None) -> Settings | None:
    """The Settings of the global `--config FILE` (None when not given)."""
    ctx = ctx or click.get_current_context()
    return ctx.meta.get(SETTINGS_KEY)
