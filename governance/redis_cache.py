"""Django's Redis cache, with one Redis client per connection pool rather than one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call, and each
construction fills a table of some 170 response callbacks: two session and cache reads a request spent
about 5% of a dashboard's time there (issue 21). The client holds no state of its own between commands
(connections come from the pool, which Django already keeps), so one per pool serves every call.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache``, same settings, one client per pool."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients

    def redis_client(self):
        """The Redis client writes go through, for what the cache API cannot say in one round trip (the
        API throttle's sorted set); keys made with ``make_and_validate_key``."""
        return self._cache.get_client(write=True)
