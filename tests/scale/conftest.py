"""Fixtures of the cluster-pipeline tests: pages generated at test time from our own fixture pages, a
local Ray cluster (2 CPUs, no dashboard), the batch's outcome, PostgreSQL, and the comparison helpers.

Bases: examples/ (two stories with wire copy, reprints and rewrites), tests/fixtures/ferry, bank and
quarries (two quarry collapses: one kind of event, two events), plus town-council pages written in
tests/store/conftest. Planted on top: exact copies under other outlets, trimmed near-copies (last
paragraph dropped), word-swapped rewrites (synonyms, so that 5-word shingles no longer match), and
second events of one kind (a council page moved to another town and month). Written as JSONL shards
and .txt pages, so that the read stage meets both.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parallax.stages.read import read_paths

_STORE_CONFTEST = Path(__file__).resolve().parents[1] / "store" / "conftest.py"


def _store_fixtures() -> Any:
    """tests/store/conftest.py as a module: its PostgreSQL fixtures and synthetic pages serve here too."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("parallax_tests_store_conftest", _STORE_CONFTEST)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


_store = _store_fixtures()
pg_server = _store.pg_server
make_pg_database = _store.make_pg_database

ROOT = Path(__file__).resolve().parents[2]
BASES = [ROOT / "examples", ROOT / "tests" / "fixtures" / "ferry", ROOT / "tests" / "fixtures" / "bank",
         ROOT / "tests" / "fixtures" / "quarries"]
OUTLETS = ["Harbour Ledger", "Northgate Courier", "Valley Sentinel", "Coastline Daily", "Midland Herald",
           "Riverside Tribune", "Upland Gazette", "Eastmere Post"]
SYNONYMS = {"said": "stated", "on": "on", "was": "had been", "were": "had been", "began": "started",
            "workers": "staff", "people": "residents", "about": "around", "after": "following",
            "before": "ahead of", "officials": "authorities", "told": "informed", "new": "fresh",
            "big": "large", "help": "assist", "start": "begin", "plan": "scheme", "approve": "back",
            "approved": "backed", "asked": "requested", "spokesman": "representative",
            "spokeswoman": "representative", "hospital": "clinic", "took": "carried", "many": "numerous"}


def _rewrite(text: str) -> str:
    out = []
    for para in text.split("\n"):
        words = para.split(" ")
        out.append(" ".join(SYNONYMS.get(w, w) for w in words))
    return "\n".join(out)


def _council(i: int, town: str, month: int) -> dict:
    page = _store.make_synthetic_pages(1, start=i)[0]
    base = re.sub(r"[A-Z][a-z]+\d+", town, page["text"])
    return {"id": f"council-{i:03d}-{town.lower()}", "title": re.sub(r"[A-Z][a-z]+\d+", town, page["title"]),
            "published": f"2026-{month:02d}-{1 + i % 27:02d}", "text": base,
            "source": OUTLETS[i % len(OUTLETS)], "url": f"https://news{i % 5}.example/{town.lower()}-{i}"}


_KEYS: dict[str, str] = {}


def _cleaned_key(r: dict) -> str:
    """The store's text key of a record's cleaned text (what dedupe compares for a page without a URL)."""
    if r["id"] not in _KEYS:
        from parallax.model import Article
        from parallax.stages.clean import clean_article
        from parallax.text.hashing import text_key

        a = Article(id=r["id"], raw=r["text"], title=r.get("title"), input=r["id"])
        clean_article(a)
        _KEYS[r["id"]] = text_key(a.text)
    return _KEYS[r["id"]]


