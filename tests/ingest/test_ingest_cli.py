"""`parallax ingest`, `parallax watch` and `parallax sources` through click (local server, temp SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from parallax.cli import main

FAST = ["--allow-private", "--rate", "0", "--retries", "0", "--timeout", "2", "--no-progress"]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "desk.db")


def run(*args: str) -> object:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_ingest_feed_and_summary(site, db) -> None:
    r = run("ingest", site.url("/feed.xml"), site.url("/missing"), *FAST, "--db", db)
    assert r.exit_code == 1, r.output  # one input failed
    assert "ingest: 3 new, 0 duplicate, 0 unchanged, 1 failed" in r.stderr
    assert f"PX404 {site.url('/missing')}: HTTP error (HTTP 404 Not Found)" in r.stderr
    r = run("ingest", site.url("/feed.xml"), *FAST, "--db", db, "--json", "--strict")
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    assert (d["new"], d["unchanged"], d["failed"]) == (0, 3, 0)


def test_ingest_strict_and_private_refusal(site, db) -> None:
    r = run("ingest", site.url("/feed.xml"), "--db", db, "--rate", "0", "--strict", "--no-progress")
    assert r.exit_code == 2  # its only input failed: nothing could be done
    assert "PX402" in r.stderr and "--allow-private" in r.stderr
    assert site.paths() == []


def test_ingest_bad_network_option(db) -> None:
    r = CliRunner().invoke(main, ["ingest", "x", "--allow-network", "not-a-cidr", "--db", db])
    assert r.exit_code == 2 and "not a network" in r.output


def test_watch_once(site, db) -> None:
    r = run("watch", site.url("/feed-etag.xml"), "--once", *FAST, "--db", db)
    assert r.exit_code == 0, r.output
    assert "round 1: 3 new" in r.stderr and "watch done: 3 new" in r.stderr
    r = run("watch", site.url("/feed-etag.xml"), "--once", *FAST, "--db", db)
    assert "round 1: 0 new, 0 duplicate, 1 unchanged" in r.stderr
    r = CliRunner().invoke(main, ["watch", "not-a-url", "--once", "--db", db])
    assert r.exit_code == 2 and "PX401" in r.output


def test_sources_add_list_import_export(db, tmp_path: Path) -> None:
    r = run("sources", "add", "https://www.courier.example/news", "--name", "Kestrel Bay Courier",
            "--country", "GB", "--db", db)
    assert r.exit_code == 0, r.output
    csv_file = tmp_path / "reg.csv"
    csv_file.write_text("domain,name,owner,lean,reliability\n"
                        "islander.example,The Islander,Tarn Media,,\n"
                        "courier.example,,Skerry Media,,\n")
    toml_file = tmp_path / "reg.toml"
    toml_file.write_text('[sources."gull.example"]\nname = "The Gull"\nreliability = "mixed"\n')
    r = run("sources", "import", str(csv_file), str(toml_file), "--db", db)
    assert r.exit_code == 0 and "imported 3 sources: 2 added, 1 updated" in r.stdout
    r = run("sources", "list", "--format", "json", "--db", db)
    rows = {x["domain"]: x for x in json.loads(r.stdout)}
    assert rows["courier.example"]["name"] == "Kestrel Bay Courier"  # an empty cell did not blank it
    assert rows["courier.example"]["owner"] == "Skerry Media"
    assert rows["islander.example"]["lean"] is None  # unknown stays unknown
    assert rows["gull.example"]["reliability"] == "mixed"
    table = run("sources", "list", "--db", db).stdout
    assert "Kestrel Bay Courier" in table and "-" in table
    out = tmp_path / "out.toml"
    assert run("sources", "export", str(out), "--db", db).exit_code == 0
    assert 'name = "The Gull"' in out.read_text()


def test_sources_import_refuses_bad_files(db, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("domain,name,realiability\na.example,A,high\n")
    r = CliRunner().invoke(main, ["sources", "import", str(bad), "--db", db])
    assert r.exit_code == 2 and "unknown column(s) realiability" in r.output
    assert not Path(db).exists()  # checked before anything was opened, let alone written
    listed = run("sources", "list", "--format", "json", "--db", db)  # a read-only command creates nothing
    assert listed.exit_code == 2 and "PX507" in listed.stderr and not Path(db).exists()


def test_ingest_of_only_missing_or_unreadable_inputs_exits_2(db, tmp_path: Path) -> None:
    """Nothing could be done, as `brief` of no readable input (docs/ERRORS.md): status 2, not 1."""
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    r = CliRunner().invoke(main, ["ingest", str(tmp_path / "nowhere.txt"), str(empty), "--db", db, "--no-progress"])
    assert r.exit_code == 2, r.output
    assert "PX101" in r.stderr and "PX102" in r.stderr and "Traceback" not in r.output
