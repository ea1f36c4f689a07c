"""The audit trail, for the Secretariat: the audit log page and one object's full history.

Anyone else logged in gets a 403 on the log (the page exists, they may not read it) and a 404 on an object's
history (whether the object exists is not theirs to learn).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from governance.audit import object_history, recent_changes, tracked_models
from governance.models import AuditEvent
from governance.permissions import is_secretariat

PAGE_SIZE = 50


@login_required
def audit_log(request):
    if not is_secretariat(request.user):
        raise PermissionDenied("The audit log is for the Secretariat.")
    models_by_label = {m._meta.label_lower: m for m in tracked_models()}
    tab = "changes" if request.GET.get("tab") == "changes" else "events"
    context = {"tab": tab, "models": sorted(models_by_label), "filters": request.GET}
    if tab == "events":
        events = AuditEvent.objects.select_related("actor")
        if action := request.GET.get("action"):
            events = events.filter(action=action)
        if actor := request.GET.get("actor"):
            events = events.filter(actor__username=actor)
        if object_type := request.GET.get("object_type"):
            events = events.filter(object_type=object_type)
        if q := request.GET.get("q"):
            events = events.filter(summary__icontains=q)
        context["page"] = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        context["actions"] = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    else:
        model = models_by_label.get(request.GET.get("model", ""))
        context["model"] = model._meta.label_lower if model else ""
        context["entries"] = recent_changes(model=model, limit=100)
    return render(request, "governance/audit.html", context)


@login_required
def object_history_page(request, label: str, pk: int):
    if not is_secretariat(request.user):
        raise Http404("Not found")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404("Not found") from None
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        # A deleted object keeps its history: read it through an unsaved stand-in with the same key.
        history = getattr(model, "history", None)
        if history is None or not history.filter(id=pk).exists():
            raise Http404("Not found")
        obj = model(pk=pk)
    return render(
        request,
        "governance/object_history.html",
        {
            "object": obj,
            "label": label,
            "exists": obj._state.adding is False,
            "entries": object_history(obj, limit=500),
        },
    )
