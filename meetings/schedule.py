"""Celery beat entries of the meetings app (merged into CELERY_BEAT_SCHEDULE by the settings): plain data.

Written procedures are closed by the outbox's sweep (a registered step, ``meetings.procedure_messages``);
meeting packs are prepared here, apart from the outbox's sweep, so a long build never delays mail.
"""

BEAT: dict = {
    # Queues the build of each missing pack of the meetings coming up (meetings/pack_tasks.py).
    "meetings-packs": {
        "task": "meetings.pack_tasks.packs_sweep",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
}
