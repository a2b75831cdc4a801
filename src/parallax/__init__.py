"""Parallax: many outlets in, one short, neutral, fully cited brief out — counting independent origins."""

import logging

from parallax.version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__", "brief_paths", "brief_records"]


def __getattr__(name: str):
    # Lazy: `import parallax` stays cheap; the pipeline pulls in the model runtime.
    if name in ("brief_paths", "brief_records", "brief_articles"):
        from parallax import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
