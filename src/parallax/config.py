"""One home for every threshold and tunable: a frozen dataclass per stage, recorded in each brief.

    from parallax.config import Settings, settings, use
    s = Settings.from_toml("my.toml")             # or Settings().replace(stories={"threshold": 0.3})
    with use(s):                                   # stage code reads settings() while this is active
        brief = brief_paths(["pages/"])            # (brief_paths(..., settings=s) does the same)
    brief.settings["config"]                       # what was used, as a dict

A TOML file overrides any subset, one table per stage, e.g.

    [stories]
    threshold = 0.30
    [brief]
    repeat_similarity = 0.75

Each field says what it means and on which data it was set. "dev" figures are from ../shared/eval dev
splits (see docs/BENCHMARKS.md); "fixtures" are our own written test pages.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import tomllib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from parallax.errors import error


@dataclass(frozen=True)
class ReadConfig:
    max_bytes: int = 5_000_000  # one page (a JSONL file may be larger; each record is checked)
    max_file_bytes: int = 2_000_000_000  # a JSONL/WARC file read as a stream of records


@dataclass(frozen=True)
class LimitsConfig:
    """Bounds that keep one page's cost in memory and time linear in its size, whatever it holds.

    Set so that a page at the size cap (`read.max_bytes`) briefs in under 1 GB (bench.robustness measures
    peak memory and time per stage at 1x, 2x and 4x size); a real article never reaches any of them.
    """

    max_sentences: int = 1000  # content sentences of one page that are embedded, traced and cross-checked;
    # the cross-check compares every pair of a story's sentences, so its memory grows with the square of
    # this. A longer page keeps its whole text; what lies past the limit is not briefed (Article.meta
    # "limits" says how much). Long reads run to 300-600 sentences.
    page_seconds: float = 120.0  # per-page time budget for reading, cleaning and splitting: PX109 past it
    html_max_depth: int = 200  # HTML nested deeper is flattened (tags dropped, text kept): the parser
    # (libxml2) silently drops everything below 255 levels
    html_max_elements: int = 30_000  # a page with more start tags is read as its visible text, without the
    # extractor (trafilatura) and with metadata from its <head> only: the extractor's and the date search's
    # time grows with the element count (tens of seconds at 100,000); news pages hold 1,000-10,000


@dataclass(frozen=True)
class CleanConfig:
    """HTML extraction and cleaning (`stages.clean`). Chosen on the extraction benchmarks' dev pages with
    5-fold cross-validation by site (bench.extract_cv: each step's row left out / added, and the choice made
    on four folds scored on the fifth); see docs/BENCHMARKS.md.

    On an HTML page trafilatura has already dropped the page's chrome, so only the steps that earn their
    place on pages we did not tune on run there (the `html_*` switches); a plain-text page (a scrape, a
    JSONL record) has nothing else and runs every step."""

    extract_mode: str = "default"  # trafilatura's mode for the article text: "default", "precision",
    # "recall", or "vote" (default-mode lines that precision mode also keeps, and long paragraphs). 5-fold CV
    # (docs/BENCHMARKS.md): default 0.958 scrapinghub / 0.924 segments, precision 0.968 / 0.921 (below
    # trafilatura alone, 0.922, on segments), vote 0.963 / 0.920
    extract_tables: bool = True  # keep tables' text (trafilatura's default)
    vote_long_words: int = 20  # "vote" mode: a default-mode line this long stays even if precision mode drops it
    html_site: bool = True  # blocks repeated on many of the site's pages (only when several are known)
    html_noise: bool = True  # timestamp, byline, standards, bio, contact and join lines (`clean.noise`;
    # +0.000 / +0.001 in CV: few benchmark pages carry them, our fixtures and seeds do)
    html_lines: bool = False  # the older line rules (share, tags, media player ...) on the kept text (+0.000 /
    # +0.001 in CV: no gain worth the risk on pages not seen)
    html_sections: bool = False  # "Related" / "Comments" headers and the lines they hold (+0.000 / +0.000)
    html_top: bool = True  # the headline line and the site's name and motto above it (+0.002 / +0.000)
    html_headline_runs: bool = False  # runs of four or more headline-like lines (+0.000 / +0.000)
    html_tail: bool = False  # short lines after the article's last paragraph (-0.004 / -0.003)
    html_glued: bool = True  # unrelated stories glued on after the article, each removed whole (strict finder
    # on HTML pages: -0.001 / +0.001 in CV; kept for the glued stories our fixtures and seeds carry)
    site_min_share: float = 0.5  # a block on at least this share of a site's distinct pages is boilerplate
    site_min_pages: int = 3  # ... and on at least this many distinct pages of the site
    site_prose_min_pages: int = 4  # a long prose paragraph needs this many (background paragraphs recur)
    site_prose_words: int = 25  # a block of this many words that ends a sentence is prose
    site_same_story: float = 0.6  # pages sharing this share of their long blocks are one story's versions


@dataclass(frozen=True)
class EmbedConfig:
    max_tokens: int = 128  # news sentences are far shorter; the model allows 256, attention cost grows with the square
    batch_size: int = 64


@dataclass(frozen=True)
class ProvenanceConfig:
    """Copies and rewrites. Set on the seeds' wire rewrites and our fixtures, checked on MSRP dev (bench.rewrite)."""

    near_copy_jaccard: float = 0.6  # MinHash Jaccard of word 5-gram shingles at which a page is a near-copy
    copy_jaccard: float = 0.95  # ... and at which it is a copy
    align_floor: float = 0.6  # sentence pairs below this cosine are not aligned at all
    rewrite_score: float = 0.055  # sum over the ordered aligned run of (cosine - align_floor), per sentence
    # of the shorter text, at which a page is a rewrite
    rewrite_min_run: int = 4  # ... with at least this many sentences aligned in the same order
    same_wire_min_run: int = 2  # two pages crediting the same wire with this many aligned sentences ...
    same_wire_score_share: float = 0.5  # ... and this share of rewrite_score are one wire's copy
    num_perm: int = 128  # MinHash permutations (the store's index bands depend on it)
    copy_sentence_cos: float = 0.95  # in a copy, a sentence with a counterpart this close is the same sentence
    masthead_max_words: int = 6  # a removed site header's first line this short is the page's masthead


