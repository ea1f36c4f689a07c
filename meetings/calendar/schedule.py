"""Celery beat entries of the calendar side (merged into CELERY_BEAT_SCHEDULE by the settings). Plain data."""

import os

BEAT: dict = {
    # The organizer mailbox: Accept/Decline pressed in Outlook, Gmail or Apple Mail (off without a mailbox).
    "itip-inbox": {
        "task": "meetings.calendar.tasks.read_itip_inbox",
        "schedule": float(os.environ.get("ITIP_IMAP_SECONDS", "60")),
        "options": {"expires": float(os.environ.get("ITIP_IMAP_SECONDS", "60"))},
    },
}
