"""Every notification row gets the typed reference of what it is about, read from the columns dropped next
(``meeting``, ``person``, ``meeting_sequence``, ``object_ref``) and from its key, for every kind there was:

- invite, update, cancel, agenda, reminder, coming_up, chaser: a meeting notice with the meeting version, and
  the circulated agenda version (``agendaversion:<pk>``) or withdrawn invitation (``invitation:<pk>``) that
  ``object_ref`` named, or the days before the meeting that the key's version ends with (``s2.d7``);
- action_due (``actionitem:<pk>``): an action item notice, with the due date and days of the key's version;
- handover (``handover:<pk>``): a handover notice with the days of the key; the key takes the one key grammar
  (``handover:3:Ann@X.org:d30`` becomes ``handover:handover-3:ann@x.org:d30``) so planning again finds it;
- account (``user:<pk>``): an account notice, invited by the Secretariat.

A row whose object no longer exists keeps its key, subject and text, without a notice (or, for a meeting
message, without the agenda version or invitation that is gone); if it was still to be sent it is cancelled
with a note, as nothing can build it now. Sent history is kept as it is."""

import datetime as dt
import re

from django.conf import settings
from django.db import migrations

MEETING_KINDS = {"invite", "update", "cancel", "agenda", "reminder", "coming_up", "chaser"}
DAYS = re.compile(r"(?:^|\.)d(\d+)$")
ACTION_VERSION = re.compile(r"^(\d{4}-\d{2}-\d{2})\.d(\d+)$")
OLD_HANDOVER_KEY = re.compile(r"^handover:(\d+):(.*):(d\d+)$")
GONE = "what it was about no longer exists"
ACCOUNT_INVITED_BY = "the ACCMSME Secretariat"
BATCH = 2000


def _ref_id(object_ref: str, prefix: str) -> int | None:
    head, _, tail = object_ref.partition(":")
    return int(tail) if head == prefix and tail.isdigit() else None


def _days(key: str) -> int | None:
    match = DAYS.search(key.rsplit(":", 1)[-1])
    return int(match.group(1)) if match else None


def _meeting_notice(row, models, known):
    if row.meeting_id is None:
        return None
    agenda_id = _ref_id(row.object_ref, "agendaversion")
    invitation_id = _ref_id(row.object_ref, "invitation")
    notice = models["meetings.MeetingNotice"](
        message_id=row.pk,
        meeting_id=row.meeting_id,
        person_id=row.person_id,
        sequence=row.meeting_sequence or 0,
        agenda_version_id=agenda_id if agenda_id in known["agendaversion"] else None,
        withdrawn_invitation_id=invitation_id if invitation_id in known["invitation"] else None,
        days=_days(row.key) if agenda_id is None and invitation_id is None else None,
    )
    # Without the invitation it named, a withdrawal would go out as a cancelled meeting: kept, not sent.
    notice.buildable = invitation_id is None or notice.withdrawn_invitation_id is not None
    return notice


def _action_notice(row, models, known):
    item_id = _ref_id(row.object_ref, "actionitem")
    match = ACTION_VERSION.match(row.key.rsplit(":", 1)[-1])
    if item_id not in known["actionitem"] or match is None:
        return None
    return models["meetings.ActionItemNotice"](
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
    return models["chairmanship.HandoverNotice"](
        message_id=row.pk, handover_id=handover_id, person_id=row.person_id, days=days
    )


def _account_notice(row, models, known):
    user_id = _ref_id(row.object_ref, "user")
    if user_id not in known["user"]:
        return None
    return models["governance.AccountNotice"](
        message_id=row.pk, user_id=user_id, invited_by=ACCOUNT_INVITED_BY
    )


NOTICE_OF_KIND = {
    **dict.fromkeys(MEETING_KINDS, _meeting_notice),
    "action_due": _action_notice,
    "handover": _handover_notice,
    "account": _account_notice,
}


def _handover_key(key: str) -> str | None:
    """The old handover key in the one grammar (the recipient's address in lower case), None if not old."""
    match = OLD_HANDOVER_KEY.match(key)
    if match is None:
        return None
    number, address, version = match.groups()
    return f"handover:handover-{number}:{address.lower()}:{version}"


def _rekey_handovers(Notification) -> None:
    taken = set(Notification.objects.filter(kind="handover").values_list("key", flat=True))
    for pk, key in Notification.objects.filter(kind="handover", key__regex=r"^handover:[0-9]+:").values_list(
        "pk", "key"
    ):
        new_key = _handover_key(key)
        if new_key is not None and new_key not in taken:  # two addresses differing in case keep theirs
            Notification.objects.filter(pk=pk).update(key=new_key)
            taken.add(new_key)


def forward(apps, schema_editor):
    Notification = apps.get_model("meetings", "Notification")
    labels = ["meetings.MeetingNotice", "meetings.ActionItemNotice", "chairmanship.HandoverNotice"]
    models = {label: apps.get_model(label) for label in [*labels, "governance.AccountNotice"]}
    known = {
        name: set(apps.get_model(label).objects.values_list("pk", flat=True))
        for name, label in {
            "agendaversion": "meetings.AgendaVersion",
            "invitation": "meetings.Invitation",
            "actionitem": "meetings.ActionItem",
            "handover": "chairmanship.Handover",
            "user": settings.AUTH_USER_MODEL,
        }.items()
    }
    orphans = []
    last = 0
    while rows := list(Notification.objects.filter(pk__gt=last).order_by("pk")[:BATCH]):
        last = rows[-1].pk
        notices = {label: [] for label in models}
        for row in rows:
            make = NOTICE_OF_KIND.get(row.kind)
            notice = make(row, models, known) if make else None
            if notice is not None:
                notices[notice._meta.label].append(notice)
            if notice is None or not getattr(notice, "buildable", True):
                orphans.append(row.pk)
        for label, objs in notices.items():
            models[label].objects.bulk_create(objs, batch_size=1000)
    _rekey_handovers(Notification)
    for i in range(0, len(orphans), BATCH):
        Notification.objects.filter(pk__in=orphans[i : i + BATCH], status__in=["planned", "sending"]).update(
            status="cancelled", note=GONE
        )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_notices"),
        ("chairmanship", "0005_handovernotice"),
        ("governance", "0004_accountnotice"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