@dataclass(frozen=True)
class StoriesConfig:
    """Story grouping. Chosen on the dev splits of ECB+, BASIL, AllSides and NewsWCL50 (bench.cluster)."""

    threshold: float = 0.325  # combined similarity at which two articles are one story (average link)
    split_threshold: float = 0.14  # within-story TF-IDF similarity (story-local IDF) that holds a part together
    split_min_story: int = 6  # stories smaller than this are not looked into by the split pass
    split_min_part: int = 3  # a split needs two parts at least this big; smaller parts go to the closest big one
    lead_sentences: int = 5  # headline + this many first sentences make the lead vector
    embedding_weight: float = 0.4  # weight of the lead-vector cosine
    lexical_weight: float = 0.6  # weight of the TF-IDF cosine of the whole text
    max_days_apart: int = 7  # two dated articles further apart than this ...
    date_gap_penalty: float = 0.3  # ... lose this much similarity


@dataclass(frozen=True)
class CrosscheckConfig:
    """Facts, support and disputes, decided by the pair judge (`parallax.text.judge`) on candidate pairs that
    the bi-encoder proposes. Probabilities are the judge's. Values marked "dev clusters" were set on the
    eight development clusters of bench.crosscheck (never on its held-out three); the rest are not tuned."""

    min_statement_words: int = 4  # shorter sentences are not statements of fact
    # Candidate pairs (the cost bound): each statement is judged against at most `candidates_per_article`
    # closest statements (bi-encoder cosine) of every other article, at most `candidates` in all, and only
    # those at cosine >= `candidate_min_cos`. Not tuned: a counterpart is nearly always an article's closest.
    candidates_per_article: int = 2
    candidates: int = 12
    candidate_min_cos: float = 0.3
    # A statement supports a fact (is cited for it and counts its origin group) when the judge's
    # corroboration head gives P(the two state one fact) at least this; facts are statements grouped by
    # average link over the same probability, cut here. Dev clusters, out of sample for the head: at pair level
    # (leave-one-cluster-out) the lowest value reaching precision 0.9 on the seven training clusters was
    # 0.70 +- 0.014; end to end (bench.crosscheck, each cluster scored with a head that never saw it) 0.7 / 0.8 /
    # 0.9 gave corroboration P 0.81 / 0.82 / 0.86, R 0.75 / 0.75 / 0.66, false corroboration 0.10 / 0.08 / 0.05.
    # Shipped: 0.9, the value nearest the targets that matter most to a reader (precision >= 0.9, no false
    # corroboration): a fact shown as corroborated when it is not costs more trust than one shown single-source.
    support_min: float = 0.9
    # A statement is cited for a printed fact, and its origin group counted as support, only when it states
    # everything the printed sentence states: the judge's support head (directional) gives P(it states all of
    # the printed sentence) at least this. A sentence that shares one of the printed sentence's claims is not
    # support (it is listed as stating part of the fact, and per claim in `Fact.claims`). Chosen end to end on
    # the dev clusters of `python -m bench.bank` (the head itself is fitted leave-one-cluster-out; 11,204 pairs,
    # per-cluster AUC 0.955 +- 0.027): 0.92 / 0.85 / 0.80 / 0.75 gave corroboration precision 0.874 / 0.851 /
    # 0.814 / 0.807 at recall 0.385 / 0.478 / 0.496 / 0.535 (milestone-2 rule: 0.818 / 0.531); 0.85 is the
    # lowest with precision clearly above the old rule's, and the seed corpus's two paraphrased wire facts
    # need <= 0.88.
    cite_min: float = 0.85
    # A dispute is shown when the judge's dispute head (training/judge/dispute.py: logistic regression over
    # the candidate's P(same fact) once the slot is made equal and as it stands, cosine, the words around the two
    # slots, the slot's kind, hedging, the values' difference) gives at least this. Chosen end to end on the
    # bank's dev clusters: 0.5 / 0.6 / 0.72 found 23 / 20 / 18 of 59 planted disputes at precision 0.676 / 0.714
    # / 0.857 (milestone-2 rule: 20 at 0.476, 6 not-disputes shown; at 0.5: 3). 0.5, the only value better than
    # the old rule on every dispute figure; a one-number edit of one sentence scores just above it.
    dispute_min: float = 0.5
    # Two figures are about the same kind of thing when they count the same word or words this close by the
    # bi-encoder ("ships"/"vessels" 0.62, "people"/"residents" 0.51; "ships"/"tugs" 0.43). Not tuned on the
    # clusters: a round value between synonyms and different things on a handful of word pairs.
    slot_noun_min_cos: float = 0.5
    # ... and neither figure is more than this many times the other: reports of one quantity that disagree are
    # some tens of percent apart, not an order of magnitude. Not tuned: a round value.
    dispute_max_ratio: float = 2.0
    hedge_tolerance: float = 0.15  # hedged counts ("about 240") this close (relative) agree
    time_tolerance: int = 20  # hedged times of day ("around 3 p.m.") this many minutes apart agree; not tuned


