"""The rights engine: rights derived from memberships, chair terms and invitations, kept in step by the
services that write them and the periodic job, checked cheaply, and the same answer from the boolean checks and the queryset
filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chairmanship import rights as CR
from chairmanship.services import chair_term_delete, chair_term_save
from governance import permissions as P
from governance import rights as R
from governance.accounts import user_save
from governance.models import AuditEvent, BodyUserObjectPermission, Membership
from governance.services import membership_delete, membership_save, person_delete, person_save
from meetings import permissions as MP
from meetings import rights as MR
from meetings.models import AgendaItem, Document, Invitation, Meeting, MeetingUserObjectPermission
from meetings.selectors import meeting_documents
from meetings.services.participation import invitation_add, invitation_withdraw
from tests.permission_world import SINCE, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def rights(user) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for acronym, code in BodyUserObjectPermission.objects.filter(user=user).values_list(
        "content_object__acronym", "permission__codename"
    ):
        out.setdefault(acronym, set()).add(code)
    return out


def meeting_rights(user) -> set[str]:
    return set(
        MeetingUserObjectPermission.objects.filter(user=user).values_list("content_object__title", flat=True)
    )


def fresh(user):
    """The user as a new request would load it (no cached answers)."""
    return type(user).objects.select_related("person").get(pk=user.pk)


# --- What each role holds ----------------------------------------------------------------------------


def test_each_role_holds_the_rights_of_the_issue(w):
    assert rights(w.secretariat) == {}  # the Secretariat needs no rows: it may do everything
    assert rights(w.chair) == {"ACCMSME": P.CHAIR_RIGHTS | P.ROLE_RIGHTS["head"]}
    assert P.MANAGE in rights(w.chair)["ACCMSME"]
    assert rights(w.head) == {"ACCMSME": {P.VIEW, P.RESTRICTED, P.CONFIDENTIAL, P.SUBMISSIONS}}
    assert rights(w.delegate) == {"ACCMSME": {P.VIEW, P.RESTRICTED, P.SUBMISSIONS}}
    assert rights(w.observer) == {"ACCMSME": {P.OBSERVE}}
    assert rights(w.seom) == {"SEOM": {P.VIEW, P.RESTRICTED, P.SUBMISSIONS}}
    # The former chair is still head of Malaysia's delegation, but no longer manages the body.
    assert rights(w.former_chair) == {"ACCMSME": {P.VIEW, P.RESTRICTED, P.CONFIDENTIAL, P.SUBMISSIONS}}
    assert rights(w.guest) == {}
    assert meeting_rights(w.guest) == {"Mtg-ACC-private"}


def test_sync_is_idempotent_and_audited(w):
    assert R.sync_user_rights(w.chair) == (0, 0)
    Membership.objects.filter(person=w.delegate.person).update(role="observer")  # no signal
    n_events = AuditEvent.objects.filter(action="rights", object_id=w.delegate.pk).count()
    granted, withdrawn = R.sync_user_rights(w.delegate)
    assert (granted, withdrawn) == (1, 3)
    assert rights(w.delegate) == {"ACCMSME": {P.OBSERVE}}
    event = AuditEvent.objects.filter(action="rights", object_id=w.delegate.pk).first()
    assert AuditEvent.objects.filter(action="rights", object_id=w.delegate.pk).count() == n_events + 1
    assert "granted observe_body on ACCMSME" in event.summary
    assert "withdrew read_restricted on ACCMSME" in event.summary


def test_rights_follow_the_membership_dates(w):
    m = Membership.objects.get(person=w.delegate.person)
    m.end_date = dt.date(2026, 6, 30)
    m.save()
    R.sync_user_rights(w.delegate, on=dt.date(2026, 6, 30))
    assert P.VIEW in rights(w.delegate)["ACCMSME"]  # the end date is the last day
    R.sync_user_rights(w.delegate, on=dt.date(2026, 7, 1))
    assert rights(w.delegate) == {}


def test_chair_rights_go_to_the_named_chair_person_and_the_chairing_states_head(w, make_user):
    from chairmanship.models import ChairTerm

    ChairTerm.objects.filter(pk=w.term.pk).update(chair_person=w.delegate.person)
    R.sync_user_rights(w.delegate)
    R.sync_user_rights(w.chair)
    assert P.MANAGE in rights(w.delegate)["ACCMSME"]
    assert P.MANAGE in rights(w.chair)["ACCMSME"]  # head of the chairing state: both hold it
    assert P.MANAGE not in rights(w.head)["ACCMSME"]
    # A vice-chair does not manage the body.
    ChairTerm.objects.create(
        body=w.seom_body, member_state=w.th, role="vice_chair", start_date=SINCE, end_date=SINCE
    )
    assert CR.chair_body_ids(w.seom.person, on=SINCE) == set()


def test_a_handover_moves_manage_rights_on_the_effective_day(w):
    from chairmanship.models import ChairTerm

    ChairTerm.objects.filter(pk=w.term.pk).update(end_date=dt.date(2026, 12, 31))
    ChairTerm.objects.create(
        body=w.accmsme, member_state=w.sg, start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 12, 31)
    )
    for user in (w.chair, w.head):
        R.sync_user_rights(user, on=dt.date(2026, 12, 31))
    assert P.MANAGE in rights(w.chair)["ACCMSME"] and P.MANAGE not in rights(w.head)["ACCMSME"]
    for user in (w.chair, w.head):
        R.sync_user_rights(user, on=dt.date(2027, 1, 1))
    assert P.MANAGE not in rights(w.chair)["ACCMSME"] and P.MANAGE in rights(w.head)["ACCMSME"]


def test_a_handover_takes_effect_at_midnight_in_the_bodys_zone(w):
    from chairmanship.models import ChairTerm

    ChairTerm.objects.filter(pk=w.term.pk).update(end_date=dt.date(2026, 12, 31))
    ChairTerm.objects.create(
        body=w.accmsme, member_state=w.sg, start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 12, 31)
    )
    # 16:30 UTC on 31 Dec: 23:30 in Jakarta (UTC+7), already 00:30 on 1 Jan in Manila (UTC+8).
    now = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)
    assert CR.chair_body_ids(w.head.person, now=now) == set()  # Jakarta, the default: not yet
    assert CR.chair_body_ids(w.chair.person, now=now) == {w.accmsme.pk}
    w.accmsme.handover_timezone = "Asia/Manila"
    w.accmsme.save()
    assert CR.chair_body_ids(w.head.person, now=now) == {w.accmsme.pk}
    assert CR.chair_body_ids(w.chair.person, now=now) == set()
    R.sync_user_rights(w.head, now=now)
    assert P.MANAGE in rights(w.head)["ACCMSME"]


# --- Services: every write moves the rights ----------------------------------------------------------


def test_membership_create_update_delete_and_move_resync(w, make_user):
    newcomer = make_user("newcomer", state=w.th)
    m = membership_save(
        membership=Membership(
            person=newcomer.person, body=w.aem, member_state=w.th, role="delegate", start_date=SINCE
        )
    )
    assert rights(newcomer) == {"AEM": {P.VIEW, P.RESTRICTED, P.SUBMISSIONS}}
    m.role = "observer"
    membership_save(membership=m)
    assert rights(newcomer) == {"AEM": {P.OBSERVE}}
    m.person = w.seom.person  # moved to another person: the first loses, the second gains
    membership_save(membership=m)
    assert rights(newcomer) == {}
    assert rights(w.seom)["AEM"] == {P.OBSERVE}
    m.end_date = dt.date(2001, 1, 1)  # ended long ago
    membership_save(membership=m)
    assert "AEM" not in rights(w.seom)
    m.end_date = None
    membership_save(membership=m)
    membership_delete(membership=m)
    assert "AEM" not in rights(w.seom)


def test_a_rolled_back_membership_leaves_no_right(w, make_user):
    newcomer = make_user("newcomer", state=w.th)
    with pytest.raises(RuntimeError), transaction.atomic():
        membership_save(
            membership=Membership(
                person=newcomer.person, body=w.aem, member_state=w.th, role="delegate", start_date=SINCE
            )
        )
        assert rights(newcomer)  # granted inside the transaction ...
        raise RuntimeError
    assert rights(newcomer) == {}  # ... and gone with it


def test_chair_term_changes_resync_old_and_new_chairs(w):
    w.term.member_state = w.sg  # the term is re-recorded for another state
    chair_term_save(term=w.term)
    assert P.MANAGE not in rights(w.chair)["ACCMSME"]
    assert P.MANAGE in rights(w.head)["ACCMSME"]
    w.term.end_date = dt.date(2001, 1, 1)  # ended long ago
    chair_term_save(term=w.term)
    assert P.MANAGE not in rights(w.head)["ACCMSME"]


def test_deleting_a_chair_term_withdraws_its_rights(w):
    from chairmanship.models import ChairTerm

    term = chair_term_save(
        term=ChairTerm(
            body=w.seom_body, member_state=w.th, start_date=SINCE, end_date=SINCE, chair_person=w.seom.person
        )
    )
    term.end_date = dt.date(2999, 1, 1)
    chair_term_save(term=term)
    assert P.MANAGE in rights(w.seom)["SEOM"]
    chair_term_delete(term=term)
    assert P.MANAGE not in rights(w.seom)["SEOM"]


def test_deactivating_a_user_withdraws_everything_and_revokes_secrets(w):
    person = w.guest.person
    person.feed_token = "t" * 40
    person.save()
    version = w.inv_guest.link_version
    w.delegate.is_active = False
    user_save(user=w.delegate)
    w.guest.is_active = False
    user_save(user=w.guest)
    assert rights(w.delegate) == {}
    assert meeting_rights(w.guest) == set()
    person.refresh_from_db()
    assert person.feed_token is None
    w.inv_guest.refresh_from_db()
    assert w.inv_guest.link_version == version + 1
    assert not P.has_body_right(fresh(w.delegate), P.VIEW, w.accmsme)
    w.guest.is_active = True
    user_save(user=w.guest)
    assert meeting_rights(w.guest) == {"Mtg-ACC-private"}


def test_linking_a_person_to_another_user_moves_the_rights(w, make_user):
    other = make_user("other")
    person_delete(person=other.person)
    person = w.delegate.person
    person.user = other
    person_save(person=person)
    assert rights(w.delegate) == {}
    assert rights(other) == {"ACCMSME": {P.VIEW, P.RESTRICTED, P.SUBMISSIONS}}
    person_delete(person=person)
    assert rights(other) == {}


def test_secretariat_group_changes_are_audited_and_not_cached_stale(w):
    user = w.delegate
    assert not P.is_secretariat(user)
    group = P.ensure_secretariat_group()
    user.groups.add(group)
    assert P.is_secretariat(user)  # the same object: its cached answer was dropped
    assert AuditEvent.objects.filter(action="group", object_id=user.pk, summary__contains="added to").exists()
    group.user_set.remove(user)
    assert not P.is_secretariat(fresh(user))
    assert AuditEvent.objects.filter(
        action="group", object_id=user.pk, summary__contains="removed from"
    ).exists()
    user.groups.add(group)
    user.groups.clear()
    assert (
        AuditEvent.objects.filter(action="group", object_id=user.pk, summary__contains="removed from").count()
        == 2
    )


def test_invitations_grant_and_withdraw_the_single_meeting_right(w):
    inv = invitation_add(meeting=w.m_other, person=w.observer.person, actor=w.secretariat)
    assert meeting_rights(w.observer) == {"Mtg-TFX"}
    assert MP.meeting_visible(fresh(w.observer), w.m_other)
    invitation_withdraw(invitation=inv, actor=w.secretariat, on=SINCE)
    assert meeting_rights(w.observer) == set()
    inv = invitation_add(meeting=w.m_other, person=w.observer.person, actor=w.secretariat)
    inv.delete()  # as the admin deletes one, which then syncs the invitation
    MR.sync_invitation_rights(inv)
    assert meeting_rights(w.observer) == set()
    assert AuditEvent.objects.filter(object_type="meetings.meeting", object_id=w.m_other.pk).exists()


def test_bulk_invitations_need_sync_meeting_rights(w):
    Invitation.objects.bulk_create([Invitation(meeting=w.m_other, person=w.observer.person)])
    assert meeting_rights(w.observer) == set()  # bulk_create sends no signal ...
    assert MR.sync_meeting_rights(w.m_other) == (1, 0)  # ... so the caller syncs the meeting
    assert meeting_rights(w.observer) == {"Mtg-TFX"}
    assert MR.sync_meeting_rights(w.m_other) == (0, 0)


# --- The periodic jobs -------------------------------------------------------------------------------


def test_the_hourly_job_resyncs_only_people_whose_dates_are_due(w):
    Membership.objects.filter(person=w.delegate.person).update(end_date=dt.date(2026, 3, 1))
    Membership.objects.filter(person=w.head.person).update(end_date=dt.date(2026, 5, 1))
    now = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    assert R.people_with_rights_due(now=now) == {w.delegate.person.pk}
    R.sync_rights_due(now=now)
    assert rights(w.delegate) == {}
    assert rights(w.head)  # not due yet; the daily sweep would catch it later


def test_the_daily_job_catches_changes_made_without_signals(w):
    Membership.objects.filter(person=w.delegate.person).update(end_date=dt.date(2001, 1, 1))
    BodyUserObjectPermission.objects.create(
        user=w.observer, content_object=w.tfx, permission_id=R._permission_ids()[P.MANAGE]
    )  # granted by hand
    n = R.sync_all_rights()
    assert n >= len(w.users) - 1
    assert rights(w.delegate) == {}
    assert rights(w.observer) == {"ACCMSME": {P.OBSERVE}}


def test_tasks_and_beat_entries(w, settings):
    from governance import tasks

    Membership.objects.filter(person=w.delegate.person).update(end_date=dt.date(2026, 3, 1))
    assert tasks.rights_sync_due.apply(kwargs={"now": "2026-03-02T01:00:00+00:00"}).get() == 1
    assert rights(w.delegate) == {}
    names = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"governance.tasks.rights_sync_due", "governance.tasks.accounts_deactivate_lapsed"} <= names
    # One time-driven rights job: the daily full resync and the chair terms' daily job are gone.
    assert not {"governance.tasks.rights_sync_all", "chairmanship.tasks.chair_rights_daily"} & names


def test_sync_rights_command(w):
    from io import StringIO

    from django.core.management import call_command

    Membership.objects.filter(person=w.delegate.person).update(end_date=dt.date(2001, 1, 1))
    out = StringIO()
    call_command("sync_rights", "--user", "delegate", stdout=out)
    assert "0 granted, 3 withdrawn" in out.getvalue()
    call_command("sync_rights", stdout=out)
    assert "Rights re-derived" in out.getvalue()


# --- Checks: the booleans and the filters agree, and cost little -------------------------------------

DOCS = [
    "doc_public",
    "doc_restricted",
    "doc_confidential",
    "doc_pub_public",
    "doc_pub_restricted",
    "doc_other",
]
# Who sees which document (the issue's rules; "guest" is invited to the private ACCMSME meeting only).
DOC_TABLE = {
    "secretariat": set(DOCS),
    "chair": set(DOCS) - {"doc_other"},
    "head": set(DOCS) - {"doc_other"},
    "delegate": {"doc_public", "doc_restricted", "doc_pub_public", "doc_pub_restricted"},
    "observer": {"doc_pub_public"},  # public documents of public meetings of the body observed
    "seom": set(),
    "former_chair": set(DOCS) - {"doc_other"},
    "guest": {"doc_public"},  # that meeting's Public documents
    "anonymous": set(),
}


@pytest.mark.parametrize("role", list(DOC_TABLE))
def test_document_visibility_table(w, role):
    from django.contrib.auth.models import AnonymousUser

    user = fresh(getattr(w, role)) if role != "anonymous" else AnonymousUser()
    by_check = {name for name in DOCS if MP.document_visible(user, getattr(w, name))}
    by_filter = set(MP.visible_documents(user, Document.objects.all()).values_list("title", flat=True))
    titles = {getattr(w, name).title: name for name in DOCS}
    assert by_check == DOC_TABLE[role]
    assert {titles[t] for t in by_filter} == DOC_TABLE[role]
    # The meeting page reads a meeting's documents and its agenda's links at once, and keeps the same ones.
    item = AgendaItem.objects.create(meeting=w.m_acc, title="Financing", position=1)
    item.documents.set([w.doc_public, w.doc_confidential, w.doc_pub_public])  # one from another meeting
    other_item = AgendaItem.objects.create(meeting=w.m_pub, title="Elsewhere", position=1)
    other_item.documents.set([w.doc_restricted])
    docs, by_item = meeting_documents(w.m_acc, user)
    of_meeting = DOC_TABLE[role] & {"doc_public", "doc_restricted", "doc_confidential"}
    assert {titles[d.title] for d in docs} == of_meeting
    assert {item_id: [titles[d.title] for d in linked] for item_id, linked in by_item.items()} == (
        {item.pk: sorted(of_meeting & {"doc_public", "doc_confidential"}, key=lambda n: getattr(w, n).title)}
        if of_meeting & {"doc_public", "doc_confidential"}
        else {}
    )


MEETING_TABLE = {
    "secretariat": {"m_acc", "m_pub", "m_seom", "m_other"},
    "chair": {"m_acc", "m_pub"},
    "head": {"m_acc", "m_pub"},
    "delegate": {"m_acc", "m_pub"},
    "observer": {"m_pub"},
    "seom": {"m_seom"},
    "guest": {"m_acc"},
    "anonymous": set(),
}


@pytest.mark.parametrize("role", list(MEETING_TABLE))
def test_meeting_visibility_table(w, role):
    from django.contrib.auth.models import AnonymousUser

    from meetings.models import Meeting
    from meetings.selectors import visible_meetings

    user = fresh(getattr(w, role)) if role != "anonymous" else AnonymousUser()
    names = ["m_acc", "m_pub", "m_seom", "m_other"]
    by_check = {n for n in names if MP.meeting_visible(user, getattr(w, n))}
    by_filter = {m.title for m in MP.meetings_visible(user, Meeting.objects.all())}
    by_selector = {m.title for m in visible_meetings(user)}
    for n in names:
        AgendaItem.objects.create(meeting=getattr(w, n), title=f"Item of {n}", position=1)
    by_rows = {
        i.meeting.title for i in MP.on_visible_meetings(user, AgendaItem.objects.select_related("meeting"))
    }
    expected = {getattr(w, n).title for n in MEETING_TABLE[role]}
    assert {getattr(w, n).title for n in by_check} == expected
    assert by_filter == expected
    assert by_selector == expected  # the meetings side's selector says the same
    assert by_rows == expected  # and so does the filter on rows that belong to a meeting


@pytest.mark.parametrize(
    "role, submissions, reports",
    [
        ("secretariat", True, {"Report-ACC", "Report-TFX"}),
        ("chair", True, {"Report-ACC"}),
        ("delegate", True, {"Report-ACC"}),
        ("observer", False, set()),
        ("seom", True, {"Report-ACC"}),  # SEOM reads the report submitted to it
        ("guest", False, set()),
    ],
)
def test_reports_and_submissions_reach_the_body_they_were_submitted_to(w, role, submissions, reports):
    from meetings.models import Report

    user = fresh(getattr(w, role))
    assert MP.submission_visible(user, w.submission) is submissions
    assert MP.submissions_visible(user).exists() is submissions
    assert {r.title for r in MP.reports_visible(user, Report.objects.all())} == reports
    assert {r.title for r in (w.report, w.report_other) if MP.report_visible(fresh(user), r)} == reports


def test_reports_sent_to_aem_are_not_read_by_seom_members(w):
    from meetings.models import Submission

    w.submission.delete()
    Submission.objects.create(
        report=w.report, from_body=w.accmsme, to_body=w.aem, submitted_on=dt.date(2030, 6, 1)
    )
    assert not MP.report_visible(fresh(w.seom), w.report)
    assert not MP.submissions_visible(fresh(w.seom)).exists()


REGISTRATION_TABLE = {
    # role: (invitations they may see, invitations they may edit, invitations they may answer)
    "secretariat": ({"inv_chair", "inv_head", "inv_delegate", "inv_guest", "inv_seom"},) * 3,
    "chair": (
        {"inv_chair", "inv_head", "inv_delegate", "inv_guest"},
        {"inv_chair", "inv_head", "inv_delegate", "inv_guest"},  # the chair manages the meeting
        {"inv_chair", "inv_head", "inv_delegate", "inv_guest"},
    ),
    "head": ({"inv_chair", "inv_head", "inv_delegate", "inv_guest"}, {"inv_head"}, {"inv_head"}),
    "delegate": ({"inv_chair", "inv_head", "inv_delegate", "inv_guest"}, {"inv_delegate"}, {"inv_delegate"}),
    "observer": (set(), set(), set()),
    "seom": ({"inv_seom"}, {"inv_seom"}, {"inv_seom"}),
    "guest": ({"inv_guest"}, set(), {"inv_guest"}),  # answers their own; registers no delegation
}


@pytest.mark.parametrize("role", list(REGISTRATION_TABLE))
def test_registration_table(w, role):
    names = ["inv_chair", "inv_head", "inv_delegate", "inv_guest", "inv_seom"]
    see, edit, answer = REGISTRATION_TABLE[role]
    user = fresh(getattr(w, role))
    invs = {n: Invitation.objects.select_related("meeting").get(pk=getattr(w, n).pk) for n in names}
    pk_name = {inv.pk: n for n, inv in invs.items()}
    assert {n for n, i in invs.items() if MP.invitation_visible(user, i)} == see
    assert {pk_name[i.pk] for i in MP.visible_invitations(user)} == see
    # The meeting page's shortcut for one meeting's list says the same, meeting by meeting.
    per_meeting = set()
    for meeting in {i.meeting for i in invs.values()}:
        per_meeting |= {pk_name[i.pk] for i in MP.visible_invitations_of(user, meeting)}
    assert per_meeting == see
    assert {n for n, i in invs.items() if MP.can_edit_registration(user, i)} == edit
    assert {pk_name[i.pk] for i in MP.editable_registrations(user)} == edit
    assert {n for n, i in invs.items() if MP.can_answer_invitation(user, i)} == answer


def test_a_delegation_member_registers_only_their_own_state(w):
    user = fresh(w.delegate)
    assert P.delegation_state_ids(user, w.accmsme) == {w.id.pk}
    assert P.delegation_state_ids(user, w.seom_body) == set()
    Membership.objects.filter(person=w.delegate.person).update(end_date=dt.date(2001, 1, 1))
    assert P.delegation_state_ids(fresh(w.delegate), w.accmsme) == set()


def test_manage_rights_and_chair_terms(w):
    assert P.can_manage_body(fresh(w.chair), w.accmsme)
    assert P.can_manage_handover(fresh(w.chair), w.handover)
    assert not P.can_manage_handover(fresh(w.former_chair), w.handover)
    assert not P.can_manage_body(fresh(w.head), w.accmsme)
    assert not P.can_manage_body(fresh(w.chair), w.seom_body)
    assert MP.can_change_document(fresh(w.chair), w.doc_confidential)
    assert not MP.can_change_document(fresh(w.delegate), w.doc_public)
    assert P.can_record_chair_terms(fresh(w.secretariat))
    assert not P.can_record_chair_terms(fresh(w.chair))


def test_inactive_and_anonymous_users_may_do_nothing(w):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), fresh(w.secretariat)):
        if user.is_authenticated:
            user.is_active = False  # as a session of a just-deactivated user would load
        assert not P.is_secretariat(user)
        assert not P.has_body_right(user, P.VIEW, w.accmsme)
        assert not MP.document_visible(user, w.doc_public)
        assert not MP.visible_documents(user).exists()
        assert not MP.meetings_visible(user, w.m_acc.__class__.objects.all()).exists()
        assert not MP.submissions_visible(user).exists()
        assert not MP.visible_invitations_of(user, w.m_acc).exists()


def test_boolean_checks_read_the_rights_once_per_request(w):
    user = fresh(w.head)
    docs = list(Document.objects.all())
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            for doc in docs:
                MP.document_visible(user, doc)
            P.has_body_right(user, P.VIEW, w.accmsme)
            MP.meeting_visible(user, w.m_acc)
    # groups (is_secretariat), body rights, single-meeting rights: once each, however many checks.
    assert len(ctx.captured_queries) == 3


def test_filters_are_one_query_whatever_the_number_of_rights(w):
    user = fresh(w.head)
    with CaptureQueriesContext(connection) as ctx:
        list(MP.visible_documents(user))
    before = len(ctx.captured_queries)
    # Many more rights and documents: still the same number of queries.
    for i in range(5):
        from governance.models import Body

        b = Body.objects.create(name=f"B{i}", acronym=f"B{i}", kind="task_force", chair_policy="designated")
        Membership.objects.create(
            person=w.head.person, body=b, member_state=w.sg, role="delegate", start_date=SINCE
        )
    user = fresh(w.head)
    with CaptureQueriesContext(connection) as ctx:
        list(MP.visible_documents(user))
    assert len(ctx.captured_queries) == before


def test_get_visible_or_404_and_require(w):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from meetings.models import Meeting

    qs = MP.meetings_visible(fresh(w.observer), Meeting.objects.all())
    assert P.get_visible_or_404(qs, pk=w.m_pub.pk) == w.m_pub
    with pytest.raises(Http404):
        P.get_visible_or_404(qs, pk=w.m_acc.pk)
    with pytest.raises(PermissionDenied):
        P.require(False)
    P.require(True)


# --- Cheap to ask -------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["none", "unknown", "all", "half"])
def test_any_of_selects_what_in_selects(w, which):
    """The rights filters pass id lists with ``__any_of`` (one array on PostgreSQL): the rows are those of
    ``__in``, on foreign keys and primary keys alike, for an empty list too."""
    body_ids = sorted(Meeting.objects.values_list("body_id", flat=True).distinct())
    assert len(body_ids) > 1
    ids = {"none": [], "unknown": [0], "all": body_ids, "half": body_ids[::2]}[which]
    assert set(Meeting.objects.filter(body_id__any_of=ids)) == set(Meeting.objects.filter(body_id__in=ids))
    meeting_ids = list(Meeting.objects.filter(body_id__in=ids).values_list("pk", flat=True))
    assert set(Meeting.objects.filter(pk__any_of=meeting_ids)) == set(
        Meeting.objects.filter(pk__in=meeting_ids)
    )
    assert set(Document.objects.filter(meeting__body_id__any_of=ids)) == set(
        Document.objects.filter(meeting__body_id__in=ids)
    )


def test_the_request_user_arrives_with_person_and_secretariat_flag(w, client):
    """Each request loads its user, the user's person and the Secretariat flag in one query
    (``governance.backends.UserBackend``); the checks then ask nothing more."""
    from governance.accounts import person_of
    from governance.backends import UserBackend

    for user, secretariat in ((w.head, False), (w.secretariat, True)):
        with CaptureQueriesContext(connection) as ctx:
            loaded = UserBackend().get_user(user.pk)
            assert person_of(loaded) == user.person
            assert person_of(loaded).member_state == user.person.member_state
            assert P.is_secretariat(loaded) is secretariat
        assert len(ctx.captured_queries) == 1
    # A group change in the request is not answered from the flag loaded with the user.
    loaded = UserBackend().get_user(w.head.pk)
    loaded.groups.add(P.ensure_secretariat_group())
    assert P.is_secretariat(loaded)
    assert UserBackend().get_user(10**9) is None
    w.head.is_active = False
    w.head.save()
    assert UserBackend().get_user(w.head.pk) is None
    client.force_login(w.delegate)
    assert client.get("/").wsgi_request.user.pk == w.delegate.pk


def test_a_rule_for_rows_of_any_meeting_needs_the_rows(w):
    """``on_visible_meetings`` serves invitations, action items, agenda items ...: it has no default."""
    with pytest.raises(TypeError, match="filters the queryset it is given"):
        MP.on_visible_meetings(fresh(w.head))
    assert MP.on_visible_meetings(fresh(w.head), Invitation.objects.none()).count() == 0
