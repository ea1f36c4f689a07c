"""The notification machinery: idempotent planning, one sender per row, retries with backoff, reclaiming
rows of a dead worker, the sweep's hand-out, plain notices of other apps, action items, agendas, the outbox."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest
from django.core import mail
from django.urls import reverse

from meetings.calendar import changes
from meetings.calendar import tasks as calendar_tasks
from meetings.calendar.action_items import plan_action_item_reminders
from meetings.calendar.kinds import Kind
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import ActionItem, AgendaItem, AgendaVersion, Meeting
from outbox import tasks as outbox_tasks
from outbox.backends import OutboxBackend, file_name_for
from outbox.handout import due_ids, reclaim_stuck
from outbox.keys import message_id
from outbox.models import Message
from outbox.sending import claim, send_batch
from outbox.tasks import dispatch, sweep
from tests.calendar_world import NOW, at, deliver, make_person, text_part, world

pytestmark = pytest.mark.django_db
Status = Message.Status


@pytest.fixture
def queued(monkeypatch):
    """Tasks handed to the broker, captured instead of sent."""
    calls = []
    monkeypatch.setattr(
        outbox_tasks.send_messages,
        "apply_async",
        lambda args, kwargs, **opts: calls.append((args[0], kwargs)),
    )
    return calls


def test_planning_twice_plans_nothing_new_and_sending_twice_sends_once():
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    count = Message.objects.count()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    assert Message.objects.count() == count
    ids = due_ids(now=NOW, limit=100)
    assert len(ids) == len(w.everyone)
    send_batch(ids, now=NOW)
    send_batch(ids, now=NOW)  # a redelivered task, or a second worker with the same batch
    assert len(mail.outbox) == len(w.everyone)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in w.everyone)


def test_a_row_is_claimed_by_one_worker_only():
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    row = Message.objects.filter(kind=Kind.INVITE).first()
    assert claim(row.pk, NOW) is True
    assert claim(row.pk, NOW) is False
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_at) == (Status.SENDING, 1, NOW)
    later = Message.objects.filter(kind=Kind.REMINDER).first()
    assert claim(later.pk, NOW) is False  # not due yet


def test_failed_send_is_retried_with_backoff_and_stays_visible_as_failed(monkeypatch, settings, client):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    row = Message.objects.get(kind=Kind.INVITE, meeting_notice__person=w.people.manila)

    def broken(self, messages):
        raise ConnectionRefusedError("SMTP server refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    assert send_batch([row.pk], now=NOW) == {"retry": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PLANNED, 1)
    assert row.next_attempt_at == NOW + dt.timedelta(seconds=60)
    assert "SMTP server refused" in row.last_error
    assert row.pk not in due_ids(now=NOW + dt.timedelta(seconds=59), limit=100)
    t2 = NOW + dt.timedelta(seconds=60)
    assert row.pk in due_ids(now=t2, limit=100)
    send_batch([row.pk], now=t2)
    row.refresh_from_db()
    assert row.next_attempt_at == t2 + dt.timedelta(seconds=120)  # exponential
    t3 = t2 + dt.timedelta(seconds=120)
    send_batch([row.pk], now=t3)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert row.pk not in due_ids(now=t3 + dt.timedelta(days=1), limit=100)

    # The Secretariat sees it on the outbox page and can send it again.
    secretariat = make_person("sec", state=None).user
    from governance.permissions import ensure_secretariat_group

    secretariat.groups.add(ensure_secretariat_group())
    client.force_login(secretariat)
    page = client.get(reverse("outbox:index") + "?status=failed")
    assert page.status_code == 200
    html = page.content.decode()
    assert row.recipient in html and "SMTP server refused" in html and "failed" in html
    monkeypatch.undo()
    client.post(reverse("outbox:retry", args=[row.pk]))
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PLANNED, 0)


def test_a_row_left_sending_by_a_dead_worker_is_reclaimed_and_sent_once(settings):
    settings.NOTIFY_CLAIM_TIMEOUT_SECONDS = 600
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    row = Message.objects.get(kind=Kind.INVITE, meeting_notice__person=w.people.manila)
    assert claim(row.pk, NOW)  # ... and the worker was killed here
    assert reclaim_stuck(now=NOW + dt.timedelta(seconds=599)) == 0
    assert reclaim_stuck(now=NOW + dt.timedelta(seconds=601)) == 1
    row.refresh_from_db()
    assert row.status == Status.PLANNED and "worker lost" in row.last_error
    sent = deliver(NOW + dt.timedelta(seconds=601))
    assert [m.to[0] for m in sent].count(w.people.manila.email) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_sweep_hands_out_due_rows_once_per_lease(queued, settings):
    settings.NOTIFY_BATCH_SIZE = 2
    settings.NOTIFY_DISPATCH_LEASE_SECONDS = 600
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)  # on_commit never runs in a test
    result = sweep(now=NOW, pass_now=True)
    assert result.dispatched == len(w.everyone)
    handed = [i for batch, _ in queued for i in batch]
    assert sorted(handed) == sorted(Message.objects.filter(kind=Kind.INVITE).values_list("pk", flat=True))
    assert all(len(batch) <= 2 and kw == {"now": NOW.isoformat()} for batch, kw in queued)
    assert sweep(now=NOW + dt.timedelta(seconds=60)).dispatched == 0  # still leased: the queue has them
    assert sweep(now=NOW + dt.timedelta(seconds=601)).dispatched == len(w.everyone)  # lease ran out


def test_dispatch_survives_a_broker_that_is_down(monkeypatch):
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(outbox_tasks.send_messages, "apply_async", down)
    assert dispatch(due_ids(now=NOW, limit=100), now=NOW) == 0
    # Nothing was leased: the next sweep hands them out.
    assert len(due_ids(now=NOW, limit=100)) == len(w.everyone)


def test_plain_rows_from_other_apps_are_sent_from_their_subject_and_text(monkeypatch):
    """Another app's kind: the outbox sends what the builder that app registered returns, at send time."""
    from django.core.mail import EmailMessage

    from outbox import registry

    monkeypatch.setattr(registry, "_kinds", dict(registry._kinds))
    registry.register_kind(
        registry.KindSpec(
            kind="plain",
            label="Plain notice",
            build=lambda message, ctx: EmailMessage(
                "Handover of the ACCMSME chair on 1 January 2027",
                "Dear Ben,\n\nThe chair passes to Singapore on 1 January 2027.",
                to=[message.recipient],
            ),
        )
    )
    w = world()
    Message.objects.create(
        key=f"plain:handover-1:person-{w.people.manila.pk}:2027",
        kind="plain",
        recipient=w.people.manila.email,
        due_at=at(2026, 12, 1, 9),
    )
    assert deliver(at(2026, 11, 30, 9)) == []
    [msg] = deliver(at(2026, 12, 1, 9))
    assert msg.subject == "Handover of the ACCMSME chair on 1 January 2027"
    assert "passes to Singapore" in msg.body and msg.to == [w.people.manila.email]
    assert msg.extra_headers["Message-ID"] == message_id(f"plain:handover-1:person-{w.people.manila.pk}:2027")


