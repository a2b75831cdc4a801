"""Line rules: what a scraped line of boilerplate looks like, by kind.

Each rule looks at one block (a line of the page, stripped). Rules that open a section (a "Related
articles" header, a comments header) also claim the headline-like lines that follow them.
"""

from __future__ import annotations

import re

from parallax.config import settings

_I = re.IGNORECASE

# kind -> patterns matched against the whole stripped block (fullmatch)
LINE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("share", re.compile(
        r"(share( this| on| via)?( article| story| post| news| page)?\s*[:：]\s*.{0,80}|share( this)?( article| story| post| news| page)?|share news|share on \w+.*|tweet( this)?|email( this)?|print"
        r"|copy link|link copied|follow us( on \w+)?.*|share via .*|(facebook|twitter|x|linkedin|whatsapp|telegram"
        r"|reddit|email|pinterest|print|copy link)([\s|,/·•]+(facebook|twitter|x|linkedin|whatsapp|telegram|reddit"
        r"|email|pinterest|print|copy link))*)\s*[:.!]?", _I)),
    ("subscribe", re.compile(
        r"(newsletters?|subscribe( now| today| here)?|sign up( now| here)?|(sign up|subscribe) (for|to) (our|the)\b.{0,60}"
        r"|get (our|the) .{0,40}newsletter.{0,40}|join our (mailing list|newsletter).{0,40}"
        r"|enter your e-?mail( address)?.{0,40}|already a subscriber\?.{0,40}|support (our|independent) journalism.{0,60})"
        r"\s*[:.!]?", _I)),
    ("comments", re.compile(
        r"(\d+\s+comments?|comments?\s*(\(\d+\))?|no comments( yet)?\.?|leave a (reply|comment)|post a comment"
        r"|add (a|your) comment|join the (discussion|conversation)|show comments|view comments|load (more )?comments"
        r"|comments are closed\.?|cancel reply|reply|report( comment)?|log in to (comment|reply).{0,40}"
        r"|you must be logged in to post a comment\.?|your email address will not be published\..{0,80}"
        r"|required fields are marked.{0,10}|this site uses akismet to reduce spam\..{0,120}"
        r"|what do you think\?|\d+\s+(likes?|replies|reactions))\s*", _I)),
    ("tags", re.compile(r"((no )?tags?|topics?|filed under|categories|category|keywords)\b\s*[:\-–]?\s*.{0,200}", _I)),
    ("photo_credit", re.compile(
        r"[(\[]?(photo|photos|image|picture|photograph|photo credit|credit|pictured|file photo|illustration|video)"
        r"\s*(by\s+|:|：|/|—|-)\s*.{1,80}[)\]]?|[(\[]?(getty images|afp via getty images|reuters/[\w .]+|ap photo.{0,60})[)\]]?", _I)),
    ("media_player", re.compile(
        r"(\d{1,2}:\d{2}(\s*/\s*\d{1,2}:\d{2})?|close|×|✕|✖|play|pause|mute|unmute|full ?screen|watch( now| video)?"
        r"|video|skip ad|loaded:?\s*\d+(\.\d+)?%|now playing.{0,60}|playback speed.{0,20}|captions?|settings|replay|"
        r"\d+x|current time.{0,20}|duration.{0,20}|chapters|descriptions off.{0,40})", _I)),
    ("advertisement", re.compile(
        r"(advertisement|advertising|sponsored( content)?|ads?|promoted|story continues below( advertisement)?"
        r"|continue reading below|scroll to continue( with content)?)\s*", _I)),
    ("cookie_notice", re.compile(
        r".{0,80}\b(we use cookies|this (site|website) uses cookies|accept (all )?cookies|cookie (policy|settings)"
        r"|manage (cookie|privacy) (settings|preferences)).{0,200}", _I)),
    ("navigation", re.compile(
        r"(skip to (main )?content|menu|search|home|log ?in|sign ?in|register|my account|back to top|next article"
        r"|previous article|go to page.{0,20}|page \d+ of \d+|world news|breaking news|latest news|top stories"
        r"|(\w[\w&' ]{0,20}\s*[|›»/>]\s*){2,}\w[\w&' ]{0,20})\s*", _I)),
    ("source_link", re.compile(
        r"(source link|source|read (the )?(full|original) (story|article)( (at|on) .{1,60})?|originally published (at|on|by) .{1,80}"
        r"|this (article|story) (first |originally )?appeared (on|in|at) .{1,80}|via [\w .]{2,40}|source:\s*.{1,60})\s*[.:]?", _I)),
    ("byline", re.compile(
        r"([Bb]y|[Bb]y:?\s+[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3}((,| and| &)\s+[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3})*"
        r"(\s*[,|–-]\s*.{0,40})?|(?i:(written|posted|published|updated|reporting) (by|on|:).{0,80})"
        r"|(?i:(published|updated|posted|last updated))\s*:?\s*\w{3,9}\.? \d{1,2},? \d{4}.{0,30}"
        r"|\w{3,9}\.? \d{1,2},? \d{4}( \d{1,2}:\d{2}( ?[ap]\.?m\.?)?)?( \w{2,4})?|\d{1,2} \w{3,9} \d{4}(,? \d{1,2}:\d{2}( ?[ap]\.?m\.?)?)?"
        r"|(?i:\d+ min(ute)?s? read|reading time.{0,20}))\s*"))
]

