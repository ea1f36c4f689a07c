"""Celery beat entries of the governance app (merged into CELERY_BEAT_SCHEDULE by the settings).

Times are UTC (CELERY_TIMEZONE). The hourly rights job is the one time-driven way rights change: it catches
every membership and chair term that starts or ends at local midnight in any body's handover zone (writes
bring rights in line themselves). The account sweep runs just after midnight in Jakarta (17:40 UTC).
"""

from celery.schedules import crontab

BEAT: dict = {
    "governance-rights-due": {"task": "governance.tasks.rights_sync_due", "schedule": crontab(minute=5)},
    "governance-deactivate-lapsed": {
        "task": "governance.tasks.accounts_deactivate_lapsed",
        "schedule": crontab(hour=17, minute=40),
    },
}