def test_the_sweep_plans_action_item_reminders(queued):
    w = world()
    ActionItem.objects.create(
        body=w.body,
        meeting=w.meeting,
        title="Report",
        owner_person=w.people.manila,
        due_date=dt.date(2026, 3, 20),
    )
    sweep(now=NOW)
    assert not Message.objects.filter(kind=Kind.ACTION_DUE).exists()  # not in the window yet
    sweep(now=at(2026, 3, 12, 9))
    sweep(now=at(2026, 3, 12, 9, 2))  # idempotent: the same two keys, nothing new
    assert sorted(Message.objects.filter(kind=Kind.ACTION_DUE).values_list("due_at", flat=True)) == [
        at(2026, 3, 13, 9, tz="Asia/Manila"),
        at(2026, 3, 19, 9, tz="Asia/Manila"),
    ]


def test_action_item_reminders_go_to_the_owner_and_the_heads_of_the_owner_state():
    w = world()
    head = make_person("hoa-head", state=w.states["VN"], body=w.body, role="head")
    item = ActionItem.objects.create(
        body=w.body,
        meeting=w.meeting,
        title="Submit the MSME finance survey",
        owner_state=w.states["VN"],
        due_date=dt.date(2026, 3, 20),
    )
    mine = ActionItem.objects.create(
        body=w.body,
        meeting=w.meeting,
        title="Circulate the draft",
        owner_person=w.people.manila,
        due_date=dt.date(2026, 3, 5),
    )
    plan_action_item_reminders(now=NOW)  # 7 days before 5 March had passed: policy "send" sends it now
    sent = deliver(NOW)
    assert [(m.to[0], m.subject) for m in sent] == [
        (w.people.manila.email, "Action item due 05 Mar 2026: Circulate the draft"),
    ]
    assert "due on Thu 5 Mar 2026" in sent[0].body
    # A moved deadline: the old reminder is cancelled when its moment comes, new ones are planned.
    mine.due_date = dt.date(2026, 3, 25)
    mine.save()
    plan_action_item_reminders(now=NOW)
    assert deliver(at(2026, 3, 4, 9)) == []
    old = Message.objects.get(
        key=f"action_due:actionitem-{mine.pk}:person-{w.people.manila.pk}:2026-03-05.d1"
    )
    assert (old.status, old.note) == (Status.CANCELLED, "due date changed")
    # The state's item goes to its head of delegation, at 09:00 in Hanoi, 7 days before.
    plan_action_item_reminders(now=at(2026, 3, 13, 8))
    assert deliver(at(2026, 3, 13, 8, 59)) == []
    sent = deliver(at(2026, 3, 13, 9))
    assert [(m.to[0], m.subject) for m in sent] == [
        (head.email, "Action item due 20 Mar 2026: Submit the MSME finance survey")
    ]
    plan_action_item_reminders(now=at(2026, 3, 18, 8))
    assert [m.subject for m in deliver(at(2026, 3, 18, 10))] == [
        "Action item due 25 Mar 2026: Circulate the draft"
    ]
    # Closed before its 1-day reminder: not sent, and recorded why.
    item.status = ActionItem.Status.DONE
    item.save()
    assert deliver(at(2026, 3, 19, 9)) == []
    closed = Message.objects.get(key__contains=f"actionitem-{item.pk}:", key__endswith="d1")
    assert (closed.status, closed.note) == (Status.SKIPPED, "action item closed")


