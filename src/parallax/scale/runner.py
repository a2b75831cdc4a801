"""The cluster pipeline on Ray Data: stage by stage over Parquet, each stage resumable from its marker.

Stages (output folder under OUT, shuffle key):

    read        one task per input file (a page, a JSONL file, one WARC)            -
    dedupe      exact re-reads dropped, clashing ids numbered                       article id
    articles    clean, split, credits, embed, MinHash, word counts (actor pool)     -
    idf         document frequency of each word over the run                        word
    candidates  pairs of articles sharing a key (MinHash band, top word, LSH)       candidate key
    edges       pairs scored with the batch's story similarity, kept near or over   -
                the threshold; blocks = connected components (on the driver)
    stories     the batch's clustering inside each block                            block id
    provenance  every pair of each story compared; origin groups                    story id
    briefs      cross-check and brief per story                                     story id

A stage whose marker (`OUT/_markers/STAGE.json`) exists is read back from its Parquet instead of run, so
a run that failed resumes at the failed stage and a finished run reruns nothing (its report is read from the
markers, `OUT/_markers/_finished.json` and `OUT/errors.json`, without starting Ray). A run is fingerprinted by
its inputs and settings at its start (`OUT/_run.json`): a rerun of other inputs or settings into the same OUT
is refused (PX305) instead of resuming, unless `fresh` discards the old run first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parallax.config import Settings, settings, use
from parallax.scale import rows as R
from parallax.scale import stages as S

log = logging.getLogger(__name__)

STAGES = ("read", "dedupe", "articles", "idf", "candidates", "edges", "stories", "provenance", "briefs")
ACTOR_CPUS = 0.5  # CPU an article-map actor reserves: the rest of a core is left for reads and group-bys
TASK_CPUS = 1  # CPU a Ray Data task (a read, a group-by) asks for: a local cluster must keep one free of actors
MAX_WORKERS = 10_000  # more article-map actors than any cluster we know holds: a typo, not a plan
RUN_FILE = "_run.json"  # OUT's fingerprint: the inputs and settings of the run the stages belong to


@dataclass
class RunReport:
    """What a run did: per stage, rows out and seconds, and whether it ran or was read from its marker."""

    out: str
    stages: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    articles: int | None = None  # articles that reached the later stages; 0: nothing readable, run stopped

    @property
    def ran(self) -> list[str]:
        return [s["stage"] for s in self.stages if s["status"] == "ran"]

    @property
    def skipped(self) -> list[str]:
        return [s["stage"] for s in self.stages if s["status"] == "skipped"]

    def to_dict(self) -> dict[str, Any]:
        return {"out": self.out, "stages": self.stages, "errors": self.errors, "articles": self.articles}


def check_options(*, workers: int, num_cpus: int | None, address: str | None) -> None:
    """Refuse options a run cannot work with, before Ray starts (PX302 naming the option): no actor
    (`workers` < 1) or no CPU (`num_cpus` < 1) would hang the run; `num_cpus` only sizes a local cluster;
    the actors of a local cluster (`ACTOR_CPUS` each) must leave a task's CPU free (`TASK_CPUS`), or the
    article map waits forever for its input."""
    from parallax.errors import error

    if not 1 <= workers <= MAX_WORKERS:
        raise error("PX302", "--workers", f"{workers} article-map actors: give 1 to {MAX_WORKERS}")
    local = not address or address == "local"
    if num_cpus is not None:
        if not local:
            raise error("PX302", "--cpus", f"--cpus sizes a local cluster only, not {address}: leave it out")
        if num_cpus < 1:
            raise error("PX302", "--cpus", f"{num_cpus} CPUs: give at least 1 (a cluster without CPU runs nothing)")
    ray = sys.modules.get("ray")
    if local and (num_cpus is not None or not (ray and ray.is_initialized())):  # a cluster we start here
        cpus = num_cpus or os.cpu_count() or 1
        need = workers * ACTOR_CPUS + TASK_CPUS
        if need > cpus:
            raise error("PX302", "--workers", f"{workers} worker(s) take {workers * ACTOR_CPUS:g} of the {cpus} "
                        f"CPU(s) of the local cluster and leave less than the {TASK_CPUS} CPU a read task needs "
                        f"(the run would wait forever): give --cpus {math.ceil(need)} or more, or fewer workers")


def require_ray() -> Any:
    """`import ray`, or a coded error saying what to install."""
    try:
        import pyarrow  # noqa: F401
        import ray
        import ray.data
    except ImportError as exc:
        from parallax.errors import error

        raise error("PX201", "ray", f"{exc.name} is not installed: pip install 'parallax-news[scale]'") from None
    return ray


LOOPBACK = "127.0.0.1"
_watchdogs: list[Any] = []  # the watchdogs of the local clusters this process started (their pipes stay open)


@contextlib.contextmanager
def _single_machine() -> Iterator[None]:
    """Let a local cluster take the loopback address. On Linux, Ray 2.x turns a node address of 127.0.0.1
    (`ray.init(_node_ip_address=…)`) into the machine's outward address (`services.resolve_ip_for_localhost`),
    unless it runs as it does on macOS and Windows, where a node is one machine and its address the loopback
    one (`ray_constants.ENABLE_RAY_CLUSTER`, otherwise set once at import from
    $RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER). With 127.0.0.1 as the node address, Ray binds the GCS, raylet,
    object manager, agents and workers to it only. Restored afterwards: a later `ray.init(address=…)` of this
    process is not affected."""
    import importlib

    try:
        consts = importlib.import_module("ray._private.ray_constants")
    except ImportError:  # another Ray layout: the node address check in `start` warns
        yield
        return
    before = getattr(consts, "ENABLE_RAY_CLUSTER", True)
    consts.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        consts.ENABLE_RAY_CLUSTER = before


def start(address: str | None = None, num_cpus: int | None = None) -> Any:
    """Connect to a Ray cluster (`ray://…` or `auto`), or start a local one (no dashboard, quiet).

    A local cluster listens on 127.0.0.1 only (GCS, raylet, object manager, agents, workers) and ends with
    this process: `watchdog.spawn` ends its processes, the agents included, when this process ends in any
    way (`kill -9` too) or calls `ray.shutdown()`."""
    from parallax.scale import watchdog

    ray = require_ray()
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if ray.is_initialized():
        return ray
    if address and address != "local":
        ray.init(address=address, log_to_driver=False)
        return ray
    with _single_machine():
        ctx = ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False, configure_logging=False,
                       _node_ip_address=LOOPBACK)
    info = ctx.address_info
    if info.get("node_ip_address") != LOOPBACK:
        log.warning("the local Ray cluster listens on %s, not only on %s", info.get("node_ip_address"), LOOPBACK)
    _watchdogs[:] = [w for w in _watchdogs if w.poll() is None]
    dog = watchdog.spawn(Path(info["session_dir"]).name)
    if dog is not None:
        _watchdogs.append(dog)
    return ray


def _canonical(obj: Any) -> str:
    """Canonical JSON: sorted keys, no spaces (tuples as lists; NaN and infinities as Python writes them)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def fingerprint(files: list[tuple[str, bool]], sets: Settings, config: S.ScaleConfig | None = None,
                length: str = "standard") -> dict[str, Any]:
    """What a run's stages depend on: each input file (resolved path, size, modification time in ns, named
    explicitly or found in a folder), in order, and the settings in effect (`Settings.to_dict()`, the
    `[scale]` table replaced by `config` when given) with the brief length.

    Size and modification time, not content hashes: a day's crawl is tens of GB of WARC files, which a hash
    would read once more on the driver at every start and resume (minutes, more on a network file system),
    while a stat is one metadata call per file. It misses only a file rewritten in place with the same size
    and the same modification time to the nanosecond, which a crawl or a copy does not do (`cp`, `rsync`,
    a download give a new modification time; `touch` too, which then reads as changed)."""
    from parallax.version import __version__

    conf = sets.to_dict()
    if config is not None:
        conf["scale"] = dataclasses.asdict(config)
    inputs = []
    for path, explicit in files:
        st = os.stat(path)
        inputs.append([str(Path(path).resolve()), st.st_size, st.st_mtime_ns, explicit])
    return {"format": 1, "parallax": __version__, "inputs": inputs, "length": length,
            "settings": json.loads(_canonical(conf))}


