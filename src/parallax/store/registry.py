"""The store's registry: sources (who publishes what), fetch state per URL, and readers' corrections."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, select, update

from parallax.errors import error
from parallax.store import schema as S
from parallax.store.engine import naive_utc
from parallax.text.hashing import sha_key

FETCH_FIELDS = ("etag", "last_modified", "status", "fetched_at", "content_hash", "article_id", "error")
SOURCE_FIELDS = ("name", "owner", "country", "lean", "reliability", "notes", "feed_url")


def domain_of(url_or_domain: str | None) -> str | None:
    """'https://www.Example.com/a' -> 'example.com'; 'Example.com' -> 'example.com'."""
    if not url_or_domain:
        return None
    s = url_or_domain.strip()
    host = urlsplit(s).hostname if "://" in s else s.split("/")[0].split(":")[0]
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _source_dict(r: Any) -> dict[str, Any]:
    out = {"domain": r.domain, **{k: getattr(r, k) for k in SOURCE_FIELDS}}
    out["extra"] = json.loads(r.extra_json) if r.extra_json else {}
    return out


class RegistryMixin:
    """Sources, fetch state and corrections (mixed into `parallax.store.Store`)."""

    # -- sources -------------------------------------------------------------------------------------------

    def upsert_source(self, domain: str, **fields: Any) -> dict[str, Any]:
        """Create or update a source by domain (name, owner, country, lean, reliability, notes, feed_url;
        other keys are kept in `extra`). Fields not given are left as they are; unknown stays None."""
        self.require_writable("change the source registry")
        d = domain_of(domain)
        if not d:
            raise error("PX302", str(domain), "not a domain")
        known = {k: v for k, v in fields.items() if k in SOURCE_FIELDS}
        extra = {k: v for k, v in fields.items() if k not in SOURCE_FIELDS}
        sc = S.sources.c
        now = S.utcnow()
        with self.engine.begin() as conn:
            row = conn.execute(select(S.sources).where(sc.domain == d)).first()
            if row is None:
                conn.execute(insert(S.sources).values(domain=d, created_at=now, updated_at=now,
                                                      extra_json=json.dumps(extra, default=str) if extra else None,
                                                      **known))
            else:
                values: dict[str, Any] = dict(known, updated_at=now)
                if extra:
                    values["extra_json"] = json.dumps({**json.loads(row.extra_json or "{}"), **extra}, default=str)
                conn.execute(update(S.sources).where(sc.domain == d).values(**values))
        out = self.source_for(d)
        assert out is not None
        return out

    def list_sources(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.sources).order_by(S.sources.c.domain)).all()
        return [_source_dict(r) for r in rows]

    def source_for(self, url_or_domain: str) -> dict[str, Any] | None:
        """The registry entry for a URL or domain (the closest parent domain that is registered), or None."""
        d = domain_of(url_or_domain)
        if not d:
            return None
        parts = d.split(".")
        candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)] or [d]
        with self.engine.connect() as conn:
            rows = {r.domain: r for r in conn.execute(select(S.sources).where(
                S.sources.c.domain.in_(candidates))).all()}
        for c in candidates:
            if c in rows:
                return _source_dict(rows[c])
        return None

    # -- fetch state ---------------------------------------------------------------------------------------

    def get_fetch_state(self, url: str) -> dict[str, Any] | None:
        """etag, last_modified, status, fetched_at (datetime, UTC), content_hash, article_id, error, extra."""
        with self.engine.connect() as conn:
            r = conn.execute(select(S.fetch_state).where(S.fetch_state.c.url_hash == sha_key(url))).first()
        if r is None:
            return None
        out = {k: getattr(r, k) for k in ("url", *FETCH_FIELDS)}
        out["extra"] = json.loads(r.extra_json) if r.extra_json else {}
        return out

    def set_fetch_state(self, url: str, **fields: Any) -> None:
        """Create or update the fetch state of a URL; unknown keys go to `extra`. fetched_at defaults to now."""
        self.require_writable("record fetch state")
        known = {k: v for k, v in fields.items() if k in FETCH_FIELDS}
        extra = {k: v for k, v in fields.items() if k not in FETCH_FIELDS and k != "extra"}
        extra.update(fields.get("extra") or {})
        if isinstance(known.get("fetched_at"), str):
            known["fetched_at"] = datetime.fromisoformat(known["fetched_at"])
        if isinstance(known.get("fetched_at"), datetime):
            known["fetched_at"] = naive_utc(known["fetched_at"])
        known.setdefault("fetched_at", S.utcnow())
        h = sha_key(url)
        fc = S.fetch_state.c
        with self.engine.begin() as conn:
            row = conn.execute(select(S.fetch_state).where(fc.url_hash == h)).first()
            if row is None:
                conn.execute(insert(S.fetch_state).values(url=url, url_hash=h, extra_json=json.dumps(extra, default=str)
                                                          if extra else None, **known))
            else:
                values: dict[str, Any] = dict(known)
                if extra:
                    values["extra_json"] = json.dumps({**json.loads(row.extra_json or "{}"), **extra}, default=str)
                conn.execute(update(S.fetch_state).where(fc.url_hash == h).values(**values))

    # -- corrections ---------------------------------------------------------------------------------------

    def add_correction(self, target_type: str, target_id: str, message: str, contact: str | None = None) -> int:
        """Record a reader's correction of a story, fact, article or source; returns its id."""
        self.require_writable("record a correction")
        if not message or not message.strip():
            raise error("PX302", f"{target_type} {target_id}", "a correction needs a message")
        with self.engine.begin() as conn:
            res = conn.execute(insert(S.corrections).values(
                target_type=target_type, target_id=str(target_id), message=message.strip(), contact=contact,
                created_at=S.utcnow(), resolved=False).returning(S.corrections.c.id))
            return int(res.scalar_one())

    def list_corrections(self, target_type: str | None = None, target_id: str | None = None) -> list[dict]:
        cc = S.corrections.c
        q = select(S.corrections).order_by(cc.id)
        if target_type:
            q = q.where(cc.target_type == target_type)
        if target_id:
            q = q.where(cc.target_id == str(target_id))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [{"id": r.id, "target_type": r.target_type, "target_id": r.target_id, "message": r.message,
                 "contact": r.contact, "created_at": r.created_at.replace(tzinfo=UTC).isoformat(timespec="seconds"),
                 "resolved": bool(r.resolved)} for r in rows]