# Page chrome that scrapes keep inline, by kind (issue 21, item 3). Written for the kind of line any news site
# prints, never for one page's words: (kind, pattern matched against the whole stripped block, longest line
# in words).
_TEASER_LABEL = (
    r"(?:related(?: \w+){0,2}|read (?:more|next|also|this)|also (?:read|on|in) [\w&' ]{1,30}|see also"
    r"|more (?:on|from|about|in) [\w&' ]{1,40}|more [\w&' ]{1,30} coverage|(?:most|top) (?:read|watched|viewed|popular"
    r"|shared|clicked|commented)(?: \w+){0,3}|trending(?: now| stories| today)?|recommended(?: for you| reading)?"
    r"|you (?:may|might) also (?:like|enjoy)|don[’']?t miss|editor[’']?s picks?|breaking(?: news)?"
    r"|(?:[A-Z][\w&']* ){0,3}(?:podcasts?|quiz(?:zes)?)|in other news|elsewhere(?: on [\w&' ]{1,30})?"
    r"|(?:watch|listen)(?: live| again| now| back)?(?: on [\w&' ]{1,30})?)")
CHROME_RULES: list[tuple[str, re.Pattern[str], int]] = [
    # "Related: A | B", "Read more: …", "Most read: …", "Quiz: …", "BREAKING: …": a teaser
    # for other pages, its label first.
    ("related", re.compile(_TEASER_LABEL + r"\s*(?::|\s[–—-])\s*\S.*", _I), 45),  # "Trending | World | …" is a menu
    # Paywall meters and registration walls.
    ("subscribe", re.compile(
        r".{0,60}\b(?:you(?:[’']ve| have) (?:read |reached |used |got )?(?:\d+|your|all|one)\b.{0,30}\bfree"
        r" (?:articles?|stories|reads|views)|free (?:articles?|stories) (?:left|remaining)"
        r"|(?:register|subscribe|sign up|log in)(?: now| today| free)? (?:for|to (?:get|enjoy|unlock)) (?:unlimited|full"
        r"|free|premium) access|subscriber (?:login|log ?in|sign ?in)|(?:is|are) free (?:for|to) registered\b"
        r"|upgrade to [\w&' ]{1,40}\b(?:plus|premium|pro|digital)\b|unlock (?:this|all|full|unlimited)"
        r" (?:article|story|stories|access)).{0,120}", _I), 40),
    ("comments", re.compile(
        r"(?:comments (?:are|have been) (?:now )?(?:closed|open|disabled|switched off|turned off|paused)"
        r"|(?:log|sign) in to (?:comment|reply|join the (?:discussion|conversation))).{0,120}", _I), 30),
    ("cookie_notice", re.compile(
        r".{0,80}\b(?:[\w&]+ uses cookies|use of cookies|cookies help us|we value your privacy"
        r"|(?:our|\d+) partners (?:store|use|process|access)\b|store and(?:/or)? access information on (?:your|a) device)"
        r".{0,200}", _I), 60),
    # An advert with its label, a betting ad's small print.
    ("advertisement", re.compile(
        r"(?:advertisement|advert|ad|sponsored(?: content| post| links?)?|promoted(?: content)?|paid (?:content|post"
        r"|partnership)|partner content)\s*(?::|\s[|–—-])\s*\S.*"
        r"|.{0,160}(?:\b18\+|\b(?:bet|gamble|play) (?:responsibly|safely)|\bgambling help\b|\bt&cs apply\b).{0,120}", _I), 45),
    # The outlet's own programmes and pages: "Listen again on the … app", "Watch live: …", "… on 98.4 FM".
    ("advertisement", re.compile(
        r"(?:.{0,60}[:.|]\s*)?(?:listen|watch|tune in|catch up|download|follow|get)(?: again| live| now| back| in full)?"
        r"\b.{0,100}\b(?:app|\d{2,3}(?:\.\d)? ?(?:fm|mhz|am)|radio|podcasts?|programmes?|programs?|bulletins?"
        r"|channel|live page|updates page|live blog|live coverage)\b.{0,80}", _I), 25),
    ("media_player", re.compile(
        r"(?:listen to|hear|play) (?:this|the) (?:article|story|report)\b.{0,40}|audio(?: version)?\s*[:(]?\s*"
        r"\d{1,2}(?::\d{2}| ?min)\b.{0,20}", _I), 12),
    # Weather, tide and travel strips: "Weather: 11C, light rain | …", "Quillmoor weather: …", "Travel: …".
    ("page_chrome", re.compile(
        r"(?:[\w'’]+ ){0,2}(?:weather|forecast|tides?|travel|traffic)(?: next| now| update| news| latest| outlook"
        r"| and travel)?\s*:\s*\S.*|.{0,40}(?:-?\d{1,2} ?°[CF]?|\b-?\d{1,2}C\b).{0,60}", _I), 30),
    # Who the outlet is and how it works, not the story: "Views expressed … are the author's own", an AI or
    # automation disclosure.
    ("disclaimer", re.compile(
        r"(?:.{0,100}[.:]\s+)?(?:the )?(?:views|opinions)(?: expressed)?(?: (?:in|here|on|by)(?: this| these)? \w+)?"
        r" (?:(?:are|is|do not)\b.{0,60}\b(?:author|writer|contributor|columnist|guest)s?\b"
        r"|(?:are|is|do) not (?:necessarily )?(?:those of|reflect|represent)\b).{0,60}"
        r"|.{0,60}\b(?:uses?|used|using) (?:ai|a\.i\.|automated|artificial intelligence|machine[- ]learning|generative ai)"
        r"(?: \w+)? tools?\b.{0,40}\b(?:news|articles?|stories|content|research|draft\w*|summar\w+|writ\w+|edit\w*)"
        r"\b.{0,80}", _I), 40),
    # Reader appeals: "Your support keeps … journalism going", "Chip in to keep us
    # independent"; "SHARE THIS if …".
    ("subscribe", re.compile(
        r".{0,80}\b(?:become an? (?:member|supporter|subscriber|patron|friend)|chip in|donate|make a (?:donation"
        r"|contribution)|your (?:support|donation|contribution|membership) (?:keeps|helps|makes|funds|pays)"
        r"|(?:support|fund|back) (?:our|independent|local|quality) (?:journalism|reporting|newsroom|work))\b.{0,120}", _I), 30),
    # Newsletter chrome: "Sign up for X, free every morning", "… or unsubscribe here", a digest's greeting.
    ("subscribe", re.compile(
        r"(?:sign up|subscribe|register) (?:for|to|here)\b.{0,80}\b(?:free|every (?:morning|day|week|evening)|daily"
        r"|weekly|newsletters?|briefing|digest|inbox|alerts?)\b.{0,80}|.{0,120}\bunsubscribe (?:at any time|anytime|here)"
        r"\b.{0,40}", _I), 30),
    ("page_chrome", re.compile(
        r"(?:good (?:morning|evening|afternoon)[.,!]?\s*)?here(?:[’']s| is| are) (?:what you need to know"
        r"|your (?:morning|evening|daily|weekly) (?:briefing|digest|update|news|roundup))\b.{0,60}"
        r"|that[’']s (?:it|all) for (?:today|this (?:morning|evening|week))\b.{0,120}", _I), 30),
    ("share", re.compile(r"share (?:this|it)(?: (?:article|story|post|page|video))?(?: (?:if|with|now|on)\b.{0,80})?[.!]*", _I), 16),
    # Blog chrome: view, read and like counters ("1,204 views", "Views: 532").
    ("comments", re.compile(r"(?:\d[\d,.]*[kK]? (?:views|reads|likes|shares)|(?:views|reads|likes|shares) ?: ?\d[\d,.]*[kK]?)"
                            r"(?:\s*[|·•,]\s*\d[\d,.]*[kK]? \w+)*", _I), 8),
    # The same teasers and walls in Spanish, French, German, Italian and Portuguese pages.
    ("related", re.compile(
        r"(?:lo más (?:leído|visto|compartido)|(?:las |los )?más (?:leídas?|leídos|vist[oa]s)|noticias relacionadas"
        r"|te puede interesar|(?:lee|leer|ver) (?:también|más)|también te puede interesar|les plus lus|à lire aussi"
        r"|lire aussi|sur le même sujet|meistgelesen|mehr zum thema|auch interessant|i più letti|leggi anche"
        r"|mais lidas|leia (?:também|mais))(?:\s*[:|–—-]\s*\S.*)?", _I), 45),
    ("subscribe", re.compile(r"(?:suscríbete|suscribirse|hazte (?:socio|suscriptor)|abonnez-vous|jetzt abonnieren"
                             r"|abbonati|assine)\b.{0,120}", _I), 30),
    ("advertisement", re.compile(r"(?:publicidad|anuncio|publicité|anzeige|werbung|pubblicità)\s*[:.]?", _I), 3),
    ("cookie_notice", re.compile(r".{0,80}\b(?:(?:utilizamos|usamos) cookies|nous utilisons des cookies"
                                 r"|wir verwenden cookies|utilizziamo (?:i )?cookie)\b.{0,200}", _I), 60),
    # Issue 23: the same chrome in those languages, by kind (a priori, the words every site of the language
    # prints; measured on bench/data/bank-multilingual, whose pages were written apart from these rules).
    ("cookie_notice", re.compile(
        r".{0,80}\b(?:(?:este|esta|ce|questo|diese|este) (?:sitio|site|página|sito|webseite|website)(?: web)?"
        r" (?:utiliza|usa|utilise|utilizza|verwendet|nutzt)(?: \w+){0,3} cookies?|acept(?:ar|o) (?:todas las )?cookies"
        r"|accepter (?:tous )?les cookies|alle cookies akzeptieren|accett[ao] (?:tutti|i cookie)|aceitar (?:todos os )?cookies"
        r"|política de cookies|politique (?:de|relative aux) cookies|cookie-richtlinie|informativa(?: sui)? cookie)"
        r"\b.{0,200}", _I), 60),
    ("media_player", re.compile(
        r"(?:escuchar|escucha|écouter|ecouter|ascolta(?:re)?|ouvir|ouça|artikel (?:anhören|vorlesen lassen)|vorlesen"
        r"|jetzt anhören)(?: (?:este|esta|cet|cette|l['’]|o|a|este|diesen|den|questo|questa))?(?: ?(?:artículo|noticia"
        r"|article|articolo|artigo|notícia|artikel|beitrag))?\s*[▶►]?\s*(?:\(?\d{1,2}(?::\d{2})?(?: ?min\.?)?\)?)?\.?",
        _I), 8),
    ("tags", re.compile(r"(?:temas|etiquetas|mots-clés|mots clés|thèmes|sujets|themen|schlagworte|schlagwörter"
                        r"|stichworte|argomenti|tag|assuntos|tópicos)\s*[:\-–]\s*.{0,200}", _I), 40),
    ("comments", re.compile(r"(?:\d[\d.,]*\s+(?:comentarios?|comentários?|commentaires?|kommentare?|commenti)"
                            r"|(?:comentarios?|comentários?|commentaires?|kommentare?|commenti)\s*[:(]?\s*\d[\d.,]*\)?)",
                            _I), 6),
    ("subscribe", re.compile(
        r".{0,120}\b(?:abonnez-vous|abonnieren|suscríbete|suscribirse|abbonati|abbonarsi|assine|assinar"
        r"|inscrivez-vous|regístrate|iscriviti|cadastre-se)\b.{0,120}"
        r"|.{0,40}\b(?:(?:unterstützen|soutenez|apoya|apoie|sostieni|sostenete) (?:sie )?(?:unabhängigen|une presse"
        r"|el periodismo|o jornalismo|il giornalismo|le journalisme))\b.{0,120}", _I), 30),
    ("source_link", re.compile(r"\(?(?:traducción|traduction|traduzione|tradução|übersetzung|übersetzt|traduit|traducido"
                               r"|tradotto|traduzido|translated from)\b[^()]{0,80}(?:\([A-Z]{2,6}\))?[^()]{0,60}\)?",
                               _I), 16),
    ("share", re.compile(r"(?:compartir|partager|teilen|condividi|condividere|partilhar|compartilhar|enviar|envoyer"
                         r"|senden|invia)(?: (?:en|sur|auf|su|no|na|por|par|per|via|mit))? (?:facebook|twitter|x|whatsapp"
                         r"|telegram|linkedin|e-?mail|correo|courriel)", _I), 5),
    ("related", re.compile(r"(?:das könnte sie (?:auch )?interessieren|potrebbe interessarti|vous aimerez aussi|à voir aussi"
                           r"|também (?:pode )?(?:gostar|interessar)|quizá te interese)(?:\s*[:|–—-]\s*\S.*)?", _I), 45),
    ("subscribe", re.compile(
        r".{0,120}\b(?:unterstützen sie|soutenez[- ]nous|sostienici|apóyanos|apoie o|apoia o|faça uma doação"
        r"|haz una donación|faites un don|spenden sie|con una donazione)\b.{0,120}", _I), 30),
    ("page_chrome", re.compile(r"(?:sobre nós|sobre nosotros|quiénes somos|qui sommes-nous|über uns|chi siamo)\s*:\s*.{0,200}",
                               _I), 40),
    ("disclaimer", re.compile(
        r"(?:nota\s*:\s*)?(?:este (?:contenido|artículo|artigo|texto|conteúdo)|cet article|ce contenu|dieser (?:artikel"
        r"|beitrag|text)|questo (?:articolo|contenuto))\b.{0,80}\b(?:elaborad[oa]|redactad[oa]|generad[oa]|gerad[oa]"
        r"|rédigé|généré|produit|erstellt|generiert|verfasst|realizzato|generato|prodotto)\b.{0,160}", _I), 40),
    # A dateline or byline line in those languages: "Por Rui Meireles | 16 de novembro de 2026, 08:15",
    # "16.11.2026, 17:05 Uhr", "21. Oktober 2026 | Rüdiger Brandt", "Brannick, 21 oct 2026 - 19:40 CEST",
    # "Jeudi 11 juin 2026 · Par la rédaction · Lecture 3 min", "Von unserer Korrespondentin …".
    ("byline", re.compile(
        r"(?:(?:por|par|von|di|de|da)\s+(?:unserer? \w+\s+(?-i:[A-ZÀ-Þ])[\w.'’-]+|la rédaction|la redacción"
        r"|la redazione|a redação|(?-i:[A-ZÀ-Þ])[\w.'’-]+)(?:\s+(?-i:[A-ZÀ-Þ])[\w.'’-]+){0,3}(?:\s*[,|·•–-]\s*.{0,80})?"
        r"|(?:redacción|rédaction|redazione|redação|redaktion)\b[^.!?·|•–]{0,60}[·|•–].{0,100}"
        r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}(?:,?\s+(?:às\s+|a las\s+|à\s+|alle\s+|um\s+)?\d{1,2}[:.h]\d{2}(?: ?uhr)?)?"
        r"(?:\s*[|·•–-]\s*.{0,60})?"
        r"|(?:(?-i:[A-ZÀ-Þ])[\w'’-]+(?: (?-i:[A-ZÀ-Þ])[\w'’-]+)?,?\s+)?(?:\b\d{1,2}(?:\.|º)? ?(?:de )?)?(?:\d{1,2}\.\d{2,4}|[a-zéûäçã]{3,10}\.?)(?: de)? \d{4}\b"
        r"[\s,|·•–-]*(?:\d{1,2}[:.h]\d{2}(?: ?(?:uhr|h|cet|cest|gmt|utc))?)?(?:\s*[|·•–-]\s*.{0,60})?"
        r"|(?:temps de lecture|tiempo de lectura|tempo di lettura|lecture|lectura|leitura|lesezeit|lettura"
        r"|tempo de leitura)\s*:?\s*\d+ ?min\.?.{0,20})", _I), 16),
    # Agency and syndication small print: "(c) 2026 X. Not for redistribution", "supplied by … under a
    # content-sharing agreement", "may not be republished without a licence".
    ("legal", re.compile(
        r"\(c\)\s.{0,200}|.{0,100}\b(?:redistribution (?:is )?(?:prohibited|not permitted)|not for (?:re)?distribution"
        r"|may not be (?:re)?(?:published|produced|distributed|broadcast)|for syndication (?:enquiries|inquiries|requests)"
        r"|content-sharing (?:agreement|partnership|arrangement)|(?:supplied|provided|republished|reproduced) (?:by|with"
        r" permission of|courtesy of) .{1,60} under (?:a|an|the) .{0,40}(?:agreement|licen[cs]e|partnership)"
        r"|registered in (?:[A-Z][\w-]+ ?){1,3}(?:\.|,|$)|for subscriber use only).{0,200}", _I), 60),
    # Issue 23, second pass: kinds the three mixed clusters written after the rules above showed kept (on text
    # and HTML pages alike; every language the cleaning covers, each kind by the words sites print for it).
    # Comment counters: "View comments (23)", "31 réactions", "Comentarios (12)".
    ("comments", re.compile(
        r"(?:(?:view|show|read|see|ver|voir|lire|leggi|mostra|anzeigen)\s+(?:all\s+|los\s+|les\s+|i\s+|os\s+)?)?"
        r"(?:\d[\d.,]*\s+)?(?:comments?|réactions?|reacciones|comentarios?|comentários?|commentaires?|kommentare?"
        r"|commenti|reações)(?:\s*\(\d[\d.,]*\))?", _I), 4),
    # Publication lines: "Publié le 19/11/2026 à 21:10 | Rédaction X", "Redacción · 22/10/2026 - 11:05 h",
    # "17/09/2026 - 16:10 h", "La rédaction avec agences · Publié le …", "Pubblicato il …", "Atualizado em …".
    ("byline", re.compile(
        r"(?:(?:la )?(?:rédaction|redacción|redazione|redação|redaktion)(?: \w+){0,3}\s*[·|•,–-]\s*)?"
        r"(?:(?:publié|mis à jour|publicado|actualizado|atualizado|pubblicato|aggiornato|veröffentlicht|aktualisiert)"
        r"(?: (?:le|el|em|a|il|l['’]|am|on))?\s+(?=.{0,24}(?:\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}\.? (?:de )?[a-zà-ÿ]{3,10}"
        r"\.?(?: de)? \d{4}|[a-zà-ÿ]{3,10}\.? \d{1,2},? \d{4})).{0,60}"
        r"|\d{1,2}/\d{1,2}/\d{2,4}(?:\s*[-–,·|à]\s*\d{1,2}[:.h]\d{2}(?: ?(?:h|uhr|hs))?)?(?:\s*[|·•–-]\s*.{0,60})?)", _I), 16),
    # "Dal nostro corrispondente Luca Ferrandi", "De notre envoyé spécial à Drummask, X · Publié le …", "Del
    # nuestro corresponsal", "Von unserem Korrespondenten …".
    ("byline", re.compile(
        r"(?:dal nostro|dalla nostra|de notre|del nuestro|de nuestra|do nosso|da nossa|von unserem|von unserer)"
        r"\s+(?:\w+\s+){0,2}(?:corrispondente|inviat[oa]|envoyée?|correspondante?|corresponsal|enviad[oa]"
        r"|correspondente|korrespondent\w*|reporter\w*)\b.{0,100}", _I), 20),
    # A dateline line: "LINNMOUTH, venerdì 18 settembre 2026", "PARIS, le 3 mars 2026".
    ("byline", re.compile(
        r"(?-i:[A-ZÀ-Þ][A-ZÀ-Þ' -]{2,30}),\s+(?:le\s+|el\s+|am\s+)?(?:[a-zà-ÿ]{4,10}\.?,?\s+)?\d{1,2}\.?\s+(?:de\s+)?"
        r"[a-zà-ÿ]{3,10}\.?(?:\s+de)?\s+\d{4}(?:\s*[,·|–-]\s*\d{1,2}[:.h]\d{2}(?: ?(?:h|uhr))?)?", _I), 8),
    # An outlet's motto after its name: "Selcross News Agency. Trusted news since 1952."
    ("page_chrome", re.compile(
        r"(?-i:[A-Z][\w&'’.-]*)(?: (?-i:[A-Z][\w&'’.-]*)){0,5}\.\s+(?!(?:it|he|she|they|we|the|this|its|es|il|elle|er"
        r"|sie|lo|la|el|le)\b)(?:\S+\s+){0,3}(?:since|seit|desde|depuis|dal|dalla"
        r"|fondée? en|fundad[oa] en|gegründet)\s+(?:19|18|20)\d\d\.?", _I), 14),
    # Automation and AI notes in those languages: "Articolo realizzato con strumenti automatici a partire da
    # notizie di stampa.", "Este texto foi produzido com o apoio de ferramentas de inteligência artificial."
    ("disclaimer", re.compile(
        r"(?:nota\s*:\s*)?(?:(?:este|esta|ce|cet|cette|dieser|diese|questo|questa|o|a|el|la|le|il|lo)\s+)?"
        r"(?:contenido|artículo|articulo|artigo|texto|text|conteúdo|article|contenu|artikel|beitrag|articolo"
        r"|contenuto|testo|noticia|notícia)\b.{0,40}\b(?:realizzat|produzid|produc|criad|cread|créé|generad|gerad"
        r"|généré|generat|erstellt|generiert|elaborad|redactad|rédigé|escrit|scritt|verfasst|hech|fait|fatt|feit)\w*\b"
        r".{0,40}\b(?:ferramentas|herramientas|outils|strumenti|werkzeuge?n?|tools|apoio|ayuda|aide|ausilio|hilfe"
        r"|sistemas?|système|sistemi|systeme?n?)\b.{0,40}\b(?:intelig[eê]ncia artificial|inteligencia artificial"
        r"|intelligence artificielle|künstliche\w* intelligenz|intelligenza artificiale|ia|ki|automati\w+"
        r"|automáti\w+|automatisiert\w*)\b.{0,120}", _I), 40),
    # Reader appeals: "X se sostiene gracias a sus lectores. Hazte socia o socio desde 3 euros al mes.", "O X é um
    # projeto independente. Ajude-nos a continuar: faça um donativo."
    ("subscribe", re.compile(
        r".{0,100}\b(?:hazte soci[oa]|gracias a (?:sus|nuestros|nuestras) (?:lectores|lectoras|socios)"
        r"|ajude-nos a (?:continuar|manter)|faça um donativo|fai una donazione|aiutaci a (?:continuare|restare)"
        r"|ayúdanos a (?:seguir|mantener)|apóyanos|soutenez-nous|faites un don"
        r"|unterstützen sie uns|jetzt spenden)\b.{0,120}", _I), 40),
    # Push-notification and tip-line prompts: "Recevez nos alertes … : activez les notifications.", "Got a story?
    # Text the newsroom on 70488."
    ("subscribe", re.compile(
        r".{0,80}\b(?:activez les notifications|activa las notificaciones|ative as notificações|attiva le notifiche"
        r"|benachrichtigungen aktivieren|turn on (?:push )?notifications|enable (?:push )?notifications)\b.{0,40}"
        r"|(?:got|have) a (?:story|news tip|tip)(?: for us)?\?.{0,80}", _I), 25),
    # A live page's sign-off: "We're closing this live page for tonight. …"
    ("page_chrome", re.compile(
        r"(?:we(?:[’']re| are) (?:closing|pausing|ending|wrapping up) (?:this|our) live (?:page|blog|coverage)"
        r"|this live (?:page|blog) (?:is|has) (?:now )?(?:closed|paused|ended))\b.{0,200}", _I), 50),
    # Cookie walls worded as consent by browsing: "En poursuivant votre navigation, vous acceptez … cookies …",
    # "Usiamo i cookie per …".
    ("cookie_notice", re.compile(
        r"(?:en poursuivant|continuando|al continuar|ao continuar|si continúa|se continuar|wenn sie weiter)\b.{0,80}"
        r"\bcookies?\b.{0,200}|(?:usiamo|utilizziamo|usamos|utilizamos) (?:i |os |as )?cookies?\b(?=.{0,200}\b(?:navega"
        r"|navigazion|experiencia|esperienza|experiência|publicidad|pubblicit|publicidade|aceptar|accetta|aceitar"
        r"|consent|impostazioni|configuraci|configuraç))\w*.{0,200}", _I), 60),
    # Audio players and radio promos: "Listen (2:31)", "Listen to CPR Morning, weekdays from 6am."
    ("media_player", re.compile(
        r"(?:escucha|escuchar|écoutez|écouter|ascolta|ascoltare|ouça|ouvir|hören sie|anhören)\s+(?:este |esta |cet |cette "
        r"|questo |questa |la |il |l[’']|a |o |den |diesen |dieses |die )?(?:artículo|noticia|nota|article|reportage"
        r"|articolo|notizia|artigo|reportagem|notícia|matéria|artikel|beitrag|nachricht)\b.{0,40}"
        r"|(?:listen|play|écouter|escuchar|ascolta|ouvir|anhören)\s*\(\d{1,2}:\d{2}\)"
        r"|listen (?:to|live to) .{1,60}\b(?:weekdays|weeknights|every (?:morning|evening|day)|daily)\b.{0,40}", _I), 14),
]

