"""Fetch and ingestion errors: codes PX4xx, each with what to do.

`FetchError` is a `ParallaxError`, so the CLI and the summary treat it like any coded input error. The
codes live in `parallax.errors.CATALOGUE` (PX4xx) with the rest of the catalogue.
"""

from __future__ import annotations

from parallax.errors import CATALOGUE, ParallaxError

INGEST_CODES: dict[str, tuple[str, str]] = {k: v for k, v in CATALOGUE.items() if k.startswith("PX4")}


class FetchError(ParallaxError):
    """A URL that could not be fetched (or a fetched body that cannot be used); the batch goes on."""

    code = "PX400"
    status: int | None = None  # the HTTP status, for PX404


def _entry(code: str) -> tuple[str, str]:
    return INGEST_CODES.get(code) or CATALOGUE.get(code) or ("error", "")


def fetch_error(code: str, input: str, detail: str = "", *, status: int | None = None) -> FetchError:
    name, hint = _entry(code)
    msg = f"{name}{' (' + detail + ')' if detail else ''}{': ' + hint if hint else ''}"
    err = FetchError(msg, input=input, code=code)
    err.status = status
    return err
