"""The store's database: engine (SQLite by default, PostgreSQL by URL), named migrations, the meta table.

`Database` is the base of `parallax.store.Store`; the other parts of the store (articles, incremental
stories, story rows, the registry) are mixins over it, each in its own module.
"""

from __future__ import annotations

import errno
import logging
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, insert, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from parallax.errors import ParallaxError, error
from parallax.store import index as idx
from parallax.store import schema as S

log = logging.getLogger(__name__)

MIGRATION_LOCK = 7207317  # PostgreSQL advisory lock id held while migrating (and creating the first tables)

# Catalogue codes of store failures after which no later write can succeed either: a run stops at the first.
FATAL_CODES = frozenset({"PX504", "PX505", "PX506", "PX507", "PX508"})
# A write that no later page can get past either (PX506): the disk is full, the user's quota or the process's
# file-size limit (ulimit -f) is reached, or the disk fails. SQLite reports all but a full disk as
# "disk I/O error" (SQLITE_IOERR_WRITE); PostgreSQL as "could not extend file" / "could not write".
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})
WRITE_FAILURES = ("disk is full", "disk full", "no space left", "disk quota exceeded", "file too large",
                  "disk i/o error", "could not extend file", "could not write to file", "could not write block")


def default_url() -> str:
    """PARALLAX_DB if set, else a SQLite file under the user's data directory."""
    env = os.environ.get("PARALLAX_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("parallax", appauthor=False)) / "parallax.db")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL or path (None for PostgreSQL, in-memory SQLite or a URI with options)."""
    if url.startswith(("postgres://", "postgresql://", "postgresql+")):
        return None
    if url.startswith("sqlite:"):
        rest = url.split(":", 1)[1]
        if not rest.startswith("///") or "?" in rest or rest in ("///", "///:memory:"):
            return None
        return Path(rest[3:]).expanduser().resolve()
    if "://" in url:
        return None
    return Path(url).expanduser().resolve()


def engine_url(url: str | None, *, create: bool = True) -> str:
    """A SQLAlchemy URL from a database URL or a file path ("postgresql://" uses psycopg 3).

    A SQLite file that does not exist is created (with its folder) only when `create`; else PX507."""
    url = url or default_url()
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+"):
        return url
    if "://" in url and not url.startswith("sqlite:"):
        raise error("PX502", url, "unsupported database URL: use a file path, sqlite:///… or postgresql://…")
    path = sqlite_path(url)
    if path is None:
        return url
    if not path.exists():
        if not create:
            raise error("PX507", str(path), "no such file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise error("PX508", str(path), f"cannot create its folder ({exc.strerror or exc})") from None
    elif path.is_dir():
        raise error("PX508", str(path), "that is a directory, not a database file")
    return f"sqlite:///{path}"


def sqlite_read_only(path: Path) -> bool:
    """Whether we can only read the SQLite file at `path`: the file, or (for the journal files a writer
    makes beside it) its folder, is not writable."""
    if not path.exists():
        return False
    if not os.access(path, os.W_OK):
        return True
    side = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
    return not os.access(path.parent, os.W_OK) and not all(p.exists() and os.access(p, os.W_OK) for p in side)


def naive_utc(dt: datetime) -> datetime:
    """A datetime as stored: naive, in UTC."""
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


def as_datetime(v: datetime | date) -> datetime:
    if isinstance(v, datetime):
        return naive_utc(v)
    return datetime(v.year, v.month, v.day)


def sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses no committed transaction
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def sqlite_read_only_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only=ON")  # never a write, not even the journal mode
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def translate(exc: BaseException, input: str = "") -> ParallaxError:
    """A coded error for a database driver's exception: what went wrong in words, never the SQL.

    PX505 read-only, PX506 the database's files cannot be written (disk full, over a quota or the file-size
    limit, an I/O error), PX508 cannot connect or open, PX503 anything else (with the driver's first line). A
    ParallaxError (also one raised inside a column type's conversion) passes as it is."""
    if isinstance(exc, ParallaxError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, ParallaxError):
        return orig
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0][:300]
    text = f"{type(orig).__name__} {first}".lower()
    sqlstate = str(getattr(orig, "sqlstate", "") or "")
    sqlite_error = str(getattr(orig, "sqlite_errorname", "") or "")  # SQLITE_FULL, SQLITE_IOERR_WRITE ...
    os_errno = orig.errno if isinstance(orig, OSError) else None
    if "readonly" in text or "read-only" in text or "read only" in text or sqlstate == "25006" \
            or os_errno == errno.EROFS:
        return error("PX505", input, first)
    if os_errno in WRITE_ERRNOS or sqlite_error.startswith(("SQLITE_FULL", "SQLITE_IOERR")) \
            or any(w in text for w in WRITE_FAILURES) or sqlstate in ("53100", "58030"):
        return error("PX506", input, first)
    cannot_open = ("unable to open database", "could not connect", "connection refused", "authentication failed",
                   "server closed the connection", "connection is bad")
    if any(w in text for w in cannot_open) or sqlstate.startswith("08") or sqlstate in ("28000", "28P01", "3D000"):
        return error("PX508", input, first)
    if "no such table" in text or "undefinedtable" in text or sqlstate == "42P01":
        return error("PX508", input, f"{first}: not a Parallax database, or one not migrated "
                                     "(run `parallax db migrate`)")
    return error("PX503", input, f"{type(orig).__name__}: {first}")


def _coded_errors_as_they_are(ctx: Any) -> BaseException | None:
    """A coded error raised while a statement was prepared (a column type refusing a value) reaches the
    caller as itself, not wrapped in SQLAlchemy's StatementError with the SQL."""
    if isinstance(ctx.original_exception, ParallaxError):
        return ctx.original_exception
    return None


class Database:
    """The engine, the migrations and the meta table of a Parallax store.

    `create`: make the SQLite file when it does not exist (read-only commands pass False: PX507 instead).
    `read_only`: None detects it (a SQLite file we may not write); a read-only store never migrates or
    writes (PX505), and refuses a database that still needs migrations."""

    def __init__(self, url: str | None = None, *, migrate: bool = True, echo: bool = False, create: bool = True,
                 read_only: bool | None = None):
        self.url = url or default_url()
        self._engine_url = engine_url(self.url, create=create)
        self.dialect = "postgresql" if self._engine_url.startswith("postgresql") else "sqlite"
        path = sqlite_path(self._engine_url) if self.dialect == "sqlite" else None
        if read_only is None:
            read_only = bool(path and sqlite_read_only(path))
        self.read_only = read_only
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        target = self._engine_url
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": 60}
            if read_only and path is not None:
                target = f"sqlite:///file:{path}?mode=ro&uri=true"
                shm = path.with_name(path.name + "-shm")
                if not os.access(path.parent, os.W_OK) and not shm.exists():
                    # No writer can work here either (it could not make the journal files): a snapshot
                    # that SQLite may read without the shared-memory file.
                    target += "&immutable=1"
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(target, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", sqlite_read_only_pragmas if read_only else sqlite_pragmas)
        event.listen(self.engine, "handle_error", _coded_errors_as_they_are)
        try:
            if read_only:
                if migrate:  # a store we cannot migrate must already be at this code's schema
                    self.check_schema()
            elif migrate:
                self.migrate()
        except ParallaxError:
            self.engine.dispose()
            raise
        except (SQLAlchemyError, OSError) as exc:
            self.engine.dispose()
            log.debug("opening %s failed", self.url, exc_info=True)
            raise translate(exc, self.url) from exc

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.engine.url.render_as_string(hide_password=True)!r})"

    def require_writable(self, what: str = "") -> None:
        """PX505 when this store was opened read-only."""
        if self.read_only:
            raise error("PX505", self.url, f"opened read-only{'; cannot ' + what if what else ''}")

    def _applied(self, conn: Connection) -> list[str]:
        if not inspect(conn).has_table(S.schema_migrations.name):
            return []
        return list(conn.execute(select(S.schema_migrations.c.name)).scalars())

    def _refuse_newer(self, applied: list[str]) -> None:
        known = {n for n, _ in S.MIGRATIONS}
        unknown = sorted(set(applied) - known)
        if unknown:
            raise error("PX504", self.url, f"it has migration(s) {', '.join(unknown)}; this version knows up to "
                                           f"{S.MIGRATIONS[-1][0]}")

    def check_schema(self) -> None:
        """For a store we only read: PX504 when it is newer than this code, PX505 when it needs migrations."""
        with self.engine.connect() as conn:
            applied = self._applied(conn)
        self._refuse_newer(applied)
        pending = [n for n, _ in S.MIGRATIONS if n not in applied]
        if pending:
            raise error("PX505", self.url, f"it needs migration(s) {', '.join(pending)} but is read-only; "
                                           "migrate a writable copy")

    def migrate(self) -> list[str]:
        """Apply the missing named migrations in order; returns the names applied now.

        Everything, the first table included, happens under one lock: PostgreSQL's advisory lock (held by
        one connection for the whole run), SQLite's write lock (BEGIN IMMEDIATE per step, the check inside
        it). Two processes opening a new database at once: one migrates, the other finds it done. A
        database with migrations this code does not know is refused (PX504) before anything is written."""
        self.require_writable("migrate")
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
                conn.commit()
            try:
                return self._migrate(conn)
            finally:
                if self.dialect == "postgresql":
                    conn.rollback()
                    conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
                    conn.commit()

    def _begin(self, conn: Connection) -> None:
        if self.dialect == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock before anything is read

    def _migrate(self, conn: Connection) -> list[str]:
        self._begin(conn)
        S.schema_migrations.create(conn, checkfirst=True)
        self._refuse_newer(self._applied(conn))
        conn.commit()
        applied: list[str] = []
        for name, step in S.MIGRATIONS:
            self._begin(conn)
            done = conn.execute(select(S.schema_migrations.c.name).where(
                S.schema_migrations.c.name == name)).first()
            if done:
                conn.commit()
                continue
            step(conn)
            conn.execute(insert(S.schema_migrations).values(name=name, applied_at=S.utcnow()))
            conn.commit()
            applied.append(name)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        self._begin(conn)
        self.set_meta(conn, "index", idx.INDEX_VERSION, only_if_missing=True)
        conn.commit()
        return applied

    def migrations(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.schema_migrations).order_by(S.schema_migrations.c.name)).all()
        return [{"name": r.name, "applied_at": r.applied_at.isoformat()} for r in rows]

    def info(self) -> dict[str, Any]:
        """Database URL (password hidden), dialect, read-only, migrations (applied, pending, unknown to this
        code), row counts (of the tables it has)."""
        with self.engine.connect() as conn:
            have = set(inspect(conn).get_table_names())

            def count(table: Any, *where: Any) -> int | None:
                if table.name not in have:
                    return None
                return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()

            ac = S.articles.c
            counts = {
                "articles": count(S.articles, ac.superseded_by.is_(None)),
                "article_versions": count(S.articles),
                "stories": count(S.stories, S.stories.c.merged_into.is_(None), S.stories.c.n_articles > 0),
                "origin_groups": (conn.execute(select(func.count(func.distinct(ac.group_id))).where(
                    ac.superseded_by.is_(None))).scalar_one() if "articles" in have else None),
                "briefs": count(S.briefs),
                "sources": count(S.sources),
                "corrections": count(S.corrections),
            }
            index = self.get_meta(conn, "index") if "meta" in have else None
            applied = sorted(self._applied(conn))
        known = [n for n, _ in S.MIGRATIONS]
        return {"url": self.engine.url.render_as_string(hide_password=True), "dialect": self.dialect,
                "read_only": self.read_only, "migrations": applied,
                "pending": [n for n in known if n not in applied],
                "unknown": [n for n in applied if n not in known], "index": index, "counts": counts}

    def get_meta(self, conn: Connection, key: str) -> str | None:
        return conn.execute(select(S.meta.c.value).where(S.meta.c.key == key)).scalar_one_or_none()

    def set_meta(self, conn: Connection, key: str, value: str, only_if_missing: bool = False) -> None:
        cur = self.get_meta(conn, key)
        if cur is None:
            conn.execute(insert(S.meta).values(key=key, value=value))
        elif not only_if_missing and cur != value:
            conn.execute(update(S.meta).where(S.meta.c.key == key).values(value=value))
