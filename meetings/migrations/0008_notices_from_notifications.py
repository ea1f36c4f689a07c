"""Every notification row gets the typed reference of what it is about, read from the columns the outbox
drops next (``meeting``, ``person``, ``meeting_sequence``, ``object_ref``) and from its key: a meeting
notice, an action item notice or a handover notice. Handover keys take the one key grammar
(``handover:<pk>:...`` becomes ``handover:handover-<pk>:...``), so planning them again finds them. A planned
row whose subject no longer exists is cancelled with a note; sent history is kept as it is."""

import datetime as dt
import re

from django.db import migrations

MEETING_KINDS = {"invite", "update", "cancel", "agenda", "reminder", "coming_up", "chaser"}
DAYS = re.compile(r"(?:^|\.)d(\d+)$")
ACTION_VERSION = re.compile(r"^(\d{4}-\d{2}-\d{2})\.d(\d+)$")
BATCH = 2000


def _ref_id(object_ref: str, prefix: str) -> int | None:
    head, _, tail = object_ref.partition(":")
    return int(tail) if head == prefix and tail.isdigit() else None


def _days(key: str) -> int | None:
    match = DAYS.search(key.rsplit(":", 1)[-1])
    return int(match.group(1)) if match else None


def _meeting_notice(row, models, known):
    agenda_id = _ref_id(row.object_ref, "agendaversion")
    invitation_id = _ref_id(row.object_ref, "invitation")
    return models["MeetingNotice"](
        message_id=row.pk,
        meeting_id=row.meeting_id,
        person_id=row.person_id,
        sequence=row.meeting_sequence or 0,
        agenda_version_id=agenda_id if agenda_id in known["agenda"] else None,
        withdrawn_invitation_id=invitation_id if invitation_id in known["invitation"] else None,
        days=_days(row.key) if agenda_id is None and invitation_id is None else None,
    )


def _action_notice(row, models, known):
    item_id = _ref_id(row.object_ref, "actionitem")
    match = ACTION_VERSION.match(row.key.rsplit(":", 1)[-1])
    if item_id not in known["action"] or match is None:
        return None
    return models["ActionItemNotice"](
        message_id=row.pk,
        action_item_id=item_id,
        person_id=row.person_id,
        due_date=dt.date.fromisoformat(match.group(1)),
        days=int(match.group(2)),
    )


def _handover_notice(row, models, known):
    handover_id = _ref_id(row.object_ref, "handover")
    days = _days(row.key)
    if handover_id not in known["handover"] or days is None:
        return None
    return models["HandoverNotice"](
        message_id=row.pk, handover_id=handover_id, person_id=row.person_id, days=days
    )


def forward(apps, schema_editor):
    Notification = apps.get_model("meetings", "Notification")
    models = {
        "MeetingNotice": apps.get_model("meetings", "MeetingNotice"),
        "ActionItemNotice": apps.get_model("meetings", "ActionItemNotice"),
        "HandoverNotice": apps.get_model("chairmanship", "HandoverNotice"),
    }
    known = {
        "agenda": set(apps.get_model("meetings", "AgendaVersion").objects.values_list("pk", flat=True)),
        "invitation": set(apps.get_model("meetings", "Invitation").objects.values_list("pk", flat=True)),
        "action": set(apps.get_model("meetings", "ActionItem").objects.values_list("pk", flat=True)),
        "handover": set(apps.get_model("chairmanship", "Handover").objects.values_list("pk", flat=True)),
    }
    orphans, rekeyed = [], []
    last = 0
    while True:
        rows = list(Notification.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            break
        last = rows[-1].pk
        notices = {name: [] for name in models}
        for row in rows:
            if row.kind in MEETING_KINDS and row.meeting_id is not None:
                notice = _meeting_notice(row, models, known)
            elif row.kind == "action_due":
                notice = _action_notice(row, models, known)
            elif row.kind == "handover":
                notice = _handover_notice(row, models, known)
                head, _, rest = row.key.partition(":")
                number, _, tail = rest.partition(":")
                if notice is not None and number.isdigit():
                    rekeyed.append((row.pk, f"handover:handover-{number}:{tail}"))
            else:
                notice = None
            if notice is None:
                orphans.append(row.pk)
            else:
                notices[type(notice).__name__].append(notice)
        for name, objs in notices.items():
            models[name].objects.bulk_create(objs, batch_size=1000)
    for pk, key in rekeyed:
        Notification.objects.filter(pk=pk).update(key=key)
    Notification.objects.filter(pk__in=orphans, status__in=["planned", "sending"]).update(
        status="cancelled", note="what it was about no longer exists"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_notices"),
        ("chairmanship", "0005_handovernotice"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
