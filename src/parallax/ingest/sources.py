"""The source registry's files: read CSV / TOML into rows, write rows back out, apply rows to a store.

Every value is the user's: nothing is looked up or guessed, and an empty cell stays unknown (None).
Columns: domain (required), name, owner, country, lean, reliability, notes, feed_url. Any other column
is refused, so a typo ("realiability") is not silently dropped.

CSV: a header row, then one source a row. TOML, either form:

    [[source]]                       # or [[sources]]
    domain = "harbourgazette.example"
    name = "Harbour Gazette"

    [sources."harbourgazette.example"]
    name = "Harbour Gazette"
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FIELDS = ("name", "owner", "country", "lean", "reliability", "notes", "feed_url")
COLUMNS = ("domain", *FIELDS)


class SourceFileError(ValueError):
    """A registry file that cannot be imported (names the file and the row)."""


@dataclass(slots=True)
class ImportResult:
    added: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def normalise_domain(value: str) -> str:
    """'https://www.Example.org/x' -> 'www.example.org'; the store decides how it matches parents."""
    s = value.strip()
    host = urlsplit(s).hostname if "://" in s else s.split("/")[0].rsplit("@", 1)[-1].split(":")[0]
    host = (host or "").strip().rstrip(".").lower()
    if not host or " " in host or ("." not in host and host != "localhost"):
        raise ValueError(f"not a domain: {value!r}")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"not a domain: {value!r}") from exc
    return host


def _row(raw: dict[str, Any], where: str) -> dict[str, Any]:
    keys = {str(k).strip().lower(): v for k, v in raw.items() if k is not None}
    unknown = sorted(set(keys) - set(COLUMNS))
    if unknown:
        raise SourceFileError(f"{where}: unknown column(s) {', '.join(unknown)}; allowed: {', '.join(COLUMNS)}")
    dom = keys.get("domain")
    if not isinstance(dom, str) or not dom.strip():
        raise SourceFileError(f"{where}: no domain")
    try:
        out: dict[str, Any] = {"domain": normalise_domain(dom)}
    except ValueError as exc:
        raise SourceFileError(f"{where}: {exc}") from exc
    for f in FIELDS:
        v = keys.get(f)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise SourceFileError(f"{where}: {f} must be text or a number, not {type(v).__name__}")
        v = str(v).strip()
        if v:
            out[f] = v  # empty stays unknown: not written, so an import never blanks a known value
    return out


def read_csv(text: str, name: str = "<csv>", *, delimiter: str = ",") -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    if not reader.fieldnames or "domain" not in [f.strip().lower() for f in reader.fieldnames if f]:
        raise SourceFileError(f"{name}: the first row must be a header with a `domain` column")
    rows = []
    for n, raw in enumerate(reader, 2):
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        if None in raw:
            raise SourceFileError(f"{name}:{n}: more cells than header columns")
        rows.append(_row(raw, f"{name}:{n}"))
    return rows


def read_toml(text: str, name: str = "<toml>") -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceFileError(f"{name}: not valid TOML ({exc})") from exc
    rows: list[dict[str, Any]] = []
    extra = sorted(set(data) - {"source", "sources"})
    if extra:
        raise SourceFileError(f"{name}: unknown table(s) {', '.join(extra)}; use [[source]] or [sources.\"domain\"]")
    for key in ("source", "sources"):
        block = data.get(key)
        if block is None:
            continue
        if isinstance(block, list):
            for n, raw in enumerate(block, 1):
                if not isinstance(raw, dict):
                    raise SourceFileError(f"{name}: [[{key}]] #{n} is not a table")
                rows.append(_row(raw, f"{name}: [[{key}]] #{n}"))
        elif isinstance(block, dict):
            for dom, raw in block.items():
                if not isinstance(raw, dict):
                    raise SourceFileError(f"{name}: [{key}.{dom!r}] is not a table")
                if "domain" in raw and normalise_domain(str(raw["domain"])) != normalise_domain(dom):
                    raise SourceFileError(f"{name}: [{key}.{dom!r}] has a different domain {raw['domain']!r}")
                rows.append(_row({**raw, "domain": dom}, f"{name}: [{key}.{dom!r}]"))
        else:
            raise SourceFileError(f"{name}: `{key}` must be an array of tables or a table")
    return rows


def read_sources(path: str | Path) -> list[dict[str, Any]]:
    """Rows from a .csv or .toml file (by extension; .tsv is read as tab-separated CSV)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceFileError(f"{p}: cannot read ({exc})") from exc
    suffix = p.suffix.lower()
    if suffix == ".toml":
        return read_toml(text, str(p))
    if suffix == ".csv":
        return read_csv(text, str(p))
    if suffix == ".tsv":
        return _read_tsv(text, str(p))
    raise SourceFileError(f"{p}: use a .csv or .toml file")


def _read_tsv(text: str, name: str) -> list[dict[str, Any]]:
    return read_csv(text, name, delimiter="\t")


def import_sources(store: Any, rows: Iterable[dict[str, Any]]) -> ImportResult:
    """Upsert rows into the store's registry (all rows are validated first by the readers)."""
    res = ImportResult()
    known = {s["domain"] for s in store.list_sources()}
    for r in rows:
        fields = {k: v for k, v in r.items() if k != "domain"}
        saved = store.upsert_source(r["domain"], **fields)
        if saved["domain"] in known:
            res.updated += 1
        else:
            res.added += 1
            known.add(saved["domain"])
    return res


def _cell(v: Any) -> str:
    return "" if v is None else str(v)


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in COLUMNS])
    return buf.getvalue()


def to_toml(rows: Iterable[dict[str, Any]]) -> str:
    out = []
    for r in rows:
        out.append("[[source]]")
        for c in COLUMNS:
            v = r.get(c)
            if v not in (None, ""):
                out.append(f"{c} = {json.dumps(str(v), ensure_ascii=False)}")
        out.append("")
    return "\n".join(out)
