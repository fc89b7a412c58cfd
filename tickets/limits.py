"""Fixed-window counters in the cache: the portal's rate limits and the cap on confirmation
e-mails (tickets/notifications.py) both count with `over_limit`."""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)
UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/hour" -> (20, 3600)."""
    count, _, unit = rate.partition("/")
    return int(count), UNITS[unit.strip().lower()]


def over_limit(scope: str, key: str, rate: str) -> int | None:
    """Count one hit; seconds to wait if this key has gone over its rate in this window."""
    allowed, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    try:
        if hasattr(cache, "incr_counter"):  # Redis: one round trip
            hits = cache.incr_counter(cache_key, period + 1)
        elif cache.add(cache_key, 1, timeout=period + 1):
            hits = 1
        else:
            hits = cache.incr(cache_key)
    except Exception:  # noqa: BLE001  (an unreachable cache must not lock everyone out)
        logger.warning("Rate limit counter unavailable for %s", scope, exc_info=True)
        return None
    if hits <= allowed:
        return None
    return max(1, int((window + 1) * period - now))
