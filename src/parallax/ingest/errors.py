"""Fetch and ingestion errors: codes PX4xx, each with what to do.

`FetchError` is a `ParallaxError` (defined with the catalogue in `parallax.errors`), so the CLI and the
summary treat it like any coded input error; `fetch_error` is `parallax.errors.error` typed for it.
"""

from __future__ import annotations

from parallax.errors import CATALOGUE, FetchError, error

INGEST_CODES: dict[str, tuple[str, str]] = {k: v for k, v in CATALOGUE.items() if k.startswith("PX4")}

__all__ = ["INGEST_CODES", "FetchError", "fetch_error"]


def fetch_error(code: str, input: str, detail: str = "", *, status: int | None = None) -> FetchError:
    exc = error(code, input, detail, status=status)
    assert isinstance(exc, FetchError)
    return exc
