"""The one adapter between the benchmarks and the Parallax library.

Every call into ``parallax`` goes through this module, imported lazily so that a missing or broken stage
makes only its own benchmark row print ``parallax: not available (reason)`` while the peers still run.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from bench import common
from bench.common import REPO_ROOT


class Unavailable(Exception):
    """Raised when a Parallax function cannot be imported; the message is the reason."""


def _module(name: str) -> Any:
    try:
        return importlib.import_module(f"parallax.{name}")
    except ModuleNotFoundError as exc:
        src = str(REPO_ROOT / "src")
        if exc.name in {"parallax", f"parallax.{name}"} and src not in sys.path:
            sys.path.insert(0, src)  # not pip-installed: use the source tree
            try:
                return importlib.import_module(f"parallax.{name}")
            except Exception as exc2:
                raise Unavailable(f"cannot import parallax.{name}: {type(exc2).__name__}: {exc2}") from exc2
        raise Unavailable(f"cannot import parallax.{name}: {exc}") from exc
    except Exception as exc:
        raise Unavailable(f"cannot import parallax.{name}: {type(exc).__name__}: {exc}") from exc


def get(module: str, attr: str) -> Any:
    """``parallax.<module>.<attr>``, or raise :class:`Unavailable` with the reason."""
    mod = _module(module)
    try:
        return getattr(mod, attr)
    except AttributeError as exc:
        raise Unavailable(f"parallax.{module} has no {attr}") from exc


# --- the functions the benchmarks call -------------------------------------------------------------


def extract_article(html: str, url: str | None = None) -> str:
    return get("stages.clean", "extract_article")(html, url)


def cluster_documents(docs: list[dict[str, Any]]) -> list[str]:
    return list(get("stages.stories", "cluster_documents")(docs))


def brief_records(records: list[dict[str, Any]], **kwargs: Any) -> Any:
    return get("pipeline", "brief_records")(records, **kwargs)


def brief_paths(paths: list[str]) -> Any:
    return get("pipeline", "brief_paths")(paths)


def flag_sentence(text: str) -> list[str]:
    return list(get("stages.loaded", "flag_sentence")(text))


def check(*names: tuple[str, str]) -> None:
    """Raise :class:`Unavailable` unless every ``(module, attr)`` exists (checked before timing a run)."""
    if common.PARALLAX_DISABLED[0]:
        raise Unavailable(common.PARALLAX_DISABLED[0])
    for module, attr in names:
        get(module, attr)
