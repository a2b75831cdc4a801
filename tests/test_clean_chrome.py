"""Page chrome that text scrapes keep inline is removed line by line, with its kind (issue 21, item 3).

Every line here is fictional, written for these tests (places, outlets and people are invented): one line of
each kind of chrome, and article lines that look like chrome and must stay.
"""

from __future__ import annotations

import pytest

from parallax.stages.clean import clean_text, noise, rules

CHROME = [
    ("related", "Related: Harbour board names new chair | Timeline: ten years of the Quillmoor ferry"),
    ("related", "READ MORE: Why the Quillmoor bypass is late again"),
    ("related", "Most read: Bakery wins national prize | Tram line 4 closes for works | Frost warning for Friday"),
    ("related", "TRENDING: Lottery winner found | Five walks for autumn"),
    ("related", "BREAKING: Coast road shut after landslip - follow our updates"),
    ("related", "Quiz: How well do you know the Pellmark valley?"),
    ("related", "- Quiz: Which lighthouse keeper are you?"),
    ("related", "Lo más leído: El puerto de Quillmoor cierra por temporal"),
    ("subscribe", "You have used 4 of your 5 free articles. Subscribe to unlock unlimited access."),
    ("subscribe", "Independent harbour news needs you: become a supporter from 5 crowns a month to fund our reporting."),
    ("subscribe", "Register for The Quillmoor Morning, our daily briefing by e-mail."),
    ("comments", "Comments are now closed for this story."),
    ("comments", "1,204 views"),
    ("cookie_notice", "The Quillmoor Post uses cookies for analytics. Manage choices | Accept all"),
    ("cookie_notice", "Your privacy matters: 85 partners store and access information on your device to show ads."),
    ("advertisement", "Advertisement: Holiday cottages on the Pellmark coast - book now"),
    ("advertisement", "Harbour Derby: Quillmoor evens at BetHarbour. 18+ | Gamble responsibly"),
    ("advertisement", "Catch up with Harbour Hour on the Quillmoor Radio app."),
    ("advertisement", "Tune in to Harbour Talk on 98.4 FM every Sunday at 09:00."),
    ("media_player", "Listen to this story · 4:05"),
    ("page_chrome", "Quillmoor forecast: 11C, light rain, clearing later"),
    ("page_chrome", "Pellmark 18°C, sunny"),
    ("page_chrome", "Travel: expect delays on the coast road after a lorry breakdown."),
    ("page_chrome", "Good evening, here's your evening briefing from the harbour."),
    ("disclaimer", "Opinions in this column are the writer's own."),
    ("disclaimer", "Harbour Digest drafts some summaries using AI tools; an editor checks each story."),
    ("legal", "(c) Quillmoor Post Ltd 2031, company no. 0123456."),
    ("legal", "Article supplied by Westmark News under a content-sharing agreement."),
    ("legal", "This report may not be republished or redistributed without QPA's written licence."),
    ("share", "SHARE THIS if you think the ferry should stay!"),
]

# Article lines that share words with the chrome above and must stay.
ARTICLE = [
    "The council said it would publish the related documents on Friday.",
    "Weather forecasters expect the storm to reach the coast by Tuesday night, the met office said.",
    "The ferry company uses automated tools to plan its timetable, its director told the inquiry.",
    "Residents can listen to the council meeting on the town's website, a spokeswoman said.",
    "About 1,200 people signed the petition in its first week.",
    "\"Comments are closed, and so is the debate,\" the mayor said.",
    "The harbour authority adheres to the national building code, its engineer said.",
    "Temperatures fell to 2C overnight, and the harbour froze for the first time since 1987.",
]


@pytest.mark.parametrize(("kind", "line"), CHROME, ids=[f"{k}:{t[:24]}" for k, t in CHROME])
def test_each_chrome_line_has_its_kind(kind: str, line: str) -> None:
    assert rules.classify_line(line) == kind


@pytest.mark.parametrize("line", ARTICLE)
def test_article_lines_that_look_like_chrome_are_not_chrome(line: str) -> None:
    assert rules.chrome_kind(line) is None
    assert rules.classify_line(line) is None
    assert noise.classify(line) is None


@pytest.mark.parametrize("line", [
    "Home | News | Sport | Weather | Contact",
    "Sign up | Log in",
    "TICKER +++ Ferry strike called off +++ Bridge reopens +++ Frost tonight",
    "News  Politics  Harbour  Sport  Culture",
])
def test_one_line_menus_and_tickers_are_navigation(line: str) -> None:
    assert rules.classify_line(line) == "navigation"


