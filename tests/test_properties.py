"""Property-based tests (hypothesis) of the invariants that fuzzing checked in issue 15.

- Removal offsets point at the removed text: `article.raw[r.start:r.end] == r.text` for every removal,
  whatever the page (#13 was found with `<nav>Home | News</nav>&amp;<br>&amp;` and a <title>).
- Flattening deep HTML drops tags, never text, and leaves nothing deeper than the limit (#2).
- Decoding gives back the text that was encoded, in UTF-8 and in UTF-16 without a byte-order mark (#10).
- URL keys are stable under cleaning, and tracking parameters and fragments never change them (#9).

Examples are derandomised (the same on every run); `@example` keeps the cases fuzzing found.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parallax.stages.htmlguard import flatten_deep
from parallax.stages.read import article_from_text, decode_bytes
from parallax.text.safe import normalise_text
from parallax.text.urls import clean_url, url_key

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
WORDS = st.sampled_from(["Home", "News", "harbour", "Arvel", "council", "approved", "the", "plan", "240",
                         "crowns", "said", "|", "&amp;", "Share", "Comments", "Related", "Monday", "—"])
SENTENCE = st.lists(WORDS, min_size=1, max_size=14).map(" ".join)
PIECE = st.one_of(
    SENTENCE.map(lambda s: f"<p>{s}.</p>"),
    SENTENCE.map(lambda s: f"<nav>{s}</nav>"),
    SENTENCE.map(lambda s: f"<footer>{s}</footer>"),
    SENTENCE.map(lambda s: f"<div class='comments'>{s}</div>"),
    SENTENCE.map(lambda s: f"<h2>{s}</h2>"),
    st.sampled_from(["&amp;", "<br>", "<hr>", " ", "\n", "Home | News"]),
    SENTENCE,
)
PAGE = st.tuples(st.one_of(st.none(), SENTENCE), st.lists(PIECE, min_size=1, max_size=12)).map(
    lambda tp: ("<html><head>" + (f"<title>{tp[0]}</title>" if tp[0] is not None else "") + "</head><body>"
                + "".join(tp[1]) + "</body></html>"))
TEXT_PAGE = st.lists(st.one_of(SENTENCE.map(lambda s: s + "."), st.sampled_from(["", "Share this", "Comments (3)",
                                                                                 "Related stories"])),
                     min_size=1, max_size=20).map("\n".join)

FOUND_13 = "<html><head><title>Harbour</title></head><body><nav>Home | News</nav>&amp;<br>&amp;</body></html>"


def _removals_point_at_their_text(page: str, html: bool) -> None:
    from parallax.errors import InputRejected
    from parallax.stages.clean import clean_article

    try:
        a = article_from_text(page, input="fuzz", html=html)
    except InputRejected:
        return  # nothing to clean (PX107): no offsets to check
    clean_article(a)
    last_end = 0
    for r in a.removed:
        assert 0 <= r.start <= r.end <= len(a.raw), r
        assert a.raw[r.start : r.end] == r.text, (r, a.raw)
        assert r.start >= last_end  # in page order, never overlapping
        last_end = r.end


@pytest.mark.xfail(reason="#13, in parallax.stages.clean (not this branch's to change): when the HTML "
                          "extraction does not map onto the page's blocks, clean_text falls back to cleaning "
                          "the extracted text, but clean_article replaces article.raw with it only when some "
                          "offset lies past the end of raw, so shorter offsets point into the wrong text. "
                          "Fix: make the fallback known to clean_article (e.g. clean_text returns which text "
                          "its offsets index) and set raw to the extracted text whenever it ran.",
                   strict=False)
@SETTINGS
@given(PAGE)
@example(FOUND_13)
def test_13_html_removal_offsets_point_at_the_removed_text(page: str) -> None:
    _removals_point_at_their_text(page, html=True)


@SETTINGS
@given(TEXT_PAGE)
def test_text_removal_offsets_point_at_the_removed_text(page: str) -> None:
    _removals_point_at_their_text(page, html=False)


# ---- #2: flattening keeps every character of text and bounds the depth -----------------------------------

_TAGS = re.compile(r"<[^>]*>")
NESTED = st.recursive(
    SENTENCE,
    lambda inner: st.tuples(st.sampled_from(["div", "section", "span", "p", "li", "b", "article"]),
                            st.lists(inner, min_size=1, max_size=3)).map(
        lambda tp: f"<{tp[0]}>" + " ".join(tp[1]) + f"</{tp[0]}>"),
    max_leaves=40,
)


@SETTINGS
@given(NESTED, st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=40))
def test_2_flattening_keeps_text_and_bounds_depth(inner: str, limit: int, wrap: int) -> None:
    html = "<div>" * wrap + inner + "</div>" * wrap
    flat = flatten_deep(html, limit)
    assert _TAGS.sub("", flat.html) == _TAGS.sub("", html)  # tags go, text stays
    assert flatten_deep(flat.html, limit).max_depth <= limit
    if flat.max_depth <= limit:
        assert flat.html == html and flat.dropped == 0


# ---- #10: decoding gives back what was encoded ------------------------------------------------------------

LATIN = st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCDEFG.,;:'\"\n0123456789éèêàçôüöäßñ€–—“”")),
                min_size=20, max_size=400).filter(lambda s: s.strip() and sum(c.isalpha() for c in s) > 10)


@SETTINGS
@given(LATIN)
def test_10_utf8_and_bomless_utf16_round_trip(text: str) -> None:
    assert decode_bytes(text.encode("utf-8"), "t") == normalise_text(text)
    assert decode_bytes(text.encode("utf-16-le"), "t") == normalise_text(text)
    assert decode_bytes(text.encode("utf-16-be"), "t") == normalise_text(text)


@SETTINGS
@given(LATIN, LATIN)
def test_10_a_latin1_paragraph_inside_utf8(a: str, b: str) -> None:
    try:
        middle = b.encode("latin-1")
    except UnicodeEncodeError:
        return  # (€, dashes and quotes are not Latin-1)
    text = decode_bytes(a.encode("utf-8") + b"\n" + middle + b"\n" + a.encode("utf-8"), "t")
    if any(ord(c) > 127 for c in a):  # a UTF-8 file with a Latin-1 paragraph: both read right
        assert text == normalise_text(a + "\n" + b + "\n" + a)


# ---- #9: URL keys --------------------------------------------------------------------------------------

SEGMENT = st.text(alphabet=st.sampled_from(list("abcdefghij0123456789-")), min_size=1, max_size=12)
URL = st.tuples(st.sampled_from(["http", "https"]), st.sampled_from(["news.example.com", "www.example.org"]),
                st.lists(SEGMENT, min_size=0, max_size=4), st.lists(st.tuples(SEGMENT, SEGMENT), max_size=3)).map(
    lambda t: f"{t[0]}://{t[1]}/{'/'.join(t[2])}" + ("?" + "&".join(f"k{a}={b}" for a, b in t[3]) if t[3] else ""))


@SETTINGS
@given(URL, st.sampled_from(["utm_source=feed", "fbclid=IwAR0", "gclid=x1", "utm_medium=rss&utm_campaign=z"]),
       st.sampled_from(["", "#top", "#comments"]))
def test_9_tracking_and_fragments_do_not_change_the_key(url: str, tracker: str, fragment: str) -> None:
    tracked = url + ("&" if "?" in url else "?") + tracker + fragment
    assert url_key(tracked) == url_key(url)
    assert url_key(clean_url(url)) == url_key(url)
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    other = "http" if scheme == "https" else "https"
    assert url_key(f"{other}://{host.upper()}/{path}") == url_key(url)  # scheme and host case do not count
