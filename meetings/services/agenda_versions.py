"""Versions of an agenda: the draft frozen and circulated, the latest version adopted, and what changed
from one version to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance.audit import audit
from meetings.calendar import tasks as calendar
from meetings.models import AgendaVersion, Meeting
from meetings.selectors.agenda import agenda_items_for, number_agenda, presenter_label
from meetings.services.agenda import agenda_check_editable
from meetings.services.meetings import locked_meeting

Status = Meeting.Status


def agenda_snapshot(*, meeting: Meeting) -> list[dict[str, Any]]:
    """The draft agenda as it stands, numbered, as plain data (what a version freezes)."""
    out = []
    for n in number_agenda(agenda_items_for(meeting.pk)):
        it = n.item
        out.append(
            {
                "id": it.pk,
                "number": n.number,
                "depth": n.depth,
                "parent_id": it.parent_id,
                "title": it.title,
                "description": it.description,
                "purpose": it.purpose,
                "purpose_label": it.get_purpose_display(),
                "presenter": presenter_label(it),
                "minutes_allotted": it.minutes_allotted,
                "goal": f"{it.goal.plan.short_name} Goal {it.goal.code}" if it.goal else "",
                "documents": [
                    {"id": d.pk, "title": d.title, "version": d.version, "classification": d.classification}
                    for d in it.documents.all()
                ],
                "is_standing": it.is_standing,
            }
        )
    return out


def agenda_circulate(*, meeting: Meeting, actor=None) -> AgendaVersion:
    """Freeze the draft as the next numbered version and send it out (after commit). Later edits make a new
    draft, circulated as the next version."""
    with transaction.atomic():
        m = locked_meeting(meeting)
        agenda_check_editable(m)
        snapshot = agenda_snapshot(meeting=m)
        if not snapshot:
            raise ValidationError({"agenda": "The agenda has no items yet."})
        latest = AgendaVersion.objects.filter(meeting=m).order_by("-number").first()
        if latest is not None and latest.items == snapshot:
            raise ValidationError(
                {"agenda": f"Nothing changed since version {latest.number} was circulated."}
            )
        version = AgendaVersion.objects.create(
            meeting=m,
            number=(latest.number if latest else 0) + 1,
            items=snapshot,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(
            action="agenda_circulated",
            obj=m,
            actor=version.created_by,
            summary=f"Agenda version {version.number} of {m} circulated",
            data={"version": version.number},
        )
        calendar.agenda_circulated(version_id=version.pk)
    return version


def agenda_adopt(*, version: AgendaVersion) -> AgendaVersion:
    """The meeting adopts the latest circulated version; the draft must not have moved on since."""
    with transaction.atomic():
        m = locked_meeting(version.meeting_id)
        if m.status in (Status.CANCELLED, Status.PLANNED, Status.POSTPONED):
            raise ValidationError(
                {"meeting": f"A {m.get_status_display().lower()} meeting cannot adopt its agenda."}
            )
        version = AgendaVersion.objects.select_for_update().get(pk=version.pk)
        if version.status == AgendaVersion.Status.ADOPTED:
            raise ValidationError({"version": f"Version {version.number} is already adopted."})
        if AgendaVersion.objects.filter(meeting=m, status=AgendaVersion.Status.ADOPTED).exists():
            raise ValidationError({"version": "Another version of this agenda is already adopted."})
        latest = AgendaVersion.objects.filter(meeting=m).order_by("-number").first()
        if latest.pk != version.pk:
            raise ValidationError(
                {"version": f"Only the latest circulated version (v{latest.number}) can be adopted."}
            )
        if agenda_snapshot(meeting=m) != version.items:
            raise ValidationError(
                {"version": f"The draft has changes not in v{version.number}: circulate them first."}
            )
        version.status = AgendaVersion.Status.ADOPTED
        version.adopted_at = timezone.now()
        version.save(update_fields=["status", "adopted_at"])
        audit(
            action="agenda_adopted",
            obj=m,
            summary=f"Agenda v{version.number} of the {m.title} adopted",
            data={"version": version.pk},
        )
    return version


@dataclass
class AgendaChange:
    kind: str  # added, removed, changed, unchanged
    number_a: str
    number_b: str
    title: str
    changes: list[str] = field(default_factory=list)
    depth: int = 0


DIFF_FIELDS = (
    ("title", "Title"),
    ("description", "Description"),
    ("purpose_label", "Purpose"),
    ("presenter", "Presenter"),
    ("minutes_allotted", "Time allotted"),
    ("goal", "Strategic goal"),
)


def agenda_diff(
    *, items_a: list[dict[str, Any]], items_b: list[dict[str, Any]], level: int = 2
) -> list[AgendaChange]:
    """What changed from agenda A to agenda B, item by item, in B's order with removed items where they
    stood in A. Documents above ``level`` (the reader's clearance) are left out."""
    a_by_id = {e["id"]: e for e in items_a}
    b_ids = {e["id"] for e in items_b}
    number_of = {e["id"]: e["number"] for e in items_b} | {
        e["id"]: e["number"] for e in items_a if e["id"] not in b_ids
    }
    out: list[AgendaChange] = []
    removed_after: dict[int | None, list[dict]] = {}
    # Attach each removed item after the item that preceded it in A and survives in B.
    last_kept: int | None = None
    for e in items_a:
        if e["id"] in b_ids:
            last_kept = e["id"]
        else:
            removed_after.setdefault(last_kept, []).append(e)

    def emit_removed(after: int | None) -> None:
        for e in removed_after.get(after, []):
            out.append(AgendaChange("removed", e["number"], "", e["title"], depth=e["depth"]))

    emit_removed(None)
    for e in items_b:
        old = a_by_id.get(e["id"])
        if old is None:
            out.append(AgendaChange("added", "", e["number"], e["title"], depth=e["depth"]))
        else:
            changes = []
            if old["number"] != e["number"]:
                changes.append(f"Renumbered {old['number']} → {e['number']}")
            if old.get("parent_id") != e.get("parent_id"):
                parent = e.get("parent_id")
                changes.append(
                    f"Moved under {number_of.get(parent, '?')}" if parent else "Moved to the top level"
                )
            for key, label in DIFF_FIELDS:
                if old.get(key) != e.get(key):
                    changes.append(f"{label}: “{old.get(key) or '—'}” → “{e.get(key) or '—'}”")
            docs_a = {
                (d["title"], d["version"]) for d in old.get("documents", []) if d["classification"] <= level
            }
            docs_b = {
                (d["title"], d["version"]) for d in e.get("documents", []) if d["classification"] <= level
            }
            for t, v in sorted(docs_b - docs_a):
                changes.append(f"Document added: {t} (v{v})")
            for t, v in sorted(docs_a - docs_b):
                changes.append(f"Document removed: {t} (v{v})")
            out.append(
                AgendaChange(
                    "changed" if changes else "unchanged",
                    old["number"],
                    e["number"],
                    e["title"],
                    changes,
                    depth=e["depth"],
                )
            )
        emit_removed(e["id"])
    return out


def agenda_versions_diff(
    *, version_a: AgendaVersion, version_b: AgendaVersion | None, level: int = 2
) -> list[AgendaChange]:
    """Diff two versions of one meeting's agenda; ``version_b`` None compares with the current draft."""
    if version_b is not None and version_b.meeting_id != version_a.meeting_id:
        raise ValidationError({"version_b": "The versions belong to different meetings."})
    items_b = version_b.items if version_b is not None else agenda_snapshot(meeting=version_a.meeting)
    return agenda_diff(items_a=version_a.items, items_b=items_b, level=level)