@dataclass(frozen=True)
class LoadedConfig:
    """Every threshold and tunable of the loaded-language detector.

    Decision values (change freely; ``bench.loaded`` measures the effect):

    * ``threshold`` — a sentence whose probability reaches this is loaded. 0.5: BABE is balanced and the
      heads are calibrated logistic models, so the midpoint is the macro-F1 choice; not tuned.
    * ``word_threshold`` — a word whose probability reaches this is listed as responsible. 0.3 gave the best
      word-level F1 out of fold on BABE SG2 dev (0.2: same F1, lower precision; 0.4 and 0.5: lower F1).
    * ``max_terms`` — at most this many responsible words per sentence from the word head (the most
      probable ones).
    * ``lexicon_term_weight`` — the outlet's lexicon terms of at least this weight are listed as
      responsible too (the lexicon is the explanation of loaded words the word head scores lower, such as
      "so-called"); they add to the list, not to the score.
    * ``neutral_below`` — :func:`neutrality` is 1.0 (fully neutral) for text whose probability is under
      this, and falls linearly to 0 at probability 1; callers test ``neutrality(t) >= 0.99`` for "plain".
    * ``attribution`` — keep quoted and attributed-view words out of the outlet's score and terms.
    * ``indirect_speech_is_source`` — also treat the complement of "X said (that) …" / "according to X,
      …" as the source's. Off: BABE's annotators hold reported claims against the outlet as often as not,
      and the verb that introduces them ("claimed", "admitted") is the outlet's choice either way.

    Feature definition (the shipped heads were trained with these values; ``feature_key()`` is stored in
    the model file and a mismatch refuses to load — retrain with ``training/loaded`` after changing them):

    * ``w_exclamation``, ``w_caps``, ``w_scare_quotes``, ``w_question``, ``w_voice`` — the lexicon
      detector's pattern weights (exclamation mark, ALL-CAPS word in a headline, scare quotes, a
      question, the writer's own "we"/"you"); ``attribution_damp`` scales its score when the sentence
      reports speech; ``min_reported_weight`` — lighter lexicon terms add to its score but are not listed.
    * ``lexicon_feature_scale`` — the lexicon score is multiplied by this before the sentence head.
    * ``max_tokens`` — the encoder reads at most this many word pieces (news sentences are far shorter).

    Run time:

    * ``batch_size``, ``threads`` (onnxruntime intra-op threads; None: up to 4) and ``cache_size``
      (results kept per process, keyed by text and place).
    """

    threshold: float = 0.5
    word_threshold: float = 0.3
    max_terms: int = 5
    lexicon_term_weight: float = 0.5
    neutral_below: float = 0.3
    attribution: bool = True
    indirect_speech_is_source: bool = False
    # feature definition
    w_exclamation: float = 0.6
    w_caps: float = 0.55
    w_scare_quotes: float = 0.5
    w_question: float = 0.5
    w_voice: float = 0.45
    attribution_damp: float = 0.8
    min_reported_weight: float = 0.2
    lexicon_feature_scale: float = 3.0
    max_tokens: int = 128
    # run time
    batch_size: int = 32
    threads: int | None = None
    cache_size: int = 20_000

    def feature_key(self) -> dict[str, Any]:
        """The fields that define the model's input features (stored with the trained heads)."""
        keys = ("attribution", "indirect_speech_is_source", "w_exclamation", "w_caps", "w_scare_quotes",
                "w_question", "w_voice", "attribution_damp", "lexicon_feature_scale", "max_tokens")
        d = asdict(self)
        return {k: d[k] for k in keys}