@pytest.mark.parametrize("line", [
    "12 May 2031 15:52 | QPA | Harbour",  # a dateline: its date decides, not the bars
    "Quillmoor 2-1 Pellmark, Saturday: the match report",
])
def test_datelines_and_prose_are_not_menus(line: str) -> None:
    assert not rules.is_link_list(line)


@pytest.mark.parametrize(("kind", "line"), [
    ("contact", "Got a story? Call the newsroom on 0555 010 2030."),
    ("contact", "Write to us: letters@quillmoor-post.example"),
    ("standards", "Quillmoor Post abides by the Coastal Press Code."),
    ("byline", "Reporter: Ilse Marrow"),
    ("byline", "Posted 12/05/2031 09:15 by the Harbour desk"),
    ("byline", "Quillmoor Post newsdesk"),
    ("timestamp", "12/05/2031 20:15"),
    ("timestamp", "12 May 2031 | 16:45 | Harbour"),
])
def test_noise_lines(kind: str, line: str) -> None:
    assert noise.classify(line, tail=False)[0] == kind


def test_a_police_appeal_with_a_phone_number_stays() -> None:
    assert noise.classify("Anyone with information should call Pellmark police on 0555 010 9999, officers said.") is None


PAGE = """QUILLMOOR POST
Home | News | Harbour | Sport | Weather
You have 2 free articles left this month. Register for unlimited access.
Ferry to Pellmark cancelled for a third day as gales continue
Orla Venn, Quillmoor

The morning ferry between Quillmoor and Pellmark was cancelled again on Wednesday as winds of up to 90 km/h swept the coast, the operator said.

About 400 passengers had been booked on the crossing, and the operator said it would refund every ticket or move bookings to Friday.

Harbour master Jon Tallis said the berth would stay closed until the wind dropped below 50 km/h. "We will not take risks with a loaded ship," he said.

Related: Harbour board names new chair | Five walks for a windy day
Catch up with Harbour Hour on the Quillmoor Radio app.
Orla Venn writes on the harbour and its people every Thursday.
(c) 2031 Quillmoor Post Ltd. Registered in Pellmark.
"""

TEASER_PAGE = """Ferry to Pellmark cancelled for a third day as gales continue

The morning ferry between Quillmoor and Pellmark was cancelled again on Wednesday as winds of up to 90 km/h swept the coast, the operator said.

About 400 passengers had been booked on the crossing, and the operator said it would refund every ticket or move bookings to Friday.

More from Quillmoor
Bakery on Quay Lane celebrates its hundredth year
The Marsh family opened the bakery in 1931 and will give away a loaf to every customer on Saturday, the owners said.
"""


def test_a_scraped_page_keeps_its_article_and_headline_and_loses_its_chrome() -> None:
    text, removed, title = clean_text(PAGE)
    assert title == "Ferry to Pellmark cancelled for a third day as gales continue"
    for kept in ("The morning ferry between Quillmoor", "About 400 passengers", "Harbour master Jon Tallis"):
        assert kept in text
    for gone in ("free articles", "Related:", "Catch up with", "writes on the harbour", "(c) 2031",
                 "Orla Venn, Quillmoor", "Home | News"):
        assert gone not in text, gone
    kinds = {r.kind for r in removed}
    assert {"subscribe", "related", "advertisement", "legal", "author_bio", "byline"} <= kinds


def test_a_teaser_under_another_story_s_headline_after_the_article_goes_with_it() -> None:
    text, removed, _ = clean_text(TEASER_PAGE, detect_glued=False)
    assert "About 400 passengers" in text
    assert "Bakery on Quay Lane" not in text and "The Marsh family" not in text
    assert any(r.kind == "related" and "The Marsh family" in r.text for r in removed)


@pytest.mark.parametrize("top", [
    ["ROAD CHAOS: Gales Shut Quillmoor Coast Road For Third Day", "The Pellmark Beacon", "News > Transport"],
    ["The Pellmark Beacon", "News > Transport", "ROAD CHAOS: Gales Shut Quillmoor Coast Road For Third Day"],
])
def test_the_headline_is_the_top_line_about_the_story_not_the_site_s_name(top: list[str]) -> None:
    # a site's name under the headline was taken for it (a partisan page in the cluster bank)
    page = "\n".join([*top, "Posted Mar 3, 2031 9:12 am | 3 min read", "",
                      "Gales closed the Quillmoor coast road for a third day on Tuesday, the roads office said.", "",
                      "About 40 drivers were turned back at the Pellmark junction before dawn, police said."])
    _, _, title = clean_text(page)
    assert title == "ROAD CHAOS: Gales Shut Quillmoor Coast Road For Third Day"