def _flat(d: Any, prefix: str = "") -> dict[str, str]:
    """Nested settings as {"stage.field": canonical JSON of the value}."""
    if not isinstance(d, dict):
        return {prefix: _canonical(d)}
    out: dict[str, str] = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}.{k}" if prefix else k))
    return out


def _some(items: list[str], n: int = 3) -> str:
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two fingerprints, in words (empty: the same run). The Parallax version is
    recorded, not compared."""
    out: list[str] = []
    was = {p: tuple(rest) for p, *rest in old.get("inputs", [])}
    now = {p: tuple(rest) for p, *rest in new["inputs"]}
    added = [p for p in now if p not in was]
    gone = [p for p in was if p not in now]
    changed = [p for p in now if p in was and was[p][:2] != now[p][:2]]
    named = [p for p in now if p in was and was[p][2:] != now[p][2:]]
    parts = []
    if added:
        parts.append(f"{len(added)} not in the run ({_some(added)})")
    if gone:
        parts.append(f"{len(gone)} of the run not given or no longer readable ({_some(gone)})")
    if changed:
        parts.append(f"{len(changed)} changed since (size or modification time: {_some(changed)})")
    if named:
        parts.append(f"{len(named)} named otherwise (on the command line, or found in a folder: {_some(named)})")
    if not parts and [p for p, *_ in old.get("inputs", [])] != [p for p, *_ in new["inputs"]]:
        parts.append("the same files in another order")
    if parts:
        out.append("inputs differ: " + "; ".join(parts))
    a, b = _flat(old.get("settings", {})), _flat(new["settings"])
    diff = [f"{k} {a.get(k, 'unset')} -> {b.get(k, 'unset')}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    if diff:
        out.append(f"settings differ: {_some(diff, 5)}")
    if old.get("length") != new["length"]:
        out.append(f"--length differs: {old.get('length')} -> {new['length']}")
    return out


def discard(out: str | Path) -> None:
    """Remove a run from OUT: its stage folders, markers, errors.json and fingerprint (nothing else)."""
    outp = Path(out)
    for name in (*STAGES, "_markers"):
        if (outp / name).is_dir():
            shutil.rmtree(outp / name)
    for name in ("errors.json", RUN_FILE):
        (outp / name).unlink(missing_ok=True)


def claim(out: str | Path, fp: dict[str, Any], *, fresh: bool = False) -> None:
    """Make OUT the folder of the run fingerprinted `fp`, before any stage runs: write the fingerprint into
    a new or empty run folder; accept a folder of the same run (a resume); refuse with PX305, naming what
    differs, a folder that holds another run's stages, or stages without a fingerprint (an older Parallax).
    `fresh` discards whatever run OUT holds first."""
    from parallax.errors import error

    outp = Path(out)
    if fresh:
        discard(outp)
    path = outp / RUN_FILE
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
            assert isinstance(old, dict)
        except (OSError, ValueError, AssertionError):
            raise error("PX305", str(outp), f"its fingerprint {RUN_FILE} cannot be read") from None
        diffs = differences(old, fp)
        if diffs:
            raise error("PX305", str(outp), "; ".join(diffs))
        return
    done = [s for s in STAGES if _Stage(outp, s).done()]
    if done:
        raise error("PX305", str(outp), f"it holds finished stages ({_some(done)}) but no fingerprint {RUN_FILE} "
                                        "(a run of an older Parallax): its inputs and settings cannot be checked")
    outp.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(fp, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


class _Stage:
    """One stage's folder and marker."""

    def __init__(self, out: Path, name: str):
        self.name = name
        self.dir = out / name
        self.marker = out / "_markers" / f"{name}.json"

    def done(self) -> bool:
        return self.marker.exists()

    def finish(self, info: dict[str, Any]) -> None:
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.marker.with_suffix(".tmp")
        tmp.write_text(json.dumps(info, indent=1), encoding="utf-8")
        tmp.replace(self.marker)


