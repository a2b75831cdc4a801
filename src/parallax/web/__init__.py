"""The reader's desk: `parallax serve` — server-rendered pages and a JSON API over the store.

    from parallax.web import create_app
    app = create_app(store)          # a parallax.store.Store, a Brief, or a parallax.web.backend.Backend

See docs/WEB.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(store: Any, **kwargs: Any) -> FastAPI:
    from parallax.web.app import create_app as _create_app

    return _create_app(store, **kwargs)
