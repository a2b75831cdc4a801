"""The news desk's store: articles, provenance, incremental stories, recorded briefs, sources, fetch state.

    from parallax.store import Store
    with Store() as store:                    # SQLite under the user's data dir (or $PARALLAX_DB)
        res = store.add_article(article)      # AddResult(id, status "new"|"duplicate", story_id)
        store.list_stories()
        store.brief_story(res.story_id)

See docs/STORE.md for the whole API.
"""

from __future__ import annotations

from parallax.store.core import AddResult, AddSummary, Store, StoreError, default_url, domain_of, engine_url

__all__ = ["AddResult", "AddSummary", "Store", "StoreError", "default_url", "domain_of", "engine_url"]