def _rows(batch: Any) -> list[dict[str, Any]]:
    return batch.to_pylist()


def run(inputs: list[str], out: str | Path, *, address: str | None = None, workers: int = 2,
        num_cpus: int | None = None, length: str = "standard", settings_obj: Settings | None = None,
        config: S.ScaleConfig | None = None, progress: Callable[[dict[str, Any]], None] | None = None,
        crash_marker: str | None = None, fresh: bool = False) -> RunReport:
    """Run the pipeline over INPUTS into OUT (Parquet per stage). `workers`: article-map actors.

    `settings_obj` (default: the settings in effect) travels to every task and actor, which enter it.
    Options and inputs are checked before Ray starts (`check_options`: PX302; `stages.check_inputs`: a
    missing, unreadable or empty input is an error of the report). When no input is readable, or no
    article is left after cleaning, the run stops there with `report.articles == 0` (`parallax scale run`
    says PX301, as `parallax brief` does).

    OUT is fingerprinted by the inputs and settings (`fingerprint`, `claim`) before Ray starts: a finished
    or failed run of the same inputs and settings resumes from its markers; one of other inputs or
    settings is refused (PX305, naming what differs) unless `fresh` discards it and starts again.
    """
    check_options(workers=workers, num_cpus=num_cpus, address=address)
    files, bad = S.check_inputs(list(inputs))
    outp = Path(out)
    report = RunReport(str(outp), errors=[e.to_dict() for e in bad])
    if not files and (fresh or not _Stage(outp, "read").done()):
        report.articles = 0
        return report
    sets = settings_obj or settings()
    cfg = config or sets.scale
    claim(outp, fingerprint(files, sets, cfg, length), fresh=fresh)
    finished = _finished(outp)
    if finished is not None:  # every stage of this run is done: its report, without starting Ray
        for line in finished.stages:
            if progress:
                progress(line)
        return finished
    ray = start(address, num_cpus)
    import ray.data as rd

    ctx = rd.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    # Group-bys by sort-based shuffle in tasks: Ray 2.60's default (hash shuffle) starts aggregator actors for
    # every group-by, 10-15 s of fixed cost per stage here; a 57-page run took 149 s with it and 93 s without
    # (2 cores; issue 20 item 4). A group-by's groups and the stages' results are the same either way.
    from ray.data.context import ShuffleStrategy

    ctx.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    outp.mkdir(parents=True, exist_ok=True)
    parts = max(1, workers * 2)

    def stage(name: str, build: Callable[[], Any], fields: dict[str, str] | None) -> Any:
        st = _Stage(outp, name)
        t0 = time.perf_counter()
        if st.done():
            info = json.loads(st.marker.read_text(encoding="utf-8"))
            status = "skipped"
        else:
            if st.dir.exists():
                shutil.rmtree(st.dir)  # a half-written stage from a failed run
            ds = build()
            ds.write_parquet(str(st.dir))
            info = {"rows": None, "seconds": round(time.perf_counter() - t0, 2)}
            status = "ran"
        ds = rd.read_parquet(str(st.dir))
        if status == "ran":
            info["rows"] = ds.count()
            st.finish(info)
        line = {"stage": name, "status": status, "rows": info["rows"],
                "seconds": round(time.perf_counter() - t0, 2) if status == "ran" else info.get("seconds")}
        report.stages.append(line)
        if progress:
            progress(line)
        return ds

    with use(sets):
        # read: one task per file
        def read_batch(batch: Any) -> Any:
            rows: list[dict[str, Any]] = []
            for f in batch.to_pylist():
                got, errs = S.read_one(f["path"], f["n"], f["explicit"])
                rows += got
                rows += [S.error_row(e, f["n"], k) for k, e in enumerate(errs)]
            return R.table(rows, R.READ_FIELDS)

        read = stage("read", lambda: rd.from_items([{"path": f, "n": n, "explicit": e} for n, (f, e) in enumerate(files)],
                                                   override_num_blocks=max(1, min(len(files), 64)))
                     .map_batches(read_batch, batch_size=1, batch_format="pyarrow"), R.READ_FIELDS)
        report.errors += [S.read_error(r) for r in read.filter(lambda r: r["order"] == -1).take_all()]
        if read.filter(lambda r: r["order"] >= 0).count() == 0:
            return _stopped(report, outp)  # nothing readable: the later stages have nothing to do

        def dedupe_group(group: Any) -> Any:
            return R.table(S.dedupe_ids(group.to_pylist()), R.READ_FIELDS)

        dedupe = stage("dedupe", lambda: read.filter(lambda r: r["order"] >= 0).groupby("id", num_partitions=parts)
                       .map_groups(dedupe_group, batch_format="pyarrow"), R.READ_FIELDS)

        def article_batch_cls() -> type:
            class Mapper(S.ArticleMapper):
                def __call__(self, batch: Any) -> Any:  # type: ignore[override]
                    return R.table(super().__call__(batch.to_pylist()), R.ARTICLE_FIELDS)
            return Mapper

        articles = stage("articles", lambda: dedupe.repartition(max(parts, dedupe.count() // cfg.batch_size + 1))
                         .map_batches(article_batch_cls(), batch_size=cfg.batch_size, batch_format="pyarrow",
                                      concurrency=workers, num_cpus=ACTOR_CPUS,
                                      fn_constructor_kwargs={"settings_obj": sets, "crash_marker": crash_marker}),
                         R.ARTICLE_FIELDS)
        for r in articles.filter(lambda r: r["error_code"] is not None).select_columns(
                ["input", "id", "error_code", "error_message"]).take_all():
            report.errors.append({"input": r["input"] or r["id"], "code": r["error_code"], "message": r["error_message"]})
        good = articles.filter(lambda r: r["error_code"] is None)
        report.articles = n_docs = good.count()
        if n_docs == 0:
            return _stopped(report, outp)

        def df_batch(batch: Any) -> Any:
            import pyarrow as pa

            df = S.document_frequencies(batch.to_pylist())
            return pa.table({"term": list(df), "df": list(df.values()), "docs": [0] * len(df)})

        def df_sum(group: Any) -> Any:
            import pyarrow as pa
            import pyarrow.compute as pc

            return pa.table({"term": [group["term"][0].as_py()], "df": [pc.sum(group["df"]).as_py()], "docs": [0]})

        idf_fields = {"term": "string", "df": "int64", "docs": "int64"}
        idf = stage("idf", lambda: good.select_columns(["terms_json"]).map_batches(df_batch, batch_format="pyarrow")
                    .groupby("term", num_partitions=parts).map_groups(df_sum, batch_format="pyarrow"), idf_fields)
        df = {r["term"]: r["df"] for r in idf.take_all()}

        def keys_batch(batch: Any) -> Any:
            import pyarrow as pa

            out: dict[str, list[Any]] = {"key": [], "id": [], "day": []}
            with use(sets):
                for r in batch.to_pylist():
                    for k in S.candidate_keys(r, df, n_docs, cfg):
                        out["key"].append(k)
                        out["id"].append(r["id"])
                        out["day"].append(r["day"] or "")
            return pa.table(out)

        def pairs_group(group: Any) -> Any:
            import pyarrow as pa

            key = group["key"][0].as_py()
            members = list(zip(group["day"].to_pylist(), group["id"].to_pylist(), strict=True))
            ps = S.pairs_in_group(members, cfg)
            return pa.table({"a": [a for a, _ in ps], "b": [b for _, b in ps], "kind": [key[0]] * len(ps)})

        cand_fields = {"a": "string", "b": "string", "kind": "string"}
        cands = stage("candidates", lambda: good.select_columns(["id", "day", "minhash", "terms_json", "doc_vec",
                                                                 "anchors_json"])
                      .map_batches(keys_batch, batch_format="pyarrow")
                      .groupby("key", num_partitions=parts).map_groups(pairs_group, batch_format="pyarrow"),
                      cand_fields)

        made: dict[str, Any] = {}

        def features() -> Any:
            """The scorer's features, built once and only by a stage that runs (a rerun skips them)."""
            if "feats" not in made:
                rows_ = good.select_columns(["id", "doc_vec", "terms_json", "day", "meta_json", "anchors_json"]).take_all()
                # pages not in English (issue 23): every page's title and text for its multilingual lead vector
                texts = ({r["id"]: r for r in good.select_columns(["id", "title", "text"]).take_all()}
                         if any(S.row_language(r) != "en" for r in rows_) else None)
                with use(sets):
                    made["feats"] = S.Features(rows_, df, n_docs, texts)
            return made["feats"]

        def cross_data() -> Any:
            """Multilingual lead vectors (empty: all English) and the anchors' frequencies over the run, for the
            stories stage."""
            if "cross" not in made:
                f = features()
                made["cross"] = ray.put((f.ml, f.anchor_df))
            return made["cross"]

        def edges_build() -> Any:
            feats = features()
            kinds: dict[tuple[str, str], Counter] = {}
            for r in cands.iter_rows():
                kinds.setdefault((r["a"], r["b"]), Counter())[r["kind"]] += 1
            todo = sorted(p for p, k in kinds.items() if S.keep_pair(k, cfg, feats.across(*p)))
            feats_ref = ray.put(feats)
            cut = sets.stories.threshold - cfg.edge_margin

            def score_batch(batch: Any) -> Any:
                import pyarrow as pa

                feats = ray.get(feats_ref)
                ps = list(zip(batch["a"].to_pylist(), batch["b"].to_pylist(), strict=True))
                with use(sets):
                    sims = S.score_pairs(ps, feats)
                keep = [i for i, s in enumerate(sims) if s >= cut]
                return pa.table({"a": [ps[i][0] for i in keep], "b": [ps[i][1] for i in keep],
                                 "sim": [sims[i] for i in keep]})

            return rd.from_items([{"a": a, "b": b} for a, b in todo] or [{"a": "", "b": ""}],
                                 override_num_blocks=parts).filter(lambda r: r["a"] != "") \
                .map_batches(score_batch, batch_format="pyarrow", batch_size=4096)

        edges = stage("edges", edges_build, {"a": "string", "b": "string", "sim": "float64"})
        ids = [r["id"] for r in good.select_columns(["id"]).take_all()]
        block = S.blocks_of(ids, [(r["a"], r["b"]) for r in edges.take_all()])

        def add_block(batch: Any) -> Any:
            import pyarrow as pa

            return batch.append_column("block", pa.array([block[i] for i in batch["id"].to_pylist()], pa.string()))

        def cluster_group_with(cross_ref: Any) -> Callable[[Any], Any]:
            def cluster_group(group: Any) -> Any:
                import pyarrow as pa

                with use(sets):
                    got = S.cluster_block(group.to_pylist(), df, n_docs, ray.get(cross_ref) if cross_ref else None)
                return pa.table({"id": list(got), "story": list(got.values())})
            return cluster_group

        stories = stage("stories", lambda: good.select_columns(["id", "order", "doc_vec", "terms_json", "day",
                                                                "meta_json", "anchors_json"])
                        .map_batches(add_block, batch_format="pyarrow")
                        .groupby("block", num_partitions=parts).map_groups(cluster_group_with(cross_data()), batch_format="pyarrow"),
                        {"id": "string", "story": "string"})
        story_of = {r["id"]: r["story"] for r in stories.take_all()}

        def add_story(batch: Any) -> Any:
            import pyarrow as pa

            return batch.append_column("story", pa.array([story_of[i] for i in batch["id"].to_pylist()], pa.string()))

        def trace_group(group: Any) -> Any:
            with use(sets):
                return R.table(S.trace_story(group.to_pylist()), R.TRACED_FIELDS)

        traced = stage("provenance", lambda: good.map_batches(add_story, batch_format="pyarrow")
                       .groupby("story", num_partitions=parts).map_groups(trace_group, batch_format="pyarrow"),
                       R.TRACED_FIELDS)

        def brief_group(group: Any) -> Any:
            with use(sets):
                return R.table([S.brief_story(group.to_pylist(), length)], R.BRIEF_FIELDS)

        stage("briefs", lambda: traced.groupby("story", num_partitions=parts)
              .map_groups(brief_group, batch_format="pyarrow"), R.BRIEF_FIELDS)
    return _stopped(report, outp)


FINISHED = "_finished"  # _markers/_finished.json: what a finished run's report says beyond its stage markers


def _stopped(report: RunReport, outp: Path) -> RunReport:
    """The report of a run that ended (finished, or stopped for want of articles), its errors in errors.json;
    a run whose every stage is done also notes its article count (`_finished`)."""
    if report.articles is None:
        report.articles = 0
    (outp / "errors.json").write_text(json.dumps(report.errors, indent=1), encoding="utf-8")
    if all(_Stage(outp, s).done() for s in STAGES):
        _Stage(outp, FINISHED).finish({"articles": report.articles})
    return report


def _finished(outp: Path) -> RunReport | None:
    """The report of a run in OUT whose every stage is done (its fingerprint already checked by `claim`):
    every stage skipped, as the stages' markers say, the errors and article count as the run left them; None
    when a stage is not done (a failed or unfinished run resumes from its markers)."""
    note = _Stage(outp, FINISHED).marker
    if not note.exists() or not (outp / "errors.json").exists() or not all(_Stage(outp, s).done() for s in STAGES):
        return None
    try:
        articles = json.loads(note.read_text(encoding="utf-8"))["articles"]
        errors = json.loads((outp / "errors.json").read_text(encoding="utf-8"))
        infos = [json.loads(_Stage(outp, s).marker.read_text(encoding="utf-8")) for s in STAGES]
    except (OSError, ValueError, KeyError):
        return None  # unreadable: the normal path reads each stage again
    report = RunReport(str(outp), errors=errors, articles=articles)
    report.stages = [{"stage": s, "status": "skipped", "rows": i.get("rows"), "seconds": i.get("seconds")}
                     for s, i in zip(STAGES, infos, strict=True)]
    return report


def load_outcome(out: str | Path) -> dict[str, Any]:
    """A finished run's result read with pyarrow alone (no Ray): {"articles": rows, "stories": rows}."""
    import pyarrow.parquet as pq

    outp = Path(out)
    missing = [s for s in ("provenance", "briefs") if not (outp / "_markers" / f"{s}.json").exists()]
    if missing:
        from parallax.errors import error

        raise error("PX302", str(outp), f"not a finished run (no marker for {', '.join(missing)}): rerun "
                                        "`parallax scale run` into it")
    return {"articles": pq.read_table(outp / "provenance", schema=R.schema(R.TRACED_FIELDS)).to_pylist(),
            "stories": pq.read_table(outp / "briefs", schema=R.schema(R.BRIEF_FIELDS)).to_pylist()}