def test_circulated_agenda_goes_out_with_item_times_in_host_and_reader_time():
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    deliver(NOW)
    version = AgendaVersion.objects.create(
        meeting=w.meeting,
        number=1,
        items=[
            {"number": "1", "title": "Adoption of the agenda", "starts_at": at(2026, 5, 4, 9).isoformat()},
            {"number": "2", "title": "Matters arising from SEOM and AEM meetings"},
        ],
    )
    changes.agenda_circulation_plan(version_id=version.pk, now=NOW)
    sent = {m.to[0]: m for m in deliver(NOW)}
    assert set(sent) == {p.email for p in w.everyone}
    text = text_part(sent[w.people.manila.email])
    assert sent[w.people.manila.email].subject == "Agenda: 21st ACCMSME Meeting (version 1)"
    assert "1. Adoption of the agenda — 09:00 Jakarta time (10:00, your time)" in text
    assert "2. Matters arising from SEOM and AEM meetings" in text
    # 14 days before, the agenda was already circulated: the lead-time row is skipped, not sent again.
    assert [m for m in deliver(at(2026, 4, 20, 9)) if "Agenda" in m.subject] == []
    assert set(
        Message.objects.filter(kind=Kind.AGENDA, key__endswith="d14").values_list("status", "note")
    ) == {(Status.SKIPPED, "agenda version 1 already circulated")}


def test_agenda_items_keep_host_time_on_the_meeting_page_tag():
    from django.template import Context, Template

    w = world()
    item = AgendaItem.objects.create(meeting=w.meeting, title="Opening", starts_at=at(2026, 5, 4, 9, 30))
    out = Template("{% load meeting_times %}{% agenda_time item meeting True %}").render(
        Context({"item": item, "meeting": w.meeting, "reader_tz": "Asia/Yangon"})
    )
    assert out == "09:30 Jakarta time (09:00, your time)"


