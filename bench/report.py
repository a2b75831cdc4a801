"""Render the JSON results in out/bench/ as Markdown tables (for docs/BENCHMARKS.md).

    .venv/bin/python -m bench.report [--out out/bench]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench import common

COLUMNS = {
    "extract": ("precision", "recall", "f1", "accuracy", "pages", "seconds"),
    "extract_segments": ("precision", "recall", "f1", "accuracy", "pages", "seconds"),
    "cluster": ("dataset", "threshold", "bcubed_precision", "bcubed_recall", "bcubed_f1", "ari", "clusters",
                "gold_clusters", "seconds"),
    "crosscheck": ("cluster", "corr_p", "corr_r", "corr_unmatched", "false_corr", "copy_counted", "disp_p", "disp_r",
                   "nondisp_hit", "group_acc", "wire_origin", "facts", "seconds"),
    "rewrite": ("precision", "recall", "f1", "accuracy", "threshold", "pairs", "seconds"),
    "summary": ("dataset", "rouge1", "rouge2", "rougelsum", "traceable", "words", "clusters", "seconds"),
    "support": ("bacc", "precision", "recall", "f1", "accuracy", "threshold", "summaries", "seconds"),
    "loaded": ("macro_f1", "macro_f1_std", "precision", "recall", "f1", "word_precision", "word_recall", "word_f1",
               "sentences", "sent_per_s"),
    "stance": ("fnc_score", "macro_f1", "f1_agree", "f1_disagree", "f1_discuss", "f1_unrelated", "pairs", "seconds"),
    "speed": ("system", "pages", "cpu_s", "ms_per_page", "pages_per_s_per_core", "wall_s", "pages_per_s", "peak_rss_mb"),
}


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value).replace("clustering_", "").replace("mds_", "")


def table(name: str, rows: list[dict[str, Any]]) -> str:
    cols = COLUMNS.get(name, ())
    lines = ["| system | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for row in rows:
        if row.get("available") is False:
            lines.append(f"| {row['system']} | not available: {row.get('reason', '')} |" + " |" * (len(cols) - 1))
            continue
        lines.append(f"| {row['system']} | " + " | ".join(_cell(row.get(c)) for c in cols) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(common.OUT_ROOT))
    args = parser.parse_args(argv)
    for name in COLUMNS:
        path = Path(args.out) / f"{name}.json"
        if not path.exists():
            continue
        payload = json.loads(path.read_text(encoding="utf-8"))
        print(f"### {name}\n\n{table(name, payload['results'])}\n")
        if payload.get("reproduction"):
            print("Published systems' outputs re-scored:\n")
            rows = payload["reproduction"]
            print("| system | precision | recall | f1 | published f1 | delta |\n|---|---|---|---|---|---|")
            for r in rows:
                print(f"| {r['system']} | {_cell(r['precision'])} | {_cell(r['recall'])} | {_cell(r['f1'])} | "
                      f"{_cell(r.get('published_f1'))} | {_cell(r.get('delta'))} |")
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
