"""Celery beat entries of the outbox (merged into CELERY_BEAT_SCHEDULE by the settings).

Plain data (the settings import this module): the interval is read from the same environment variable as
``settings.NOTIFY_SWEEP_SECONDS``.
"""

import os

BEAT: dict = {
    "outbox-sweep": {
        "task": "outbox.tasks.sweep",
        "schedule": float(os.environ.get("NOTIFY_SWEEP_SECONDS", "120")),
        # A sweep that waited longer than one interval is replaced by the next one.
        "options": {"expires": float(os.environ.get("NOTIFY_SWEEP_SECONDS", "120"))},
    },
    # Orphans (a dead worker's row, a batch lost with the broker's queue) back within seconds.
    "outbox-hand-out": {
        "task": "outbox.tasks.hand_out",
        "schedule": float(os.environ.get("NOTIFY_HANDOUT_SECONDS", "10")),
        "options": {"expires": float(os.environ.get("NOTIFY_HANDOUT_SECONDS", "10"))},
    },
}