def test_outbox_backend_writes_one_file_per_message_id(tmp_path):
    from django.core.mail import EmailMessage

    backend = OutboxBackend(file_path=str(tmp_path))
    msg = EmailMessage("S", "B", "a@x.org", ["b@x.org"], headers={"Message-ID": "<abc@x.org>"})
    assert backend.send_messages([msg]) == 1
    assert backend.send_messages([msg]) == 1  # sent again after a crash: replaces its own file
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == sorted(["deliveries.log", file_name_for("<abc@x.org>")])
    assert len((tmp_path / "deliveries.log").read_text().splitlines()) == 2
    parsed = email.message_from_bytes(
        (tmp_path / file_name_for("<abc@x.org>")).read_bytes(), policy=email.policy.default
    )
    assert parsed["Subject"] == "S"


def test_outbox_page_is_the_secretariats_and_shows_versions(client, tmp_path, settings):
    settings.EMAIL_FILE_PATH = str(tmp_path)
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    deliver(NOW)
    from django.core.mail import EmailMessage

    from outbox.models import Message as N

    OutboxBackend(file_path=str(tmp_path)).send_messages(
        [EmailMessage("Invitation: test", "B", "a@x.org", ["b@x.org"], headers={"Message-ID": "<m1@x.org>"})]
    )
    client.force_login(w.people.manila.user)
    assert client.get(reverse("outbox:index")).status_code == 403
    sec = make_person("sec2")
    from governance.permissions import ensure_secretariat_group

    sec.user.groups.add(ensure_secretariat_group())
    client.force_login(sec.user)
    html = client.get(reverse("outbox:index")).content.decode()
    row = N.objects.filter(kind=Kind.INVITE).first()
    assert row.key in html and f"v{w.meeting.sequence}" in html
    assert "Invitation: test" in html
    name = file_name_for("<m1@x.org>")
    raw = client.get(reverse("outbox:message", args=[name]))
    assert raw.status_code == 200 and b"Subject: Invitation: test" in raw.content
    assert client.get("/outbox/messages/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/outbox/messages/" + "0" * 40 + ".eml").status_code == 404


def test_a_lost_hook_is_made_good_by_the_sweep(queued):
    """The process died between the commit and the hook: the sweep finds the unplanned version."""
    w = world()
    assert sweep(now=NOW, pass_now=True).reconciled == 1  # confirmed, invitees, no REQUEST for its version
    assert Message.objects.filter(kind=Kind.INVITE).count() == len(w.everyone)
    assert sweep(now=NOW, pass_now=True).reconciled == 0
    deliver(NOW + dt.timedelta(hours=1))  # the leased rows are sent after the lease
    assert Message.objects.filter(kind=Kind.INVITE, status=Status.SENT).count() == len(w.everyone)
    # Cancelled, and the hook lost again: the people holding the invitation still get their CANCEL.
    w.meeting.status = "cancelled"
    w.meeting.sequence += 1
    w.meeting.save()
    assert sweep(now=NOW, pass_now=True).reconciled == 1
    assert Message.objects.filter(kind=Kind.CANCEL).count() == len(w.everyone)
    assert sweep(now=NOW, pass_now=True).reconciled == 0


def test_a_long_list_is_planned_by_a_worker(monkeypatch, settings):
    settings.NOTIFY_PLAN_INLINE_MAX = 3
    planned = []
    monkeypatch.setattr(
        calendar_tasks.plan_meeting_version, "apply_async", lambda args, kwargs, **o: planned.append(args)
    )
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    assert planned == [[w.meeting.pk]] and not Message.objects.exists()
    calendar_tasks.plan_meeting_version(w.meeting.pk, now=NOW.isoformat())  # what the worker runs
    assert Message.objects.filter(kind=Kind.INVITE).count() == len(w.everyone)


def test_notify_sweep_command_sends_without_a_worker():
    import io

    from django.core.management import CommandError, call_command

    w = world()  # confirmed, its hook never ran
    out = io.StringIO()
    call_command("notify_sweep", "--send", "--now", NOW.isoformat(), stdout=out)
    assert out.getvalue().strip() == f"reconciled 1 meeting(s), reclaimed 0; {len(w.everyone)} sent"
    assert len(mail.outbox) == len(w.everyone)
    with pytest.raises(CommandError):
        call_command("notify_sweep", "--now", "2026-05-04T09:00", stdout=io.StringIO())


