"""Is a summary supported by its source? FRANK human judgements: the cross-check's decision, with its peers.

A thin name for `python -m bench.judge_eval frank` (see that module): it scores exactly the function the product
uses (`parallax.stages.crosscheck`) with the shipped configuration, the peers in the same run.

    .venv/bin/python -m bench.support [--data FILE.jsonl] [--json OUT] [--quick] [--limit N] [--no-cache]
"""

from __future__ import annotations

import sys

from bench import judge_eval


def main(argv: list[str] | None = None) -> int:
    return judge_eval.main(["frank", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
