"""The API's request throttle. Its own module: DRF imports it while it builds ``APIView`` (from
``DEFAULT_THROTTLE_CLASSES``), so it must not import DRF's views itself."""

from __future__ import annotations

from django.conf import settings
from rest_framework import throttling


class ApiUserThrottle(throttling.UserRateThrottle):
    """Requests per user (per address when anonymous) at ``settings.API_THROTTLE_RATE``, read on each
    request so a deployment (or a bench run) can change it; empty turns it off."""

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATE", None) or None
