"""The Secretariat's Outbox page: a health banner (mail servers paused, messages overdue, possibly
delivered twice), every message with its status and what it is about, the messages the file backend
wrote, and "send again" for one failed message or all of them."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from outbox.backends import FILE_RE, outbox_dir, outbox_messages
from outbox.health import delivery_health, failed_retry, held_decide
from outbox.models import Message
from outbox.registry import (
    About,
    kind_choices,
    kind_spec,
    may_read_page,
    operator_acted,
    page_filters,
    page_panels,
)
from outbox.tasks import dispatch


def _require_reader(request) -> None:
    if not may_read_page(request.user):
        raise PermissionDenied("The outbox is the Secretariat's.")


def _describe(rows: list[Message]) -> None:
    """Each row's ``about``, asked of its kind's owner once per kind for the page."""
    by_kind: dict[str, list[Message]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    for kind, kind_rows in by_kind.items():
        spec = kind_spec(kind)
        about = spec.describe(kind_rows) if spec and spec.describe else {}
        for row in kind_rows:
            row.about = about.get(row.pk) or About(title="")


@login_required
def outbox(request):
    _require_reader(request)
    qs = Message.objects.order_by("-due_at", "-pk")
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    kinds = kind_choices()
    if status in Message.Status.values:
        qs = qs.filter(status=status)
    if kind in dict(kinds):
        qs = qs.filter(kind=kind)
    for name, narrow in page_filters().items():
        if request.GET.get(name):
            qs = narrow(qs, request.GET[name])
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    _describe(list(page.object_list))
    counts = {s: 0 for s in Message.Status.values}
    for row in Message.objects.values("status").order_by().annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return render(
        request,
        "outbox/outbox.html",
        {
            "page": page,
            "counts": counts,
            "statuses": Message.Status.choices,
            "kinds": kinds,
            "status": status,
            "kind": kind,
            "messages_on_disk": outbox_messages(),
            "outbox_path": outbox_dir(),
            "now": timezone.now(),
            "health": delivery_health(),
            "panels": page_panels(),
        },
    )


@login_required
def outbox_message(request, name: str):
    """One message as written (RFC 822 text), for the Secretariat to check what went out."""
    _require_reader(request)
    if not FILE_RE.match(name):
        raise Http404("No such message")
    path = outbox_dir() / name
    if not path.is_file():
        raise Http404("No such message")
    return HttpResponse(path.read_bytes(), content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def outbox_retry(request, pk: int):
    """Send a failed message again from the first attempt."""
    _require_reader(request)
    row = get_object_or_404(Message, pk=pk)
    with transaction.atomic():
        changed = Message.objects.filter(pk=row.pk, status=Message.Status.FAILED).update(
            status=Message.Status.PLANNED, attempts=0, next_attempt_at=None, due_at=timezone.now()
        )
        if changed:
            operator_acted(
                request=request, action="outbox_retry", summary=f"Message {row.pk} retried", ids=[row.pk]
            )
            transaction.on_commit(lambda: dispatch([row.pk]))
    return HttpResponseRedirect(reverse("outbox:index") + "?status=failed")


@login_required
@require_POST
def outbox_held(request):
    """Release (send, each checked as ever) or cancel every message held after a restore."""
    _require_reader(request)
    with transaction.atomic():
        release = request.POST.get("decision") == "release"
        ids = held_decide(release=release)
        summary = f"{len(ids)} held message(s) released" if release else "Held messages cancelled"
        operator_acted(request=request, action="outbox_held", summary=summary, ids=ids)
        transaction.on_commit(lambda: dispatch(ids))
    return HttpResponseRedirect(reverse("outbox:index"))


@login_required
@require_POST
def outbox_retry_failed(request):
    """Send every failed message again (of one kind, when the page was narrowed to it)."""
    _require_reader(request)
    kind = request.POST.get("kind", "")
    with transaction.atomic():
        ids = failed_retry(kind=kind if kind in dict(kind_choices()) else "")
        if ids:
            summary = f"{len(ids)} failed message(s) retried"
            operator_acted(request=request, action="outbox_retry", summary=summary, ids=ids)
        transaction.on_commit(lambda: dispatch(ids))
    return HttpResponseRedirect(reverse("outbox:index") + "?status=planned")
