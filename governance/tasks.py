"""Thin Celery tasks of the governance app: each parses its arguments and calls one rule function.

"Now" and "on" come as ISO strings (a worker in a test takes them as arguments rather than a frozen clock).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from governance.rights import sync_rights_due


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rights_sync_due(now: str | None = None) -> int:
    """Hourly, the one time-driven rights job: re-derive the rights of people whose memberships or chair
    terms start or end about now."""
    return sync_rights_due(now=dt.datetime.fromisoformat(now) if now else None)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def accounts_deactivate_lapsed(on: str | None = None) -> list[str]:
    """Daily: deactivate the users whose last membership has ended."""
    from governance.accounts import deactivate_lapsed_accounts

    return deactivate_lapsed_accounts(on=dt.date.fromisoformat(on) if on else None)