DISCLAIMER = re.compile(
    r"(^(ai disclaimer|disclaimer|transparency note|ai notice)\s*[:\-–]"
    r"|\b(generated|written|produced|created|compiled|assisted)\b.{0,60}\b(by|with|using)\b.{0,40}"
    r"\b(ai|a\.i\.|artificial intelligence|machine learning|language model|automated system)\b"
    r"|\b(ai|artificial intelligence)\b.{0,40}\b(system|tool|technology)\b.{0,60}\b(generated|wrote|produced)\b"
    r"|\bthis (story|article|content|page|report|post|summary)\b.{0,80}\b(ai|a\.i\.|artificial intelligence"
    r"|automated|machine[- ]generated)\b)", _I)
# Words that only subscription prompts use ("sign up" is also ordinary prose: "free to sign up").
SUBSCRIBE_ANY = re.compile(r"\b(newsletters?|subscribe|subscription|inbox|daily digest|mailing list)\b", _I)
LEGAL = re.compile(
    r"(^©|^copyright\b|\ball rights reserved\b|may not be (re)?published, broadcast, rewritten|"
    r"\bterms of (use|service)\b.{0,40}\bprivacy policy\b)", _I)
AUTHOR_BIO = re.compile(
    r"^([Aa]bout the author\b|[Ii][’']?m [A-Z][\w ]{0,40}, (the |an? )?(author|writer|editor|founder|journalist|reporter)\b"
    r"|([A-Z][\w.'’-]+\s){1,3}(is|was|has been|covers)\b.{0,40}\b(reporter|writer|journalist|correspondent|editor"
    r"|columnist|contributor|author|freelancer|producer|analyst)\b"
    r"|[A-Z][\w.'’-]+( [A-Z][\w.'’-]+){0,3} (covers|writes about|has covered|has written|reports on .{1,60}\bfor the)\b)",
    re.UNICODE)