def test_tasks_ack_late_reject_on_worker_lost_and_beat_sweeps_from_the_database(settings):
    for task in (outbox_tasks.send_messages, outbox_tasks.sweep_task, calendar_tasks.plan_meeting_version):
        assert task.acks_late is True and task.reject_on_worker_lost is True
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert entry["task"] == outbox_tasks.sweep_task.name
    assert entry["schedule"] == settings.NOTIFY_SWEEP_SECONDS
    assert "eta" not in entry.get("options", {}) and "countdown" not in entry.get("options", {})


@pytest.mark.django_db(transaction=True)  # real commits: each step's hand-out runs when it commits
def test_invitations_go_to_workers_before_the_reminders_are_planned(queued, monkeypatch):
    """A list of thousands is not held back by weeks-ahead reminders: step one commits and hands out the
    invitations; step two plans the rest."""
    w = world()
    seen = []
    plan_notices = changes.plan_notices

    def spy(*args, **kwargs):
        handed = sum(len(batch) for batch, _ in queued)
        seen.append((handed, Message.objects.filter(kind=Kind.REMINDER).count()))
        return plan_notices(*args, **kwargs)

    monkeypatch.setattr(changes, "plan_notices", spy)
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    assert seen == [(len(w.everyone), 0)]
    assert Message.objects.filter(kind=Kind.REMINDER).count() > 0
    w.meeting.refresh_from_db()
    assert w.meeting.notices_planned_for == w.meeting.sequence


def test_a_plan_cut_off_after_the_invitations_is_finished_by_the_sweep(queued, monkeypatch):
    """The worker died between the two steps: invitations planned, reminders not. The sweep sees the
    version without its notices and plans them, once."""
    w = world()
    monkeypatch.setattr(changes, "plan_notices", lambda *a, **k: [])
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    monkeypatch.undo()
    assert Message.objects.filter(kind=Kind.INVITE).count() == len(w.everyone)
    assert not Message.objects.filter(kind=Kind.REMINDER).exists()
    assert sweep(now=NOW, pass_now=True).reconciled == 1
    reminders = Message.objects.filter(kind=Kind.REMINDER).count()
    assert reminders > 0
    assert Message.objects.filter(kind=Kind.INVITE).count() == len(w.everyone)  # nothing twice
    assert sweep(now=NOW, pass_now=True).reconciled == 0
    assert Message.objects.filter(kind=Kind.REMINDER).count() == reminders


def test_a_newer_version_wins_over_a_late_second_step(queued):
    """Step two of version n arriving after the meeting moved to version n+1 plans nothing for n."""
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    old = w.meeting.sequence
    Meeting.objects.filter(pk=w.meeting.pk).update(sequence=old + 1)
    assert changes.plan_notices(w.meeting.pk, old, NOW, pass_now=True) == []
    assert changes.plan_notices(w.meeting.pk, old + 1, NOW, pass_now=True)  # the live version plans


def test_an_item_owned_by_a_body_reminds_that_bodys_secretariat_officers():
    """Owned by a body ("SEOM to consider ..."): the body's Secretariat desk officers in office on the
    day are reminded; a former officer and the other bodies' officers are not."""
    from governance.models import Body, Membership, Organisation

    w = world()
    asec = Organisation.objects.create(name="ASEAN Secretariat", acronym="ASEC", kind="secretariat")
    seom = Body.objects.create(
        name="Senior Economic Officials Meeting", acronym="SEOM-T", kind="senior_officials"
    )
    desk = make_person("seom-desk", state=None)
    former = make_person("seom-former", state=None)
    elsewhere = make_person("acc-desk", state=None)
    for person, body, end in (
        (desk, seom, None),
        (former, seom, dt.date(2025, 12, 31)),
        (elsewhere, w.body, None),
    ):
        Membership.objects.create(
            person=person,
            body=body,
            organisation=asec,
            role=Membership.Role.SECRETARIAT,
            start_date=dt.date(2020, 1, 1),
            end_date=end,
        )
    ActionItem.objects.create(
        body=w.body,
        meeting=w.meeting,
        title="SEOM to consider the MSME roadmap",
        owner_body=seom,
        due_date=dt.date(2026, 3, 20),
    )
    plan_action_item_reminders(now=at(2026, 3, 13, 8))
    sent = deliver(at(2026, 3, 13, 9, tz="Asia/Jakarta"))
    assert [(m.to[0], m.subject) for m in sent] == [
        (desk.email, "Action item due 20 Mar 2026: SEOM to consider the MSME roadmap")
    ]
