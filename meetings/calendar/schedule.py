"""Celery beat entries of the calendar side (merged into CELERY_BEAT_SCHEDULE by the settings). Plain data."""

import os

BEAT: dict = {
    # Overdue action items chased once per interval (meetings/calendar/action_chase.py); idempotent.
    "action-items-chase": {
        "task": "meetings.calendar.tasks.action_items_chase",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    # The organizer mailbox: Accept/Decline pressed in Outlook, Gmail or Apple Mail (off without a mailbox).
    "itip-inbox": {
        "task": "meetings.calendar.tasks.read_itip_inbox",
        "schedule": float(os.environ.get("ITIP_IMAP_SECONDS", "60")),
        "options": {"expires": float(os.environ.get("ITIP_IMAP_SECONDS", "60"))},
    },
}