# The same in Spanish, French, German, Italian and Portuguese (issue 23): "X es redactora de …", "X berichtet seit
# 2019 …", "Über den Autor: …" (`clean.noise.is_author_bio` reads it too, for HTML pages).
AUTHOR_BIO_OTHER = re.compile(
    r"^((Sobre el autor|Sobre a autora|Sobre o autor|À propos de l['’]auteur|Über den Autor|Über die Autorin|Sull['’]autore)\b"
    r"|([A-ZÀ-Þ][\w.'’-]+\s){1,3}(es|est|ist|è|é)\s(\w+\s){0,3}(redactor|redactora|periodista|corresponsal|reportera?"
    r"|journaliste|correspondante?|rédact(eur|rice)|envoyée? spéciale?|Korrespondent(in)?|Redakteur(in)?|Journalist(in)?"
    r"|Reporter(in)?|giornalista|corrispondente|redattore|redattrice|inviat[oa]|jornalista|correspondente|repórter"
    r"|redator(a)?)\b"
    r"|([A-ZÀ-Þ][\w.'’-]+\s){1,3}(cubre|escribe sobre|couvre|suit|berichtet|schreibt|segue|scrive|cobre|escreve)\b.{0,80}"
    r"\b(desde|depuis|seit|dal|dalla|para|für|pour|per)\b"
    # "X berichtet als freier Korrespondent aus …", "X, inviato speciale, segue per L'Eco …"
    r"|([A-ZÀ-Þ][\w.'’-]+\s){1,3}(berichtet|schreibt|écrit|escribe|scrive|escreve) (als|comme|como|come) .{0,40}"
    r"\b(Korrespondent(in)?|Reporter(in)?|Journalist(in)?|correspondante?|journaliste|corresponsal|periodista"
    r"|corrispondente|giornalista|correspondente|jornalista)\b"
    r"|([A-ZÀ-Þ][\w.'’-]+\s?){1,3}, (inviat[oa] special[ei]|corrispondente|envoyée? spéciale?|correspondante?"
    r"|corresponsal|enviad[oa] especial|correspondente|Korrespondent(in)?)( \w+){0,6}[,.]?( (segue|cubre|couvre|cobre"
    r"|berichtet|scrive|escribe|écrit|escreve)\b.{0,120})?$)", re.UNICODE)

