"""The audit trail: who changed what, and when.

Two sources, read together:

- simple-history keeps every field change of the tracked models (meetings, agendas, documents, invitations,
  terms, handovers, memberships ...), with the user that ``HistoryRequestMiddleware`` saw;
- ``AuditEvent`` records what is not a field change: object rights granted and withdrawn, Secretariat group
  changes, accounts invited and deactivated, and acts other modules report with ``audit()``.

``object_history`` merges both for one object (and the objects registered under it in
``governance.related_history``, e.g. a meeting's agenda items and documents) into one newest-first list, in a
fixed number of queries. Only the Secretariat reads it (``governance/history_views.py`` and the
``_history.html`` include check).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from simple_history.models import HistoricalRecords

from governance.models import AuditEvent, Body
from governance.related_history import related_history

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def current_request():
    return getattr(HistoricalRecords.context, "request", None)


def current_actor():
    user = getattr(current_request(), "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def client_address(request) -> str | None:
    """Where a request came from. Behind ``settings.TRUSTED_PROXY_COUNT`` proxies, each appending the
    address it received from to X-Forwarded-For, the client is the N-th entry from the right: whatever a
    client writes into the header itself lies further left and is ignored. With no proxy (or a header
    that does not hold that many entries) it is REMOTE_ADDR. django-axes keys lockouts on the same
    address (``AXES_CLIENT_IP_CALLABLE``)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not proxies:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def audit(
    *, action: str, obj, summary: str, actor=None, data: dict | None = None, request=None
) -> AuditEvent:
    """One event in the trail: who (the request's user unless given), what, and from where (the client
    address of the request being served, if any)."""
    data = dict(data or {})
    address = client_address(request or current_request())
    if address:
        data.setdefault("ip", address)
    return AuditEvent.objects.create(
        actor=actor or current_actor(),
        action=action[:40],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        summary=summary[:500],
        data=data,
    )


def record_rights_change(
    *,
    user,
    granted: list[tuple[int, str]],
    withdrawn: list[tuple[int, str]],
    meetings_granted: list[int] = (),
    meetings_withdrawn: list[int] = (),
) -> None:
    if not (granted or withdrawn or meetings_granted or meetings_withdrawn):
        return
    names = dict(Body.objects.filter(pk__in={b for b, _ in granted + withdrawn}).values_list("pk", "acronym"))
    parts = []
    if granted:
        parts.append("granted " + ", ".join(f"{c} on {names.get(b, b)}" for b, c in sorted(granted)))
    if withdrawn:
        parts.append("withdrew " + ", ".join(f"{c} on {names.get(b, b)}" for b, c in sorted(withdrawn)))
    if meetings_granted:
        parts.append("may see meeting " + ", ".join(f"#{m}" for m in meetings_granted))
    if meetings_withdrawn:
        parts.append("may no longer see meeting " + ", ".join(f"#{m}" for m in meetings_withdrawn))
    AuditEvent.objects.create(
        actor=current_actor(),
        action="rights",
        object_type="auth.user",
        object_id=user.pk,
        summary=(f"{user.get_username()}: " + "; ".join(parts))[:500],
        data={
            "granted": granted,
            "withdrawn": withdrawn,
            "meetings_granted": list(meetings_granted),
            "meetings_withdrawn": list(meetings_withdrawn),
        },
    )


def record_object_rights_change(
    *, model: type[models.Model], object_id: int, granted: list[int], withdrawn: list[int]
) -> None:
    """Rights on one object changed for several people at once (a meeting's invitation list was synced)."""
    if not granted and not withdrawn:
        return
    names = dict(get_user_model().objects.filter(pk__in=[*granted, *withdrawn]).values_list("pk", "username"))
    parts = []
    if granted:
        parts.append("may see it: " + ", ".join(names.get(u, str(u)) for u in granted))
    if withdrawn:
        parts.append("may no longer see it: " + ", ".join(names.get(u, str(u)) for u in withdrawn))
    AuditEvent.objects.create(
        actor=current_actor(),
        action="rights",
        object_type=model._meta.label_lower,
        object_id=object_id,
        summary=(f"{_label(model)} #{object_id}: " + "; ".join(parts))[:500],
        data={"users_granted": granted, "users_withdrawn": withdrawn},
    )


def record_group_change(*, user, group_names: list[str], added: bool) -> None:
    if not group_names:
        return
    verb = "added to" if added else "removed from"
    AuditEvent.objects.create(
        actor=current_actor(),
        action="group",
        object_type="auth.user",
        object_id=user.pk,
        summary=f"{user.get_username()} {verb} {', '.join(sorted(group_names))}",
        data={"groups": sorted(group_names), "added": added},
    )


