"""The Redis cache backend (``governance.redis_cache``): Django's, reading and writing as it does, with one
Redis client per connection pool instead of one per call."""

from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from governance.redis_cache import ReusedClientRedisCache


def test_one_client_per_pool_and_the_cache_reads_and_writes_as_djangos(require_redis):
    ours = ReusedClientRedisCache(require_redis, {"KEY_PREFIX": "test-reused-clients"})
    djangos = RedisCache(require_redis, {"KEY_PREFIX": "test-reused-clients"})
    first = ours._cache.get_client("k")
    assert ours._cache.get_client("other") is first
    assert ours._cache.get_client("k", write=True) is first  # one server: reads and writes share a pool
    ours.set("k", {"a": [1, "ü"]}, 30)
    assert djangos.get("k") == {"a": [1, "ü"]}
    djangos.set("n", 1, 30)
    assert ours.incr("n") == 2 and ours.get_many(["k", "n"]) == {"k": {"a": [1, "ü"]}, "n": 2}
    ours.delete_many(["k", "n"])
    assert djangos.get("k") is None


def test_the_settings_use_it_when_redis_is_configured(require_redis):
    assert settings.CACHES["default"]["BACKEND"] == "governance.redis_cache.ReusedClientRedisCache"