# News about a journalist ("X is a freelance journalist who was held …, her lawyer said") is reported speech
# or an event; a bio is not.
REPORTED = re.compile(r"\b(said|says|told|according to|was (held|arrested|killed|detained|freed|released|jailed|"
                      r"charged|injured|wounded|expelled|deported)|were (held|arrested|killed|detained))\b", _I)

SECTION_HEADERS: dict[str, re.Pattern[str]] = {
    "related": re.compile(
        r"(related( articles| stories| news| posts| content| coverage| topics| reading| links)?|more (from|on|stories"
        r"|news|in)\b.{0,40}|read more|read (also|next)|also read|see also|recommended( for you| stories| articles| reading)?"
        r"|you (may|might) (also )?(like|be interested in)|trending( now| stories)?|most (read|popular|viewed|shared)"
        r"|top (stories|most read|news|headlines)|latest( news| stories| headlines| articles)?|what to read next"
        r"|up next|editor[’']?s picks|popular (now|stories)|more headlines|other (news|stories)"
        r"|lo más (leído|visto)|(las |los )?más (leídas?|leídos|vist[oa]s)|noticias relacionadas|te puede interesar"
        r"|les plus lus|à lire aussi|meistgelesen|i più letti|mais lidas)\s*:?", _I),
    "comments": re.compile(
        r"(\d+\s+)?(comments?|responses|discussion|reader comments)(\s*\(\d+\))?|leave a (reply|comment)"
        r"|join the (discussion|conversation)|what do you think\?|post a comment|add (a|your) comment\s*", _I),
}

