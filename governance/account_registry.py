"""What the account lifecycle learns from the apps above governance, registered from their ``ready()``:

- reasons a login stays active although its person's memberships have all ended (a chair term running or to
  come): each reason gives, for a day, a queryset correlated to the user by ``OuterRef("pk")``;
- secrets that work without a login and die with it (signed RSVP links): each revoker takes the user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import QuerySet

ActiveReason = Callable[[dt.date], QuerySet]
SecretRevoker = Callable[[object], None]

ACTIVE_REASONS: list[ActiveReason] = []
SECRET_REVOKERS: list[SecretRevoker] = []


def register_active_reason(reason: ActiveReason) -> None:
    if reason not in ACTIVE_REASONS:
        ACTIVE_REASONS.append(reason)


def register_secret_revoker(revoker: SecretRevoker) -> None:
    if revoker not in SECRET_REVOKERS:
        SECRET_REVOKERS.append(revoker)
