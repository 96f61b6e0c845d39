"""Times as people read them: in their school's time zone (the directory's
`Organization.timezone`), never in UTC. The instant stays the same; only the wall clock
it is written in changes, so a converted datetime still compares with any other."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

DEFAULT_ZONE = "Europe/Moscow"  # Organization.timezone's default; people without a school


@cache
def zone(name: str | None) -> tzinfo:
    """The IANA zone `name`; the default one for None or a name nobody knows."""
    if not name:
        return ZoneInfo(DEFAULT_ZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r, using %s", name, DEFAULT_ZONE)
        return ZoneInfo(DEFAULT_ZONE)


def local(moment: datetime, zone_name: str | None) -> datetime:
    """The same instant on the wall clock of `zone_name`."""
    return moment.astimezone(zone(zone_name))