# The longest line (in words) each rule may claim: boilerplate lines are short.
MAX_WORDS = {"comments": 40, "tags": 40, "cookie_notice": 60, "subscribe": 20, "share": 16, "photo_credit": 14}

TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*\s*$|[\"”’]\s*$")
KICKER = re.compile(r"^[A-Z][A-Z0-9 ,'’&\-]{3,60}:\s+\S")
WORD = re.compile(r"[\w’'-]+", re.UNICODE)


def words(text: str) -> list[str]:
    return WORD.findall(text)


# The end of a sentence, as `sentences_about` counts them (the splitter, pysbd, is far slower than this).
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


def sentences_about(paragraph: str) -> int:
    """About how many sentences a paragraph holds (at least one), in one scan: its sentence ends counted.
    Abbreviations ("Mr.") make it count high. For bounds, where splitting would cost more than the bound saves."""
    return max(1, len(SENTENCE_END.findall(paragraph)))


def ends_sentence(text: str) -> bool:
    return bool(TERMINAL.search(text))


def title_case_ratio(text: str) -> float:
    ws = [w for w in words(text) if w[0].isalpha()]
    if not ws:
        return 0.0
    small = {"a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with", "as", "from", "vs",
             "but", "is", "its", "over", "into", "after", "amid", "up"}
    caps = sum(1 for w in ws if w[0].isupper() or w.lower() in small)
    return caps / len(ws)


