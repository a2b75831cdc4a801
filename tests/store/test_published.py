"""Values a reader gives that are longer than the old columns: a whole date line as the publication date,
and a long id (data sets use UUIDs with prefixes)."""

from __future__ import annotations

import pytest

from parallax.model import Article
from parallax.store import Store

TEXT = ("The Marrow Bay ferry resumed service on Thursday after a two-day stop for repairs to its ramp.\n\n"
        "The operator said the crossing would run on its winter timetable until the end of the month.")


@pytest.mark.parametrize(("line", "day"), [
    ("2026-06-04T07:15:00+02:00 (updated 2026-06-04T09:40:00+02:00)", "2026-06-04"),
    ("Last updated on: Thursday, 4 June 2026, 07:15 local time, 14:15 in the capital", None),
])
def test_a_long_date_line_is_filed_with_its_day(db_url, line, day):
    with Store(db_url) as store:
        res = store.add_article(Article(id="ferry-1", raw=TEXT, title="Ferry resumes service", published=line,
                                        input="ferry-1"))
        assert res.status == "new"
        art = store.get_article(res.id)
    assert art.published == day
    assert art.meta["published_given"] == line


def test_a_readers_long_id_is_kept(db_url):
    """Data sets carry ids of 40+ characters (a prefix and a UUID): the store files them under that id."""
    long_id = "basil-73b9c883-1fce-456d-8f13-29006e58ff13-left"
    other = "basil-73b9c883-1fce-456d-8f13-29006e58ff13-right"
    with Store(db_url) as store:
        a = store.add_article(Article(id=long_id, raw=TEXT, title="Ferry resumes service", input=long_id))
        b = store.add_article(Article(id=other, raw=TEXT.replace("Thursday", "Friday"), title="Ferry back",
                                      input=other))
        assert (a.id, b.id) == (long_id, other)
        assert store.get_article(long_id).text.startswith("The Marrow Bay ferry")
