"""Rate limits on the forms anyone can post, per client address and per account.

A middleware, so that the apps' views stay unaware of it: the limited views are named in
settings.RATE_LIMITS by URL name. Counters live in the cache (fixed windows,
tickets/limits.py); if the cache is unreachable the request goes through, because refusing
every customer is worse than letting a burst pass. The API's throttles (portal/throttling.py)
use the same counter and address.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from tickets.limits import over_limit

# Every page that signs people in: besides its own limit per address, they share one limit per
# account, so that guessing one account's password from many addresses is bounded too.
SIGN_IN_VIEWS = ("login", "wagtailadmin_login", "admin:login")


def client_address(request) -> str:
    if settings.RATE_LIMIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


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
