"""Celery beat entries of the chairmanship app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT: dict = {}
