"""Parallax on a cluster: the batch's pipeline as Ray Data stages over Parquet (docs/SCALE.md).

    from parallax.scale import run
    report = run(["crawl/2026-05-01/"], "out/2026-05-01", workers=2)   # local Ray, or address="ray://…"
    report.stages                                                      # rows and seconds per stage

Then `parallax.store.bulk.merge_run(store, "out/2026-05-01")` files the day into a store in one
transaction. Ray and pyarrow are the optional extra `scale` (`pip install 'parallax-news[scale]'`);
`parallax.scale.stages` and `parallax.scale.rows` are plain Python, the stage functions each Ray task runs.
"""

from __future__ import annotations

from parallax.scale.runner import STAGES, RunReport, load_outcome, require_ray, run, start
from parallax.scale.stages import ScaleConfig

__all__ = ["STAGES", "RunReport", "ScaleConfig", "load_outcome", "require_ray", "run", "start"]