@dataclass(frozen=True)
class BriefConfig:
    """The brief. Set on our fixtures and the seeds; bench.summary measures ROUGE on Multi-News and AllSides dev."""

    lengths: dict[str, dict[str, int]] = field(default_factory=lambda: {
        "short": {"max_facts": 6, "max_words": 120},
        "standard": {"max_facts": 12, "max_words": 250},
        "full": {"max_facts": 30, "max_words": 700},
    })
    repeat_similarity: float = 0.72  # a candidate this close to a chosen fact is a repeat
    max_single_source_share: float = 0.34  # at most this share of the brief's facts may be single-source
    # Ranking: score = origin groups + w_centrality x centrality + w_early x earliness + w_articles x share
    w_centrality: float = 0.8
    w_early: float = 0.5
    w_articles: float = 0.2
    # Choosing a fact's wording among the sentences that state it (higher is better):
    rep_original_bonus: float = 0.3  # the sentence comes from an origin's original (not a copy or rewrite)
    rep_loaded_penalty: float = 0.6  # the sentence has loaded language
    rep_pronoun_penalty: float = 0.3  # it opens with a pronoun or connective (not self-contained)
    rep_long_words: int = 35  # words beyond this ...
    rep_long_penalty: float = 0.02  # ... cost this much each
    rep_short_words: int = 8  # words short of this ...
    rep_short_penalty: float = 0.05  # ... cost this much each
    rep_unfinished_penalty: float = 0.2  # it does not end like a sentence
    headline_min_words: int = 4  # shorter titles are not headlines
    # Filling the word budget (set a priori, not tuned; bench.summary measures the effect on AllSides and
    # Multi-News dev): when no whole remaining fact fits the words left, the best-ranked one that can be cut
    # at a clause boundary (, ; : or a dash) into at least this many words, dropping no attribution, figure
    # or open quotation, is shown up to that boundary, marked with an ellipsis.
    fill_clause_min_words: int = 6
    # A quotation earns a place only if it carries a fact or a position: a sentence that is mostly a quote
    # of fewer than this many words, with no figure, count or date, is not a fact ("“We are ready,” he said.").
    quote_min_words: int = 8
    # Facts as claims: a printed sentence that other sentences state only in part is cut at its clause
    # boundaries into parts of at least this many words, and the brief says who states each part
    # (`Fact.claims`). Set a priori, not tuned.
    claim_min_words: int = 5
    # Balance shown: the brief notes an origin's wording when it has at least this many loaded sentences
    # and its share of loaded sentences exceeds the other origins' share by at least this much (set a priori).
    wording_min_loaded: int = 2
    wording_share_gap: float = 0.2
    headline_neutral: float = 0.99  # neutrality at which a title counts as neutral
    headline_centrality_weight: float = 0.5
    headline_group_weight: float = 0.1


@dataclass(frozen=True)
class DeskConfig:
    change_match: float = 0.80  # two brief versions' facts are the same statement at this cosine (or same text)


