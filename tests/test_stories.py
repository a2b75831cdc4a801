"""parallax.stages.stories: a batch's articles grouped into events."""

from __future__ import annotations

from parallax.stages.clean import clean_article
from parallax.stages.read import read_paths
from parallax.stages.split import split_article
from parallax.stages.stories import cluster_documents, group_stories
from parallax.text.names import names


def _prepared(paths):
    articles, errors = read_paths(paths)
    assert errors == []
    return [split_article(clean_article(a)) for a in articles]


def test_two_events_in_one_batch_make_two_stories(two_event_brief):
    got = sorted(sorted(s.articles) for s in two_event_brief.stories)
    assert got == [["independent", "reprint", "rewrite", "wire"], ["rate-a", "rate-b"]]


def test_stories_are_ordered_by_independent_coverage(two_event_brief):
    first = two_event_brief.stories[0]
    assert set(first.articles) == {"independent", "reprint", "rewrite", "wire"}
    assert first.coverage["origin_groups"] == 2
    assert first.coverage["articles"] == 4


def test_story_ids_are_stable_and_distinct(two_event_brief):
    ids = [s.id for s in two_event_brief.stories]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("story-") for i in ids)


def test_same_event_from_different_outlets_is_one_story(fixtures_dir):
    # The independent report shares almost no wording with the wire.
    articles = _prepared([fixtures_dir / "ferry" / "wire.txt", fixtures_dir / "ferry" / "independent.txt"])
    groups = group_stories(articles)
    assert len(groups) == 1
    articles = _prepared([fixtures_dir / "bank"])
    assert len(group_stories(articles)) == 1


def test_different_events_are_kept_apart_even_in_pairs(fixtures_dir):
    articles = _prepared([fixtures_dir / "ferry" / "independent.txt", fixtures_dir / "bank" / "rate-b.txt"])
    groups = group_stories(articles)
    assert sorted(sorted(a.id for a in g) for g in groups) == [["independent"], ["rate-b"]]


def test_input_order_does_not_change_the_partition(fixtures_dir):
    paths = [fixtures_dir / "bank" / "rate-a.txt", fixtures_dir / "ferry" / "rewrite.txt",
             fixtures_dir / "bank" / "rate-b.txt", fixtures_dir / "ferry" / "independent.txt"]
    a = {frozenset(x.id for x in g) for g in group_stories(_prepared(paths))}
    b = {frozenset(x.id for x in g) for g in group_stories(_prepared(paths[::-1]))}
    assert a == b == {frozenset({"rate-a", "rate-b"}), frozenset({"rewrite", "independent"})}


def test_cluster_documents_edge_cases():
    assert cluster_documents([]) == []
    assert cluster_documents([{"title": "Ferry aground", "text": "A ferry ran aground.", "published": None}]) == ["s1"]


def test_cluster_labels_follow_first_appearance():
    docs = [
        {"title": "Rosmark central bank raises rate to 4.5 percent",
         "text": "The National Bank of Rosmark raised its main interest rate to 4.5 percent on Thursday.",
         "published": "2026-06-11"},
        {"title": "Ferry runs aground off Port Ederly",
         "text": "A passenger ferry carrying 212 people ran aground on a sandbank outside Port Ederly.",
         "published": "2026-06-14"},
        {"title": "Rosmark lifts interest rate again",
         "text": "The National Bank of Rosmark increased its benchmark rate to 4.5 percent on Thursday.",
         "published": "2026-06-11"},
    ]
    assert cluster_documents(docs) == ["s1", "s2", "s1"]


def test_names_are_proper_names_without_weekdays():
    got = names("Officials in Rosmark said on Thursday that Helena Vastrup would speak.")
    assert {"Rosmark", "Helena Vastrup"} <= got
    assert "Thursday" not in got and "Officials" not in got


def test_names_drop_a_leading_article():
    assert names("The National Bank of Rosmark raised its rate.") & names("Rates at the National Bank rose.")


def _quarry_counts(fixtures_dir, prefix=""):
    from parallax.stages.stories import term_counts

    paths = sorted((fixtures_dir / "quarries").glob(f"{prefix}*.txt"))
    return [p.stem for p in paths], [term_counts(p.read_text(encoding="utf-8")) for p in paths]


