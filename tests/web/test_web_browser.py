"""The reader's desk in a real browser: Debian's Chromium driven by Playwright against the real server.

Skips (with the reason) when Playwright or /usr/bin/chromium is missing. Screenshots of the daily page,
a story page and the hostile story go to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PWNED = "() => window.__pwned === undefined ? null : String(window.__pwned)"


def assert_clean(web: Any) -> None:
    assert web.dialogs == [], web.dialogs
    assert web.foreign == [], web.foreign
    assert web.page.evaluate(PWNED) is None
    assert web.page.evaluate("() => document.scripts.length") == 0


def test_daily_page(web: Any, artifacts: Path) -> None:
    resp = web.goto("/")
    assert resp.status == 200
    page = web.page
    assert page.title().startswith("Daily brief")
    cards = page.locator("li.card")
    assert cards.count() >= 2  # the latest day: stories with an article of that day
    assert "Saltmere" in cards.first.locator("h2").inner_text()  # three independent origins rank first
    assert page.locator("svg.bar").count() == cards.count()
    assert page.locator("link[rel=stylesheet]").evaluate("l => l.sheet.cssRules.length") > 50  # CSS loaded
    page.screenshot(path=str(artifacts / "daily.png"), full_page=True)
    assert_clean(web)
    assert web.console_errors == []


def test_story_page_and_following_a_citation(web: Any, ids: dict[str, str], artifacts: Path) -> None:
    web.goto(f"/stories/{ids['port']}")
    page = web.page
    for heading in ("Facts", "Where sources differ", "Quotes", "Loaded language", "Timeline", "What changed"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    assert page.locator(".fact").count() >= 5
    assert page.locator(".pill-corroborated").first.is_visible()
    assert page.locator(".variants .variant").count() >= 2
    assert page.locator("mark").count() >= 1
    page.screenshot(path=str(artifacts / "story.png"), full_page=True)
    # collapsed copies under their origin
    copies = page.locator("details.copies").first
    copies.locator("summary").click()
    assert copies.locator("ul a").first.is_visible()
    # follow the first citation of the first fact: the article page with the cited sentence targeted
    cite = page.locator("#fact-1 .cites a").first
    href = cite.get_attribute("href")
    assert href and href.startswith("/articles/") and "#s-" in href
    cite.click()
    page.wait_for_url("**/articles/**")
    target = page.locator(":target")
    assert target.count() == 1 and target.first.is_visible()
    assert target.first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert_clean(web)


def test_provenance_picture(web: Any, ids: dict[str, str]) -> None:
    web.goto(f"/stories/{ids['port']}/provenance")
    page = web.page
    svg = page.locator("svg.prov")
    assert svg.is_visible()
    assert svg.locator("a.node").count() == 5
    assert svg.locator("g.edge").count() == 2
    assert page.locator("table.evidence tbody tr").count() == 2
    box = svg.bounding_box()
    assert box and box["width"] <= 1200  # fits the page
    svg.locator("a.node").first.click()
    page.wait_for_url("**/articles/**")
    assert_clean(web)


def test_expanding_a_removed_block(web: Any) -> None:
    web.goto("/articles/port-reprint")
    page = web.page
    block = page.locator("details.removed").filter(has_text="unrelated story").first
    assert block.get_attribute("open") is None
    assert not block.locator("pre").first.is_visible()
    block.locator("summary").click()
    assert block.get_attribute("open") is not None
    assert block.locator("pre").first.is_visible()
    assert "fare" in block.inner_text().lower() or block.locator("pre").count() >= 1
    assert_clean(web)


def test_submitting_a_correction(web: Any, ids: dict[str, str]) -> None:
    web.goto(f"/stories/{ids['summit']}")
    page = web.page
    report = page.locator("#fact-2 details.report")
    report.locator("summary").click()
    report.get_by_label("What is wrong?").fill("Browser test: the relief fund figure needs checking.")
    report.get_by_label("Contact (optional, never shown)").fill("browser@example.org")
    report.get_by_role("button", name="Send report").click()
    page.wait_for_url("**/corrections?submitted=**")
    assert page.get_by_role("status").is_visible()
    body = page.locator("main").inner_text()
    assert "Browser test: the relief fund figure needs checking." in body
    assert "browser@example.org" not in page.content()
    assert_clean(web)


def test_hostile_page_runs_nothing_and_still_renders(web: Any, ids: dict[str, str], artifacts: Path) -> None:
    for path in (f"/stories/{ids['hostile']}", "/articles/hostile-gazette", "/articles/hostile-page",
                 f"/stories/{ids['hostile']}/provenance", "/", "/sources"):
        resp = web.goto(path)
        assert resp.status == 200, path
        page = web.page
        assert page.locator("main h1").first.is_visible(), path
        assert page.locator("footer.site").is_visible(), path  # broken tags in the text did not eat the page
        assert page.locator("[onerror], [onload], [onclick], [onmouseover], iframe, object, embed, img").count() == 0
        assert page.locator("a[href^='javascript:' i], a[href^='data:' i]").count() == 0
        for i in range(page.locator("details").count()):  # open every collapsed block too
            page.locator("details").nth(i).evaluate("d => d.open = true")
        assert_clean(web)
    web.goto(f"/stories/{ids['hostile']}")
    text = web.page.locator("main").inner_text()
    assert "<img src=x onerror=alert(1)>" in text  # shown as text
    web.page.screenshot(path=str(artifacts / "hostile-story.png"), full_page=True)
    web.goto("/articles/hostile-gazette")
    assert "<script>" in web.page.locator("main").inner_text()
    assert_clean(web)
    assert web.console_errors == []


def test_keyboard_navigation(web: Any, ids: dict[str, str]) -> None:
    web.goto("/")
    page = web.page
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    assert page.locator("a.skip").evaluate("e => e.getBoundingClientRect().top >= 0")  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    page.keyboard.press("Tab")
    active = page.evaluate("() => [document.activeElement.tagName, document.activeElement.closest('main') !== null]")
    assert active[1] is True and active[0] in ("A", "INPUT")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    # open a story with the keyboard, then a report form with Enter on its summary
    page.evaluate("() => document.querySelector('li.card h2 a').focus()")
    page.keyboard.press("Enter")
    page.wait_for_url("**/stories/**")
    page.locator("#fact-1 details.report summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("#fact-1 details.report").get_attribute("open") is not None
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    assert_clean(web)


def test_pages_work_without_javascript(browser: Any, live_server: str, ids: dict[str, str]) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/stories/{ids['port']}")
        page.locator("#fact-1 details.report summary").click()
        assert page.locator("#fact-1 textarea").is_visible()
        page.goto(f"{live_server}/articles/port-wire")
        page.locator("details.removed summary").first.click()
        assert page.locator("details.removed pre").first.is_visible()
    finally:
        context.close()
