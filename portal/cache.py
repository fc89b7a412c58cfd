"""Redis as a cache that an outage turns into misses, not errors.

Everything the portal keeps in the cache can be lost: throttle and rate-limit counters (they
fail open for the outage), the widget's allowed origins (read again from the database),
index-build debouncing (every process may ask for a build). So while Redis is unreachable a
read misses and a write is dropped, and customers keep being served; Django's own RedisCache
would raise on every call instead.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 10.0  # one line per process per interval, not one per request
_warned_at = float("-inf")


def _warn(operation: str, error: Exception) -> None:
    global _warned_at
    now = time.monotonic()
    if now - _warned_at >= WARN_EVERY_SECONDS:
        _warned_at = now
        logger.warning("Cache unavailable (%s on %s); serving without it", error, operation)


class ForgivingRedisCache(RedisCache):
    @staticmethod
    def _forgiving(fallback, call, *args):
        """What `call(*args)` returns, or `fallback` while Redis cannot be reached."""
        try:
            return call(*args)
        except RedisError as error:
            _warn(call.__name__, error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._forgiving(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._forgiving({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._forgiving(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Our callers use add() to debounce work (asking for an index build) or to start a
        # count; through an outage they should go ahead, as throttles do.
        return self._forgiving(True, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forgiving(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # On failure, every key is one that was not stored.
        return self._forgiving(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgiving(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._forgiving(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._forgiving(None, super().delete_many, keys, version)

    def incr_counter(self, key, timeout, version=None) -> int:
        """One more hit on a counter that expires `timeout` seconds after its first hit.

        One round trip (SET NX EX, then INCR, pipelined) where add() then incr() take three:
        the rate limiters count every POST while customers type. Raises while Redis is
        unreachable; the limiters let the request through.
        """
        key = self.make_and_validate_key(key, version=version)
        pipeline = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipeline.set(key, 0, ex=timeout, nx=True)
        pipeline.incr(key)
        return pipeline.execute()[1]
