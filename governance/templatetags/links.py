"""``{% link 'name' arg ... %}``: a view's address as ``{% url 'name' arg ... %}`` gives it, reversed once
per process (and per URLconf and script prefix) for each name and arguments rather than on every render.

Issue 21: the menu and the dashboard reverse about twenty fixed names on every page, and the body page
as many addresses of bodies and procedures, some 0.3-0.9 ms a request for addresses that never change
while the process runs (no URL pattern here is translated, so the language does not change them).
Arguments are ids and acronyms; anything else is reversed on every call, as ``{% url %}`` would. The
URLconf and script prefix are read once per render (each read is a context-local lookup), not per link.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_ADDRESSING = object()  # the render context's key for (URLconf, script prefix)


@functools.lru_cache(maxsize=4096, typed=True)  # typed: 1 and True are different arguments
def _address(name: str, args: tuple, urlconf: str | None, prefix: str) -> str:
    # ``prefix`` is only part of the key: ``reverse`` reads this thread's script prefix itself.
    return reverse(name, args=args, urlconf=urlconf)


class LinkNode(template.Node):
    def __init__(self, name: template.base.FilterExpression, args: list[template.base.FilterExpression]):
        self.name, self.args = name, args

    def render(self, context) -> str:
        addressing = context.render_context.get(_ADDRESSING)
        if addressing is None:
            addressing = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
            context.render_context[_ADDRESSING] = addressing
        name = self.name.resolve(context)
        args = tuple(a.resolve(context) for a in self.args)
        if all(type(a) in (int, str) for a in args):
            url = _address(name, args, *addressing)
        else:
            url = reverse(name, args=args, urlconf=addressing[0])
        # As ``{% url %}`` writes it: escaped where the template escapes.
        return conditional_escape(url) if context.autoescape else url


@register.tag
def link(parser, token) -> LinkNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'link' takes the name of a view and its arguments")
    return LinkNode(parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]])
