"""A page whose given publication date is a whole date line (longer than the column) is filed, not refused:
the column holds its day when one can be read, the line itself stays in the article's meta."""

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
