"""``{% object_history obj as history %}``: the audit trail of an object, for the Secretariat only (None for
anyone else, so the ``governance/_history.html`` include renders nothing)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from governance.audit import object_history as _object_history
from governance.permissions import is_secretariat

register = template.Library()


@register.simple_tag(takes_context=True)
def object_history(context, obj, limit: int = 50):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if obj is None or getattr(obj, "pk", None) is None or not is_secretariat(user):
        return None
    return _object_history(obj, limit=limit)


@register.simple_tag
def history_url(obj) -> str:
    return reverse("governance:object_history", args=[obj._meta.label_lower, obj.pk])
