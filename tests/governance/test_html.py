"""``governance.html.esc`` answers as Django's ``conditional_escape`` does, value for value."""

import datetime as dt

from django.utils.functional import lazy
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from governance.html import esc


class _Markup:
    def __html__(self) -> str:
        return "<b>already markup</b>"

    def __str__(self) -> str:
        return "<b>plain</b>"


def test_esc_is_conditional_escape():
    values = [
        "",
        "plain",
        "Lao PDR & Viet Nam <ACCMSME> \"quoted\" 'single'",
        "Hà Nội · Bandar Seri Begawan",
        "&amp; already an entity",
        mark_safe("<em>safe</em>"),
        SafeString("<i>x</i>"),
        lazy(lambda: "<lazy & text>", str)(),
        lazy(lambda: mark_safe("<lazy safe>"), str)(),
        _Markup(),
        0,
        42,
        None,
        dt.date(2026, 5, 13),
        ["<list>"],
    ]
    for value in values:
        assert esc(value) == conditional_escape(value), value
