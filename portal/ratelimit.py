"""Rate limits on the forms anyone can post, per client address and per account.

A middleware, so that the apps' views stay unaware of it: the limited views are named in
settings.RATE_LIMITS by URL name. Counters live in the cache (fixed windows); if the cache is
unreachable the request goes through, because refusing every customer is worse than letting
a burst pass. The API's throttles (portal/throttling.py) use the same counter and address.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)
# Every page that signs people in: besides its own limit per address, they share one limit per
# account, so that guessing one account's password from many addresses is bounded too.
SIGN_IN_VIEWS = ("login", "wagtailadmin_login", "admin:login")
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


def client_address(request) -> str:
    if settings.RATE_LIMIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


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


def _sign_in_account_over_limit(request) -> int | None:
    username = request.POST.get("username", "").strip().lower()
    if not username:
        return None
    # Hashed: a key of fixed length and characters, whatever was typed.
    account = hashlib.sha256(username.encode()).hexdigest()
    return over_limit("sign-in-account", account, settings.RATE_LIMIT_SIGN_IN_ACCOUNT)


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        rate = settings.RATE_LIMITS.get(request.resolver_match.view_name)
        if not rate:
            return None
        keys = [f"ip:{client_address(request)}"]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            keys.append(f"user:{user.pk}")
        view_name = request.resolver_match.view_name
        waits = [over_limit(view_name, key, rate) for key in keys]
        if view_name in SIGN_IN_VIEWS:
            waits.append(_sign_in_account_over_limit(request))
        wait = max((w for w in waits if w), default=None)
        if wait is None:
            return None
        response = HttpResponse(
            render_to_string("429.html", {"retry_after": wait}, request=request), status=429
        )
        response["Retry-After"] = str(wait)
        return response
