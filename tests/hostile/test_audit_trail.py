"""Every route that changes state, each called by a named person: the audit trail holds the change with
that person as the actor (and, for account events and sensitive reads, the client address). A table, like
the permissions matrix: one row per URL name and write method, and a test that walks the URL
configuration (pages and API) and fails when a route taking POST/PUT/PATCH/DELETE has no row here nor a
reasoned exemption.

A row's ``trail`` names where the change is recorded: ``event:<action>`` an ``AuditEvent`` with that action,
``history:<app.Model>`` a simple-history row of that model, each with the actor as its user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from governance.models import AuditEvent
from meetings.calendar.rsvp import rsvp_url
from meetings.models import Invitation, Meeting
from outbox.models import Message
from tests.hostile.audit_routes import state_changing_routes
from tests.world.build import api_as, client_as
from tests.world.documents import pdf_file
from tests.world.mail import itip_reply

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kopi-and-Kaya-2026"
CONFIRMED = {"confirmed": "yes"}  # the ask-first pages act only on a confirmed POST


@dataclass(frozen=True)
class Row:
    name: str  # the URL name
    methods: tuple[str, ...]  # the write methods this call stands for (one handler: PATCH and PUT ...)
    actor: str  # the role whose act it is
    trail: str  # "event:<action>" or "history:<app.Model>"
    url: str = ""  # formatted with the roles scene as w
    method: str = "post"
    data: dict = field(default_factory=dict, hash=False, compare=False)
    api: bool = False
    call: Callable | None = field(default=None, hash=False, compare=False)  # (w) -> response, for set-ups
    given: Callable | None = field(default=None, hash=False, compare=False)  # (w) -> None: the state it needs

    @property
    def id(self) -> str:
        return f"{self.name}:{'+'.join(self.methods)}"


def _fill(value, w):
    return value.format(w=w) if isinstance(value, str) else value


def act(row: Row, w):
    if row.call is not None:
        return row.call(w)
    user = getattr(w, row.actor)
    url = row.url.format(w=w)
    data = {_fill(k, w): _fill(v, w) for k, v in row.data.items()}
    if row.api:
        return getattr(api_as(user), row.method)(url, data, format="json")
    return client_as(user).post(url, {**CONFIRMED, **data})


def trail_count(trail: str, user) -> int:
    """How many records of the kind ``trail`` names are the user's (``None``: made with nobody logged in)."""
    kind, what = trail.split(":", 1)
    if kind == "event":
        return AuditEvent.objects.filter(action=what, actor_id=getattr(user, "pk", None)).count()
    return apps.get_model(what).history.filter(history_user_id=user.pk).count()


# --- Acts that need something set up first ------------------------------------------------------------


def confirmed(w) -> Meeting:
    Meeting.objects.filter(pk=w.m_acc.pk).update(status=Meeting.Status.CONFIRMED)
    return w.m_acc


def record_attendance(w):
    m = confirmed(w)
    return api_as(w.secretariat).post(
        "/api/v1/attendance/", {"meeting": m.pk, "person": w.delegate.person.pk, "present": True}
    )


def adopt_agenda(w):
    m = confirmed(w)
    return client_as(w.secretariat).post(reverse("meetings:agenda_adopt", args=[m.pk, 1]), CONFIRMED)


