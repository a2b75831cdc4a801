"""The store's database: engine (SQLite by default, PostgreSQL by URL), named migrations, the meta table.

`Database` is the base of `parallax.store.Store`; the other parts of the store (articles, incremental
stories, story rows, the registry) are mixins over it, each in its own module.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection

from parallax.errors import error
from parallax.store import index as idx
from parallax.store import schema as S

log = logging.getLogger(__name__)

MIGRATION_LOCK = 7207317  # PostgreSQL advisory lock id held while migrating


def default_url() -> str:
    """PARALLAX_DB if set, else a SQLite file under the user's data directory."""
    env = os.environ.get("PARALLAX_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("parallax", appauthor=False)) / "parallax.db")


def engine_url(url: str | None) -> str:
    """A SQLAlchemy URL from a database URL or a file path ("postgresql://" uses psycopg 3)."""
    url = url or default_url()
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("postgresql+", "sqlite:")):
        return url
    if "://" in url:
        raise error("PX502", url, "unsupported database URL: use a file path, sqlite:///… or postgresql://…")
    path = Path(url).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


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


class Database:
    """The engine, the migrations and the meta table of a Parallax store."""

    def __init__(self, url: str | None = None, *, migrate: bool = True, echo: bool = False):
        self.url = url or default_url()
        self._engine_url = engine_url(self.url)
        self.dialect = "postgresql" if self._engine_url.startswith("postgresql") else "sqlite"
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": 60}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self._engine_url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", sqlite_pragmas)
        if migrate:
            self.migrate()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.engine.url.render_as_string(hide_password=True)!r})"

    def migrate(self) -> list[str]:
        """Apply the missing named migrations in order; returns the names applied now."""
        S.schema_migrations.create(self.engine, checkfirst=True)
        applied: list[str] = []
        for name, step in S.MIGRATIONS:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":  # one migrator at a time
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                done = conn.execute(select(S.schema_migrations.c.name).where(
                    S.schema_migrations.c.name == name)).first()
                if done:
                    continue
                step(conn)
                conn.execute(insert(S.schema_migrations).values(name=name, applied_at=S.utcnow()))
                applied.append(name)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        with self.engine.begin() as conn:
            self.set_meta(conn, "index", idx.INDEX_VERSION, only_if_missing=True)
        return applied

    def migrations(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.schema_migrations).order_by(S.schema_migrations.c.name)).all()
        return [{"name": r.name, "applied_at": r.applied_at.isoformat()} for r in rows]

    def info(self) -> dict[str, Any]:
        """Database URL (password hidden), dialect, migrations, row counts."""
        with self.engine.connect() as conn:
            counts = {
                "articles": conn.execute(select(func.count()).select_from(S.articles).where(
                    S.articles.c.superseded_by.is_(None))).scalar_one(),
                "article_versions": conn.execute(select(func.count()).select_from(S.articles)).scalar_one(),
                "stories": conn.execute(select(func.count()).select_from(S.stories).where(
                    S.stories.c.merged_into.is_(None), S.stories.c.n_articles > 0)).scalar_one(),
                "origin_groups": conn.execute(select(func.count(func.distinct(S.articles.c.group_id))).where(
                    S.articles.c.superseded_by.is_(None))).scalar_one(),
                "briefs": conn.execute(select(func.count()).select_from(S.briefs)).scalar_one(),
                "sources": conn.execute(select(func.count()).select_from(S.sources)).scalar_one(),
                "corrections": conn.execute(select(func.count()).select_from(S.corrections)).scalar_one(),
            }
            index = self.get_meta(conn, "index")
        known = [n for n, _ in S.MIGRATIONS]
        applied = [m["name"] for m in self.migrations()]
        return {"url": self.engine.url.render_as_string(hide_password=True), "dialect": self.dialect,
                "migrations": applied, "pending": [n for n in known if n not in applied], "index": index,
                "counts": counts}

    def get_meta(self, conn: Connection, key: str) -> str | None:
        return conn.execute(select(S.meta.c.value).where(S.meta.c.key == key)).scalar_one_or_none()

    def set_meta(self, conn: Connection, key: str, value: str, only_if_missing: bool = False) -> None:
        cur = self.get_meta(conn, key)
        if cur is None:
            conn.execute(insert(S.meta).values(key=key, value=value))
        elif not only_if_missing and cur != value:
            conn.execute(update(S.meta).where(S.meta.c.key == key).values(value=value))