# --- Reading the trail ---------------------------------------------------------------------------------


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: dt.datetime
    actor: str
    kind: str  # created, changed, deleted, or an AuditEvent action (rights, group, account, ...)
    what: str  # "Meeting", "Agenda item: Opening" ...
    summary: str = ""
    changes: list[Change] = field(default_factory=list)
    reason: str = ""


def _label(model: type[models.Model]) -> str:
    return model._meta.verbose_name.capitalize()


def _display(value, field_obj, related_names: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(field_obj, models.ForeignKey):
        return related_names.get((field_obj.related_model, value), f"#{value}")
    if field_obj is not None and field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _record_name(rec) -> str:
    """A short name for a historical record without loading related rows (``str()`` of a model may)."""
    for attr in ("title", "label", "full_name", "name", "acronym"):
        value = getattr(rec, attr, None)
        if value:
            return str(value)
    return f"#{rec.id}"


def history_entries(records: list, *, model: type[models.Model], related: bool = False) -> list[HistoryEntry]:
    """Turn historical records of one model (newest first) into entries, diffing each record with the next
    older record of the same object in the list. Foreign keys are named with one query per related model."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    older: dict[int, object] = {}
    pairs = []
    for rec in reversed(records):  # oldest first, so each record meets its predecessor
        prev = older.get(rec.id)
        pairs.append((rec, prev))
        older[rec.id] = rec
    deltas = []
    wanted: dict[type, set] = {}
    for rec, prev in pairs:
        changes = []
        if prev is not None and rec.history_type == "~":
            included = {f.name for f in rec.tracked_fields if f.editable}
            changes = rec.diff_against(prev, included_fields=included).changes
            for c in changes:
                f = fields.get(c.field)
                if isinstance(f, models.ForeignKey):
                    wanted.setdefault(f.related_model, set()).update(
                        v for v in (c.old, c.new) if v is not None
                    )
        deltas.append((rec, changes))
    related_names = {}
    for rel_model, ids in wanted.items():
        for pk, obj in rel_model._default_manager.in_bulk(list(ids)).items():
            related_names[(rel_model, pk)] = str(obj)
    entries = []
    for rec, changes in reversed(deltas):
        user = rec.history_user
        what = _label(model) + (f": {_record_name(rec)}" if related else "")
        entries.append(
            HistoryEntry(
                at=rec.history_date,
                actor=user.get_username() if user else "system",
                kind=HISTORY_TYPES.get(rec.history_type, rec.history_type),
                what=what,
                changes=[
                    Change(
                        field=str(getattr(fields.get(c.field), "verbose_name", c.field)),
                        old=_display(c.old, fields.get(c.field), related_names),
                        new=_display(c.new, fields.get(c.field), related_names),
                    )
                    for c in changes
                ],
                reason=rec.history_change_reason or "",
            )
        )
    return entries


def event_entries(events) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            at=e.at,
            actor=e.actor.get_username() if e.actor else "system",
            kind=e.action,
            what=e.object_type,
            summary=e.summary,
        )
        for e in events
    ]


def object_history(obj: models.Model, *, limit: int = 100) -> list[HistoryEntry]:
    """Everything recorded about ``obj`` and the objects under it, newest first (at most ``limit``)."""
    label = obj._meta.label_lower
    entries: list[HistoryEntry] = []
    history = getattr(type(obj), "history", None)
    if history is not None:
        records = list(
            history.filter(id=obj.pk).select_related("history_user").order_by("-history_date")[:limit]
        )
        entries += history_entries(records, model=type(obj))
    event_keys = [(label, obj.pk)]
    if label == "governance.person" and getattr(obj, "user_id", None):
        event_keys.append(("auth.user", obj.user_id))
    for rel_model, fk in related_history(type(obj)):
        rel_history = getattr(rel_model, "history", None)
        if rel_history is None:
            continue
        records = list(
            rel_history.filter(**{f"{fk}_id": obj.pk})
            .select_related("history_user")
            .order_by("-history_date")[:limit]
        )
        entries += history_entries(records, model=rel_model, related=True)
    q = models.Q()
    for object_type, object_id in event_keys:
        q |= models.Q(object_type=object_type, object_id=object_id)
    entries += event_entries(AuditEvent.objects.filter(q).select_related("actor")[:limit])
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def tracked_models() -> list[type[models.Model]]:
    """Every model simple-history tracks, for the audit page's "changes" list."""
    return sorted(
        (m for m in apps.get_models() if isinstance(getattr(m, "history", None), models.Manager)),
        key=lambda m: m._meta.label,
    )


def recent_changes(*, model: type[models.Model] | None = None, limit: int = 100) -> list[HistoryEntry]:
    """The latest field changes across the tracked models (or one of them): one query per model."""
    entries: list[HistoryEntry] = []
    for m in [model] if model else tracked_models():
        records = list(m.history.select_related("history_user").order_by("-history_date")[:limit])
        entries += history_entries(records, model=m, related=True)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
