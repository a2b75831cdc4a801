"""The cluster commands: `parallax scale run INPUT... --out DIR` and `parallax scale merge DIR --db URL`.

Ray and pyarrow are the optional extra `scale`; without them both commands say what to install (PX201).
Registered by `parallax.cli` from `COMMANDS`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from parallax.cli.common import db_option, fail, open_store, settings_of, usage


@click.group("scale")
def scale_group() -> None:
    """Run the pipeline on a Ray cluster over Parquet, and merge a day's run into a store (docs/SCALE.md)."""


def _show(line: dict) -> None:
    what = "done earlier (marker)" if line["status"] == "skipped" else f"{line['seconds']:.1f} s"
    click.echo(f"  {line['stage']:11s} {line['rows'] if line['rows'] is not None else '-':>8} rows  {what}", err=True)


@scale_group.command("run")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the run's Parquet tables and stage markers (one run per day, e.g. out/2026-05-01).")
@click.option("--address", default="local", show_default=True,
              help="A Ray cluster (ray://host:10001, or auto), or `local` to start one on this machine "
                   "(listening on 127.0.0.1 only, ended with this command).")
@click.option("--workers", type=int, default=2, show_default=True, help="Article-map actors (one core each).")
@click.option("--cpus", type=int, default=None, help="With --address local: CPUs Ray may use (default: all).")
@click.option("--length", type=click.Choice(["short", "standard", "full"]), default="standard", show_default=True)
@click.option("--fresh", is_flag=True,
              help="Discard the run already in OUT (its stages, markers and fingerprint) and start again.")
@db_option
def run_cmd(inputs: tuple[str, ...], out: Path, address: str, workers: int, cpus: int | None, length: str,
            fresh: bool, db: str | None) -> None:
    """Brief INPUTS (files, directories, JSONL, WARC; one task per file) on Ray, stage by stage into OUT.

    A stage whose marker exists in OUT is not run again: rerun the same command to resume a failed run.
    OUT remembers the inputs (path, size, modification time) and settings of its run: a rerun with other
    inputs, another --config or --length is refused (PX305, naming what differs); --fresh starts afresh.
    With --db, the finished run is merged into that store (as `parallax scale merge`).

    Inputs and options are checked before Ray starts: a missing, unreadable or empty input is named with
    its code (PX1xx) and the rest is run; no readable input, or no article left after cleaning: exit 2."""
    from parallax.scale import require_ray, run
    from parallax.scale.runner import check_options

    if "-" in inputs:
        raise usage("PX302", "-", "`scale run` reads files and directories, not standard input")
    require_ray()
    check_options(workers=workers, num_cpus=cpus, address=address)
    click.echo(f"parallax scale: {len(inputs)} input(s) -> {out} ({address}, {workers} worker(s))", err=True)
    report = run(list(inputs), out, address=address, workers=workers, num_cpus=cpus, length=length,
                 settings_obj=settings_of(), progress=_show, fresh=fresh)
    for e in report.errors:
        click.echo(f"parallax: {e['code']} {e['input']}: {e['message']}", err=True)
    if not report.articles:
        raise fail("PX301", "", "no readable article among the inputs")
    if db:
        _merge(out, db)


def _merge(out: Path, db: str | None) -> None:
    from parallax.store.bulk import merge_run

    with open_store(db) as store:
        summary = merge_run(store, out)
    click.echo(json.dumps(summary))


@scale_group.command("merge")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@db_option
def merge_cmd(out: Path, db: str | None) -> None:
    """Merge a finished run (OUT of `parallax scale run`) into the store in one transaction."""
    from parallax.scale import require_ray  # pyarrow comes with the same extra

    require_ray()
    _merge(out, db)


COMMANDS: list[click.Command] = [scale_group]
