"""Issue 23 item 3: page chrome in Spanish, French, German, Italian and Portuguese (and the kinds the mixed
clusters showed kept on English pages too) is removed line by line, on text and HTML pages alike
(`clean.rules.chrome_kind`, `classify_line`, `clean.noise.is_author_bio`); article lines that share their
words stay. Every line here is written by us (fictional outlets, people and places)."""

from __future__ import annotations

import pytest

from parallax.stages.clean import noise, rules

CHROME = [
    # comment counters
    ("comments", "View comments (23)"),
    ("comments", "31 réactions"),
    ("comments", "Comentarios (12)"),
    ("comments", "48 Kommentare"),
    # publication lines and datelines
    ("byline", "Publié le 19/11/2026 à 21:10 | Rédaction Actu Vessel"),
    ("byline", "Publié le mercredi 16 septembre 2026 à 18h20"),
    ("byline", "La rédaction avec agences · Publié le 13/10/2026 à 16h30"),
    ("byline", "Redacción · 22/10/2026 - 11:05 h"),
    ("byline", "17/09/2026 - 16:10 h"),
    ("byline", "dal nostro corrispondente Elio Marrandi"),
    ("byline", "De notre envoyée spéciale à Brevik, Ondine Castelroux · Publié le 15 novembre 2026 à 11h30"),
    ("byline", "TARNMOUTH, venerdì 18 settembre 2026"),
    # an outlet's motto, automation notes, appeals and prompts
    ("page_chrome", "Harlow Press Agency. Trusted news since 1948."),
    ("disclaimer", "Articolo realizzato con strumenti automatici a partire da notizie di stampa."),
    ("disclaimer", "Este texto foi produzido com o apoio de ferramentas de inteligência artificial."),
    ("disclaimer", "Artigo criado com ferramentas automáticas a partir de notícias de agências."),
    ("disclaimer", "Dieser Artikel wurde unter Verwendung automatisierter Werkzeuge aus Presseberichten erstellt."),
    ("subscribe", "La Voz del Valle se sostiene gracias a sus lectores. Hazte socia o socio desde 3 euros al mes."),
    ("subscribe", "O Farol é um projeto independente. Ajude-nos a continuar: faça um donativo."),
    ("subscribe", "Recevez nos alertes info en temps réel : activez les notifications."),
    ("subscribe", "Got a story? Text the newsroom on 70411."),
    ("cookie_notice", "En poursuivant votre navigation, vous acceptez l'utilisation de cookies à des fins de mesure "
                      "d'audience. Accepter | Refuser"),
    ("cookie_notice", "Usiamo i cookie per offrirti una migliore esperienza di navigazione. Accetta | Rifiuta"),
    ("page_chrome", "We're closing this live page for tonight. Thank you for following our coverage."),
    ("media_player", "Listen (2:31)"),
    # under the headline: credit lines, reading times and audio players in other languages
    ("byline", "Redacción El Faro del Sur · 4 de marzo de 2027 · 09:12 · Lectura: 4 min"),
    ("byline", "Temps de lecture : 3 min"),
    ("byline", "12/05/2027 às 09h40 · Atualizado há 2 horas"),
    ("media_player", "Escucha esta noticia en audio"),
    ("media_player", "Ascolta l'articolo"),
    ("media_player", "Ouça esta notícia"),
    ("media_player", "Listen to Tarn Morning, weekdays from 6am."),
    ("source_link", "Übersetzung einer Meldung der Harlow Press Agency (HPA)"),
    ("source_link", "Traduit de l'anglais par la rédaction. Source : Harlow Press Agency (HPA)."),
]

# Article lines in those languages that share words with the chrome above and must stay.
ARTICLE = [
    "Publicado el informe, el ministro dimitió.",
    "Publicado em 2020, o relatório concluiu que a ponte era segura.",
    "El artículo 12 de la ley establece que la inteligencia artificial debe ser regulada, dijo el juez.",
    "Il testo della legge prevede un sistema automatico di controllo, ha detto il ministro.",
    "Tarn Mining Company. It has operated the pit since 1961.",
    "Ajude-nos a entender, pediu o autarca.",
    "The company said 41 comments had been received during the consultation.",
    "Comments from residents were mixed.",
    "Listen to the full interview on our website.",
    "PARIS, 3 mars 2026 (AFP) - Le gouvernement a annoncé mardi une réforme des retraites.",
    "Redacción de la ley llevó tres años, dijo el ministro.",
    "Escucha a los vecinos, pidió la alcaldesa a los concejales.",
    "Ascolta la notizia con calma prima di decidere, ha detto il sindaco ai cittadini riuniti in piazza.",
]


@pytest.mark.parametrize(("kind", "line"), CHROME, ids=[f"{k}:{t[:24]}" for k, t in CHROME])
def test_chrome_in_other_languages_has_its_kind(kind: str, line: str) -> None:
    assert rules.chrome_kind(line) == kind or rules.classify_line(line) == kind


@pytest.mark.parametrize("line", ARTICLE)
def test_article_lines_in_other_languages_stay(line: str) -> None:
    assert rules.chrome_kind(line) is None and rules.classify_line(line) is None


@pytest.mark.parametrize("line", [
    "Jonas Brettel berichtet als freier Korrespondent aus den nordischen Ländern. Er lebt in Varde.",
    "Dario Fenucci, inviato speciale, segue per L'Eco le crisi internazionali dal 2012.",
    "Inês Valmor, correspondente no Norte da Europa",
    "Radu Ilvas reports on the regions for the Standard. He grew up in the hills above Tarn.",
])
def test_author_bios_in_other_languages_are_bios(line: str) -> None:
    assert noise.is_author_bio(line) and rules.classify_line(line) == "author_bio"


@pytest.mark.parametrize("line", [
    "Mayor Oddsen reports on the budget to the council on Monday.",
    "Ana Ruiz, corresponsal en Bruselas, dijo que la votación fue limpia.",
])
def test_news_about_a_reporter_is_not_a_bio(line: str) -> None:
    assert not noise.is_author_bio(line)


def test_a_newsroom_credit_is_a_byline() -> None:
    from parallax.stages.clean import noise

    assert noise.is_byline("By the Tarn Radio newsroom")
    assert not noise.is_byline("By the end of the night the newsroom had emptied.")