@dataclass(frozen=True)
class StoreConfig:
    """Incremental filing. Bounds chosen so that the cost per article stays flat from 1k to 10k stored
    articles (bench.desk --measure scale) with B³ within 0.01 of the batch (bench.desk --measure cluster)."""

    window_days: int = 14  # story candidates are looked for among articles dated within this many days
    story_candidates: int = 200  # at most this many candidates (most LSH collisions first) are scored exactly
    min_collisions: int = 2  # an article must share at least this many SimHash tables to be a candidate
    copy_candidates: int = 24  # near-copy candidates (most shared MinHash bands first)
    neighbour_min_cos: float = 0.2  # a candidate's story joins the neighbourhood at this lead cosine
    story_members: int = 24  # the neighbourhood holds at most this many (most recent) members of each story
    story_neighbours: int = 8  # candidate stories in the neighbourhood (closest lead first)
    pair_neighbours: int = 48  # an article new to a story is compared (provenance) with this many closest members
    settle_max_articles: int = 1500  # a run's stories are re-clustered at its end in groups of at most this many


@dataclass(frozen=True)
class Settings:
    """All of Parallax's tunables, one frozen dataclass per stage."""

    read: ReadConfig = field(default_factory=ReadConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    provenance: ProvenanceConfig = field(default_factory=ProvenanceConfig)
    stories: StoriesConfig = field(default_factory=StoriesConfig)
    crosscheck: CrosscheckConfig = field(default_factory=CrosscheckConfig)
    loaded: LoadedConfig = field(default_factory=LoadedConfig)
    brief: BriefConfig = field(default_factory=BriefConfig)
    desk: DeskConfig = field(default_factory=DeskConfig)
    store: StoreConfig = field(default_factory=StoreConfig)

    def replace(self, **stages: dict[str, Any]) -> Settings:
        """A copy with some values of some stages replaced: replace(stories={"threshold": 0.3})."""
        changes: dict[str, Any] = {}
        for stage, values in stages.items():
            current = getattr(self, stage, None)
            if current is None or not dataclasses.is_dataclass(current):
                raise error("PX303", stage, f"no stage {stage!r}; stages: {', '.join(stage_names())}")
            known = {f.name for f in dataclasses.fields(current)}
            unknown = sorted(set(values) - known)
            if unknown:
                raise error("PX303", stage, f"unknown setting(s) {', '.join(unknown)}; "
                                            f"known: {', '.join(sorted(known))}")
            typed = {}
            for f in dataclasses.fields(current):
                if f.name in values:
                    typed[f.name] = _coerce(stage, f.name, getattr(current, f.name), values[f.name])
            changes[stage] = dataclasses.replace(current, **typed)
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_toml(cls, path: str | Path, base: Settings | None = None) -> Settings:
        """Settings from a TOML file of per-stage tables (missing values keep their defaults)."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise error("PX303", str(path), f"cannot read: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise error("PX303", str(path), f"not valid TOML: {exc}") from None
        bad = [k for k, v in data.items() if not isinstance(v, dict)]
        if bad:
            raise error("PX303", str(path), f"top-level keys must be stage tables, not {', '.join(bad)}")
        return (base or cls()).replace(**data)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def stage_names() -> list[str]:
    return [f.name for f in dataclasses.fields(Settings)]


def _coerce(stage: str, name: str, current: Any, value: Any) -> Any:
    """A TOML value checked against the default's type (ints are accepted where floats are expected)."""
    if isinstance(current, bool) or isinstance(value, bool):
        ok = isinstance(current, bool) and isinstance(value, bool)
    elif isinstance(current, float):
        ok = isinstance(value, (int, float))
        value = float(value) if ok else value
    else:
        ok = isinstance(value, type(current))
    if not ok:
        raise error("PX303", f"{stage}.{name}", f"expected {type(current).__name__}, got {value!r}")
    return value


DEFAULT = Settings()
_active: contextvars.ContextVar[Settings] = contextvars.ContextVar("parallax_settings", default=DEFAULT)


def settings() -> Settings:
    """The settings in effect (DEFAULT unless a `use()` block or a brief call set others)."""
    return _active.get()


@contextlib.contextmanager
def use(s: Settings | None) -> Iterator[Settings]:
    """Make `s` the settings in effect inside the block (None: keep the current ones)."""
    if s is None:
        yield settings()
        return
    token = _active.set(s)
    try:
        yield s
    finally:
        _active.reset(token)
