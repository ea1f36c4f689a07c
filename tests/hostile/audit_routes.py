"""Which named URLs change state: every pattern of the URL configuration, pages and API, with the write
methods its view accepts. Used by the audit-trail table (tests/hostile/test_audit_trail.py) to fail when
a route that changes state has no row."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

WRITES = ("post", "put", "patch", "delete")


def _patterns(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str | None, object]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}".strip(":") if p.name else None
            yield prefix + str(p.pattern), name, p.callback


def _declared_methods(view) -> list[str] | None:
    """The methods ``require_http_methods``/``require_POST`` let through, if a decorator says so."""
    layer = view
    while layer is not None:
        for cell in layer.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, list) and value and all(isinstance(m, str) and m.isupper() for m in value):
                return [m.lower() for m in value]
        layer = getattr(layer, "__wrapped__", None)
    return None


def write_methods(view) -> list[str]:
    """The write methods a view answers: a viewset's action map, a class view's handlers, a function
    view's method decorator, or (a function view without one) whether it reads a POST at all."""
    actions = getattr(view, "actions", None)
    if actions is not None:
        return sorted(m for m in actions if m in WRITES)
    cls = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if cls is not None:
        return [m for m in WRITES if m in cls.http_method_names and hasattr(cls, m)]
    declared = _declared_methods(view)
    if declared is not None:
        return sorted(m for m in declared if m in WRITES)
    source = inspect.getsource(inspect.unwrap(view))
    return ["post"] if re.search(r"POST|confirm_then|request\.method", source) else []


def state_changing_routes() -> dict[tuple[str, str], str]:
    """(URL name, method) -> route, for every named URL outside the admin whose view takes a write."""
    found: dict[tuple[str, str], str] = {}
    for route, name, view in _patterns(get_resolver().url_patterns):
        if name is None or name.startswith("admin:"):
            continue
        for method in write_methods(view):
            found.setdefault((name, method), route)
    return found
