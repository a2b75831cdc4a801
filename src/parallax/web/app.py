"""The reader's desk: server-rendered pages and a JSON API over the store.

`create_app(store)` returns the FastAPI app. `store` is a `parallax.store.Store`, a `Brief`, or any
`parallax.web.backend.Backend`. The app is assembled here from its parts:

- `parallax.web.state`   the `Desk` every route shares (backend, templates, cache, store threads, settings),
  on `app.state.desk`;
- `parallax.web.routes`  the routers: `pages` (HTML), `api.reads` and `api.writes` (JSON), `feeds` (Atom);
- `parallax.web.errors`  the exception handlers (JSON under /api/ and /feeds/, an error page elsewhere);
- `parallax.web.security` the middleware (security headers on every response, the write endpoints' bearer
  token checked before any body is read, HEAD as GET, body size limits).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from parallax.config import Settings
from parallax.config import settings as settings_in_effect
from parallax.model import Brief
from parallax.render.common import version
from parallax.web import errors
from parallax.web.backend import as_backend
from parallax.web.routes import api, feeds, pages
from parallax.web.security import BodySizeLimit, HeadAsGet, SecurityHeaders, WriteAuth
from parallax.web.state import Desk

DESCRIPTION = ("Neutral, cited briefs of the news, counting independent origins (copies and rewrites "
               "collapsed). Reads are open; writes need a bearer token set by the operator.")


def create_app(store: Any, *, api_token: str | None = None, secret: bytes | None = None,
               revision_ttl: float = 1.0, cache_size: int = 512, allow_private: bool = False,
               max_body: int = 64 * 1024, max_ingest_body: int = 8 * 1024 * 1024,
               settings: Settings | None = None, warm_up: bool = True, brief_process: bool = False) -> FastAPI:
    """The web app over `store` (a parallax.store.Store, a Brief or a Backend).

    api_token: the bearer token of the write endpoints (default: $PARALLAX_API_TOKEN; none = writes off).
    settings: the `parallax.config.Settings` every store call runs with (default: those in effect now, e.g.
    `parallax --config FILE serve`).
    warm_up: at start, queue every story whose brief is not current on the brief pool (most covered first),
    so a cold desk warms on its own (`Desk.warm_up`); reads never wait for it.
    brief_process: compute those briefs in a child process at lower CPU priority (`parallax.desk.worker`),
    so the model work never holds the server's interpreter or cores while reads arrive; `parallax serve`
    turns it on. Only for a store another process can write (a SQLite file, PostgreSQL); otherwise, and by
    default, briefs are computed on a thread of this process.
    """
    if api_token is None:
        api_token = os.environ.get("PARALLAX_API_TOKEN") or None
    backend = as_backend(store) if isinstance(store, Brief) else as_backend(store, allow_private=allow_private)
    desk = Desk(backend, api_token=api_token, secret=secret, revision_ttl=revision_ttl, cache_size=cache_size,
                settings=settings or settings_in_effect(), brief_process=brief_process)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.ensure_future(desk.warm_up()) if warm_up else None
        if desk.briefer is not None:  # the child imports Parallax and its models meanwhile, not on a first read
            asyncio.get_running_loop().run_in_executor(None, desk.start_briefer)
        yield
        if task is not None:
            task.cancel()
        desk.close()

    app = FastAPI(title="Parallax", version=version(), description=DESCRIPTION, docs_url=None, redoc_url=None,
                  lifespan=lifespan)
    app.state.desk = desk
    app.add_middleware(BodySizeLimit, max_bytes=max_body, limits={"/api/ingest": max_ingest_body})
    app.add_middleware(HeadAsGet)
    app.add_middleware(WriteAuth, paths=api.WRITE_PATHS, token_of=lambda: desk.api_token)  # before any body
    app.add_middleware(SecurityHeaders)
    errors.install(app)
    for router in (pages.router, api.reads, feeds.router, api.writes):
        app.include_router(router)
    return app