def change_password(w):
    w.delegate.set_password("Old-Password-2026")
    w.delegate.save()
    AuditEvent.objects.filter(action="password").delete()  # the fixture's own setting, not the act
    return client_as(w.delegate).post(
        reverse("password_change"),
        {"old_password": "Old-Password-2026", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def reset_password(w):
    user = w.delegate
    c = Client()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    r = c.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    return c.post(r.request["PATH_INFO"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def welcome(w):
    """The invitation link of a new account: the new user sets a password."""
    from governance.accounts import invitation_token_generator, user_invite

    user = user_invite(email="newcomer@example.org", full_name="New Comer", invited_by=w.secretariat)
    c = Client()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    r = c.get(
        reverse("account_welcome", args=[uid, invitation_token_generator.make_token(user)]), follow=True
    )
    w.newcomer = user
    return c.post(r.request["PATH_INFO"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def log_in(w):
    w.delegate.set_password(NEW_PASSWORD)
    w.delegate.save()
    return Client().post(reverse("login"), {"username": "delegate", "password": NEW_PASSWORD})


def log_out(w):
    return client_as(w.delegate).post(reverse("logout"))


def fail_login(w):
    return Client().post(
        reverse("login"), {"username": "delegate", "password": "wrong"}, REMOTE_ADDR="10.1.2.3"
    )


def request_reset(w):
    return Client().post(reverse("password_reset"), {"email": w.delegate.email}, REMOTE_ADDR="10.1.2.4")


def download_confidential(w):
    return client_as(w.secretariat).get(
        reverse("meetings:document_download", args=[w.doc_confidential.pk]), REMOTE_ADDR="10.4.5.6"
    )


def api_delete(path: str, make: Callable) -> Callable:
    """DELETE of a row made for the purpose (the scene's own rows are referred to by others)."""

    def call(w):
        return api_as(w.secretariat).delete(path.format(pk=make(w).pk))

    return call


def new_state(w):
    from governance.models import MemberState

    return MemberState.objects.create(
        short_name="Testland",
        official_name="Republic of Testland",
        iso2="XT",
        iso3="XTL",
        capital="Testville",
        timezone="Asia/Jakarta",
        admitted_on=dt.date(2030, 1, 1),
    )


def new_body(w):
    from tests.world.people import body_make

    return body_make("SPARE2", kind="task_force", chair_policy="designated")


def new_person(w):
    from governance.models import Person

    return Person.objects.create(full_name="Spare Person")


def new_item(w):
    from meetings.models import AgendaItem

    return AgendaItem.objects.create(meeting=w.m_acc, title="Spare item", position=9)


def upload_document(w, *, api: bool):
    data = {"title": "Paper", "kind": "working_paper", "classification": "1", "file": pdf_file()}
    if api:
        return api_as(w.secretariat).post(
            "/api/v1/documents/", {**data, "meeting": w.m_acc.pk}, format="multipart"
        )
    return client_as(w.secretariat).post(reverse("meetings:document_upload", args=[w.m_acc.pk]), data)


def open_procedure(w):
    return client_as(w.secretariat).post(
        reverse("meetings:procedure_new"),
        {
            "body": w.accmsme.pk,
            "title": "Endorse the plan",
            "text": "Do you endorse it?",
            "deadline": "2095-01-10T17:00",
            "rule": "silence",
        },
    )


def a_procedure(w):
    from meetings.services.written_procedure import written_procedure_open

    return written_procedure_open(
        body=w.accmsme,
        title="Endorse",
        text="Endorse?",
        rule="silence",
        deadline=timezone.make_aware(dt.datetime(2095, 1, 10, 17, 0)),
        actor=w.secretariat,
    )


def answer_procedure(w, *, api: bool):
    procedure = a_procedure(w)
    if api:
        return api_as(w.chair).post(
            f"/api/v1/written-procedures/{procedure.pk}/answer/",
            {"member_state": "PH", "answer": "concur"},
            format="json",
        )
    return client_as(w.chair).post(
        reverse("meetings:procedure_answer", args=[procedure.pk]),
        {"member_state": w.ph.pk, "answer": "concur"},
    )


def withdraw_procedure(w, *, api: bool):
    procedure = a_procedure(w)
    if api:
        return api_as(w.secretariat).post(
            f"/api/v1/written-procedures/{procedure.pk}/withdraw/", {"reason": "Overtaken"}, format="json"
        )
    return client_as(w.secretariat).post(
        reverse("meetings:procedure_withdraw", args=[procedure.pk]), {"reason": "Overtaken"}
    )


def record_minutes(w):
    """The record sheet as drawn (attendance, every item, every open action), with one item's minutes."""
    from django import forms

    confirmed(w)
    c = client_as(w.secretariat)
    url = reverse("meetings:record", args=[w.m_acc.pk])
    form = c.get(url).context["form"]
    data = {}
    for name, form_field in form.fields.items():
        value = form[name].value()
        if isinstance(form_field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    data[f"minutes_{w.item.pk}"] = "Discussed"
    return c.post(url, data)


def itip(w):
    inv = w.inv_delegate
    body = itip_reply(
        uid=inv.meeting.uid, seq=inv.meeting.sequence, partstat="ACCEPTED", email=w.delegate.email
    )
    return api_as(w.delegate).post("/api/v1/itip/reply/", body, content_type="text/calendar")


def outbox_message(w, status: str) -> Message:
    return Message.objects.create(
        kind="invite",
        key=f"audit-{status}",
        recipient="someone@example.org",
        status=status,
        due_at=timezone.now(),
    )


def outbox_retry(w):
    m = outbox_message(w, Message.Status.FAILED)
    return client_as(w.secretariat).post(reverse("outbox:retry", args=[m.pk]))


def outbox_retry_failed(w):
    outbox_message(w, Message.Status.FAILED)
    return client_as(w.secretariat).post(reverse("outbox:retry-failed"))


def outbox_held(w):
    outbox_message(w, Message.Status.HELD)
    return client_as(w.secretariat).post(reverse("outbox:held"), {"decision": "release"})


def plan_meetings(w):
    """The year plan: one proposed meeting kept."""
    p = "p1"
    data = {
        "keys": [p],
        f"{p}-include": "on",
        f"{p}-key": "k1",
        f"{p}-body": w.accmsme.pk,
        f"{p}-title": "Planned",
    }
    data |= {
        f"{p}-start": "2091-03-10T09:00",
        f"{p}-end": "2091-03-11T17:00",
        f"{p}-timezone": "Asia/Jakarta",
    }
    return client_as(w.secretariat).post(reverse("meetings:plan"), data)


# --- The state an act needs (the scene's meetings are planned, its report submitted ...) --------------


def confirm_other(w) -> None:
    Meeting.objects.filter(pk=w.m_other.pk).update(status=Meeting.Status.CONFIRMED)


def public_meeting_past(w) -> None:
    start = timezone.make_aware(dt.datetime(2020, 5, 20, 9, 0))
    Meeting.objects.filter(pk=w.m_pub.pk).update(
        start=start, end=start + dt.timedelta(days=2), status=Meeting.Status.CONFIRMED
    )


def a_later_term(w) -> None:
    from chairmanship.models import ChairTerm

    w.term_3001 = ChairTerm.objects.create(
        body=w.accmsme, member_state=w.id, start_date=dt.date(3001, 1, 1), end_date=dt.date(3001, 12, 31)
    )


def next_handover_cancelled(w) -> None:
    from chairmanship.models import Handover

    Handover.objects.filter(pk=w.next_handover.pk).update(status=Handover.Status.CANCELLED)


def report_generated(w) -> None:
    from meetings.models import Report

    # Held in the past: a report is adopted on a day that has come.
    start = timezone.make_aware(dt.datetime(2020, 5, 20, 9, 0))
    Meeting.objects.filter(pk=w.m_other.pk).update(
        start=start, end=start + dt.timedelta(days=2), status=Meeting.Status.HELD
    )
    Report.objects.filter(pk=w.report_other.pk).update(html="<p>Report</p>", generated_at=timezone.now())


def not_yet_submitted(w) -> None:
    w.submission.delete()


def noted_by_seom(w) -> None:
    from meetings.models import Submission

    Submission.objects.filter(pk=w.submission.pk).update(status="noted", outcome_on=dt.date(2090, 6, 10))


S, CHAIR, DELEGATE, ANONYMOUS = "secretariat", "chair", "delegate", "anonymous"
API = {"api": True}

ROWS = [
    # --- Accounts: the account events are AuditEvents (governance/auth_audit.py) -----------------------
    Row("login", ("post", "put"), DELEGATE, "event:login", call=log_in),
    Row("logout", ("post",), DELEGATE, "event:logout", call=log_out),
    Row("password_change", ("post", "put"), DELEGATE, "event:password", call=change_password),
    # Never saying whether the address is known: recorded with its client address, by nobody.
    Row("password_reset", ("post", "put"), ANONYMOUS, "event:password_reset_requested", call=request_reset),
    Row("password_reset_confirm", ("post", "put"), DELEGATE, "event:password", call=reset_password),
    Row(
        "account_invite",
        ("post",),
        S,
        "event:account",
        "/accounts/invite/",
        data={"email": "invitee@example.org", "full_name": "In Vitee", "member_state": "{w.id.pk}"},
    ),
    Row("account_welcome", ("post", "put"), "newcomer", "event:password", call=welcome),
    Row(
        "profile",
        ("post",),
        DELEGATE,
        "history:governance.Person",
        "/accounts/profile/",
        data={"timezone": "Asia/Tokyo"},
    ),
    Row(
        "profile_feed_rotate",
        ("post",),
        DELEGATE,
        "event:feed_token_rotated",
        "/accounts/profile/feed/rotate/",
    ),
    # --- Governance API: simple-history ---------------------------------------------------------------
    Row(
        "memberstate-list",
        ("post",),
        S,
        "history:governance.MemberState",
        "/api/v1/member-states/",
        data={
            "short_name": "Timor-Leste",
            "official_name": "Democratic Republic of Timor-Leste",
            "iso2": "TL",
            "iso3": "TLS",
            "capital": "Dili",
            "timezone": "Asia/Dili",
            "admitted_on": "2025-10-26",
        },
        **API,
    ),
    Row(
        "memberstate-detail",
        ("patch", "put"),
        S,
        "history:governance.MemberState",
        "/api/v1/member-states/{w.th.pk}/",
        "patch",
        {"zone_label": "Bangkok time"},
        **API,
    ),
    Row(
        "memberstate-detail",
        ("delete",),
        S,
        "history:governance.MemberState",
        call=api_delete("/api/v1/member-states/{pk}/", new_state),
    ),
    Row(
        "strategicplan-list",
        ("post",),
        S,
        "history:governance.StrategicPlan",
        "/api/v1/strategic-plans/",
        data={"short_name": "SAP26", "name": "SAP SMED 2026", "period_start": 2026, "period_end": 2035},
        **API,
    ),
    Row(
        "strategicplan-detail",
        ("patch", "put"),
        S,
        "history:governance.StrategicPlan",
        "/api/v1/strategic-plans/{w.plan.pk}/",
        "patch",
        {"name": "SAP SMED (revised)"},
        **API,
    ),
    Row(
        "strategicplan-detail",
        ("delete",),
        S,
        "history:governance.StrategicPlan",
        "/api/v1/strategic-plans/{w.plan.pk}/",
        "delete",
        **API,
    ),
    Row(
        "body-list",
        ("post",),
        S,
        "history:governance.Body",
        "/api/v1/bodies/",
        data={"acronym": "TFY", "name": "Task force Y", "kind": "task_force", "chair_policy": "designated"},
        **API,
    ),
    Row(
        "body-detail",
        ("patch", "put"),
        S,
        "history:governance.Body",
        "/api/v1/bodies/{w.accmsme.pk}/",
        "patch",
        {"mandate": "Changed"},
        **API,
    ),
    Row(
        "body-detail",
        ("delete",),
        S,
        "history:governance.Body",
        call=api_delete("/api/v1/bodies/{pk}/", new_body),
    ),
    Row(
        "reportingline-list",
        ("post",),
        S,
        "history:governance.ReportingLine",
        "/api/v1/reporting-lines/",
        data={"from_body": "{w.spare.pk}", "to_body": "{w.accmsme.pk}", "kind": "advises"},
        **API,
    ),
    Row(
        "reportingline-detail",
        ("patch", "put"),
        S,
        "history:governance.ReportingLine",
        "/api/v1/reporting-lines/{w.line.pk}/",
        "patch",
        {"source": "Checked"},
        **API,
    ),
    Row(
        "reportingline-detail",
        ("delete",),
        S,
        "history:governance.ReportingLine",
        "/api/v1/reporting-lines/{w.line.pk}/",
        "delete",
        **API,
    ),
    Row(
        "person-list",
        ("post",),
        S,
        "history:governance.Person",
        "/api/v1/people/",
        data={"full_name": "New Person", "member_state": "{w.id.pk}"},
        **API,
    ),
    Row(
        "person-detail",
        ("patch", "put"),
        S,
        "history:governance.Person",
        "/api/v1/people/{w.guest.person.pk}/",
        "patch",
        {"position": "Director"},
        **API,
    ),
    Row(
        "person-detail",
        ("delete",),
        S,
        "history:governance.Person",
        call=api_delete("/api/v1/people/{pk}/", new_person),
    ),
    Row(
        "membership-list",
        ("post",),
        S,
        "history:governance.Membership",
        "/api/v1/memberships/",
        data={
            "person": "{w.guest.person.pk}",
            "body": "{w.aem.pk}",
            "organisation": "{w.meti.pk}",
            "role": "observer",
            "start_date": "2000-01-01",
        },
        **API,
    ),
    Row(
        "membership-detail",
        ("patch", "put"),
        S,
        "history:governance.Membership",
        "/api/v1/memberships/{w.seat_delegate.pk}/",
        "patch",
        {"start_date": "2001-01-01"},
        **API,
    ),
    Row(
        "membership-detail",
        ("delete",),
        S,
        "history:governance.Membership",
        "/api/v1/memberships/{w.seat_delegate.pk}/",
        "delete",
        **API,
    ),
    # --- Chairmanship ---------------------------------------------------------------------------------
    Row(
        "chairterm-list",
        ("post",),
        S,
        "history:chairmanship.ChairTerm",
        "/api/v1/chair-terms/",
        data={
            "body": "{w.spare.pk}",
            "member_state": "{w.sg.pk}",
            "start_date": "2001-01-01",
            "end_date": "2001-12-31",
        },
        **API,
    ),
    Row(
        "chairterm-detail",
        ("patch", "put"),
        S,
        "history:chairmanship.ChairTerm",
        "/api/v1/chair-terms/{w.spare_term.pk}/",
        "patch",
        {"reason": "Recorded"},
        **API,
    ),
    Row(
        "chairterm-detail",
        ("delete",),
        S,
        "history:chairmanship.ChairTerm",
        "/api/v1/chair-terms/{w.spare_term.pk}/",
        "delete",
        **API,
    ),
    Row(
        "handover-list",
        ("post",),
        S,
        "history:chairmanship.Handover",
        "/api/v1/handovers/",
        data={
            "outgoing_term": "{w.next_term.pk}",
            "incoming_term": "{w.term_3001.pk}",
            "effective_date": "3001-01-01",
        },
        **API,
        given=a_later_term,
    ),
    Row(
        "handover-complete",
        ("post",),
        S,
        "event:handover_completed",
        "/api/v1/handovers/{w.next_handover.pk}/complete/",
        data={"bring_forward": True},
        **API,
    ),
    Row(
        "handover-item",
        ("patch",),
        S,
        "history:chairmanship.HandoverItem",
        "/api/v1/handovers/{w.next_handover.pk}/items/{w.next_item.pk}/",
        "patch",
        {"comment": "Done"},
        **API,
    ),
    Row(
        "chairmanship:handover_item",
        ("post",),
        S,
        "history:chairmanship.HandoverItem",
        "/chairmanship/handovers/{w.next_handover.pk}/items/{w.next_item.pk}/",
        data={"tick": "1", "is_done": "on"},
    ),
    Row(
        "chairmanship:handover_checklist",
        ("post",),
        S,
        "history:chairmanship.HandoverItem",
        "/chairmanship/handovers/{w.next_handover.pk}/checklist/",
        data={"comment_{w.next_item.pk}": "noted"},
    ),
    Row(
        "chairmanship:handover_complete",
        ("post",),
        S,
        "event:handover_completed",
        "/chairmanship/handovers/{w.next_handover.pk}/complete/",
        data={"bring_forward": "on"},
    ),
    Row(
        "chairmanship:handover_refresh",
        ("post",),
        S,
        "event:handover_checklist_refreshed",
        "/chairmanship/handovers/{w.next_handover.pk}/refresh/",
    ),
    Row(
        "chairmanship:handover_plan",
        ("post",),
        S,
        "event:handover_planned",
        "/chairmanship/ACCMSME/handovers/plan/",
        given=next_handover_cancelled,
    ),
    # --- Meetings -------------------------------------------------------------------------------------
    Row(
        "meeting-list",
        ("post",),
        S,
        "history:meetings.Meeting",
        "/api/v1/meetings/",
        data={
            "body": "{w.accmsme.pk}",
            "title": "New",
            "start": "2091-01-10T09:00:00",
            "end": "2091-01-11T17:00:00",
            "timezone": "Asia/Jakarta",
            "modality": "in_person",
        },
        **API,
    ),
    Row(
        "meeting-detail",
        ("patch", "put"),
        S,
        "history:meetings.Meeting",
        "/api/v1/meetings/{w.m_acc.pk}/",
        "patch",
        {"venue": "Hall B"},
        **API,
    ),
    Row(
        "meeting-confirm",
        ("post",),
        S,
        "history:meetings.Meeting",
        "/api/v1/meetings/{w.m_acc.pk}/confirm/",
        **API,
    ),
    Row(
        "meeting-cancel",
        ("post",),
        S,
        "history:meetings.Meeting",
        "/api/v1/meetings/{w.m_acc.pk}/cancel/",
        **API,
    ),
    Row(
        "meeting-postpone",
        ("post",),
        S,
        "history:meetings.Meeting",
        "/api/v1/meetings/{w.m_acc.pk}/postpone/",
        **API,
    ),
    Row(
        "meeting-held",
        ("post",),
        S,
        "history:meetings.Meeting",
        "/api/v1/meetings/{w.m_pub.pk}/held/",
        **API,
        given=public_meeting_past,
    ),
    Row(
        "meeting-invite-delegations",
        ("post",),
        S,
        "history:meetings.Invitation",
        "/api/v1/meetings/{w.m_acc.pk}/invite-delegations/",
        **API,
    ),
    Row(
        "meetings:new",
        ("post",),
        S,
        "history:meetings.Meeting",
        "/meetings/new/",
        data={
            "body": "{w.accmsme.pk}",
            "title": "New",
            "start": "2091-01-10T09:00",
            "end": "2091-01-11T17:00",
            "timezone": "Asia/Jakarta",
            "modality": "in_person",
        },
    ),
    Row(
        "meetings:edit",
        ("post",),
        S,
        "history:meetings.Meeting",
        "/meetings/{w.m_acc.pk}/edit/",
        data={
            "body": "{w.accmsme.pk}",
            "title": "Renamed",
            "start": "2090-05-20T09:00",
            "end": "2090-05-22T09:00",
            "timezone": "Asia/Jakarta",
            "modality": "in_person",
        },
    ),
    Row("meetings:plan", ("post",), S, "history:meetings.Meeting", call=plan_meetings),
    Row("meetings:confirm", ("post",), S, "history:meetings.Meeting", "/meetings/{w.m_acc.pk}/confirm/"),
    Row("meetings:cancel", ("post",), S, "history:meetings.Meeting", "/meetings/{w.m_acc.pk}/cancel/"),
    Row(
        "meetings:held",
        ("post",),
        S,
        "history:meetings.Meeting",
        "/meetings/{w.m_pub.pk}/held/",
        given=public_meeting_past,
    ),
    Row("meetings:postpone", ("post",), S, "history:meetings.Meeting", "/meetings/{w.m_acc.pk}/postpone/"),
    # The public page (docs/decisions/0049)
    Row(
        "meetings:publication_publish",
        ("post",),
        S,
        "event:meeting_published",
        "/meetings/{w.m_acc.pk}/public/publish/",
    ),
    Row(
        "meetings:publication_withdraw",
        ("post",),
        S,
        "event:meeting_withdrawn",
        "/meetings/{w.m_pub.pk}/public/withdraw/",
    ),
    Row(
        "meetings:publication_decisions",
        ("post",),
        S,
        "event:decisions_published",
        "/meetings/{w.m_acc.pk}/public/decisions/",
        data={"public": "{w.decision.pk}"},
    ),
    # --- Agenda ---------------------------------------------------------------------------------------
    Row(
        "agenda-item-list",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        "/api/v1/agenda-items/",
        data={"meeting": "{w.m_acc.pk}", "title": "Any other business"},
        **API,
    ),
    Row(
        "agenda-item-detail",
        ("patch", "put"),
        S,
        "history:meetings.AgendaItem",
        "/api/v1/agenda-items/{w.item.pk}/",
        "patch",
        {"title": "Reworded"},
        **API,
    ),
    Row(
        "agenda-item-detail",
        ("delete",),
        S,
        "history:meetings.AgendaItem",
        call=api_delete("/api/v1/agenda-items/{pk}/", new_item),
    ),
    Row(
        "agenda-item-move",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        "/api/v1/agenda-items/{w.item.pk}/move/",
        data={"parent": None, "position": 2},
        **API,
    ),
    Row(
        "agenda-item-minutes",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        "/api/v1/agenda-items/{w.item.pk}/minutes/",
        data={"minutes": "Discussed"},
        **API,
    ),
    Row(
        "agenda-version-circulate",
        ("post",),
        S,
        "event:agenda_circulated",
        "/api/v1/agenda-versions/circulate/",
        data={"meeting": "{w.m_acc.pk}"},
        **API,
        given=new_item,
    ),
    Row(
        "agenda-version-adopt",
        ("post",),
        S,
        "event:agenda_adopted",
        "/api/v1/agenda-versions/{w.agenda_v1.pk}/adopt/",
        **API,
        given=confirmed,
    ),
    Row(
        "meetings:agenda",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        "/meetings/{w.m_acc.pk}/agenda/",
        data={"title": "Any other business", "purpose": "discussion"},
    ),
    Row(
        "meetings:agenda_item",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        "/meetings/{w.m_acc.pk}/agenda/items/{w.item.pk}/",
        data={"title": "Reworded", "purpose": "discussion"},
    ),
    Row(
        "meetings:agenda_item_move",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        "/meetings/{w.m_acc.pk}/agenda/items/{w.item.pk}/move/",
        data={"parent": "", "position": "2"},
    ),
    Row(
        "meetings:agenda_item_shift",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        call=lambda w: (
            new_item(w),
            client_as(w.secretariat).post(
                f"/meetings/{w.m_acc.pk}/agenda/items/{w.item.pk}/shift/", {"direction": "down"}
            ),
        )[1],
    ),
    Row(
        "meetings:agenda_item_remove",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        call=lambda w: client_as(w.secretariat).post(
            f"/meetings/{w.m_acc.pk}/agenda/items/{new_item(w).pk}/remove/", CONFIRMED
        ),
    ),
    Row(
        "meetings:agenda_usual",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        "/meetings/{w.m_seom.pk}/agenda/usual/",
    ),
    Row(
        "meetings:agenda_standing",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        "/meetings/{w.m_acc.pk}/agenda/standing/",
    ),
    Row(
        "meetings:agenda_circulate",
        ("post",),
        S,
        "event:agenda_circulated",
        "/meetings/{w.m_acc.pk}/agenda/circulate/",
        given=new_item,
    ),
    Row("meetings:agenda_adopt", ("post",), S, "event:agenda_adopted", call=adopt_agenda),
    # --- Documents ------------------------------------------------------------------------------------
    Row(
        "document-list",
        ("post",),
        S,
        "history:meetings.Document",
        call=lambda w: upload_document(w, api=True),
    ),
    Row(
        "meetings:document_upload",
        ("post",),
        S,
        "history:meetings.Document",
        call=lambda w: upload_document(w, api=False),
    ),
    # --- Participation --------------------------------------------------------------------------------
    Row(
        "invitation-list",
        ("post",),
        S,
        "history:meetings.Invitation",
        "/api/v1/invitations/",
        data={"meeting": "{w.m_acc.pk}", "person": "{w.former_chair.person.pk}", "member_state": "{w.my.pk}"},
        **API,
    ),
    Row(
        "invitation-withdraw",
        ("post",),
        S,
        "history:meetings.Invitation",
        "/api/v1/invitations/{w.inv_head.pk}/withdraw/",
        **API,
    ),
    Row("attendance-list", ("post",), S, "event:attendance", call=record_attendance),
    Row(
        "meetings:participants_invite_delegations",
        ("post",),
        S,
        "history:meetings.Invitation",
        "/meetings/{w.m_acc.pk}/participants/delegations/",
    ),
    Row(
        "meetings:participants_invite_person",
        ("post",),
        S,
        "history:meetings.Invitation",
        "/meetings/{w.m_acc.pk}/participants/invite/",
        data={"person": "{w.former_chair.person.pk}", "role": "REQ-PARTICIPANT"},
    ),
    Row(
        "meetings:participants_register_delegation",
        ("post",),
        "head",
        "history:meetings.Invitation",
        "/meetings/{w.m_acc.pk}/participants/delegation/",
        data={"member_state": "{w.sg.pk}", "full_name": "New Singaporean", "title": "Officer"},
    ),
    Row(
        "meetings:invitation_withdraw",
        ("post",),
        "head",
        "history:meetings.Invitation",
        "/meetings/{w.m_acc.pk}/participants/{w.inv_head.pk}/withdraw/",
    ),
    Row(
        "meetings:rsvp",
        ("post",),
        DELEGATE,
        "history:meetings.Invitation",
        "/meetings/{w.m_acc.pk}/rsvp/",
        data={"answer": "accept"},
    ),
    Row("itip-reply", ("post",), DELEGATE, "history:meetings.Invitation", call=itip),
    # --- The record -----------------------------------------------------------------------------------
    Row(
        "meetings:record",
        ("post",),
        S,
        "history:meetings.AgendaItem",
        call=record_minutes,
    ),
    Row(
        "meetings:record_decision_delete",
        ("post",),
        S,
        "history:meetings.Decision",
        "/meetings/{w.m_acc.pk}/record/decisions/delete/",
        data={"decision": "{w.decision.pk}"},
        given=confirmed,
    ),
    Row(
        "decision-list",
        ("post",),
        S,
        "history:meetings.Decision",
        "/api/v1/decisions/",
        data={"meeting": "{w.m_acc.pk}", "agenda_item": "{w.item.pk}", "kind": "noted", "text": "Noted"},
        **API,
        given=confirmed,
    ),
    Row(
        "decision-detail",
        ("patch", "put"),
        S,
        "history:meetings.Decision",
        "/api/v1/decisions/{w.decision.pk}/",
        "patch",
        {"text": "Agreed, as amended"},
        **API,
        given=confirmed,
    ),
    Row(
        "decision-detail",
        ("delete",),
        S,
        "history:meetings.Decision",
        "/api/v1/decisions/{w.decision.pk}/",
        "delete",
        **API,
        given=confirmed,
    ),
    Row(
        "action-item-list",
        ("post",),
        S,
        "history:meetings.ActionItem",
        "/api/v1/action-items/",
        data={"meeting": "{w.m_acc.pk}", "title": "Follow up", "owner_state": "{w.sg.pk}"},
        **API,
        given=confirmed,
    ),
    Row(
        "action-item-detail",
        ("patch", "put"),
        DELEGATE,
        "history:meetings.ActionItem",
        "/api/v1/action-items/{w.action.pk}/",
        "patch",
        {"status": "in_progress"},
        **API,
    ),
    Row(
        "portal:action_item_update",
        ("post",),
        DELEGATE,
        "history:meetings.ActionItem",
        "/action-items/{w.action.pk}/update/",
        data={"status": "in_progress", "progress_note": "Under way"},
    ),
    # --- Reports --------------------------------------------------------------------------------------
    Row(
        "report-generate",
        ("post",),
        S,
        "event:report_requested",
        "/api/v1/reports/generate/",
        data={"meeting": "{w.m_other.pk}"},
        **API,
        given=confirm_other,
    ),
    Row(
        "meetings:report_generate",
        ("post",),
        S,
        "event:report_requested",
        "/meetings/{w.m_other.pk}/report/generate/",
        given=confirm_other,
    ),
    Row(
        "report-adopt",
        ("post",),
        S,
        "history:meetings.Report",
        "/api/v1/reports/{w.report_other.pk}/adopt/",
        data={"adoption_mode": "at_meeting", "adopted_on": "2020-05-22"},
        **API,
        given=report_generated,
    ),
    Row(
        "meetings:report_adopt",
        ("post",),
        S,
        "history:meetings.Report",
        "/meetings/{w.m_other.pk}/report/adopt/",
        data={"adoption_mode": "at_meeting", "adopted_on": "2020-05-22"},
        given=report_generated,
    ),
    Row(
        "report-submit",
        ("post",),
        S,
        "history:meetings.Submission",
        "/api/v1/reports/{w.report.pk}/submit/",
        data={"submitted_on": "2090-06-02"},
        **API,
        given=not_yet_submitted,
    ),
    Row(
        "meetings:report_submit",
        ("post",),
        S,
        "history:meetings.Submission",
        "/meetings/{w.m_acc.pk}/report/submit/",
        data={"submitted_on": "2090-06-02"},
        given=not_yet_submitted,
    ),
    Row(
        "submission-record-outcome",
        ("post",),
        S,
        "history:meetings.Submission",
        "/api/v1/submissions/{w.submission.pk}/outcome/",
        data={"status": "noted", "outcome_on": "2090-06-10", "outcome": "Noted"},
        **API,
    ),
    Row(
        "meetings:submission_outcome",
        ("post",),
        S,
        "history:meetings.Submission",
        "/submissions/{w.submission.pk}/outcome/",
        data={"status": "noted", "outcome_on": "2090-06-10", "outcome": "Noted"},
    ),
    Row(
        "submission-forward",
        ("post",),
        S,
        "history:meetings.Submission",
        "/api/v1/submissions/{w.submission.pk}/forward/",
        data={"submitted_on": "2090-07-01"},
        **API,
        given=noted_by_seom,
    ),
    Row(
        "meetings:submission_forward",
        ("post",),
        S,
        "history:meetings.Submission",
        "/submissions/{w.submission.pk}/forward/",
        data={"submitted_on": "2090-06-11"},
        given=noted_by_seom,
    ),
    # --- Written procedures ---------------------------------------------------------------------------
    Row(
        "written-procedure-list",
        ("post",),
        S,
        "event:procedure_opened",
        "/api/v1/written-procedures/",
        data={
            "body": "ACCMSME",
            "title": "Endorse",
            "text": "Endorse?",
            "rule": "silence",
            "deadline": "2095-01-10T17:00",
        },
        **API,
    ),
    Row(
        "written-procedure-answer",
        ("post",),
        CHAIR,
        "event:procedure_answered",
        call=lambda w: answer_procedure(w, api=True),
    ),
    Row("meetings:procedure_new", ("post",), S, "event:procedure_opened", call=open_procedure),
    Row(
        "written-procedure-withdraw",
        ("post",),
        S,
        "event:procedure_withdrawn",
        call=lambda w: withdraw_procedure(w, api=True),
    ),
    Row(
        "meetings:procedure_withdraw",
        ("post",),
        S,
        "event:procedure_withdrawn",
        call=lambda w: withdraw_procedure(w, api=False),
    ),
    Row(
        "meetings:procedure_answer",
        ("post",),
        CHAIR,
        "event:procedure_answered",
        call=lambda w: answer_procedure(w, api=False),
    ),
    # --- Calendar preferences and the outbox ----------------------------------------------------------
    Row(
        "meetings:my_notifications",
        ("post",),
        DELEGATE,
        "event:notification_preferences",
        "/calendar/notifications/",
        data={"delivery": "digest"},
    ),
    Row("outbox:retry", ("post",), S, "event:outbox_retry", call=outbox_retry),
    Row("outbox:retry-failed", ("post",), S, "event:outbox_retry", call=outbox_retry_failed),
    Row("outbox:held", ("post",), S, "event:outbox_held", call=outbox_held),
]

# Routes that take a write but change nothing a person did: each with its reason.
EXEMPT = {
    ("meetings:rsvp_link", "post"): "nobody is logged in: test_an_answer_by_rsvp_link_is_the_invitees",
    # Called by the mail provider, signed, with nobody logged in: each answer it carries is saved on the
    # invitation's history as the invitee's, as an iTIP reply is (the itip-reply row).
    ("meetings:itip_webhook", "post"): "the mail provider's signed webhook; answers are the invitees'",
    ("meetings:itip_webhook_provider", "post"): "the same webhook for the other providers",
    # Asks for a copy of what the reader may already download; the job row keeps who asked (requested_by).
    ("meetings:pack_build", "post"): "queues the reader's own pack; PackBuild.requested_by names them",
}


def test_every_state_changing_route_has_a_row():
    """The URL configuration against the table: a new route that takes a write needs its row (or a reason)."""
    covered = {(row.name, method) for row in ROWS for method in row.methods}
    routes = state_changing_routes()
    missing = sorted(
        f"{name} {method.upper()} {route}"
        for (name, method), route in routes.items()
        if (name, method) not in covered and (name, method) not in EXEMPT
    )
    assert not missing, "routes that change state without a row in the audit table:\n" + "\n".join(missing)
    stale = sorted(f"{n} {m}" for n, m in covered | set(EXEMPT) if (n, m) not in routes)
    assert not stale, f"rows for routes that no longer take that method: {stale}"


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_the_change_is_in_the_audit_trail_with_its_actor(roles, row):
    if row.given is not None:
        row.given(roles)
    actor = getattr(roles, row.actor, None)
    before = trail_count(row.trail, actor) if actor is not None or row.actor == ANONYMOUS else 0
    r = act(row, roles)
    assert r.status_code < 400, (r.status_code, r.content[:300])
    actor = getattr(roles, row.actor)  # the welcome row's newcomer exists only now
    assert trail_count(row.trail, actor) > before, f"{row.id}: no {row.trail} by {row.actor}"


def test_a_failed_login_names_its_target_and_address(roles):
    """Nobody is logged in: the event names the account tried and where the attempt came from."""
    before = AuditEvent.objects.filter(action="login_failed").count()
    r = fail_login(roles)
    assert r.status_code < 400
    events = AuditEvent.objects.filter(action="login_failed").order_by("-id")
    assert events.count() == before + 1
    event = events.first()
    assert event.actor is None and event.object_id == roles.delegate.pk
    assert event.data["ip"] == "10.1.2.3"


def test_a_confidential_copy_is_recorded_with_where_it_went(roles):
    r = download_confidential(roles)
    assert r.status_code == 200
    event = AuditEvent.objects.filter(action="copy_issued").order_by("-id").first()
    assert event.actor_id == roles.secretariat.pk
    assert event.data["ip"] == "10.4.5.6"


def test_an_answer_by_rsvp_link_is_the_invitees(roles):
    """Nobody is logged in when the link is followed: the history names the invitee, not nobody."""
    inv = roles.inv_delegate
    url = rsvp_url(inv, "ACCEPTED").split("://", 1)[-1].split("/", 1)[-1]
    r = Client().post("/" + url)
    assert r.status_code < 400
    inv = Invitation.objects.get(pk=inv.pk)
    assert inv.partstat == "ACCEPTED"
    last = inv.history.order_by("-history_id").first()
    assert last.history_user_id == roles.delegate.pk
