"""Optimistic locking of edit forms and API writes: an edit carries the version of the record it started
from, and a save whose version is no longer the record's is refused, with the other person's change
shown, instead of silently writing over it (issue 20: a title and a venue were lost).

The version is the id of the record's latest history entry (django-simple-history writes one in the same
transaction as every save of a meeting or an agenda item), so no extra column is needed and the refusal
can say who changed what. Compared inside the service's transaction, after the row is locked.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

VERSION_FIELD = "edit_version"
STALE = (
    "{who} saved this {what} at {when} while you were editing it. Your changes were not saved. "
    "Their version: {changes}. Review the form below (it shows your changes) and save again."
)


def edit_version(obj: models.Model) -> str:
    """The version an edit form or an API client sends back: the latest history entry's id, "" if none."""
    latest = obj.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return str(latest or "")


def version_column(model: type[models.Model]) -> models.Subquery:
    """``edit_version`` of each row as a column (``.annotate(edit_version=version_column(Model))``), for a
    list whose rows each carry an edit form: one query for the page, not one per row."""
    latest = model.history.model.objects.filter(id=models.OuterRef("pk")).order_by("-history_id")
    return models.Subquery(latest.values("history_id")[:1])


def _their_change(obj: models.Model, since: str, fields: list[str]) -> tuple[str, str, str]:
    """(who, when, "field: value; …") of the changes saved after version ``since``."""
    records = list(obj.history.order_by("-history_id").select_related("history_user")[:20])
    newer = [r for r in records if not since or r.history_id > int(since)]
    base = next((r for r in records if since and r.history_id == int(since)), None)
    latest = newer[0] if newer else records[0]
    who = getattr(latest.history_user, "get_full_name", lambda: "")() or str(latest.history_user or "")
    when = timezone.localtime(latest.history_date).strftime("%H:%M:%S")
    changed = []
    for field in fields:
        now_value = getattr(latest, field, None)
        if base is None or getattr(base, field, None) != now_value:
            changed.append(f"{obj._meta.get_field(field).verbose_name}: {now_value if now_value else '—'}")
    return who or "Someone else", when, "; ".join(changed) or "no field of this form changed"


def drawn_unchanged(obj: models.Model, expected: str, values: dict) -> bool:
    """Whether ``values`` are what the record held at version ``expected``: a row of a many-row form that
    the submitter left as it was drawn is not their edit, however stale its version (the newer one stays)."""
    since = str(expected).strip().strip('"')
    if not since:  # no history when drawn: a row made in bulk (which writes none), its fields as created
        return all(obj._meta.get_field(k).get_default() == v for k, v in values.items())
    base = obj.history.filter(history_id=int(since)).first() if since.isdigit() else None
    return base is not None and all(getattr(base, k) == v for k, v in values.items())


def check_current(obj: models.Model, expected: str | None, *, fields: list[str]) -> None:
    """Refuse the save when the caller's version (``expected``) is not the record's any more. ``None``
    means the caller sent none (an older API client): nothing to compare."""
    if expected is None:
        return
    current = edit_version(obj)
    if str(expected).strip().strip('"') == current:
        return
    since = str(expected).strip().strip('"')
    who, when, changes = _their_change(obj, since if since.isdigit() else "", fields)
    raise ValidationError(
        {VERSION_FIELD: STALE.format(who=who, what=obj._meta.verbose_name, when=when, changes=changes)},
        code="stale",
    )


def form_caught_up(form, obj: models.Model) -> None:
    """After a refused stale save: the refusal shown at the top; the form keeps the user's input but now
    carries the record's current version, so saving again after reviewing the other change goes through."""
    if VERSION_FIELD not in form.errors or form.data is None:
        return
    # Shown at the top of the form (the version is a hidden field, whose errors a page does not show).
    for message in form.errors.pop(VERSION_FIELD):
        form.add_error(None, message)
    data = form.data.copy()
    data[form.add_prefix(VERSION_FIELD)] = edit_version(obj)
    form.data = data


def requested_version(request) -> str | None:
    """The version an API client's write started from: ``If-Match`` (the ``ETag`` it read), or an
    ``edit_version`` field; None when it sent neither (not compared, for clients written before)."""
    header = request.headers.get("If-Match")
    if header:
        return header.removeprefix("W/").strip().strip('"')
    value = request.data.get(VERSION_FIELD) if hasattr(request.data, "get") else None
    return None if value is None else str(value)


def with_version(response, obj: models.Model):
    """The record's version as the response's ``ETag``, for the client's next ``If-Match``."""
    response["ETag"] = f'"{edit_version(obj)}"'
    return response


def form_version(form) -> str | None:
    """The version a submitted edit form carries; None when it carries none (a post not made from our
    form: nothing to compare), "" when the record had no history yet when the form was drawn."""
    if form.add_prefix(VERSION_FIELD) not in form.data:
        return None
    return form.cleaned_data.get(VERSION_FIELD, "")


class VersionedWrites:
    """For a DRF viewset of records that keep history: a read answers the record's ``ETag``, and an update
    whose ``If-Match`` (or ``edit_version``) is no longer the record's is refused with a 400 naming the
    other person's change, before anything is written. The check and the write share one transaction with
    the row locked, so two clients that read the same version cannot both pass. A client that sends no
    version is not compared (clients written before). A viewset whose service locks other rows first
    (a decision: its meeting, then the decision) sets ``version_checked_by_service`` and passes
    ``requested_version(request)`` to the service, which compares after its own locks (one lock order)."""

    version_checked_by_service = False

    def retrieve(self, request, *args, **kwargs):
        from rest_framework.response import Response

        obj = self.get_object()
        return _versioned(Response(self.get_serializer(obj).data), obj)

    def update(self, request, *args, **kwargs):
        from governance.api_support import as_drf_error

        expected = requested_version(request)
        with transaction.atomic():
            obj = self.get_object()
            model = type(obj)
            if expected is not None and hasattr(model, "history") and not self.version_checked_by_service:
                locked = model._default_manager.select_for_update().get(pk=obj.pk)
                data = request.data if hasattr(request.data, "keys") else {}
                fields = [f.name for f in model._meta.concrete_fields if f.name in data]
                try:
                    check_current(locked, expected, fields=fields)
                except ValidationError as exc:
                    raise as_drf_error(exc) from exc
            response = super().update(request, *args, **kwargs)
        return _versioned(response, model._default_manager.get(pk=obj.pk))


def _versioned(response, obj: models.Model):
    return with_version(response, obj) if hasattr(type(obj), "history") else response
