"""Celery beat entries of the chairmanship app (merged into CELERY_BEAT_SCHEDULE by the settings).

Chair rights of terms starting or ending need no entry here: ``governance.tasks.rights_sync_due`` asks
``chairmanship.rights`` for them every hour.
"""

BEAT: dict = {
    # Plans handovers for terms starting soon, plans their 30/7-day reminders, completes due ones.
    "chairmanship-handovers": {"task": "chairmanship.tasks.handovers_sweep", "schedule": 600.0},
}
