"""The API throttle on Redis (``governance.api_throttle``): DRF's sliding window, kept as a sorted set and
checked in one round trip. A request counts if it was let through within the window; a refused one does
not; the wait it gives is the time until the oldest counted request leaves the window."""

from types import SimpleNamespace

import pytest
from django.core.cache import caches
from rest_framework.throttling import UserRateThrottle

from governance.api_throttle import ApiUserThrottle

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _throttle(clock: Clock, throttle_class=ApiUserThrottle):
    throttle = throttle_class()
    throttle.timer = clock
    return throttle


def _ask(throttle_class, clock: Clock, user_pk: int) -> tuple[bool, float | None]:
    throttle = _throttle(clock, throttle_class)
    request = SimpleNamespace(user=SimpleNamespace(pk=user_pk, is_authenticated=True), META={})
    allowed = throttle.allow_request(request, None)
    return allowed, None if allowed else throttle.wait()


@pytest.mark.parametrize("throttle_class", [ApiUserThrottle, UserRateThrottle])
def test_the_window_slides_as_drfs_does(require_redis, settings, throttle_class):
    """The same answers from ours on Redis and from DRF's own, step by step."""
    settings.API_THROTTLE_RATE = "3/minute"
    if throttle_class is UserRateThrottle:
        throttle_class = type("Drf", (UserRateThrottle,), {"rate": "3/minute"})
    user_pk = 987_001 if throttle_class is ApiUserThrottle else 987_002
    caches["default"].delete(f"throttle_user_{user_pk}")
    clock = Clock(1_000_000.0)
    answers = []
    for at in (0, 10, 20, 30, 59, 61, 65, 71, 72):  # seconds after the first request
        clock.now = 1_000_000.0 + at
        answers.append(_ask(throttle_class, clock, user_pk))
    caches["default"].delete(f"throttle_user_{user_pk}")
    assert answers == [
        (True, None),
        (True, None),
        (True, None),
        (False, 30.0),  # full until the request at 0 leaves the window at 60
        (False, 1.0),
        (True, None),  # the one at 0 has left; the refused ones at 30 and 59 never counted
        (False, 5.0),  # 10, 20 and 61 count now
        (True, None),  # 10 left at 70
        (False, 8.0),
    ]


def test_it_keeps_a_sorted_set_on_redis_and_the_rate_can_be_turned_off(require_redis, settings):
    settings.API_THROTTLE_RATE = "2/second"
    cache = caches["default"]
    cache.delete("throttle_user_987003")
    clock = Clock(2_000_000.0)
    assert [_ask(ApiUserThrottle, clock, 987_003)[0] for _ in range(3)] == [True, True, False]
    key = cache.make_and_validate_key("throttle_user_987003")
    client = cache.redis_client()
    assert client.type(key) in (b"zset", "zset") and client.zcard(key) == 2
    assert 0 < client.ttl(key) <= 1
    settings.API_THROTTLE_RATE = ""
    assert _ask(ApiUserThrottle, clock, 987_003) == (True, None)
    cache.delete("throttle_user_987003")
