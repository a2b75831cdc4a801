"""The store knows each page's site: blocks on many of a site's stored pages are its boilerplate (#13)."""

from __future__ import annotations

from parallax.model import Article
from parallax.stages.clean import clean_article
from parallax.stages.clean.site import fingerprint

FOOTER = "The Valley Post is an independent newspaper owned by its readers."
LEADS = [
    "The council approved a new cycle lane along the river road on Tuesday after a two-year dispute with shop "
    "owners, who feared it would take away parking spaces in front of their stores.",
    "A fishing boat with four crew was towed back to port after its engine failed in heavy seas, the coast "
    "guard said, adding that nobody had been hurt during the night.",
    "The town's only cinema will reopen in September after a year of repairs paid for by a crowd-funding "
    "campaign that raised more than twice its target in a month.",
    "Water rates will rise by four percent next year, the utility said, blaming the cost of replacing pipes "
    "laid more than a century ago under the old town.",
]


def _page(i: int, lead: str) -> Article:
    raw = "\n\n".join([f"Valley story {i} makes the news", lead, "The mayor said more details would follow "
                       "at the next meeting of the council in the town hall.", FOOTER])
    return Article(id=f"v{i}", raw=raw, url=f"https://www.valley-post.example/news/{i}", source="Valley Post")


def test_store_site_boilerplate_finds_the_blocks_its_pages_repeat(store) -> None:
    for i, lead in enumerate(LEADS):
        store.add_article(_page(i, lead))
    store.add_article(Article(id="o1", raw="\n\n".join([LEADS[0], FOOTER]), url="https://other.example/a"))
    found = store.site_boilerplate("https://valley-post.example/anything")
    assert fingerprint(FOOTER) in found
    assert not any(fingerprint(lead) in found for lead in LEADS)
    assert store.site_boilerplate("other.example") == frozenset()  # one page: nothing repeats
    assert store.site_boilerplate("") == frozenset()

    fresh = clean_article(_page(9, "A new bakery opened on the market square on Saturday, and the queue reached "
                                   "the church by nine in the morning, its owner said."), boilerplate=found)
    assert FOOTER not in fresh.text and "new bakery" in fresh.text
    assert any(FOOTER in r.text and "repeated on many of this site's pages" in r.reason for r in fresh.removed)