def is_body_paragraph(text: str) -> bool:
    """A line of running prose: long enough, ends a sentence, not a list of capitalised headline words."""
    cfg = settings().clean
    n = len(words(text))
    if n >= cfg.prose_words and not text.isupper():
        return True
    return n >= cfg.prose_sentence_words and ends_sentence(text) and title_case_ratio(text) < cfg.title_case_share \
        and not text.isupper()


def is_headline_like(text: str) -> bool:
    """A short line with no closing full stop: a title, a section heading or a link in a list."""
    cfg = settings().clean
    n = len(words(text))
    return 1 <= n <= cfg.heading_max_words and (not ends_sentence(text) or text.isupper()
                                                 or title_case_ratio(text) >= cfg.title_case_share)


_LIST_MARK = re.compile(r"^(?:[-*•–]|\d{1,2}[.)])\s+")


def chrome_kind(text: str) -> str | None:
    """The kind of page chrome one stripped line is (`CHROME_RULES`: teasers, paywalls, promos, weather and
    travel strips, disclaimers, syndication small print …), or None. A quotation is never chrome."""
    text = _LIST_MARK.sub("", text)
    if not text or text.startswith(("“", '"', "‘", "«")):
        return None
    n = len(words(text))
    for kind, pat, most in CHROME_RULES:
        if n <= most and pat.fullmatch(text):
            return kind
    return None


