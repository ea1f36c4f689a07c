"""Logging filters of the project."""

from __future__ import annotations

import logging


class ForbiddenOneLine(logging.Filter):
    """Drop the traceback from a 403 on ``django.request``: "Forbidden (Permission denied): /path" says it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
