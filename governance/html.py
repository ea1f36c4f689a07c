"""Escaping for the pages' rows written in Python (``*_rows.py``)."""

from __future__ import annotations

import html
from typing import Any

from django.utils.functional import Promise


def esc(value: Any) -> str:
    """``django.utils.html.conditional_escape``'s answer for every value, without the lazy-string wrappers
    around ``escape`` that cost more than the escaping itself: a dashboard escapes some 230 values a
    request (issue 21). ``tests/governance/test_html.py`` holds the two side by side."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