def generate(folder: Path, n_council: int = 60, seed: int = 5) -> list[Path]:
    """Write the pages under `folder`; returns the inputs to give the pipeline (files, in order)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arts, errors = read_paths(BASES)
    assert not errors or all(e.code == "PX106" for e in errors)
    records: list[dict] = []
    for k, a in enumerate(sorted(arts, key=lambda a: a.id)):
        body = a.raw
        rec = {"id": a.id, "title": a.title, "published": a.published, "source": a.source, "url": a.url,
               "text": body}
        records.append(rec)
        paras = [p for p in body.split("\n") if p.strip()]
        records.append(dict(rec, id=f"{a.id}-copy", source=OUTLETS[k % len(OUTLETS)],
                            url=f"https://copy{k}.example/{a.id}"))
        if len(paras) > 3:
            records.append(dict(rec, id=f"{a.id}-trim", source=OUTLETS[(k + 3) % len(OUTLETS)],
                                url=f"https://trim{k}.example/{a.id}", text="\n\n".join(paras[:-1])))
        records.append(dict(rec, id=f"{a.id}-rw", source=OUTLETS[(k + 5) % len(OUTLETS)],
                            url=f"https://rw{k}.example/{a.id}", text=_rewrite(body),
                            title=_rewrite(a.title or "") or None))
    towns = ["Arvel", "Brisk", "Corran", "Dunmere", "Estby", "Falk", "Garrow", "Hale", "Istra", "Jorvik",
             "Kelso", "Lorne"]
    for i in range(n_council):
        page = _council(i, towns[i % len(towns)], 5)
        records.append(page)
        if i % 3 == 0:  # a second event of the same kind: another town, a month later
            records.append(_council(i, towns[(i + 5) % len(towns)] + "by", 6))
        if i % 4 == 0:  # a reprint
            records.append(dict(page, id=page["id"] + "-copy", source=OUTLETS[(i + 1) % len(OUTLETS)],
                                url=f"https://reprint{i}.example/{page['id']}"))  # another outlet: its own URL
    rng.shuffle(records)
    paths = []
    shards = 6
    for s in range(shards):
        p = folder / f"shard-{s}.jsonl"
        with p.open("w", encoding="utf-8") as fh:
            for r in records[s::shards + 1]:
                fh.write(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False) + "\n")
        paths.append(p)
    # A page file has no URL: to a store, a file whose cleaned text another page shares is that page again
    # (a batch keeps it as a copy). Such records go in a JSONL file with their URLs instead.
    keys = Counter(_cleaned_key(r) for r in records)
    as_files = records[shards::shards + 1]
    extra = [r for r in as_files if keys[_cleaned_key(r)] > 1]
    if extra:
        p = folder / "shard-copies.jsonl"
        with p.open("w", encoding="utf-8") as fh:
            for r in extra:
                fh.write(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False) + "\n")
        paths.append(p)
    for j, r in enumerate(r for r in as_files if keys[_cleaned_key(r)] == 1):
        p = folder / f"page-{j:03d}.txt"
        p.write_text(f"{r.get('title') or ''}\n\n{r['text']}", encoding="utf-8")
        paths.append(p)
    return paths


@pytest.fixture(scope="session")
def scale_pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("scale-pages"))


@pytest.fixture(scope="session")
def batch_brief(scale_pages: list[Path]) -> Any:
    from parallax.pipeline import brief_paths

    return brief_paths(scale_pages)


@pytest.fixture(scope="session")
def ingested_store(scale_pages: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store filled by `parallax ingest` from the generated pages (in the order given): shared by the
    checks that compare a store with the batch and with a merged run."""
    from parallax.ingest import ingest
    from parallax.store import Store

    path = tmp_path_factory.mktemp("ingested") / "ingested.db"
    with Store(str(path)) as store:
        done = ingest([str(p) for p in scale_pages], store, progress=False)
        assert not done.failures
    return path


@pytest.fixture(scope="session")
def small_pages(scale_pages: list[Path]) -> list[Path]:
    """Two shards of the generated pages (about fifty, copies and rewrites among them) and a mixed-language cluster
    of ours (English, French and Italian pages of two stories, issue 23): enough for the check that a killed
    actor changes nothing, at a fraction of a full run's cost (issue 20, item 4)."""
    mixed = Path(__file__).resolve().parents[2] / "bench" / "data" / "bank-multilingual" / "ml-dock-wildfire" / "pages"
    return [*scale_pages[:2], mixed]


@pytest.fixture(scope="session")
def small_batch_brief(small_pages: list[Path]) -> Any:
    from parallax.pipeline import brief_paths

    return brief_paths(small_pages)


@pytest.fixture(scope="session")
def local_ray() -> Iterator[Any]:
    """A local Ray cluster: 2 CPUs, dashboard off (what `parallax scale run --address local` starts)."""
    pytest.importorskip("ray", reason="ray is not installed: pip install 'parallax-news[scale]'")
    from parallax.scale import start

    ray = start("local", num_cpus=2)
    yield ray
    ray.shutdown()


# ---- comparison: what the cluster pipeline must reproduce of the batch


def of_brief(brief: Any) -> dict[str, Any]:
    """The batch's outcome keyed by article ids and story membership."""
    return {
        "groups": {a.id: (a.group, sorted((d.article, d.relation) for d in a.derived_from)) for a in brief.articles},
        "stories": {json.dumps(sorted(s.articles)): story_facts(s.to_dict()) for s in brief.stories},
    }


def of_run(outcome: dict[str, Any]) -> dict[str, Any]:
    """The same of a cluster run (`parallax.scale.load_outcome`)."""
    groups = {}
    for r in outcome["articles"]:
        derived = json.loads(r["derived_json"] or "[]")
        groups[r["id"]] = (r["group_id"], sorted((d["article"], d["relation"]) for d in derived))
    stories = {}
    for s in outcome["stories"]:
        d = json.loads(s["story_json"])
        stories[json.dumps(sorted(d["articles"]))] = story_facts(d)
    return {"groups": groups, "stories": stories}


def story_facts(d: dict[str, Any]) -> dict[str, Any]:
    return {"id": d["id"], "headline": d["headline"],
            "facts": [(f["text"], f["sources"], f["support"], f["status"], f["speaker"]) for f in d["facts"]],
            "disputes": [(x["kind"], x["about"], [(v["value"], v["sources"]) for v in x["variants"]])
                         for x in d["disputes"]]}


@pytest.fixture(scope="session")
def outcome_of() -> dict[str, Any]:
    """{"brief": of_brief, "run": of_run}: the comparison helpers, as a fixture."""
    return {"brief": of_brief, "run": of_run}