def classify_line(text: str) -> str | None:
    """The boilerplate kind of one stripped line, or None when it may be content."""
    n = len(words(text)) if text else 0
    if not text:
        return None
    if n == 0 and len(text) <= 3:
        return "media_player"
    if DISCLAIMER.search(text) and (n < 200):
        return "disclaimer"
    if n <= 20 and SUBSCRIBE_ANY.search(text) and not text.startswith(("“", '"', "‘")):
        return "subscribe"
    if LEGAL.search(text) and n < 80:
        return "legal"
    if (AUTHOR_BIO.search(text) or AUTHOR_BIO_OTHER.search(text)) and n < 150 and not text.startswith(("“", '"')) and not REPORTED.search(text):
        return "author_bio"
    chrome = chrome_kind(text)
    if chrome:
        return chrome
    for kind, pat in LINE_RULES:
        if n <= MAX_WORDS.get(kind, 12) and pat.fullmatch(text):
            if kind == "navigation" and n > 6 and not any(c in text for c in "|›»>/"):
                continue
            return kind
    if not text.startswith(("“", '"', "‘")) and is_link_list(text):
        return "navigation"
    return None


_ITEM_SEP = re.compile(r"\s+[|•·]\s+|\s*\+\+\+\s*|\s{2,}")
_DATE_PART = re.compile(r"\d{1,2}:\d{2}|\b\d{4}\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                        r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.? \d{1,2}\b", _I)


_NAME_LINE = re.compile(r"[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,2},(?: [A-Z][\w'’.-]+){1,3}")
_DAY_DATE = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2}\.\d{2} ?(?:[ap]\.?m\b|h\b)|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
                       r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{4}"
                       r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}", _I)


def is_name_line(text: str) -> bool:
    """A person's name and where they write from or for, alone on a line ("Ilse Marrow, Quillmoor")."""
    return bool(_NAME_LINE.fullmatch(text.strip()))


def is_bare_name(text: str) -> bool:
    """Two or three capitalised words and nothing else ("Ilse Marrow"): under a headline, the writer's name."""
    return bool(re.fullmatch(r"[A-Z][\w'’.-]+(?: (?:de|van|von|da|del|[A-Z][\w'’.-]+)){1,2}", text.strip()))


def is_dateline(text: str) -> bool:
    """A line that carries a full date or a clock time ("3 May 2025 15:52 | Agency | Section"): no headline
    (a year alone may well be in one)."""
    return bool(_DAY_DATE.search(text))


def is_link_list(text: str) -> bool:
    """A menu, ticker or list of links on one line: items split by " | ", "•", "+++" or the wide gaps a
    scraped menu keeps, each a few words with no sentence in it ("News | Sport | Weather", "Sign up | Log in",
    "TICKER +++ A +++ B"). A dateline ("3 May 2025 15:52 | Agency | Section") is not one."""
    items = [x.strip(" :") for x in _ITEM_SEP.split(text) if x.strip(" :")]
    if len(items) < 2 or len(words(text)) > 60 or _DATE_PART.search(text):
        return False
    sizes = [len(words(x)) for x in items]
    if max(sizes) > 14 or any(ends_sentence(x) and n >= 6 for x, n in zip(items, sizes, strict=True)):
        return False
    if "  " in text and not any(c in text for c in "|•·+"):
        # Wide gaps alone: a menu's short capitalised items ("News  Sport  Harbour  Culture").
        return len(items) >= 3 and max(sizes) <= 3 and all(x[:1].isupper() for x in items)
    return len(items) >= 3 or max(sizes) <= 3


def section_kind(text: str) -> str | None:
    """The kind of section a header line opens ("related", "comments"), or None."""
    if len(words(text)) > 8:
        return None
    for kind, pat in SECTION_HEADERS.items():
        if pat.fullmatch(text):
            return kind
    return None
