"""Celery beat entries of the governance app (merged into CELERY_BEAT_SCHEDULE by the settings).

Times are UTC (CELERY_TIMEZONE). The hourly rights sweep catches a term or membership that starts or ends
at local midnight in any body's handover zone; the daily full resync and the account sweep run just after
midnight in Jakarta (17:00 UTC).
"""

from celery.schedules import crontab

BEAT: dict = {
    "governance-rights-due": {"task": "governance.tasks.rights_sync_due", "schedule": crontab(minute=5)},
    "governance-rights-all": {
        "task": "governance.tasks.rights_sync_all",
        "schedule": crontab(hour=17, minute=20),
    },
    "governance-deactivate-lapsed": {
        "task": "governance.tasks.accounts_deactivate_lapsed",
        "schedule": crontab(hour=17, minute=40),
    },
}
