"""The audit trail: simple-history keeps field changes; this records rights and acts (who, when, what)."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from governance.models import AuditEvent, Body


def current_actor():
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def audit(*, action: str, obj, summary: str, actor=None, data: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor or current_actor(),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        summary=summary[:500],
        data=data or {},
    )


def record_rights_change(*, user, granted: list[tuple[int, str]], withdrawn: list[tuple[int, str]]) -> None:
    if not granted and not withdrawn:
        return
    names = dict(Body.objects.filter(pk__in={b for b, _ in granted + withdrawn}).values_list("pk", "acronym"))
    parts = []
    if granted:
        parts.append("granted " + ", ".join(f"{c} on {names.get(b, b)}" for b, c in sorted(granted)))
    if withdrawn:
        parts.append("withdrew " + ", ".join(f"{c} on {names.get(b, b)}" for b, c in sorted(withdrawn)))
    AuditEvent.objects.create(
        actor=current_actor(),
        action="rights",
        object_type="auth.user",
        object_id=user.pk,
        summary=f"{user.get_username()}: " + "; ".join(parts),
        data={"granted": granted, "withdrawn": withdrawn},
    )
