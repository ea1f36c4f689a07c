"""Celery beat entries of the chairmanship app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from celery.schedules import crontab

BEAT: dict = {
    # Plans handovers for terms starting soon, plans their 30/7-day reminders, completes due ones.
    "chairmanship-handovers": {"task": "chairmanship.tasks.handovers_sweep", "schedule": 600.0},
    # Just after midnight in Jakarta (17:05 UTC; CELERY_TIMEZONE is UTC): rights of terms starting/ending.
    "chairmanship-rights-daily": {
        "task": "chairmanship.tasks.chair_rights_daily",
        "schedule": crontab(hour=17, minute=5),
    },
}
