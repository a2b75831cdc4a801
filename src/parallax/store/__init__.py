"""The news desk's store: articles, provenance, incremental stories, recorded briefs, sources, fetch state.

    from parallax.store import Store
    from parallax.desk import brief_story
    with Store() as store:                    # SQLite under the user's data dir (or $PARALLAX_DB)
        res = store.add_article(article)      # AddResult(id, status "new"|"duplicate", story_id)
        store.list_stories()
        brief_story(store, res.story_id)

`Store` is one object over one database, assembled from one module per responsibility: `engine`
(connection, migrations, meta), `articles` (filing and reading articles), `incremental` (story assignment
and provenance, which call the stages), `stories` (story rows, lineage, brief versions) and `registry`
(sources, fetch state, corrections). See docs/STORE.md for the whole API.
"""

from __future__ import annotations

from parallax.errors import StoreError
from parallax.store.articles import AddResult, AddSummary, ArticlesMixin, Prepared
from parallax.store.engine import Database, default_url, engine_url
from parallax.store.incremental import IncrementalMixin
from parallax.store.registry import RegistryMixin, domain_of
from parallax.store.stories import StoriesMixin

__all__ = ["AddResult", "AddSummary", "Prepared", "Store", "StoreError", "default_url", "domain_of", "engine_url"]


class Store(RegistryMixin, StoriesMixin, ArticlesMixin, IncrementalMixin, Database):
    """A Parallax news desk database. `Store()` opens the default SQLite file; `Store("postgresql://…")`."""

    def __enter__(self) -> Store:
        return self
