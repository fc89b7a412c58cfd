"""The API's rate limits (DRF throttles) on the form limiter's counter and client address.

DRF's own throttles keep a list of timestamps that each request reads, appends to and writes
back: parallel requests read the same list and all get through. They also take the client's
address from X-Forwarded-For whenever NUM_PROXIES is unset, so a client that rotates the
header is never limited. This throttle counts with portal/ratelimit.py's atomic counter
(cache.add + cache.incr) and asks it for the address (forwarded headers only when configured).
"""

from rest_framework.throttling import ScopedRateThrottle

from portal.ratelimit import client_address
from tickets.limits import over_limit


class AtomicScopedRateThrottle(ScopedRateThrottle):
    """A view's `throttle_scope` rate, per account when signed in, else per client address."""

    def get_ident(self, request) -> str:
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True  # a view without a scope is not limited
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        user = request.user
        signed_in = user is not None and user.is_authenticated
        key = f"user:{user.pk}" if signed_in else f"ip:{self.get_ident(request)}"
        self._wait = over_limit(f"api:{self.scope}", key, self.rate)
        return self._wait is None

    def wait(self) -> int | None:
        return self._wait
