"""The API's request throttle. Its own module: DRF imports it while it builds ``APIView`` (from
``DEFAULT_THROTTLE_CLASSES``), so it must not import DRF's views itself."""

from __future__ import annotations

import functools
import secrets

from django.conf import settings
from django.core.cache import caches
from rest_framework import throttling

from governance.redis_cache import ReusedClientRedisCache

# Drop the times that left the window; count what is left; let the request through (and record its time)
# when under the limit, else answer the oldest time still counted. One script: one round trip, atomic.
_SLIDING_WINDOW = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], window)
  return {1, ''}
end
return {0, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]}
"""


@functools.cache
def _sliding_window(backend: ReusedClientRedisCache):
    return backend.redis_client().register_script(_SLIDING_WINDOW)


class ApiUserThrottle(throttling.UserRateThrottle):
    """Requests per user (per address when anonymous) at ``settings.API_THROTTLE_RATE``, read on each
    request so a deployment (or a bench run) can change it; empty turns it off.

    The same sliding window as DRF's (a request counts if it was let through in the last ``duration``
    seconds; a refused one does not), kept on Redis as a sorted set of the requests' times and checked by
    one script in one round trip, where DRF reads and writes back the whole list of times (two round trips
    and up to 1,200 times pickled each way). On any other cache (the embedded default), DRF's own."""

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATE", None) or None

    def allow_request(self, request, view):
        self._oldest = None
        backend = caches["default"]  # ``self.cache`` is the proxy to it
        if self.rate is None or not isinstance(backend, ReusedClientRedisCache):
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        allowed, oldest = _sliding_window(backend)(
            keys=[backend.make_and_validate_key(self.key)],
            # The member is unique: two requests in the same microsecond both count.
            args=[repr(self.now), self.duration, self.num_requests, f"{self.now!r}:{secrets.token_hex(4)}"],
        )
        if allowed:
            return True
        self._oldest = float(oldest)
        return self.throttle_failure()

    def wait(self):
        if self._oldest is None:
            return super().wait()
        return max(0.0, self.duration - (self.now - self._oldest))
