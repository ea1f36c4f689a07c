"""Thin Celery tasks of the governance app: each calls one rule function, which reads the clock."""

from __future__ import annotations

from celery import shared_task

from governance.rights import sync_rights_due


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rights_sync_due() -> int:
    """Hourly, the one time-driven rights job: re-derive the rights of people whose memberships or chair
    terms start or end about now."""
    return sync_rights_due()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def accounts_deactivate_lapsed() -> list[str]:
    """Daily: deactivate the users whose last membership has ended."""
    from governance.accounts import deactivate_lapsed_accounts

    return deactivate_lapsed_accounts()
