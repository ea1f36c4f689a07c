"""Is a message about a meeting still current at the moment it is sent? The reads that answer it, made in
the outbox's send transaction (``outbox.sending``):

- ``lock_current``: the meeting row and the invitee's invitation, locked for share and read again, so a
  change committed before is seen, and a change committing meanwhile waits until the send is recorded: no
  superseded or cancelled message leaves after the change commits, and two versions reach one person in
  order (an older version finds the newer one and is withheld).
- ``invitation_held``: reminders, chasers and agenda mails go only to someone whose REQUEST for the
  current version went out; while it is still on its way they wait (deferred), never arrive first.
- ``told_about``: who was told anything about the meeting (their last message sent is not a CANCEL): they
  are the ones a CANCEL goes to.
"""

from __future__ import annotations

from django.db import connection

from meetings.calendar.kinds import REQUEST_KINDS, VERSIONED_KINDS, Kind
from meetings.models import Invitation, Meeting, MeetingNotice
from outbox.models import Message

Status = Message.Status
HELD, WAIT, NOT_HELD = "held", "wait", "not-held"


def _read_for_share(model, where: str, params: list):
    """The row as committed now, locked for share on PostgreSQL (FOR SHARE: many sends of one meeting run
    side by side; an edit of the meeting waits for them). One query."""
    table = model._meta.db_table
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    sql = f'SELECT * FROM "{table}" WHERE {where}{lock}'  # noqa: S608 - our names
    return next(iter(model.objects.raw(sql, params)), None)


def lock_chunk(notices: list[MeetingNotice], locked: dict) -> None:
    """``lock_current`` for a chunk of notices sent in one transaction: their meetings and the invitees'
    invitations as committed now, locked for share until that transaction ends, in two queries (not two
    per message), into ``locked`` (the send context's, emptied when the transaction ends)."""
    if not notices:
        return
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    meeting_ids = sorted({n.meeting_id for n in notices})
    marks = ", ".join(["%s"] * len(meeting_ids))
    table = Meeting._meta.db_table
    sql = f'SELECT * FROM "{table}" WHERE "id" IN ({marks}) ORDER BY "id"{lock}'  # noqa: S608 - our names
    meetings = locked.setdefault("meetings", {})
    meetings.update({m.pk: m for m in Meeting.objects.raw(sql, meeting_ids)})
    for pk in meeting_ids:
        meetings.setdefault(pk, None)  # gone: withheld
    pairs = {(n.meeting_id, n.person_id) for n in notices if n.person_id is not None}
    invitations = locked.setdefault("invitations", {})
    if pairs:
        people = sorted({p for _, p in pairs})
        table = Invitation._meta.db_table
        sql = (
            f'SELECT * FROM "{table}" WHERE "meeting_id" IN ({marks}) '  # noqa: S608 - our names
            f'AND "person_id" IN ({", ".join(["%s"] * len(people))}) ORDER BY "id"{lock}'
        )
        for inv in Invitation.objects.raw(sql, [*meeting_ids, *people]):
            if (inv.meeting_id, inv.person_id) in pairs:
                invitations[(inv.meeting_id, inv.person_id)] = inv
        for pair in pairs:
            invitations.setdefault(pair, None)


def lock_current(notice: MeetingNotice, cache: dict, locked: dict | None = None) -> Meeting | None:
    """The notice's meeting (and the invitee's invitation, into ``cache["invitations"]``) as committed
    now, locked for share until the send's transaction ends: read here, or taken from what ``lock_chunk``
    read and locked for the chunk in this transaction (``locked``). None when the meeting is gone. The
    body, the host and the person loaded for the batch are kept (what a message says of them is not its
    version)."""
    loaded = notice.meeting if "meeting" in notice._state.fields_cache else None
    chunk_meetings = (locked or {}).get("meetings", {})
    chunk_invitations = (locked or {}).get("invitations", {})
    pair = (notice.meeting_id, notice.person_id)
    in_chunk = notice.meeting_id in chunk_meetings and (notice.person_id is None or pair in chunk_invitations)
    if in_chunk:
        meeting = chunk_meetings[notice.meeting_id]
    else:
        meeting = _read_for_share(Meeting, '"id" = %s', [notice.meeting_id])
    if meeting is None:
        return None
    if loaded is not None:
        if meeting.body_id == loaded.body_id and "body" in loaded._state.fields_cache:
            meeting.body = loaded.body
        if meeting.host_id == loaded.host_id and "host" in loaded._state.fields_cache:
            meeting.host = loaded.host
    notice.meeting = meeting
    if notice.person_id is not None:
        invitations = cache.setdefault("invitations", {})
        before = invitations.get((meeting.pk, notice.person_id))
        if in_chunk:
            inv = chunk_invitations[pair]
        else:
            inv = _read_for_share(
                Invitation, '"meeting_id" = %s AND "person_id" = %s', [meeting.pk, notice.person_id]
            )
        if inv is not None and before is not None and "person" in before._state.fields_cache:
            inv.person = before.person
        invitations[(meeting.pk, notice.person_id)] = inv
    return meeting


def invitation_held(meeting: Meeting, person_id: int) -> str:
    """``HELD`` when the person's latest calendar entry is this version's REQUEST and it was sent; ``WAIT``
    when that REQUEST is still planned, being sent or failed (it may yet go); else ``NOT_HELD``."""
    latest = (
        MeetingNotice.objects.filter(
            meeting_id=meeting.pk, person_id=person_id, message__kind__in=[*REQUEST_KINDS, Kind.CANCEL]
        )
        .exclude(message__status__in=[Status.CANCELLED, Status.SKIPPED])
        .order_by("-sequence", "-pk")
        .values_list("sequence", "message__kind", "message__status")
        .first()
    )
    if latest is None:
        return NOT_HELD
    sequence, kind, status = latest
    if kind == Kind.CANCEL or sequence != meeting.sequence:
        return NOT_HELD
    return HELD if status == Status.SENT else WAIT


def told_about(meeting_id: int, *, person_id: int | None = None, exclude_pk: int | None = None) -> set[int]:
    """People who were told anything about this meeting (a message of any kind sent, or being sent) and
    whose last such message is not a CANCEL."""
    qs = MeetingNotice.objects.filter(
        meeting_id=meeting_id,
        message__kind__in=list(VERSIONED_KINDS),
        message__status__in=[Status.SENT, Status.SENDING],
        person_id__isnull=False,
    )
    return latest_not_cancelled(qs, person_id=person_id, exclude_pk=exclude_pk)


def latest_not_cancelled(qs, *, person_id: int | None = None, exclude_pk: int | None = None) -> set[int]:
    """The people of these notices whose latest one (by sequence, then creation) is not a CANCEL."""
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    latest: dict[int, tuple[tuple[int, int], str]] = {}
    for pid, kind, seq, pk in qs.values_list("person_id", "message__kind", "sequence", "pk"):
        order = (seq or 0, pk)
        if pid not in latest or order > latest[pid][0]:
            latest[pid] = (order, kind)
    return {pid for pid, (_, kind) in latest.items() if kind != Kind.CANCEL}