def test_split_parts_separates_two_events_of_one_kind(fixtures_dir):
    # Two quarry collapses: the same vocabulary of walls, workers and rescue, different places and people.
    from parallax.stages.stories import split_parts

    stems, counts = _quarry_counts(fixtures_dir)
    parts = split_parts(counts)
    assert parts is not None
    by_part = {}
    for stem, p in zip(stems, parts, strict=True):
        by_part.setdefault(p, set()).add(stem.split("-")[0])
    assert sorted(map(sorted, by_part.values())) == [["harrowgate"], ["velden"]]
    assert parts[stems.index("velden-1")] == 0  # the larger part is part 0


def test_split_parts_keeps_one_event_with_many_angles_whole(fixtures_dir):
    # Rescue, inquiry, union warning, road reopening: one collapse seen over a week is one story.
    from parallax.config import DEFAULT
    from parallax.stages.stories import split_parts

    SPLIT_MIN_STORY = DEFAULT.stories.split_min_story
    _, counts = _quarry_counts(fixtures_dir, "velden")
    assert len(counts) >= SPLIT_MIN_STORY
    assert split_parts(counts) is None
    assert split_parts(counts[:SPLIT_MIN_STORY - 1] + _quarry_counts(fixtures_dir, "harrowgate")[1][:1]) is None


def test_batch_clustering_tells_two_quarry_collapses_apart(fixtures_dir):
    paths = sorted((fixtures_dir / "quarries").glob("*.txt"))
    docs = [{"title": p.read_text(encoding="utf-8").split("\n")[0], "text": p.read_text(encoding="utf-8"),
             "published": None} for p in paths]
    labels = cluster_documents(docs)
    by_event = {}
    for p, lab in zip(paths, labels, strict=True):
        by_event.setdefault(p.stem.split("-")[0], set()).add(lab)
    assert all(len(v) == 1 for v in by_event.values())
    assert by_event["velden"] != by_event["harrowgate"]


def _waits_docs(fixtures_dir):
    paths = sorted((fixtures_dir / "waits").glob("*.txt"))
    return [p.stem for p in paths], [
        {"title": p.read_text(encoding="utf-8").split("\n")[0], "text": p.read_text(encoding="utf-8"),
         "published": "2026-02-04" if p.stem == "charity" else "2026-02-03"} for p in paths]


def test_anchors_tell_a_same_kind_report_in_the_same_region_apart(fixtures_dir):
    # Three outlets on the hospital waiting list; a charity's therapy waiting list in the same region the next
    # day shares the words (waiting list, waited more than a year, Corvalle, Ostermark) but not the figures and
    # the people: the anchors' view keeps it a story of its own.
    from parallax.config import settings, use

    stems, docs = _waits_docs(fixtures_dir)
    labels = dict(zip(stems, cluster_documents(docs), strict=True))
    assert labels["wire"] == labels["courier"] == labels["radio"]
    assert labels["charity"] != labels["wire"]
    # without the anchors (the earlier weights and threshold) the two reports were one story
    before = settings().replace(stories={"embedding_weight": 0.4, "lexical_weight": 0.6, "anchor_weight": 0.0,
                                         "threshold": 0.325})
    with use(before):
        assert len(set(cluster_documents(docs))) == 1


def test_anchor_rows_idf_from_the_docs_or_from_given_frequencies():
    import numpy as np

    from parallax.stages.stories import anchor_counts, anchor_rows

    counts = [anchor_counts(t) for t in ("The Brightwater Trust said 4,200 people in Ostermark waited.",
                                         "In Ostermark the Brightwater Trust counted 4.200 people.",
                                         "Officials in Harlow Vale said 310 homes were hit.")]
    local = anchor_rows(counts).gram()
    assert local[0, 1] > 0.9 and local[0, 2] == 0.0  # figures without separators and names are shared terms
    df = {"ostermark": 900, "brightwater": 2, "4200": 5}
    run = anchor_rows(counts, df, 1000).gram()
    assert np.allclose(np.diag(run), 1.0) and run[0, 1] > 0.9
