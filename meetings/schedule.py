"""Celery beat entries of the meetings app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT: dict = {}
