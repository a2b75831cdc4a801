"""Dates and times: the one parser of days and the one formatter of instants used across Parallax.

Stored times are naive UTC; everything shown or exchanged is ISO 8601 with an explicit offset or "Z".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any


def parse_day(value: Any) -> date | None:
    """The date of an ISO 8601 date or datetime (string, date or datetime), or None when there is none."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def parse_instant(value: Any) -> datetime | None:
    """An aware datetime (UTC when the value has no offset) from a datetime or an ISO 8601 string, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        try:
            dt = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def iso_utc(value: Any, *, z: bool = True) -> str | None:
    """An instant as ISO 8601 in UTC to the second ("2026-03-10T08:00:00Z", or "+00:00" with z=False)."""
    dt = parse_instant(value)
    if dt is None:
        return None
    out = dt.astimezone(UTC).isoformat(timespec="seconds")
    return out.replace("+00:00", "Z") if z else out


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """'2026-03-10', '2026-03-10T08:00', or relative: '12h', '3d', '2w' ago -> naive UTC; ValueError otherwise."""
    if not value:
        return None
    m = re.fullmatch(r"\s*(\d{1,6})\s*([hdw])\s*", value)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        delta = {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
        try:
            return now - delta
        except OverflowError:
            return datetime.min
    dt = datetime.fromisoformat(value.strip())
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt
