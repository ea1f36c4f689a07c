"""The rights engine: rights derived from memberships, chair terms and invitations, kept in step by the
services that write them and the periodic job, checked cheaply, and the same answer from the boolean checks and the queryset
filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from chairmanship import rights as CR
from chairmanship.terms import chair_term_delete, chair_term_save
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
from tests.world.build import client_as, fresh
from tests.world.people import SINCE, body_make, seat

pytestmark = pytest.mark.django_db


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


# --- What each role holds ----------------------------------------------------------------------------


def test_each_role_holds_the_rights_of_the_issue(roles):
    assert rights(roles.secretariat) == {}  # the Secretariat needs no rows: it may do everything
    assert rights(roles.chair) == {"ACCMSME": P.CHAIR_RIGHTS | P.ROLE_RIGHTS["head"]}
    assert P.MANAGE in rights(roles.chair)["ACCMSME"]
    assert rights(roles.head) == {"ACCMSME": {P.VIEW, P.RESTRICTED, P.CONFIDENTIAL, P.SUBMISSIONS}}
    assert rights(roles.delegate) == {"ACCMSME": {P.VIEW, P.RESTRICTED, P.SUBMISSIONS}}
    assert rights(roles.observer) == {"ACCMSME": {P.OBSERVE}}
    assert rights(roles.seom) == {"SEOM": {P.VIEW, P.RESTRICTED, P.SUBMISSIONS}}
    # The former chair is still head of Malaysia's delegation, but no longer manages the body.
    assert rights(roles.former_chair) == {"ACCMSME": {P.VIEW, P.RESTRICTED, P.CONFIDENTIAL, P.SUBMISSIONS}}
    assert rights(roles.guest) == {}
    assert meeting_rights(roles.guest) == {"Mtg-ACC-private"}


def test_sync_is_idempotent_and_audited(roles):
    assert R.sync_user_rights(roles.chair) == (0, 0)
    Membership.objects.filter(person=roles.delegate.person).update(role="observer")  # no signal
    n_events = AuditEvent.objects.filter(action="rights", object_id=roles.delegate.pk).count()
    granted, withdrawn = R.sync_user_rights(roles.delegate)
    assert (granted, withdrawn) == (1, 3)
    assert rights(roles.delegate) == {"ACCMSME": {P.OBSERVE}}
    event = AuditEvent.objects.filter(action="rights", object_id=roles.delegate.pk).first()
    assert AuditEvent.objects.filter(action="rights", object_id=roles.delegate.pk).count() == n_events + 1
    assert "granted observe_body on ACCMSME" in event.summary
    assert "withdrew read_restricted on ACCMSME" in event.summary


def test_rights_follow_the_membership_dates(roles):
    m = Membership.objects.get(person=roles.delegate.person)
    m.end_date = dt.date(2026, 6, 30)
    m.save()
    R.sync_user_rights(roles.delegate, on=dt.date(2026, 6, 30))
    assert P.VIEW in rights(roles.delegate)["ACCMSME"]  # the end date is the last day
    R.sync_user_rights(roles.delegate, on=dt.date(2026, 7, 1))
    assert rights(roles.delegate) == {}


def test_chair_rights_go_to_the_named_chair_person_and_the_chairing_states_head(roles, make_user):
    from chairmanship.models import ChairTerm

    ChairTerm.objects.filter(pk=roles.term.pk).update(chair_person=roles.delegate.person)
    R.sync_user_rights(roles.delegate)
    R.sync_user_rights(roles.chair)
    assert P.MANAGE in rights(roles.delegate)["ACCMSME"]
    assert P.MANAGE in rights(roles.chair)["ACCMSME"]  # head of the chairing state: both hold it
    assert P.MANAGE not in rights(roles.head)["ACCMSME"]
    # A vice-chair does not manage the body.
    ChairTerm.objects.create(
        body=roles.seom_body, member_state=roles.th, role="vice_chair", start_date=SINCE, end_date=SINCE
    )
    assert CR.chair_body_ids(roles.seom.person, on=SINCE) == set()


def test_a_handover_moves_manage_rights_on_the_effective_day(roles):
    from chairmanship.models import ChairTerm

    ChairTerm.objects.filter(pk=roles.term.pk).update(end_date=dt.date(2026, 12, 31))
    ChairTerm.objects.create(
        body=roles.accmsme,
        member_state=roles.sg,
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
    )
    for user in (roles.chair, roles.head):
        R.sync_user_rights(user, on=dt.date(2026, 12, 31))
    assert P.MANAGE in rights(roles.chair)["ACCMSME"] and P.MANAGE not in rights(roles.head)["ACCMSME"]
    for user in (roles.chair, roles.head):
        R.sync_user_rights(user, on=dt.date(2027, 1, 1))
    assert P.MANAGE not in rights(roles.chair)["ACCMSME"] and P.MANAGE in rights(roles.head)["ACCMSME"]


def test_a_handover_takes_effect_at_midnight_in_the_bodys_zone(roles):
    from chairmanship.models import ChairTerm

    ChairTerm.objects.filter(pk=roles.term.pk).update(end_date=dt.date(2026, 12, 31))
    ChairTerm.objects.create(
        body=roles.accmsme,
        member_state=roles.sg,
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
    )
    # 16:30 UTC on 31 Dec: 23:30 in Jakarta (UTC+7), already 00:30 on 1 Jan in Manila (UTC+8).
    with freeze_time(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)):
        assert CR.chair_body_ids(roles.head.person) == set()  # Jakarta, the default: not yet
        assert CR.chair_body_ids(roles.chair.person) == {roles.accmsme.pk}
        roles.accmsme.handover_timezone = "Asia/Manila"
        roles.accmsme.save()
        assert CR.chair_body_ids(roles.head.person) == {roles.accmsme.pk}
        assert CR.chair_body_ids(roles.chair.person) == set()
        R.sync_user_rights(roles.head)
    assert P.MANAGE in rights(roles.head)["ACCMSME"]


# --- Services: every write moves the rights ----------------------------------------------------------


def test_membership_create_update_delete_and_move_resync(roles, make_user):
    newcomer = make_user("newcomer", state=roles.th)
    m = membership_save(
        membership=Membership(
            person=newcomer.person, body=roles.aem, member_state=roles.th, role="delegate", start_date=SINCE
        )
    )
    assert rights(newcomer) == {"AEM": {P.VIEW, P.RESTRICTED, P.SUBMISSIONS}}
    m.role = "observer"
    membership_save(membership=m)
    assert rights(newcomer) == {"AEM": {P.OBSERVE}}
    m.person = roles.seom.person  # moved to another person: the first loses, the second gains
    membership_save(membership=m)
    assert rights(newcomer) == {}
    assert rights(roles.seom)["AEM"] == {P.OBSERVE}
    m.end_date = dt.date(2001, 1, 1)  # ended long ago
    membership_save(membership=m)
    assert "AEM" not in rights(roles.seom)
    m.end_date = None
    membership_save(membership=m)
    membership_delete(membership=m)
    assert "AEM" not in rights(roles.seom)


def test_a_rolled_back_membership_leaves_no_right(roles, make_user):
    newcomer = make_user("newcomer", state=roles.th)
    with pytest.raises(RuntimeError), transaction.atomic():
        membership_save(
            membership=Membership(
                person=newcomer.person,
                body=roles.aem,
                member_state=roles.th,
                role="delegate",
                start_date=SINCE,
            )
        )
        assert rights(newcomer)  # granted inside the transaction ...
        raise RuntimeError
    assert rights(newcomer) == {}  # ... and gone with it


def test_chair_term_changes_resync_old_and_new_chairs(roles):
    roles.term.member_state = roles.sg  # the term is re-recorded for another state
    chair_term_save(term=roles.term)
    assert P.MANAGE not in rights(roles.chair)["ACCMSME"]
    assert P.MANAGE in rights(roles.head)["ACCMSME"]
    roles.term.end_date = dt.date(2001, 1, 1)  # ended long ago
    chair_term_save(term=roles.term)
    assert P.MANAGE not in rights(roles.head)["ACCMSME"]


def test_deleting_a_chair_term_withdraws_its_rights(roles):
    from chairmanship.models import ChairTerm

    term = chair_term_save(
        term=ChairTerm(
            body=roles.seom_body,
            member_state=roles.th,
            start_date=SINCE,
            end_date=SINCE,
            chair_person=roles.seom.person,
        )
    )
    term.end_date = dt.date(2999, 1, 1)
    chair_term_save(term=term)
    assert P.MANAGE in rights(roles.seom)["SEOM"]
    chair_term_delete(term=term)
    assert P.MANAGE not in rights(roles.seom)["SEOM"]


def test_deactivating_a_user_withdraws_everything_and_revokes_secrets(roles):
    person = roles.guest.person
    person.feed_token = "t" * 40
    person.save()
    version = roles.inv_guest.link_version
    roles.delegate.is_active = False
    user_save(user=roles.delegate)
    roles.guest.is_active = False
    user_save(user=roles.guest)
    assert rights(roles.delegate) == {}
    assert meeting_rights(roles.guest) == set()
    person.refresh_from_db()
    assert person.feed_token is None
    roles.inv_guest.refresh_from_db()
    assert roles.inv_guest.link_version == version + 1
    assert not P.has_body_right(fresh(roles.delegate), P.VIEW, roles.accmsme)
    roles.guest.is_active = True
    user_save(user=roles.guest)
    assert meeting_rights(roles.guest) == {"Mtg-ACC-private"}


def test_linking_a_person_to_another_user_moves_the_rights(roles, make_user):
    other = make_user("other")
    person_delete(person=other.person)
    person = roles.delegate.person
    person.user = other
    person_save(person=person)
    assert rights(roles.delegate) == {}
    assert rights(other) == {"ACCMSME": {P.VIEW, P.RESTRICTED, P.SUBMISSIONS}}
    person_delete(person=person)
    assert rights(other) == {}


def test_secretariat_group_changes_are_audited_and_not_cached_stale(roles):
    user = roles.delegate
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


def test_invitations_grant_and_withdraw_the_single_meeting_right(roles):
    inv = invitation_add(meeting=roles.m_other, person=roles.observer.person, actor=roles.secretariat)
    assert meeting_rights(roles.observer) == {"Mtg-TFX"}
    assert MP.meeting_visible(fresh(roles.observer), roles.m_other)
    invitation_withdraw(invitation=inv, actor=roles.secretariat, on=SINCE)
    assert meeting_rights(roles.observer) == set()
    inv = invitation_add(meeting=roles.m_other, person=roles.observer.person, actor=roles.secretariat)
    inv.delete()  # as the admin deletes one, which then syncs the invitation
    MR.sync_invitation_rights(inv)
    assert meeting_rights(roles.observer) == set()
    assert AuditEvent.objects.filter(object_type="meetings.meeting", object_id=roles.m_other.pk).exists()


def test_bulk_invitations_need_sync_meeting_rights(roles):
    Invitation.objects.bulk_create([Invitation(meeting=roles.m_other, person=roles.observer.person)])
    assert meeting_rights(roles.observer) == set()  # bulk_create sends no signal ...
    assert MR.sync_meeting_rights(roles.m_other) == (1, 0)  # ... so the caller syncs the meeting
    assert meeting_rights(roles.observer) == {"Mtg-TFX"}
    assert MR.sync_meeting_rights(roles.m_other) == (0, 0)


# --- The periodic jobs -------------------------------------------------------------------------------


def test_the_hourly_job_resyncs_only_people_whose_dates_are_due(roles):
    Membership.objects.filter(person=roles.delegate.person).update(end_date=dt.date(2026, 3, 1))
    Membership.objects.filter(person=roles.head.person).update(end_date=dt.date(2026, 5, 1))
    now = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    with freeze_time(now):
        assert R.people_with_rights_due() == {roles.delegate.person.pk}
        R.sync_rights_due()
    assert rights(roles.delegate) == {}
    assert rights(roles.head)  # not due yet; the daily sweep would catch it later


def test_the_daily_job_catches_changes_made_without_signals(roles):
    Membership.objects.filter(person=roles.delegate.person).update(end_date=dt.date(2001, 1, 1))
    BodyUserObjectPermission.objects.create(
        user=roles.observer, content_object=roles.tfx, permission_id=R._permission_ids()[P.MANAGE]
    )  # granted by hand
    n = R.sync_all_rights()
    assert n >= len(roles.users) - 1
    assert rights(roles.delegate) == {}
    assert rights(roles.observer) == {"ACCMSME": {P.OBSERVE}}


def test_tasks_and_beat_entries(roles, settings):
    from governance import tasks

    Membership.objects.filter(person=roles.delegate.person).update(end_date=dt.date(2026, 3, 1))
    with freeze_time("2026-03-02T01:00:00+00:00"):
        assert tasks.rights_sync_due.apply().get() == 1
    assert rights(roles.delegate) == {}
    names = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"governance.tasks.rights_sync_due", "governance.tasks.accounts_deactivate_lapsed"} <= names
    # One time-driven rights job: the daily full resync and the chair terms' daily job are gone.
    assert not {"governance.tasks.rights_sync_all", "chairmanship.tasks.chair_rights_daily"} & names


def test_sync_rights_command(roles):
    from io import StringIO

    from django.core.management import call_command

    Membership.objects.filter(person=roles.delegate.person).update(end_date=dt.date(2001, 1, 1))
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
def test_document_visibility_table(roles, role):
    from django.contrib.auth.models import AnonymousUser

    user = fresh(getattr(roles, role)) if role != "anonymous" else AnonymousUser()
    by_check = {name for name in DOCS if MP.document_visible(user, getattr(roles, name))}
    by_filter = set(MP.visible_documents(user, Document.objects.all()).values_list("title", flat=True))
    titles = {getattr(roles, name).title: name for name in DOCS}
    assert by_check == DOC_TABLE[role]
    assert {titles[t] for t in by_filter} == DOC_TABLE[role]
    # The meeting page reads a meeting's documents and its agenda's links at once, and keeps the same ones.
    item = AgendaItem.objects.create(meeting=roles.m_acc, title="Financing", position=1)
    item.documents.set(
        [roles.doc_public, roles.doc_confidential, roles.doc_pub_public]
    )  # one from another meeting
    other_item = AgendaItem.objects.create(meeting=roles.m_pub, title="Elsewhere", position=1)
    other_item.documents.set([roles.doc_restricted])
    docs, by_item = meeting_documents(roles.m_acc, user)
    of_meeting = DOC_TABLE[role] & {"doc_public", "doc_restricted", "doc_confidential"}
    assert {titles[d.title] for d in docs} == of_meeting
    assert {item_id: [titles[d.title] for d in linked] for item_id, linked in by_item.items()} == (
        {
            item.pk: sorted(
                of_meeting & {"doc_public", "doc_confidential"}, key=lambda n: getattr(roles, n).title
            )
        }
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
def test_meeting_visibility_table(roles, role):
    from django.contrib.auth.models import AnonymousUser

    from meetings.models import Meeting
    from meetings.selectors import visible_meetings

    user = fresh(getattr(roles, role)) if role != "anonymous" else AnonymousUser()
    names = ["m_acc", "m_pub", "m_seom", "m_other"]
    by_check = {n for n in names if MP.meeting_visible(user, getattr(roles, n))}
    by_filter = {m.title for m in MP.meetings_visible(user, Meeting.objects.all())}
    by_selector = {m.title for m in visible_meetings(user)}
    for n in names:
        AgendaItem.objects.create(meeting=getattr(roles, n), title=f"Item of {n}", position=1)
    by_rows = {
        i.meeting.title for i in MP.on_visible_meetings(user, AgendaItem.objects.select_related("meeting"))
    }
    expected = {getattr(roles, n).title for n in MEETING_TABLE[role]}
    assert {getattr(roles, n).title for n in by_check} == expected
    assert by_filter == expected
    assert by_selector == expected  # the meetings side's selector says the same
    assert by_rows == expected  # and so does the filter on rows that belong to a meeting
    # The API list's first page reads the same rule with the rights in SQL (``first_meetings``).
    from meetings.selectors.meetings import first_meetings

    rows, count = first_meetings(user, rows=10, count_up_to=10)
    assert {r.title for r in rows} == expected and count == len(expected)


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
def test_reports_and_submissions_reach_the_body_they_were_submitted_to(roles, role, submissions, reports):
    from meetings.models import Report

    user = fresh(getattr(roles, role))
    assert MP.submission_visible(user, roles.submission) is submissions
    assert MP.submissions_visible(user).exists() is submissions
    assert {r.title for r in MP.reports_visible(user, Report.objects.all())} == reports
    assert {
        r.title for r in (roles.report, roles.report_other) if MP.report_visible(fresh(user), r)
    } == reports


def test_reports_sent_to_aem_are_not_read_by_seom_members(roles):
    from meetings.models import Submission

    roles.submission.delete()
    Submission.objects.create(
        report=roles.report, from_body=roles.accmsme, to_body=roles.aem, submitted_on=dt.date(2030, 6, 1)
    )
    assert not MP.report_visible(fresh(roles.seom), roles.report)
    assert not MP.submissions_visible(fresh(roles.seom)).exists()


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
def test_registration_table(roles, role):
    names = ["inv_chair", "inv_head", "inv_delegate", "inv_guest", "inv_seom"]
    see, edit, answer = REGISTRATION_TABLE[role]
    user = fresh(getattr(roles, role))
    invs = {n: Invitation.objects.select_related("meeting").get(pk=getattr(roles, n).pk) for n in names}
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


def test_a_delegation_member_registers_only_their_own_state(roles):
    user = fresh(roles.delegate)
    assert P.delegation_state_ids(user, roles.accmsme) == {roles.id.pk}
    assert P.delegation_state_ids(user, roles.seom_body) == set()
    Membership.objects.filter(person=roles.delegate.person).update(end_date=dt.date(2001, 1, 1))
    assert P.delegation_state_ids(fresh(roles.delegate), roles.accmsme) == set()


def test_manage_rights_and_chair_terms(roles):
    assert P.can_manage_body(fresh(roles.chair), roles.accmsme)
    assert P.can_manage_handover(fresh(roles.chair), roles.handover)
    assert not P.can_manage_handover(fresh(roles.former_chair), roles.handover)
    assert not P.can_manage_body(fresh(roles.head), roles.accmsme)
    assert not P.can_manage_body(fresh(roles.chair), roles.seom_body)
    assert MP.can_change_document(fresh(roles.chair), roles.doc_confidential)
    assert not MP.can_change_document(fresh(roles.delegate), roles.doc_public)
    assert P.can_record_chair_terms(fresh(roles.secretariat))
    assert not P.can_record_chair_terms(fresh(roles.chair))


def test_inactive_and_anonymous_users_may_do_nothing(roles):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), fresh(roles.secretariat)):
        if user.is_authenticated:
            user.is_active = False  # as a session of a just-deactivated user would load
        assert not P.is_secretariat(user)
        assert not P.has_body_right(user, P.VIEW, roles.accmsme)
        assert not MP.document_visible(user, roles.doc_public)
        assert not MP.visible_documents(user).exists()
        assert not MP.meetings_visible(user, roles.m_acc.__class__.objects.all()).exists()
        assert not MP.submissions_visible(user).exists()
        assert not MP.visible_invitations_of(user, roles.m_acc).exists()


def test_boolean_checks_read_the_rights_once_per_request(roles):
    user = fresh(roles.head)
    docs = list(Document.objects.all())
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            for doc in docs:
                MP.document_visible(user, doc)
            P.has_body_right(user, P.VIEW, roles.accmsme)
            MP.meeting_visible(user, roles.m_acc)
    # groups (is_secretariat), body rights, single-meeting rights: once each, however many checks.
    assert len(ctx.captured_queries) == 3


def test_filters_are_one_query_whatever_the_number_of_rights(roles):
    user = fresh(roles.head)
    with CaptureQueriesContext(connection) as ctx:
        list(MP.visible_documents(user))
    before = len(ctx.captured_queries)
    # Many more rights and documents: still the same number of queries.
    for i in range(5):
        b = body_make(f"B{i}", kind="task_force", chair_policy="designated")
        seat(roles.head.person, b, roles.sg)
    user = fresh(roles.head)
    with CaptureQueriesContext(connection) as ctx:
        list(MP.visible_documents(user))
    assert len(ctx.captured_queries) == before


def test_get_visible_or_404_and_require(roles):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from meetings.models import Meeting

    qs = MP.meetings_visible(fresh(roles.observer), Meeting.objects.all())
    assert P.get_visible_or_404(qs, pk=roles.m_pub.pk) == roles.m_pub
    with pytest.raises(Http404):
        P.get_visible_or_404(qs, pk=roles.m_acc.pk)
    with pytest.raises(PermissionDenied):
        P.require(False)
    P.require(True)


# --- Cheap to ask -------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["none", "unknown", "all", "half"])
def test_any_of_selects_what_in_selects(roles, which):
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


def test_the_request_user_arrives_with_person_and_secretariat_flag(roles, client):
    """Each request loads its user, the user's person and the Secretariat flag in one query
    (``governance.backends.UserBackend``); the checks then ask nothing more."""
    from governance.accounts import person_of
    from governance.backends import UserBackend

    for user, secretariat in ((roles.head, False), (roles.secretariat, True)):
        with CaptureQueriesContext(connection) as ctx:
            loaded = UserBackend().get_user(user.pk)
            assert person_of(loaded) == user.person
            assert person_of(loaded).member_state == user.person.member_state
            assert P.is_secretariat(loaded) is secretariat
        assert len(ctx.captured_queries) == 1
    # A group change in the request is not answered from the flag loaded with the user.
    loaded = UserBackend().get_user(roles.head.pk)
    loaded.groups.add(P.ensure_secretariat_group())
    assert P.is_secretariat(loaded)
    assert UserBackend().get_user(10**9) is None
    roles.head.is_active = False
    roles.head.save()
    assert UserBackend().get_user(roles.head.pk) is None
    client.force_login(roles.delegate)
    assert client.get("/").wsgi_request.user.pk == roles.delegate.pk


def test_a_rule_for_rows_of_any_meeting_needs_the_rows(roles):
    """``on_visible_meetings`` serves invitations, action items, agenda items ...: it has no default."""
    with pytest.raises(TypeError, match="filters the queryset it is given"):
        MP.on_visible_meetings(fresh(roles.head))
    assert MP.on_visible_meetings(fresh(roles.head), Invitation.objects.none()).count() == 0


def test_walking_object_ids_reveals_nothing_beyond_ones_rights(roles):
    """The delegate tries every document and meeting id: exactly their own reach answers, the rest is 404
    (not 403: whether the object exists is not leaked)."""
    client = client_as(roles.delegate)
    allowed_docs = {
        roles.doc_public.pk,
        roles.doc_restricted.pk,
        roles.doc_pub_public.pk,
        roles.doc_pub_restricted.pk,
    }
    top = max(Document.objects.values_list("pk", flat=True)) + 3
    for pk in range(1, top):
        r = client.get(f"/documents/{pk}/download/")
        assert r.status_code == (200 if pk in allowed_docs else 404), pk
    allowed_meetings = {roles.m_acc.pk, roles.m_pub.pk}
    top = max(Meeting.objects.values_list("pk", flat=True)) + 3
    for pk in range(1, top):
        assert client.get(f"/meetings/{pk}/").status_code == (200 if pk in allowed_meetings else 404), pk
        assert client.get(f"/meetings/{pk}/calendar.ics").status_code == (
            200 if pk in allowed_meetings else 404
        )


def test_a_404_looks_the_same_for_a_hidden_object_and_a_missing_one(roles):
    client = client_as(roles.observer)
    hidden = client.get(f"/documents/{roles.doc_confidential.pk}/download/")
    missing = client.get("/documents/999999/download/")
    assert hidden.status_code == missing.status_code == 404
    assert b"Doc-ACC" not in hidden.content
    hidden = client.get(f"/api/v1/handovers/{roles.handover.pk}/")
    missing = client.get("/api/v1/handovers/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_the_former_chair_can_no_longer_manage(roles):
    """Malaysia chaired until the handover to the Philippines: its head still sits on the body and sees
    its meetings, but manages nothing."""
    client = client_as(roles.former_chair)
    assert client.get(f"/meetings/{roles.m_acc.pk}/").status_code == 200
    for url in (
        f"/meetings/{roles.m_acc.pk}/edit/",
        f"/meetings/{roles.m_acc.pk}/agenda/",
        f"/meetings/{roles.m_acc.pk}/documents/upload/",
        f"/meetings/{roles.m_acc.pk}/record/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/meetings/{roles.m_acc.pk}/cancel/", {"confirmed": "yes"}).status_code == 403
    assert client.post(f"/chairmanship/handovers/{roles.handover.pk}/complete/").status_code == 403
    r = client.patch(
        f"/api/v1/handovers/{roles.next_handover.pk}/items/{roles.next_item.pk}/",
        data='{"comment": "still here"}',
        content_type="application/json",
    )
    assert r.status_code == 403
    roles.m_acc.refresh_from_db()
    assert roles.m_acc.status == Meeting.Status.PLANNED


def test_a_logged_in_chair_loses_manage_rights_the_moment_the_handover_takes_effect(roles):
    """The chair's session outlives the handover: rights are read per request, so the same session is
    refused once the terms move, and the incoming chair's is admitted."""
    chair, incoming = client_as(roles.chair), client_as(roles.head)
    url = f"/meetings/{roles.m_acc.pk}/edit/"
    assert chair.get(url).status_code == 200
    assert incoming.get(url).status_code == 403
    # The handover takes effect (recorded long ago, so it holds whatever today is): terms move.
    roles.next_handover.delete()
    roles.term.end_date = dt.date(2001, 1, 1)
    chair_term_save(term=roles.term)
    roles.next_term.start_date = dt.date(2001, 1, 2)
    roles.next_term.end_date = dt.date(2999, 12, 31)
    chair_term_save(term=roles.next_term)
    assert chair.get(url).status_code == 403
    assert chair.post(f"/meetings/{roles.m_acc.pk}/cancel/", {"confirmed": "yes"}).status_code == 403
    assert incoming.get(url).status_code == 200
