"""``{% link 'name' %}``: the address of a view that takes no arguments, as ``{% url 'name' %}`` gives it,
reversed once per process (and per URLconf and script prefix) rather than on every render.

Issue 21: the menu and the dashboard reverse about twenty fixed names on every page, some 0.3 ms a
request for addresses that never change while the process runs. Names with arguments keep ``{% url %}``.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@functools.lru_cache(maxsize=512)
def _address(name: str, urlconf: str | None, prefix: str) -> str:
    # ``prefix`` is only part of the key: ``reverse`` reads this thread's script prefix itself.
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def link(name: str) -> str:
    """The view's address; ``simple_tag`` escapes it as ``{% url %}`` does."""
    return _address(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
